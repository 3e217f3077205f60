import { ActivityFailure, ApplicationFailure, isCancellation, patched, sleep, TemporalFailure } from '@temporalio/workflow';
import { msToNumber } from '@temporalio/common/lib/time.js';
import type { DeliverResult, DeliveryPlan, FirstAttempt, RetryAfterDetail } from '../activities/types.js';
import { FailureType } from '../domain/delivery-failures.js';
import { afterFirstAttempt, toActivityOptions, type DeliveryActivityOptions } from '../domain/retry-policy.js';
import { ISOLATION_PATCH } from './patches.js';
import { bookkeeping, firstAttempt, retries } from './activity-proxies.js';
import type { CancellableDeliveries } from './cancellable-deliveries.js';
import { deliverInLane, type LaneReports } from './fifo-handoff.js';
import { rateLimitedAttempts, type LimitChanges } from './rate-limited.js';
import { retryWaitSummary } from './operator-labels.js';
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
    const isolated = patched(ISOLATION_PATCH);
    return succeeded(
      plan,
      await scope.run(() =>
        isolated
          ? isolatedAttempts(plan, ctx)
          : first
            ? afterDispatchedAttempt(plan, timeScale, first, ctx.dispatched!.at)
            : attempts(plan, timeScale, ctx.limitChanges),
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
 * Every attempt of one delivery after what dispatchEvent did (if anything), under the isolation patch
 * (docs/isolation.md): each attempt a regular activity, so no receiver holds a workflow task. The policy's
 * retries are the activity's, with no attempt limit in Temporal: the activity counts hookrelay's attempts,
 * sets every delay itself, and turns a wait at the gate (circuit open, no in-flight slot) into a retry after
 * that wait which is not an attempt. max_duration still ends the delivery (scheduleToCloseTimeout).
 */
async function isolatedAttempts(plan: DeliveryPlan, ctx: DeliveryContext): Promise<DeliverResult> {
  const { timeScale } = ctx;
  if (plan.rateLimited) return rateLimitedAttempts(plan, timeScale, ctx.limitChanges, true);
  const first = ctx.dispatched?.first;
  if (first && 'delivered' in first) return first.delivered;
  const options = toActivityOptions(plan.retryPolicy, plan.timeoutMs, timeScale);
  const startedAt = ctx.dispatched?.at ?? Date.now();
  let inFlightAttempt: number | undefined;
  if (first && 'failed' in first) {
    const failure = rebuiltFailure(first.failed);
    if (first.failed.nonRetryable || plan.retryPolicy.maximumAttempts === 1) throw failure;
    const delay = askedDelay(failure) ?? options.retry.initialInterval;
    await sleep(delay, { summary: retryWaitSummary(plan, 2, delay, failure) });
  } else if (first && 'waiting' in first) {
    await sleep(first.waiting.waitMs, { summary: first.waiting.message });
  } else if (first && 'inFlight' in first) {
    inFlightAttempt = first.inFlight.attempt;
  }
  const { maximumAttempts: _counted, ...retry } = options.retry;
  const remaining = options.scheduleToCloseTimeout !== undefined ? Math.max(1, options.scheduleToCloseTimeout - (Date.now() - startedAt)) : undefined;
  const input = {
    deliveryId: plan.deliveryId,
    retryPolicy: plan.retryPolicy,
    timeScale,
    ...(inFlightAttempt !== undefined ? { inFlightAttempt } : {}),
  };
  return retries.deliver.executeWithOptions(
    {
      startToCloseTimeout: options.startToCloseTimeout,
      ...(remaining !== undefined ? { scheduleToCloseTimeout: remaining } : {}),
      retry,
      summary: `${plan.subscriptionId} → ${plan.url}`,
    },
    [input],
  );
}

/** A first attempt's failure, reported as data by dispatchEvent, as the ApplicationFailure a failed `deliver` throws. */
function rebuiltFailure(failed: Extract<FirstAttempt, { failed: unknown }>['failed']): ApplicationFailure {
  const { message, type, nonRetryable, details } = failed;
  return ApplicationFailure.create({ message, nonRetryable, details, ...(type !== null ? { type } : {}) });
}

/** The receiver's Retry-After (already bounded by the policy), or the delay the failure asks for. */
function askedDelay(cause: Error | undefined): number | undefined {
  if (!(cause instanceof ApplicationFailure)) return undefined;
  const detail = cause.details?.[0] as Partial<RetryAfterDetail> | undefined;
  return detail?.retryAfterMs ?? (cause.nextRetryDelay != null ? msToNumber(cause.nextRetryDelay) : undefined);
}

/**
 * The attempts after a first one that dispatchEvent made: its result, or the retries of the policy's
 * remainder. The failure is rebuilt as the ApplicationFailure a failed `deliver` would have thrown.
 */
async function afterDispatchedAttempt(plan: DeliveryPlan, timeScale: number, first: FirstAttempt, startedAt: number): Promise<DeliverResult> {
  if ('delivered' in first) return first.delivered;
  // Only the isolation patch's dispatchEvent reports these; a workflow from before it never sees them.
  if (!('failed' in first)) throw ApplicationFailure.nonRetryable('a first attempt this workflow version cannot read');
  const failure = rebuiltFailure(first.failed);
  const nonRetryable = first.failed.nonRetryable;
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
  const delay = askedDelay(cause) ?? options.retry.initialInterval;
  await sleep(delay, { summary: retryWaitSummary(plan, 2, delay, cause) });
  const rest = afterFirstAttempt(options, Date.now() - startedAt);
  const input = { deliveryId: plan.deliveryId, retryPolicy: plan.retryPolicy, timeScale, attemptOffset: 1 };
  return retries.deliver.executeWithOptions({ ...rest, summary: `${plan.subscriptionId} → ${plan.url}` }, [input]);
}
