import { describe, expect, it } from 'vitest';
import { classify, type ClassifyContext } from '../../src/delivery/classify.js';
import type { AttemptResult } from '../../src/delivery/http-attempt.js';
import { FailureType, NON_RETRYABLE_ERROR_TYPES } from '../../src/domain/delivery-failures.js';
import { resolveRetryPolicy, toActivityOptions } from '../../src/domain/retry-policy.js';

const startedAt = new Date('2026-01-01T12:00:00Z');
const ctx: ClassifyContext = { url: 'https://r.example/hook', attempt: 3, startedAt, autoDisableAfterMs: 3 * 86_400_000, timeScale: 1 };
const policy = resolveRetryPolicy({ initial_interval: '10s', maximum_interval: '5m', maximum_attempts: 5, non_retryable_statuses: [400, 422] });
const http = (statusCode: number, extra: Partial<AttemptResult> = {}): AttemptResult => ({
  ok: statusCode >= 200 && statusCode < 300,
  statusCode,
  errorClass: statusCode < 300 ? undefined : 'http_status',
  durationMs: 12,
  ...extra,
});
const justNow = new Date(startedAt.getTime() - 60_000);

describe('classify: what an attempt means for its delivery', () => {
  it('a 2xx is delivered, whatever else holds', () => {
    expect(classify(http(200), policy, null, ctx)).toEqual({ delivered: true });
    expect(classify(http(204), policy, new Date(0), ctx)).toEqual({ delivered: true });
  });

  it('410 Gone ends the delivery and disables the subscription, with the time in the reason', () => {
    expect(classify(http(410), policy, justNow, ctx)).toEqual({
      delivered: false,
      type: FailureType.Gone,
      nonRetryable: true,
      message: 'HTTP 410 from https://r.example/hook after 12 ms (attempt 3)',
      disableSubscription: 'receiver answered 410 Gone at 2026-01-01T12:00:00.000Z',
    });
  });

  it('failing for the whole auto-disable window disables the subscription (and takes precedence over other verdicts)', () => {
    const since = new Date(startedAt.getTime() - ctx.autoDisableAfterMs);
    for (const result of [http(500), http(400), { ok: false, errorClass: 'timeout', errorMessage: 'no answer', durationMs: 5 } as AttemptResult]) {
      const verdict = classify(result, policy, since, ctx);
      expect(verdict).toMatchObject({
        delivered: false,
        type: FailureType.SubscriptionDisabled,
        nonRetryable: true,
        disableSubscription: `every attempt failed since ${since.toISOString()}`,
      });
      expect(verdict.delivered === false && verdict.message).toMatch(/; subscription disabled: every attempt failed since /);
    }
  });

  it('one millisecond short of the window is an ordinary failure', () => {
    const since = new Date(startedAt.getTime() - ctx.autoDisableAfterMs + 1);
    expect(classify(http(500), policy, since, ctx)).toMatchObject({ type: 'HttpStatus', nonRetryable: false });
    expect(classify(http(500), policy, null, ctx)).toMatchObject({ type: 'HttpStatus', nonRetryable: false });
  });

  it('410 is Gone even when the window has passed too', () => {
    expect(classify(http(410), policy, new Date(0), ctx)).toMatchObject({ type: FailureType.Gone });
  });

  it.each([400, 422])('a status the policy lists (%i) ends the delivery without disabling', (status) => {
    const verdict = classify(http(status), policy, justNow, ctx);
    expect(verdict).toEqual({
      delivered: false,
      type: FailureType.NonRetryableStatus,
      nonRetryable: true,
      message: `HTTP ${status} from https://r.example/hook after 12 ms (attempt 3)`,
    });
  });

  it('a status the policy does not list is retried', () => {
    expect(classify(http(401), policy, justNow, ctx)).toMatchObject({ type: 'HttpStatus', nonRetryable: false });
  });

  it('an SSRF refusal ends the delivery', () => {
    const blocked: AttemptResult = { ok: false, errorClass: 'ssrf_blocked', errorMessage: 'refused: loopback address', durationMs: 0 };
    expect(classify(blocked, policy, justNow, ctx)).toEqual({
      delivered: false,
      type: FailureType.SsrfBlocked,
      nonRetryable: true,
      message: 'ssrf_blocked: refused: loopback address from https://r.example/hook after 0 ms (attempt 3)',
    });
  });

  it.each([
    ['timeout', 'Timeout'],
    ['connection_refused', 'ConnectionRefused'],
    ['connection_reset', 'ConnectionReset'],
    ['dns', 'Dns'],
    ['tls', 'Tls'],
    ['network', 'Network'],
  ] as const)('a %s error is retried as %s', (errorClass, type) => {
    const verdict = classify({ ok: false, errorClass, errorMessage: 'x', durationMs: 3 }, policy, justNow, ctx);
    expect(verdict).toEqual({
      delivered: false,
      type,
      nonRetryable: false,
      message: `${errorClass}: x from https://r.example/hook after 3 ms (attempt 3)`,
      nextDelayMs: 40_000,
    });
  });

  it("sets the next delay after hookrelay's attempt count (the policy's backoff, scaled, up to its maximum)", () => {
    const at = (attempt: number, timeScale = 1) => classify(http(500), policy, justNow, { ...ctx, attempt, timeScale });
    expect(at(1)).toMatchObject({ nextDelayMs: 10_000 });
    expect(at(2)).toMatchObject({ nextDelayMs: 20_000 });
    expect(at(4, 0.01)).toMatchObject({ nextDelayMs: 800 });
    const long = resolveRetryPolicy({ initial_interval: '10s', maximum_interval: '5m' });
    expect(classify(http(500), long, justNow, { ...ctx, attempt: 9 })).toMatchObject({ nextDelayMs: 300_000 });
  });

  it("makes the policy's last attempt final, with its retryable type (waits at the gate are not attempts)", () => {
    expect(classify(http(500), policy, justNow, { ...ctx, attempt: 5 })).toEqual({
      delivered: false,
      type: 'HttpStatus',
      nonRetryable: true,
      message: 'HTTP 500 from https://r.example/hook after 12 ms (attempt 5)',
    });
    expect(classify(http(500), policy, justNow, { ...ctx, attempt: 4 })).toMatchObject({ nonRetryable: false });
    const unlimited = resolveRetryPolicy('default');
    expect(classify(http(500), unlimited, justNow, { ...ctx, attempt: 900 })).toMatchObject({ nonRetryable: false });
  });

  describe('Retry-After on 429 and 503', () => {
    it.each([
      [429, '30', 30_000],
      [503, '30', 30_000],
      [429, '1', 10_000], // below the initial interval: raised to it
      [429, '3600', 300_000], // above the maximum interval: lowered to it
      [503, 'Thu, 01 Jan 2026 12:01:00 GMT', 60_000], // an HTTP date, from the attempt's start
    ])('%i with Retry-After %s waits %i ms', (status, header, expected) => {
      expect(classify(http(status, { retryAfter: header }), policy, justNow, ctx)).toMatchObject({
        type: 'HttpStatus',
        nonRetryable: false,
        retryAfterMs: expected,
      });
    });

    it('is scaled by the time scale like the policy', () => {
      expect(classify(http(429, { retryAfter: '30' }), policy, justNow, { ...ctx, timeScale: 0.001 })).toMatchObject({ retryAfterMs: 30 });
    });

    it('is ignored on other statuses, when unreadable, and when absent', () => {
      for (const result of [http(500, { retryAfter: '30' }), http(429, { retryAfter: 'soon' }), http(503)]) {
        const verdict = classify(result, policy, justNow, ctx);
        expect(verdict.delivered).toBe(false);
        expect(verdict).not.toHaveProperty('retryAfterMs');
      }
    });
  });

  it('every final verdict is a type Temporal never retries, and no retryable one is', () => {
    const final = [http(410), http(400), { ok: false, errorClass: 'ssrf_blocked', durationMs: 0 } as AttemptResult]
      .map((r) => classify(r, policy, justNow, ctx))
      .concat(classify(http(500), policy, new Date(0), ctx));
    const retried = [http(500), http(429, { retryAfter: '5' }), { ok: false, errorClass: 'dns', durationMs: 1 } as AttemptResult].map((r) =>
      classify(r, policy, justNow, ctx),
    );
    const nonRetryable = toActivityOptions(policy, 10_000).retry.nonRetryableErrorTypes;
    expect(nonRetryable).toBe(NON_RETRYABLE_ERROR_TYPES);
    for (const v of final) expect(v.delivered === false && nonRetryable.includes(v.type as never)).toBe(true);
    for (const v of retried) expect(v.delivered === false && !nonRetryable.includes(v.type as never)).toBe(true);
  });
});
