// A subscription's attempt figures over a recent window, for the portal and GET /v1/subscriptions/:id/stats.
import type { Queryable } from './pool.js';

export interface AttemptStats {
  attempts: number;
  successes: number;
  failures: number;
  /** Share of attempts that succeeded (0-1); null without attempts. */
  success_rate: number | null;
  /** Duration percentiles in ms over every attempt of the window (continuous, interpolated); null without attempts. */
  p50_duration_ms: number | null;
  p99_duration_ms: number | null;
}

/** An attempt succeeded when it got a 2xx, the same rule the delivery activity applies. */
export async function subscriptionAttemptStats(db: Queryable, subscriptionId: string, windowMs: number): Promise<AttemptStats> {
  const { rows } = await db.query<{ attempts: string; successes: string; p50: number | null; p99: number | null }>(
    `SELECT count(*) AS attempts,
            count(*) FILTER (WHERE a.status_code BETWEEN 200 AND 299) AS successes,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY a.duration_ms) AS p50,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY a.duration_ms) AS p99
     FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
     WHERE d.subscription_id = $1 AND a.started_at >= now() - make_interval(secs => $2::double precision / 1000)`,
    [subscriptionId, windowMs],
  );
  const row = rows[0]!;
  const attempts = Number(row.attempts);
  const successes = Number(row.successes);
  const round = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);
  return {
    attempts,
    successes,
    failures: attempts - successes,
    success_rate: attempts ? successes / attempts : null,
    p50_duration_ms: round(row.p50),
    p99_duration_ms: round(row.p99),
  };
}
