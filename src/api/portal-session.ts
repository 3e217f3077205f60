// The tenant portal's credential: a session cookie (from a single-use link) plus a CSRF token on every
// state-changing request. auth.ts asks `portalPrincipal` when a request carries no bearer token.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Queryable } from '../db/pool.js';
import { environmentOf, portalSessionByHash, type PortalSession } from '../db/portal-sessions.js';
import type { Environment } from '../domain/environment.js';
import type { Principal } from './auth.js';
import { ApiError, invalid, notFound } from './errors.js';
import type { RouteCheck, RouteGuard } from './route.js';

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

export interface PortalPrincipal {
  sessionId: string;
  environment: PortalSession['environment'];
}

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

/**
 * The tenant a request with a live portal session acts as; undefined without one (then it needs a bearer token).
 * What the session may reach within the tenant is decided once the route is resolved: see `portalScope`.
 */
export async function portalPrincipal(
  db: Queryable,
  req: Request,
): Promise<{ kind: 'tenant'; tenantId: string; portal: PortalPrincipal } | undefined> {
  const session = await portalSession(db, req);
  if (!session) return undefined;
  return { kind: 'tenant', tenantId: session.tenantId, portal: { sessionId: session.id, environment: session.environment } };
}

interface Scope {
  db: Queryable;
  tenantId: string;
  environment: Environment;
}

/** What a session scoped to one environment may do on one route, judged on the route's validated input. */
type ScopeRule = (input: Parameters<RouteCheck>[0], scope: Scope) => void | Promise<void>;

const scopeError = (environment: string) =>
  invalid([{ path: 'environment', message: `this portal session is for the ${environment} environment only` }]);

/** The `:id` names an object of the session's environment; another environment's answers 404, as another tenant's does. */
const objectIn =
  (kind: 'subscription' | 'delivery' | 'event'): ScopeRule =>
  async ({ params }, { db, tenantId, environment }) => {
    const found = await environmentOf(db, tenantId, kind, (params as { id: string }).id);
    if (found !== undefined && found !== environment) throw notFound(kind);
  };

/** A list (or the category webhook) names the session's environment in `?environment=`, so it reaches no other. */
const queryEnvironment: ScopeRule = ({ query }, { environment }) => {
  if ((query as { environment?: unknown } | undefined)?.environment !== environment) throw scopeError(environment);
};

/** A created object lands in the session's environment (the body's, after its default). */
const createsInEnvironment: ScopeRule = ({ body }, { environment }) => {
  if ((body as { environment?: unknown } | undefined)?.environment !== environment) throw scopeError(environment);
};

/** A change moves nothing to another environment. */
const staysInEnvironment: ScopeRule = ({ body }, { environment }) => {
  const moveTo = (body as { environment?: unknown } | undefined)?.environment;
  if (moveTo !== undefined && moveTo !== environment) throw scopeError(environment);
};

const all =
  (...rules: ScopeRule[]): ScopeRule =>
  async (input, scope) => {
    for (const rule of rules) await rule(input, scope);
  };

/**
 * Every route a session scoped to one environment may use, by method and declared pattern, with what keeps
 * it in that environment. A tenant route missing here is refused to such a session, so a new route stays
 * closed to it until its rule is written.
 */
const PORTAL_SCOPE: Readonly<Record<string, ScopeRule>> = {
  'POST /v1/subscriptions': createsInEnvironment,
  'GET /v1/subscriptions': queryEnvironment,
  'GET /v1/subscriptions/:id': objectIn('subscription'),
  'PATCH /v1/subscriptions/:id': all(objectIn('subscription'), staysInEnvironment),
  'DELETE /v1/subscriptions/:id': objectIn('subscription'),
  'POST /v1/subscriptions/:id/rotate-secret': objectIn('subscription'),
  'POST /v1/subscriptions/:id/test': objectIn('subscription'),
  'GET /v1/subscriptions/:id/stats': objectIn('subscription'),
  'POST /v1/subscriptions/:id/recover': objectIn('subscription'),
  'PUT /v1/webhooks/:category': queryEnvironment,
  'GET /v1/deliveries': queryEnvironment,
  'GET /v1/deliveries/:id': objectIn('delivery'),
  'POST /v1/deliveries/:id/redeliver': objectIn('delivery'),
  'GET /v1/events/:id': objectIn('event'),
  // The event type catalog is the same for every environment.
  'GET /v1/event-types': () => {},
};

/**
 * The guard `Routes` runs on every authenticated route: a session opened for one environment sees that
 * environment only. It is keyed by the route Express resolved (its declared pattern) and reads the
 * validated params, query and body the handler gets, so no spelling of the path can pass it by.
 */
export function portalScope(db: Queryable): RouteGuard {
  return (spec) => {
    if (spec.auth === 'admin') return undefined;
    const route = `${spec.method.toUpperCase()} ${spec.path}`;
    const rule = PORTAL_SCOPE[route];
    return async (input, _req, res) => {
      const who = res.locals.principal as Principal | undefined;
      const environment = who?.kind === 'tenant' ? who.portal?.environment : undefined;
      if (!who || who.kind !== 'tenant' || !environment) return;
      if (!rule) throw new ApiError(403, 'forbidden', `a portal session for one environment cannot use ${route}`);
      await rule(input, { db, tenantId: who.tenantId, environment });
    };
  };
}

/** Headers of every portal response: a strict CSP (every asset from hookrelay itself), no framing unless configured. */
export function portalSecurityHeaders(frameAncestors: string): RequestHandler {
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    // data: for a logo the session carries as a data: URL (src/domain/portal-branding.ts).
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors}`,
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
