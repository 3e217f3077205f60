// The tenant's view of deliveries and attempts, and the writes the API makes to them.
import type { Queryable } from './pool.js';
import { newId } from './ids.js';
import { pageOf } from './cursor.js';
import { DELIVERY_COLUMNS, deliveryToApi } from './events.js';
import type { DeliveryStatus, StatusClass } from '../domain/delivery-status.js';
import type { Environment } from '../domain/environment.js';
import { deliveryWaiting } from '../domain/delivery-waiting.js';
import { policyDelayMs, resolveRetryPolicy, type RetryPolicySpec } from '../domain/retry-policy.js';
import { applyFieldMap } from '../delivery/field-map.js';
import { MASK, TIMESTAMP_HEADER, isMaskedHeader, requestHeaders } from '../delivery/request-headers.js';
import type { Keyring } from '../secrets/encryption-keys.js';
import { openHeaders } from '../secrets/subscription-fields.js';
import { waitingFacts } from './delivery-waiting.js';

export interface DeliveryFilter {
  event_id?: string;
  subscription_id?: string;
  status?: DeliveryStatus;
  event_type?: string;
  environment?: Environment;
  status_class?: StatusClass;
  /** Created at or after. */
  since?: Date;
  /** Created before. */
  until?: Date;
  limit: number;
  /** The seq of the last row of the previous page. */
  after?: string;
}

/** Newest first; `next` is the seq to ask after for the next page. */
export async function listDeliveries(db: Queryable, tenantId: string, filter: DeliveryFilter) {
  const { rows } = await db.query(
    `SELECT ${DELIVERY_COLUMNS}, seq,
       (SELECT e.type FROM events e WHERE e.tenant_id = deliveries.tenant_id AND e.id = deliveries.event_id) AS event_type
     FROM deliveries
     WHERE tenant_id = $1
       AND ($2::text IS NULL OR event_id = $2)
       AND ($3::text IS NULL OR subscription_id = $3)
       AND ($4::text IS NULL OR status = $4)
       AND ($5::bigint IS NULL OR seq < $5)
       AND (($7::text IS NULL AND $8::text IS NULL) OR EXISTS (
         SELECT 1 FROM events e WHERE e.tenant_id = deliveries.tenant_id AND e.id = deliveries.event_id
           AND ($7::text IS NULL OR e.type = $7) AND ($8::text IS NULL OR e.environment = $8)))
       AND ($9::text IS NULL OR CASE WHEN $9 = 'network' THEN attempt_count > 0 AND last_status_code IS NULL
                                     ELSE last_status_code / 100 = left($9, 1)::int END)
       AND ($10::timestamptz IS NULL OR created_at >= $10)
       AND ($11::timestamptz IS NULL OR created_at < $11)
     ORDER BY seq DESC
     LIMIT $6`,
    [
      tenantId,
      filter.event_id ?? null,
      filter.subscription_id ?? null,
      filter.status ?? null,
      filter.after ?? null,
      filter.limit + 1,
      filter.event_type ?? null,
      filter.environment ?? null,
      filter.status_class ?? null,
      filter.since ?? null,
      filter.until ?? null,
    ],
  );
  const page = pageOf(rows, filter.limit);
  return { data: page.rows.map((row) => deliveryToApi(row as Parameters<typeof deliveryToApi>[0])), next: page.next };
}

interface AttemptRow {
  number: number;
  started_at: Date;
  duration_ms: number;
  status_code: number | null;
  error_class: string | null;
  error_message: string | null;
  response_body: string | null;
  response_body_base64: string | null;
}

interface DeliveryRequestRow {
  workflow_id: string;
  event_type: string;
  payload: string;
  url: string;
  method: string;
  headers: Record<string, string>;
  headers_encrypted: string | null;
  field_map: Record<string, string>;
}

export interface DeliveryViewOptions {
  /** Opens the subscription's sealed headers. */
  keyring: Keyring;
  /** The workers' RETRY_TIME_SCALE: the retry policy's intervals as they run. */
  timeScale: number;
}

/**
 * A delivery with its attempts and what its page needs: the event type, the request (the subscription's
 * headers opened and credentials masked, the body exactly as sent) and, while pending, why it waits.
 * The request is built from the subscription as it is now: an attempt made before a PATCH sent the old values.
 */
export async function getDeliveryWithAttempts(db: Queryable, tenantId: string, id: string, options: DeliveryViewOptions) {
  const { rows } = await db.query(
    // The payload as its stored text: what was posted, byte for byte (parsing it would rewrite numbers).
    `SELECT d.*, e.type AS event_type, e.payload::text AS payload, s.url, s.method, s.headers, s.headers_encrypted, s.field_map
     FROM (SELECT ${DELIVERY_COLUMNS}, workflow_id FROM deliveries WHERE tenant_id = $1 AND id = $2) d
     JOIN events e ON e.tenant_id = $1 AND e.id = d.event_id
     JOIN subscriptions s ON s.id = d.subscription_id`,
    [tenantId, id],
  );
  const row = rows[0] as (Parameters<typeof deliveryToApi>[0] & DeliveryRequestRow) | undefined;
  if (!row) return undefined;
  const [attempts, facts] = await Promise.all([
    db.query<AttemptRow>(
      `SELECT number, started_at, duration_ms, status_code, error_class, error_message, response_body,
              -- encode() breaks base64 into lines of 76; the API's value is one line.
              translate(encode(response_body_raw, 'base64'), E'\n', '') AS response_body_base64
       FROM attempts WHERE delivery_id = $1 ORDER BY number`,
      [id],
    ),
    waitingFacts(db, id),
  ]);
  const last = attempts.rows.at(-1);
  const { workflow_id, event_type, payload, url, method, headers, headers_encrypted, field_map, ...delivery } = row;
  const sent = requestHeaders(openHeaders(options.keyring, headers_encrypted, headers), {
    eventId: delivery.event_id,
    eventType: event_type,
    attempt: last?.number ?? 1,
    timestamp: last ? Math.floor(last.started_at.getTime() / 1000) : 0,
    signature: MASK,
  });
  const policy = facts ? resolveRetryPolicy(facts.retry_policy as RetryPolicySpec) : undefined;
  const waiting = facts && policy ? deliveryWaiting(facts, (n) => policyDelayMs(policy, n, options.timeScale)) : null;
  return {
    ...deliveryToApi(delivery),
    workflow_id,
    event_type,
    request_method: method,
    request_url: url,
    request_headers: Object.entries(sent).map(([name, value]) => {
      if (name === TIMESTAMP_HEADER && !last) return { name, value: null, masked: false };
      const masked = isMaskedHeader(name);
      return { name, value: masked ? MASK : value, masked };
    }),
    request_body: applyFieldMap(payload, field_map),
    next_attempt_at: waiting?.until ?? null,
    waiting,
    attempts: attempts.rows.map((a) => ({ ...a, started_at: a.started_at.toISOString() })),
  };
}

/** A new pending delivery of the same event to the same subscription; undefined when the original is not the tenant's. */
export async function createRedelivery(db: Queryable, tenantId: string, originalId: string, workflowIdFor: (deliveryId: string) => string) {
  const id = newId('dlv');
  const { rows } = await db.query<{
    id: string;
    event_id: string;
    subscription_id: string;
    workflow_id: string;
    type: string;
    environment: Environment;
  }>(
    `WITH created AS (
       INSERT INTO deliveries (id, tenant_id, event_id, subscription_id, workflow_id, redelivery_of)
       SELECT $3, d.tenant_id, d.event_id, d.subscription_id, $4, d.id
       FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
       WHERE d.tenant_id = $1 AND d.id = $2 AND s.deleted_at IS NULL
       RETURNING id, tenant_id, event_id, subscription_id, workflow_id
     )
     SELECT c.id, c.event_id, c.subscription_id, c.workflow_id, e.type, e.environment
     FROM created c JOIN events e ON e.tenant_id = c.tenant_id AND e.id = c.event_id`,
    [tenantId, originalId, id, workflowIdFor(id)],
  );
  return rows[0];
}

export async function deleteDelivery(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM deliveries WHERE id = $1', [id]);
}

/** Marks the subscription's pending deliveries cancelled and returns them, so their workflows can be told. */
export async function cancelPendingDeliveries(db: Queryable, subscriptionId: string, reason: string) {
  const { rows } = await db.query<{ id: string; workflow_id: string }>(
    `UPDATE deliveries SET status = 'cancelled', completed_at = now(), last_error = $2
     WHERE subscription_id = $1 AND status = 'pending'
     RETURNING id, workflow_id`,
    [subscriptionId, reason],
  );
  return rows;
}
