import express, { Router, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { createHmac } from 'node:crypto';
import type { Config } from '../config.js';
import type { Pool } from '../db/pool.js';
import type { ApiTemporalClient } from '../temporal/workflow-client.js';
import { accessLog } from './access-log.js';
import { authenticate } from './auth.js';
import { ApiError, errorHandler, unmatchedRoute } from './errors.js';
import { createRegistry } from './openapi.js';
import { portalScope } from './portal-session.js';
import { createApiMetrics, type ApiMetrics } from '../metrics.js';
import { Routes } from './route.js';
import { backlogGate, type BacklogGate } from './backlog-gate.js';
import { acceptQueue, type AcceptQueue } from './accept-queue.js';
import { relayWakeup, type RelayWakeup } from './relay-wakeup.js';
import { EventCatalog } from './event-catalog.js';
import { keepRawBody } from './json-body.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { subscriptionRoutes } from './routes/subscriptions.js';
import { tenantRoutes } from './routes/tenants.js';
import { deliveryRoutes } from './routes/deliveries.js';
import { webhookRoutes } from './routes/webhooks.js';
import { CursorCodec } from '../db/cursor.js';
import { portalPages, portalRoutes } from './routes/portal.js';
import { subscriptionToolRoutes } from './routes/subscription-tools.js';
import { eventTypeRoutes } from './routes/event-types.js';
import { tenantPurgeRoutes } from './routes/tenant-purge.js';
import { recoverRoutes } from './routes/recover.js';

export interface ApiDeps {
  pool: Pool;
  temporal: ApiTemporalClient;
  config: Config;
  logger: Logger;
  metrics: ApiMetrics;
  auth: { admin: RequestHandler; tenant: RequestHandler; any: RequestHandler };
  backlog: BacklogGate;
  /** NOTIFYs the relays after a commit of events to start. */
  relay: RelayWakeup;
  /** Single-event posts, committed together while others are in flight (group commit). */
  accepts: AcceptQueue;
  cursors: CursorCodec;
  /** The event type catalog, cached in this API process (see event-catalog.ts). */
  catalog: EventCatalog;
}

const JSON_TYPES = ['application/json', 'application/*+json'];

// Bodies are JSON only: a body of any other type is refused rather than misread.
const requireJson: RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !req.is(['application/json', 'application/*+json'])) {
    throw new ApiError(415, 'unsupported_media_type', 'send the body as application/json');
  }
  next();
};

/** The API; `app.locals.routes` holds its route table and OpenAPI registry. */
export function createApp(
  base: Omit<ApiDeps, 'auth' | 'metrics' | 'cursors' | 'backlog' | 'catalog' | 'relay' | 'accepts'> & { metrics?: ApiMetrics },
): express.Express {
  if (!base.config.adminToken) throw new Error('ADMIN_TOKEN is required to run the API');
  const deps: ApiDeps = {
    ...base,
    metrics: base.metrics ?? createApiMetrics(),
    backlog: backlogGate(base.pool, base.config.ingestBacklogLimit),
    relay: relayWakeup(base.pool),
    accepts: acceptQueue(base.pool),
    catalog: new EventCatalog(base.pool),
    auth: {
      admin: authenticate(base.pool, base.config.adminToken, ['admin']),
      tenant: authenticate(base.pool, base.config.adminToken, ['tenant']),
      any: authenticate(base.pool, base.config.adminToken, ['admin', 'tenant']),
    },
    // Every API process of a deployment shares ADMIN_TOKEN, so each one accepts the others' cursors
    // (and a restart keeps them valid); changing the token invalidates cursors, which clients re-list.
    cursors: new CursorCodec(createHmac('sha256', base.config.adminToken).update('hookrelay list cursors').digest()),
  };
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(accessLog(base.logger, deps.metrics));
  app.use(requireJson);
  // A batch carries up to 500 payloads: its own, larger limit (each payload is still held to 256 KiB).
  app.use('/v1/events/batch', express.json({ limit: '16mb', type: JSON_TYPES, verify: keepRawBody }));
  // Larger than the 256 KiB payload limit so an oversized payload gets its own 413 naming the field.
  app.use(express.json({ limit: '1mb', type: JSON_TYPES, verify: keepRawBody }));
  const routes = new Routes(Router(), createRegistry(), deps.auth, portalScope(base.pool));
  for (const register of [healthRoutes, tenantRoutes, subscriptionRoutes, webhookRoutes, eventRoutes, deliveryRoutes]) register(routes, deps);
  for (const register of [portalRoutes, subscriptionToolRoutes]) register(routes, deps);
  eventTypeRoutes(routes, deps);
  tenantPurgeRoutes(routes, deps);
  recoverRoutes(routes, deps);
  app.use('/portal', portalPages(deps));
  app.use(routes.router);
  app.locals.routes = routes;
  app.use(unmatchedRoute);
  app.use(errorHandler(base.logger));
  return app;
}
