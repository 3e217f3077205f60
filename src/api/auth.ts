import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Queryable } from '../db/pool.js';
import { hashKey, tenantForKeyHash } from '../db/tenants.js';
import { PRODUCER_KEY_PREFIX } from '../domain/credentials.js';
import { SCOPES, type Scope } from '../domain/scopes.js';
import { ApiError } from './errors.js';
import { portalPrincipal, type PortalPrincipal } from './portal-session.js';
import { producerKeyLookups, type ProducerKeyLookups } from './key-lookups.js';

/**
 * The producer's side (`admin`): ADMIN_TOKEN (no `keyId`, every scope) or a producer key with its scopes.
 * A tenant: its API key (`keyId`) or a portal session (`portal`).
 */
export type Principal =
  { kind: 'admin'; keyId?: string; scopes: readonly Scope[] } | { kind: 'tenant'; tenantId: string; keyId?: string; portal?: PortalPrincipal };

function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

const unauthorized = () => new ApiError(401, 'unauthorized', 'missing or invalid bearer token');

/**
 * Resolves the caller: the admin token, a producer key or a tenant key, the keys looked up by their SHA-256.
 *
 * The admin token is compared in constant time (on hashes, so the lengths are equal too). A key needs no
 * constant-time step: the index lookup compares the SHA-256 of what the caller sent, and the time it takes
 * can at most reveal how many leading bytes of that hash match a stored hash; the caller cannot choose a
 * hash's bytes (that would be a preimage), so this tells them nothing about any key.
 *
 * A producer key is looked up for every request, through the unique index on its hash, never cached
 * (`keys` batches the lookups of concurrent requests into one statement, each sent after its requests
 * arrived): a revoked or expired key is refused by every API process from the commit of its revocation
 * on. The prefix (`hrp_`) says which table to ask, so each request makes one lookup. `adminToken`
 * undefined: no request is the admin token (ADMIN_TOKEN_DISABLED).
 */
export function authenticate(
  db: Queryable,
  adminToken: string | undefined,
  allowed: Array<Principal['kind']>,
  keys: ProducerKeyLookups = producerKeyLookups(db),
): RequestHandler {
  const adminHash = adminToken === undefined ? undefined : hashKey(adminToken);
  return async (req, res, next) => {
    const token = bearer(req.headers.authorization);
    if (!token && req.headers.authorization === undefined && allowed.includes('tenant')) {
      const viaPortal = await portalPrincipal(db, req); // the tenant portal's session cookie + CSRF token
      if (viaPortal) {
        res.locals.principal = viaPortal satisfies Principal;
        return next();
      }
    }
    if (!token) throw unauthorized();
    const presented = hashKey(token);
    if (adminHash && constantTimeEqual(presented, adminHash)) {
      if (!allowed.includes('admin')) throw new ApiError(403, 'forbidden', 'this route takes a tenant API key');
      res.locals.principal = { kind: 'admin', scopes: SCOPES } satisfies Principal;
      return next();
    }
    if (token.startsWith(PRODUCER_KEY_PREFIX)) {
      const key = await keys.lookup(presented);
      if (!key) throw unauthorized();
      if (!allowed.includes('admin')) throw new ApiError(403, 'forbidden', 'this route takes a tenant API key, not a producer key');
      res.locals.principal = { kind: 'admin', keyId: key.id, scopes: key.scopes } satisfies Principal;
      return next();
    }
    const tenant = await tenantForKeyHash(db, presented);
    if (!tenant) throw unauthorized();
    if (!allowed.includes('tenant'))
      throw new ApiError(403, 'forbidden', 'this route takes a producer credential (a producer key or the admin token)');
    res.locals.principal = { kind: 'tenant', tenantId: tenant.tenantId, keyId: tenant.keyId } satisfies Principal;
    next();
  };
}

export function principal(res: Response): Principal {
  return res.locals.principal as Principal;
}

export function tenantId(res: Response): string {
  const p = principal(res);
  if (p.kind !== 'tenant') throw new ApiError(403, 'forbidden', 'this route takes a tenant API key');
  return p.tenantId;
}

/**
 * Run after authentication on a route that needs `scope`: a producer key without it gets 403 naming it.
 * The admin token holds every scope; a tenant never reaches a producer route with a scope (authentication
 * refused it), except on an `any` route, which a tenant may use as a tenant.
 */
export function requireScope(scope: Scope): RequestHandler {
  return (_req, res, next) => {
    const who = principal(res);
    if (who.kind === 'admin' && !who.scopes.includes(scope)) {
      throw new ApiError(403, 'forbidden', `this producer key lacks the ${scope} scope this route needs`, [
        { path: 'scope', message: `needs ${scope}` },
      ]);
    }
    next();
  };
}
