import { ActivityFailure, ApplicationFailure, isCancellation, sleep, TemporalFailure } from '@temporalio/workflow';
import { msToNumber } from '@temporalio/common/lib/time.js';
import type { DeliverResult, DeliveryPlan, FirstAttempt, RetryAfterDetail } from '../activities/types.js';
import { FailureType } from '../domain/delivery-failures.js';
import { afterFirstAttempt, toActivityOptions, type DeliveryActivityOptions } from '../domain/retry-policy.js';
import { bookkeeping, firstAttempt, retries } from './activity-proxies.js';
import type { CancellableDeliveries } from './cancellable-deliveries.js';
import { deliverInLane, type LaneReports } from './fifo-handoff.js';
import { rateLimitedAttempts, type LimitChanges } from './rate-limited.js';
import type { DeliveryOutcome, DeliveryResult } from './outcomes.js';
import { notifyDeliveryFailed, notifySubscriptionDisabled, subscriptionDisabledDetail, type NotificationSource } from './notifications.js';

/**
 * What one delivery needs from the workflow that makes it. The signal state (cancellable, limitChanges,
 * laneReports) is per workflow: each object is created once, in the workflow function, and registers its
 * signal's handler.
 */
export interface DeliveryContext {
  timeScale: number;
  cancellable: CancellableDeliveries;
  limitChanges: LimitChanges;
  /**
   * Only in a workflow that hands FIFO deliveries to their lane (an event's): without it, a delivery is made
   * here. The lane's own plans and a redelivery's never carry `fifo`, and a lane never hands off to itself.
   */
  laneReports?: LaneReports;
  /** In an event's workflow: when dispatchEvent ran, and the first attempt it made (none for a rate-limited, FIFO or cancelled delivery). */
  dispatched?: { at: number; first: FirstAttempt | undefined };
  /** Where a failure is notified from; absent for notifications, which never notify. */
  notify?: NotificationSource;
}

export async function deliverOne(plan: DeliveryPlan, ctx: DeliveryContext): Promise<DeliveryResult> {
  const { laneReports } = ctx;
  if (plan.fifo && laneReports) return deliverInLane(plan, { ...ctx, laneReports });
  const { timeScale, cancellable } = ctx;
  const base = { deliveryId: plan.deliveryId, subscriptionId: plan.subscriptionId };
  const scope = cancellable.open(plan.deliveryId);
  let status: DeliveryOutcome;
  let reason: string;
  let failureDetails: unknown[] | undefined;
  try {
    const first = ctx.dispatched?.first;
    return succeeded(
      plan,
      await scope.run(() =>
        first ? afterDispatchedAttempt(plan, timeScale, first, ctx.dispatched!.at) : attempts(plan, timeScale, ctx.limitChanges),
      ),
    );
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
  const summary = await bookkeeping.finishDelivery({ deliveryId: plan.deliveryId, status, reason });
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

/**
 * Every attempt of one delivery under its policy (a delivery dispatchEvent made no first attempt for); throws
 * the final failure when it gives up. Attempt 1 is a local activity, in the workflow task that asked for it:
 * a receiver that answers costs no activity task. A failed first attempt hands the rest of the policy to a
 * regular activity, which the Web UI shows as pending with its attempts (its count is hookrelay's attempt
 * number minus one; failure messages carry the real one).
 */
async function attempts(plan: DeliveryPlan, timeScale: number, limitChanges: LimitChanges): Promise<DeliverResult> {
  if (plan.rateLimited) return rateLimitedAttempts(plan, timeScale, limitChanges);
  const options = toActivityOptions(plan.retryPolicy, plan.timeoutMs, timeScale);
  const summary = `${plan.subscriptionId} → ${plan.url}`;
  const input = { deliveryId: plan.deliveryId, retryPolicy: plan.retryPolicy, timeScale };
  const started = Date.now();
  try {
    return await firstAttempt.deliver.executeWithOptions(
      { startToCloseTimeout: options.startToCloseTimeout, retry: { maximumAttempts: 1 }, summary },
      [input],
    );
  } catch (error) {
    if (!(error instanceof TemporalFailure) || isCancellation(error)) throw error;
    const cause = attemptFailure(error);
    if ((cause instanceof ApplicationFailure && cause.nonRetryable) || plan.retryPolicy.maximumAttempts === 1) throw error;
    return retryAfterFirst(plan, timeScale, options, cause, started);
  }
}

/** After a failed first attempt: the first retry interval (or the receiver's Retry-After), then the policy's remainder as a regular activity. */
async function retryAfterFirst(
  plan: DeliveryPlan,
  timeScale: number,
  options: DeliveryActivityOptions,
  cause: Error | undefined,
  startedAt: number,
): Promise<DeliverResult> {
  // The receiver's Retry-After is already bounded by the policy.
  const detail = cause instanceof ApplicationFailure ? (cause.details?.[0] as Partial<RetryAfterDetail> | undefined) : undefined;
  const asked =
    detail?.retryAfterMs ?? (cause instanceof ApplicationFailure && cause.nextRetryDelay != null ? msToNumber(cause.nextRetryDelay) : undefined);
  await sleep(asked ?? options.retry.initialInterval);
  const rest = afterFirstAttempt(options, Date.now() - startedAt);
  const input = { deliveryId: plan.deliveryId, retryPolicy: plan.retryPolicy, timeScale, attemptOffset: 1 };
  return retries.deliver.executeWithOptions({ ...rest, summary: `${plan.subscriptionId} → ${plan.url}` }, [input]);
}
