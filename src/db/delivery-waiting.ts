// What PostgreSQL holds about why a pending delivery waits: its flow-control mark, the gate's last refusal,
// its subscription's circuit, its in-flight lease, its FIFO lane, its last attempt. Read for one delivery's page.
import type { Queryable } from './pool.js';
import type { WaitingFacts } from '../domain/delivery-waiting.js';

export interface WaitingRow extends WaitingFacts {
  retry_policy: unknown;
}

/** The facts of `deliveryId` (already known to be the tenant's), in one statement. */
export async function waitingFacts(db: Queryable, deliveryId: string): Promise<WaitingRow | undefined> {
  const { rows } = await db.query<WaitingRow>(
    `SELECT d.status, d.waiting AS flow_waiting, d.waiting_until AS slot_at, d.attempt_count, s.retry_policy,
       (SELECT a.started_at + a.duration_ms * interval '1 millisecond' FROM attempts a
        WHERE a.delivery_id = d.id ORDER BY a.number DESC LIMIT 1) AS last_attempt_end,
       EXISTS (SELECT 1 FROM flow_slots f WHERE f.holder = d.id AND f.expires_at > clock_timestamp()) AS attempting,
       w.reason AS gate_reason,
       CASE WHEN c.state = 'open' THEN c.open_until END AS circuit_open_until,
       CASE WHEN d.waiting = 'fifo' THEN (
         SELECT o.id FROM deliveries o JOIN events oe ON oe.tenant_id = o.tenant_id AND oe.id = o.event_id
         WHERE o.subscription_id = d.subscription_id AND o.status = 'pending' AND o.fifo_queued AND o.id <> d.id
           AND oe.accepted_seq < e.accepted_seq
         ORDER BY oe.accepted_seq LIMIT 1) END AS lane_head
     FROM deliveries d
     JOIN subscriptions s ON s.id = d.subscription_id
     JOIN events e ON e.tenant_id = d.tenant_id AND e.id = d.event_id
     LEFT JOIN flow_waiters w ON w.delivery_id = d.id AND w.expires_at > clock_timestamp()
     LEFT JOIN circuits c ON c.subscription_id = d.subscription_id
     WHERE d.id = $1`,
    [deliveryId],
  );
  return rows[0];
}
