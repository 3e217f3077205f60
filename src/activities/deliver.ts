import { Context } from '@temporalio/activity';
import type { Tracer } from '@opentelemetry/api';
import { inAttemptSpan } from '../telemetry/attempt-span.js';
import { ApplicationFailure } from '@temporalio/common';
import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import type { Pool } from '../db/pool.js';
import { attemptContext, succeededAttempt, type AttemptContext } from '../db/attempts.js';
import { makeAttemptRecorder } from './attempt-record.js';
import { disableSubscription } from '../db/active-subscriptions.js';
import { admitAttempt } from '../db/rate-limit.js';
import { admit, releaseSlots, type CircuitSettings } from '../db/isolation.js';
import { makeGate, notAdmitted } from './gate.js';
import { makeInFlight } from './in-flight.js';
import { FailureType } from '../domain/delivery-failures.js';
import { circuitEffect } from '../domain/flow-control.js';
import { applyFieldMap } from '../delivery/field-map.js';
import { signedMessage } from '../delivery/signature.js';
import type { SignerCache } from '../delivery/signer-cache.js';
import type { Keyring } from '../secrets/encryption-keys.js';
import { openHeaders } from '../secrets/subscription-fields.js';
import { forbiddenLiteralHost } from '../delivery/address-policy.js';
import { performAttempt, type AttemptResult } from '../delivery/http-attempt.js';
import { classify, describeFailure, type Verdict } from '../delivery/classify.js';
import { requestHeaders } from '../delivery/request-headers.js';
import { statusClass, type WorkerMetrics } from '../metrics.js';
import type { DeliverInput, DeliverResult, RetryAfterDetail, SubscriptionDisabledDetail } from './types.js';

/**
 * A rate-limited attempt whose timer fired a little late waits out the rest here (milliseconds, usually);
 * a longer wait (the limit was tightened meanwhile) goes back to the workflow for a new slot on a timer.
 */
const ADMISSION_WAIT_MAX_MS = 2_000;

export interface DeliverDeps {
  pool: Pool;
  agent: Dispatcher;
  clock: () => Date;
  allowPrivateTargets: boolean;
  autoDisableAfterMs: number;
  metrics: WorkerMetrics;
  logger: Logger;
  isolation: IsolationSettings;
  /** Opens the sealed headers of each attempt. */
  keyring: Keyring;
  /** The opened signing keys (sealed at rest), by their stored value. */
  signers: SignerCache;
  /** The worker's tracer when tracing is on: each attempt is a CLIENT span and the receiver gets its traceparent. */
  tracer?: Tracer;
}

/** The bulkhead's and the circuit breaker's settings (docs/isolation.md); the circuit's times already scaled like retry intervals. */
export interface IsolationSettings {
  originMaxInFlight: number;
  /** The window of a subscription in slow start (docs/isolation.md). */
  slowStartInFlight: number;
  circuit: CircuitSettings;
  /** How long dispatchEvent waits for its first attempts before leaving the slow ones running on their own. */
  inlineAttemptLimitMs: number;
  /** The most deliveries one workflow makes: a larger fan-out goes to child workflows, one per slice. */
  fanOutSlice: number;
}

/** The request's headers: the subscription's own (opened here, where they are sent) and the signed Standard Webhooks ones. */
function attemptHeaders(deps: DeliverDeps, ctx: AttemptContext, body: string, attempt: number, timestamp: number): Record<string, string> {
  // The current secret first, then every replaced one still within its grace: a receiver holding any of them verifies.
  const message = signedMessage(ctx.event_id, timestamp, body);
  const signatures = [ctx.secret, ...ctx.previous_secrets].map((stored) => deps.signers.signer(stored)(message));
  return requestHeaders(openHeaders(deps.keyring, ctx.headers_encrypted, ctx.headers), {
    eventId: ctx.event_id,
    eventType: ctx.event_type,
    attempt,
    timestamp,
    signature: signatures.join(' '),
  });
}

/**
 * One attempt of one delivery, in stages: load what it needs (fresh each attempt), send (or refuse an
 * SSRF literal), record, classify (pure), then act on the verdict. Temporal's retry policy makes the next one.
 */
export function makeDeliver(deps: DeliverDeps) {
  const recordOnce = makeAttemptRecorder({ ...deps, circuit: deps.isolation.circuit });
  const gate = makeGate(deps);
  /**
   * Disables the subscription after the attempt that decided it. The request went out: a database error
   * here must not make Temporal send it again, so it is logged (the delivery still ends) rather than thrown.
   */
  async function disableAfterSend(subscriptionId: string, reason: string): Promise<boolean> {
    try {
      return await disableSubscription(deps.pool, subscriptionId, reason);
    } catch (error) {
      deps.logger.error({ err: error, subscriptionId }, 'subscription not disabled: the database refused; the delivery ends all the same');
      return false;
    }
  }

  async function send(ctx: AttemptContext, deliveryId: string, attempt: number, startedAt: Date): Promise<AttemptResult> {
    const body = applyFieldMap(ctx.payload, ctx.field_map);
    const blockedRange = deps.allowPrivateTargets ? undefined : forbiddenLiteralHost(ctx.url);
    if (blockedRange) return { ok: false, errorClass: 'ssrf_blocked', errorMessage: `refused: ${blockedRange} address`, durationMs: 0 };
    deps.metrics.inFlight.inc();
    try {
      const headers = attemptHeaders(deps, ctx, body, attempt, Math.floor(startedAt.getTime() / 1000));
      const identity = { eventId: ctx.event_id, subscriptionId: ctx.subscription_id, deliveryId, attempt };
      return await inAttemptSpan(deps.tracer, { url: ctx.url, method: ctx.method, headers }, identity, (sent) =>
        performAttempt(deps.agent, { url: ctx.url, method: ctx.method, headers: sent, body, timeoutMs: ctx.timeout_ms }, () =>
          deps.clock().getTime(),
        ),
      );
    } finally {
      deps.metrics.inFlight.dec();
    }
  }

  /** Throws the verdict as the ApplicationFailure the workflow and Temporal's retry policy read. */
  async function fail(verdict: Exclude<Verdict, { delivered: true }>, ctx: AttemptContext): Promise<never> {
    let details: Array<SubscriptionDisabledDetail | RetryAfterDetail> = [];
    // The detail tells the workflow that this attempt disabled the subscription, so it notifies once.
    if (verdict.disableSubscription !== undefined && (await disableAfterSend(ctx.subscription_id, verdict.disableSubscription))) {
      details = [{ subscriptionDisabled: { subscriptionId: ctx.subscription_id, url: ctx.url, reason: verdict.disableSubscription } }];
    }
    // Also as a detail: a local activity's failure reaches the workflow without nextRetryDelay.
    if (verdict.retryAfterMs !== undefined) details = [{ retryAfterMs: verdict.retryAfterMs }];
    throw ApplicationFailure.create({
      message: verdict.message,
      type: verdict.type,
      nonRetryable: verdict.nonRetryable,
      details,
      // Always the policy's own delay after hookrelay's attempt number: Temporal's count also holds the
      // times the attempt waited at the gate, so its backoff would run ahead of the policy.
      ...(verdict.nonRetryable ? {} : { nextRetryDelay: verdict.retryAfterMs ?? verdict.nextDelayMs }),
    });
  }

  /**
   * Attempt number `attempt` of a delivery whose context was just read (undefined: the delivery is gone).
   * `admitted`: dispatchEvent already let it through the gate.
   */
  async function attemptDelivery(input: DeliverInput, attempt: number, ctx: AttemptContext | undefined, admitted = false): Promise<DeliverResult> {
    const { info } = Context.current();
    if (!ctx) throw ApplicationFailure.nonRetryable(`delivery ${input.deliveryId} not found`, FailureType.Cancelled);
    if (ctx.delivery_status === 'succeeded') {
      // An earlier run of this attempt delivered and recorded it, then did not report back: report what it recorded.
      const recorded = await succeededAttempt(deps.pool, input.deliveryId);
      if (!recorded) throw ApplicationFailure.nonRetryable(`delivery ${input.deliveryId} not found`, FailureType.Cancelled);
      return { statusCode: recorded.status_code, attempts: recorded.number, durationMs: recorded.duration_ms };
    }
    if (ctx.delivery_status === 'cancelled' || !ctx.enabled || ctx.deleted) {
      throw ApplicationFailure.nonRetryable(`subscription ${ctx.subscription_id} is ${ctx.deleted ? 'deleted' : 'disabled'}`, FailureType.Cancelled);
    }

    // The gate first, then the rate limit's admission: the last step before the request, so the limit's
    // spacing is the requests' spacing.
    if (!admitted) {
      const admission = await admit(deps.pool, gate.request(ctx, input.deliveryId));
      if (!admission.admitted) {
        const message = gate.refused(admission.reason, admission.waitMs, ctx);
        // A rate-limited delivery's workflow makes its own waits (and takes a new rate-limit slot after it).
        if (input.rateLimited) return { statusCode: 0, attempts: attempt - 1, durationMs: 0, notAdmittedForMs: admission.waitMs };
        throw notAdmitted(admission.reason, admission.waitMs, message);
      }
    }

    if (input.rateLimited) {
      for (;;) {
        const { waitMs } = await admitAttempt(deps.pool, ctx.subscription_id, input.deliveryId, input.timeScale);
        if (waitMs === 0) break;
        if (waitMs > ADMISSION_WAIT_MAX_MS) {
          // Back to the workflow for a new slot: the bulkhead slot is not kept meanwhile.
          await releaseSlots(deps.pool, input.deliveryId);
          return { statusCode: 0, attempts: attempt - 1, durationMs: 0, notAdmittedForMs: waitMs };
        }
        await Context.current().sleep(waitMs);
      }
    }

    const startedAt = deps.clock();
    const result = await send(ctx, input.deliveryId, attempt, startedAt);
    deps.metrics.attempts.inc({ status_class: statusClass(result.statusCode, result.errorClass) });
    // A success at debug: at info, a busy worker's log would be one line per delivery; failures stay at warn.
    // The line's context is built only when it is written (a child logger per attempt costs at every level).
    const level = result.ok ? 'debug' : 'warn';
    if (deps.logger.isLevelEnabled(level)) {
      const line = {
        eventId: ctx.event_id,
        workflowId: info.workflowExecution?.workflowId,
        subscriptionId: ctx.subscription_id,
        deliveryId: input.deliveryId,
        attempt,
        statusCode: result.statusCode,
        durationMs: result.durationMs,
      };
      if (result.ok) deps.logger.debug(line, 'delivered');
      else deps.logger.warn({ ...line, errorClass: result.errorClass }, describeFailure(result, ctx.url));
    }

    const { failingSince } = await recordOnce(
      {
        deliveryId: input.deliveryId,
        subscriptionId: ctx.subscription_id,
        number: attempt,
        startedAt,
        durationMs: result.durationMs,
        ok: result.ok,
        statusCode: result.statusCode,
        errorClass: result.errorClass,
        errorMessage: result.errorMessage,
        responseBody: result.responseBody,
        circuit: circuitEffect(result),
      },
      describeFailure(result, ctx.url),
    );
    const verdict = classify(result, input.retryPolicy, failingSince, {
      url: ctx.url,
      attempt,
      startedAt,
      autoDisableAfterMs: deps.autoDisableAfterMs,
      timeScale: input.timeScale,
    });
    if (!verdict.delivered) return fail(verdict, ctx);
    deps.metrics.deliveries.inc({ outcome: 'succeeded' });
    deps.metrics.attemptsPerDelivery.observe(attempt);
    deps.metrics.acceptedToDelivered.observe((deps.clock().getTime() - ctx.event_created_at.getTime()) / 1000);
    return { statusCode: result.statusCode!, attempts: attempt, durationMs: result.durationMs };
  }

  const inFlight = makeInFlight({ ...deps, recordOnce, fail });
  return {
    attemptDelivery,
    admission: gate.request,
    leaveRunning: inFlight.leaveRunning,
    notAdmittedMessage: gate.refused,
    /** The `deliver` activity: Temporal's retry policy (or the workflow, for rate limits) makes the next attempt. */
    async deliver(input: DeliverInput): Promise<DeliverResult> {
      if (input.inFlightAttempt !== undefined) {
        // Only this activity's first run reports the attempt left running; a retry of it (after that report,
        // or after a run lost with its worker) waits for the attempt's record, then makes the next attempt.
        const settled = await inFlight.settle(input, input.inFlightAttempt, Context.current().info.attempt === 1);
        if (settled) return settled;
      }
      const ctx = await attemptContext(deps.pool, input.deliveryId);
      // hookrelay's attempt number is what is recorded: Temporal's count also holds the waits at the gate.
      return attemptDelivery(input, (ctx?.attempt_count ?? 0) + 1, ctx);
    },
  };
}
