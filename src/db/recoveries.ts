// Bulk recover (POST /v1/subscriptions/:id/recover): which failed deliveries a recovery redelivers, and
// the row that keeps two recoveries of overlapping windows from running at once.
import type { Pool, Queryable } from './pool.js';
import { newId } from './ids.js';
import type { Environment } from '../domain/environment.js';

/**
 * Per event of the window, its latest delivery to the subscription (as of max_seq), when that one failed:
 * an event already redelivered successfully, or still pending, is left alone; each event goes once.
 * $1: recovery id.
 */
const FAILED_IN_WINDOW = `
  latest AS (
    SELECT DISTINCT ON (d.event_id) d.id, d.tenant_id, d.event_id, d.subscription_id, d.status, d.seq, e.type, e.environment
    FROM recoveries r
    JOIN deliveries d ON d.subscription_id = r.subscription_id AND d.tenant_id = r.tenant_id AND d.seq <= r.max_seq
    JOIN events e ON e.tenant_id = d.tenant_id AND e.id = d.event_id AND e.created_at >= r.since AND e.created_at < r.until
    WHERE r.id = $1
    ORDER BY d.event_id, d.seq DESC
  ),
  failed AS (SELECT * FROM latest WHERE status = 'failed')`;

export type BeginRecovery =
  { status: 'not_found' } | { status: 'conflict'; workflowId: string } | { status: 'started'; id: string; workflowId: string; deliveries: number };

/**
 * In one transaction, serialised per subscription (its row is locked): refuses a window overlapping a
 * recovery still running (`stillRunning` is asked about each, so one whose workflow died does not block
 * for ever), then records the recovery and counts what it will redeliver.
 */
export async function beginRecovery(
  pool: Pool,
  input: { tenantId: string; subscriptionId: string; since: Date; until: Date; workflowIdFor: (id: string) => string },
  stillRunning: (workflowId: string) => Promise<boolean>,
): Promise<BeginRecovery> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const sub = await client.query('SELECT id FROM subscriptions WHERE id = $1 AND tenant_id = $2 AND deleted_at IS NULL FOR UPDATE', [
      input.subscriptionId,
      input.tenantId,
    ]);
    if (!sub.rowCount) {
      await client.query('ROLLBACK');
      return { status: 'not_found' };
    }
    const { rows: overlapping } = await client.query<{ id: string; workflow_id: string }>(
      `SELECT id, workflow_id FROM recoveries
       WHERE subscription_id = $1 AND finished_at IS NULL AND tstzrange(since, until) && tstzrange($2, $3)`,
      [input.subscriptionId, input.since, input.until],
    );
    for (const other of overlapping) {
      if (await stillRunning(other.workflow_id)) {
        await client.query('ROLLBACK');
        return { status: 'conflict', workflowId: other.workflow_id };
      }
      await client.query('UPDATE recoveries SET finished_at = now() WHERE id = $1', [other.id]);
    }
    const id = newId('rcv');
    const workflowId = input.workflowIdFor(id);
    await client.query(
      `INSERT INTO recoveries (id, tenant_id, subscription_id, since, until, max_seq, deliveries, workflow_id)
       VALUES ($1, $2, $3, $4, $5, (SELECT COALESCE(max(seq), 0) FROM deliveries), 0, $6)`,
      [id, input.tenantId, input.subscriptionId, input.since, input.until, workflowId],
    );
    const { rows } = await client.query<{ n: number }>(`WITH ${FAILED_IN_WINDOW} SELECT count(*)::int AS n FROM failed`, [id]);
    const deliveries = rows[0]!.n;
    await client.query('UPDATE recoveries SET deliveries = $2 WHERE id = $1', [id, deliveries]);
    await client.query('COMMIT');
    return { status: 'started', id, workflowId, deliveries };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** A recovery whose workflow could not be started. */
export async function dropRecovery(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM recoveries WHERE id = $1', [id]);
}

export async function finishRecovery(db: Queryable, id: string): Promise<void> {
  await db.query('UPDATE recoveries SET finished_at = COALESCE(finished_at, now()) WHERE id = $1', [id]);
}

export interface RecoveredDelivery {
  /** The new delivery (pending), whose redelivery workflow the recovery starts. */
  id: string;
  workflowId: string;
  redeliveryOf: string;
  eventId: string;
  type: string;
  environment: Environment;
  /** The original's position, the recovery's cursor. */
  seq: number;
}

/**
 * The next page of the recovery (originals after `afterSeq`, in seq order) as new pending deliveries.
 * Retry-safe: a redelivery this recovery already made of an original (it is newer than max_seq) is
 * returned again rather than made twice.
 */
export async function nextRecoveryPage(
  pool: Pool,
  recoveryId: string,
  afterSeq: number,
  limit: number,
  workflowIdFor: (tenantId: string, deliveryId: string) => string,
): Promise<RecoveredDelivery[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [recoveryId]);
    const { rows: page } = await client.query<{
      id: string;
      tenant_id: string;
      event_id: string;
      subscription_id: string;
      seq: number;
      type: string;
      environment: Environment;
      existing: string | null;
    }>(
      `WITH ${FAILED_IN_WINDOW}
       SELECT f.id, f.tenant_id, f.event_id, f.subscription_id, f.seq, f.type, f.environment,
              (SELECT x.id FROM deliveries x, recoveries r WHERE r.id = $1 AND x.redelivery_of = f.id AND x.seq > r.max_seq LIMIT 1) AS existing
       FROM failed f WHERE f.seq > $2 ORDER BY f.seq LIMIT $3`,
      [recoveryId, afterSeq, limit],
    );
    const fresh = page.filter((p) => !p.existing).map((p) => ({ ...p, newId: newId('dlv') }));
    if (fresh.length) {
      await client.query(
        `INSERT INTO deliveries (id, tenant_id, event_id, subscription_id, workflow_id, redelivery_of)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])`,
        [
          fresh.map((p) => p.newId),
          fresh.map((p) => p.tenant_id),
          fresh.map((p) => p.event_id),
          fresh.map((p) => p.subscription_id),
          fresh.map((p) => workflowIdFor(p.tenant_id, p.newId)),
          fresh.map((p) => p.id),
        ],
      );
    }
    await client.query('COMMIT');
    const made = new Map(fresh.map((p) => [p.id, p.newId]));
    return page.map((p) => ({
      id: p.existing ?? made.get(p.id)!,
      workflowId: workflowIdFor(p.tenant_id, p.existing ?? made.get(p.id)!),
      redeliveryOf: p.id,
      eventId: p.event_id,
      type: p.type,
      environment: p.environment,
      seq: Number(p.seq),
    }));
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** The subscription's `rate_limit` when it has one. */
export async function subscriptionRateLimit(db: Queryable, subscriptionId: string): Promise<unknown> {
  const { rows } = await db.query<{ rate_limit: unknown }>('SELECT rate_limit FROM subscriptions WHERE id = $1', [subscriptionId]);
  return rows[0]?.rate_limit ?? null;
}
