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

export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return pino({ name: 'hookrelay', level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}
