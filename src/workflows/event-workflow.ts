import { notificationWorkflowId } from '../domain/workflow-ids.js';
import { patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { ISOLATION_PATCH } from './patches.js';
import { OutcomeAttr } from '../temporal/search-attributes.js';
import { bookkeeping, dispatch } from './activity-proxies.js';
import { CancellableDeliveries } from './cancellable-deliveries.js';
import { deliverOne, firstDelivered, succeeded } from './deliver-one.js';
import { LaneReports } from './fifo-handoff.js';
import { summarize, type DeliveryResult, type EventOutcome } from './outcomes.js';
import { startNotification } from './notifications.js';
import { LimitChanges } from './rate-limited.js';
import type { EventWorkflowInput } from './event-input.js';

export type { EventWorkflowInput };

export interface EventWorkflowResult {
  outcome: EventOutcome;
  deliveries: DeliveryResult[];
  /** For a suppressed failure.extraction: the event that was notified within the window. */
  suppressedBy?: string;
}

/**
 * Finds the event's subscriptions and delivers to each in parallel; `notifies` is false inside a notification.
 * One local activity (dispatchEvent) plans the deliveries and makes their first attempts; a delivery whose
 * first attempt failed, or was not made (rate-limited, FIFO, cancelled), goes on in deliverOne.
 */
async function deliverEvent(input: EventWorkflowInput, notifies: boolean): Promise<EventWorkflowResult> {
  const cancellable = new CancellableDeliveries();
  const limitChanges = new LimitChanges();
  const laneReports = new LaneReports();
  const { workflowId } = workflowInfo();
  const timeScale = input.timeScale ?? 1;
  const notify = notifies
    ? {
        tenantId: input.tenantId,
        environment: input.environment,
        eventId: input.eventId,
        eventType: input.type,
        workflowId,
        ...(input.timeScale !== undefined ? { timeScale: input.timeScale } : {}),
      }
    : undefined;
  const ctx = { timeScale, cancellable, limitChanges, laneReports, ...(notify ? { notify } : {}) };
  const dispatchedAt = Date.now();
  const cancelled = cancellable.cancelledIds();
  const isolated = patched(ISOLATION_PATCH);
  const { plans, first } = await dispatch.dispatchEvent({
    tenantId: input.tenantId,
    eventId: input.eventId,
    environment: input.environment,
    type: input.type,
    ...(input.payload ? { payload: input.payload } : {}),
    workflowId,
    timeScale,
    ...(cancelled.length ? { cancelled } : {}),
    ...(isolated ? { isolation: true as const } : {}),
  });
  const delivered = plans.map((plan) => firstDelivered(first[plan.deliveryId]));
  // The common case, every first attempt delivered: the results at once. The same results as deliverOne
  // gives, without its promises (the SDK captures a stack trace for every promise made in a workflow).
  const deliveries = delivered.every((result) => result !== undefined)
    ? plans.map((plan, i) => succeeded(plan, delivered[i]!))
    : await Promise.all(plans.map((plan) => deliverOne(plan, { ...ctx, dispatched: { at: dispatchedAt, first: first[plan.deliveryId] } })));
  return finish({ outcome: summarize(deliveries.map((d) => d.status)), deliveries });
}

function finish(result: EventWorkflowResult): EventWorkflowResult {
  upsertSearchAttributes([{ key: OutcomeAttr, value: result.outcome }]);
  return result;
}

/** A failed data-source extraction: at most one notification per (user, data source, reason) per window. */
async function extractionFailure(input: EventWorkflowInput): Promise<EventWorkflowResult> {
  const claim = await bookkeeping.claimNotificationWindow({ tenantId: input.tenantId, eventId: input.eventId });
  if (!claim.claimed) return finish({ outcome: 'suppressed', deliveries: [], suppressedBy: claim.holder });
  const child = await startNotification(input, notificationWorkflowId(workflowInfo().workflowId, 'failure.extraction'));
  return finish(await child.result());
}

/** One event posted by the producer. */
export async function eventWorkflow(input: EventWorkflowInput): Promise<EventWorkflowResult> {
  if (input.type === 'failure.extraction') return extractionFailure(input);
  return deliverEvent(input, true);
}

/** A failure notification: delivered like any event, and never the cause of another notification. */
export async function notificationWorkflow(input: EventWorkflowInput): Promise<EventWorkflowResult> {
  return deliverEvent(input, false);
}
