// How log lines are written: JSON lines for whatever collects them, or pino-pretty's one readable line
// per entry for a person at a terminal (`npm run dev`, a worker run by hand). The level, the fields and
// the redaction are the same either way; only the rendering differs.
import type { DestinationStream } from 'pino';
import { PinoPretty } from 'pino-pretty';

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * `LOG_FORMAT` when set; otherwise pretty on a terminal and JSON anywhere else (a pipe, a file, a
 * container's log driver), so a collector never gets colour codes and a person never gets raw JSON.
 */
export function chooseLogFormat(setting: LogFormat | undefined, stdoutIsTerminal: boolean): LogFormat {
  return setting ?? (stdoutIsTerminal ? 'pretty' : 'json');
}

/** The destination for `createLogger`: pino-pretty on stdout, or undefined for pino's own JSON on stdout. */
export function logDestination(setting: LogFormat | undefined, stdout: { isTTY?: boolean } = process.stdout): DestinationStream | undefined {
  if (chooseLogFormat(setting, stdout.isTTY === true) === 'json') return undefined;
  // Synchronous like pino's own stdout, so the last lines before an exit are not lost.
  return PinoPretty({ sync: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
}
