import { z } from '../zod.js';
import { DURATION_PATTERN, durationMs } from '../../domain/duration.js';
import { RETRY_BOUNDS, RETRY_PRESETS } from '../../domain/retry-policy.js';

// zod runs every check of a field even after one failed, so the range check must accept text the
// pattern check already refused (durationMs gives undefined) rather than throw on it.
function duration(minMs: number, maxMs: number) {
  return z
    .string()
    .regex(DURATION_PATTERN, 'a duration such as "5s", "10m" or "72h"')
    .refine(
      (text) => {
        const ms = durationMs(text);
        return ms === undefined || (ms >= minMs && ms <= maxMs);
      },
      { message: `must be between ${minMs / 1000}s and ${maxMs / 1000}s` },
    );
}

const HttpStatus = z.number().int().min(100).max(599);

export const RetryPolicyObject = z
  .strictObject({
    initial_interval: duration(RETRY_BOUNDS.minIntervalMs, RETRY_BOUNDS.maxInitialIntervalMs).optional(),
    backoff_coefficient: z.number().min(RETRY_BOUNDS.minCoefficient).max(RETRY_BOUNDS.maxCoefficient).optional(),
    maximum_interval: duration(RETRY_BOUNDS.minIntervalMs, RETRY_BOUNDS.maxMaximumIntervalMs).optional(),
    maximum_attempts: z.number().int().min(1).max(RETRY_BOUNDS.maxAttempts).optional(),
    max_duration: duration(RETRY_BOUNDS.minIntervalMs, RETRY_BOUNDS.maxDurationMs).optional(),
    non_retryable_statuses: z.array(HttpStatus).max(50).optional(),
  })
  .refine((p) => p.maximum_attempts !== undefined || p.max_duration !== undefined, {
    message: 'set maximum_attempts, max_duration or both',
    path: ['maximum_attempts'],
  })
  .refine(
    (p) => {
      const initial = p.initial_interval === undefined ? undefined : durationMs(p.initial_interval);
      const maximum = p.maximum_interval === undefined ? undefined : durationMs(p.maximum_interval);
      return initial === undefined || maximum === undefined || maximum >= initial;
    },
    { message: 'must not be shorter than initial_interval', path: ['maximum_interval'] },
  )
  .openapi('RetryPolicyObject');

export const RetryPolicy = z.union([z.enum(RETRY_PRESETS), RetryPolicyObject]).openapi('RetryPolicy', {
  description: 'A preset (`default`: 3 days; `three_retries`; `none`) or a bounded policy object.',
});
