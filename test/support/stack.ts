// A worker and an API on their own task queue, against the shared dev server and test database.
import { eventWorkflowId } from '../../src/domain/workflow-ids.js';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { createPool, type Pool } from '../../src/db/pool.js';
import { createApp } from '../../src/api/app.js';
import { createLogger } from '../../src/logger.js';
import { createApiMetrics } from '../../src/metrics.js';
import { TestApi } from './api.js';
import { createApiTemporalClient, type ApiTemporalClient } from '../../src/temporal/workflow-client.js';
import { createWorker, type WorkerHandle } from '../../src/worker.js';
import type { Tracing } from '../../src/telemetry/tracing.js';
import { installRuntime } from '../../src/temporal/runtime.js';
import { freePort } from '../../tools/ports.js';
import { Runtime } from '@temporalio/worker';
import { WorkflowNotFoundError } from '@temporalio/client';
import { copyScratchDatabase, type ScratchDatabase } from '../../tools/db/scratch-database.js';
import type { EventWorkflowResult } from '../../src/workflows/event-workflow.js';
import { eventually } from './eventually.js';
import { newCursorKeyEntry } from '../../src/cursor-keys.js';
import type { ProducerKeyCache } from '../../src/api/key-cache.js';

export interface Stack {
  url: string;
  adminToken: string;
  config: Config;
  pool: Pool;
  temporal: ApiTemporalClient;
  worker: WorkerHandle | undefined;
  api: TestApi;
  /** Waits for the event's workflow and returns its result. */
  settle(tenantId: string, eventId: string): Promise<EventWorkflowResult>;
  stop(): Promise<void>;
}

export interface StackOptions {
  env?: Record<string, string>;
  /** Start the API without a worker (nothing gets delivered). */
  noWorker?: boolean;
  /** Point the API's Temporal client somewhere else (e.g. a closed port). */
  temporalAddress?: string;
  /** The API's logger (default: silent). */
  logger?: Logger;
  /** The worker's logger for delivery lines (default: silent). */
  workerLogger?: Logger;
  /** Tracing started by the test (src/telemetry/tracing.ts): the API and the worker make spans with it. */
  tracing?: Tracing;
  /** Another workflow bundle than the run's (with tracing: one with the tracing interceptors). */
  workflowBundlePath?: string;
}

/** Where the SDK core of this test process serves its Prometheus metrics. */
export let coreMetricsUrl: string | undefined;

/**
 * A database of the stack's own, copied from the run's migrated one: each stack's relay starts the events
 * of its database only, so stacks with different settings (time scale, no worker...) never start each
 * other's events.
 */
function stackDatabase(): Promise<ScratchDatabase> {
  return copyScratchDatabase(inject('databaseAdminUrl'), new URL(inject('databaseUrl')).pathname.slice(1), 'hookrelay_stack');
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const adminToken = `test_admin_${randomBytes(12).toString('hex')}`;
  const database = await stackDatabase();
  const config = loadConfig({
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `test-${randomBytes(6).toString('hex')}`,
    ADMIN_TOKEN: adminToken,
    HOOKRELAY_CURSOR_KEYS: newCursorKeyEntry('test'),
    HOOKRELAY_ENCRYPTION_KEYS: inject('encryptionKeys'),
    ALLOW_PRIVATE_TARGETS: 'true',
    LOG_LEVEL: 'silent',
    DATABASE_POOL_SIZE: '5',
    ...options.env,
  });
  if (!Runtime._instance) {
    const port = await freePort();
    installRuntime(createLogger(process.env.TEST_LOG_LEVEL ?? 'error'), `127.0.0.1:${port}`);
    coreMetricsUrl = `http://127.0.0.1:${port}/metrics`;
  }
  const pool = createPool(config.databaseUrl, config.databasePoolSize);
  const temporal = createApiTemporalClient({
    address: options.temporalAddress ?? config.temporalAddress,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
  });
  const worker = options.noWorker
    ? undefined
    : await createWorker(config, pool, {
        workflowBundle: { codePath: options.workflowBundlePath ?? inject('workflowBundlePath') },
        ...(options.workerLogger ? { logger: options.workerLogger } : {}),
        ...(options.tracing ? { tracing: options.tracing } : {}),
      });
  const app = createApp({
    pool,
    temporal,
    config,
    logger: options.logger ?? createLogger('silent'),
    metrics: createApiMetrics(false),
    ...(options.tracing ? { tracer: options.tracing.tracer } : {}),
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const resultsClient = options.temporalAddress
    ? createApiTemporalClient({ address: config.temporalAddress, namespace: config.temporalNamespace, taskQueue: config.taskQueue })
    : temporal;
  return {
    url,
    adminToken,
    config,
    pool,
    temporal,
    worker,
    api: new TestApi(url),
    async settle(tenantId, eventId) {
      // The relay starts the workflow just after the 202: wait for it to exist.
      const handle = resultsClient.client.workflow.getHandle(eventWorkflowId(tenantId, eventId));
      const settled = await eventually(
        async () => {
          try {
            return { result: await handle.result() };
          } catch (error) {
            if (error instanceof WorkflowNotFoundError) return undefined;
            throw error;
          }
        },
        { what: `the workflow of event ${eventId} to start`, timeoutMs: 30_000, intervalMs: 20 },
      );
      return settled.result;
    },
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await (app.locals.keyCache as ProducerKeyCache).stop();
      await worker?.shutdown();
      await temporal.close();
      if (resultsClient !== temporal) await resultsClient.close();
      await pool.end();
      if (!process.env.KEEP_TEST_DATABASE) await database.drop();
    },
  };
}

export { TestApi as ApiClient, type ApiResponse } from './api.js';
