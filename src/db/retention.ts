// Retention: events older than RETENTION leave with their deliveries and attempts (ON DELETE CASCADE),
// a bounded batch at a time, oldest first.
import type { Queryable } from './pool.js';

/**
 * Deletes up to `limit` events accepted before `cutoff`, by primary key; returns how many. An event still
 * waiting for its workflow, or with a delivery still pending, is left for a later run. SKIP LOCKED: a
 * row some other statement holds is skipped rather than waited for.
 */
export async function deleteExpiredEvents(db: Queryable, cutoff: Date, limit: number): Promise<number> {
  const result = await db.query(
    `DELETE FROM events WHERE (tenant_id, id) IN (
       SELECT e.tenant_id, e.id FROM events e
       WHERE e.created_at < $1 AND e.started_at IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.tenant_id = e.tenant_id AND d.event_id = e.id AND d.status = 'pending')
       ORDER BY e.created_at
       LIMIT $2
       FOR UPDATE SKIP LOCKED
     )`,
    [cutoff, limit],
  );
  return result.rowCount ?? 0;
}

/**
 * Deletes up to `limit` audit entries written before `cutoff`, oldest first; returns how many. The audit
 * log has a retention of its own (AUDIT_RETENTION): it outlives the events it does not describe anyway.
 */
export async function deleteExpiredAuditEntries(db: Queryable, cutoff: Date, limit: number): Promise<number> {
  const result = await db.query(
    `DELETE FROM audit_log WHERE seq IN (
       SELECT seq FROM audit_log WHERE at < $1 ORDER BY at LIMIT $2 FOR UPDATE SKIP LOCKED
     )`,
    [cutoff, limit],
  );
  return result.rowCount ?? 0;
}
