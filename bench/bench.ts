// `npm run bench [-- --quick]`: hookrelay's speed on this machine beside the ceilings of the same
// run — the HTTP floor (a bare Express app), Temporal's floor (empty workflows), a naive Temporal
// webhook and direct undici deliveries — then isolation between tenants and a large fan-out
// (bench/isolation.ts, bench/fan-out-large.ts), and end to end with tracing on beside off (bench/tracing.ts).
// Writes bench/results/<timestamp>.json.
//
// `--only isolation,fan_out_10k` runs only those phases (names: isolation, fan_out_10k, fan_out_quick, tracing);
// `--fan-out-10k` makes a quick run fan out to 10,000 subscriptions instead of 1,000.
import { execFileSync, fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import pg from 'pg';
import { Agent, request } from 'undici';
import { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { signatureHeader, generateSecret } from '../src/delivery/signature.js';
import { startBenchStack, takePeakRssMb, type BenchStack } from './lib/stack.js';
import { startBenchReceiver, type BenchReceiver } from './lib/receiver.js';
import { apiClient } from './lib/api.js';
import { closedLoopRate, sustainedLoad } from './lib/load.js';
import { latencyMs, round, summarize } from './lib/stats.js';
import { naiveActivities } from './naive/activities.js';
import { settle as settleAll } from './lib/temporal.js';
import { ISOLATION_CASES, isolationPhase, isolationTargets, type PhaseContext } from './isolation.js';
import { fanOutLarge } from './fan-out-large.js';
import { tracingPhase } from './tracing.js';

const quick = process.argv.includes('--quick');
const D = quick
  ? { ingestS: 5, e2eS: 15, floorS: 8, latencyS: 10, fanouts: 1, baselineN: 2000, fifoEvents: 300, rounds: 1 }
  : { ingestS: 15, e2eS: 60, floorS: 20, latencyS: 30, fanouts: 3, baselineN: 10000, fifoEvents: 1000, rounds: 3 };
// `--rounds N` overrides how many rounds of floor, naive and end to end are run (their medians are reported).
if (process.argv.includes('--rounds')) D.rounds = Math.max(1, Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 1);
/** Isolation: how long H (and X) post in each case, and how long H's last events are waited for after that. */
const ISO = quick ? { seconds: 20, waitS: 120 } : { seconds: 60, waitS: 900 };
/** The large fan-out: 10,000 subscriptions in a full run (or with --fan-out-10k), 1,000 in a quick one (`fan_out_quick`). */
const FAN_OUT_10K = { subscriptions: 10_000, stuckAfterS: 60, stallS: 120, deadlineS: 1_200 };
const FAN_OUT_QUICK = { subscriptions: 1_000, stuckAfterS: 20, stallS: 60, deadlineS: 300 };
/** Tracing: each of its five runs (a warm-up, off, on, off, on). */
const TRACING = quick ? { seconds: 15, window: 64 } : { seconds: 60, window: 64 };
const NEW_PHASES = ['isolation', 'fan_out_10k', 'fan_out_quick', 'tracing'] as const;
type NewPhase = (typeof NEW_PHASES)[number];
/** The names a `--flag a,b` option lists, each one of `allowed`; undefined without the flag. */
function listFlag<T extends string>(flag: string, allowed: readonly T[]): T[] | undefined {
  if (!process.argv.includes(flag)) return undefined;
  return (process.argv[process.argv.indexOf(flag) + 1] ?? '').split(',').map((name) => {
    if (!(allowed as readonly string[]).includes(name)) throw new Error(`${flag} takes a comma-separated list of ${allowed.join(', ')}; got ${name}`);
    return name as T;
  });
}
const only = listFlag('--only', NEW_PHASES);
// `--cases black_hole,burst` runs only those of the isolation phase's cases beside X (alone always runs).
const isolationCases = listFlag('--cases', ISOLATION_CASES);
const fanOutPhase: NewPhase = !quick || process.argv.includes('--fan-out-10k') ? 'fan_out_10k' : 'fan_out_quick';
const CONNECTIONS = 32;
const OUTSTANDING = 64;
const BATCH = 100;
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (msg: string) => console.error(`[bench] ${msg}`);
const run = Date.now().toString(36);

type Api = ReturnType<typeof apiClient>;

/** The run whose `value` is the median (the lower middle one of an even count), with all its fields. */
function medianRun<T>(runs: T[], value: (run: T) => number): T {
  return [...runs].sort((a, b) => value(a) - value(b))[Math.floor((runs.length - 1) / 2)]!;
}

/**
 * autocannon with the ingest settings: `body(n)` makes the n-th request's body. A 2 s warm-up first (JIT,
 * the pool's connections), not counted: the first seconds of a fresh process ran at a third of the rate.
 */
async function hammer(url: string, token: string, body: (n: number) => string) {
  let n = 0;
  const shoot = (duration: number) =>
    autocannon({
      url,
      connections: CONNECTIONS,
      duration,
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      requests: [{ setupRequest: (req) => ({ ...req, body: body(n++) }) }],
    });
  await shoot(2);
  const result = await shoot(D.ingestS);
  return {
    requests_per_s: round(result.requests.average),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    non_2xx: result.non2xx,
    errors: result.errors,
  };
}

const eventBody = (prefix: string, tenantId: string) => (n: number) =>
  JSON.stringify({
    id: `${prefix}${n}`,
    tenant_id: tenantId,
    environment: 'production',
    type: 'bench.ingest',
    payload: { n, data: { user: `u-${n}`, amount: 4711 } },
  });

const batchBody = (prefix: string, tenantId: string) => (n: number) =>
  JSON.stringify({
    events: Array.from({ length: BATCH }, (_, i) => ({
      id: `${prefix}${n}-${i}`,
      tenant_id: tenantId,
      environment: 'production',
      type: 'bench.ingest',
      payload: { n, i, data: { user: `u-${i}` } },
    })),
  });

/** A bare Express app parsing the same bodies and answering 202: the machine's HTTP ceiling for ingest. */
async function httpFloor(tenantId: string) {
  const child = fork(fileURLToPath(new URL('./lib/http-floor-app.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'] });
  try {
    const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
    const r = await hammer(`http://127.0.0.1:${port}/v1/events`, 'x', eventBody(`floor-${run}-`, tenantId));
    return { requests_per_s: r.requests_per_s, p50_ms: r.p50_ms, p99_ms: r.p99_ms };
  } finally {
    child.kill();
  }
}

/**
 * Accept alone, with every worker (so every relay) stopped: what a producer sees, not what Temporal
 * drains. The backlog it builds is deleted before the next phase, so it distorts nothing after it.
 */
async function ingest(stack: BenchStack, tenantId: string) {
  await stack.killWorker('SIGTERM');
  const single = await hammer(`${stack.apiUrl}/v1/events`, stack.adminToken, eventBody(`ing-${run}-`, tenantId));
  const batch = await hammer(`${stack.apiUrl}/v1/events/batch`, stack.adminToken, batchBody(`bat-${run}-`, tenantId));
  const db = new pg.Client({ connectionString: stack.env.DATABASE_URL });
  await db.connect();
  // autocannon stops at its deadline with requests still in the API: let them land first, or the events
  // they insert after the DELETE would be started as a burst in the middle of the next phase.
  for (let last = -1; ;) {
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
    if (rows[0]!.n === last) break;
    last = rows[0]!.n;
    await sleep(1_000);
  }
  const { rowCount } = await db.query('DELETE FROM events WHERE started_at IS NULL');
  // Now, not by autovacuum in the middle of the next phase.
  await db.query('VACUUM ANALYZE events');
  await db.end();
  say(`ingest backlog of ${rowCount} events removed (and vacuumed)`);
  await stack.startWorker();
  return {
    ingest: {
      events_per_s: single.requests_per_s,
      p50_ms: single.p50_ms,
      p99_ms: single.p99_ms,
      non_2xx: single.non_2xx,
      errors: single.errors,
      connections: CONNECTIONS,
    },
    ingest_batch: {
      events_per_s: round(batch.requests_per_s * BATCH),
      requests_per_s: batch.requests_per_s,
      events_per_request: BATCH,
      p50_ms: batch.p50_ms,
      p99_ms: batch.p99_ms,
      non_2xx: batch.non_2xx,
    },
  };
}

/** Keeps OUTSTANDING calls of `op` in flight for `seconds`; completions per second. */
const closedLoop = (seconds: number, op: (n: number) => Promise<unknown>) => closedLoopRate(seconds, OUTSTANDING, op);

/** Temporal's own ceiling on this server: empty one-task workflows run to completion, OUTSTANDING at once. */
async function temporalFloor(address: string, roundNo: number) {
  const connection = await NativeConnection.connect({ address });
  const taskQueue = `floor-${run}-${roundNo}`;
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowsPath: fileURLToPath(new URL('./floor/workflows.ts', import.meta.url)),
    maxConcurrentWorkflowTaskPolls: 40,
    nonStickyToStickyPollRatio: 0.75,
  });
  const running = worker.run();
  const client = new Client({ connection });
  try {
    const plain = await closedLoop(D.floorS, (n) => client.workflow.execute('noop', { taskQueue, workflowId: `floor-${run}-${roundNo}-${n}` }));
    const eager = await closedLoop(D.floorS, async (n) => {
      const handle = await client.workflow.start('noop', { taskQueue, workflowId: `floor-eager-${run}-${roundNo}-${n}`, requestEagerStart: true });
      await handle.result();
    });
    return { workflows_per_s: round(plain), eager_workflows_per_s: round(eager), outstanding: OUTSTANDING };
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
  }
}

/** A naive Temporal webhook: a workflow per event, one regular activity POSTing the payload with undici. */
async function naiveTemporal(address: string, receiver: BenchReceiver, roundNo: number) {
  const connection = await NativeConnection.connect({ address });
  const taskQueue = `naive-${run}-${roundNo}`;
  const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowsPath: fileURLToPath(new URL('./naive/workflows.ts', import.meta.url)),
    activities: naiveActivities(agent),
    maxConcurrentActivityTaskExecutions: 200,
    maxConcurrentWorkflowTaskPolls: 40,
    nonStickyToStickyPollRatio: 0.75,
  });
  const running = worker.run();
  const client = new Client({ connection });
  const prefix = `naive-${run}-${roundNo}-`;
  try {
    const rate = await closedLoop(D.floorS, (n) =>
      client.workflow.execute('naiveWebhook', {
        taskQueue,
        workflowId: `${prefix}${n}`,
        args: [{ id: `${prefix}${n}`, url: `${receiver.url}/naive`, payload: { n, data: { user: `u-${n}` } } }],
      }),
    );
    return { delivered_per_s: round(rate), outstanding: OUTSTANDING, received: receiver.count(prefix) };
  } finally {
    worker.shutdown();
    await running;
    await agent.close();
    await connection.close();
  }
}

/** Sustained end to end, OUTSTANDING events accepted and not yet received (see sustainedLoad). */
async function endToEnd(api: Api, adminToken: string, tenantId: string, receiver: BenchReceiver, type = 'bench.e2e', tag = 'e2e') {
  const prefix = `${tag}-${run}-`;
  const { posted, elapsedS } = await sustainedLoad(api, adminToken, tenantId, receiver, { prefix, seconds: D.e2eS, type, window: OUTSTANDING });
  const delivered = receiver.count(prefix);
  const drained = await receiver.waitFor(
    Array.from({ length: posted }, (_, i) => `${prefix}${i}`),
    120_000,
  );
  return {
    delivered_per_s: round(delivered / elapsedS),
    outstanding: OUTSTANDING,
    seconds: D.e2eS,
    posted,
    delivered_in_window: delivered,
    all_delivered: drained,
  };
}

/** Open loop at `rate` events/s: from each 202 to its receipt, and from each 202 to its workflow's start. */
async function latencyAtRate(api: Api, stack: BenchStack, tenantId: string, receiver: BenchReceiver, rate: number) {
  const prefix = `lat-${run}-`;
  const acceptedAt = new Map<string, number>();
  const total = Math.max(20, Math.round(D.latencyS * rate));
  const start = now();
  const posts: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - now();
    if (wait > 0) await sleep(wait);
    const id = `${prefix}${i}`;
    posts.push(
      api.postEvent(stack.adminToken, { id, tenant_id: tenantId, environment: 'production', type: 'bench.latency', payload: { i } }).then((res) => {
        if (res.status === 202) acceptedAt.set(id, now());
      }),
    );
  }
  await Promise.all(posts);
  await receiver.waitFor(acceptedAt.keys(), 60_000);
  const latencies = [...acceptedAt].map(([id, at]) => (receiver.receipts.get(id)?.[0] ?? NaN) - at).filter((v) => !Number.isNaN(v));
  const db = new pg.Client({ connectionString: stack.env.DATABASE_URL });
  await db.connect();
  const { rows } = await db.query<{ id: string; started_ms: number }>(
    'SELECT id, extract(epoch FROM started_at) * 1000 AS started_ms FROM events WHERE tenant_id = $1 AND id LIKE $2',
    [tenantId, `${prefix}%`],
  );
  await db.end();
  const lags = rows.map((r) => Number(r.started_ms) - (acceptedAt.get(r.id) ?? NaN)).filter((v) => !Number.isNaN(v));
  const lag = summarize(lags);
  return {
    rate_per_s: round(rate),
    events: total,
    ...latencyMs(latencies),
    start_lag_p50_ms: round(lag.p50),
    start_lag_p99_ms: round(lag.p99),
  };
}

async function fanOut(api: Api, adminToken: string, receiver: BenchReceiver) {
  const t = await api.tenant(adminToken, 'bench-fanout');
  for (let i = 0; i < 100; i++) await api.subscribe(t.api_key, { url: `${receiver.url}/fan/${i}`, event_types: ['bench.fanout'] });
  const times: number[] = [];
  for (let r = 0; r < D.fanouts; r++) {
    const id = `fan-${run}-${r}`;
    const res = await api.postEvent(adminToken, {
      id,
      tenant_id: t.id,
      environment: 'production',
      type: 'bench.fanout',
      payload: { r },
    });
    const acceptedAt = now();
    if (res.status !== 202) throw new Error(`fan-out post: ${res.status}`);
    const deadline = Date.now() + 60_000;
    while ((receiver.receipts.get(id)?.length ?? 0) < 100 && Date.now() < deadline) await sleep(5);
    const receipts = receiver.receipts.get(id) ?? [];
    times.push(Math.max(...receipts) - acceptedAt);
  }
  return { subscriptions: 100, all_received_ms: round(summarize(times).p50), runs: times.map((t) => round(t)) };
}

/** End to end as above, to a subscription with a generous rate limit: the cost of taking a slot per attempt. */
async function rateLimited(api: Api, adminToken: string, receiver: BenchReceiver) {
  const t = await api.tenant(adminToken, 'bench-rate-limited');
  await api.subscribe(t.api_key, { url: `${receiver.url}/rl`, event_types: ['bench.*'], rate_limit: { requests: 100000, per: '1s' } });
  return { rate_limit: { requests: 100000, per: '1s' }, ...(await endToEnd(api, adminToken, t.id, receiver, 'bench.rl', 'rl')) };
}

/** One FIFO lane to one fast receiver: events posted in batches up front, deliveries/s from the first receipt to the last. */
async function fifoLane(api: Api, adminToken: string, receiver: BenchReceiver) {
  const t = await api.tenant(adminToken, 'bench-fifo');
  await api.subscribe(t.api_key, { url: `${receiver.url}/fifo`, event_types: ['bench.*'], ordering: 'fifo' });
  const prefix = `fifo-${run}-`;
  const ids = Array.from({ length: D.fifoEvents }, (_, i) => `${prefix}${i}`);
  for (let i = 0; i < ids.length; i += BATCH) {
    const res = await api.postBatch(adminToken, {
      events: ids.slice(i, i + BATCH).map((id, j) => ({ id, tenant_id: t.id, environment: 'production', type: 'bench.fifo', payload: { n: i + j } })),
    });
    if (res.status !== 202) throw new Error(`fifo batch post: ${res.status}`);
  }
  const all = await receiver.waitFor(ids, 600_000);
  const times = ids.map((id) => receiver.receipts.get(id)?.[0] ?? NaN).filter((v) => !Number.isNaN(v));
  const inOrder = times.every((time, i) => i === 0 || time >= times[i - 1]!);
  const spanS = (Math.max(...times) - Math.min(...times)) / 1000;
  return {
    events: ids.length,
    delivered_per_s: round((times.length - 1) / spanS),
    seconds: round(spanS),
    all_delivered: all,
    in_acceptance_order: inOrder,
  };
}

/** The same signed POSTs straight from one process with undici: the machine's delivery ceiling. */
async function baseline(receiver: BenchReceiver) {
  const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });
  const secret = generateSecret();
  const deliver = async (id: string) => {
    const body = JSON.stringify({ id, payload: { n: 1 } });
    const ts = Math.floor(Date.now() / 1000);
    const res = await request(`${receiver.url}/baseline`, {
      dispatcher: agent,
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(ts),
        'webhook-signature': signatureHeader([secret], id, ts, body),
      },
    });
    await res.body.dump();
  };
  const prefix = `base-${run}-`;
  let next = 0;
  const start = now();
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < D.baselineN) await deliver(`${prefix}${next++}`);
    }),
  );
  const throughput = D.baselineN / ((now() - start) / 1000);
  await agent.close();
  return { deliveries_per_s: round(throughput) };
}

/** The commit measured, and how many files under src/ and migrations/ differed from it (others may be editing the tree). */
function source() {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return {
      commit: git('rev-parse', 'HEAD'),
      uncommitted_files: git('status', '--porcelain', '--', 'src', 'migrations').split('\n').filter(Boolean).length,
    };
  } catch {
    return undefined;
  }
}

/** Lets the previous phase's workflows finish, so each phase measures only its own work. */
const settle = (address: string) => settleAll(address);

/** The isolation phase and the large fan-out, as `which` names them; the JSON fields and targets they add. */
async function newPhases(ctx: PhaseContext, which: NewPhase[], phaseDone: (name: string) => void) {
  const fields: Record<string, unknown> = {};
  const targets: Record<string, { target: string; met: boolean; value?: number; ratio?: number }> = {};
  const rows: Array<[string, string, string?, boolean?]> = [];
  const failed: string[] = [];
  // A phase that fails is reported as its error: the phases before and after it still count.
  const attempt = async <T>(name: string, phase: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await phase();
    } catch (error) {
      ctx.say(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      fields[name] = { error: error instanceof Error ? error.message : String(error) };
      failed.push(name);
      rows.push([name, 'FAILED (see error in the JSON)']);
      return undefined;
    } finally {
      phaseDone(name);
    }
  };
  const iso = which.includes('isolation')
    ? await attempt('isolation', () => {
        ctx.say(`isolation: four cases of ${ISO.seconds} s (H at 10/s alone, beside a black hole, a slow receiver, a 20,000-event burst)`);
        return isolationPhase(ctx, { ...ISO, ...(isolationCases ? { cases: isolationCases } : {}) });
      })
    : undefined;
  if (iso) {
    fields.isolation = iso;
    const t = isolationTargets(iso);
    Object.assign(targets, t);
    const lb = (name: string) => (iso.lower_bounds.includes(name) ? '>= ' : '');
    rows.push(['isolation: H p99 alone ms', `${lb('alone')}${iso.alone_p99_ms}`]);
    for (const [name, label, key] of [
      ['black_hole', '  beside a black hole ms (x alone)', 'isolation_black_hole'],
      ['slow', '  beside a slow receiver ms (x alone)', 'isolation_slow'],
      ['burst', '  beside a 20,000 burst ms (x alone)', 'isolation_burst'],
    ] as const) {
      const met = t[key]?.met;
      if (met === undefined) continue; // a case left out by --cases
      rows.push([label, `${lb(name)}${iso[`${name}_p99_ms`]} (${iso[`${name}_ratio`]}x)`, '<= 500', met]);
    }
  }
  for (const name of ['fan_out_10k', 'fan_out_quick'] as const) {
    if (!which.includes(name)) continue;
    const options = name === 'fan_out_10k' ? FAN_OUT_10K : FAN_OUT_QUICK;
    ctx.say(`fan-out: one event to ${options.subscriptions} subscriptions`);
    const fan = await attempt(name, () => fanOutLarge(ctx, options));
    if (!fan) continue;
    fields[name] = fan;
    rows.push([
      `fan-out to ${options.subscriptions} ms`,
      `${fan.all_received_ms ?? `${fan.received} received`}${fan.completed ? '' : ` (${fan.workflow_status})`}, ${fan.stuck} stuck`,
    ]);
  }
  if (which.includes('tracing')) {
    const traced = await attempt('tracing', () => tracingPhase(ctx, TRACING));
    if (traced) {
      fields.tracing = traced;
      rows.push(['tracing off: events/s end to end', `${traced.off_events_per_s}`]);
      rows.push(['tracing on (always_on): events/s', `${traced.on_events_per_s} (${traced.on_to_off_ratio}x off)`]);
    }
  }
  return { fields, targets, rows, failed };
}

async function main() {
  const started = new Date();
  const engine = process.argv.includes('--engine') ? (process.argv[process.argv.indexOf('--engine') + 1] ?? 'dev-server') : 'dev-server';
  if (engine !== 'dev-server' && engine !== 'cluster') throw new Error(`--engine dev-server|cluster, got ${engine}`);
  say(
    `${quick ? 'quick' : 'full'} run on ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, engine ${engine}${only ? `, only ${only.join(', ')}` : ''}`,
  );
  // What the stack is built from (it builds dist/ from the working tree as it starts).
  const built = source();
  const receiver = await startBenchReceiver();
  // Accept is measured with the relays stopped, so the backlog grows by design: no limit on it here (a run of
  // --only measures no ingest, so its stack keeps every default).
  const stack = await startBenchStack({
    log: say,
    engine: engine === 'cluster' ? 'cluster' : 'dev',
    env: only ? {} : { INGEST_BACKLOG_LIMIT: '100000000' },
  });
  const api = apiClient(stack.apiUrl);
  // Each phase's own peak RSS (worker and API), so the phase that sets the overall peak is known.
  const rssByPhase: Record<string, { worker_mb: number | undefined; api_mb: number | undefined }> = {};
  const phaseDone = (name: string) => {
    rssByPhase[name] = { worker_mb: takePeakRssMb(stack.worker()?.pid), api_mb: takePeakRssMb(stack.api()?.pid) };
  };
  // The isolation and fan-out phases keep their peaks apart (peak_rss is the earlier phases', as before them).
  const newRssByPhase: typeof rssByPhase = {};
  const newPhaseDone = (name: string) => {
    newRssByPhase[name] = { worker_mb: takePeakRssMb(stack.worker()?.pid), api_mb: takePeakRssMb(stack.api()?.pid) };
  };
  const ctx: PhaseContext = { api, stack, run, say };
  const machine = { cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model, memory_gib: Math.round(os.totalmem() / 2 ** 30), node: process.version };
  const write = (results: Record<string, unknown>) => {
    const dir = path.resolve(import.meta.dirname, 'results');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    return file;
  };
  const row = (name: string, value: string, target = '', met?: boolean) =>
    console.log(`${name.padEnd(40)}${value.padStart(22)}${target.padStart(10)}${met === undefined ? '' : met ? '   met' : '   MISSED'}`);
  try {
    if (only) {
      const extra = await newPhases(ctx, only, newPhaseDone);
      const file = write({
        started_at: started.toISOString(),
        mode: quick ? 'quick' : 'full',
        engine,
        only,
        machine,
        source: built,
        ...extra.fields,
        peak_rss: { by_phase: newRssByPhase },
        targets: extra.targets,
      });
      console.log();
      row('measure', `hookrelay (${engine})`, 'target');
      for (const r of extra.rows) row(...r);
      console.log(`\nwritten ${path.relative(process.cwd(), file)}`);
      if (extra.failed.length) throw new Error(`phases failed: ${extra.failed.join(', ')}`);
      return;
    }
    say('direct undici deliveries');
    const base = await baseline(receiver);
    const quiet = await api.tenant(stack.adminToken, 'bench-ingest');
    say(`HTTP floor: bare Express, ${D.ingestS} s, ${CONNECTIONS} connections`);
    const floorHttp = await httpFloor(quiet.id);
    say(`ingest: ${D.ingestS} s single events, then ${D.ingestS} s batches of ${BATCH}, relays stopped`);
    const ing = await ingest(stack, quiet.id);
    phaseDone('ingest');
    const e2eTenant = await api.tenant(stack.adminToken, 'bench-e2e');
    await api.subscribe(e2eTenant.api_key, { url: `${receiver.url}/e2e`, event_types: ['bench.*'] });
    // The three measures the end-to-end targets compare, in rounds one after the other: on a shared machine
    // one run of each differs from the next by 15 % or more, so each headline figure is its rounds' median.
    const floorRuns: Awaited<ReturnType<typeof temporalFloor>>[] = [];
    const naiveRuns: Awaited<ReturnType<typeof naiveTemporal>>[] = [];
    const e2eRuns: Awaited<ReturnType<typeof endToEnd>>[] = [];
    for (let roundNo = 0; roundNo < D.rounds; roundNo++) {
      const of = D.rounds > 1 ? ` (round ${roundNo + 1} of ${D.rounds})` : '';
      say(`Temporal floor: ${D.floorS} s of empty workflows, ${OUTSTANDING} outstanding (then eager)${of}`);
      floorRuns.push(await temporalFloor(stack.temporalAddress(), roundNo));
      await settle(stack.temporalAddress());
      say(`naive Temporal webhook: ${D.floorS} s, ${OUTSTANDING} outstanding${of}`);
      naiveRuns.push(await naiveTemporal(stack.temporalAddress(), receiver, roundNo));
      await settle(stack.temporalAddress());
      phaseDone(`temporal_floor_and_naive_${roundNo + 1}`);
      say(`end to end: ${D.e2eS} s, ${OUTSTANDING} outstanding${of}`);
      e2eRuns.push(await endToEnd(api, stack.adminToken, e2eTenant.id, receiver, 'bench.e2e', `e2e${roundNo}`));
      await settle(stack.temporalAddress());
      phaseDone(`end_to_end_${roundNo + 1}`);
    }
    const floor = { ...medianRun(floorRuns, (r) => r.workflows_per_s), runs: floorRuns.map((r) => r.workflows_per_s) };
    const naive = { ...medianRun(naiveRuns, (r) => r.delivered_per_s), runs: naiveRuns.map((r) => r.delivered_per_s) };
    const e2e = { ...medianRun(e2eRuns, (r) => r.delivered_per_s), runs: e2eRuns.map((r) => r.delivered_per_s) };
    const half = Math.max(1, e2e.delivered_per_s / 2);
    say(`latency: ${D.latencyS} s at ${round(half)} events/s (half the end-to-end rate)`);
    const lat = await latencyAtRate(api, stack, e2eTenant.id, receiver, half);
    await settle(stack.temporalAddress());
    phaseDone('latency_half_capacity');
    say('fan-out: one event to 100 subscriptions');
    const fan = await fanOut(api, stack.adminToken, receiver);
    await settle(stack.temporalAddress());
    phaseDone('fan_out');
    say(`rate-limited end to end: ${D.e2eS} s, ${OUTSTANDING} outstanding, rate_limit 100000/1s`);
    const rl = await rateLimited(api, stack.adminToken, receiver);
    await settle(stack.temporalAddress());
    phaseDone('rate_limited');
    say(`FIFO: ${D.fifoEvents} events through one lane`);
    const fifo = await fifoLane(api, stack.adminToken, receiver);
    phaseDone('fifo');
    // An idle FIFO lane ends on its own a minute later: nothing else may run into the next phases.
    await settleAll(stack.temporalAddress(), { query: 'WorkflowType!="laneWorkflow"' });
    const extra = await newPhases(ctx, ['isolation', fanOutPhase, 'tracing'], newPhaseDone);
    const peakOf = (key: 'worker_mb' | 'api_mb') => {
      const values = Object.values(rssByPhase)
        .map((p) => p[key])
        .filter((v): v is number => v !== undefined);
      return values.length ? Math.max(...values) : undefined;
    };
    const rss = { worker_mb: peakOf('worker_mb'), api_mb: peakOf('api_mb'), by_phase: rssByPhase };

    const targets = {
      ingest_events_per_s: { target: '>= 2000', met: ing.ingest.events_per_s >= 2000 },
      ingest_p99_ms: { target: '<= 50', met: ing.ingest.p99_ms <= 50 },
      ingest_vs_http_floor: {
        target: '>= 0.3',
        value: round(ing.ingest.events_per_s / floorHttp.requests_per_s, 3),
        met: ing.ingest.events_per_s >= 0.3 * floorHttp.requests_per_s,
      },
      ingest_batch_events_per_s: { target: '>= 10000', met: ing.ingest_batch.events_per_s >= 10_000 },
      end_to_end_vs_temporal_floor: {
        target: '>= 0.9',
        value: round(e2e.delivered_per_s / floor.workflows_per_s, 2),
        met: e2e.delivered_per_s >= 0.9 * floor.workflows_per_s,
      },
      end_to_end_vs_naive: {
        target: '>= 1.5',
        value: round(e2e.delivered_per_s / naive.delivered_per_s, 2),
        met: e2e.delivered_per_s >= 1.5 * naive.delivered_per_s,
      },
      latency_half_capacity_p99_ms: { target: '<= 100', met: lat.p99_ms <= 100 },
      worker_rss_mb: { target: '<= 300', met: (rss.worker_mb ?? Infinity) <= 300 },
      ...extra.targets,
    };
    const results = {
      started_at: started.toISOString(),
      mode: quick ? 'quick' : 'full',
      engine,
      machine,
      source: built,
      ...ing,
      http_floor: floorHttp,
      end_to_end: e2e,
      temporal_floor: floor,
      naive_temporal: naive,
      latency_half_capacity: lat,
      fan_out: fan,
      rate_limited: rl,
      fifo,
      baseline: base,
      peak_rss: rss,
      ...extra.fields,
      peak_rss_new_phases: newRssByPhase,
      targets,
    };
    const file = write(results);
    console.log();
    row('measure', `hookrelay (${engine})`, 'target');
    row('ingest events/s (32 conns)', `${ing.ingest.events_per_s}`, '>= 2000', targets.ingest_events_per_s.met);
    row('  p50 / p99 ms', `${ing.ingest.p50_ms} / ${ing.ingest.p99_ms}`, '<= 50', targets.ingest_p99_ms.met);
    row('  vs HTTP floor', `${targets.ingest_vs_http_floor.value}x of ${floorHttp.requests_per_s}/s`, '>= 0.3', targets.ingest_vs_http_floor.met);
    row(`batch ingest events/s (${BATCH}/request)`, `${ing.ingest_batch.events_per_s}`, '>= 10000', targets.ingest_batch_events_per_s.met);
    const runs = (list: number[]) => (list.length > 1 ? ` [${list.join(', ')}]` : '');
    row('end to end delivered/s (64 outstanding)', `${e2e.delivered_per_s}${runs(e2e.runs)}`);
    row('  Temporal floor workflows/s (eager)', `${floor.workflows_per_s} (${floor.eager_workflows_per_s})${runs(floor.runs)}`);
    row('  vs Temporal floor', `${targets.end_to_end_vs_temporal_floor.value}x`, '>= 0.9', targets.end_to_end_vs_temporal_floor.met);
    row('  naive Temporal webhook delivered/s', `${naive.delivered_per_s}${runs(naive.runs)}`);
    row('  vs naive', `${targets.end_to_end_vs_naive.value}x`, '>= 1.5', targets.end_to_end_vs_naive.met);
    row(`latency @${lat.rate_per_s}/s p50 / p99 ms`, `${lat.p50_ms} / ${lat.p99_ms}`, '<= 100', targets.latency_half_capacity_p99_ms.met);
    row('  start lag p50 / p99 ms', `${lat.start_lag_p50_ms} / ${lat.start_lag_p99_ms}`);
    row('fan-out to 100 ms', `${fan.all_received_ms}`);
    row('rate-limited end to end delivered/s', `${rl.delivered_per_s}`);
    row('one FIFO lane delivered/s', `${fifo.delivered_per_s}${fifo.in_acceptance_order ? '' : ' (OUT OF ORDER)'}`);
    row('direct undici deliveries/s', `${base.deliveries_per_s}`);
    row('peak RSS worker / API MB', `${rss.worker_mb} / ${rss.api_mb}`, '<= 300', targets.worker_rss_mb.met);
    for (const r of extra.rows) row(...r);
    console.log(`\nwritten ${path.relative(process.cwd(), file)}`);
    if (extra.failed.length) throw new Error(`phases failed: ${extra.failed.join(', ')}`);
  } finally {
    await api.close();
    receiver.stop();
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
