import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { logDestination } from '../log-format.js';
import { createPool } from '../db/pool.js';
import { createWorker } from '../worker.js';
import { createWorkerMetrics } from '../metrics.js';
import { startWorkerHttp } from '../worker-http.js';
import { installRuntime } from '../temporal/runtime.js';
import { onShutdown } from './shutdown.js';
import { startTracing } from '../telemetry/tracing.js';

const config = loadConfig();
const logger = createLogger(config.logLevel, logDestination(config.logFormat));
const coreMetrics = `127.0.0.1:${config.workerCoreMetricsPort}`;
installRuntime(logger, coreMetrics);
const pool = createPool(config.databaseUrl, config.databasePoolSize);
const metrics = createWorkerMetrics();
// Off (undefined, nothing started, no interceptor installed) unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
const tracing = await startTracing(config.tracing, 'hookrelay-worker');
const handle = await createWorker(config, pool, { metrics, logger, ...(tracing ? { tracing } : {}) });
const http = startWorkerHttp({
  host: config.host,
  port: config.workerMetricsPort,
  registry: metrics.registry,
  coreMetricsUrl: `http://${coreMetrics}/metrics`,
  healthy: () => handle.worker.getState() === 'RUNNING',
});
logger.info({ taskQueue: config.taskQueue, temporal: config.temporalAddress, metricsPort: config.workerMetricsPort }, 'worker polling');

onShutdown(
  async () => {
    // Drain: no new tasks; attempts in flight finish (or go back to Temporal after the grace time).
    await handle.shutdown();
    http.close();
    await pool.end();
    // The spans of the last attempts still go out.
    await tracing?.shutdown().catch((error: unknown) => logger.warn({ err: error }, 'the last spans were not exported'));
  },
  (msg) => logger.info(msg),
);

handle.done.catch((error) => {
  logger.fatal({ err: error }, 'worker stopped');
  process.exit(1);
});
