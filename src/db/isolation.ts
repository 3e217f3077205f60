// The bulkhead and the circuit breaker as PostgreSQL keeps them (migrations/1764900000000_isolation.sql):
// shared by every worker, so the bounds hold across the fleet, and leases, so a killed worker leaks nothing.
import type { CircuitState, GateReason } from '../domain/flow-control.js';
import type { Queryable } from './pool.js';

/** What an admission needs: the attempt's delivery, its subscription's bound and its place in acceptance order. */
export interface AdmissionRequest {
  deliveryId: string;
  subscriptionId: string;
  /** scheme://host:port of the receiver (the per-origin bound). */
  origin: string;
  maxInFlight: number;
  originMaxInFlight: number;
  /** The window of a subscription whose receiver has not answered yet (slow start). */
  slowStart: number;
  /** How long the slots are held at most: the attempt's timeout and the time to record it. */
  leaseMs: number;
  /** The event's acceptance order. */
  seq: string;
  /** The base wait before a refused attempt asks again for a slot. */
  pollMs: number;
}

/** `held`: the attempt already held its slot (an admission asked again while its attempt may still be running). */
export type Admission = { admitted: true; probe: boolean; held: boolean } | { admitted: false; reason: GateReason; waitMs: number };

interface AdmitRow {
  admitted: boolean;
  reason: GateReason | null;
  wait_ms: number;
  probe: boolean;
  held: boolean;
}

const toAdmission = (row: AdmitRow): Admission =>
  row.admitted ? { admitted: true, probe: row.probe, held: row.held } : { admitted: false, reason: row.reason!, waitMs: Math.ceil(row.wait_ms) };

const ADMIT = 'hookrelay_admit($1, $2, $3, $4, $5, $6, $7, $8, $9)';

/** Admits one attempt, or says why not and for how long to wait (one round trip). */
export async function admit(db: Queryable, r: AdmissionRequest): Promise<Admission> {
  const { rows } = await db.query<AdmitRow>(`SELECT * FROM ${ADMIT}`, [
    r.deliveryId,
    r.subscriptionId,
    r.origin,
    r.maxInFlight,
    r.originMaxInFlight,
    r.leaseMs,
    r.seq,
    r.pollMs,
    r.slowStart,
  ]);
  return toAdmission(rows[0]!);
}

/**
 * Admits the first attempts of an event's deliveries, each in its own statement: one admission takes
 * locks (a failing subscription's circuit row) that must not be held while the next one waits for another.
 */
export async function admitAll(db: Queryable, requests: AdmissionRequest[]): Promise<Admission[]> {
  return Promise.all(requests.map((r) => admit(db, r)));
}

/** Frees the slots an attempt holds (its record does this too; this is for an attempt that was not made). */
export async function releaseSlots(db: Queryable, deliveryId: string): Promise<void> {
  await db.query(`UPDATE flow_slots SET holder = NULL, expires_at = NULL WHERE holder = $1`, [deliveryId]);
}

/** What GET /v1/subscriptions/:id and the portal show of a subscription's circuit. */
export interface CircuitView {
  state: CircuitState;
  consecutive_failures: number;
  /** While open: when the next probe may go. */
  next_probe_at: string | null;
  opened_at: string | null;
}

export const CLOSED_CIRCUIT: CircuitView = { state: 'closed', consecutive_failures: 0, next_probe_at: null, opened_at: null };

/** Circuits not closed, by state: the hookrelay_circuits gauge. */
export async function circuitCounts(db: Queryable): Promise<Array<{ state: CircuitState; count: number }>> {
  const { rows } = await db.query<{ state: CircuitState; count: number }>(
    `SELECT state, count(*)::int AS count FROM circuits WHERE state <> 'closed' GROUP BY state`,
  );
  return rows;
}

/** The circuit's settings, scaled like retry intervals (tests run cool-downs in milliseconds). */
export interface CircuitSettings {
  failureThreshold: number;
  cooldownMs: number;
  maxCooldownMs: number;
}

/**
 * The recordAttempt statement's part for the bulkhead and the circuit (CTEs over its parameters): the
 * attempt's slots are freed; an answer from the receiver closes the circuit (the row goes); a failure as if
 * down counts, opens the circuit at the threshold, and a failed probe opens it again for twice the cool-down
 * (at most the maximum). Parameters: $1 delivery id, $11 subscription id, $13 effect, $14-$16 settings.
 */
export const RECORD_ISOLATION_CTES = `released AS (
       UPDATE flow_slots SET holder = NULL, expires_at = NULL WHERE holder = $1
     ), closed AS (
       DELETE FROM circuits WHERE subscription_id = $11 AND $13::text = 'up'
     ), tripped AS (
       INSERT INTO circuits AS c (subscription_id, state, consecutive_failures, cooldown_ms, open_until, opened_at)
       SELECT $11, CASE WHEN $14::int <= 1 THEN 'open' ELSE 'closed' END, 1, $15::int,
              CASE WHEN $14::int <= 1 THEN clock_timestamp() + make_interval(secs => $15::double precision / 1000) END,
              CASE WHEN $14::int <= 1 THEN clock_timestamp() END
       WHERE $13::text = 'down'
       ON CONFLICT (subscription_id) DO UPDATE SET
         consecutive_failures = c.consecutive_failures + 1,
         state = CASE WHEN c.state = 'half_open' OR c.consecutive_failures + 1 >= $14::int THEN 'open' ELSE c.state END,
         cooldown_ms = CASE WHEN c.state = 'half_open' THEN LEAST(c.cooldown_ms * 2, $16::int)
                            WHEN c.state = 'closed' AND c.consecutive_failures + 1 >= $14::int THEN $15::int
                            ELSE c.cooldown_ms END,
         open_until = CASE WHEN c.state = 'half_open' THEN clock_timestamp() + make_interval(secs => LEAST(c.cooldown_ms * 2, $16::int)::double precision / 1000)
                           WHEN c.state = 'closed' AND c.consecutive_failures + 1 >= $14::int
                             THEN clock_timestamp() + make_interval(secs => $15::double precision / 1000)
                           ELSE c.open_until END,
         opened_at = CASE WHEN c.state = 'closed' AND c.consecutive_failures + 1 >= $14::int THEN clock_timestamp() ELSE c.opened_at END,
         probe_holder = NULL,
         probe_expires_at = NULL
       RETURNING state
     ), ramped AS (
       -- Slow start (migrations/1765400000000_slow-start.sql): an answer widens the window by one, counted up
       -- to the largest max_in_flight (1000), past which the row is no longer written.
       UPDATE flow_ramps SET answers = answers + 1 WHERE subscription_id = $11 AND $13::text = 'up' AND answers < 1000
     ), ramp_restarted AS (
       -- A receiver whose circuit opened starts again from the slow-start window when it comes back.
       INSERT INTO flow_ramps AS r (subscription_id, answers) SELECT $11, 0 FROM tripped WHERE state = 'open'
       ON CONFLICT (subscription_id) DO UPDATE SET answers = 0 WHERE r.answers <> 0
     )`;
