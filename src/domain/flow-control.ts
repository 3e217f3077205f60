// Flow control per subscription: a rate limit on attempts, and the order deliveries are made in. Pure:
// the API schema, the database modules, the workflows and the portal read these declarations.
// The database's CHECK constraints list the same names (migrations/1764400000000_flow-control.sql).

export const RATE_LIMIT_PERIODS = ['1s', '1m', '1h'] as const;
export type RateLimitPeriod = (typeof RATE_LIMIT_PERIODS)[number];
const PERIOD_MS: Record<RateLimitPeriod, number> = { '1s': 1_000, '1m': 60_000, '1h': 3_600_000 };

export const RATE_LIMIT_BOUNDS = { minRequests: 1, maxRequests: 100_000 } as const;

/** At most `requests` attempts in any window of length `per`. */
export interface RateLimit {
  requests: number;
  per: RateLimitPeriod;
}

export const ORDERINGS = ['none', 'fifo'] as const;
export type Ordering = (typeof ORDERINGS)[number];
export const DEFAULT_ORDERING: Ordering = 'none';

/** Why a pending delivery is not being attempted now (the `hookrelay_deliveries_waiting` metric's label). */
export const WAIT_REASONS = ['rate_limit', 'fifo'] as const;
export type WaitReason = (typeof WAIT_REASONS)[number];

/**
 * The spacing between two attempts that keeps a limit: one attempt every `per / requests`, so any window
 * of length `per` holds at most `requests` of them (no bursts). `timeScale` shrinks the window like it
 * shrinks retry intervals (tests run a "1 per minute" limit in 60 ms × scale).
 */
export function rateIntervalMs(limit: RateLimit, timeScale = 1): number {
  return (PERIOD_MS[limit.per] * timeScale) / limit.requests;
}
