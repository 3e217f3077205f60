// A retry policy as a sentence ("Up to 8 attempts over 3 days, waiting 30 s, then doubling up to 1 h"),
// read from the same resolution the workflow uses, so the page says what the deliveries will do.
import { resolveRetryPolicy, type RetryPolicySpec } from '../../domain/retry-policy.js';

const UNITS = [
  [86_400_000, 'day', 'days'],
  [3_600_000, 'h', 'h'],
  [60_000, 'min', 'min'],
  [1_000, 's', 's'],
] as const;

/** A span in the largest unit it is a whole number of (90 s stays "90 s"; 1.5 h is "90 min"). */
export function span(ms: number): string {
  for (const [size, one, many] of UNITS) {
    if (ms >= size && ms % size === 0) {
      const n = ms / size;
      return `${n} ${n === 1 ? one : many}`;
    }
  }
  return `${ms} ms`;
}

const GROWTH: Record<number, string> = { 2: 'doubling', 3: 'tripling' };

export function retryPolicyText(spec: RetryPolicySpec): string {
  const p = resolveRetryPolicy(spec);
  if (p.maximumAttempts === 1) return 'One attempt, no retry';
  const attempts = p.maximumAttempts > 0 ? `Up to ${p.maximumAttempts} attempts` : 'Retries until it succeeds';
  const over =
    p.maxDurationMs > 0 ? (p.maximumAttempts > 0 ? ` over at most ${span(p.maxDurationMs)}` : ` or ${span(p.maxDurationMs)} have passed`) : '';
  const growth =
    p.backoffCoefficient === 1 || p.maximumIntervalMs <= p.initialIntervalMs
      ? ' between attempts'
      : `, then ${GROWTH[p.backoffCoefficient] ?? `×${p.backoffCoefficient} each time`} up to ${span(p.maximumIntervalMs)}`;
  const final = p.nonRetryableStatuses.length
    ? `; HTTP ${p.nonRetryableStatuses.join(', ')} ${p.nonRetryableStatuses.length === 1 ? 'is' : 'are'} not retried`
    : '';
  return `${attempts}${over}, waiting ${span(p.initialIntervalMs)}${growth}${final}`;
}
