// The OpenAPI document of the API without a running one: the app is built with a pool and a Temporal
// client that are never used (both connect lazily), and its registry read. The client generator and
// its drift test use it, so neither needs PostgreSQL or Temporal.
import { createApp } from './app.js';
import { generateDocument } from './openapi.js';
import type { Routes } from './route.js';
import { loadConfig } from '../config.js';
import { createPool } from '../db/pool.js';
import { createLogger } from '../logger.js';
import { createApiMetrics } from '../metrics.js';
import { createApiTemporalClient } from '../temporal/workflow-client.js';
import { newCursorKeyEntry } from '../cursor-keys.js';
import { newEncryptionKeyEntry } from '../secrets/encryption-keys.js';
import type { ProducerKeyCache } from './key-cache.js';

export async function openapiDocument() {
  const config = loadConfig({
    DATABASE_URL: 'postgres://unused@127.0.0.1:1/unused',
    TEMPORAL_ADDRESS: '127.0.0.1:1',
    ADMIN_TOKEN: 'unused-admin-token-for-the-document',
    HOOKRELAY_CURSOR_KEYS: newCursorKeyEntry('doc'),
    HOOKRELAY_ENCRYPTION_KEYS: newEncryptionKeyEntry('doc'),
    LOG_LEVEL: 'silent',
  });
  const pool = createPool(config.databaseUrl, 1);
  const temporal = createApiTemporalClient({ address: config.temporalAddress, namespace: config.temporalNamespace, taskQueue: config.taskQueue });
  try {
    const app = createApp({ pool, temporal, config, logger: createLogger('silent'), metrics: createApiMetrics(false) });
    await (app.locals.keyCache as ProducerKeyCache).stop();
    return generateDocument((app.locals.routes as Routes).docs);
  } finally {
    await temporal.close();
    await pool.end();
  }
}
