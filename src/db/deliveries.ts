import type { Queryable } from './pool.js';
import { newId } from './ids.js';

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed' | 'cancelled';

export interface EventRecord {
  tenantId: string;
  eventId: string;
  environment: string;
  type: string;
  payload: Record<string, unknown>;
  workflowId: string;
}

/**
 * An event written by a running workflow (a failure notification, or an event of a workflow started
 * before durable accept, whose payload came in its input): stored as started, so the relay leaves it.
 * Idempotent.
 */
export async function insertEvent(db: Queryable, event: EventRecord): Promise<void> {
  await db.query(
    `INSERT INTO events (tenant_id, id, environment, type, payload, workflow_id, started_at)
     VALUES ($1, $2, $3, $4, $5, $6, now()) ON CONFLICT DO NOTHING`,
    [event.tenantId, event.eventId, event.environment, event.type, JSON.stringify(event.payload), event.workflowId],
  );
}

export interface CandidateSubscription {
  id: string;
  url: string;
  event_types: string[];
  retry_policy: unknown;
  timeout_ms: number;
}

export async function enabledSubscriptions(db: Queryable, tenantId: string, environment: string): Promise<CandidateSubscription[]> {
  const { rows } = await db.query<CandidateSubscription>(
    `SELECT id, url, event_types, retry_policy, timeout_ms FROM subscriptions
     WHERE tenant_id = $1 AND environment = $2 AND enabled AND deleted_at IS NULL`,
    [tenantId, environment],
  );
  return rows;
}

export interface PlannedDeliveryRow {
  delivery_id: string;
  subscription_id: string;
  url: string;
  retry_policy: unknown;
  timeout_ms: number;
}

/**
 * Creates the event's first delivery to each subscription (at most one each, whatever the retries)
 * and returns every first delivery of the event, so a retried activity sees the same set.
 */
export async function createFirstDeliveries(
  db: Queryable, tenantId: string, eventId: string, workflowId: string, subscriptionIds: string[],
): Promise<PlannedDeliveryRow[]> {
  await db.query(
    `INSERT INTO deliveries (id, tenant_id, event_id, subscription_id, workflow_id)
     SELECT ids.id, $1, $2, ids.subscription_id, $3
     FROM unnest($4::text[], $5::text[]) AS ids(id, subscription_id)
     ON CONFLICT (tenant_id, event_id, subscription_id) WHERE redelivery_of IS NULL DO NOTHING`,
    [tenantId, eventId, workflowId, subscriptionIds.map(() => newId('dlv')), subscriptionIds],
  );
  const { rows } = await db.query<PlannedDeliveryRow>(
    `SELECT d.id AS delivery_id, s.id AS subscription_id, s.url, s.retry_policy, s.timeout_ms
     FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
     WHERE d.tenant_id = $1 AND d.event_id = $2 AND d.redelivery_of IS NULL
     ORDER BY s.id`,
    [tenantId, eventId],
  );
  return rows;
}

export interface AttemptContext {
  delivery_status: DeliveryStatus;
  tenant_id: string;
  event_id: string;
  event_type: string;
  payload: string;
  subscription_id: string;
  url: string;
  method: 'POST' | 'PUT';
  headers: Record<string, string>;
  field_map: Record<string, string>;
  timeout_ms: number;
  enabled: boolean;
  deleted: boolean;
  secret: string;
  previous_secret: string | null;
  previous_secret_active: boolean;
  event_created_at: Date;
}

/** Everything one attempt needs, read fresh each attempt: a PATCHed url, a rotated secret or a disabled subscription take effect at once. */
export async function attemptContext(db: Queryable, deliveryId: string): Promise<AttemptContext | undefined> {
  const { rows } = await db.query<AttemptContext>(
    `SELECT d.status AS delivery_status, d.tenant_id, d.event_id, e.type AS event_type, e.payload::text AS payload,
            s.id AS subscription_id, s.url, s.method, s.headers, s.field_map, s.timeout_ms, s.enabled,
            s.deleted_at IS NOT NULL AS deleted, s.secret, s.previous_secret,
            COALESCE(s.previous_secret_until > now(), false) AS previous_secret_active, e.created_at AS event_created_at
     FROM deliveries d
     JOIN subscriptions s ON s.id = d.subscription_id
     JOIN events e ON e.tenant_id = d.tenant_id AND e.id = d.event_id
     WHERE d.id = $1`,
    [deliveryId],
  );
  return rows[0];
}

export interface AttemptRecord {
  deliveryId: string;
  subscriptionId: string;
  number: number;
  startedAt: Date;
  durationMs: number;
  ok: boolean;
  statusCode?: number;
  errorClass?: string;
  errorMessage?: string;
  responseBody?: string;
}

/**
 * One round trip: the attempt row, the delivery's summary (succeeded on a 2xx) and the
 * subscription's failure clock (reset by a success). Returns when the subscription started failing.
 */
export async function recordAttempt(db: Queryable, a: AttemptRecord): Promise<{ failingSince: Date | null }> {
  const lastError = a.ok ? null : a.errorMessage ?? (a.statusCode ? `HTTP ${a.statusCode}` : a.errorClass ?? null);
  const { rows } = await db.query<{ failing_since: Date | null }>(
    `WITH attempt AS (
       INSERT INTO attempts (delivery_id, number, started_at, duration_ms, status_code, error_class, error_message, response_body)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (delivery_id, number) DO NOTHING
     ), delivery AS (
       UPDATE deliveries SET
         attempt_count = GREATEST(attempt_count, $2),
         last_status_code = $5,
         last_error = $9,
         first_attempt_at = COALESCE(first_attempt_at, $3),
         last_attempt_at = $3,
         status = CASE WHEN $10::boolean THEN 'succeeded' ELSE status END,
         completed_at = CASE WHEN $10::boolean THEN now() ELSE completed_at END
       WHERE id = $1 AND status = 'pending'
     )
     UPDATE subscriptions SET failing_since = CASE WHEN $10::boolean THEN NULL ELSE COALESCE(failing_since, $3) END
     WHERE id = $11
     RETURNING failing_since`,
    [a.deliveryId, a.number, a.startedAt, a.durationMs, a.statusCode ?? null, a.errorClass ?? null,
      a.errorMessage ?? null, a.responseBody ?? null, lastError, a.ok, a.subscriptionId],
  );
  return { failingSince: rows[0]?.failing_since ?? null };
}

export async function finishDelivery(db: Queryable, deliveryId: string, status: 'failed' | 'cancelled', reason: string | null): Promise<void> {
  await db.query(
    `UPDATE deliveries SET status = $2, completed_at = now(), last_error = COALESCE($3, last_error)
     WHERE id = $1 AND status = 'pending'`,
    [deliveryId, status, reason],
  );
}

export async function disableSubscription(db: Queryable, subscriptionId: string, reason: string): Promise<boolean> {
  const result = await db.query(
    `UPDATE subscriptions SET enabled = false, disabled_reason = $2, updated_at = now()
     WHERE id = $1 AND enabled`,
    [subscriptionId, reason],
  );
  return (result.rowCount ?? 0) > 0;
}

export async function plannedDelivery(db: Queryable, deliveryId: string): Promise<PlannedDeliveryRow | undefined> {
  const { rows } = await db.query<PlannedDeliveryRow>(
    `SELECT d.id AS delivery_id, s.id AS subscription_id, s.url, s.retry_policy, s.timeout_ms
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
export async function finishDeliveryReturning(db: Queryable, deliveryId: string, status: 'failed' | 'cancelled', reason: string | null): Promise<FinishedDelivery | undefined> {
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

/**
 * Claims the notification window of `key` for this event: true when no other event notified the
 * same key within `windowMs` (or this event already holds it, so a retried activity agrees with itself).
 */
export async function claimNotificationWindow(db: Queryable, tenantId: string, key: string, eventId: string, windowMs: number): Promise<{ claimed: boolean; holder: string }> {
  const { rows } = await db.query<{ event_id: string }>(
    `INSERT INTO notification_windows AS w (tenant_id, key, event_id, notified_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (tenant_id, key) DO UPDATE SET event_id = EXCLUDED.event_id,
       notified_at = CASE WHEN w.event_id = EXCLUDED.event_id THEN w.notified_at ELSE EXCLUDED.notified_at END
       WHERE w.event_id = EXCLUDED.event_id OR w.notified_at <= now() - make_interval(secs => $4::double precision / 1000)
     RETURNING event_id`,
    [tenantId, key, eventId, windowMs],
  );
  if (rows[0]) return { claimed: true, holder: eventId };
  const held = await db.query<{ event_id: string }>('SELECT event_id FROM notification_windows WHERE tenant_id = $1 AND key = $2', [tenantId, key]);
  return { claimed: false, holder: held.rows[0]?.event_id ?? '' };
}

export async function markSuppressed(db: Queryable, tenantId: string, eventId: string, suppressedBy: string): Promise<void> {
  await db.query('UPDATE events SET suppressed_by = $3 WHERE tenant_id = $1 AND id = $2', [tenantId, eventId, suppressedBy]);
}
