// GET /v1/audit: the whole log to a producer credential with keys:manage, a tenant's own entries to it.
import type { ApiDeps } from '../app.js';
import { principal } from '../auth.js';
import type { Routes } from '../route.js';
import { cursorParam, pageBody } from '../route-helpers.js';
import { AuditPage, AuditQuery } from '../schemas/audit.js';
import { listAudit, type AuditRow } from '../../db/audit.js';

/** The producer's cursors of the whole log are bound to this name instead of a tenant id (no tenant id starts with `*`). */
const PRODUCER_VIEW = '*producer';

function view(row: AuditRow, asTenant: boolean) {
  // A tenant sees that the producer changed its objects, not with which key, from which address or client.
  const byProducer = row.actor_type === 'admin_token' || row.actor_type === 'producer_key';
  const hidden = asTenant && byProducer;
  return {
    id: row.id,
    at: row.at.toISOString(),
    actor: hidden ? { type: 'producer' as const, id: null } : { type: row.actor_type, id: row.actor_id },
    tenant_id: row.tenant_id,
    action: row.action,
    object: { type: row.object_type, id: row.object_id },
    details: row.details,
    ip: hidden ? null : row.ip,
    user_agent: hidden ? null : row.user_agent,
  };
}

export function auditRoutes(routes: Routes, deps: ApiDeps): void {
  routes.add(
    {
      method: 'get',
      path: '/v1/audit',
      operationId: 'listAuditEntries',
      tag: 'Audit log',
      auth: 'any',
      query: AuditQuery,
      summary: "The audit log, newest first: every change, who made it, when and from where (a tenant: its own objects' entries)",
      responses: { 200: { description: 'A page', schema: AuditPage } },
    },
    async ({ query: { cursor, limit, tenant_id, actor_id, action, object_type, object_id, since, until } }, _req, res) => {
      const who = principal(res);
      const asTenant = who.kind === 'tenant';
      const owner = asTenant ? who.tenantId : PRODUCER_VIEW;
      // A tenant's filter on another tenant narrows its own entries to none: never anyone else's.
      if (asTenant && tenant_id !== undefined && tenant_id !== who.tenantId) return res.json({ data: [], next_cursor: null });
      const after = cursorParam(deps.cursors, 'audit', owner, cursor);
      const page = await listAudit(deps.pool, {
        tenantId: asTenant ? who.tenantId : tenant_id,
        actorId: actor_id,
        action,
        objectType: object_type,
        objectId: object_id,
        since,
        until,
        limit,
        after,
      });
      res.json(pageBody(deps.cursors, 'audit', owner, { data: page.data.map((row) => view(row, asTenant)), next: page.next }));
    },
  );
}
