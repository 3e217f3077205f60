import http from 'node:http';
import type { Registry } from 'prom-client';

/**
 * The worker's own registry followed by the Temporal SDK core's metrics (task latencies, pollers,
 * slots, sticky cache...), which core serves on a loopback port of its own: one scrape target per worker.
 */
export async function renderWorkerMetrics(registry: Registry, coreMetricsUrl: string | undefined): Promise<string> {
  const own = await registry.metrics();
  if (!coreMetricsUrl) return own;
  try {
    const core = await fetch(coreMetricsUrl, { signal: AbortSignal.timeout(2_000) });
    return `${own}\n${await core.text()}`;
  } catch {
    return `${own}\n# Temporal core metrics unavailable at ${coreMetricsUrl}\n`;
  }
}

/** /metrics and /healthz for a worker process (which has no API of its own). */
export function startWorkerHttp(options: {
  host: string;
  port: number;
  registry: Registry;
  coreMetricsUrl?: string;
  healthy: () => boolean;
}): http.Server {
  // A scrape that fails (the SDK core's endpoint not answering) is a 500 for that scrape, never an
  // unhandled rejection in the worker.
  const metrics = (res: http.ServerResponse) =>
    renderWorkerMetrics(options.registry, options.coreMetricsUrl).then(
      (text) => {
        res.setHeader('content-type', options.registry.contentType);
        res.end(text);
      },
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics unavailable: ${(error as Error).message}\n`);
      },
    );
  return http
    .createServer((req, res) => {
      if (req.url === '/metrics') {
        void metrics(res);
      } else if (req.url === '/healthz') {
        const ok = options.healthy();
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: ok ? 'ok' : 'stopping' }));
      } else {
        res.writeHead(404).end();
      }
    })
    .listen(options.port, options.host);
}
