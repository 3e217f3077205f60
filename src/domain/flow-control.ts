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
export const WAIT_REASONS = ['rate_limit', 'fifo', 'circuit_open', 'in_flight'] as const;
export type WaitReason = (typeof WAIT_REASONS)[number];

/** The bulkhead: attempts of one subscription in flight at once (docs/isolation.md gives the default's reason). */
export const MAX_IN_FLIGHT_BOUNDS = { min: 1, max: 1000, default: 50 } as const;

/**
 * Why an attempt was not admitted (migrations/1764900000000_isolation.sql's hookrelay_admit returns these):
 * its subscription's circuit is open, or half-open with its probe in flight; or the subscription's or the
 * origin's in-flight slots are taken (or owed to older waiting attempts).
 */
export const GATE_REASONS = ['circuit_open', 'circuit_half_open', 'in_flight', 'origin_in_flight'] as const;
export type GateReason = (typeof GATE_REASONS)[number];

export const CIRCUIT_STATES = ['closed', 'open', 'half_open'] as const;
export type CircuitState = (typeof CIRCUIT_STATES)[number];

/** How one attempt's result moves its subscription's circuit: a success or a sign the receiver is up closes it. */
export type CircuitEffect = 'up' | 'down' | 'none';

/** Timeouts, failed connections and 5xx say the receiver is down; a 4xx is an answer (the receiver is up). */
export function circuitEffect(result: { ok: boolean; statusCode?: number; errorClass?: string }): CircuitEffect {
  if (result.ok) return 'up';
  if (result.errorClass === 'ssrf_blocked') return 'none';
  if (result.errorClass !== undefined && result.errorClass !== 'http_status') return 'down';
  return result.statusCode !== undefined && result.statusCode >= 500 ? 'down' : 'up';
}

/** The message a refused attempt carries (the Web UI shows it as the pending activity's last failure). */
export function describeWait(reason: GateReason, waitMs: number, now: number, maxInFlight: number): string {
  const until = new Date(now + waitMs).toISOString();
  switch (reason) {
    case 'circuit_open':
      return `circuit open until ${until}: the receiver failed as if down; one probe goes then`;
    case 'circuit_half_open':
      return `circuit half-open: waiting for the probe's result (asking again by ${until})`;
    case 'in_flight':
      return `waiting for an in-flight slot: ${maxInFlight} attempts of this subscription (fewer in its slow start) are in flight or owed to older ones`;
    case 'origin_in_flight':
      return `waiting for an in-flight slot of the receiver's origin (asking again by ${until})`;
  }
}

/**
 * The spacing between two attempts that keeps a limit: one attempt every `per / requests`, so any window
 * of length `per` holds at most `requests` of them (no bursts). `timeScale` shrinks the window like it
 * shrinks retry intervals (tests run a "1 per minute" limit in 60 ms × scale).
 */
export function rateIntervalMs(limit: RateLimit, timeScale = 1): number {
  return (PERIOD_MS[limit.per] * timeScale) / limit.requests;
}

/**
 * A fan-out's slices running at once (src/workflows/event-slices.ts). Every running slice's pending
 * deliveries (up to FAN_OUT_SLICE each) are held in the workers' one workflow thread; four of 500 keep
 * 2,000 deliveries under way, more than an origin's in-flight bound, while the rest wait as rows in
 * PostgreSQL.
 */
export const SLICES_AT_ONCE = 4;
