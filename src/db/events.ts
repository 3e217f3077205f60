import type { Queryable } from './pool.js';
import type { PrepareInput } from '../activities/types.js';
import type { Environment } from '../domain/environment.js';
import type { DeliveryStatus } from '../domain/delivery-status.js';

interface DeliveryRow {
  id: string;
  event_id: string;
  subscription_id: string;
  status: DeliveryStatus;
  attempt_count: number;
  last_status_code: number | null;
  last_error: string | null;
  redelivery_of: string | null;
  first_attempt_at: Date | null;
  last_attempt_at: Date | null;
  completed_at: Date | null;
  created_at: Date;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function deliveryToApi(row: DeliveryRow) {
  return {
    ...row,
    first_attempt_at: iso(row.first_attempt_at),
    last_attempt_at: iso(row.last_attempt_at),
    completed_at: iso(row.completed_at),
    created_at: row.created_at.toISOString(),
  };
}

export const DELIVERY_COLUMNS = `id, event_id, subscription_id, status, attempt_count, last_status_code, last_error,
  redelivery_of, first_attempt_at, last_attempt_at, completed_at, created_at`;

/** The event with its deliveries; `tenantId` undefined (the admin) finds it in any tenant when the id is unambiguous. */
export async function getEventWithDeliveries(db: Queryable, eventId: string, tenantId: string | undefined) {
  const { rows } = await db.query<{
    id: string;
    tenant_id: string;
    environment: Environment;
    type: string;
    payload: string;
    workflow_id: string;
    created_at: Date;
    started_at: Date | null;
    suppressed_by: string | null;
  }>(
    // The payload as its stored text: what was posted, byte for byte (parsing it would rewrite numbers).
    `SELECT id, tenant_id, environment, type, payload::text AS payload, workflow_id, created_at, started_at, suppressed_by FROM events
     WHERE id = $1 AND ($2::text IS NULL OR tenant_id = $2) LIMIT 2`,
    [eventId, tenantId ?? null],
  );
  if (rows.length !== 1) return { event: undefined, ambiguous: rows.length > 1 };
  const event = rows[0]!;
  const deliveries = await db.query<DeliveryRow>(
    `SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE tenant_id = $1 AND event_id = $2 ORDER BY created_at, id`,
    [event.tenant_id, event.id],
  );
  return {
    event: {
      ...event,
      created_at: event.created_at.toISOString(),
      started_at: event.started_at?.toISOString() ?? null,
      deliveries: deliveries.rows.map(deliveryToApi),
    },
    ambiguous: false,
  };
}

/** The stored payload of an event (what its workflow no longer carries). */
export async function eventPayload(db: Queryable, tenantId: string, eventId: string): Promise<Record<string, unknown>> {
  const { rows } = await db.query<{ payload: Record<string, unknown> }>('SELECT payload FROM events WHERE tenant_id = $1 AND id = $2', [
    tenantId,
    eventId,
  ]);
  if (!rows[0]) throw new Error(`event ${tenantId}/${eventId} is not stored`);
  return rows[0].payload;
}

/**
 * An event written by a running workflow (a failure notification, or an event of a workflow started
 * before durable accept, whose payload came in its input): stored as started, so the relay leaves it.
 * Idempotent.
 */
export async function insertEvent(db: Queryable, event: Required<PrepareInput>): Promise<void> {
  await db.query(
    `INSERT INTO events (tenant_id, id, environment, type, payload, workflow_id, started_at)
     VALUES ($1, $2, $3, $4, $5, $6, now()) ON CONFLICT DO NOTHING`,
    [event.tenantId, event.eventId, event.environment, event.type, JSON.stringify(event.payload), event.workflowId],
  );
}

export async function markSuppressed(db: Queryable, tenantId: string, eventId: string, suppressedBy: string): Promise<void> {
  await db.query('UPDATE events SET suppressed_by = $3 WHERE tenant_id = $1 AND id = $2', [tenantId, eventId, suppressedBy]);
}
