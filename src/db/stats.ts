// A subscription's figures over a recent window, for the portal and GET /v1/subscriptions/:id/stats: its
// attempts (each round trip), its deliveries (each event it was sent), and the attempts over time.
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

export interface DeliveryStats {
  total: number;
  succeeded: number;
  failed: number;
  pending: number;
  cancelled: number;
  /** succeeded / (succeeded + failed): a delivery retried into success counts once, as a success; null before any ended. */
  success_rate: number | null;
}

export interface StatsBucket {
  start: string;
  succeeded: number;
  failed: number;
}

export interface SubscriptionFigures extends AttemptStats {
  deliveries: DeliveryStats;
  bucket_ms: number;
  buckets: StatsBucket[];
}

// Every query below takes the window in ms as $2 and the read's clock as $3, so the three agree on the window.
const SINCE = `$3::timestamptz - make_interval(secs => $2::double precision / 1000)`;

/**
 * An attempt succeeded when it got a 2xx, the same rule the delivery activity applies. Attempts count by
 * when they started; deliveries by when they were created (the event reached this subscription). The
 * window is cut into `bucketCount` equal buckets ending now, oldest first, every one present.
 */
export async function subscriptionStats(db: Queryable, subscriptionId: string, windowMs: number, bucketCount: number): Promise<SubscriptionFigures> {
  const now = new Date();
  const bucketMs = windowMs / bucketCount;
  const [attempts, deliveries, buckets] = await Promise.all([
    db.query<{ attempts: string; successes: string; p50: number | null; p99: number | null }>(
      `SELECT count(*) AS attempts,
              count(*) FILTER (WHERE a.status_code BETWEEN 200 AND 299) AS successes,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY a.duration_ms) AS p50,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY a.duration_ms) AS p99
       FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
       WHERE d.subscription_id = $1 AND a.started_at >= ${SINCE} AND a.started_at <= $3`,
      [subscriptionId, windowMs, now],
    ),
    db.query<{ status: string; n: string }>(
      `SELECT status, count(*) AS n FROM deliveries
       WHERE subscription_id = $1 AND created_at >= ${SINCE} AND created_at <= $3 GROUP BY status`,
      [subscriptionId, windowMs, now],
    ),
    db.query<{ bucket: number; succeeded: string; failed: string }>(
      `SELECT LEAST(floor(extract(epoch FROM a.started_at - (${SINCE})) * 1000 / $4)::int, $5 - 1) AS bucket,
              count(*) FILTER (WHERE a.status_code BETWEEN 200 AND 299) AS succeeded,
              count(*) FILTER (WHERE a.status_code IS NULL OR a.status_code NOT BETWEEN 200 AND 299) AS failed
       FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
       WHERE d.subscription_id = $1 AND a.started_at >= ${SINCE} AND a.started_at <= $3
       GROUP BY 1`,
      [subscriptionId, windowMs, now, bucketMs, bucketCount],
    ),
  ]);
  const row = attempts.rows[0]!;
  const attemptCount = Number(row.attempts);
  const successes = Number(row.successes);
  const round = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);
  const byStatus = new Map(deliveries.rows.map((r) => [r.status, Number(r.n)]));
  const count = (status: string) => byStatus.get(status) ?? 0;
  const succeeded = count('succeeded');
  const failed = count('failed');
  const start = now.getTime() - windowMs;
  const series: StatsBucket[] = Array.from({ length: bucketCount }, (_, i) => ({
    start: new Date(Math.round(start + i * bucketMs)).toISOString(),
    succeeded: 0,
    failed: 0,
  }));
  for (const b of buckets.rows) {
    const slot = series[Math.max(0, b.bucket)]!;
    slot.succeeded += Number(b.succeeded);
    slot.failed += Number(b.failed);
  }
  return {
    attempts: attemptCount,
    successes,
    failures: attemptCount - successes,
    success_rate: attemptCount ? successes / attemptCount : null,
    p50_duration_ms: round(row.p50),
    p99_duration_ms: round(row.p99),
    deliveries: {
      total: [...byStatus.values()].reduce((a, b) => a + b, 0),
      succeeded,
      failed,
      pending: count('pending'),
      cancelled: count('cancelled'),
      success_rate: succeeded + failed ? succeeded / (succeeded + failed) : null,
    },
    bucket_ms: bucketMs,
    buckets: series,
  };
}
