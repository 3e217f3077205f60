import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Queryable } from '../db/pool.js';
import { hashKey, tenantForKeyHash } from '../db/tenants.js';
import { ApiError } from './errors.js';
import { portalPrincipal, type PortalPrincipal } from './portal-session.js';

export type Principal = { kind: 'admin' } | { kind: 'tenant'; tenantId: string; portal?: PortalPrincipal };

function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

const unauthorized = () => new ApiError(401, 'unauthorized', 'missing or invalid bearer token');

/**
 * Resolves the caller: the admin token, or a tenant key looked up by its SHA-256.
 *
 * The admin token is compared in constant time (on hashes, so the lengths are equal too). A tenant
 * key needs no constant-time step: the index lookup compares the SHA-256 of what the caller sent,
 * and the time it takes can at most reveal how many leading bytes of that hash match a stored hash;
 * the caller cannot choose a hash's bytes (that would be a preimage), so this tells them nothing
 * about any key. (The earlier "compare again in constant time" compared the found hash with the
 * hash it was found by, i.e. with itself.)
 */
export function authenticate(db: Queryable, adminToken: string, allowed: Array<Principal['kind']>): RequestHandler {
  const adminHash = hashKey(adminToken);
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
    if (constantTimeEqual(presented, adminHash)) {
      if (!allowed.includes('admin')) throw new ApiError(403, 'forbidden', 'this route takes a tenant API key');
      res.locals.principal = { kind: 'admin' } satisfies Principal;
      return next();
    }
    const tenantId = await tenantForKeyHash(db, presented);
    if (!tenantId) throw unauthorized();
    if (!allowed.includes('tenant')) throw new ApiError(403, 'forbidden', 'this route takes the admin token');
    res.locals.principal = { kind: 'tenant', tenantId } satisfies Principal;
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
