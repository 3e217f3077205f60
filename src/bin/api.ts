import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { logDestination } from '../log-format.js';
import { createPool } from '../db/pool.js';
import { createApp } from '../api/app.js';
import type { Routes } from '../api/route.js';
import type { ProducerKeyCache } from '../api/key-cache.js';
import { createApiTemporalClient } from '../temporal/workflow-client.js';
import { onShutdown } from './shutdown.js';
import { liveKeyManagerExists } from '../db/producer-keys.js';
import { secretsAtStart } from '../secrets/at-start.js';
import { startTracing } from '../telemetry/tracing.js';

const config = loadConfig();
const logger = createLogger(config.logLevel, logDestination(config.logFormat));
// Off (undefined, nothing started) unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
const tracing = await startTracing(config.tracing, 'hookrelay-api');
const pool = createPool(config.databaseUrl, config.databasePoolSize);
// Before it listens: a missing or wrong HOOKRELAY_ENCRYPTION_KEYS stops the API here, naming it.
await secretsAtStart(pool, config.encryptionKeys, 'API', logger);
const temporal = createApiTemporalClient({
  ...config.temporalSecurity,
  address: config.temporalAddress,
  namespace: config.temporalNamespace,
  taskQueue: config.taskQueue,
});
const app = createApp({ pool, temporal, config, logger, ...(tracing ? { tracer: tracing.tracer } : {}) });
if (config.adminTokenDisabled) {
  // Not fatal (the database may be slow to answer at start), but said at once: nothing could manage keys.
  liveKeyManagerExists(pool)
    .then(
      (found) =>
        found || logger.warn('ADMIN_TOKEN_DISABLED is true and no live producer key has keys:manage: unset it (with ADMIN_TOKEN set) to create one'),
    )
    .catch(() => {});
}
const server = app.listen(config.port, config.host, () => {
  logger.info({ port: config.port }, `API listening on http://${config.host}:${config.port}`);
});

onShutdown(
  async () => {
    // Stop accepting, let requests in flight finish, then release the dependencies.
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // Handlers whose clients hung up are still running: let them finish before the pool goes.
    await (app.locals.routes as Routes).idle(10_000);
    await (app.locals.keyCache as ProducerKeyCache).stop();
    await temporal.close();
    await pool.end();
    // The spans of the last requests still go out.
    await tracing?.shutdown().catch((error: unknown) => logger.warn({ err: error }, 'the last spans were not exported'));
  },
  (msg) => logger.info(msg),
);
