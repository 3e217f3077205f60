// The audit log: one row per admin or tenant change (who, what, when, from where). Written in the
// transaction of the change where there is one; read by GET /v1/audit; pruned by src/audit-retention.ts.
import type { Queryable } from './pool.js';
import { newId } from './ids.js';
import { pageOf } from './cursor.js';
import { objectTypeOf, type ActorType, type AuditAction } from '../domain/audit.js';

export interface Actor {
  type: ActorType;
  /** A producer key id, `admin-token`, a tenant key id or a portal session id. */
  id: string;
}

export interface AuditEntry {
  actor: Actor;
  /** The tenant whose object changed; null for the producer's own (keys, the catalog). */
  tenantId: string | null;
  action: AuditAction;
  objectId: string;
  /** Names and counts only: never a secret, a payload, a URL or a header value. */
  details?: Record<string, unknown>;
  ip: string | null;
  userAgent: string | null;
}

export async function recordAudit(db: Queryable, entry: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (id, actor_type, actor_id, tenant_id, action, object_type, object_id, details, ip, user_agent)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      newId('aud'),
      entry.actor.type,
      entry.actor.id,
      entry.tenantId,
      entry.action,
      objectTypeOf(entry.action),
      entry.objectId,
      JSON.stringify(entry.details ?? {}),
      entry.ip,
      entry.userAgent,
    ],
  );
}

export interface AuditRow {
  id: string;
  at: Date;
  actor_type: ActorType;
  actor_id: string;
  tenant_id: string | null;
  action: AuditAction;
  object_type: string;
  object_id: string;
  details: Record<string, unknown>;
  ip: string | null;
  user_agent: string | null;
}

export interface AuditFilter {
  /** A tenant's own entries only (the tenant's view), or, for the admin, one tenant's. */
  tenantId?: string;
  actorId?: string;
  action?: AuditAction;
  objectType?: string;
  objectId?: string;
  since?: Date;
  until?: Date;
  limit: number;
  after?: string;
}

/** Newest first, on seq (see src/db/cursor.ts); `since` inclusive, `until` exclusive. */
export async function listAudit(db: Queryable, f: AuditFilter): Promise<{ data: AuditRow[]; next: string | null }> {
  // seq is read as text (exact past 2^53) and ordered by the column, not by that text ('9' > '14').
  const { rows } = await db.query<AuditRow & { seq: string }>(
    `SELECT seq::text AS seq, id, at, actor_type, actor_id, tenant_id, action, object_type, object_id, details, ip, user_agent
     FROM audit_log
     WHERE ($1::text IS NULL OR tenant_id = $1)
       AND ($2::text IS NULL OR actor_id = $2)
       AND ($3::text IS NULL OR action = $3)
       AND ($4::text IS NULL OR object_type = $4)
       AND ($5::text IS NULL OR object_id = $5)
       AND ($6::timestamptz IS NULL OR at >= $6)
       AND ($7::timestamptz IS NULL OR at < $7)
       AND ($8::bigint IS NULL OR seq < $8)
     ORDER BY audit_log.seq DESC
     LIMIT $9`,
    [
      f.tenantId ?? null,
      f.actorId ?? null,
      f.action ?? null,
      f.objectType ?? null,
      f.objectId ?? null,
      f.since ?? null,
      f.until ?? null,
      f.after ?? null,
      f.limit + 1,
    ],
  );
  const page = pageOf(rows, f.limit);
  return { data: page.rows, next: page.next };
}
