// How fast a bulk recovery hands its redeliveries to the receiver. Pure: the recover workflow uses it.
import { durationMs } from './duration.js';

/** Start `batch` redeliveries, then wait `intervalMs` before the next batch. */
export interface RecoveryPace {
  batch: number;
  intervalMs: number;
}

/** Without a rate_limit: 10 redeliveries a second, so a receiver that just came back is not flooded. */
export const DEFAULT_RECOVERY_PACE: RecoveryPace = { batch: 10, intervalMs: 1_000 };

/**
 * The subscription's `rate_limit` (`{requests, per}`) sets the pace: a recovery starts its
 * redeliveries no faster than the limit lets them be attempted, in batches of at most 10; without a
 * limit (or one this code cannot read) the default pace. The deliveries' own attempts are held to the
 * limit by the delivery path as well; this keeps the recovery from queueing far ahead of it.
 */
export function recoveryPace(rateLimit: unknown): RecoveryPace {
  const limit = rateLimit as { requests?: unknown; per?: unknown } | null;
  const per = typeof limit?.per === 'string' ? durationMs(limit.per) : undefined;
  if (typeof limit?.requests !== 'number' || !(limit.requests > 0) || per === undefined) return DEFAULT_RECOVERY_PACE;
  const batch = Math.max(1, Math.min(DEFAULT_RECOVERY_PACE.batch, Math.floor(limit.requests)));
  return { batch, intervalMs: Math.max(DEFAULT_RECOVERY_PACE.intervalMs, Math.ceil((per * batch) / limit.requests)) };
}
