// The bench's large fan-out (issue "Isolation and limits"): one event to N subscriptions of one tenant, all
// to one local receiver (paths distinct, so one origin and its ORIGIN_MAX_IN_FLIGHT bound). Reports the time
// from the 202 to the N-th distinct receipt, whether the event's workflow completed (Temporal), and how many
// deliveries are still pending a while after the last receipt (PostgreSQL).
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { startBenchReceiver } from './lib/receiver.js';
import { round } from './lib/stats.js';
import { temporalClient } from './lib/temporal.js';
import type { PhaseContext } from './isolation.js';

export interface FanOutOptions {
  subscriptions: number;
  /** `stuck` counts deliveries still pending this long after the last receipt. */
  stuckAfterS: number;
  /** Waiting for receipts ends when none came for this long… */
  stallS: number;
  /** …or after this long in all. */
  deadlineS: number;
}

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TYPE = 'bench.fanout_large';
const CREATE_CONNECTIONS = 16;
const MAX_RESTARTS = 10;

export async function fanOutLarge(ctx: PhaseContext, options: FanOutOptions) {
  const { api, stack, say } = ctx;
  const n = options.subscriptions;
  const receiver = await startBenchReceiver({ trackPaths: true });
  const db = new pg.Client({ connectionString: stack.env.DATABASE_URL });
  await db.connect();
  const temporal = await temporalClient(stack.temporalAddress());
  try {
    const t = await api.tenant(stack.adminToken, `bench-fanout-${n}`);
    const createStart = now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CREATE_CONNECTIONS }, async () => {
        while (next < n) {
          const i = next++;
          await api.subscribe(t.api_key, { url: `${receiver.url}/fan-${n}/${i}`, event_types: [TYPE] });
        }
      }),
    );
    const createS = round((now() - createStart) / 1000);
    say(`fan-out: ${n} subscriptions created in ${createS} s; posting one event`);

    const id = `fanl-${ctx.run}-${n}`;
    const res = await api.postEvent(stack.adminToken, {
      id,
      tenant_id: t.id,
      environment: 'production',
      type: TYPE,
      payload: { n },
    });
    const acceptedAt = now();
    if (res.status !== 202 || !res.body || !('workflow_id' in res.body)) throw new Error(`fan-out post: ${res.status} ${JSON.stringify(res.body)}`);
    const workflowId = res.body.workflow_id;

    // Until every path has been received, or no new one came for stallS, or the deadline.
    const paths = receiver.receiptsByPath;
    let lastCount = 0;
    let lastChange = now();
    const deadline = acceptedAt + options.deadlineS * 1000;
    let lastReport = now();
    let workerRestarts = 0;
    while (paths.size < n && now() < deadline && now() - lastChange < options.stallS * 1000) {
      await sleep(250);
      if (stack.worker()?.exitCode !== null && workerRestarts < MAX_RESTARTS) {
        // As a deployment's supervisor would: counted and reported. A start that fails (Temporal too busy
        // to answer) is tried again on the next turn.
        workerRestarts++;
        say(`fan-out: the worker exited; starting it again (${workerRestarts})`);
        await stack.startWorker().catch((error) => say(`fan-out: the worker did not start: ${error}`));
      }
      if (paths.size !== lastCount) {
        lastCount = paths.size;
        lastChange = now();
      }
      if (now() - lastReport > 15_000) {
        say(`fan-out: ${paths.size} of ${n} received after ${round((now() - acceptedAt) / 1000)} s`);
        lastReport = now();
      }
    }
    const firsts = [...paths.values()].map((list) => list[0]!).sort((a, b) => a - b);
    const all = [...paths.values()].flat();
    const lastReceipt = all.length ? Math.max(...all) : acceptedAt;
    const at = (k: number) => (firsts.length >= k ? round(firsts[k - 1]! - acceptedAt) : null);
    say(`fan-out: ${firsts.length} of ${n} received; checking for stuck deliveries ${options.stuckAfterS} s after the last receipt`);

    await sleep(Math.max(0, lastReceipt + options.stuckAfterS * 1000 - now()));
    const { rows } = await db.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM deliveries WHERE tenant_id = $1 AND event_id = $2 GROUP BY status ORDER BY status',
      [t.id, id],
    );
    const deliveries = Object.fromEntries(rows.map((r) => [r.status, r.n]));
    const handle = temporal.client.workflow.getHandle(workflowId);
    // Temporal itself may be what broke: then its answer is the error, reported as the status.
    const described = await handle.describe().catch((error: Error) => error);
    const status = described instanceof Error ? `unknown (${described.message})` : described.status.name;
    let terminated = false;
    if (status === 'RUNNING') {
      // So that it costs nothing after this phase; reported as such.
      await handle.terminate('bench: fan-out phase over');
      terminated = true;
    }
    return {
      subscriptions: n,
      subscriptions_created_s: createS,
      all_received_ms: firsts.length >= n ? at(n) : null,
      received: firsts.length,
      first_received_ms: at(1),
      half_received_ms: at(Math.ceil(n / 2)),
      duplicates: all.length - firsts.length,
      completed: status === 'COMPLETED',
      workflow_status: status,
      workflow_history_length: described instanceof Error ? null : described.historyLength,
      ...(terminated ? { terminated_by_bench: true } : {}),
      stuck: deliveries.pending ?? 0,
      stuck_checked_after_s: options.stuckAfterS,
      deliveries,
      worker_restarts: workerRestarts,
      ...(stack.worker()?.exitCode !== null ? { worker_down_at_end: true } : {}),
    };
  } finally {
    await temporal.close();
    await db.end();
    receiver.stop();
  }
}
