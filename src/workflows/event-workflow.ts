import { patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { OutcomeAttr } from '../temporal/search-attributes.js';
import { db, dispatch } from './activity-proxies.js';
import { CancellableDeliveries } from './cancellable-deliveries.js';
import { deliverOne, firstDelivered, succeeded } from './deliver-one.js';
import { summarize, type DeliveryResult, type EventOutcome } from './outcomes.js';
import { startNotification } from './notifications.js';
import { extractionKey } from '../domain/notification-key.js';
import type { Environment } from '../domain/environment.js';

/**
 * Patch marker: workflows from before it replay on the old path (prepareDeliveries, then each first
 * attempt as its own local activity). Since it, one local activity (dispatchEvent) plans the deliveries
 * and makes their first attempts: one activation fewer per event, and two statements fewer.
 */
export const DISPATCH_IN_ONE_ACTIVITY = 'dispatch-in-one-activity';

export interface EventWorkflowInput {
  tenantId: string;
  eventId: string;
  environment: Environment;
  type: string;
  /**
   * Only in workflows started before durable accept, and in notifications (whose payload hookrelay
   * makes): an event posted by the producer is read from PostgreSQL, so its payload never enters history.
   */
  payload?: Record<string, unknown>;
  /** Shrinks every retry interval (tests); 1 in production. */
  timeScale?: number;
}

export interface EventWorkflowResult {
  outcome: EventOutcome;
  deliveries: DeliveryResult[];
  /** For a suppressed failure.extraction: the event that was notified within the window. */
  suppressedBy?: string;
}

/** Finds the event's subscriptions and delivers to each in parallel; `notifies` is false inside a notification. */
async function deliverEvent(input: EventWorkflowInput, notifies: boolean): Promise<EventWorkflowResult> {
  const cancellable = new CancellableDeliveries();
  const { workflowId } = workflowInfo();
  const timeScale = input.timeScale ?? 1;
  const event = {
    tenantId: input.tenantId,
    eventId: input.eventId,
    environment: input.environment,
    type: input.type,
    ...(input.payload ? { payload: input.payload } : {}),
    workflowId,
  };
  const notify = notifies
    ? { tenantId: input.tenantId, environment: input.environment, eventId: input.eventId, eventType: input.type, workflowId, ...(input.timeScale !== undefined ? { timeScale: input.timeScale } : {}) }
    : undefined;
  const ctx = { timeScale, cancellable, ...(notify ? { notify } : {}) };
  let deliveries: DeliveryResult[];
  if (patched(DISPATCH_IN_ONE_ACTIVITY)) {
    const dispatchedAt = Date.now();
    const cancelled = cancellable.cancelledIds();
    const { plans, first } = await dispatch.dispatchEvent({ ...event, timeScale, ...(cancelled.length ? { cancelled } : {}) });
    const delivered = plans.map((plan) => firstDelivered(first[plan.deliveryId]));
    // The common case, every first attempt delivered: the results at once. The same results as deliverOne
    // gives, without its promises (the SDK captures a stack trace for every promise made in a workflow).
    deliveries = delivered.every((result) => result !== undefined)
      ? plans.map((plan, i) => succeeded(plan, delivered[i]!))
      : await Promise.all(plans.map((plan) => deliverOne(plan, { ...ctx, dispatched: { at: dispatchedAt, first: first[plan.deliveryId] } })));
  } else {
    const plans = await db.prepareDeliveries(event);
    deliveries = await Promise.all(plans.map((plan) => deliverOne(plan, ctx)));
  }
  return finish({ outcome: summarize(deliveries.map((d) => d.status)), deliveries });
}

function finish(result: EventWorkflowResult): EventWorkflowResult {
  upsertSearchAttributes([{ key: OutcomeAttr, value: result.outcome }]);
  return result;
}

/** A failed data-source extraction: at most one notification per (user, data source, reason) per window. */
async function extractionFailure(input: EventWorkflowInput): Promise<EventWorkflowResult> {
  // The same local activity either way (history unchanged): an old input names the key and carries the event.
  const claim = await db.claimNotificationWindow(input.payload
    ? {
      tenantId: input.tenantId,
      eventId: input.eventId,
      key: extractionKey(input.payload),
      event: { environment: input.environment, type: input.type, payload: input.payload, workflowId: workflowInfo().workflowId },
    }
    : { tenantId: input.tenantId, eventId: input.eventId });
  if (!claim.claimed) return finish({ outcome: 'suppressed', deliveries: [], suppressedBy: claim.holder });
  const child = await startNotification(input, `${workflowInfo().workflowId}/failure.extraction`);
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
