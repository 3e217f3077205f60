import type { Pool } from '../db/pool.js';
import { plannedDelivery, type PlannedDeliveryRow } from '../db/deliveries.js';
import { resolveRetryPolicy, type RetryPolicySpec } from '../domain/retry-policy.js';
import type { DeliveryPlan } from './types.js';

/** `inLane`: a first delivery to a FIFO subscription goes through its lane; a redelivery, or the lane's own plan, does not. */
export function toPlan(row: PlannedDeliveryRow, inLane = true): DeliveryPlan {
  return {
    deliveryId: row.delivery_id,
    subscriptionId: row.subscription_id,
    url: row.url,
    retryPolicy: resolveRetryPolicy(row.retry_policy as RetryPolicySpec),
    timeoutMs: row.timeout_ms,
    // Only when set, so the plans of other subscriptions keep their shape in history.
    ...(row.rate_limited ? { rateLimited: true as const } : {}),
    ...(inLane && row.ordering === 'fifo' ? { fifo: true as const } : {}),
  };
}

export function makePlanDelivery(pool: Pool) {
  /** The plan of one pending delivery (a redelivery); null when it is no longer pending. */
  return async function planDelivery(deliveryId: string): Promise<DeliveryPlan | null> {
    const row = await plannedDelivery(pool, deliveryId);
    return row ? toPlan(row, false) : null;
  };
}
