import { ActivityFailure, ApplicationFailure, condition, isCancellation, setHandler, sleep, TemporalFailure } from '@temporalio/workflow';
import type { DeliverResult, DeliveryPlan, RetryAfterDetail } from '../activities/types.js';
import { backoffDelay, toActivityOptions } from '../domain/retry-policy.js';
import { bookkeeping, firstAttempt, retries } from './activity-proxies.js';
import { retryWaitSummary } from './operator-labels.js';
import { rateLimitChangedSignal } from './signals.js';

/** Per workflow: how often each subscription's limit changed (the signal from the API), so a wait for a slot can end early. */
export class LimitChanges {
  private readonly counts = new Map<string, number>();

  constructor() {
    setHandler(rateLimitChangedSignal, (subscriptionId) => void this.counts.set(subscriptionId, this.of(subscriptionId) + 1));
  }

  of(subscriptionId: string): number {
    return this.counts.get(subscriptionId) ?? 0;
  }
}

/**
 * Every attempt of a delivery to a rate-limited subscription, made one by one from the workflow: before
 * each (first attempts and retries alike) the workflow reserves the subscription's next free slot in
 * PostgreSQL and, when it lies ahead, sleeps on a Temporal timer until it. Waiting is neither a failure nor
 * an attempt (Temporal's own retry policy would count a "not yet" as an attempt), so the policy is applied
 * here with the same arithmetic: interval × coefficient^(n-1) up to the maximum, Retry-After when the
 * receiver sent one, maximum_attempts, and max_duration counted from the first attempt. The first attempt
 * is always made however long its wait; a retry whose slot falls after max_duration is not made.
 */
export async function rateLimitedAttempts(
  plan: DeliveryPlan,
  timeScale: number,
  limitChanges: LimitChanges,
  isolated = false,
): Promise<DeliverResult> {
  const options = toActivityOptions(plan.retryPolicy, plan.timeoutMs, timeScale);
  const summary = `${plan.subscriptionId} → ${plan.url}`;
  const one = { startToCloseTimeout: options.startToCloseTimeout, retry: { maximumAttempts: 1 }, summary };
  let firstAt: number | undefined;
  let lastFailure: TemporalFailure | undefined;
  let attempt = 1;
  for (;;) {
    await takeSlot(plan, timeScale, attempt, limitChanges);
    const deadline = firstAt !== undefined && options.scheduleToCloseTimeout !== undefined ? firstAt + options.scheduleToCloseTimeout : undefined;
    // The slot came after max_duration: give up with the last attempt's failure.
    if (deadline !== undefined && lastFailure && Date.now() > deadline) throw lastFailure;
    firstAt ??= Date.now();
    const input = { deliveryId: plan.deliveryId, retryPolicy: plan.retryPolicy, timeScale, attemptOffset: attempt - 1, rateLimited: true };
    let result: DeliverResult;
    try {
      // Since the isolation patch every attempt is a regular activity: no receiver holds a workflow task.
      result = await (attempt === 1 && !isolated ? firstAttempt : retries).deliver.executeWithOptions(one, [input]);
    } catch (error) {
      if (!(error instanceof TemporalFailure) || isCancellation(error)) throw error;
      lastFailure = error;
      const cause = error instanceof ActivityFailure ? error.cause : error;
      const final = cause instanceof ApplicationFailure && (cause.nonRetryable || options.retry.nonRetryableErrorTypes.includes(cause.type ?? ''));
      if (final || (options.retry.maximumAttempts !== undefined && attempt >= options.retry.maximumAttempts)) throw error;
      const asked = cause instanceof ApplicationFailure ? (cause.details?.[0] as Partial<RetryAfterDetail> | undefined)?.retryAfterMs : undefined;
      const delay = asked ?? backoffDelay(options.retry, attempt);
      if (options.scheduleToCloseTimeout !== undefined && Date.now() + delay > firstAt + options.scheduleToCloseTimeout) throw error;
      await sleep(delay, { summary: retryWaitSummary(plan, attempt + 1, delay, cause) });
      attempt += 1;
      continue;
    }
    // Not admitted: the limit was tightened while this delivery waited. Back in the line for a new slot.
    if (result.notAdmittedForMs !== undefined) continue;
    return result;
  }
}

/** Reserves a slot and waits for it; a changed limit (signal from the API) ends the wait and takes a new slot. */
async function takeSlot(plan: DeliveryPlan, timeScale: number, attempt: number, limitChanges: LimitChanges): Promise<void> {
  for (;;) {
    const seen = limitChanges.of(plan.subscriptionId);
    const slot = await bookkeeping.reserveSlot({ subscriptionId: plan.subscriptionId, deliveryId: plan.deliveryId, timeScale });
    if (!slot || slot.delayMs <= 0) return;
    const changed = await condition(() => limitChanges.of(plan.subscriptionId) !== seen, slot.delayMs, {
      summary: `waiting for rate-limit slot: ${plan.deliveryId} to ${plan.subscriptionId} (attempt ${attempt})`,
    });
    if (!changed) return;
  }
}
