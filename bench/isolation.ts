// The bench's isolation phase (issue "Isolation and limits"; docs/isolation.md): how much one tenant's
// trouble delays another. Tenant H posts 10 events/s to a healthy receiver of its own; its 202 → receipt
// p99 is measured alone, then while tenant X posts 40 events/s to a receiver that never answers, 40/s to
// one that answers after 5 s, and a 20,000-event burst through the batch endpoint. The stack runs with
// its default isolation settings. Each case ends by deleting X's subscription and X's events not yet
// started (the relay keeps a backlogged tenant's events unstarted, and with no subscription they would
// deliver nothing), then waits until no workflow runs, so the next case starts clean.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { BenchStack } from './lib/stack.js';
import { startBenchReceiver, type BenchReceiver } from './lib/receiver.js';
import { startBlackHole, type BlackHole } from './lib/black-hole.js';
import type { apiClient } from './lib/api.js';
import { scrapeMetric } from './lib/metrics.js';
import { latencyMs, round, summarize } from './lib/stats.js';
import { settle } from './lib/temporal.js';
import { cpuWindow } from './lib/cpu.js';
import { startQueueSampler } from './lib/sampler.js';

type Api = ReturnType<typeof apiClient>;

export interface PhaseContext {
  api: Api;
  stack: BenchStack;
  /** This bench run's id, in every event id. */
  run: string;
  say(msg: string): void;
}

export interface IsolationOptions {
  /** How long H posts in each case (and X with it). */
  seconds: number;
  /** How long to wait for H's last events after the case's posting ends; what is still missing then counts as waited this long. */
  waitS: number;
  /** The cases beside X to run (all when absent): for trying a change on one case; the JSON then lacks the others. */
  cases?: readonly IsolationCase[];
}

export const ISOLATION_CASES = ['black_hole', 'slow', 'burst'] as const;
export type IsolationCase = (typeof ISOLATION_CASES)[number];

const H_RATE = 10;
const X_RATE = 40;
const BURST_EVENTS = 20_000;
/** The batch endpoint's limit (src/api/schemas/event.ts, BATCH_LIMIT). */
const BURST_BATCH = 500;
const BURST_CONNECTIONS = 4;
const SLOW_MS = 5_000;
/** The issue's targets: H's p99 at most this, and at most this many times its p99 alone. */
const TARGET_P99_MS = 500;
const TARGET_RATIO = 3;
const TYPE = 'bench.isolation';

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Tenant {
  id: string;
  apiKey: string;
  subscriptionId: string;
}

async function tenantWithSubscription(ctx: PhaseContext, name: string, url: string): Promise<Tenant> {
  const t = await ctx.api.tenant(ctx.stack.adminToken, name);
  // Defaults everywhere (max_in_flight 50, timeout_ms 10 s, the default retry policy): what a tenant gets.
  const sub = await ctx.api.subscribe(t.api_key, { url, event_types: [TYPE] });
  return { id: t.id, apiKey: t.api_key, subscriptionId: sub.id };
}

/** Open loop: event i is posted at start + i / rate whatever happened to the ones before; the time each 202 came. */
async function postAtRate(ctx: PhaseContext, tenantId: string, ids: string[], ratePerS: number) {
  const acceptedAt = new Map<string, number>();
  const refused: string[] = [];
  const posts: Promise<void>[] = [];
  const start = now();
  for (let i = 0; i < ids.length; i++) {
    const wait = start + (i * 1000) / ratePerS - now();
    if (wait > 0) await sleep(wait);
    const id = ids[i]!;
    posts.push(
      ctx.api.postEvent(ctx.stack.adminToken, { id, tenant_id: tenantId, environment: 'production', type: TYPE, payload: { i } }).then(
        (res) => {
          if (res.status === 202) acceptedAt.set(id, now());
          else refused.push(`${id}: ${res.status}`);
        },
        (error) => {
          refused.push(`${id}: ${error}`);
        },
      ),
    );
  }
  await Promise.all(posts);
  return { acceptedAt, refused };
}

/** 20,000 events at once through POST /v1/events/batch, a few batches in flight at a time. */
async function postBurst(ctx: PhaseContext, tenantId: string, prefix: string) {
  const start = now();
  let next = 0;
  let refused = 0;
  const batches = Math.ceil(BURST_EVENTS / BURST_BATCH);
  await Promise.all(
    Array.from({ length: BURST_CONNECTIONS }, async () => {
      while (next < batches) {
        const b = next++;
        const events = Array.from({ length: Math.min(BURST_BATCH, BURST_EVENTS - b * BURST_BATCH) }, (_, j) => ({
          id: `${prefix}${b * BURST_BATCH + j}`,
          tenant_id: tenantId,
          environment: 'production' as const,
          type: TYPE,
          payload: { n: b * BURST_BATCH + j },
        }));
        const res = await ctx.api.postBatch(ctx.stack.adminToken, { events });
        if (res.status !== 202) refused += events.length;
      }
    }),
  );
  return { events: BURST_EVENTS, batch_size: BURST_BATCH, posted_in_s: round((now() - start) / 1000, 2), not_accepted: refused };
}

async function withDb<T>(stack: BenchStack, fn: (db: pg.Client) => Promise<T>): Promise<T> {
  const db = new pg.Client({ connectionString: stack.env.DATABASE_URL });
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}

/** Deliveries of a tenant's events whose id starts with `prefix`, by status. */
async function deliveryCounts(stack: BenchStack, tenantId: string, prefix: string): Promise<Record<string, number>> {
  return withDb(stack, async (db) => {
    const { rows } = await db.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM deliveries WHERE tenant_id = $1 AND event_id LIKE $2 GROUP BY status ORDER BY status',
      [tenantId, `${prefix}%`],
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  });
}

/** Bulkhead slots held now (an attempt in flight, or a lease not yet run out). */
export async function slotsHeld(stack: BenchStack): Promise<number> {
  return withDb(stack, async (db) => {
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM flow_slots WHERE holder IS NOT NULL AND expires_at > now()');
    return rows[0]!.n;
  });
}

async function notAdmitted(stack: BenchStack): Promise<Record<string, number>> {
  const samples = await scrapeMetric(stack.env.WORKER_METRICS_PORT!, 'hookrelay_attempts_not_admitted_total');
  return Object.fromEntries([...(samples ?? [])].map(([labels, v]) => [/reason="([^"]*)"/.exec(labels)?.[1] ?? labels, v]));
}

const minus = (after: Record<string, number>, before: Record<string, number>) =>
  Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]));

/**
 * H's latencies: each accepted event's first receipt minus its 202. An event still missing when the wait
 * ended counts as the time it had waited by then, so the percentiles are then lower bounds (`lower_bound`).
 */
async function hLatencies(
  stack: BenchStack,
  h: Tenant,
  receiver: BenchReceiver,
  acceptedAt: Map<string, number>,
  waitedUntil: number,
  prefix: string,
) {
  const latencies: number[] = [];
  let received = 0;
  const firstAccepted = Math.min(...acceptedAt.values());
  const slowest: Array<{ at_s: number; ms: number }> = [];
  for (const [id, at] of acceptedAt) {
    const receipt = receiver.receipts.get(id)?.[0];
    if (receipt !== undefined) received++;
    latencies.push((receipt ?? waitedUntil) - at);
    slowest.push({ at_s: round((at - firstAccepted) / 1000, 1), ms: round((receipt ?? waitedUntil) - at) });
  }
  // When in the case the slowest ones were accepted: a spell at the start (X's first attempts) or all along.
  slowest.sort((a, b) => b.ms - a.ms).splice(5);
  // Where the time went, from PostgreSQL: the workflow's start (the relay), the delivery's row (the first
  // workflow task's local activity), the first attempt's start (past the gate, sending).
  const steps = await withDb(stack, async (db) => {
    const { rows } = await db.query<{ id: string; started_ms: number | null; planned_ms: number | null; attempt_ms: number | null }>(
      `SELECT e.id, extract(epoch FROM e.started_at) * 1000 AS started_ms, extract(epoch FROM d.created_at) * 1000 AS planned_ms,
              extract(epoch FROM a.started_at) * 1000 AS attempt_ms
       FROM events e
       LEFT JOIN deliveries d ON d.tenant_id = e.tenant_id AND d.event_id = e.id
       LEFT JOIN attempts a ON a.delivery_id = d.id AND a.number = 1
       WHERE e.tenant_id = $1 AND e.id LIKE $2`,
      [h.id, `${prefix}%`],
    );
    return rows;
  });
  const since = (key: 'started_ms' | 'planned_ms' | 'attempt_ms') =>
    summarize(steps.map((r) => (r[key] === null ? NaN : Number(r[key]) - (acceptedAt.get(r.id) ?? NaN))).filter((v) => !Number.isNaN(v)));
  const lag = since('started_ms');
  const planned = since('planned_ms');
  const attempt = since('attempt_ms');
  return {
    accepted: acceptedAt.size,
    received,
    ...(received < acceptedAt.size ? { lower_bound: true } : {}),
    ...latencyMs(latencies),
    slowest,
    start_lag_p50_ms: round(lag.p50),
    start_lag_p99_ms: round(lag.p99),
    start_lag_max_ms: round(lag.max),
    planned_lag_p50_ms: round(planned.p50),
    planned_lag_p99_ms: round(planned.p99),
    first_attempt_lag_p50_ms: round(attempt.p50),
    first_attempt_lag_p99_ms: round(attempt.p99),
  };
}

interface XLoad {
  /** Runs beside H's posting for the case's duration; returns what X did, as the case's report shows it. */
  run(): Promise<Record<string, unknown>>;
  /** After H's wait: X's state then. */
  after?(): Promise<Record<string, unknown>>;
  /** Stops X's deliveries so the next case starts clean. */
  cleanup(): Promise<Record<string, unknown>>;
}

export async function isolationPhase(ctx: PhaseContext, options: IsolationOptions) {
  const { stack, api, say } = ctx;
  const hReceiver = await startBenchReceiver();
  const xReceiver = await startBenchReceiver();
  let blackHole: BlackHole | undefined;
  try {
    const h = await tenantWithSubscription(ctx, 'bench-iso-h', `${hReceiver.url}/h`);
    // Warm-up (JIT, the pools' connections), not counted.
    const warm = Array.from({ length: 20 }, (_, i) => `iso-warm-${ctx.run}-${i}`);
    await postAtRate(ctx, h.id, warm, H_RATE * 2);
    await hReceiver.waitFor(warm, 60_000);

    const hCount = Math.round(options.seconds * H_RATE);
    const xCount = Math.round(options.seconds * X_RATE);
    const runCase = async (name: string, x: XLoad | undefined) => {
      const prefix = `iso-${name}-${ctx.run}-`;
      const ids = Array.from({ length: hCount }, (_, i) => `${prefix}${i}`);
      const gateBefore = await notAdmitted(stack);
      const cpu = cpuWindow(() => ({
        worker: stack.worker()?.pid,
        api: stack.api()?.pid,
        temporal: stack.temporalPid(),
        bench: process.pid,
        h_receiver: hReceiver.pid(),
        x_receiver: xReceiver.pid(),
      }));
      const sampler = await startQueueSampler({ temporalAddress: stack.temporalAddress(), databaseUrl: stack.env.DATABASE_URL! });
      const started = now();
      const [hPosted, xReport] = await Promise.all([postAtRate(ctx, h.id, ids, H_RATE), x?.run()]);
      const postedS = (now() - started) / 1000;
      const complete = await hReceiver.waitFor(hPosted.acceptedAt.keys(), options.waitS * 1000);
      const waitedUntil = now();
      const cpuUsed = cpu();
      const queues = await sampler.stop();
      const latency = await hLatencies(stack, h, hReceiver, hPosted.acceptedAt, waitedUntil, prefix);
      const hDeliveries = await deliveryCounts(stack, h.id, prefix);
      const xAfter = await x?.after?.();
      const gate = minus(await notAdmitted(stack), gateBefore);
      const workerDied = stack.worker()?.exitCode !== null;
      if (workerDied) {
        say(`isolation ${name}: the worker is gone; starting it again`);
        await stack.startWorker().catch(async () => {
          await sleep(5_000);
          await stack.startWorker();
        });
      }
      say(
        `isolation ${name}: H p50 / p99 ${latency.p50_ms} / ${latency.p99_ms} ms (${latency.received} of ${latency.accepted} received${complete ? '' : ` in ${options.waitS} s after posting`}), start lag p99 ${latency.start_lag_p99_ms} ms`,
      );
      const cleanupStarted = now();
      const xCleanup = await x?.cleanup();
      // (An idle FIFO lane of an earlier phase ends on its own: not waited for.)
      await settle(stack.temporalAddress(), { limitMs: 900_000, query: 'WorkflowType!="laneWorkflow"' });
      const cleanupS = round((now() - cleanupStarted) / 1000);
      // Leases of attempts cut short by the clean-up (an X attempt in flight when its subscription went) run out within timeout_ms + 5 s.
      let held = await slotsHeld(stack);
      for (const deadline = Date.now() + 20_000; held > 0 && Date.now() < deadline; held = await slotsHeld(stack)) await sleep(500);
      return {
        h: { ...latency, posted: ids.length, refused: hPosted.refused.length, posting_s: round(postedS), deliveries: hDeliveries },
        ...(x ? { x: { ...xReport, ...xAfter, ...xCleanup } } : {}),
        gate_refusals: gate,
        cpu: cpuUsed,
        queues_max: queues,
        ...(workerDied ? { worker_exited: true } : {}),
        cleanup_s: cleanupS,
        slots_held_after: held,
      };
    };

    say(`isolation: alone, H at ${H_RATE}/s for ${options.seconds} s`);
    const alone = await runCase('alone', undefined);

    const xCircuit = async (x: Tenant) => {
      const { data } = await api.as(x.apiKey).GET('/v1/subscriptions/{id}', { params: { path: { id: x.subscriptionId } } });
      return data?.circuit;
    };
    const xCleanup = (x: Tenant, prefix: string, before?: () => Promise<void>) => async () => {
      const circuit = await xCircuit(x);
      const deliveries = await deliveryCounts(stack, x.id, prefix);
      const { response } = await api.as(x.apiKey).DELETE('/v1/subscriptions/{id}', { params: { path: { id: x.subscriptionId } } });
      if (response.status !== 204) throw new Error(`deleting X's subscription: ${response.status}`);
      await before?.();
      const dropped = await withDb(stack, async (db) => {
        const { rowCount } = await db.query('DELETE FROM events WHERE tenant_id = $1 AND started_at IS NULL', [x.id]);
        await db.query('VACUUM ANALYZE events');
        return rowCount ?? 0;
      });
      return { circuit_at_end: circuit, deliveries_at_end: deliveries, unstarted_events_dropped: dropped };
    };
    // X's events whose workflows the relay has started (the rest wait unstarted, in PostgreSQL).
    const startedEvents = (x: Tenant) =>
      withDb(stack, async (db) => {
        const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE tenant_id = $1 AND started_at IS NOT NULL', [
          x.id,
        ]);
        return rows[0]!.n;
      });
    const steady = (x: Tenant, prefix: string) => async () => {
      const ids = Array.from({ length: xCount }, (_, i) => `${prefix}${i}`);
      const posted = await postAtRate(ctx, x.id, ids, X_RATE);
      return { rate_per_s: X_RATE, posted: ids.length, accepted: posted.acceptedAt.size, refused: posted.refused.length };
    };

    const wanted = (name: IsolationCase) => options.cases === undefined || options.cases.includes(name);
    const black_hole = wanted('black_hole')
      ? await (async () => {
          say(`isolation: black hole, H at ${H_RATE}/s while X posts ${X_RATE}/s to a receiver that never answers`);
          blackHole = await startBlackHole();
          const hole = blackHole;
          const xHole = await tenantWithSubscription(ctx, 'bench-iso-x-black-hole', `${hole.url}/x`);
          const holePrefix = `iso-xhole-${ctx.run}-`;
          return runCase('black_hole', {
            run: steady(xHole, holePrefix),
            after: async () => ({
              receiver_connections: hole.accepted(),
              receiver_requests: hole.requests(),
              started_when_h_done: await startedEvents(xHole),
            }),
            cleanup: xCleanup(xHole, holePrefix, async () => {
              await hole.stop();
              blackHole = undefined;
            }),
          });
        })()
      : undefined;

    const slow = wanted('slow')
      ? await (async () => {
          say(`isolation: slow, H at ${H_RATE}/s while X posts ${X_RATE}/s to a receiver that answers after ${SLOW_MS / 1000} s`);
          xReceiver.slow(SLOW_MS);
          const xSlow = await tenantWithSubscription(ctx, 'bench-iso-x-slow', `${xReceiver.url}/x-slow`);
          const slowPrefix = `iso-xslow-${ctx.run}-`;
          const result = await runCase('slow', {
            run: steady(xSlow, slowPrefix),
            after: async () => ({ received: xReceiver.count(slowPrefix), started_when_h_done: await startedEvents(xSlow) }),
            cleanup: xCleanup(xSlow, slowPrefix),
          });
          xReceiver.slow(0);
          return result;
        })()
      : undefined;

    const burst = wanted('burst')
      ? await (async () => {
          say(`isolation: burst, H at ${H_RATE}/s while X posts ${BURST_EVENTS} events through the batch endpoint at the start`);
          const xBurst = await tenantWithSubscription(ctx, 'bench-iso-x-burst', `${xReceiver.url}/x-burst`);
          const burstPrefix = `iso-xburst-${ctx.run}-`;
          const xStarted = () => startedEvents(xBurst);
          let startedAtWindowEnd = 0;
          let receivedAtWindowEnd = 0;
          return runCase('burst', {
            run: async () => {
              const posted = await postBurst(ctx, xBurst.id, burstPrefix);
              await sleep(Math.max(0, options.seconds * 1000 - posted.posted_in_s * 1000));
              startedAtWindowEnd = await xStarted();
              receivedAtWindowEnd = xReceiver.count(burstPrefix);
              return posted;
            },
            after: async () => ({
              started_at_window_end: startedAtWindowEnd,
              received_at_window_end: receivedAtWindowEnd,
              started_when_h_done: await xStarted(),
              received_when_h_done: xReceiver.count(burstPrefix),
            }),
            cleanup: xCleanup(xBurst, burstPrefix),
          });
        })()
      : undefined;

    const p99 = <C extends { h: { p99_ms: number } } | undefined>(c: C) => (c ? c.h.p99_ms : null);
    const ratio = (c: { h: { p99_ms: number } } | undefined) => (c ? round(c.h.p99_ms / alone.h.p99_ms, 2) : null);
    return {
      seconds: options.seconds,
      h_rate_per_s: H_RATE,
      x_rate_per_s: X_RATE,
      burst_events: BURST_EVENTS,
      slow_receiver_ms: SLOW_MS,
      wait_after_posting_s: options.waitS,
      alone_p99_ms: p99(alone),
      black_hole_p99_ms: p99(black_hole),
      slow_p99_ms: p99(slow),
      burst_p99_ms: p99(burst),
      black_hole_ratio: ratio(black_hole),
      slow_ratio: ratio(slow),
      burst_ratio: ratio(burst),
      // Cases where some of H's events had not arrived when the wait ended: their p99 is a lower bound.
      lower_bounds: Object.entries({ alone, black_hole, slow, burst })
        .filter(([, c]) => c !== undefined && 'lower_bound' in c.h)
        .map(([name]) => name),
      cases: { alone, black_hole, slow, burst },
    };
  } finally {
    await blackHole?.stop();
    hReceiver.stop();
    xReceiver.stop();
  }
}

export type IsolationResult = Awaited<ReturnType<typeof isolationPhase>>;

/** The issue's targets for each case: H's p99 at most 500 ms and at most 3 × its p99 alone. */
export function isolationTargets(iso: IsolationResult) {
  const target = (p99: number | null, ratio: number | null) =>
    p99 === null || ratio === null
      ? undefined
      : {
          target: `<= ${TARGET_P99_MS} ms and <= ${TARGET_RATIO}x alone`,
          value: p99,
          ratio,
          met: p99 <= TARGET_P99_MS && ratio <= TARGET_RATIO,
        };
  // A case left out (`cases`) has no target entry.
  return Object.fromEntries(
    Object.entries({
      isolation_black_hole: target(iso.black_hole_p99_ms, iso.black_hole_ratio),
      isolation_slow: target(iso.slow_p99_ms, iso.slow_ratio),
      isolation_burst: target(iso.burst_p99_ms, iso.burst_ratio),
    }).filter((entry): entry is [string, NonNullable<(typeof entry)[1]>] => entry[1] !== undefined),
  );
}
