// What one attempt's result means for its delivery: a pure decision, acted on by the delivery activity.
import { policyDelayMs, type ResolvedRetryPolicy } from '../domain/retry-policy.js';
import { FailureType, RETRYABLE_FAILURE_TYPES } from '../domain/delivery-failures.js';
import { parseRetryAfter, type AttemptResult } from './http-attempt.js';

export interface ClassifyContext {
  url: string;
  /** hookrelay's attempt number (1-based, across the local first attempt and the activity's retries). */
  attempt: number;
  startedAt: Date;
  /** A subscription failing every attempt for this long is disabled. */
  autoDisableAfterMs: number;
  /** Scales a receiver's Retry-After as the policy's intervals are scaled. */
  timeScale: number;
}

export type Verdict =
  | { delivered: true }
  | {
      delivered: false;
      /** The ApplicationFailure type: a FailureType when final, else named after the error class. */
      type: string;
      message: string;
      nonRetryable: boolean;
      /** Set when this attempt must disable the subscription: the reason stored with it. */
      disableSubscription?: string;
      /** The receiver's Retry-After, bounded by the policy's intervals and scaled. */
      retryAfterMs?: number;
      /** The policy's wait before the next attempt (scaled), when there is one. */
      nextDelayMs?: number;
    };

/** The message the Web UI shows as the pending activity's last failure. */
export function describeFailure(result: AttemptResult, url: string): string {
  const what =
    result.errorClass === undefined || result.errorClass === 'http_status'
      ? `HTTP ${result.statusCode}`
      : `${result.errorClass}: ${result.errorMessage}`;
  return `${what} from ${url} after ${result.durationMs} ms`;
}

/** The same with hookrelay's attempt number, which the Web UI's own count can trail by one (see workflows/deliver-one.ts). */
export function describeAttemptFailure(result: AttemptResult, url: string, attempt: number): string {
  return `${describeFailure(result, url)} (attempt ${attempt})`;
}

/**
 * In order of precedence: a 2xx delivered; 410 Gone disables the subscription; a subscription failing
 * for the whole auto-disable window is disabled; a status the policy names non-retryable and an SSRF
 * refusal end the delivery; anything else is retried, after the receiver's Retry-After when it sent one.
 */
export function classify(result: AttemptResult, policy: ResolvedRetryPolicy, failingSince: Date | null, ctx: ClassifyContext): Verdict {
  if (result.ok) return { delivered: true };
  const message = describeAttemptFailure(result, ctx.url, ctx.attempt);
  const final = (type: string, extra: { message?: string; disableSubscription?: string } = {}): Verdict => ({
    delivered: false,
    type,
    message,
    nonRetryable: true,
    ...extra,
  });

  if (result.statusCode === 410) {
    return final(FailureType.Gone, { disableSubscription: `receiver answered 410 Gone at ${ctx.startedAt.toISOString()}` });
  }
  if (failingSince && ctx.startedAt.getTime() - failingSince.getTime() >= ctx.autoDisableAfterMs) {
    const reason = `every attempt failed since ${failingSince.toISOString()}`;
    return final(FailureType.SubscriptionDisabled, { message: `${message}; subscription disabled: ${reason}`, disableSubscription: reason });
  }
  if (result.statusCode !== undefined && policy.nonRetryableStatuses.includes(result.statusCode)) {
    return final(FailureType.NonRetryableStatus);
  }
  if (result.errorClass === 'ssrf_blocked') return final(FailureType.SsrfBlocked);

  const type = RETRYABLE_FAILURE_TYPES[result.errorClass ?? 'network'];
  // The policy's last attempt: hookrelay counts attempts itself (waits at the gate are not attempts).
  if (policy.maximumAttempts > 0 && ctx.attempt >= policy.maximumAttempts) return final(type);
  const retryAfterMs = retryAfterDelay(result, policy, ctx);
  const nextDelayMs = policyDelayMs(policy, ctx.attempt, ctx.timeScale);
  return { delivered: false, type, message, nonRetryable: false, nextDelayMs, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
}

/** A receiver's Retry-After on 429 or 503 sets the next delay, kept within the policy's intervals. */
function retryAfterDelay(result: AttemptResult, policy: ResolvedRetryPolicy, ctx: ClassifyContext): number | undefined {
  if (result.statusCode !== 429 && result.statusCode !== 503) return undefined;
  const asked = parseRetryAfter(result.retryAfter, ctx.startedAt.getTime());
  if (asked === undefined) return undefined;
  const bounded = Math.min(Math.max(asked, policy.initialIntervalMs), policy.maximumIntervalMs);
  return Math.max(1, Math.round(bounded * ctx.timeScale));
}
