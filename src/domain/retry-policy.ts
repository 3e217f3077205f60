// Declarative retry policies and their one-to-one mapping onto Temporal activity options.
// Pure: the workflow imports `toActivityOptions`, the API and activities import `resolveRetryPolicy`.
import { parseDuration } from './duration.js';
import { NON_RETRYABLE_ERROR_TYPES } from './delivery-failures.js';

export { NON_RETRYABLE_ERROR_TYPES };

export const RETRY_PRESETS = ['default', 'three_retries', 'none'] as const;
export type RetryPreset = (typeof RETRY_PRESETS)[number];

/** As a tenant writes it: a preset name or an object with human durations. */
export interface RetryPolicyObject {
  initial_interval?: string;
  backoff_coefficient?: number;
  maximum_interval?: string;
  maximum_attempts?: number;
  max_duration?: string;
  non_retryable_statuses?: number[];
}
export type RetryPolicySpec = RetryPreset | RetryPolicyObject;

/** Normalised to milliseconds; what the workflow and the delivery activity work with. */
export interface ResolvedRetryPolicy {
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
  /** 0 means unlimited (bounded by maxDurationMs). */
  maximumAttempts: number;
  /** 0 means no overall deadline (bounded by maximumAttempts). */
  maxDurationMs: number;
  nonRetryableStatuses: number[];
}

export const RETRY_BOUNDS = {
  minIntervalMs: 1_000,
  maxInitialIntervalMs: 3_600_000,
  maxMaximumIntervalMs: 86_400_000,
  minCoefficient: 1,
  maxCoefficient: 10,
  maxAttempts: 1000,
  maxDurationMs: 7 * 86_400_000,
} as const;

const PRESETS: Record<RetryPreset, ResolvedRetryPolicy> = {
  // At least once for 3 days.
  default: {
    initialIntervalMs: 5_000,
    backoffCoefficient: 2,
    maximumIntervalMs: 3_600_000,
    maximumAttempts: 0,
    maxDurationMs: 72 * 3_600_000,
    nonRetryableStatuses: [],
  },
  // Three retries with exponentially growing delays.
  three_retries: {
    initialIntervalMs: 10_000,
    backoffCoefficient: 3,
    maximumIntervalMs: 3_600_000,
    maximumAttempts: 4,
    maxDurationMs: 0,
    nonRetryableStatuses: [],
  },
  none: {
    initialIntervalMs: 1_000,
    backoffCoefficient: 1,
    maximumIntervalMs: 1_000,
    maximumAttempts: 1,
    maxDurationMs: 0,
    nonRetryableStatuses: [],
  },
};

export function resolveRetryPolicy(spec: RetryPolicySpec): ResolvedRetryPolicy {
  if (typeof spec === 'string') return { ...PRESETS[spec], nonRetryableStatuses: [] };
  const initialIntervalMs = spec.initial_interval ? parseDuration(spec.initial_interval) : 5_000;
  const maximumIntervalMs = spec.maximum_interval
    ? parseDuration(spec.maximum_interval)
    : Math.max(initialIntervalMs, Math.min(100 * initialIntervalMs, 3_600_000));
  return {
    initialIntervalMs,
    backoffCoefficient: spec.backoff_coefficient ?? 2,
    maximumIntervalMs,
    maximumAttempts: spec.maximum_attempts ?? 0,
    maxDurationMs: spec.max_duration ? parseDuration(spec.max_duration) : 0,
    nonRetryableStatuses: [...(spec.non_retryable_statuses ?? [])],
  };
}

/** Time the activity needs beyond the HTTP timeout for its database writes. */
export const ACTIVITY_OVERHEAD_MS = 5_000;

export interface DeliveryActivityOptions {
  startToCloseTimeout: number;
  scheduleToCloseTimeout?: number;
  retry: {
    initialInterval: number;
    backoffCoefficient: number;
    maximumInterval: number;
    /** Absent means unlimited (the SDK refuses 0). */
    maximumAttempts?: number;
    nonRetryableErrorTypes: string[];
  };
}

/**
 * `timeScale` shrinks every interval and deadline (tests run the real policies in seconds).
 * Temporal's RetryPolicy has no overall deadline, so max_duration becomes scheduleToCloseTimeout.
 */
export function toActivityOptions(policy: ResolvedRetryPolicy, timeoutMs: number, timeScale = 1): DeliveryActivityOptions {
  const scale = (ms: number) => Math.max(1, Math.round(ms * timeScale));
  const options: DeliveryActivityOptions = {
    startToCloseTimeout: timeoutMs + ACTIVITY_OVERHEAD_MS,
    retry: {
      initialInterval: scale(policy.initialIntervalMs),
      backoffCoefficient: policy.backoffCoefficient,
      maximumInterval: scale(policy.maximumIntervalMs),
      ...(policy.maximumAttempts > 0 ? { maximumAttempts: policy.maximumAttempts } : {}),
      nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
    },
  };
  if (policy.maxDurationMs > 0) options.scheduleToCloseTimeout = scale(policy.maxDurationMs);
  return options;
}

/** The wait before retry n+1 after n attempts, as Temporal's RetryPolicy computes it. */
export function backoffDelay(retry: { initialInterval: number; backoffCoefficient: number; maximumInterval: number }, attemptsMade: number): number {
  return Math.min(retry.maximumInterval, Math.round(retry.initialInterval * retry.backoffCoefficient ** (attemptsMade - 1)));
}

/** The policy's wait (scaled) before the attempt after attempt `attemptsMade`, in hookrelay's own count. */
export function policyDelayMs(policy: ResolvedRetryPolicy, attemptsMade: number, timeScale: number): number {
  const scale = (ms: number) => Math.max(1, Math.round(ms * timeScale));
  return backoffDelay(
    {
      initialInterval: scale(policy.initialIntervalMs),
      backoffCoefficient: policy.backoffCoefficient,
      maximumInterval: scale(policy.maximumIntervalMs),
    },
    attemptsMade,
  );
}

/**
 * The policy's remainder once attempt 1 has been made elsewhere (as a local activity): one attempt
 * fewer, the next interval grown by the coefficient, the overall deadline shortened by the time spent.
 * Attempts 2, 3, ... then come at exactly the times the whole policy would have made them.
 */
export function afterFirstAttempt(options: DeliveryActivityOptions, elapsedMs: number): DeliveryActivityOptions {
  const { retry } = options;
  const next: DeliveryActivityOptions['retry'] = {
    ...retry,
    initialInterval: backoffDelay(retry, 2),
  };
  if (retry.maximumAttempts !== undefined) next.maximumAttempts = retry.maximumAttempts - 1;
  const remainder: DeliveryActivityOptions = { ...options, retry: next };
  if (options.scheduleToCloseTimeout !== undefined) remainder.scheduleToCloseTimeout = Math.max(1, options.scheduleToCloseTimeout - elapsedMs);
  return remainder;
}
