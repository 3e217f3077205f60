// The tracing phase (`npm run bench -- --only tracing`): what OpenTelemetry costs end to end. The same
// closed-loop load (bench/lib/load.ts) runs with tracing off and on (always_on sampling, every span exported
// over OTLP/HTTP protobuf to a local receiver that answers at once), alternately, twice each, after a
// warm-up run that is not counted: the first run on a fresh stack is faster whatever it measures, and the
// machine's other work drifts, so off and on each get an early and a late run. The API and the worker are
// restarted before each run, so each runs as fresh processes with only the OTEL_* variables changed.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PhaseContext } from './isolation.js';
import { startBenchReceiver } from './lib/receiver.js';
import { sustainedLoad } from './lib/load.js';
import { round } from './lib/stats.js';

export interface TracingOptions {
  /** Each run's length. */
  seconds: number;
  /** Events outstanding (accepted, not yet received) at once. */
  window: number;
}

/** An OTLP/HTTP receiver that only counts what it is sent: the collector's own cost stays out of the figures. */
async function startSpanSink() {
  let requests = 0;
  let bytes = 0;
  const server = http.createServer((req, res) => {
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => {
      requests++;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts: () => ({ requests, bytes }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const TRACING_OFF = { OTEL_EXPORTER_OTLP_ENDPOINT: undefined, OTEL_TRACES_SAMPLER: undefined, OTEL_EXPORTER_OTLP_PROTOCOL: undefined };

export async function tracingPhase(ctx: PhaseContext, options: TracingOptions) {
  const receiver = await startBenchReceiver();
  const sink = await startSpanSink();
  try {
    const tenant = await ctx.api.tenant(ctx.stack.adminToken, 'bench-tracing');
    await ctx.api.subscribe(tenant.api_key, { url: `${receiver.url}/hook`, event_types: ['bench.tracing'] });
    const measure = async (tag: string, env: Record<string, string | undefined>) => {
      await ctx.stack.restartWith(env);
      const prefix = `tracing-${tag}-${ctx.run}-`;
      const { posted, elapsedS } = await sustainedLoad(ctx.api, ctx.stack.adminToken, tenant.id, receiver, {
        prefix,
        seconds: options.seconds,
        type: 'bench.tracing',
        window: options.window,
      });
      const delivered = receiver.count(prefix);
      const drained = await receiver.waitFor(
        Array.from({ length: posted }, (_, i) => `${prefix}${i}`),
        120_000,
      );
      return { events_per_s: round(delivered / elapsedS), all_delivered: drained };
    };
    ctx.say(`tracing: ${options.seconds} s end to end each: a warm-up, then off, on (always_on, exported to a local OTLP receiver), off, on`);
    const on = { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_TRACES_SAMPLER: 'always_on', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' };
    await measure('warm-up', TRACING_OFF);
    const runs: Array<{ tracing: 'off' | 'on'; events_per_s: number; all_delivered: boolean }> = [];
    for (const [i, tracing] of (['off', 'on', 'off', 'on'] as const).entries()) {
      runs.push({ tracing, ...(await measure(`${tracing}-${i}`, tracing === 'on' ? on : TRACING_OFF)) });
    }
    // The last spans are exported as the processes stop: the stack goes back to tracing off, then they are counted.
    await ctx.stack.restartWith(TRACING_OFF);
    const exported = sink.counts();
    const mean = (which: 'off' | 'on') => {
      const rates = runs.filter((r) => r.tracing === which).map((r) => r.events_per_s);
      return rates.reduce((a, b) => a + b, 0) / rates.length;
    };
    return {
      seconds: options.seconds,
      outstanding: options.window,
      /** The mean of the two runs off, and of the two on. */
      off_events_per_s: round(mean('off')),
      on_events_per_s: round(mean('on')),
      on_to_off_ratio: round(mean('on') / mean('off'), 3),
      runs,
      all_delivered: runs.every((r) => r.all_delivered),
      otlp_export_requests: exported.requests,
      otlp_export_bytes: exported.bytes,
    };
  } finally {
    receiver.stop();
    await sink.close();
  }
}
