import { isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, type Logger } from 'pino';

/** Paths that must never reach a log line: credentials and signing secrets. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  'api_key',
  'apiKey',
  'secret',
  'secrets',
  '*.api_key',
  '*.secret',
  '*.secrets',
  'previous_secrets',
  '*.previous_secrets',
  'adminToken',
  'encryptionKeys',
  '*.encryptionKeys',
  'cursorKeys',
];

/**
 * The active span's ids on each line (docs/observability.md), so a log line leads to its trace. Without
 * tracing no context manager is registered and there is never an active span: the line is unchanged.
 */
function traceIds(): { trace_id?: string; span_id?: string } {
  const context = trace.getActiveSpan()?.spanContext();
  if (!context || !isSpanContextValid(context)) return {};
  return { trace_id: context.traceId, span_id: context.spanId };
}

export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return pino({ name: 'hookrelay', level, mixin: traceIds, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}
