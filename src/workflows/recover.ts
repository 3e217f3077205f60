import { continueAsNew, ParentClosePolicy, proxyActivities, sleep, startChild, WorkflowIdReusePolicy } from '@temporalio/workflow';
import { TypedSearchAttributes } from '@temporalio/common';
import { historyIsLong } from './history-budget.js';
import type { LifecycleActivities } from '../activities/lifecycle.js';
import { initialSearchAttributes } from '../temporal/search-attributes.js';
import { redeliveryWorkflow } from './redelivery-workflow.js';
import { formatDelay } from './operator-labels.js';

export interface RecoverInput {
  tenantId: string;
  subscriptionId: string;
  recoveryId: string;
  /** Shrinks the redeliveries' retry intervals (tests); absent in production. */
  timeScale?: number;
  /** Carried over continue-as-new: the last original handed out, and how many so far. */
  afterSeq?: number;
  started?: number;
}

export interface RecoverResult {
  redelivered: number;
}

const lifecycle = proxyActivities<LifecycleActivities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

/**
 * POST /v1/subscriptions/:id/recover: redelivers the failed deliveries of a window, page by page at the
 * subscription's pace, each as a normal redelivery (a child redelivery workflow, left running on its own
 * when this one ends). Its history holds ids only, never a payload.
 */
export async function recoverWorkflow(input: RecoverInput): Promise<RecoverResult> {
  const pace = await lifecycle.recoveryPace({ subscriptionId: input.subscriptionId });
  let afterSeq = input.afterSeq ?? 0;
  let started = input.started ?? 0;
  for (;;) {
    const page = await lifecycle.nextRecoveryPage({ recoveryId: input.recoveryId, afterSeq, limit: pace.batch });
    for (const delivery of page) {
      await startChild(redeliveryWorkflow, {
        workflowId: delivery.workflowId,
        args: [
          {
            tenantId: input.tenantId,
            eventId: delivery.eventId,
            environment: delivery.environment,
            type: delivery.type,
            deliveryId: delivery.id,
            ...(input.timeScale !== undefined ? { timeScale: input.timeScale } : {}),
          },
        ],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        // A retried page hands out the same delivery again: its workflow is then already there.
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        staticSummary: `recovery ${input.recoveryId}: redelivery of ${delivery.type} ${delivery.eventId}`,
        typedSearchAttributes: new TypedSearchAttributes(
          initialSearchAttributes({ tenantId: input.tenantId, environment: delivery.environment, type: delivery.type }),
        ),
      });
      afterSeq = delivery.seq;
      started++;
    }
    if (page.length < pace.batch) break;
    await sleep(pace.intervalMs, { summary: `pacing: the next ${pace.batch} redeliveries in ${formatDelay(pace.intervalMs)}` });
    if (historyIsLong()) {
      await continueAsNew<typeof recoverWorkflow>({ ...input, afterSeq, started });
    }
  }
  await lifecycle.finishRecovery({ recoveryId: input.recoveryId });
  return { redelivered: started };
}
