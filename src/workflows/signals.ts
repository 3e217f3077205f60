import { defineSignal } from '@temporalio/workflow';

/** Sent by the API when a subscription is disabled or deleted: its pending deliveries stop at once. */
export const cancelDeliverySignal = defineSignal<[deliveryId: string]>('cancelDelivery');

/** Sent by the API when a subscription's rate limit changes: deliveries waiting for a slot take a new one under the new limit. */
export const rateLimitChangedSignal = defineSignal<[subscriptionId: string]>('rateLimitChanged');

/** Wakes a subscription's FIFO lane: a delivery was queued while it was idle (coalesced: see db/fifo-lanes.ts). */
export const wakeLaneSignal = defineSignal('wakeLane');

/** From a FIFO lane to the workflow whose delivery it made: how the delivery ended. */
export const laneDeliveredSignal = defineSignal<[result: LaneReport]>('laneDelivered');

export interface LaneReport {
  deliveryId: string;
  status: 'succeeded' | 'failed' | 'cancelled';
  attempts?: number;
  error?: string;
}
