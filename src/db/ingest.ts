// The accept path and the relay's claims on it: events are committed here before their workflows exist.
import type { Queryable } from './pool.js';
import type { Environment } from '../domain/environment.js';

export interface IncomingEvent {
  tenantId: string;
  eventId: string;
  environment: string;
  type: string;
  /** The payload as JSON text, exactly as it will be delivered. */
  payload: string;
  workflowId: string;
  /** The W3C traceparent of the span that accepted it, when tracing is on: the relay's start joins that trace. */
  traceparent?: string;
}

export type AcceptResult = 'accepted' | 'duplicate' | 'unknown_tenant';

/**
 * Events in one statement, numbered in input order; the tenants are checked (they exist and are not being
 * purged) in the same statement. `allOrNothing`: nothing is inserted unless every tenant named is known;
 * otherwise an unknown tenant's events are left out and the rest inserted. Returns the known tenants and,
 * per input event, whether it was new: of the same id twice, the first is new and the later ones are
 * duplicates of it.
 */
async function insertEvents(db: Queryable, events: IncomingEvent[], allOrNothing: boolean): Promise<{ known: Set<string>; inserted: boolean[] }> {
  const col = <K extends keyof IncomingEvent>(key: K) => events.map((e) => e[key] ?? null);
  const { rows } = await db.query<{ known: string[] | null; inserted: number[] | null }>(
    `WITH input AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $8::text[])
         WITH ORDINALITY AS i(tenant_id, id, environment, type, payload, workflow_id, traceparent, n)
     ),
     known AS (SELECT id FROM tenants WHERE id IN (SELECT tenant_id FROM input) AND purging_at IS NULL),
     ins AS (
       INSERT INTO events (tenant_id, id, environment, type, payload, workflow_id, traceparent)
       SELECT tenant_id, id, environment, type, payload::json, workflow_id, traceparent FROM input
       WHERE tenant_id IN (SELECT id FROM known)
         AND (NOT $7 OR (SELECT count(*) FROM known) = (SELECT count(DISTINCT tenant_id) FROM input))
       ORDER BY n
       ON CONFLICT DO NOTHING
       RETURNING tenant_id, id
     )
     SELECT (SELECT array_agg(id) FROM known) AS known,
            (SELECT array_agg(i.n) FROM input i JOIN ins USING (tenant_id, id)) AS inserted`,
    [col('tenantId'), col('eventId'), col('environment'), col('type'), col('payload'), col('workflowId'), allOrNothing, col('traceparent')],
  );
  const insertedAt = new Set((rows[0]?.inserted ?? []).map(Number));
  const key = (e: IncomingEvent) => `${e.tenantId}\0${e.eventId}`;
  const firstOf = new Map<string, number>();
  events.forEach((e, i) => {
    if (!firstOf.has(key(e))) firstOf.set(key(e), i);
  });
  return {
    known: new Set(rows[0]?.known ?? []),
    inserted: events.map((e, i) => insertedAt.has(i + 1) && firstOf.get(key(e)) === i),
  };
}

/**
 * A whole batch (the batch endpoint), all or nothing on tenants. Returns the unknown tenants (then
 * nothing was written) or, per input event, whether it was new.
 */
export async function acceptEvents(db: Queryable, events: IncomingEvent[]): Promise<{ unknownTenants: string[]; inserted: boolean[] }> {
  const { known, inserted } = await insertEvents(db, events, true);
  return { unknownTenants: [...new Set(events.map((e) => e.tenantId))].filter((t) => !known.has(t)), inserted };
}

/**
 * Independent events, each with its own result: an unknown tenant refuses only its own events. The API
 * coalesces concurrent single-event posts into this (src/api/accept-queue.ts): one round trip and one
 * commit for all of them.
 */
export async function acceptEach(db: Queryable, events: IncomingEvent[]): Promise<AcceptResult[]> {
  const { known, inserted } = await insertEvents(db, events, false);
  return events.map((e, i) => (!known.has(e.tenantId) ? 'unknown_tenant' : inserted[i] ? 'accepted' : 'duplicate'));
}

/** The channel the relays LISTEN on, NOTIFYed by the API after it committed events to start. */
export const EVENTS_CHANNEL = 'hookrelay_events';

/** A route (tenant, environment, type) the relay holds (src/db/relay-holds.ts): its unstarted events wait. */
const HELD = (alias: string) =>
  `EXISTS (SELECT 1 FROM relay_holds h WHERE h.tenant_id = ${alias}.tenant_id AND h.environment = ${alias}.environment
             AND h.type = ${alias}.type AND h.until > clock_timestamp())`;

/**
 * Accepted events waiting for their workflow start, but for those of held routes: a tenant's dead receiver
 * keeps its own events waiting, and they do not count towards the backlog that refuses every tenant's.
 */
export async function unstartedCount(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT coalesce(sum(r.n), 0)::int AS n FROM (
       SELECT tenant_id, environment, type, count(*) AS n FROM events WHERE started_at IS NULL GROUP BY tenant_id, environment, type
     ) r WHERE NOT ${HELD('r')}`,
  );
  return rows[0]?.n ?? 0;
}

export interface ClaimedEvent {
  tenant_id: string;
  id: string;
  environment: Environment;
  type: string;
  workflow_id: string;
  /** The accepting span's W3C traceparent; null when the API did not trace the accept. */
  traceparent: string | null;
}

/** At most this many routes (tenant, environment, type) with unstarted events are visited by one claim (the rest by the next ones). */
const ROUTES_PER_CLAIM = 1000;

/**
 * An event started this long ago and still not dispatched (its workflow failed, was terminated, or is
 * stuck) stops counting against the bounds, so such an event cannot hold other events back.
 */
const UNDISPATCHED_COUNTS_FOR = '2 minutes';

/** How many events may be started and not yet dispatched (their first workflow task still to run). */
export interface StartingBounds {
  /** In all, across tenants. */
  total: number;
  /** Of one tenant. */
  perTenant: number;
  /**
   * Of one tenant with a backlog (more than `perTenant` events waiting to start) while another tenant is
   * active: one of `activeTenants` other than itself. Default: `perTenant`.
   */
  backlogged?: number;
  /** The tenants whose events were started lately (the relay's own record). */
  activeTenants?: string[];
}

/** No bound: every unstarted event may be claimed (tests that claim by hand). */
const UNBOUNDED: StartingBounds = { total: 2 ** 31 - 1, perTenant: 2 ** 31 - 1 };

export interface Claim {
  /** In acceptance order. */
  events: ClaimedEvent[];
  /** Events were left unclaimed for want of room under a bound: claim again soon (started events dispatch quickly). */
  capped: boolean;
  /** Events wait in a held route: the first hold ends in this many milliseconds (undefined: none). */
  holdEndsInMs: number | undefined;
}

/**
 * Leases up to `limit` unstarted events to this relay for `leaseMs`, fairly across tenants
 * (docs/isolation.md). Only so many events may be started and not yet dispatched (`bounds`; an event a
 * relay has claimed counts from its claim): the rest of a burst waits here, in PostgreSQL, rather than in
 * Temporal's queues ahead of every other tenant's events.
 * The room goes to the least busy tenants first: each tenant's oldest events are ranked by how many of
 * its events are already started and undispatched plus their turn (its oldest 1, its second 2, ...), so
 * a tenant with nothing in flight comes before one with a backlog, and tenants alike go round-robin.
 * Within a tenant, events keep their acceptance order. The events of a held route (src/db/relay-holds.ts)
 * are skipped: routes with unstarted events are visited by a loose index scan and each one's oldest taken,
 * so a held backlog costs nothing however long. SKIP LOCKED lets several relays claim at once without
 * waiting on each other; an expired lease (a relay that died) is claimable again.
 */
export async function claimUnstarted(db: Queryable, limit: number, leaseMs: number, bounds?: StartingBounds): Promise<Claim> {
  const { total, perTenant, backlogged = perTenant, activeTenants = [] } = bounds ?? UNBOUNDED;
  // One row per claimed event, or one row of nulls when none was: each with `capped` and `hold_ends_in_ms`.
  const { rows } = await db.query<
    (ClaimedEvent | { [K in keyof ClaimedEvent]: null }) & { accepted_seq: string | null; capped: boolean; hold_ends_in_ms: number | null }
  >({
    // Prepared once per connection: planning this statement costs several times running it, and the relay
    // runs it for every few events dispatched under load.
    name: 'hookrelay-claim-unstarted',
    text: `WITH RECURSIVE routes(tenant_id, environment, type, n) AS (
       (SELECT tenant_id, environment, type, 1 FROM events WHERE started_at IS NULL ORDER BY tenant_id, environment, type LIMIT 1)
       UNION ALL
       SELECT nx.tenant_id, nx.environment, nx.type, w.n + 1
       FROM routes w CROSS JOIN LATERAL (
         SELECT e.tenant_id, e.environment, e.type FROM events e
         WHERE e.started_at IS NULL AND (e.tenant_id, e.environment, e.type) > (w.tenant_id, w.environment, w.type)
         ORDER BY e.tenant_id, e.environment, e.type LIMIT 1
       ) nx
       WHERE w.n < $3
     ), held AS (
       -- The routes held now, with when their hold ends (the relay looks again then).
       SELECT w.tenant_id, w.environment, w.type, h.until FROM routes w
       JOIN relay_holds h ON h.tenant_id = w.tenant_id AND h.environment = w.environment AND h.type = w.type
       WHERE h.until > clock_timestamp()
     ), open_routes AS (
       -- A route whose hold has ended but not been released is probed: one event is started, whose first
       -- attempts release the hold or set it again (src/activities/dispatch-event.ts).
       SELECT w.tenant_id, w.environment, w.type,
              EXISTS (SELECT 1 FROM relay_holds h WHERE h.tenant_id = w.tenant_id AND h.environment = w.environment AND h.type = w.type) AS probe
       FROM routes w
       WHERE NOT EXISTS (SELECT 1 FROM held h WHERE h.tenant_id = w.tenant_id AND h.environment = w.environment AND h.type = w.type)
     ), busy AS (
       -- Started and not dispatched, or claimed by a relay that is starting them now.
       SELECT tenant_id, count(*) AS n FROM (
         SELECT tenant_id FROM events WHERE started_at > clock_timestamp() - interval '${UNDISPATCHED_COUNTS_FOR}' AND dispatched_at IS NULL
         UNION ALL
         SELECT tenant_id FROM events WHERE started_at IS NULL AND start_claimed_until > clock_timestamp()
       ) b
       GROUP BY tenant_id
     ), rooms AS (
       SELECT t.tenant_id, coalesce(b.n, 0) AS busy,
              GREATEST(0, CASE WHEN $6::int < $4::int AND EXISTS (SELECT 1 FROM unnest($7::text[]) a(id) WHERE a.id <> t.tenant_id) AND (
                SELECT count(*) FROM (SELECT 1 FROM events e WHERE e.tenant_id = t.tenant_id AND e.started_at IS NULL LIMIT $4::int + 1) w
              ) > $4::int THEN $6::int ELSE $4::int END - coalesce(b.n, 0)) AS room
       FROM (SELECT DISTINCT tenant_id FROM open_routes) t LEFT JOIN busy b ON b.tenant_id = t.tenant_id
       -- A purging tenant's events are never started: its purge deletes them.
       WHERE NOT EXISTS (SELECT 1 FROM tenants x WHERE x.id = t.tenant_id AND x.purging_at IS NOT NULL)
     ), candidates AS (
       SELECT c.tenant_id, c.id, c.accepted_seq, r.busy, r.room
       FROM open_routes o JOIN rooms r ON r.tenant_id = o.tenant_id
       CROSS JOIN LATERAL (
         SELECT tenant_id, id, accepted_seq FROM events
         WHERE tenant_id = o.tenant_id AND environment = o.environment AND type = o.type AND started_at IS NULL
           AND (start_claimed_until IS NULL OR start_claimed_until < clock_timestamp())
         ORDER BY accepted_seq
         LIMIT CASE WHEN o.probe THEN LEAST(1, r.room) ELSE LEAST($1, r.room) END
         FOR UPDATE SKIP LOCKED
       ) c
     ), picked AS (
       SELECT tenant_id, id, accepted_seq, busy + turn AS rank FROM (
         SELECT *, row_number() OVER (PARTITION BY tenant_id ORDER BY accepted_seq) AS turn FROM candidates
       ) t
       WHERE turn <= room
     ), chosen AS (
       SELECT tenant_id, id FROM picked
       ORDER BY rank, accepted_seq
       LIMIT LEAST($1, GREATEST(0, $5 - (SELECT coalesce(sum(n), 0) FROM busy)))
     ), claimed AS (
       UPDATE events e SET start_claimed_until = clock_timestamp() + make_interval(secs => $2::double precision / 1000)
       FROM chosen c
       WHERE e.tenant_id = c.tenant_id AND e.id = c.id
       RETURNING e.tenant_id, e.id, e.environment, e.type, e.workflow_id, e.traceparent, e.accepted_seq
     ), probing AS (
       -- A probed route stays held while its probe is claimed: no other claim starts its events meanwhile.
       UPDATE relay_holds h SET until = clock_timestamp() + make_interval(secs => $2::double precision / 1000)
       FROM (SELECT DISTINCT tenant_id, environment, type FROM claimed) c
       WHERE h.tenant_id = c.tenant_id AND h.environment = c.environment AND h.type = c.type AND h.until <= clock_timestamp()
     )
     SELECT claimed.*,
            (SELECT bool_or(room = 0) FROM rooms) IS TRUE OR (SELECT count(*) FROM picked) > (SELECT count(*) FROM chosen) AS capped,
            (SELECT extract(epoch FROM min(until) - clock_timestamp()) * 1000 FROM held)::float8 AS hold_ends_in_ms
     FROM (VALUES (1)) AS one LEFT JOIN claimed ON true`,
    values: [limit, leaseMs, ROUTES_PER_CLAIM, perTenant, total, backlogged, activeTenants],
  });
  const events = rows
    .filter((r) => r.id !== null)
    .sort((a, b) => Number(a.accepted_seq) - Number(b.accepted_seq))
    .map(
      ({ tenant_id, id, environment, type, workflow_id, traceparent }) =>
        ({ tenant_id, id, environment, type, workflow_id, traceparent }) as ClaimedEvent,
    );
  const holdEndsInMs = rows[0]?.hold_ends_in_ms;
  return { events, capped: rows[0]?.capped ?? false, holdEndsInMs: holdEndsInMs == null ? undefined : Math.max(0, Math.ceil(holdEndsInMs)) };
}

type EventKey = Pick<ClaimedEvent, 'tenant_id' | 'id'>;

export async function markStarted(db: Queryable, events: EventKey[]): Promise<void> {
  if (events.length === 0) return;
  await db.query(
    `UPDATE events e SET started_at = clock_timestamp(), start_claimed_until = NULL
     FROM unnest($1::text[], $2::text[]) AS k(tenant_id, id)
     WHERE e.tenant_id = k.tenant_id AND e.id = k.id AND e.started_at IS NULL`,
    [events.map((e) => e.tenant_id), events.map((e) => e.id)],
  );
}

/** Gives claims back at once (their start failed), rather than letting the lease run out. */
export async function releaseClaims(db: Queryable, events: EventKey[]): Promise<void> {
  if (events.length === 0) return;
  await db.query(
    `UPDATE events e SET start_claimed_until = NULL
     FROM unnest($1::text[], $2::text[]) AS k(tenant_id, id)
     WHERE e.tenant_id = k.tenant_id AND e.id = k.id AND e.started_at IS NULL`,
    [events.map((e) => e.tenant_id), events.map((e) => e.id)],
  );
}
