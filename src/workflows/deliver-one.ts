import { ActivityFailure, ApplicationFailure, isCancellation, patched, sleep, TemporalFailure } from '@temporalio/workflow';
import { msToNumber } from '@temporalio/common/lib/time.js';
import type { DeliverResult, DeliveryPlan, FirstAttempt, RetryAfterDetail } from '../activities/types.js';
import { FailureType } from '../domain/delivery-failures.js';
import { afterFirstAttempt, toActivityOptions, type DeliveryActivityOptions } from '../domain/retry-policy.js';
import { db, local, remote } from './activity-proxies.js';
import type { CancellableDeliveries } from './cancellable-deliveries.js';
import { RATE_LIMITED, rateLimitedAttempts } from './rate-limited.js';
import { deliverInLane, FIFO_LANE } from './fifo-lane.js';
import type { DeliveryOutcome, DeliveryResult } from './outcomes.js';
import {
  notifyDeliveryFailed, notifySubscriptionDisabled, subscriptionDisabledDetail, type NotificationSource,
} from './notifications.js';

/**
 * Patch marker: workflows from before it replay on the old path (every attempt a regular activity).
 * Since it, attempt 1 runs as a local activity in the same workflow task as prepareDeliveries: a
 * receiver that answers costs no activity task and no second workflow task. A failed first attempt
 * hands the rest of the policy to a regular activity, which the Web UI shows as pending with its
 * attempts (its count is hookrelay's attempt number minus one; failure messages carry the real one).
 */
export const FIRST_ATTEMPT_LOCAL = 'first-attempt-local';

export interface DeliveryContext {
  timeScale: number;
  cancellable: CancellableDeliveries;
  /** Since DISPATCH_IN_ONE_ACTIVITY: when dispatchEvent ran, and the first attempt it made (none for a rate-limited or FIFO delivery). */
  dispatched?: { at: number; first: FirstAttempt | undefined };
  /** Where a failure is notified from; absent for notifications, which never notify. */
  notify?: NotificationSource;
}

export async function deliverOne(plan: DeliveryPlan, ctx: DeliveryContext): Promise<DeliveryResult> {
  if (plan.fifo && patched(FIFO_LANE)) return deliverInLane(plan, ctx);
  const { timeScale, cancellable } = ctx;
  const base = { deliveryId: plan.deliveryId, subscriptionId: plan.subscriptionId };
  const scope = cancellable.open(plan.deliveryId);
  let status: DeliveryOutcome;
  let reason: string;
  let failureDetails: unknown[] | undefined;
  try {
    const first = ctx.dispatched?.first;
    return succeeded(plan, await scope.run(() => first ? afterDispatchedAttempt(plan, timeScale, first, ctx.dispatched!.at) : attempts(plan, timeScale)));
  } catch (error) {
    if (isCancellation(error)) {
      status = 'cancelled';
      reason = 'the subscription was disabled or deleted';
    } else if (error instanceof TemporalFailure) {
      const cause = attemptFailure(error);
      status = cause instanceof ApplicationFailure && cause.type === FailureType.Cancelled ? 'cancelled' : 'failed';
      reason = cause?.message ?? error.message;
      if (cause instanceof ApplicationFailure) failureDetails = cause.details ?? undefined;
    } else {
      throw error;
    }
  } finally {
    cancellable.close(plan.deliveryId);
  }
  const summary = await db.finishDelivery({ deliveryId: plan.deliveryId, status, reason });
  if (ctx.notify && status === 'failed') {
    await notifyDeliveryFailed(ctx.notify, plan, summary, reason);
    const disabled = subscriptionDisabledDetail(failureDetails);
    if (disabled) await notifySubscriptionDisabled(ctx.notify, plan, disabled, summary?.lastAttemptAt ?? null);
  }
  return { ...base, status, error: reason };
}

/** A delivery that succeeded, as the workflow reports it. */
export function succeeded(plan: DeliveryPlan, result: DeliverResult): DeliveryResult {
  return { deliveryId: plan.deliveryId, subscriptionId: plan.subscriptionId, status: 'succeeded', attempts: result.attempts };
}

/** The result of a first attempt that delivered; undefined for one that failed or was not made. */
export function firstDelivered(first: FirstAttempt | undefined): DeliverResult | undefined {
  return first && 'delivered' in first ? first.delivered : undefined;
}

/** What an attempt failed with: a regular activity's failure comes wrapped in ActivityFailure, a local one's does not. */
function attemptFailure(error: TemporalFailure): Error | undefined {
  return error instanceof ActivityFailure ? error.cause : error;
}

/**
 * The attempts after a first one that dispatchEvent made: its result, or the retries of the policy's
 * remainder. The failure is rebuilt as the ApplicationFailure a failed `deliver` would have thrown.
 */
async function afterDispatchedAttempt(plan: DeliveryPlan, timeScale: number, first: FirstAttempt, startedAt: number): Promise<DeliverResult> {
  if ('delivered' in first) return first.delivered;
  const { message, type, nonRetryable, details } = first.failed;
  const failure = ApplicationFailure.create({ message, nonRetryable, details, ...(type !== null ? { type } : {}) });
  const options = toActivityOptions(plan.retryPolicy, plan.timeoutMs, timeScale);
  if (nonRetryable || plan.retryPolicy.maximumAttempts === 1) throw failure;
  return retryAfterFirst(plan, timeScale, options, failure, startedAt);
}

/** Every attempt of one delivery under its policy; throws the final ActivityFailure when it gives up. */
async function attempts(plan: DeliveryPlan, timeScale: number) {
  const options = toActivityOptions(plan.retryPolicy, plan.timeoutMs, timeScale);
  const summary = `${plan.subscriptionId} → ${plan.url}`;
  const input = { deliveryId: plan.deliveryId, retryPolicy: plan.retryPolicy, timeScale };
  if (plan.rateLimited && patched(RATE_LIMITED)) return rateLimitedAttempts(plan, timeScale);
  if (!patched(FIRST_ATTEMPT_LOCAL)) return remote.deliver.executeWithOptions({ ...options, summary }, [input]);

  const started = Date.now();
  try {
    return await local.deliver.executeWithOptions(
      { startToCloseTimeout: options.startToCloseTimeout, retry: { maximumAttempts: 1 }, summary }, [input]);
  } catch (error) {
    if (!(error instanceof TemporalFailure) || isCancellation(error)) throw error;
    const cause = attemptFailure(error);
    if ((cause instanceof ApplicationFailure && cause.nonRetryable) || plan.retryPolicy.maximumAttempts === 1) throw error;
    return retryAfterFirst(plan, timeScale, options, cause, started);
  }
}

/** After a failed first attempt: the first retry interval (or the receiver's Retry-After), then the policy's remainder as a regular activity. */
async function retryAfterFirst(
  plan: DeliveryPlan, timeScale: number, options: DeliveryActivityOptions, cause: Error | undefined, startedAt: number,
): Promise<DeliverResult> {
  // The receiver's Retry-After is already bounded by the policy.
  const detail = cause instanceof ApplicationFailure ? (cause.details?.[0] as Partial<RetryAfterDetail> | undefined) : undefined;
  const asked = detail?.retryAfterMs
    ?? (cause instanceof ApplicationFailure && cause.nextRetryDelay != null ? msToNumber(cause.nextRetryDelay) : undefined);
  await sleep(asked ?? options.retry.initialInterval);
  const rest = afterFirstAttempt(options, Date.now() - startedAt);
  const input = { deliveryId: plan.deliveryId, retryPolicy: plan.retryPolicy, timeScale, attemptOffset: 1 };
  return remote.deliver.executeWithOptions({ ...rest, summary: `${plan.subscriptionId} → ${plan.url}` }, [input]);
}
