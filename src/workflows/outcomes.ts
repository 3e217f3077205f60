// What a delivery and an event come to: workflow results, and the HookrelayOutcome search attribute.
import type { DeliveryStatus } from '../domain/delivery-status.js';

/** How a delivery ended: every delivery status but `pending`. */
export type DeliveryOutcome = Exclude<DeliveryStatus, 'pending'>;
export type EventOutcome = DeliveryOutcome | 'partial' | 'no_subscriptions' | 'suppressed';

export interface DeliveryResult {
  deliveryId: string;
  subscriptionId: string;
  status: DeliveryOutcome;
  attempts?: number;
  error?: string;
}

export function summarize(statuses: DeliveryOutcome[]): EventOutcome {
  if (statuses.length === 0) return 'no_subscriptions';
  const first = statuses[0]!;
  return statuses.every((s) => s === first) ? first : 'partial';
}
