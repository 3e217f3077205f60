import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/domain/duration.js';
import { NON_RETRYABLE_ERROR_TYPES, resolveRetryPolicy, toActivityOptions } from '../../src/domain/retry-policy.js';
import { RetryPolicy } from '../../src/api/schemas/retry-policy.js';

const H = 3_600_000;

describe('retry presets map onto Temporal activity options', () => {
  it('default: first retry after 5 s, x2, at most 1 h apart, unlimited attempts, gives up after 72 h', () => {
    expect(toActivityOptions(resolveRetryPolicy('default'), 10_000)).toEqual({
      startToCloseTimeout: 15_000,
      scheduleToCloseTimeout: 72 * H,
      retry: { initialInterval: 5_000, backoffCoefficient: 2, maximumInterval: H, nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES },
    });
  });

  it('three_retries: 4 attempts in all, 10 s then x3', () => {
    const options = toActivityOptions(resolveRetryPolicy('three_retries'), 10_000);
    expect(options.retry).toMatchObject({ initialInterval: 10_000, backoffCoefficient: 3, maximumAttempts: 4 });
    expect(options.scheduleToCloseTimeout).toBeUndefined();
  });

  it('none: one attempt', () => {
    expect(toActivityOptions(resolveRetryPolicy('none'), 1_000).retry.maximumAttempts).toBe(1);
  });

  it('an object maps field by field; the time scale shrinks intervals and deadline only', () => {
    const policy = resolveRetryPolicy({
      initial_interval: '2s',
      backoff_coefficient: 1.5,
      maximum_interval: '1m',
      maximum_attempts: 7,
      max_duration: '2h',
      non_retryable_statuses: [400, 422],
    });
    expect(policy).toEqual({
      initialIntervalMs: 2_000,
      backoffCoefficient: 1.5,
      maximumIntervalMs: 60_000,
      maximumAttempts: 7,
      maxDurationMs: 2 * H,
      nonRetryableStatuses: [400, 422],
    });
    expect(toActivityOptions(policy, 5_000, 0.01)).toMatchObject({
      startToCloseTimeout: 10_000,
      scheduleToCloseTimeout: 72_000,
      retry: { initialInterval: 20, backoffCoefficient: 1.5, maximumInterval: 600, maximumAttempts: 7 },
    });
  });
});

describe('retry policy validation', () => {
  it('accepts presets and bounded objects', () => {
    expect(RetryPolicy.safeParse('three_retries').success).toBe(true);
    expect(RetryPolicy.safeParse({ initial_interval: '1s', maximum_attempts: 1000 }).success).toBe(true);
    expect(RetryPolicy.safeParse({ max_duration: '7d' }).success).toBe(true);
  });

  it.each([
    [{ initial_interval: '500ms', maximum_attempts: 3 }],
    [{ initial_interval: '2h', maximum_attempts: 3 }],
    [{ backoff_coefficient: 11, maximum_attempts: 3 }],
    [{ backoff_coefficient: 0.5, maximum_attempts: 3 }],
    [{ maximum_interval: '25h', maximum_attempts: 3 }],
    [{ maximum_attempts: 1001 }],
    [{ max_duration: '8d' }],
    [{ initial_interval: '5s' }],
    [{ initial_interval: '10s', maximum_interval: '5s', maximum_attempts: 2 }],
    [{ maximum_attempts: 2, jitter: true }],
    ['forever'],
  ])('refuses %j', (value) => {
    expect(RetryPolicy.safeParse(value).success).toBe(false);
  });

  it('parses durations', () => {
    expect(parseDuration('72h')).toBe(72 * H);
    expect(parseDuration('10m')).toBe(600_000);
    expect(() => parseDuration('10 minutes')).toThrow();
  });
});
