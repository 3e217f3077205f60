import { continueAsNew, getExternalWorkflowHandle, proxyActivities } from '@temporalio/workflow';
import { historyIsLong } from './history-budget.js';
import type { LifecycleActivities } from '../activities/lifecycle.js';
import { PURGE_ORDER } from '../domain/tenant-purge.js';
import { cancelDeliverySignal } from './signals.js';

export interface PurgeTenantInput {
  tenantId: string;
  /** Rows per delete statement (default 500; tests use fewer to see several batches). */
  batchSize?: number;
}

export interface PurgeTenantResult {
  cancelled: number;
  deleted: Record<string, number>;
}

// Regular activities, so a batch in progress shows in the Web UI; retried until the database answers.
const purge = proxyActivities<LifecycleActivities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

const CANCEL_BATCH = 100;

/**
 * Deletes a tenant that DELETE /v1/tenants/:id has marked purging: cancels its pending deliveries (and
 * tells their workflows, so none waits for its next retry), then deletes its rows part by part in
 * bounded batches, the tenant row last. Long purges continue as new before the history grows large.
 */
export async function purgeTenantWorkflow(
  input: PurgeTenantInput,
  progress: PurgeTenantResult = { cancelled: 0, deleted: {} },
): Promise<PurgeTenantResult> {
  const limit = input.batchSize ?? 500;
  for (;;) {
    const cancelled = await purge.cancelTenantDeliveries({ tenantId: input.tenantId, limit: CANCEL_BATCH });
    // A workflow that has ended already cannot be told, and needs not be.
    await Promise.all(
      cancelled.map((d) =>
        getExternalWorkflowHandle(d.workflowId)
          .signal(cancelDeliverySignal, d.deliveryId)
          .catch(() => undefined),
      ),
    );
    progress.cancelled += cancelled.length;
    if (cancelled.length < CANCEL_BATCH) break;
    if (historyIsLong()) await continueAsNew<typeof purgeTenantWorkflow>(input, progress);
  }
  for (const part of PURGE_ORDER) {
    for (;;) {
      const deleted = await purge.purgeTenantBatch({ tenantId: input.tenantId, part, limit });
      progress.deleted[part] = (progress.deleted[part] ?? 0) + deleted;
      if (deleted < limit) break;
      if (historyIsLong()) await continueAsNew<typeof purgeTenantWorkflow>(input, progress);
    }
  }
  return progress;
}
