// Rate limits shared by every worker and workflow: slots reserved in PostgreSQL, one row per subscription.
import type { Queryable } from './pool.js';
import { rateIntervalMs, type RateLimit } from '../domain/flow-control.js';

async function currentLimit(db: Queryable, subscriptionId: string): Promise<RateLimit | null> {
  const { rows } = await db.query<{ rate_limit: RateLimit | null }>('SELECT rate_limit FROM subscriptions WHERE id = $1', [subscriptionId]);
  return rows[0]?.rate_limit ?? null;
}

export interface Slot {
  /** How long to wait for the slot, by the database's clock (the same for every worker); 0 when it is now. */
  delayMs: number;
  intervalMs: number;
}

/**
 * Reserves the subscription's next free slot, atomically (one statement on one row): the later of now,
 * the slot after the last one reserved, and one interval after the last admitted attempt. Null when the
 * subscription has no limit (any more). A delivery that has to wait is marked waiting for the metric.
 */
export async function reserveSlot(db: Queryable, subscriptionId: string, deliveryId: string, timeScale: number): Promise<Slot | null> {
  const limit = await currentLimit(db, subscriptionId);
  if (!limit) return null;
  const intervalMs = rateIntervalMs(limit, timeScale);
  const { rows } = await db.query<{ delay_ms: number }>(
    `WITH step AS (SELECT make_interval(secs => $2::double precision / 1000) AS i, clock_timestamp() AS now)
     INSERT INTO rate_limit_slots AS s (subscription_id, next_slot)
     SELECT $1, step.now + step.i FROM step
     ON CONFLICT (subscription_id) DO UPDATE
       SET next_slot = greatest(s.next_slot, (SELECT now FROM step), s.last_attempt_at + (SELECT i FROM step)) + (SELECT i FROM step)
     RETURNING greatest(0, extract(epoch FROM (s.next_slot - (SELECT i FROM step) - (SELECT now FROM step))) * 1000)::double precision AS delay_ms`,
    [subscriptionId, intervalMs],
  );
  const delayMs = Math.ceil(rows[0]!.delay_ms);
  if (delayMs > 0) {
    await db.query(
      `UPDATE deliveries SET waiting = 'rate_limit', waiting_until = clock_timestamp() + make_interval(secs => $2::double precision / 1000) WHERE id = $1`,
      [deliveryId, delayMs],
    );
  }
  return { delayMs, intervalMs };
}

/**
 * Admits one attempt now if the last admitted one is at least an interval ago (by the database's clock),
 * recording it; otherwise answers how long is left. The exact check, made by the attempt itself: slots
 * keep the spacing, but a timer that fires late could otherwise bring two attempts closer than it.
 */
export async function admitAttempt(db: Queryable, subscriptionId: string, deliveryId: string, timeScale: number): Promise<{ waitMs: number }> {
  const limit = await currentLimit(db, subscriptionId);
  if (limit) {
    const intervalMs = rateIntervalMs(limit, timeScale);
    const { rows } = await db.query<{ admitted: boolean; wait_ms: number }>(
      `WITH step AS (SELECT make_interval(secs => $2::double precision / 1000) AS i),
       admitted AS (
         INSERT INTO rate_limit_slots AS s (subscription_id, next_slot, last_attempt_at)
         VALUES ($1, clock_timestamp() + (SELECT i FROM step), clock_timestamp())
         ON CONFLICT (subscription_id) DO UPDATE SET last_attempt_at = clock_timestamp()
           WHERE s.last_attempt_at IS NULL OR s.last_attempt_at + (SELECT i FROM step) <= clock_timestamp()
         RETURNING 1
       ),
       -- In the same statement: between admission and the request, every round trip is jitter the receiver sees.
       cleared AS (UPDATE deliveries SET waiting = NULL WHERE id = $3 AND waiting IS NOT NULL AND EXISTS (SELECT 1 FROM admitted))
       SELECT EXISTS (SELECT 1 FROM admitted) AS admitted,
         COALESCE((SELECT extract(epoch FROM (last_attempt_at + (SELECT i FROM step) - clock_timestamp())) * 1000
                   FROM rate_limit_slots WHERE subscription_id = $1), 0)::double precision AS wait_ms`,
      [subscriptionId, intervalMs, deliveryId],
    );
    if (!rows[0]!.admitted) return { waitMs: Math.max(1, Math.ceil(rows[0]!.wait_ms)) };
    return { waitMs: 0 };
  }
  await db.query(`UPDATE deliveries SET waiting = NULL WHERE id = $1 AND waiting IS NOT NULL`, [deliveryId]);
  return { waitMs: 0 };
}

/** A changed or removed limit applies from now: reservations start again from the present under it. */
export async function restartSlots(db: Queryable, subscriptionId: string): Promise<void> {
  await db.query(`UPDATE rate_limit_slots SET next_slot = least(next_slot, clock_timestamp()) WHERE subscription_id = $1`, [subscriptionId]);
}

/** Pending deliveries waiting, by reason (rate_limit, fifo; circuit_open, in_flight at the gate): the hookrelay_deliveries_waiting gauge. */
export async function waitingDeliveries(db: Queryable): Promise<Array<{ reason: string; count: number }>> {
  const { rows } = await db.query<{ reason: string; count: number }>(
    `SELECT waiting AS reason, count(*)::int AS count FROM deliveries
     WHERE waiting IS NOT NULL AND status = 'pending' GROUP BY waiting
     UNION ALL
     SELECT CASE WHEN reason LIKE 'circuit%' THEN 'circuit_open' ELSE 'in_flight' END, count(*)::int
     FROM flow_waiters WHERE expires_at > clock_timestamp() GROUP BY 1`,
  );
  return rows;
}

/** The workflows with a delivery of this subscription waiting for a rate-limit slot. */
export async function workflowsWaitingForSlots(db: Queryable, subscriptionId: string): Promise<string[]> {
  const { rows } = await db.query<{ workflow_id: string }>(
    `SELECT DISTINCT workflow_id FROM deliveries WHERE subscription_id = $1 AND status = 'pending' AND waiting = 'rate_limit'`,
    [subscriptionId],
  );
  return rows.map((r) => r.workflow_id);
}
