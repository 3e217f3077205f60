// The hand-off after a local first attempt (workflows/deliver-one.ts): attempts 2, 3, ... must come at the
// times the whole policy, run as one regular activity, would have made them.
import { describe, expect, it } from 'vitest';
import {
  afterFirstAttempt,
  resolveRetryPolicy,
  toActivityOptions,
  type DeliveryActivityOptions,
  type RetryPolicySpec,
} from '../../src/domain/retry-policy.js';

const S = 1_000;
const H = 3_600_000;

/**
 * Start times of the attempts of one activity under Temporal's retry rules: attempt n+1 starts its
 * interval after attempt n ended, the interval being initialInterval × coefficient^(n-1) capped at
 * maximumInterval (or the failure's nextRetryDelay); no attempt beyond maximumAttempts, and none whose
 * start would fall after the schedule-to-close deadline.
 */
function activitySchedule(options: DeliveryActivityOptions, durationMs: number, from = 0, firstDelay?: number): number[] {
  const { retry } = options;
  const deadline = options.scheduleToCloseTimeout !== undefined ? from + options.scheduleToCloseTimeout : Infinity;
  const starts = [from];
  for (let n = 1; starts.length < 300; n++) {
    if (retry.maximumAttempts !== undefined && n >= retry.maximumAttempts) break;
    const interval =
      n === 1 && firstDelay !== undefined ? firstDelay : Math.min(retry.maximumInterval, retry.initialInterval * retry.backoffCoefficient ** (n - 1));
    const next = starts.at(-1)! + durationMs + interval;
    if (next > deadline) break;
    starts.push(next);
  }
  return starts;
}

/** What deliver-one.ts does: attempt 1 local, a workflow sleep, then the remainder as one regular activity. */
function handedOff(options: DeliveryActivityOptions, durationMs: number, retryAfterMs?: number): number[] {
  if (options.retry.maximumAttempts === 1) return [0];
  const elapsed = durationMs + (retryAfterMs ?? options.retry.initialInterval);
  return [0, ...activitySchedule(afterFirstAttempt(options, elapsed), durationMs, elapsed)];
}

const cases: Array<[name: string, spec: RetryPolicySpec, attemptMs: number, timeScale?: number]> = [
  ['default preset (unlimited attempts, 72 h deadline)', 'default', 40],
  ['default preset, every attempt timing out after 10 s', 'default', 10_000],
  ['three_retries (4 attempts, x3)', 'three_retries', 25],
  ['none (one attempt)', 'none', 25],
  ['two attempts', { initial_interval: '1s', maximum_attempts: 2 }, 5],
  [
    'coefficient 1.5, capped at 1 m, 12 attempts',
    { initial_interval: '2s', backoff_coefficient: 1.5, maximum_interval: '1m', maximum_attempts: 12 },
    300,
  ],
  ['capped from the first retry on', { initial_interval: '10s', backoff_coefficient: 10, maximum_interval: '20s', maximum_attempts: 6 }, 100],
  ['max_duration cuts the series short', { initial_interval: '1s', max_duration: '30s' }, 250],
  // Attempt 5 would start at 40 s: after the 35 s deadline, but before it when the deadline were not shortened.
  ['max_duration, evenly spaced attempts', { initial_interval: '10s', backoff_coefficient: 1, max_duration: '35s' }, 0],
  [
    'max_duration and maximum_attempts, the deadline first',
    { initial_interval: '5s', backoff_coefficient: 2, max_duration: '1m', maximum_attempts: 50 },
    2_000,
  ],
  ['max_duration and maximum_attempts, the count first', { initial_interval: '5s', max_duration: '1h', maximum_attempts: 3 }, 2_000],
  ['scaled for tests (0.001)', { initial_interval: '10s', max_duration: '10m', maximum_attempts: 20 }, 3, 0.001],
  ['default preset scaled for tests', 'default', 2, 0.001],
];

describe('afterFirstAttempt: attempts 2.. come when the whole policy would have made them', () => {
  it.each(cases)('%s', (_name, spec, attemptMs, timeScale) => {
    const options = toActivityOptions(resolveRetryPolicy(spec), 10 * S, timeScale);
    const whole = activitySchedule(options, attemptMs);
    expect(whole.length).toBeGreaterThan(0);
    expect(handedOff(options, attemptMs)).toEqual(whole);
  });

  it("the same when the first attempt's Retry-After replaced its interval", () => {
    const options = toActivityOptions(resolveRetryPolicy({ initial_interval: '5s', max_duration: '10m', maximum_attempts: 8 }), 10 * S);
    expect(handedOff(options, 100, 42 * S)).toEqual(activitySchedule(options, 100, 0, 42 * S));
  });

  it('takes one attempt off the count, grows the interval once and shortens the deadline by the time spent', () => {
    const options = toActivityOptions(
      resolveRetryPolicy({ initial_interval: '4s', backoff_coefficient: 3, maximum_interval: '1m', maximum_attempts: 5, max_duration: '1h' }),
      10 * S,
    );
    expect(afterFirstAttempt(options, 4_250)).toEqual({
      ...options,
      scheduleToCloseTimeout: H - 4_250,
      retry: { ...options.retry, initialInterval: 12 * S, maximumAttempts: 4 },
    });
  });

  it('keeps unlimited attempts unlimited and no deadline without one', () => {
    const options = toActivityOptions(
      resolveRetryPolicy({ initial_interval: '1m', backoff_coefficient: 2, maximum_interval: '90s', maximum_attempts: 1000 }),
      10 * S,
    );
    const unlimited = { ...options, retry: { ...options.retry, maximumAttempts: undefined } };
    delete unlimited.retry.maximumAttempts;
    const rest = afterFirstAttempt(unlimited, 61 * S);
    expect(rest.retry).not.toHaveProperty('maximumAttempts');
    expect(rest).not.toHaveProperty('scheduleToCloseTimeout');
    expect(rest.retry.initialInterval).toBe(90 * S); // 2 m, capped at the maximum interval
  });
});
