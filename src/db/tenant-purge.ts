// Tenant purge (DELETE /v1/tenants/:id): the mark that stops the tenant at once, and the batches the
// purge workflow deletes its rows in.
import type { Queryable } from './pool.js';
import type { PurgePart } from '../domain/tenant-purge.js';

/**
 * One statement: marks the tenant purging (kept from a first DELETE), soft-deletes its subscriptions
 * (so no event workflow plans a delivery to them and no pending delivery makes another attempt: the
 * deliver activity reads the subscription before each one) and ends its portal sessions. `marked` by this
 * call, `already` purging (a repeated DELETE), or undefined when there is no such tenant (never was, or
 * already purged). Of two DELETEs at once only one is `marked`: the second's UPDATE waits for the first's
 * row lock, then finds the tenant marked.
 */
export async function beginTenantPurge(db: Queryable, tenantId: string): Promise<'marked' | 'already' | undefined> {
  const { rows } = await db.query<{ found: boolean; first: boolean }>(
    `WITH marked AS (UPDATE tenants SET purging_at = now() WHERE id = $1 AND purging_at IS NULL RETURNING id),
     t AS (SELECT id FROM tenants WHERE id = $1),
     s AS (UPDATE subscriptions SET deleted_at = now(), updated_at = now()
           WHERE tenant_id IN (SELECT id FROM t) AND deleted_at IS NULL RETURNING 1),
     p AS (UPDATE portal_sessions SET expires_at = least(expires_at, now())
           WHERE tenant_id IN (SELECT id FROM t) AND expires_at > now() RETURNING 1)
     SELECT EXISTS (SELECT 1 FROM t) AS found, EXISTS (SELECT 1 FROM marked) AS first`,
    [tenantId],
  );
  const { found, first } = rows[0]!;
  return found ? (first ? 'marked' : 'already') : undefined;
}

/** Up to `limit` of the tenant's pending deliveries, now cancelled, so the purge can tell their workflows. */
export async function cancelTenantDeliveries(db: Queryable, tenantId: string, limit: number): Promise<Array<{ id: string; workflow_id: string }>> {
  const { rows } = await db.query<{ id: string; workflow_id: string }>(
    `UPDATE deliveries SET status = 'cancelled', completed_at = now(), last_error = 'the tenant was deleted'
     WHERE id IN (SELECT id FROM deliveries WHERE tenant_id = $1 AND status = 'pending' LIMIT $2)
       AND status = 'pending'
     RETURNING id, workflow_id`,
    [tenantId, limit],
  );
  return rows;
}

/** One batch of each part of PURGE_ORDER (src/domain/tenant-purge.ts), by primary key. */
const PURGE_PARTS: Record<PurgePart, string> = {
  events: `DELETE FROM events WHERE (tenant_id, id) IN (SELECT tenant_id, id FROM events WHERE tenant_id = $1 LIMIT $2)`,
  // None should be left once the events are gone (every delivery belongs to an event of its tenant).
  deliveries: `DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries WHERE tenant_id = $1 LIMIT $2)`,
  recoveries: `DELETE FROM recoveries WHERE id IN (SELECT id FROM recoveries WHERE tenant_id = $1 LIMIT $2)`,
  subscriptions: `DELETE FROM subscriptions WHERE id IN (SELECT id FROM subscriptions WHERE tenant_id = $1 LIMIT $2)`,
  notification_windows: `DELETE FROM notification_windows WHERE (tenant_id, key) IN (SELECT tenant_id, key FROM notification_windows WHERE tenant_id = $1 LIMIT $2)`,
  portal_sessions: `DELETE FROM portal_sessions WHERE id IN (SELECT id FROM portal_sessions WHERE tenant_id = $1 LIMIT $2)`,
  api_keys: `DELETE FROM api_keys WHERE id IN (SELECT id FROM api_keys WHERE tenant_id = $1 LIMIT $2)`,
  tenant: `DELETE FROM tenants WHERE id = $1 AND purging_at IS NOT NULL AND $2::int > 0`,
};

/** Deletes up to `limit` rows of one part; returns how many. */
export async function purgeBatch(db: Queryable, tenantId: string, part: PurgePart, limit: number): Promise<number> {
  const result = await db.query(PURGE_PARTS[part], [tenantId, limit]);
  return result.rowCount ?? 0;
}
