// The tenant portal's credential: a session cookie (from a single-use link) plus a CSRF token on every
// state-changing request. auth.ts asks `portalPrincipal` when a request carries no bearer token.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Queryable } from '../db/pool.js';
import { environmentOf, portalSessionByHash, type PortalSession } from '../db/portal-sessions.js';
import { ApiError, invalid, notFound } from './errors.js';

export const SESSION_COOKIE = 'hookrelay_portal';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Link and session tokens are 256-bit random: an unsalted SHA-256 of them is all the database keeps. */
export const hashToken = (token: string): Buffer => createHash('sha256').update(token).digest();
export const newLinkToken = (): string => `hrpl_${randomBytes(32).toString('base64url')}`;
export const newSessionToken = (): string => randomBytes(32).toString('base64url');

/**
 * The CSRF token is derived from the session token (an HMAC keyed by it), so nothing more is stored and
 * only a page that was given it by `GET /portal/session` (same origin, so unreadable cross-site) has it.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('hookrelay portal csrf v1').digest('base64url');
}

export function sessionTokenFrom(req: Request): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SESSION_COOKIE) {
      const value = rest.join('=');
      return /^[\w-]{43}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

export interface PortalPrincipal { sessionId: string; environment: PortalSession['environment'] }

/** The session the request's cookie names, or undefined; throws 403 for a state-changing request without its CSRF token. */
export async function portalSession(db: Queryable, req: Request): Promise<(PortalSession & { token: string }) | undefined> {
  const token = sessionTokenFrom(req);
  if (!token) return undefined;
  const hash = hashToken(token);
  const session = await portalSessionByHash(db, hash);
  if (!session || !timingSafeEqual(session.sessionHash, hash)) return undefined;
  if (!SAFE_METHODS.has(req.method)) {
    const presented = Buffer.from(String(req.headers[CSRF_HEADER] ?? ''));
    const expected = Buffer.from(csrfTokenFor(token));
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      throw new ApiError(403, 'csrf_token_invalid', `a state-changing request from the portal needs its ${CSRF_HEADER} header`);
    }
  }
  return { ...session, token };
}

/** The tenant a request with a live portal session acts as; undefined without one (then it needs a bearer token). */
export async function portalPrincipal(db: Queryable, req: Request): Promise<{ kind: 'tenant'; tenantId: string; portal: PortalPrincipal } | undefined> {
  const session = await portalSession(db, req);
  if (!session) return undefined;
  await checkPortalScope(db, req, session.tenantId, session.environment);
  return { kind: 'tenant', tenantId: session.tenantId, portal: { sessionId: session.id, environment: session.environment } };
}

const scopeError = (environment: string, path: string) =>
  invalid([{ path, message: `this portal session is for the ${environment} environment only` }]);

/**
 * A session opened for one environment sees that environment only: objects of the other one answer 404
 * (as another tenant's do), lists must ask for it, and writes cannot move anything out of it.
 */
export async function checkPortalScope(db: Queryable, req: Request, tenantId: string, environment: string | null): Promise<void> {
  if (!environment) return;
  const object = /^\/v1\/(subscriptions|deliveries|events)\/([^/]+)/.exec(req.path);
  if (object) {
    const kind = object[1] === 'subscriptions' ? 'subscription' : object[1] === 'deliveries' ? 'delivery' : 'event';
    const found = await environmentOf(db, tenantId, kind, decodeURIComponent(object[2]!));
    if (found !== undefined && found !== environment) throw notFound(kind);
  }
  const listing = req.method === 'GET' && ['/v1/subscriptions', '/v1/deliveries'].includes(req.path);
  if ((listing || req.path.startsWith('/v1/webhooks/')) && req.query.environment !== environment) throw scopeError(environment, 'environment');
  const body = req.body as { environment?: unknown } | undefined;
  const creating = req.method === 'POST' && req.path === '/v1/subscriptions';
  if ((creating || body?.environment !== undefined) && typeof body === 'object' && body !== null) {
    if ((body.environment ?? 'production') !== environment) throw scopeError(environment, 'environment');
  }
}

/** Headers of every portal response: a strict CSP (every asset from hookrelay itself), no framing unless configured. */
export function portalSecurityHeaders(frameAncestors: string): RequestHandler {
  const csp = [
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "connect-src 'self'",
    "base-uri 'none'", "form-action 'self'", `frame-ancestors ${frameAncestors}`,
  ].join('; ');
  const frameOptions = frameAncestors === "'none'" ? 'DENY' : frameAncestors === "'self'" ? 'SAMEORIGIN' : undefined;
  return (_req, res, next) => {
    res.setHeader('Content-Security-Policy', csp);
    if (frameOptions) res.setHeader('X-Frame-Options', frameOptions);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // The link carries its token in the query: never pass it on in a Referer.
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    next();
  };
}

/** Secure on https: directly, behind a proxy that says so, or when the public URL is https. */
export function isHttps(req: Request, publicUrl: string | undefined): boolean {
  return req.secure || req.headers['x-forwarded-proto'] === 'https' || (publicUrl?.startsWith('https:') ?? false);
}

export function setSessionCookie(res: Response, token: string, expiresAt: Date, secure: boolean): void {
  res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure, path: '/', expires: expiresAt });
}

export function clearSessionCookie(res: Response, secure: boolean): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure, path: '/' });
}
