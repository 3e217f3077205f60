import { defineSignal } from '@temporalio/workflow';

/** Sent by the API when a subscription is disabled or deleted: its pending deliveries stop at once. */
export const cancelDeliverySignal = defineSignal<[deliveryId: string]>('cancelDelivery');

/** Sent by the API when a subscription's rate limit changes: deliveries waiting for a slot take a new one under the new limit. */
export const rateLimitChangedSignal = defineSignal<[subscriptionId: string]>('rateLimitChanged');
