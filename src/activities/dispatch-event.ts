import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from '../db/pool.js';
import { createFirstDeliveriesWithContext } from '../db/deliveries.js';
import { insertEvent } from '../db/events.js';
import { enabledSubscriptions } from '../db/subscriptions.js';
import { matchesAny } from '../domain/event-type.js';
import type { AttemptContext } from '../db/attempts.js';
import { toPlan } from './prepare-deliveries.js';
import type {
  DeliverInput,
  DeliverResult,
  DispatchInput,
  DispatchResult,
  FirstAttempt,
  RetryAfterDetail,
  SubscriptionDisabledDetail,
} from './types.js';

type AttemptDelivery = (input: DeliverInput, attempt: number, ctx: AttemptContext | undefined) => Promise<DeliverResult>;

/**
 * Plans the event's deliveries and makes the first attempt of each, all in one local activity: an event
 * whose receivers answer costs one workflow task with one activation for its result, and three statements
 * (subscriptions, deliveries with their attempt contexts, the attempt's record) instead of five.
 * Only failures of the infrastructure (the database) throw, so the activity is retried as a whole: the
 * deliveries are created once, a delivery an earlier run delivered reports its recorded attempt.
 */
export function makeDispatchEvent(pool: Pool, attemptDelivery: AttemptDelivery) {
  return async function dispatchEvent(input: DispatchInput): Promise<DispatchResult> {
    if (input.payload) await insertEvent(pool, { ...input, payload: input.payload });
    const candidates = await enabledSubscriptions(pool, input.tenantId, input.environment);
    const matching = candidates.filter((s) => matchesAny(s.event_types, input.type)).map((s) => s.id);
    if (matching.length === 0) return { plans: [], first: {} };
    const rows = await createFirstDeliveriesWithContext(pool, input.tenantId, input.eventId, input.workflowId, matching);
    const plans = rows.map((row) => toPlan(row));
    const first: Record<string, FirstAttempt> = {};
    const settled = await Promise.allSettled(
      rows.map(async (row, i) => {
        const plan = plans[i]!;
        // A rate-limited attempt waits for its slot, a FIFO one for its lane: both go through the workflow.
        if (plan.rateLimited || plan.fifo || input.cancelled?.includes(plan.deliveryId)) return;
        const attempt = { deliveryId: plan.deliveryId, retryPolicy: plan.retryPolicy, timeScale: input.timeScale };
        try {
          first[plan.deliveryId] = { delivered: await attemptDelivery(attempt, 1, row) };
        } catch (error) {
          if (!(error instanceof ApplicationFailure)) throw error;
          first[plan.deliveryId] = {
            failed: {
              message: error.message,
              type: error.type ?? null,
              nonRetryable: error.nonRetryable === true,
              details: (error.details ?? []) as Array<SubscriptionDisabledDetail | RetryAfterDetail>,
            },
          };
        }
      }),
    );
    // Every attempt has ended (none left running behind a retry of this activity); then the first error.
    const broken = settled.find((s) => s.status === 'rejected');
    if (broken) throw broken.reason;
    return { plans, first };
  };
}
