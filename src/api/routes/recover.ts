import { recoverWorkflowId } from '../../domain/workflow-ids.js';
import type { ApiDeps } from '../app.js';
import { tenantId } from '../auth.js';
import { ApiError, notFound, unavailable } from '../errors.js';
import type { Routes } from '../route.js';
import { IdParam } from '../schemas/common.js';
import { RecoverAccepted, RecoverRequest } from '../schemas/recovery.js';
import { beginRecovery, dropRecovery } from '../../db/recoveries.js';
import { startRecovery } from '../../temporal/workflow-starts.js';
import { audit } from '../audit.js';

export function recoverRoutes(routes: Routes, deps: ApiDeps): void {
  const { pool, temporal, config, logger } = deps;
  const withDeadline = <T>(fn: () => Promise<T>) => temporal.connection.withDeadline(Date.now() + 5_000, fn);

  routes.add(
    {
      method: 'post',
      path: '/v1/subscriptions/:id/recover',
      operationId: 'recoverSubscription',
      tag: 'Subscriptions',
      auth: 'tenant',
      params: IdParam,
      body: RecoverRequest,
      summary: 'Redeliver every failed delivery of this subscription whose event was accepted in [since, until), as one workflow',
      responses: {
        202: { description: 'Started', schema: RecoverAccepted },
        409: { description: 'A recovery of an overlapping window is still running' },
      },
    },
    async ({ params: { id }, body }, req, res) => {
      const tenant = tenantId(res);
      const begun = await beginRecovery(
        pool,
        {
          tenantId: tenant,
          subscriptionId: id,
          since: body.since,
          until: body.until ?? new Date(),
          workflowIdFor: (recoveryId) => recoverWorkflowId(id, recoveryId),
        },
        async (workflowId) => {
          try {
            return (await withDeadline(() => temporal.client.workflow.getHandle(workflowId).describe())).status.name === 'RUNNING';
          } catch (error) {
            if ((error as Error).name === 'WorkflowNotFoundError') return false;
            throw unavailable('Temporal');
          }
        },
      );
      if (begun.status === 'not_found') throw notFound('subscription');
      if (begun.status === 'conflict') {
        throw new ApiError(409, 'recovery_running', `a recovery of an overlapping window is running (workflow ${begun.workflowId})`, [
          { path: 'since', message: 'overlaps a recovery still running' },
        ]);
      }
      try {
        await withDeadline(() =>
          startRecovery(
            temporal.client,
            temporal.taskQueue,
            begun.workflowId,
            { tenantId: tenant, subscriptionId: id, recoveryId: begun.id, timeScale: config.retryTimeScale },
            begun.deliveries,
          ),
        );
      } catch (error) {
        logger.warn({ err: error, subscriptionId: id }, 'recovery not started');
        await dropRecovery(pool, begun.id);
        throw unavailable('Temporal');
      }
      // Written once the workflow started: a recovery that did not start was dropped, and changed nothing.
      await audit(pool, req, res, {
        tenantId: tenant,
        action: 'subscription.recover',
        objectId: id,
        details: { recovery_id: begun.id, workflow_id: begun.workflowId, deliveries: begun.deliveries },
      });
      res.status(202).json({ workflow_id: begun.workflowId, deliveries: begun.deliveries });
    },
  );
}
