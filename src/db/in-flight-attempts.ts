// An attempt that dispatchEvent started and left running past its inline budget (docs/isolation.md): the
// workflow's next activity finds out how it ended from these rows.
import type { AttemptResult } from '../delivery/http-attempt.js';
import type { ErrorClass } from '../domain/delivery-failures.js';
import type { Queryable } from './pool.js';

/** Whether attempt `number` is recorded (or the delivery ended), and whether it still holds its bulkhead lease. */
export async function inFlightAttempt(
  db: Queryable,
  deliveryId: string,
  number: number,
): Promise<{ recorded: boolean; leased: boolean } | undefined> {
  const { rows } = await db.query<{ recorded: boolean; leased: boolean }>(
    `SELECT d.attempt_count >= $2 OR d.status <> 'pending' AS recorded,
            EXISTS (SELECT 1 FROM flow_slots WHERE holder = d.id AND expires_at > clock_timestamp()) AS leased
     FROM deliveries d WHERE d.id = $1`,
    [deliveryId, number],
  );
  return rows[0];
}

/** The delivery's last recorded attempt, as a result to classify again. */
export async function lastAttempt(db: Queryable, deliveryId: string): Promise<{ result: AttemptResult; startedAt: Date } | undefined> {
  const { rows } = await db.query<{
    status_code: number | null;
    error_class: ErrorClass | null;
    error_message: string | null;
    duration_ms: number;
    started_at: Date;
  }>(`SELECT status_code, error_class, error_message, duration_ms, started_at FROM attempts WHERE delivery_id = $1 ORDER BY number DESC LIMIT 1`, [
    deliveryId,
  ]);
  const row = rows[0];
  if (!row) return undefined;
  const ok = row.status_code !== null && row.status_code >= 200 && row.status_code < 300;
  return {
    startedAt: row.started_at,
    result: {
      ok,
      durationMs: row.duration_ms,
      ...(row.status_code !== null ? { statusCode: row.status_code } : {}),
      ...(row.error_class !== null ? { errorClass: row.error_class } : {}),
      ...(row.error_message !== null ? { errorMessage: row.error_message } : {}),
    },
  };
}
