// Human-readable lines for attempts and deliveries; every value from the API goes through safe().
import { safe, type Output } from './output.js';
import type { Attempt, DeliveryStatus, DeliverySummary } from './types.js';

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** What an attempt came to: `HTTP 503`, or its error class (`timeout`, `connection_refused`, …). */
export function attemptResult(attempt: Pick<Attempt, 'status_code' | 'error_class'>): string {
  if (attempt.status_code !== null) return `HTTP ${attempt.status_code}`;
  return attempt.error_class ?? 'error';
}

/** `attempt 2  2025-06-01T12:00:03.120Z  HTTP 503  120 ms` */
export function attemptLine(out: Output, attempt: Attempt, prefix = ''): string {
  const ok = attempt.status_code !== null && attempt.status_code >= 200 && attempt.status_code < 300;
  const result = attemptResult(attempt);
  const time = new Date(attempt.started_at);
  return [
    prefix ? safe(prefix) : undefined,
    `attempt ${attempt.number}`,
    out.dim(Number.isNaN(time.getTime()) ? safe(attempt.started_at) : time.toISOString()),
    ok ? out.green(result) : out.red(safe(result)),
    `${Math.round(attempt.duration_ms)} ms`,
  ]
    .filter((part) => part !== undefined)
    .join('  ');
}

export function statusWord(out: Output, status: DeliveryStatus): string {
  if (status === 'succeeded') return out.green(status);
  if (status === 'pending') return out.yellow(status);
  return out.red(status);
}

/** `succeeded after 2 attempts`, `failed after 4 attempts: HTTP 503 from … after 12 ms`. */
export function finalLine(out: Output, delivery: Pick<DeliverySummary, 'status' | 'attempt_count' | 'last_error'>): string {
  const base = `${statusWord(out, delivery.status)} after ${plural(delivery.attempt_count, 'attempt')}`;
  return delivery.status !== 'succeeded' && delivery.last_error ? `${base}: ${safe(delivery.last_error)}` : base;
}

/** `name: value` for each field, aligned; objects and arrays as one line of JSON. */
export function fieldLines(record: object, skip: readonly string[] = []): string[] {
  const entries = Object.entries(record).filter(([name]) => !skip.includes(name));
  const width = Math.max(0, ...entries.map(([name]) => name.length)) + 2;
  return entries.map(([name, value]) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return `${`${name}:`.padEnd(width)}${safe(text ?? 'null')}`;
  });
}

/** An answer: as JSON under --json, else one `field: value` line per field. */
export function printFields(out: Output, record: object): void {
  if (out.json) return out.printJson(record);
  for (const line of fieldLines(record)) out.line(line);
}
