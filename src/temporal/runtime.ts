import { Runtime, type Logger as TemporalLogger, type LogLevel } from '@temporalio/worker';
import type { Logger } from 'pino';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** The SDK's own log lines (worker state, activity failures) go through pino as JSON, at pino's level. */
export function pinoForTemporal(logger: Logger): TemporalLogger {
  const child = logger.child({ component: 'temporal-sdk' });
  const emit = (level: LogLevel, message: string, meta?: Record<string, unknown>) => child[LEVELS[level]](meta ?? {}, message);
  return {
    log: emit,
    trace: (message, meta) => emit('TRACE', message, meta),
    debug: (message, meta) => emit('DEBUG', message, meta),
    info: (message, meta) => emit('INFO', message, meta),
    warn: (message, meta) => emit('WARN', message, meta),
    error: (message, meta) => emit('ERROR', message, meta),
  };
}

/**
 * Once per process, before the first worker or native connection. With `coreMetricsAddress`
 * (host:port), the SDK core serves its Prometheus metrics there.
 */
export function installRuntime(logger: Logger, coreMetricsAddress?: string): void {
  if (Runtime._instance) return;
  Runtime.install({
    logger: pinoForTemporal(logger),
    ...(coreMetricsAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress: coreMetricsAddress } } } } : {}),
  });
}
