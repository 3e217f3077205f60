// The deliveries table as the workflow's activities use it; the tenant's view is in delivery-log.ts.
import type { Queryable } from './pool.js';
import { newId } from './ids.js';
import { ATTEMPT_CONTEXT_COLUMNS, type AttemptContext } from './attempts.js';

export type { DeliveryStatus } from '../domain/delivery-status.js';

export interface PlannedDeliveryRow {
  delivery_id: string;
  subscription_id: string;
  url: string;
  retry_policy: unknown;
  timeout_ms: number;
  rate_limited: boolean;
  ordering: string;
}

/**
 * In the statement that makes an event's deliveries: the event is marked dispatched (its deliveries, if
 * any, now exist), which a FIFO lane waits for before it passes an event that may be its own.
 */
const MARK_DISPATCHED = 'UPDATE events SET dispatched_at = clock_timestamp() WHERE tenant_id = $1 AND id = $2 AND dispatched_at IS NULL';

/**
 * An event that matched no subscription is dispatched too (it has all the deliveries it will have): a FIFO
 * lane need not hold for it, and the relay's bounds on started, undispatched events stop counting it.
 */
export async function markDispatched(db: Queryable, tenantId: string, eventId: string): Promise<void> {
  await db.query(MARK_DISPATCHED, [tenantId, eventId]);
}

/**
 * Creates the event's first delivery to each subscription (at most one each, whatever the retries)
 * and returns every first delivery of the event, so a retried activity sees the same set. `workflowIds`
 * names each delivery's workflow when they differ (a fan-out's slices); else every one is `workflowId`'s.
 */
export async function createFirstDeliveries(
  db: Queryable,
  tenantId: string,
  eventId: string,
  workflowId: string,
  subscriptionIds: string[],
  workflowIds?: string[],
): Promise<PlannedDeliveryRow[]> {
  await db.query(
    `WITH inserted AS (
       INSERT INTO deliveries (id, tenant_id, event_id, subscription_id, workflow_id)
       SELECT ids.id, $1, $2, ids.subscription_id, COALESCE(ids.workflow_id, $3)
       FROM unnest($4::text[], $5::text[], $6::text[]) AS ids(id, subscription_id, workflow_id)
       ON CONFLICT (tenant_id, event_id, subscription_id) WHERE redelivery_of IS NULL DO NOTHING
     )
     ${MARK_DISPATCHED}`,
    [tenantId, eventId, workflowId, subscriptionIds.map(() => newId('dlv')), subscriptionIds, workflowIds ?? subscriptionIds.map(() => null)],
  );
  const { rows } = await db.query<PlannedDeliveryRow>(
    `SELECT d.id AS delivery_id, s.id AS subscription_id, s.url, s.retry_policy, s.timeout_ms,
            s.rate_limit IS NOT NULL AS rate_limited, s.ordering
     FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
     WHERE d.tenant_id = $1 AND d.event_id = $2 AND d.redelivery_of IS NULL
     ORDER BY s.id`,
    [tenantId, eventId],
  );
  return rows;
}

/** A first delivery's plan and, read in the same statement, what its first attempt needs. */
export type FirstDeliveryRow = PlannedDeliveryRow &
  AttemptContext & {
    /** The event's route (tenant, environment, type) has a row in relay_holds: the relay holds it, or this event is its probe. */
    route_held: boolean;
  };

/**
 * `createFirstDeliveries` and each delivery's `attemptContext` in one statement, for an event's first
 * workflow task (or a fan-out slice's: `onlyWorkflowId` keeps the deliveries of that slice). The rows inserted now come from the INSERT's RETURNING; rows an earlier run of the same
 * activity inserted are read from the table (a statement does not see its own CTE's inserts, so the two
 * never overlap). The payload is read once, on the first row: a fan-out must not copy it to every row.
 */
export async function createFirstDeliveriesWithContext(
  db: Queryable,
  tenantId: string,
  eventId: string,
  workflowId: string,
  subscriptionIds: string[],
  onlyWorkflowId: string | null = null,
): Promise<FirstDeliveryRow[]> {
  const { rows } = await db.query<FirstDeliveryRow>(
    `WITH inserted AS (
       INSERT INTO deliveries (id, tenant_id, event_id, subscription_id, workflow_id)
       SELECT ids.id, $1, $2, ids.subscription_id, $3
       FROM unnest($4::text[], $5::text[]) AS ids(id, subscription_id)
       ON CONFLICT (tenant_id, event_id, subscription_id) WHERE redelivery_of IS NULL DO NOTHING
       RETURNING id, tenant_id, event_id, subscription_id, status, attempt_count
     ), dispatched AS (
       ${MARK_DISPATCHED}
     ), planned AS (
       SELECT id, tenant_id, event_id, subscription_id, status, attempt_count FROM inserted
       UNION ALL
       SELECT id, tenant_id, event_id, subscription_id, status, attempt_count FROM deliveries
       WHERE tenant_id = $1 AND event_id = $2 AND redelivery_of IS NULL AND ($6::text IS NULL OR workflow_id = $6)
     )
     SELECT d.id AS delivery_id, s.retry_policy, s.rate_limit IS NOT NULL AS rate_limited, s.ordering,
            ${ATTEMPT_CONTEXT_COLUMNS},
            CASE WHEN row_number() OVER (ORDER BY s.id) = 1 THEN e.payload::text END AS payload,
            EXISTS (SELECT 1 FROM relay_holds h WHERE h.tenant_id = e.tenant_id AND h.environment = e.environment AND h.type = e.type) AS route_held
     FROM planned d
     JOIN subscriptions s ON s.id = d.subscription_id
     JOIN events e ON e.tenant_id = d.tenant_id AND e.id = d.event_id
     ORDER BY s.id`,
    [tenantId, eventId, workflowId, subscriptionIds.map(() => newId('dlv')), subscriptionIds, onlyWorkflowId],
  );
  const payload = rows[0]?.payload;
  for (const row of rows) row.payload = payload!;
  return rows;
}

export async function plannedDelivery(db: Queryable, deliveryId: string): Promise<PlannedDeliveryRow | undefined> {
  const { rows } = await db.query<PlannedDeliveryRow>(
    `SELECT d.id AS delivery_id, s.id AS subscription_id, s.url, s.retry_policy, s.timeout_ms,
            s.rate_limit IS NOT NULL AS rate_limited, s.ordering
     FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
     WHERE d.id = $1 AND d.status = 'pending'`,
    [deliveryId],
  );
  return rows[0];
}

export interface FinishedDelivery {
  /** False when the delivery had already ended (a retried activity): count it once. */
  changed: boolean;
  attempt_count: number;
  last_status_code: number | null;
  last_error: string | null;
  first_attempt_at: Date | null;
  last_attempt_at: Date | null;
}

/** Ends a pending delivery; returns its summary (for a failure.delivery notification) whether or not it was still pending. */
export async function finishDelivery(
  db: Queryable,
  deliveryId: string,
  status: 'failed' | 'cancelled',
  reason: string | null,
): Promise<FinishedDelivery | undefined> {
  const { rows } = await db.query<FinishedDelivery>(
    `WITH finished AS (
       UPDATE deliveries SET status = $2, completed_at = now(), last_error = COALESCE($3, last_error)
       WHERE id = $1 AND status = 'pending'
       RETURNING attempt_count, last_status_code, last_error, first_attempt_at, last_attempt_at
     )
     SELECT true AS changed, * FROM finished
     UNION ALL
     SELECT false, attempt_count, last_status_code, last_error, first_attempt_at, last_attempt_at FROM deliveries
     WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM finished)`,
    [deliveryId, status, reason],
  );
  return rows[0];
}

/** The workflows that make an event's first deliveries, in order (a fan-out's slices). */
export async function deliveryWorkflows(db: Queryable, tenantId: string, eventId: string): Promise<string[]> {
  const { rows } = await db.query<{ workflow_id: string }>(
    `SELECT DISTINCT workflow_id FROM deliveries WHERE tenant_id = $1 AND event_id = $2 AND redelivery_of IS NULL`,
    [tenantId, eventId],
  );
  return rows.map((r) => r.workflow_id).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}
