// The receiver the portal check's subscriptions deliver to: one path that fails twice before it succeeds,
// so the portal has retries to show, one that always fails and one that is gone (a failing endpoint and a
// disabled one), and every request kept for the checks on what was delivered.
import type http from 'node:http';
import type { BrowserCheck } from './browser-check.js';

export interface Hit {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface PortalReceiver {
  url: string;
  hits: Hit[];
}

/** `/fails-twice` answers 503 to its first two requests and 200 after, `/always-fails` 500, `/gone` 410; every request is kept. */
export async function startPortalReceiver(run: BrowserCheck): Promise<PortalReceiver> {
  const hits: Hit[] = [];
  const url = await run.startReceiver((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hit = { path: (req.url ?? '/').split('?')[0]!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      hits.push(hit);
      const n = hits.filter((h) => h.path === hit.path).length;
      if (hit.path === '/fails-twice' && n <= 2) res.writeHead(503, { 'content-type': 'text/plain' }).end(`busy, try again (request ${n})`);
      else if (hit.path === '/always-fails') res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
      else if (hit.path === '/gone') res.writeHead(410, { 'content-type': 'text/plain' }).end('this endpoint was removed');
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ received: true, request: n }));
    });
  });
  return { url, hits };
}
