import { defineSignal } from '@temporalio/workflow';

/** Sent by the API when a subscription is disabled or deleted: its pending deliveries stop at once. */
export const cancelDeliverySignal = defineSignal<[deliveryId: string]>('cancelDelivery');
