import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Dispatcher } from 'undici';
import type { Pool } from '../db/pool.js';
import { attemptContext, disableSubscription, recordAttempt, type AttemptContext } from '../db/deliveries.js';
import { applyFieldMap } from '../delivery/field-map.js';
import { signatureHeader } from '../delivery/signature.js';
import { forbiddenLiteralHost } from '../delivery/address-policy.js';
import { parseRetryAfter, performAttempt, type AttemptResult } from '../delivery/http-attempt.js';
import { USER_AGENT } from '../version.js';
import { statusClass, type WorkerMetrics } from '../metrics.js';
import type { Logger } from 'pino';
import type { DeliverInput, DeliverResult, RetryAfterDetail, SubscriptionDisabledDetail } from './types.js';

export interface DeliverDeps {
  pool: Pool;
  agent: Dispatcher;
  clock: () => Date;
  allowPrivateTargets: boolean;
  autoDisableAfterMs: number;
  metrics: WorkerMetrics;
  logger: Logger;
}

function requestBody(ctx: AttemptContext): string {
  if (Object.keys(ctx.field_map).length === 0) return ctx.payload;
  return JSON.stringify(applyFieldMap(JSON.parse(ctx.payload) as Record<string, unknown>, ctx.field_map));
}

function requestHeaders(ctx: AttemptContext, body: string, attempt: number, timestamp: number): Record<string, string> {
  const secrets = ctx.previous_secret && ctx.previous_secret_active ? [ctx.secret, ctx.previous_secret] : [ctx.secret];
  return {
    ...ctx.headers,
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'webhook-id': ctx.event_id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatureHeader(secrets, ctx.event_id, timestamp, body),
    'x-hookrelay-event-type': ctx.event_type,
    'x-hookrelay-attempt': String(attempt),
  };
}

/** The message the Web UI shows as the pending activity's last failure. */
export function describeFailure(result: AttemptResult, url: string): string {
  const what = result.statusCode !== undefined ? `HTTP ${result.statusCode}` : `${result.errorClass}: ${result.errorMessage}`;
  return `${what} from ${url} after ${result.durationMs} ms`;
}

/** The same with hookrelay's attempt number, which the Web UI's own count can trail by one (see deliver-one.ts). */
export function describeAttemptFailure(result: AttemptResult, url: string, attempt: number): string {
  return `${describeFailure(result, url)} (attempt ${attempt})`;
}

export function makeDeliver(deps: DeliverDeps) {
  /** One attempt of one delivery; Temporal's retry policy makes the next one. */
  return async function deliver(input: DeliverInput): Promise<DeliverResult> {
    const { info } = Context.current();
    const attempt = (input.attemptOffset ?? 0) + info.attempt;
    const { workflowExecution } = info;
    const ctx = await attemptContext(deps.pool, input.deliveryId);
    if (!ctx) throw ApplicationFailure.nonRetryable(`delivery ${input.deliveryId} not found`, 'DeliveryCancelled');
    if (ctx.delivery_status === 'succeeded') return { statusCode: 200, attempts: attempt, durationMs: 0 };
    if (ctx.delivery_status === 'cancelled' || !ctx.enabled || ctx.deleted) {
      throw ApplicationFailure.nonRetryable(
        `subscription ${ctx.subscription_id} is ${ctx.deleted ? 'deleted' : 'disabled'}`, 'DeliveryCancelled');
    }

    const startedAt = deps.clock();
    const body = requestBody(ctx);
    const blockedRange = deps.allowPrivateTargets ? undefined : forbiddenLiteralHost(ctx.url);
    deps.metrics.inFlight.inc();
    let result: AttemptResult;
    try {
      result = blockedRange
        ? { ok: false, errorClass: 'ssrf_blocked', errorMessage: `refused: ${blockedRange} address`, durationMs: 0 }
        : await performAttempt(deps.agent, {
          url: ctx.url,
          method: ctx.method,
          headers: requestHeaders(ctx, body, attempt, Math.floor(startedAt.getTime() / 1000)),
          body,
          timeoutMs: ctx.timeout_ms,
        }, () => deps.clock().getTime());
    } finally {
      deps.metrics.inFlight.dec();
    }
    deps.metrics.attempts.inc({ status_class: statusClass(result.statusCode, result.errorClass) });
    const log = deps.logger.child({
      eventId: ctx.event_id, workflowId: workflowExecution?.workflowId, subscriptionId: ctx.subscription_id,
      deliveryId: input.deliveryId, attempt,
    });
    if (result.ok) log.info({ statusCode: result.statusCode, durationMs: result.durationMs }, 'delivered');
    else log.warn({ statusCode: result.statusCode, errorClass: result.errorClass, durationMs: result.durationMs }, describeFailure(result, ctx.url));

    const { failingSince } = await recordAttempt(deps.pool, {
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
    });
    if (result.ok) {
      deps.metrics.deliveries.inc({ outcome: 'succeeded' });
      deps.metrics.attemptsPerDelivery.observe(attempt);
      deps.metrics.acceptedToDelivered.observe((deps.clock().getTime() - ctx.event_created_at.getTime()) / 1000);
      return { statusCode: result.statusCode!, attempts: attempt, durationMs: result.durationMs };
    }

    const message = describeAttemptFailure(result, ctx.url, attempt);
    // The detail tells the workflow that this attempt disabled the subscription, so it notifies once.
    const disabledDetail = async (reason: string): Promise<SubscriptionDisabledDetail[]> =>
      (await disableSubscription(deps.pool, ctx.subscription_id, reason))
        ? [{ subscriptionDisabled: { subscriptionId: ctx.subscription_id, url: ctx.url, reason } }]
        : [];
    if (result.statusCode === 410) {
      const details = await disabledDetail(`receiver answered 410 Gone at ${startedAt.toISOString()}`);
      throw ApplicationFailure.create({ message, type: 'DeliveryGone', nonRetryable: true, details });
    }
    if (failingSince && startedAt.getTime() - failingSince.getTime() >= deps.autoDisableAfterMs) {
      const reason = `every attempt failed since ${failingSince.toISOString()}`;
      const details = await disabledDetail(reason);
      throw ApplicationFailure.create({ message: `${message}; subscription disabled: ${reason}`, type: 'SubscriptionDisabled', nonRetryable: true, details });
    }
    if (result.statusCode !== undefined && input.retryPolicy.nonRetryableStatuses.includes(result.statusCode)) {
      throw ApplicationFailure.create({ message, type: 'NonRetryableStatus', nonRetryable: true });
    }
    if (result.errorClass === 'ssrf_blocked') {
      throw ApplicationFailure.create({ message, type: 'SsrfBlocked', nonRetryable: true });
    }
    const nextRetryDelay = retryAfterDelay(result, input, startedAt.getTime());
    throw ApplicationFailure.create({
      message,
      type: failureType(result),
      nextRetryDelay,
      // Also as a detail: a local activity's failure reaches the workflow without nextRetryDelay.
      details: nextRetryDelay !== undefined ? [{ retryAfterMs: nextRetryDelay } satisfies RetryAfterDetail] : [],
    });
  };
}

/** `http_status` → `HttpStatus`, `connection_refused` → `ConnectionRefused`: the failure type shown in the Web UI. */
function failureType(result: AttemptResult): string {
  return (result.errorClass ?? 'network').replace(/(^|_)([a-z])/g, (_m, _sep, letter: string) => letter.toUpperCase());
}

/** A receiver's Retry-After on 429 or 503 sets the next delay, kept within the policy's intervals. */
function retryAfterDelay(result: AttemptResult, input: DeliverInput, nowMs: number): number | undefined {
  if (result.statusCode !== 429 && result.statusCode !== 503) return undefined;
  const asked = parseRetryAfter(result.retryAfter, nowMs);
  if (asked === undefined) return undefined;
  const { initialIntervalMs, maximumIntervalMs } = input.retryPolicy;
  const bounded = Math.min(Math.max(asked, initialIntervalMs), maximumIntervalMs);
  return Math.max(1, Math.round(bounded * input.timeScale));
}
