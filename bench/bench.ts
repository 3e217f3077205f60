// `npm run bench [-- --quick]`: hookrelay's speed on this machine, beside the machine's own limit
// for the same work (direct undici deliveries without Temporal). Writes bench/results/<timestamp>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { Agent, request } from 'undici';
import { Client, Connection } from '@temporalio/client';
import { signatureHeader, generateSecret } from '../src/delivery/signature.js';
import { startBenchStack, peakRssMb } from './lib/stack.js';
import { startBenchReceiver, type BenchReceiver } from './lib/receiver.js';
import { apiClient } from './lib/api.js';
import { sustainedLoad } from './lib/load.js';
import { round, summarize } from './lib/stats.js';

const quick = process.argv.includes('--quick');
const D = quick
  ? { ingestS: 5, e2eS: 15, latencyS: 8, fanouts: 1, baselineN: 2000 }
  : { ingestS: 15, e2eS: 60, latencyS: 30, fanouts: 3, baselineN: 10000 };
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (msg: string) => console.error(`[bench] ${msg}`);
const run = Date.now().toString(36);

async function ingest(apiUrl: string, adminToken: string, tenantId: string) {
  let n = 0;
  const result = await autocannon({
    url: `${apiUrl}/v1/events`,
    connections: 32,
    duration: D.ingestS,
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    requests: [{
      setupRequest: (req) => ({
        ...req,
        body: JSON.stringify({ id: `ing-${run}-${n++}`, tenant_id: tenantId, environment: 'production', type: 'bench.ingest', payload: { n } }),
      }),
    }],
  });
  return {
    events_per_s: round(result.requests.average),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    non_2xx: result.non2xx,
    errors: result.errors,
  };
}

/** Sustained end to end, 64 events outstanding (see sustainedLoad). */
async function endToEnd(api: ReturnType<typeof apiClient>, adminToken: string, tenantId: string, receiver: BenchReceiver) {
  const prefix = `e2e-${run}-`;
  const window = 64;
  const { posted, elapsedS } = await sustainedLoad(api, adminToken, tenantId, receiver, { prefix, seconds: D.e2eS, type: 'bench.e2e', window });
  const delivered = receiver.count(prefix);
  const drained = await receiver.waitFor(Array.from({ length: posted }, (_, i) => `${prefix}${i}`), 120_000);
  return { delivered_per_s: round(delivered / elapsedS), outstanding_window: window, posted, delivered_in_window: delivered, all_delivered: drained };
}

/** Open loop at `rate` events/s: from each 202 to the receipt of that event. */
async function latencyAtFixedRate(api: ReturnType<typeof apiClient>, adminToken: string, tenantId: string, receiver: BenchReceiver, rate: number) {
  const prefix = `lat${rate}-${run}-`;
  const acceptedAt = new Map<string, number>();
  const total = D.latencyS * rate;
  const start = now();
  const posts: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - now();
    if (wait > 0) await sleep(wait);
    const id = `${prefix}${i}`;
    posts.push(api.call('POST', '/v1/events', adminToken, { id, tenant_id: tenantId, environment: 'production', type: 'bench.latency', payload: { i } })
      .then((res) => { if (res.status === 202) acceptedAt.set(id, now()); }));
  }
  await Promise.all(posts);
  await receiver.waitFor(acceptedAt.keys(), 60_000);
  const latencies = [...acceptedAt].map(([id, at]) => (receiver.receipts.get(id)?.[0] ?? NaN) - at).filter((v) => !Number.isNaN(v));
  const s = summarize(latencies);
  return { rate_per_s: rate, events: total, p50_ms: round(s.p50), p95_ms: round(s.p95), p99_ms: round(s.p99), max_ms: round(s.max) };
}

async function fanOut(api: ReturnType<typeof apiClient>, adminToken: string, receiver: BenchReceiver) {
  const t = await api.tenant(adminToken, 'bench-fanout');
  for (let i = 0; i < 100; i++) await api.subscribe(t.api_key, { url: `${receiver.url}/fan/${i}`, event_types: ['bench.fanout'] });
  const times: number[] = [];
  for (let r = 0; r < D.fanouts; r++) {
    const id = `fan-${run}-${r}`;
    const res = await api.call('POST', '/v1/events', adminToken, { id, tenant_id: t.id, environment: 'production', type: 'bench.fanout', payload: { r } });
    const acceptedAt = now();
    if (res.status !== 202) throw new Error(`fan-out post: ${res.status}`);
    const deadline = Date.now() + 60_000;
    while ((receiver.receipts.get(id)?.length ?? 0) < 100 && Date.now() < deadline) await sleep(5);
    const receipts = receiver.receipts.get(id) ?? [];
    times.push(Math.max(...receipts) - acceptedAt);
  }
  return { subscriptions: 100, all_received_ms: round(summarize(times).p50), runs: times.map((t) => round(t)) };
}

/** The machine's limit for this work: the same signed POSTs straight from one process with undici. */
async function baseline(receiver: BenchReceiver) {
  const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });
  const secret = generateSecret();
  const deliver = async (id: string) => {
    const body = JSON.stringify({ id, payload: { n: 1 } });
    const ts = Math.floor(Date.now() / 1000);
    const res = await request(`${receiver.url}/baseline`, {
      dispatcher: agent, method: 'POST', body,
      headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signatureHeader([secret], id, ts, body) },
    });
    await res.body.dump();
  };
  const prefix = `base-${run}-`;
  let next = 0;
  const start = now();
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (next < D.baselineN) await deliver(`${prefix}${next++}`);
  }));
  const throughput = D.baselineN / ((now() - start) / 1000);

  const latencies: number[] = [];
  for (let i = 0; i < 200; i++) {
    const id = `${prefix}lat-${i}`;
    const sent = now();
    await deliver(id);
    await receiver.waitFor([id], 5_000);
    latencies.push(receiver.receipts.get(id)![0]! - sent);
    await sleep(5);
  }
  const fanIds = Array.from({ length: 100 }, (_, i) => `${prefix}fan-${i}`);
  const fanStart = now();
  await Promise.all(fanIds.map(deliver));
  await receiver.waitFor(fanIds, 10_000);
  const fan = Math.max(...fanIds.map((id) => receiver.receipts.get(id)![0]!)) - fanStart;
  await agent.close();
  const l = summarize(latencies);
  return { deliveries_per_s: round(throughput), p50_ms: round(l.p50, 2), p95_ms: round(l.p95, 2), p99_ms: round(l.p99, 2), fanout_100_ms: round(fan) };
}

/** Lets the previous phase's workflows finish, so each phase measures only its own work. */
async function settle(address: string) {
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const start = Date.now();
  try {
    for (;;) {
      const { count } = await client.workflow.count('ExecutionStatus="Running"');
      if (count === 0) break;
      if (Date.now() - start > 300_000) throw new Error(`${count} workflows still running after 300 s`);
      await sleep(500);
    }
  } finally {
    await connection.close();
  }
  say(`settled in ${round((Date.now() - start) / 1000)} s`);
}

async function main() {
  const started = new Date();
  say(`${quick ? 'quick' : 'full'} run on ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`);
  const receiver = await startBenchReceiver();
  const stack = await startBenchStack({ env: { WORKER_MAX_CONCURRENT_ACTIVITIES: process.env.WORKER_MAX_CONCURRENT_ACTIVITIES ?? '200' }, log: say });
  const api = apiClient(stack.apiUrl);
  try {
    say('baseline: direct undici deliveries');
    const base = await baseline(receiver);
    const quiet = await api.tenant(stack.adminToken, 'bench-ingest');
    say(`ingest: ${D.ingestS} s, 32 clients`);
    const ing = await ingest(stack.apiUrl, stack.adminToken, quiet.id);
    await settle(stack.temporalAddress());
    const e2eTenant = await api.tenant(stack.adminToken, 'bench-e2e');
    await api.subscribe(e2eTenant.api_key, { url: `${receiver.url}/e2e`, event_types: ['bench.*'] });
    say(`latency: ${D.latencyS} s at 50 events/s`);
    const lat = await latencyAtFixedRate(api, stack.adminToken, e2eTenant.id, receiver, 50);
    await settle(stack.temporalAddress());
    say(`latency: ${D.latencyS} s at 10 events/s (below saturation)`);
    const lat10 = await latencyAtFixedRate(api, stack.adminToken, e2eTenant.id, receiver, 10);
    await settle(stack.temporalAddress());
    say(`end to end: ${D.e2eS} s`);
    const e2e = await endToEnd(api, stack.adminToken, e2eTenant.id, receiver);
    await settle(stack.temporalAddress());
    say('fan-out: one event to 100 subscriptions');
    const fan = await fanOut(api, stack.adminToken, receiver);
    const rss = { worker_mb: peakRssMb(stack.worker()?.pid), api_mb: peakRssMb(stack.api()?.pid) };

    const results = {
      started_at: started.toISOString(),
      mode: quick ? 'quick' : 'full',
      machine: { cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model, memory_gib: Math.round(os.totalmem() / 2 ** 30), node: process.version, temporal: 'dev server (SQLite, WAL, synchronous=OFF)' },
      ingest: { ...ing, ratio_to_baseline: round(ing.events_per_s / base.deliveries_per_s, 3) },
      end_to_end: { ...e2e, ratio_to_baseline: round(e2e.delivered_per_s / base.deliveries_per_s, 3) },
      latency_at_50_per_s: { ...lat, p99_ratio_to_baseline: round(lat.p99_ms / base.p99_ms, 1) },
      latency_at_10_per_s: { ...lat10, p99_ratio_to_baseline: round(lat10.p99_ms / base.p99_ms, 1) },
      fan_out: { ...fan, ratio_to_baseline: round(fan.all_received_ms / base.fanout_100_ms, 1) },
      baseline: base,
      peak_rss: rss,
      targets: {
        ingest_events_per_s: { target: 1000, met: ing.events_per_s >= 1000 },
        end_to_end_events_per_s: { target: 300, met: e2e.delivered_per_s >= 300 },
        latency_p99_ms: { target: 250, met: lat.p99_ms <= 250 },
        fan_out_100_ms: { target: 1000, met: fan.all_received_ms <= 1000 },
        worker_rss_mb: { target: 300, met: (rss.worker_mb ?? Infinity) <= 300 },
      },
    };
    const dir = path.resolve(import.meta.dirname, 'results');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    const row = (name: string, value: string, ratio: string, target: string, met?: boolean) =>
      console.log(`${name.padEnd(34)}${value.padStart(16)}${ratio.padStart(12)}${target.padStart(12)}${met === undefined ? '' : met ? '   met' : '   MISSED'}`);
    console.log();
    row('measure', 'hookrelay', 'vs direct', 'target');
    row('ingest (events/s, 32 clients)', `${ing.events_per_s}`, `${results.ingest.ratio_to_baseline}x`, '>= 1000', results.targets.ingest_events_per_s.met);
    row('  ingest p50 / p99 (ms)', `${ing.p50_ms} / ${ing.p99_ms}`, '', '');
    row('end to end (delivered/s)', `${e2e.delivered_per_s}`, `${results.end_to_end.ratio_to_baseline}x`, '>= 300', results.targets.end_to_end_events_per_s.met);
    row('latency @50/s p50/p95/p99 (ms)', `${lat.p50_ms}/${lat.p95_ms}/${lat.p99_ms}`, `${results.latency_at_50_per_s.p99_ratio_to_baseline}x`, '<= 250', results.targets.latency_p99_ms.met);
    row('  latency @10/s p50/p95/p99 (ms)', `${lat10.p50_ms}/${lat10.p95_ms}/${lat10.p99_ms}`, `${results.latency_at_10_per_s.p99_ratio_to_baseline}x`, '');
    row('fan-out to 100 (ms)', `${fan.all_received_ms}`, `${results.fan_out.ratio_to_baseline}x`, '<= 1000', results.targets.fan_out_100_ms.met);
    row('direct undici (deliveries/s)', `${base.deliveries_per_s}`, '1x', '');
    row('peak RSS worker / API (MB)', `${rss.worker_mb} / ${rss.api_mb}`, '', '<= 300', results.targets.worker_rss_mb.met);
    console.log(`\nwritten ${path.relative(process.cwd(), file)}`);
  } finally {
    await api.close();
    receiver.stop();
    await stack.stop();
  }
}

main().then(() => process.exit(0), (error) => {
  console.error(error);
  process.exit(1);
});
