import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { createPool } from '../db/pool.js';
import { createApp } from '../api/app.js';
import type { Routes } from '../api/route.js';
import { createApiTemporalClient } from '../temporal/workflow-client.js';
import { onShutdown } from './shutdown.js';

const config = loadConfig();
const logger = createLogger(config.logLevel);
const pool = createPool(config.databaseUrl, config.databasePoolSize);
const temporal = createApiTemporalClient({
  ...config.temporalSecurity,
  address: config.temporalAddress,
  namespace: config.temporalNamespace,
  taskQueue: config.taskQueue,
});
const app = createApp({ pool, temporal, config, logger });
const server = app.listen(config.port, config.host, () => {
  logger.info({ port: config.port }, `API listening on http://${config.host}:${config.port}`);
});

onShutdown(
  async () => {
    // Stop accepting, let requests in flight finish, then release the dependencies.
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // Handlers whose clients hung up are still running: let them finish before the pool goes.
    await (app.locals.routes as Routes).idle(10_000);
    await temporal.close();
    await pool.end();
  },
  (msg) => logger.info(msg),
);
