// Test events (`hookrelay.test`, or a catalog type the tenant chose): one event row and one pending delivery
// to the one subscription it tests.
import { newId } from './ids.js';
import type { Pool } from './pool.js';
import type { Environment } from '../domain/environment.js';
import { TEST_EVENT_TYPE } from '../domain/event-type.js';

export interface CreatedTestEvent {
  eventId: string;
  deliveryId: string;
  workflowId: string;
  environment: Environment;
}

/**
 * Writes the event and its single delivery together (nothing half-written); undefined when the
 * subscription is not the tenant's, `'disabled'` (nothing written) when it is disabled, since its delivery
 * would only be cancelled. The subscription's row is read FOR SHARE: a PATCH disabling it meanwhile either
 * comes first (and this answers `'disabled'`) or waits, then cancels this delivery with the others.
 * The event row records the single-delivery workflow as its workflow, which the API starts itself: the
 * row is stored as started, so the relay (which starts event workflows) leaves it.
 */
export async function createTestEvent(
  pool: Pool,
  tenantId: string,
  subscriptionId: string,
  type: string,
  payload: string | undefined,
  workflowIdFor: (deliveryId: string) => string,
): Promise<CreatedTestEvent | 'disabled' | undefined> {
  const eventId = newId('evt');
  const deliveryId = newId('dlv');
  const workflowId = workflowIdFor(deliveryId);
  const { rows } = await pool.query<{ environment: Environment; enabled: boolean }>(
    `WITH sub AS (
       SELECT id, environment, enabled FROM subscriptions WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL FOR SHARE
     ), event AS (
       INSERT INTO events (tenant_id, id, environment, type, payload, workflow_id, started_at, dispatched_at)
       SELECT $1, $3, sub.environment, $6, $7::json, $5, now(), now() FROM sub WHERE sub.enabled
       RETURNING id
     ), delivery AS (
       INSERT INTO deliveries (id, tenant_id, event_id, subscription_id, workflow_id)
       SELECT $4, $1, event.id, $2, $5 FROM event
     )
     SELECT environment, enabled FROM sub`,
    [
      tenantId,
      subscriptionId,
      eventId,
      deliveryId,
      workflowId,
      type,
      payload ??
        JSON.stringify({
          type: TEST_EVENT_TYPE,
          message: 'A test event sent from hookrelay',
          subscription_id: subscriptionId,
          sent_at: new Date().toISOString(),
        }),
    ],
  );
  const sub = rows[0];
  if (!sub) return undefined;
  if (!sub.enabled) return 'disabled';
  return { eventId, deliveryId, workflowId, environment: sub.environment };
}

/** Undoes a test event whose workflow could not be started. */
export async function deleteTestEvent(pool: Pool, tenantId: string, eventId: string): Promise<void> {
  await pool.query('DELETE FROM events WHERE tenant_id = $1 AND id = $2', [tenantId, eventId]);
}
