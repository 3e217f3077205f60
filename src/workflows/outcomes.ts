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

/** How many deliveries ended each way (a fan-out's slices report these instead of every delivery). */
export type OutcomeCounts = Partial<Record<DeliveryOutcome, number>>;

export function summarizeCounts(counts: OutcomeCounts): EventOutcome {
  const present = (Object.entries(counts) as Array<[DeliveryOutcome, number]>).filter(([, n]) => n > 0);
  if (present.length === 0) return 'no_subscriptions';
  return present.length === 1 ? present[0]![0] : 'partial';
}

export function summarize(statuses: DeliveryOutcome[]): EventOutcome {
  if (statuses.length === 0) return 'no_subscriptions';
  const first = statuses[0]!;
  return statuses.every((s) => s === first) ? first : 'partial';
}
