import { Runtime, type Logger as TemporalLogger, type LogLevel } from '@temporalio/worker';
import type { Logger } from 'pino';
import { FailureType, NOT_ADMITTED, RETRYABLE_FAILURE_TYPES } from '../domain/delivery-failures.js';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * Failures a delivery activity throws on purpose: an attempt that failed (already recorded and logged by
 * hookrelay, with the receiver's answer), a delivery that ended, a wait at the gate. The SDK logs every
 * activity failure as a warning; for these that is one warning per attempt or per wait, which would bury
 * the warnings that need an operator.
 */
const EXPECTED_FAILURES = new Set<string>([...Object.values(FailureType), ...Object.values(RETRYABLE_FAILURE_TYPES), NOT_ADMITTED]);

function expectedFailure(message: string, meta: Record<string, unknown> | undefined): boolean {
  const error = meta?.error as { type?: unknown } | undefined;
  return message === 'Activity failed' && typeof error?.type === 'string' && EXPECTED_FAILURES.has(error.type);
}

/** The SDK's own log lines (worker state, activity failures) go through pino as JSON, at pino's level. */
export function pinoForTemporal(logger: Logger): TemporalLogger {
  const child = logger.child({ component: 'temporal-sdk' });
  const emit = (level: LogLevel, message: string, meta?: Record<string, unknown>) =>
    child[LEVELS[level === 'WARN' && expectedFailure(message, meta) ? 'DEBUG' : level]](meta ?? {}, message);
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
 * (host:port), the SDK core serves its Prometheus metrics there, named as Prometheus's conventions (and
 * `promtool check metrics`) want: counters end in `_total`, durations are in seconds and say so
 * (`temporal_activity_execution_latency_seconds`). The SDK's defaults are milliseconds with no unit.
 */
export function installRuntime(logger: Logger, coreMetricsAddress?: string): void {
  if (Runtime._instance) return;
  const conventions = { countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true };
  Runtime.install({
    logger: pinoForTemporal(logger),
    ...(coreMetricsAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress: coreMetricsAddress, ...conventions } } } } : {}),
  });
}
