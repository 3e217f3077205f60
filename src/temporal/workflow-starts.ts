// Every workflow hookrelay starts from outside Temporal (the relay, the API, the worker's activities), in one
// place: its id, its input, its id policies, its summary in the Web UI and its search attributes. Children
// started by workflows (notifications, a recovery's redeliveries) are in src/workflows, which cannot import a client.
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { Environment } from '../domain/environment.js';
import { laneWorkflowId, purgeWorkflowId, redeliveryWorkflowId } from '../domain/workflow-ids.js';
import type { EventWorkflowInput } from '../workflows/event-input.js';
import type { LaneWorkflowInput } from '../workflows/lane-id.js';
import type { RecoverInput } from '../workflows/recover.js';
import type { RedeliveryWorkflowInput } from '../workflows/redelivery-workflow.js';
import { wakeLaneSignal } from '../workflows/signals.js';
import { initialSearchAttributes, TenantAttr, type WorkflowLabels } from './search-attributes.js';

const withTimeScale = (timeScale: number) => (timeScale !== 1 ? { timeScale } : {});

/**
 * What every workflow of one tenant is started with. Its tenant as `HookrelayTenant`, so an operator finds it
 * among the tenant's workflows (with the event's labels too, for one that delivers an event). And its tenant
 * as the task queues' fairness key: with the server's fairness on (matching.enableFairness), the workflow's
 * tasks, its activities' and its children's (which inherit it) are dispatched in proportion across tenants,
 * so one tenant's backlog does not hold back another's. A server without it ignores the key.
 */
function ofTenant(tenantId: string, eventLabels?: Omit<WorkflowLabels, 'tenantId'>) {
  return {
    priority: { fairnessKey: tenantId },
    typedSearchAttributes: new TypedSearchAttributes(
      eventLabels ? initialSearchAttributes({ ...eventLabels, tenantId }) : [{ key: TenantAttr, value: tenantId }],
    ),
  };
}

/**
 * An event's workflow, with the event's identity only: the payload stays in PostgreSQL and never enters
 * Temporal's history. The id is the event's (fixed at accept), so a start that is retried finds it there:
 * that is not an error. `eager` hands the first workflow task straight back to the starting worker.
 */
export async function startEventWorkflow(
  client: Client,
  taskQueue: string,
  event: { workflowId: string; tenantId: string; eventId: string; environment: Environment; type: string; timeScale: number },
  eager: boolean,
): Promise<void> {
  const input: EventWorkflowInput = {
    tenantId: event.tenantId,
    eventId: event.eventId,
    environment: event.environment,
    type: event.type,
    ...withTimeScale(event.timeScale),
  };
  try {
    await client.workflow.start('eventWorkflow', {
      taskQueue,
      workflowId: event.workflowId,
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
      requestEagerStart: eager,
      staticSummary: `${event.type} for ${event.tenantId} (${event.environment})`,
      ...ofTenant(event.tenantId, event),
    });
  } catch (error) {
    // Started before (a relay that died after starting, before marking): already done.
    if (error instanceof WorkflowExecutionAlreadyStartedError) return;
    throw error;
  }
}

/** A redelivery or a test event: one delivery, one workflow. */
export async function startRedelivery(client: Client, taskQueue: string, input: RedeliveryWorkflowInput, labels: WorkflowLabels): Promise<string> {
  const workflowId = redeliveryWorkflowId(input.tenantId, input.deliveryId);
  await client.workflow.start('redeliveryWorkflow', {
    taskQueue,
    workflowId,
    args: [input],
    staticSummary: `redelivery of ${labels.type} ${input.eventId} for ${input.tenantId}`,
    ...ofTenant(input.tenantId, labels),
  });
  return workflowId;
}

/**
 * Signals a subscription's FIFO lane, starting it when it is not running (one workflow per subscription),
 * labelled with the subscription's tenant so an operator finds it by HookrelayTenant like the tenant's events.
 */
export async function wakeLane(
  client: Client,
  taskQueue: string,
  { subscriptionId, tenantId }: { subscriptionId: string; tenantId: string },
  timeScale: number,
): Promise<void> {
  const input: LaneWorkflowInput = { subscriptionId, ...withTimeScale(timeScale) };
  await client.workflow.signalWithStart('laneWorkflow', {
    workflowId: laneWorkflowId(subscriptionId),
    taskQueue,
    args: [input],
    signal: wakeLaneSignal,
    signalArgs: [],
    staticSummary: `FIFO lane of ${subscriptionId} for ${tenantId}`,
    // Carried over continue-as-new: the server copies a run's search attributes and priority to the next.
    ...ofTenant(tenantId),
  });
}

/** A bulk recovery; its id was fixed when the recovery was recorded (see db/recoveries.ts). */
export async function startRecovery(
  client: Client,
  taskQueue: string,
  workflowId: string,
  input: Omit<RecoverInput, 'timeScale'> & { timeScale: number },
  deliveries: number,
): Promise<void> {
  await client.workflow.start('recoverWorkflow', {
    taskQueue,
    workflowId,
    args: [{ ...input, ...withTimeScale(input.timeScale) }],
    staticSummary: `recover ${deliveries} failed deliveries of ${input.subscriptionId}`,
    // Its redeliveries, children, inherit the fairness key; they label themselves (src/workflows/recover.ts).
    ...ofTenant(input.tenantId),
  });
}

/** A tenant's purge: a second request while one runs joins it (one id, USE_EXISTING). */
export async function startTenantPurge(client: Client, taskQueue: string, tenantId: string): Promise<string> {
  const workflowId = purgeWorkflowId(tenantId);
  await client.workflow.start('purgeTenantWorkflow', {
    taskQueue,
    workflowId,
    args: [{ tenantId }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    staticSummary: `purge of tenant ${tenantId}`,
    ...ofTenant(tenantId),
  });
  return workflowId;
}
