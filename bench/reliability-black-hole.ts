// The reliability run's black-hole phase (docs/reliability.md): a tenant whose events go to two
// subscriptions, one healthy and one whose receiver accepts connections and never answers. A worker is
// SIGKILLed while attempts to the black hole are in flight and others wait at the gate; then nothing may be
// lost or stuck: every healthy delivery delivered, every black-hole delivery failed under its short policy
// (or still pending with its workflow running), no bulkhead slot left held once nothing is in flight, and
// no workflow of the tenant still running.
import pg from 'pg';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { apiClient } from './lib/api.js';
import { startBlackHole } from './lib/black-hole.js';
import type { BenchReceiver } from './lib/receiver.js';

type Api = ReturnType<typeof apiClient>;

export interface BlackHoleTarget {
  apis: Api[];
  adminToken: string;
  databaseUrl: string;
  temporalAddress: string;
  /** SIGKILLs one worker (another may go on); `restart` starts it again. */
  killWorker(): Promise<void>;
  restartWorker(): Promise<void>;
}

export interface BlackHoleOptions {
  events: number;
  ratePerS: number;
  /** How long to wait for the healthy deliveries, and for the black-hole ones to end. */
  waitS: number;
}

/** The black hole's subscription: a short timeout, few slots, and a policy that ends within a minute. */
const BLACK_HOLE_SUBSCRIPTION = {
  timeout_ms: 2_000,
  max_in_flight: 5,
  retry_policy: { initial_interval: '1s', backoff_coefficient: 1, maximum_attempts: 3, max_duration: '45s' },
};
const MAX_ATTEMPTS = BLACK_HOLE_SUBSCRIPTION.retry_policy.maximum_attempts;
const TYPE = 'reliability.black_hole';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(deadline: number, check: () => Promise<boolean>, everyMs = 500): Promise<boolean> {
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
}

export async function blackHolePhase(
  target: BlackHoleTarget,
  receiver: BenchReceiver,
  run: string,
  options: BlackHoleOptions,
  say: (msg: string) => void,
): Promise<{ accepted: number; lost: number; duplicates: number; lines: string[]; problems: string[] }> {
  const api = target.apis[0]!;
  const hole = await startBlackHole();
  const db = new pg.Client({ connectionString: target.databaseUrl });
  await db.connect();
  const connection = await Connection.connect({ address: target.temporalAddress });
  const temporal = new Client({ connection });
  const lines: string[] = [];
  const problems: string[] = [];
  try {
    const t = await api.tenant(target.adminToken, 'reliability-black-hole');
    const healthy = await api.subscribe(t.api_key, {
      url: `${receiver.url}/black-hole-sibling`,
      event_types: [TYPE],
      retry_policy: { initial_interval: '1s', backoff_coefficient: 2, maximum_interval: '5s', max_duration: '1h' },
    });
    const black = await api.subscribe(t.api_key, { url: `${hole.url}/hooks`, event_types: [TYPE], ...BLACK_HOLE_SUBSCRIPTION });
    /** What PostgreSQL and Temporal say of an event's deliveries: for a lost or stuck one, the evidence to read. */
    const explain = async (eventId: string): Promise<string[]> => {
      const out: string[] = [];
      const { rows } = await db.query<{
        id: string;
        subscription_id: string;
        status: string;
        attempt_count: number;
        last_error: string | null;
        workflow_id: string;
        waiting: string | null;
      }>(
        `SELECT id, subscription_id, status, attempt_count, last_error, workflow_id, waiting FROM deliveries WHERE tenant_id = $1 AND event_id = $2`,
        [t.id, eventId],
      );
      for (const d of rows) {
        const which = d.subscription_id === black.id ? 'black hole' : 'healthy';
        out.push(
          `  ${eventId} ${which} ${d.id}: ${d.status}, ${d.attempt_count} attempts, last error ${JSON.stringify(d.last_error)}${d.waiting ? `, waiting ${d.waiting}` : ''}`,
        );
        const attempts = await db.query<{
          number: number;
          started_at: Date;
          duration_ms: number;
          status_code: number | null;
          error_message: string | null;
        }>('SELECT number, started_at, duration_ms, status_code, error_message FROM attempts WHERE delivery_id = $1 ORDER BY number', [d.id]);
        for (const a of attempts.rows)
          out.push(
            `    attempt ${a.number} at ${a.started_at.toISOString()}: ${a.status_code ?? '-'} in ${a.duration_ms} ms ${JSON.stringify(a.error_message)}`,
          );
        const slots = await db.query<{ key: string; expires_at: Date }>('SELECT key, expires_at FROM flow_slots WHERE holder = $1', [d.id]);
        for (const slot of slots.rows) out.push(`    holds ${slot.key} until ${slot.expires_at.toISOString()}`);
      }
      const workflowId = rows[0]?.workflow_id;
      if (!workflowId) return [...out, `  ${eventId}: no delivery rows`];
      try {
        const handle = temporal.workflow.getHandle(workflowId);
        const d = await handle.describe();
        out.push(`  workflow ${workflowId}: ${d.status.name}, history ${d.historyLength} events`);
        for (const a of d.raw.pendingActivities ?? [])
          out.push(
            `    pending activity ${a.activityType?.name} ${a.activityId}: state ${a.state}, attempt ${a.attempt}, last failure ${JSON.stringify(a.lastFailure?.message ?? null)}`,
          );
        const history = await handle.fetchHistory();
        for (const e of (history.events ?? []).slice(-12)) {
          const type = proto.temporal.api.enums.v1.EventType[e.eventType ?? 0] ?? String(e.eventType);
          const detail =
            e.activityTaskFailedEventAttributes?.failure?.message ??
            e.workflowTaskFailedEventAttributes?.failure?.message ??
            e.timerStartedEventAttributes?.timerId ??
            e.activityTaskScheduledEventAttributes?.activityType?.name ??
            '';
          out.push(`    history ${e.eventId} ${type}${detail ? ` ${JSON.stringify(detail)}` : ''}`);
        }
      } catch (error) {
        out.push(`  workflow ${workflowId}: not described (${error})`);
      }
      return out;
    };
    const count = async (sql: string, params: unknown[]) => (await db.query<{ n: number }>(sql, params)).rows[0]!.n;
    const heldNow = () =>
      count(`SELECT count(*)::int AS n FROM flow_slots WHERE key = $1 AND holder IS NOT NULL AND expires_at > now()`, [`sub:${black.id}`]);
    const waitingNow = () => count(`SELECT count(*)::int AS n FROM flow_waiters WHERE subscription_id = $1 AND expires_at > now()`, [black.id]);

    // Posted each once (every one is answered 202: nothing here takes the API down), at a steady rate,
    // while the kill waits for attempts in flight to the black hole and others waiting at the gate.
    const ids = Array.from({ length: options.events }, (_, i) => `bh-${run}-${i}`);
    const refused: string[] = [];
    const posting = (async () => {
      const posts: Promise<void>[] = [];
      const start = Date.now();
      for (let i = 0; i < ids.length; i++) {
        const wait = start + (i * 1000) / options.ratePerS - Date.now();
        if (wait > 0) await sleep(wait);
        const id = ids[i]!;
        posts.push(
          target.apis[i % target.apis.length]!.postEvent(target.adminToken, {
            id,
            tenant_id: t.id,
            environment: 'production',
            type: TYPE,
            payload: { id },
          }).then(
            (res) => {
              if (res.status !== 202) refused.push(`${id}: ${res.status}`);
            },
            (error) => {
              refused.push(`${id}: ${error}`);
            },
          ),
        );
      }
      await Promise.all(posts);
    })();
    let atKill = { inFlight: 0, waiting: 0, connections: 0 };
    const ready = await until(
      Date.now() + 60_000,
      async () => {
        atKill = { inFlight: await heldNow(), waiting: await waitingNow(), connections: hole.open() };
        return atKill.inFlight > 0 && atKill.waiting > 0;
      },
      100,
    );
    say(
      `black hole: SIGKILL a worker with ${atKill.inFlight} attempts in flight to the black hole (${atKill.connections} connections open) and ${atKill.waiting} waiting at the gate${ready ? '' : ' (not both seen within 60 s)'}`,
    );
    if (!ready) problems.push('black hole: never saw attempts in flight and waiting at the gate at once; the kill did not test them');
    const killedAt = Date.now();
    await target.killWorker();
    await sleep(2_000);
    await target.restartWorker();
    say('black hole: worker restarted');
    await posting;
    if (refused.length) problems.push(`black hole: ${refused.length} posts not answered 202 (${refused.slice(0, 3).join(', ')})`);

    const deadline = Date.now() + options.waitS * 1000;
    await receiver.waitFor(ids, Math.max(0, deadline - Date.now()));
    const lost = ids.filter((id) => !receiver.receipts.has(id));
    const duplicates = ids.reduce((n, id) => n + Math.max(0, (receiver.receipts.get(id)?.length ?? 0) - 1), 0);
    const byStatus = async (subscriptionId: string) => {
      const { rows } = await db.query<{ status: string; n: number; max_attempts: number }>(
        `SELECT status, count(*)::int AS n, max(attempt_count)::int AS max_attempts FROM deliveries WHERE subscription_id = $1 GROUP BY status`,
        [subscriptionId],
      );
      return Object.fromEntries(rows.map((r) => [r.status, { n: r.n, maxAttempts: r.max_attempts }]));
    };
    // The healthy sibling's rows say succeeded, and the black hole's have ended (or are still retrying).
    await until(deadline, async () => (await byStatus(healthy.id)).succeeded?.n === ids.length);
    await until(deadline, async () => !(await byStatus(black.id)).pending);
    const healthyRows = await byStatus(healthy.id);
    const blackRows = await byStatus(black.id);
    const endedAt = Date.now();
    // Attempts the kill cut short: recorded as lost once their lease ran out (src/activities/in-flight.ts).
    const cutShort = await count(
      `SELECT count(*)::int AS n FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
       WHERE d.subscription_id = $1 AND a.error_message LIKE 'the worker making this attempt stopped%'`,
      [black.id],
    );
    const show = (rows: Record<string, { n: number; maxAttempts: number }>) =>
      Object.entries(rows)
        .map(([status, r]) => `${r.n} ${status} (at most ${r.maxAttempts} attempts)`)
        .join(', ') || 'none';
    lines.push(
      `black hole: ${ids.length} events, each to a healthy subscription and to a receiver that never answers; a worker SIGKILLed with ${atKill.inFlight} attempts in flight to it and ${atKill.waiting} waiting at the gate`,
      `black hole: healthy deliveries ${show(healthyRows)}; ${ids.length - lost.length} received, ${lost.length} lost, ${duplicates} duplicates`,
      `black hole: black-hole deliveries ${show(blackRows)}, ${hole.requests()} requests reached it, ${cutShort} attempts recorded as cut short by the kill; all ended ${((endedAt - killedAt) / 1000).toFixed(0)} s after the kill`,
    );
    if (lost.length) {
      problems.push(`black hole: ${lost.length} healthy deliveries lost (${lost.slice(0, 5).join(', ')})`);
      for (const id of lost.slice(0, 3)) lines.push(...(await explain(id)));
    }
    if (healthyRows.succeeded?.n !== ids.length) {
      problems.push(`black hole: healthy deliveries not all succeeded in PostgreSQL: ${show(healthyRows)}`);
      const { rows } = await db.query<{ event_id: string }>(
        `SELECT event_id FROM deliveries WHERE subscription_id = $1 AND status <> 'succeeded' LIMIT 3`,
        [healthy.id],
      );
      for (const r of rows) if (!lost.slice(0, 3).includes(r.event_id)) lines.push(...(await explain(r.event_id)));
    }
    if (blackRows.succeeded) problems.push(`black hole: ${blackRows.succeeded.n} deliveries to a receiver that never answers say succeeded`);
    for (const [status, r] of Object.entries(blackRows)) {
      if (r.maxAttempts > MAX_ATTEMPTS)
        problems.push(`black hole: a ${status} delivery has ${r.maxAttempts} attempts, over its policy's ${MAX_ATTEMPTS}`);
    }
    // A black-hole delivery still pending must still have a workflow retrying it; one whose workflow ended is stuck.
    if (blackRows.pending) {
      const { rows } = await db.query<{ id: string; workflow_id: string }>(
        `SELECT id, workflow_id FROM deliveries WHERE subscription_id = $1 AND status = 'pending'`,
        [black.id],
      );
      const stuck: string[] = [];
      for (const row of rows) {
        const status = await temporal.workflow
          .getHandle(row.workflow_id)
          .describe()
          .then((d) => d.status.name)
          .catch(() => 'NOT_FOUND');
        if (status !== 'RUNNING') stuck.push(`${row.id} (${row.workflow_id}: ${status})`);
      }
      lines.push(
        `black hole: ${rows.length} black-hole deliveries still pending after ${options.waitS} s, ${rows.length - stuck.length} of them with their workflow running`,
      );
      if (stuck.length) problems.push(`black hole: ${stuck.length} deliveries pending with no workflow running: ${stuck.slice(0, 3).join(', ')}`);
    }

    // Once nothing is in flight, no slot is held anywhere (leases run out within timeout_ms + 5 s), and no
    // workflow of the tenant runs.
    const cleanDeadline = Date.now() + 30_000;
    const allHeld = () => count(`SELECT count(*)::int AS n FROM flow_slots WHERE holder IS NOT NULL AND expires_at > now()`, []);
    const running = async () => (await temporal.workflow.count(`HookrelayTenant="${t.id}" AND ExecutionStatus="Running"`)).count;
    const stillPending = !!blackRows.pending;
    const slotsFree = await until(cleanDeadline, async () => (await allHeld()) === 0 || stillPending);
    const workflowsDone = await until(cleanDeadline, async () => (await running()) === 0 || stillPending);
    const circuit = (await api.as(t.api_key).GET('/v1/subscriptions/{id}', { params: { path: { id: black.id } } })).data?.circuit;
    // Gate waiters are not a lease held: a waiter whose delivery ended stops counting when its wait runs out
    // (for a circuit-open wait, when the cool-down ends). Reported, not checked.
    const { rows: waiters } = await db.query<{ n: number; left_s: number | null }>(
      `SELECT count(*)::int AS n, extract(epoch FROM max(expires_at) - now())::float AS left_s FROM flow_waiters w
       WHERE w.expires_at > now() AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.id = w.delivery_id AND d.status = 'pending')`,
    );
    const stale = waiters[0]!;
    lines.push(
      `black hole: afterwards ${await allHeld()} bulkhead slots held, ${await running()} of the tenant's workflows running, ${stale.n} gate waiters of ended deliveries still counting${stale.n ? ` (the last for ${Math.round(stale.left_s ?? 0)} s more)` : ''}; the circuit ${circuit?.state ?? '?'} after ${circuit?.consecutive_failures ?? '?'} failures`,
    );
    if (!stillPending) {
      if (!slotsFree) problems.push(`black hole: ${await allHeld()} bulkhead slots still held 30 s after every delivery ended`);
      if (!workflowsDone) problems.push(`black hole: ${await running()} of the tenant's workflows still running 30 s after every delivery ended`);
    }
    return { accepted: ids.length - refused.length, lost: lost.length, duplicates, lines, problems };
  } finally {
    await connection.close();
    await db.end();
    await hole.stop();
  }
}
