// Why a pending delivery is not being attempted this moment, as GET /v1/deliveries/:id and the portal say
// it. Derived from what PostgreSQL holds (src/db/delivery-waiting.ts), not from the workflow.
import { GATE_REASONS, type GateReason } from './flow-control.js';

/**
 * `scheduled`: no attempt yet and nothing holds it back (its first attempt is about to go out);
 * `attempting`: an attempt is in flight now; `retry_backoff`: the last attempt failed and the retry policy
 * waits before the next; `rate_limit`: waiting for its slot under the subscription's rate limit; `fifo`:
 * queued in the subscription's FIFO lane behind an older delivery; then the gate's reasons: the circuit is
 * open (or half-open with its probe in flight), or the subscription's or origin's in-flight slots are taken.
 */
export const DELIVERY_WAITING_REASONS = ['scheduled', 'attempting', 'retry_backoff', 'rate_limit', 'fifo', ...GATE_REASONS] as const;
export type DeliveryWaitingReason = (typeof DELIVERY_WAITING_REASONS)[number];

/** What PostgreSQL holds about a pending delivery's wait (src/db/delivery-waiting.ts reads it in one statement). */
export interface WaitingFacts {
  status: string;
  /** `deliveries.waiting`: set by the rate limit's reservation and the FIFO lane's queue. */
  flow_waiting: 'rate_limit' | 'fifo' | null;
  /** The reserved rate-limit slot, while `flow_waiting` is `rate_limit`. */
  slot_at: Date | null;
  attempt_count: number;
  /** When the last recorded attempt ended. */
  last_attempt_end: Date | null;
  /** One of the delivery's attempts holds an in-flight slot now. */
  attempting: boolean;
  /** The gate's reason, while its last refusal still counts (flow_waiters). */
  gate_reason: GateReason | null;
  circuit_open_until: Date | null;
  /** For FIFO: the oldest pending delivery of the lane ahead of this one. */
  lane_head: string | null;
}

export interface DeliveryWaiting {
  reason: DeliveryWaitingReason;
  until: string | null;
  behind_delivery_id: string | null;
}

/**
 * Why a pending delivery waits and until when, from what the database holds; null once it ended.
 * `retryDelayMs(n)` is the retry policy's wait after attempt n (scaled like the workers' intervals). A
 * receiver's Retry-After is not stored, so a retry it moved shows the policy's time.
 */
export function deliveryWaiting(f: WaitingFacts, retryDelayMs: (attemptsMade: number) => number): DeliveryWaiting | null {
  if (f.status !== 'pending') return null;
  const wait = (reason: DeliveryWaitingReason, until: Date | null = null, behind: string | null = null): DeliveryWaiting => ({
    reason,
    until: until ? until.toISOString() : null,
    behind_delivery_id: behind,
  });
  if (f.attempting) return wait('attempting');
  if (f.flow_waiting === 'fifo') return wait('fifo', null, f.lane_head);
  if (f.flow_waiting === 'rate_limit') return wait('rate_limit', f.slot_at);
  if (f.gate_reason) return wait(f.gate_reason, f.gate_reason === 'circuit_open' ? f.circuit_open_until : null);
  if (f.attempt_count > 0 && f.last_attempt_end) {
    return wait('retry_backoff', new Date(f.last_attempt_end.getTime() + retryDelayMs(f.attempt_count)));
  }
  return wait('scheduled');
}
