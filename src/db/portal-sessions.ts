// Tenant portal links and sessions, stored as SHA-256 hashes of their tokens (see the migration).
import { randomUUID } from 'node:crypto';
import type { Queryable } from './pool.js';
import type { Environment } from '../domain/environment.js';

export type PortalEnvironment = Environment;

/** What the platform that made the session gave it (each null when not given; see src/domain/portal-branding.ts). */
export interface PortalLook {
  returnUrl: string | null;
  name: string | null;
  logoUrl: string | null;
  accentColor: string | null;
}

export interface PortalSession extends PortalLook {
  id: string;
  tenantId: string;
  tenantName: string;
  environment: PortalEnvironment | null;
  expiresAt: Date;
}

interface LookRow {
  return_url: string | null;
  brand_name: string | null;
  logo_url: string | null;
  accent_color: string | null;
}

const LOOK_COLUMNS = 'p.return_url, p.brand_name, p.logo_url, p.accent_color';
const lookOf = (row: LookRow): PortalLook => ({
  returnUrl: row.return_url,
  name: row.brand_name,
  logoUrl: row.logo_url,
  accentColor: row.accent_color,
});

/** Stores a new, unused link; undefined when the tenant does not exist. */
export async function insertPortalLink(
  db: Queryable,
  tenantId: string,
  environment: PortalEnvironment | null,
  linkHash: Buffer,
  ttlMs: number,
  look: PortalLook,
): Promise<{ id: string; expiresAt: Date } | undefined> {
  const { rows } = await db.query<{ id: string; expires_at: Date }>(
    `INSERT INTO portal_sessions (id, tenant_id, environment, link_hash, expires_at, return_url, brand_name, logo_url, accent_color)
     SELECT $1, t.id, $3, $4, now() + make_interval(secs => $5::double precision / 1000), $6, $7, $8, $9
     FROM tenants t WHERE t.id = $2 AND t.purging_at IS NULL
     RETURNING id, expires_at`,
    [`prt_${randomUUID().replace(/-/g, '')}`, tenantId, environment, linkHash, ttlMs, look.returnUrl, look.name, look.logoUrl, look.accentColor],
  );
  return rows[0] && { id: rows[0].id, expiresAt: rows[0].expires_at };
}

/**
 * Spends a link: in one statement, so two openings racing each other cannot both win. Undefined when
 * the link is unknown, already used or expired.
 */
export async function openPortalLink(db: Queryable, linkHash: Buffer, sessionHash: Buffer): Promise<{ expiresAt: Date } | undefined> {
  const { rows } = await db.query<{ expires_at: Date }>(
    `UPDATE portal_sessions SET link_used_at = now(), session_hash = $2
     WHERE link_hash = $1 AND link_used_at IS NULL AND expires_at > now()
     RETURNING expires_at`,
    [linkHash, sessionHash],
  );
  return rows[0] && { expiresAt: rows[0].expires_at };
}

/** The live session with this token hash; a session past its expiry is gone. */
export async function portalSessionByHash(db: Queryable, sessionHash: Buffer): Promise<(PortalSession & { sessionHash: Buffer }) | undefined> {
  const { rows } = await db.query<
    LookRow & {
      id: string;
      tenant_id: string;
      tenant_name: string;
      environment: PortalEnvironment | null;
      expires_at: Date;
      session_hash: Buffer;
    }
  >(
    `SELECT p.id, p.tenant_id, t.name AS tenant_name, p.environment, p.expires_at, p.session_hash, ${LOOK_COLUMNS}
     FROM portal_sessions p JOIN tenants t ON t.id = p.tenant_id
     WHERE p.session_hash = $1 AND p.expires_at > now() AND t.purging_at IS NULL`,
    [sessionHash],
  );
  const row = rows[0];
  return (
    row && {
      id: row.id,
      tenantId: row.tenant_id,
      tenantName: row.tenant_name,
      environment: row.environment,
      expiresAt: row.expires_at,
      sessionHash: row.session_hash,
      ...lookOf(row),
    }
  );
}

/**
 * What an ended session (signed out, expired, or its tenant purged) still tells the page that held it: the
 * way back and the platform's look, for the "Your session has ended" page. Until it is pruned, a day later.
 */
export async function endedPortalSessionByHash(db: Queryable, sessionHash: Buffer): Promise<PortalLook | undefined> {
  const { rows } = await db.query<LookRow>(`SELECT ${LOOK_COLUMNS} FROM portal_sessions p WHERE p.session_hash = $1 AND p.expires_at <= now()`, [
    sessionHash,
  ]);
  return rows[0] && lookOf(rows[0]);
}

/** Ends a session now (the portal's sign-out). */
export async function endPortalSession(db: Queryable, sessionHash: Buffer): Promise<void> {
  await db.query('UPDATE portal_sessions SET expires_at = least(expires_at, now()) WHERE session_hash = $1', [sessionHash]);
}

/** Drops links and sessions that ended more than a day ago (called when a new link is made). */
export async function pruneExpiredPortalSessions(db: Queryable): Promise<void> {
  await db.query(`DELETE FROM portal_sessions WHERE expires_at < now() - interval '1 day'`);
}

const ENVIRONMENT_OF = {
  subscription: 'SELECT environment FROM subscriptions WHERE tenant_id = $1 AND id = $2',
  event: 'SELECT environment FROM events WHERE tenant_id = $1 AND id = $2',
  delivery: `SELECT e.environment FROM deliveries d JOIN events e ON e.tenant_id = d.tenant_id AND e.id = d.event_id
             WHERE d.tenant_id = $1 AND d.id = $2`,
} as const;

/** The environment of a subscription, event or delivery of the tenant, for a portal session scoped to one environment. */
export async function environmentOf(db: Queryable, tenantId: string, kind: keyof typeof ENVIRONMENT_OF, id: string): Promise<string | undefined> {
  const { rows } = await db.query<{ environment: string }>(ENVIRONMENT_OF[kind], [tenantId, id]);
  return rows[0]?.environment;
}
