import { notificationWorkflowId } from '../domain/workflow-ids.js';
import { startChild } from '@temporalio/workflow';
import type { DeliveryPlan, FinishedDeliverySummary, SubscriptionDisabledDetail } from '../activities/types.js';
import { initialSearchAttributes } from '../temporal/search-attributes.js';
import type { EventWorkflowInput } from './event-input.js';
import type { Environment } from '../domain/environment.js';

export type NotificationType = 'failure.delivery' | 'failure.subscription_disabled' | 'failure.extraction';

/** The event whose delivery failed: what a notification about it names and inherits. */
export interface NotificationSource {
  tenantId: string;
  environment: Environment;
  eventId: string;
  eventType: string;
  /** The workflow that notifies: each notification's id is derived from it. */
  workflowId: string;
  timeScale?: number;
}

/**
 * Starts the notification as a child workflow, shown beside its cause in the Web UI. ABANDON: the
 * cause's outcome is known, so it completes without waiting for the notification's own retries.
 */
export async function startNotification(input: EventWorkflowInput, workflowId: string) {
  return startChild('notificationWorkflow', {
    workflowId,
    args: [input],
    parentClosePolicy: 'ABANDON',
    staticSummary: `${input.type} for ${input.tenantId} (${input.environment})`,
    typedSearchAttributes: initialSearchAttributes(input),
  });
}

function notificationInput(
  source: NotificationSource,
  type: NotificationType,
  eventId: string,
  payload: Record<string, unknown>,
): EventWorkflowInput {
  return {
    tenantId: source.tenantId,
    eventId,
    environment: source.environment,
    type,
    payload,
    ...(source.timeScale !== undefined ? { timeScale: source.timeScale } : {}),
  };
}

export async function notifyDeliveryFailed(
  source: NotificationSource,
  plan: DeliveryPlan,
  summary: FinishedDeliverySummary | null,
  reason: string,
): Promise<void> {
  const payload = {
    event_id: source.eventId,
    event_type: source.eventType,
    delivery_id: plan.deliveryId,
    subscription_id: plan.subscriptionId,
    url: plan.url,
    attempts: summary?.attempts ?? 0,
    last_status_code: summary?.lastStatusCode ?? null,
    last_error: summary?.lastError ?? reason,
    first_attempt_at: summary?.firstAttemptAt ?? null,
    last_attempt_at: summary?.lastAttemptAt ?? null,
  };
  await startNotification(
    notificationInput(source, 'failure.delivery', `failure.delivery:${plan.deliveryId}`, payload),
    notificationWorkflowId(source.workflowId, 'failure.delivery', plan.subscriptionId),
  );
}

export async function notifySubscriptionDisabled(
  source: NotificationSource,
  plan: DeliveryPlan,
  detail: SubscriptionDisabledDetail['subscriptionDisabled'],
  at: string | null,
): Promise<void> {
  const payload = {
    subscription_id: detail.subscriptionId,
    url: detail.url,
    reason: detail.reason,
    disabled_at: at,
    event_id: source.eventId,
    delivery_id: plan.deliveryId,
  };
  await startNotification(
    notificationInput(source, 'failure.subscription_disabled', `failure.subscription_disabled:${plan.deliveryId}`, payload),
    notificationWorkflowId(source.workflowId, 'failure.subscription_disabled', plan.subscriptionId),
  );
}

/** The failure detail the delivery activity attaches when its attempt disabled the subscription. */
export function subscriptionDisabledDetail(details: unknown[] | undefined): SubscriptionDisabledDetail['subscriptionDisabled'] | undefined {
  const first = details?.[0] as Partial<SubscriptionDisabledDetail> | undefined;
  return first?.subscriptionDisabled;
}
