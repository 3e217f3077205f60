// Held routes (migrations/1765100000000_relay-holds.sql, docs/isolation.md): the relay leaves a tenant's
// unstarted events of one environment and type in PostgreSQL while the receivers they reach refuse attempts.
import type { GateReason } from '../domain/flow-control.js';
import type { Queryable } from './pool.js';
import { EVENTS_CHANNEL } from './ingest.js';

export interface RouteHold {
  tenantId: string;
  environment: string;
  type: string;
  /** How long the gate said the refused attempts wait: the newer events wait at least as long. */
  waitMs: number;
  reason: GateReason;
  /**
   * How long ago the subscriptions the hold was computed from were read (a duration, so no two machines'
   * clocks are compared): a subscription of the tenant changed since then, or within STALE_MARGIN_MS before
   * (its trigger released the tenant's holds meanwhile), makes the hold stale, so it is not written.
   */
  readMsAgo: number;
}

/** The gate's refusals that come from a circuit (the others, from the bulkhead's slots). */
const CIRCUIT_REASONS: ReadonlySet<GateReason> = new Set<GateReason>(['circuit_open', 'circuit_half_open']);

/** Covers the transaction of a subscription's change, whose updated_at is when that transaction began. */
const STALE_MARGIN_MS = 1_000;

export type Route = Pick<RouteHold, 'tenantId' | 'environment' | 'type'>;

/**
 * Ends the route's hold: one of its events had a first attempt admitted (or none gated), so the receivers
 * take attempts again. The relays are woken to start the rest of the route's events.
 */
export async function releaseRoute(db: Queryable, route: Route): Promise<void> {
  await db.query(
    `WITH released AS (DELETE FROM relay_holds WHERE tenant_id = $1 AND environment = $2 AND type = $3 RETURNING 1)
     SELECT pg_notify('${EVENTS_CHANNEL}', '') FROM released`,
    [route.tenantId, route.environment, route.type],
  );
}

/**
 * Holds the route for `waitMs` (a later hold of the same route replaces it). A hold for a circuit is not
 * written once none of the tenant's circuits is open any more: the circuit that refused the attempts closed
 * meanwhile, and its trigger released the tenant's holds before this one would be written.
 */
export async function holdRoute(db: Queryable, hold: RouteHold): Promise<void> {
  await db.query(
    `INSERT INTO relay_holds AS h (tenant_id, environment, type, until, reason)
     SELECT $1, $2, $3, clock_timestamp() + make_interval(secs => $4::double precision / 1000), $5
     WHERE NOT EXISTS (
       SELECT 1 FROM subscriptions WHERE tenant_id = $1 AND updated_at >= clock_timestamp() - make_interval(secs => $6::double precision / 1000)
     ) AND (NOT $7 OR EXISTS (
       SELECT 1 FROM circuits c JOIN subscriptions s ON s.id = c.subscription_id WHERE s.tenant_id = $1 AND c.state <> 'closed'
     ))
     ON CONFLICT (tenant_id, environment, type) DO UPDATE SET until = EXCLUDED.until, reason = EXCLUDED.reason`,
    [hold.tenantId, hold.environment, hold.type, hold.waitMs, hold.reason, hold.readMsAgo + STALE_MARGIN_MS, CIRCUIT_REASONS.has(hold.reason)],
  );
}
