// The tenant portal: the admin route that makes its links, and the pages under /portal that open them.
import { Router, type Request, type Response } from 'express';
import type { ApiDeps } from '../app.js';
import { ApiError, notFound } from '../errors.js';
import type { Routes } from '../route.js';
import { IdParam } from '../schemas/common.js';
import { PortalSessionCreate, PortalSessionCreated } from '../schemas/portal.js';
import {
  clearSessionCookie,
  csrfTokenFor,
  hashToken,
  isHttps,
  newLinkToken,
  newSessionToken,
  portalSecurityHeaders,
  portalSession,
  sessionTokenFrom,
  setSessionCookie,
} from '../portal-session.js';
import {
  endPortalSession,
  endedPortalSessionByHash,
  insertPortalLink,
  openPortalLink,
  pruneExpiredPortalSessions,
  type PortalLook,
} from '../../db/portal-sessions.js';
import { DEFAULT_PORTAL_NAME } from '../../domain/portal-branding.js';
import { parseDuration } from '../../domain/duration.js';
import { portalAssets } from '../../portal/assets.js';
import { audited } from '../audit.js';
import { bodyReaders } from '../request-body.js';

export function portalRoutes(routes: Routes, deps: ApiDeps): void {
  routes.add(
    {
      method: 'post',
      path: '/v1/tenants/:id/portal-sessions',
      operationId: 'createPortalSession',
      tag: 'Tenants',
      auth: 'admin',
      params: IdParam,
      body: PortalSessionCreate,
      summary: "A single-use link that opens the tenant portal as this tenant (the producer's dashboard hands it over)",
      responses: { 201: { description: 'The link', schema: PortalSessionCreated } },
    },
    async ({ params: { id }, body: input }, req, res) => {
      const token = newLinkToken();
      const link = await audited(
        deps.pool,
        req,
        res,
        (tx) =>
          insertPortalLink(tx, id, input.environment ?? null, hashToken(token), parseDuration(input.ttl), {
            returnUrl: input.return_url ?? null,
            name: input.branding?.name ?? null,
            logoUrl: input.branding?.logo_url ?? null,
            accentColor: input.branding?.accent_color ?? null,
          }),
        (made) =>
          made && {
            tenantId: id,
            action: 'portal_session.create',
            objectId: made.id,
            details: { environment: input.environment ?? null, expires_at: made.expiresAt.toISOString(), return_url: input.return_url ?? null },
          },
      );
      if (!link) throw notFound('tenant');
      await pruneExpiredPortalSessions(deps.pool);
      const origin = deps.config.publicUrl ?? `${req.protocol}://${req.get('host')}`;
      res.status(201).json({ url: `${origin}/portal/open?token=${encodeURIComponent(token)}`, expires_at: link.expiresAt.toISOString() });
    },
  );
}

const noStore = (res: Response) => res.setHeader('Cache-Control', 'no-store');

/** The way back and the platform's look, as the page reads them (the name defaults to a neutral one). */
const lookJson = (look: PortalLook) => ({
  return_url: look.returnUrl,
  branding: { name: look.name ?? DEFAULT_PORTAL_NAME, logo_url: look.logoUrl, accent_color: look.accentColor },
});

/**
 * The portal's pages, ahead of the API routes. Each route is registered with its whole path rather than
 * under a router mounted at /portal: a request's route is then the pattern it matched, `/portal/session`,
 * in the access line and the request metric, even when its error is answered outside this router.
 */
export function portalPages(deps: ApiDeps): Router {
  const router = Router();
  router.use('/portal', portalSecurityHeaders(deps.config.portalFrameAncestors));
  // No page takes a body; one sent is read and refused like on any route (415 when it is not JSON).
  const read = bodyReaders('/portal');
  // The assets are loaded on the first portal request, once per process, not at start: from dist/ when
  // built, else bundled from source (about 130 ms), which test processes that never serve the portal skip.

  const page = async (res: Response, status: number, state: 'app' | 'link-refused') => {
    const { html } = await portalAssets();
    noStore(res);
    res
      .status(status)
      .type('html')
      .send(html.replace('data-state="app"', `data-state="${state}"`));
  };

  /** Spends the link's token for a session cookie and redirects, so the token leaves the address bar. */
  router.get('/portal/open', ...read, async (req: Request, res: Response) => {
    const token = typeof req.query.token === 'string' && /^hrpl_[\w-]{43}$/.test(req.query.token) ? req.query.token : undefined;
    const session = newSessionToken();
    const opened = token && (await openPortalLink(deps.pool, hashToken(token), hashToken(session)));
    if (!opened) return page(res, 403, 'link-refused');
    setSessionCookie(res, session, opened.expiresAt, isHttps(req, deps.config.publicUrl));
    noStore(res);
    res.redirect(303, '/portal/');
  });

  /** What the page needs to start: who it acts as, until when, and the CSRF token for its writes. */
  // A cookie of a session that has ended answers 401 `session_ended` with its way back and look, so the
  // page can say so in the platform's name and link back; without a session, the plain 401.
  router.get('/portal/session', ...read, async (req, res) => {
    const session = await portalSession(deps.pool, req);
    noStore(res);
    if (!session) {
      const token = sessionTokenFrom(req);
      const ended = token ? await endedPortalSessionByHash(deps.pool, hashToken(token)) : undefined;
      if (!ended) throw new ApiError(401, 'unauthorized', 'no portal session: open the link you were given again, or ask for a new one');
      res.status(401).json({ error: { code: 'session_ended', message: 'this portal session has ended' }, ended: lookJson(ended) });
      return;
    }
    res.json({
      tenant: { id: session.tenantId, name: session.tenantName },
      environment: session.environment,
      expires_at: session.expiresAt.toISOString(),
      csrf_token: csrfTokenFor(session.token),
      ...lookJson(session),
    });
  });

  router.post('/portal/logout', ...read, async (req, res) => {
    const session = await portalSession(deps.pool, req);
    if (session) await endPortalSession(deps.pool, hashToken(session.token));
    clearSessionCookie(res, isHttps(req, deps.config.publicUrl));
    res.status(204).end();
  });

  router.get('/portal/assets/:file', ...read, async (req, res) => {
    const assets = await portalAssets();
    const file = req.params.file;
    if (file !== 'app.js' && file !== 'app.css') throw notFound('asset');
    res.type(file.endsWith('.js') ? 'text/javascript' : 'text/css').setHeader('Cache-Control', 'no-cache');
    res.send(assets[file]);
  });

  router.get('/portal', ...read, (_req, res) => page(res, 200, 'app'));
  return router;
}
