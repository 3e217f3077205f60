// The notification_windows table: at most one failure.extraction notification per key per window.
import type { Queryable } from './pool.js';

/**
 * Claims the notification window of `key` for this event: true when no other event notified the
 * same key within `windowMs` (or this event already holds it, so a retried activity agrees with itself).
 */
export async function claimNotificationWindow(
  db: Queryable,
  tenantId: string,
  key: string,
  eventId: string,
  windowMs: number,
): Promise<{ claimed: boolean; holder: string }> {
  const { rows } = await db.query<{ event_id: string }>(
    `INSERT INTO notification_windows AS w (tenant_id, key, event_id, notified_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (tenant_id, key) DO UPDATE SET event_id = EXCLUDED.event_id,
       notified_at = CASE WHEN w.event_id = EXCLUDED.event_id THEN w.notified_at ELSE EXCLUDED.notified_at END
       WHERE w.event_id = EXCLUDED.event_id OR w.notified_at <= now() - make_interval(secs => $4::double precision / 1000)
     RETURNING event_id`,
    [tenantId, key, eventId, windowMs],
  );
  if (rows[0]) return { claimed: true, holder: eventId };
  const held = await db.query<{ event_id: string }>('SELECT event_id FROM notification_windows WHERE tenant_id = $1 AND key = $2', [tenantId, key]);
  return { claimed: false, holder: held.rows[0]?.event_id ?? '' };
}
