// Attempts that dispatchEvent left running past its inline limit (docs/isolation.md): kept in memory for the
// delivery's next `deliver` in this worker, or found from their record (and lease) by one elsewhere.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from '../db/pool.js';
import { attemptContext, type AttemptContext } from '../db/attempts.js';
import { inFlightAttempt, lastAttempt } from '../db/in-flight-attempts.js';
import { classify, type Verdict } from '../delivery/classify.js';
import { policyDelayMs } from '../domain/retry-policy.js';
import type { AttemptRecord } from '../db/attempts.js';
import type { DeliverInput, DeliverResult, FirstAttempt, RetryAfterDetail } from './types.js';

/** How long an attempt left running keeps its outcome in memory for the workflow's next activity. */
const RUNNING_KEPT_MS = 10 * 60_000;
/** How often an attempt left running elsewhere is looked for in its record. */
const IN_FLIGHT_POLL_MS = 200;

export interface InFlightDeps {
  pool: Pool;
  clock: () => Date;
  autoDisableAfterMs: number;
  recordOnce(record: AttemptRecord, describe: string): Promise<{ failingSince: Date | null }>;
  fail(verdict: Exclude<Verdict, { delivered: true }>, ctx: AttemptContext): Promise<never>;
}

export function makeInFlight(deps: InFlightDeps) {
  const { recordOnce, fail } = deps;
  /**
   * Attempts dispatchEvent left running in this process, by delivery: the workflow's next `deliver` usually
   * runs here too and takes the outcome as it was (Retry-After, a disabled subscription, a record that
   * failed); elsewhere, it reads the record.
   */
  const running = new Map<string, Promise<FirstAttempt>>();

  function leaveRunning(deliveryId: string, outcome: Promise<FirstAttempt>): void {
    running.set(deliveryId, outcome);
    // Kept a while for the workflow's next activity, then dropped (its record says the same).
    const forget = () => void setTimeout(() => running.get(deliveryId) === outcome && running.delete(deliveryId), RUNNING_KEPT_MS).unref();
    outcome.then(forget, forget);
  }

  /**
   * Waits until attempt `number` is recorded (or records it as lost once its lease ran out). `report`: then
   * reports it as a `deliver` of that attempt would have (its result, or its failure with the next delay);
   * otherwise returns undefined, and the caller makes the next attempt.
   */
  async function settle(input: DeliverInput, number: number, report: boolean): Promise<DeliverResult | undefined> {
    const here = running.get(input.deliveryId);
    if (here) {
      const heartbeat = setInterval(() => Context.current().heartbeat(), IN_FLIGHT_POLL_MS * 5);
      let outcome: FirstAttempt | undefined;
      try {
        outcome = await here;
      } catch {
        // The attempt broke on the database: its record (or its lease running out) is read below.
      } finally {
        clearInterval(heartbeat);
        running.delete(input.deliveryId);
      }
      if (outcome && 'delivered' in outcome) return outcome.delivered;
      if (outcome && 'failed' in outcome && report) {
        const { message, type, nonRetryable, details } = outcome.failed;
        throw ApplicationFailure.create({
          message,
          nonRetryable,
          details,
          ...(type !== null ? { type } : {}),
          ...nextDelayOf(outcome.failed, input, number),
        });
      }
    }
    for (;;) {
      const state = await inFlightAttempt(deps.pool, input.deliveryId, number);
      if (!state || state.recorded) break;
      if (!state.leased) {
        const ctx = await attemptContext(deps.pool, input.deliveryId);
        if (!ctx) break;
        const errorMessage = 'the worker making this attempt stopped; its outcome is unknown';
        await recordOnce(
          {
            deliveryId: input.deliveryId,
            subscriptionId: ctx.subscription_id,
            number,
            startedAt: deps.clock(),
            durationMs: 0,
            ok: false,
            errorClass: 'network',
            errorMessage,
            circuit: 'none',
          },
          errorMessage,
        );
        break;
      }
      Context.current().heartbeat();
      await Context.current().sleep(IN_FLIGHT_POLL_MS);
    }
    const ctx = await attemptContext(deps.pool, input.deliveryId);
    if (!report || !ctx || ctx.delivery_status !== 'pending' || ctx.attempt_count !== number) return undefined;
    // It failed: the same verdict as the attempt reached (the receiver's Retry-After is not kept).
    const last = await lastAttempt(deps.pool, input.deliveryId);
    if (!last) return undefined;
    const verdict = classify(last.result, input.retryPolicy, null, {
      url: ctx.url,
      attempt: number,
      startedAt: last.startedAt,
      autoDisableAfterMs: deps.autoDisableAfterMs,
      timeScale: input.timeScale,
    });
    if (verdict.delivered) return undefined;
    return fail(verdict, ctx);
  }

  return { leaveRunning, settle };
}

/** The delay before the attempt after `number` that failed as `failed`: the receiver's Retry-After, else the policy's. */
function nextDelayOf(failed: Extract<FirstAttempt, { failed: unknown }>['failed'], input: DeliverInput, number: number): { nextRetryDelay?: number } {
  if (failed.nonRetryable) return {};
  const asked = failed.details.find((d): d is RetryAfterDetail => 'retryAfterMs' in d)?.retryAfterMs;
  return { nextRetryDelay: asked ?? policyDelayMs(input.retryPolicy, number, input.timeScale) };
}
