// FIFO lanes: per subscription, its deliveries in the order their events were accepted (events.accepted_seq).
import type { Queryable } from './pool.js';
import type { DeliveryStatus, PlannedDeliveryRow } from './deliveries.js';
import { matchesAny } from '../domain/event-type.js';

/** A subscription made FIFO (created so, or PATCHed to it): its lane starts after every event accepted so far. */
export async function openLane(db: Queryable, subscriptionId: string): Promise<void> {
  await db.query(
    `INSERT INTO fifo_lanes (subscription_id, cursor_seq)
     SELECT $1, COALESCE((SELECT max(accepted_seq) FROM events), 0)
     ON CONFLICT (subscription_id) DO NOTHING`,
    [subscriptionId],
  );
}

export interface QueuedDelivery {
  /** The delivery's tenant: its lane carries it as HookrelayTenant. */
  tenant_id: string;
  status: DeliveryStatus;
  attempt_count: number;
  last_error: string | null;
  /** True when the lane was idle: the caller signals it (with start). */
  wake: boolean;
}

/** A delivery handed to its lane: marked waiting, and the lane woken if it was idle. */
export async function queueInLane(db: Queryable, subscriptionId: string, deliveryId: string): Promise<QueuedDelivery | undefined> {
  const { rows } = await db.query<Omit<QueuedDelivery, 'wake'>>(
    `UPDATE deliveries SET waiting = CASE WHEN status = 'pending' THEN 'fifo' ELSE waiting END, fifo_queued = true
     WHERE id = $1 RETURNING tenant_id, status, attempt_count, last_error`,
    [deliveryId],
  );
  if (!rows[0]) return undefined;
  if (rows[0].status !== 'pending') return { ...rows[0], wake: false };
  // Normally opened with the subscription; if not, the lane starts at this delivery's event. A lane that
  // already passed this event (it held for it HOLD_LIMIT_MS: a worker down that long) goes back to it, or
  // the delivery would wait forever behind the cursor; the events between are passed again at once, as
  // their deliveries have ended.
  await db.query(
    `INSERT INTO fifo_lanes (subscription_id, cursor_seq)
     SELECT $1, e.accepted_seq - 1 FROM deliveries d JOIN events e ON e.tenant_id = d.tenant_id AND e.id = d.event_id WHERE d.id = $2
     ON CONFLICT (subscription_id) DO UPDATE SET cursor_seq = LEAST(fifo_lanes.cursor_seq, excluded.cursor_seq)`,
    [subscriptionId, deliveryId],
  );
  const woken = await db.query(`UPDATE fifo_lanes SET wake_pending = true WHERE subscription_id = $1 AND NOT wake_pending`, [subscriptionId]);
  return { ...rows[0], wake: (woken.rowCount ?? 0) > 0 };
}

/**
 * The longest the lane holds for an event that may still become its own: one whose workflow has not made
 * its deliveries yet (since its start), or made this subscription's and not handed it over yet (since
 * then). The lane holds until the event is dispatched (events.dispatched_at), not for a fixed time: under a
 * burst of starts a worker can make an event's deliveries long after its start, and a fixed wait would let
 * the lane deliver out of acceptance order. Past this limit (a worker
 * down for that long, a workflow terminated by hand) the lane goes on, and comes back for the delivery if
 * it is handed over later (queueInLane): out of order then, but never stuck.
 */
const HOLD_LIMIT_MS = 5 * 60_000;
const SCAN_BATCH = 200;

export type LaneStep =
  { kind: 'deliver'; row: PlannedDeliveryRow; workflowId: string; eventId: string; seq: string } | { kind: 'wait'; ms: number } | { kind: 'idle' };

interface ScanRow {
  accepted_seq: string;
  type: string;
  started_at: Date | null;
  dispatched: boolean;
  suppressed_by: string | null;
  /** Since its deliveries were made, else since its workflow started. */
  held_for_ms: number | null;
  event_id: string;
  delivery_id: string | null;
  status: DeliveryStatus | null;
  workflow_id: string | null;
  fifo_queued: boolean | null;
}

/**
 * The lane's next delivery: the events of the subscription's tenant and environment after the lane's
 * cursor, in acceptance order. An event with a pending delivery to the subscription is next; one whose
 * delivery ended, or that is not the subscription's, is passed (the cursor moves on); one that matches
 * but whose workflow has not made its deliveries yet holds the lane for a moment, so a later event never
 * overtakes it. Idle when nothing is left: then the wake flag is cleared (and the scan made once more,
 * so a delivery queued meanwhile is not missed).
 */
export async function nextInLane(db: Queryable, subscriptionId: string): Promise<LaneStep> {
  for (let pass = 0; pass < 2; pass++) {
    const { rows: subs } = await db.query<{ tenant_id: string; environment: string; event_types: string[]; cursor_seq: string }>(
      `SELECT s.tenant_id, s.environment, s.event_types, l.cursor_seq
       FROM subscriptions s JOIN fifo_lanes l ON l.subscription_id = s.id WHERE s.id = $1`,
      [subscriptionId],
    );
    const sub = subs[0];
    if (!sub) return { kind: 'idle' };
    let cursor = sub.cursor_seq;
    for (;;) {
      const { rows } = await db.query<ScanRow>(
        // The events first (LIMIT), then each one's delivery by its unique key: as a plain join, a planner
        // that underestimated the events (stale statistics) scanned all of the lane's deliveries per event,
        // which slows a long lane to a crawl.
        `SELECT e.accepted_seq, e.type, e.started_at, e.dispatched_at IS NOT NULL AS dispatched, e.suppressed_by, e.id AS event_id,
                extract(epoch FROM clock_timestamp() - COALESCE(e.dispatched_at, e.started_at)) * 1000 AS held_for_ms,
                d.id AS delivery_id, d.status, d.workflow_id, d.fifo_queued
         FROM (
           SELECT tenant_id, id, accepted_seq, type, started_at, dispatched_at, suppressed_by FROM events
           WHERE tenant_id = $1 AND environment = $2 AND accepted_seq > $4
           ORDER BY accepted_seq LIMIT ${SCAN_BATCH}
         ) e
         LEFT JOIN LATERAL (
           SELECT id, status, workflow_id, fifo_queued FROM deliveries
           WHERE tenant_id = e.tenant_id AND event_id = e.id AND subscription_id = $3 AND redelivery_of IS NULL
         ) d ON true
         ORDER BY e.accepted_seq`,
        [sub.tenant_id, sub.environment, subscriptionId, cursor],
      );
      let step: LaneStep | undefined;
      for (const row of rows) {
        if (row.delivery_id && row.status === 'pending' && row.fifo_queued) {
          // Being made now, no longer waiting (a rate limit may make it wait again, for its own reason).
          await db.query(`UPDATE deliveries SET waiting = NULL WHERE id = $1 AND waiting = 'fifo'`, [row.delivery_id]);
          const planned = await db.query<PlannedDeliveryRow>(
            `SELECT d.id AS delivery_id, s.id AS subscription_id, s.url, s.retry_policy, s.timeout_ms,
                    s.rate_limit IS NOT NULL AS rate_limited, s.ordering
             FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id WHERE d.id = $1`,
            [row.delivery_id],
          );
          step = { kind: 'deliver', row: planned.rows[0]!, workflowId: row.workflow_id!, eventId: row.event_id, seq: row.accepted_seq };
          break;
        }
        // Not started, not dispatched, or this subscription's delivery made and not handed over yet: it
        // may still become the lane's. (Dispatched with no delivery here, or one that ended: passed.)
        const mayBeOurs = (!row.delivery_id || row.status === 'pending') && !row.suppressed_by && matchesAny(sub.event_types, row.type);
        const notYet = row.started_at === null || row.delivery_id !== null || !row.dispatched;
        if (mayBeOurs && notYet && (row.started_at === null || (row.held_for_ms ?? 0) < HOLD_LIMIT_MS)) {
          // Woken by that event's hand-off (a signal); the timer is the fallback when it is not this subscription's.
          step = { kind: 'wait', ms: row.started_at === null ? 1_000 : Math.max(100, Math.min(1_000, HOLD_LIMIT_MS - (row.held_for_ms ?? 0))) };
          break;
        }
        cursor = row.accepted_seq;
      }
      if (cursor !== sub.cursor_seq) {
        await db.query('UPDATE fifo_lanes SET cursor_seq = $2 WHERE subscription_id = $1 AND cursor_seq < $2', [subscriptionId, cursor]);
        sub.cursor_seq = cursor;
      }
      if (step?.kind === 'deliver' || (step && pass === 1)) return step;
      if (step || rows.length < SCAN_BATCH) break;
    }
    // Nothing to deliver now (idle, or holding for an event still being prepared): the next delivery
    // queued signals the lane. Scanned once more after clearing, so one queued meanwhile is not missed.
    if (pass === 0) await db.query('UPDATE fifo_lanes SET wake_pending = false WHERE subscription_id = $1', [subscriptionId]);
  }
  return { kind: 'idle' };
}

/** The lane is done with a delivery: its cursor moves past that event. */
export async function passInLane(db: Queryable, subscriptionId: string, seq: string): Promise<void> {
  await db.query('UPDATE fifo_lanes SET cursor_seq = $2 WHERE subscription_id = $1 AND cursor_seq < $2', [subscriptionId, seq]);
}
