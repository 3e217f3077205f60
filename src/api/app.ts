import type { Tracer } from '@opentelemetry/api';
import express, { Router, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Pool } from '../db/pool.js';
import type { ApiTemporalClient } from '../temporal/workflow-client.js';
import { accessLog } from './access-log.js';
import { authenticate } from './auth.js';
import { errorHandler, unmatchedRoute } from './errors.js';
import { bodyReaders } from './request-body.js';
import { createRegistry } from './openapi.js';
import { portalScope } from './portal-session.js';
import { createApiMetrics, type ApiMetrics } from '../metrics.js';
import { Routes } from './route.js';
import { backlogGate, type BacklogGate } from './backlog-gate.js';
import { acceptQueue, batchLane, type AcceptQueue, type BatchLane } from './accept-queue.js';
import { acceptEvents } from '../db/ingest.js';
import { relayWakeup, type RelayWakeup } from './relay-wakeup.js';
import { EventCatalog } from './event-catalog.js';
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
import { requireKeyring, type Keyring } from '../secrets/encryption-keys.js';
import { keyRoutes } from './routes/keys.js';
import { auditRoutes } from './routes/audit.js';
import { KeyUsage } from './key-usage.js';
import { producerKeyLookups } from './key-lookups.js';
import { ProducerKeyCache } from './key-cache.js';

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
  /** Batch posts, one statement at a time. */
  batches: BatchLane;
  cursors: CursorCodec;
  /** The event type catalog, cached in this API process (see event-catalog.ts). */
  catalog: EventCatalog;
  /** HOOKRELAY_ENCRYPTION_KEYS: seals the secrets and headers written, opens the headers read. */
  keyring: Keyring;
  /** Producer keys this process remembers while it hears every revocation (see key-cache.ts); its owner stops it. */
  keyCache: ProducerKeyCache;
  /** The process's tracer when tracing is on (src/telemetry/tracing.ts); the event routes make spans with it. */
  tracer?: Tracer;
}

/** The API; `app.locals.routes` holds its route table and OpenAPI registry. */
export function createApp(
  base: Omit<ApiDeps, 'auth' | 'metrics' | 'cursors' | 'backlog' | 'catalog' | 'relay' | 'accepts' | 'batches' | 'keyring' | 'keyCache'> & {
    metrics?: ApiMetrics;
  },
): express.Express {
  const { config } = base;
  if (!config.adminToken && !config.adminTokenDisabled) {
    throw new Error('ADMIN_TOKEN is required to run the API (or ADMIN_TOKEN_DISABLED=true once producer keys manage it)');
  }
  // Every API process of a deployment shares these keys, so each one accepts the others' cursors (and a
  // restart keeps them valid); see src/cursor-keys.ts for their rotation.
  if (!config.cursorKeys) throw new Error('HOOKRELAY_CURSOR_KEYS is required to run the API');
  const keyCache = new ProducerKeyCache(config.databaseUrl, base.pool, base.logger);
  // One for the three: concurrent requests share a lookup statement whatever their route.
  const keys = producerKeyLookups(base.pool, { usage: new KeyUsage(base.pool, base.logger), cache: keyCache });
  const deps: ApiDeps = {
    ...base,
    metrics: base.metrics ?? createApiMetrics(),
    backlog: backlogGate(base.pool, config.ingestBacklogLimit),
    relay: relayWakeup(base.pool),
    accepts: acceptQueue(base.pool),
    batches: batchLane((events) => acceptEvents(base.pool, events)),
    catalog: new EventCatalog(base.pool),
    keyring: requireKeyring(config.encryptionKeys, 'API'),
    auth: {
      admin: authenticate(base.pool, config.adminToken, ['admin'], keys),
      tenant: authenticate(base.pool, config.adminToken, ['tenant'], keys),
      any: authenticate(base.pool, config.adminToken, ['admin', 'tenant'], keys),
    },
    cursors: new CursorCodec(config.cursorKeys),
    keyCache,
  };
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(accessLog(base.logger, deps.metrics));
  // Every route reads its own body (src/api/request-body.ts), so a refused body is counted under its route.
  const routes = new Routes(Router(), createRegistry(), deps.auth, portalScope(base.pool), bodyReaders);
  for (const register of [healthRoutes, tenantRoutes, subscriptionRoutes, webhookRoutes, eventRoutes, deliveryRoutes]) register(routes, deps);
  for (const register of [portalRoutes, subscriptionToolRoutes]) register(routes, deps);
  eventTypeRoutes(routes, deps);
  tenantPurgeRoutes(routes, deps);
  recoverRoutes(routes, deps);
  keyRoutes(routes, deps);
  auditRoutes(routes, deps);
  app.use(portalPages(deps));
  app.use(routes.router);
  app.locals.routes = routes;
  // Whoever runs the app stops it: the cache's LISTEN connection, opened at the first producer key.
  app.locals.keyCache = keyCache;
  app.use(unmatchedRoute);
  app.use(errorHandler(base.logger));
  return app;
}
