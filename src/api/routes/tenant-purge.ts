import type { ApiDeps } from '../app.js';
import { notFound, unavailable } from '../errors.js';
import type { Routes } from '../route.js';
import { IdParam } from '../schemas/common.js';
import { TenantPurgeAccepted } from '../schemas/tenant-purge.js';
import { beginTenantPurge } from '../../db/tenant-purge.js';
import { startTenantPurge } from '../../temporal/workflow-starts.js';
import { audited } from '../audit.js';

export function tenantPurgeRoutes(routes: Routes, deps: ApiDeps): void {
  const { pool, temporal, logger } = deps;

  /**
   * The mark comes first and is what the 202 promises: from its commit the key gets 401, portal sessions
   * end, new events get 400 and nothing more is attempted. The workflow then deletes the rows. A second
   * DELETE while it runs joins the same workflow (one id, USE_EXISTING): never two purges at once.
   */
  routes.add(
    {
      method: 'delete',
      path: '/v1/tenants/:id',
      operationId: 'deleteTenant',
      tag: 'Tenants',
      auth: 'admin',
      params: IdParam,
      summary: 'Purge a tenant: its key stops working at once, then a workflow deletes all its data',
      responses: { 202: { description: 'Purging (or already purging)', schema: TenantPurgeAccepted } },
    },
    async ({ params: { id } }, req, res) => {
      const begun = await audited(
        pool,
        req,
        res,
        (tx) => beginTenantPurge(tx, id),
        // A repeated DELETE joins the purge under way: it changes nothing, so it writes no entry.
        (mark) => (mark === 'marked' ? { tenantId: id, action: 'tenant.purge', objectId: id } : undefined),
      );
      if (!begun) throw notFound('tenant');
      let workflowId: string;
      try {
        workflowId = await temporal.connection.withDeadline(Date.now() + 5_000, () => startTenantPurge(temporal.client, temporal.taskQueue, id));
      } catch (error) {
        // The tenant stays marked (its key keeps getting 401); DELETE again starts the purge.
        logger.warn({ err: error, tenantId: id }, 'purge workflow not started');
        throw unavailable('Temporal');
      }
      res.status(202).json({ tenant_id: id, workflow_id: workflowId });
    },
  );
}
