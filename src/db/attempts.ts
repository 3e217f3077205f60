// The attempts table: what one attempt needs, and its record.
import type { HttpMethod } from '../domain/http-method.js';
import type { Queryable } from './pool.js';
import type { DeliveryStatus } from './deliveries.js';
import { activePreviousSecrets, STORED_PREVIOUS_SECRET } from './subscription-secrets.js';
import type { StoredBody } from '../delivery/response-body.js';
import type { CircuitEffect } from '../domain/flow-control.js';
import { RECORD_ISOLATION_CTES, type CircuitSettings } from './isolation.js';

export interface AttemptContext {
  delivery_status: DeliveryStatus;
  tenant_id: string;
  event_id: string;
  event_type: string;
  payload: string;
  subscription_id: string;
  url: string;
  method: HttpMethod;
  /** Plaintext headers of a row not sealed yet (`{}` once sealed); `headers_encrypted` holds them sealed. */
  headers: Record<string, string>;
  headers_encrypted: string | null;
  field_map: Record<string, string>;
  timeout_ms: number;
  enabled: boolean;
  deleted: boolean;
  /** The signing key as stored: sealed, opened only where the request is signed (src/delivery/signing-keys.ts). */
  secret: string;
  /** The replaced keys still signing beside `secret`, newest first (expired ones are left out), as stored. */
  previous_secrets: string[];
  event_created_at: Date;
  /** The subscription's bulkhead. */
  max_in_flight: number;
  /** Attempts recorded so far: the next one is number attempt_count + 1, however often it waited at the gate. */
  attempt_count: number;
  /** The event's acceptance order (a bigint as text): its attempts' place among those waiting at the gate. */
  accepted_seq: string;
}

/**
 * AttemptContext's columns but the payload, over a delivery `d`, its subscription `s` and its event `e`:
 * one list for every query that reads what an attempt needs (its callers choose how to read the payload).
 */
export const ATTEMPT_CONTEXT_COLUMNS = `d.status AS delivery_status, d.tenant_id, d.event_id, e.type AS event_type,
            s.id AS subscription_id, s.url, s.method, s.headers, s.headers_encrypted, s.field_map, s.timeout_ms, s.enabled,
            s.deleted_at IS NOT NULL AS deleted, COALESCE(s.secret_encrypted, s.secret) AS secret,
            ${activePreviousSecrets('s.previous_secrets', STORED_PREVIOUS_SECRET)} AS previous_secrets, e.created_at AS event_created_at,
            s.max_in_flight, d.attempt_count, e.accepted_seq::text AS accepted_seq`;

/** Everything one attempt needs, read fresh each attempt: a PATCHed url, a rotated secret or a disabled subscription take effect at once. */
export async function attemptContext(db: Queryable, deliveryId: string): Promise<AttemptContext | undefined> {
  const { rows } = await db.query<AttemptContext>(
    `SELECT ${ATTEMPT_CONTEXT_COLUMNS}, e.payload::text AS payload
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
  responseBody?: StoredBody;
  /** How this result moves the subscription's circuit. */
  circuit: CircuitEffect;
}

/**
 * One round trip: the attempt row, the delivery's summary (succeeded on a 2xx), the attempt's bulkhead
 * slots freed, its subscription's circuit moved, and the subscription's failure clock (reset by a success). Returns when the subscription started failing.
 */
export async function recordAttempt(db: Queryable, a: AttemptRecord, circuit: CircuitSettings): Promise<{ failingSince: Date | null }> {
  const lastError = a.ok ? null : (a.errorMessage ?? (a.statusCode ? `HTTP ${a.statusCode}` : (a.errorClass ?? null)));
  const { rows } = await db.query<{ failing_since: Date | null }>(
    `WITH attempt AS (
       INSERT INTO attempts (delivery_id, number, started_at, duration_ms, status_code, error_class, error_message, response_body, response_body_raw)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $12)
       ON CONFLICT (delivery_id, number) DO NOTHING
     ), delivery AS (
       -- Also on a delivery that ended meanwhile (cancelled while this attempt was in flight): the attempt was
       -- made and counts; only a pending delivery changes status, and an ended one keeps its reason.
       UPDATE deliveries SET
         attempt_count = GREATEST(attempt_count, $2),
         last_status_code = CASE WHEN $2 >= attempt_count THEN $5 ELSE last_status_code END,
         last_error = CASE WHEN status = 'pending' AND $2 >= attempt_count THEN $9 ELSE last_error END,
         first_attempt_at = LEAST(first_attempt_at, $3),
         last_attempt_at = GREATEST(last_attempt_at, $3),
         status = CASE WHEN $10::boolean AND status = 'pending' THEN 'succeeded' ELSE status END,
         completed_at = CASE WHEN $10::boolean AND status = 'pending' THEN now() ELSE completed_at END
       WHERE id = $1
     ), ${RECORD_ISOLATION_CTES}
     UPDATE subscriptions SET failing_since = CASE WHEN $10::boolean THEN NULL ELSE COALESCE(failing_since, $3) END
     WHERE id = $11
     RETURNING failing_since`,
    [
      a.deliveryId,
      a.number,
      a.startedAt,
      a.durationMs,
      a.statusCode ?? null,
      a.errorClass ?? null,
      a.errorMessage ?? null,
      a.responseBody?.text ?? null,
      lastError,
      a.ok,
      a.subscriptionId,
      a.responseBody?.raw ?? null,
      a.circuit,
      circuit.failureThreshold,
      Math.round(circuit.cooldownMs),
      Math.round(circuit.maxCooldownMs),
    ],
  );
  return { failingSince: rows[0]?.failing_since ?? null };
}

/** The attempt that delivered, as recorded (for an attempt that finds its delivery already succeeded). */
export async function succeededAttempt(
  db: Queryable,
  deliveryId: string,
): Promise<{ number: number; status_code: number; duration_ms: number } | undefined> {
  // The 2xx attempt row; the delivery row's own summary if that attempt's number was already taken
  // by an earlier run of the same attempt (a local activity re-run after a worker crash).
  const { rows } = await db.query<{ number: number; status_code: number; duration_ms: number }>(
    `SELECT COALESCE(ok.number, d.attempt_count) AS number, COALESCE(ok.status_code, d.last_status_code) AS status_code,
            COALESCE(ok.duration_ms, last.duration_ms, 0) AS duration_ms
     FROM deliveries d
     LEFT JOIN LATERAL (
       SELECT number, status_code, duration_ms FROM attempts
       WHERE delivery_id = d.id AND status_code BETWEEN 200 AND 299 ORDER BY number LIMIT 1
     ) ok ON true
     LEFT JOIN attempts last ON last.delivery_id = d.id AND last.number = d.attempt_count
     WHERE d.id = $1 AND d.status = 'succeeded'`,
    [deliveryId],
  );
  return rows[0];
}
