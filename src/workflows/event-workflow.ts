import { notificationWorkflowId } from '../domain/workflow-ids.js';
import { patched, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { ISOLATION_PATCH } from './patches.js';
import { OutcomeAttr } from '../temporal/search-attributes.js';
import { bookkeeping, dispatch } from './activity-proxies.js';
import { deliveryRun } from './delivery-run.js';
import { deliverSlices } from './event-slices.js';
import { summarizeCounts, type DeliveryResult, type EventOutcome, type OutcomeCounts } from './outcomes.js';
import { startNotification } from './notifications.js';
import { outcomeDetails } from './operator-labels.js';
import type { EventWorkflowInput } from './event-input.js';

export type { EventWorkflowInput };

export interface EventWorkflowResult {
  outcome: EventOutcome;
  /** Every delivery, except in a fan-out made by slices (see `counts`). */
  deliveries: DeliveryResult[];
  /** A fan-out made by child workflows, one per slice: how many slices, and how their deliveries ended. */
  slices?: number;
  counts?: OutcomeCounts;
  /** For a suppressed failure.extraction: the event that was notified within the window. */
  suppressedBy?: string;
}

/**
 * Finds the event's subscriptions and delivers to each in parallel; `notifies` is false inside a notification.
 * One local activity (dispatchEvent) plans the deliveries and makes their first attempts; a delivery whose
 * first attempt failed, or was not made (rate-limited, FIFO, cancelled, refused at the gate, left running),
 * goes on in deliverOne. A fan-out larger than a slice goes to one child workflow per slice.
 */
async function deliverEvent(input: EventWorkflowInput, notifies: boolean): Promise<EventWorkflowResult> {
  const run = deliveryRun(input, notifies);
  const dispatchedAt = Date.now();
  const isolated = patched(ISOLATION_PATCH);
  const dispatched = await dispatch.dispatchEvent(run.dispatchInput(isolated));
  if (dispatched.slices) {
    const counts = await deliverSlices(input, notifies, dispatched.slices);
    return finish({ outcome: summarizeCounts(counts), deliveries: [], slices: dispatched.slices.length, counts });
  }
  return finish(await run.deliver(dispatched, dispatchedAt));
}

/** The outcome where the Web UI shows it: the HookrelayOutcome column of the list, and the workflow's current details. */
function finish(result: EventWorkflowResult): EventWorkflowResult {
  upsertSearchAttributes([{ key: OutcomeAttr, value: result.outcome }]);
  setCurrentDetails(outcomeDetails(result));
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
