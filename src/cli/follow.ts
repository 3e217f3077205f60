// Following deliveries: poll the API every second, print each new attempt once, stop when
// nothing is pending any more.
import type { ApiClient } from './api-client.js';
import { ApiError, NetworkError } from './errors.js';
import { attemptLine, attemptResult, finalLine, plural } from './format.js';
import { safe, type Output, type Progress } from './output.js';
import type { Attempt, Delivery, DeliverySummary, Event } from './types.js';

export interface FollowOptions {
  intervalMs?: number;
  /** Consecutive failed polls (API unreachable or 503) tolerated before giving up. */
  maxPollFailures?: number;
  /** How long an event with no deliveries is watched for some to appear. */
  noDeliveriesGraceMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Prints, in order, the attempts not in `seen` and adds them to it (attempt numbers are unique within a
 * delivery); returns all the attempts in order.
 */
function printNewAttempts(out: Output, attempts: readonly Attempt[], seen: Set<number>, prefix?: string): Attempt[] {
  const ordered = [...attempts].sort((a, b) => a.number - b.number || a.started_at.localeCompare(b.started_at));
  for (const attempt of ordered) {
    if (seen.has(attempt.number)) continue;
    seen.add(attempt.number);
    if (!out.json) out.line(attemptLine(out, attempt, prefix));
  }
  return ordered;
}

function transient(error: unknown): boolean {
  return error instanceof NetworkError || (error instanceof ApiError && (error.status === 503 || error.status === 502 || error.status === 504));
}

/** Polls `fetchOnce` until it answers, tolerating a few transient failures in a row. */
async function poll<T>(fetchOnce: () => Promise<T>, out: Output, progress: Progress, options: Required<FollowOptions>): Promise<T> {
  for (let failures = 1; ; failures++) {
    try {
      return await fetchOnce();
    } catch (error) {
      if (!transient(error) || failures > options.maxPollFailures) throw error;
      const text = `${(error as Error).message}; retrying (${failures}/${options.maxPollFailures})`;
      if (out.tty) progress.status(text);
      else out.warn(text);
      await sleep(options.intervalMs);
    }
  }
}

function withDefaults(options: FollowOptions): Required<FollowOptions> {
  return { intervalMs: 1_000, maxPollFailures: 10, noDeliveriesGraceMs: 10_000, ...options };
}

function pendingStatus(attempts: readonly Pick<Attempt, 'number' | 'status_code' | 'error_class'>[]): string {
  const last = attempts[attempts.length - 1];
  if (!last) return 'pending · waiting for the first attempt…';
  return `pending · attempt ${last.number} · ${attemptResult(last)} · next retry…`;
}

/** Follows one delivery to its end and returns it as last read. */
export async function followDelivery(client: ApiClient, id: string, out: Output, options: FollowOptions = {}): Promise<Delivery> {
  const opts = withDefaults(options);
  const progress = out.progress();
  const seen = new Set<number>();
  let first = true;
  try {
    for (;;) {
      const delivery = await poll(() => client.ok((api) => api.GET('/v1/deliveries/{id}', { params: { path: { id } } })), out, progress, opts);
      if (first && !out.json)
        out.line(`delivery ${safe(delivery.id)}: event ${safe(delivery.event_id)} → subscription ${safe(delivery.subscription_id)}`);
      first = false;
      const attempts = printNewAttempts(out, delivery.attempts, seen);
      if (delivery.status !== 'pending') {
        progress.stop();
        if (!out.json) out.line(finalLine(out, delivery));
        return delivery;
      }
      progress.status(pendingStatus(attempts));
      await sleep(opts.intervalMs);
    }
  } finally {
    progress.stop();
  }
}

interface Tracked {
  status: DeliverySummary['status'];
  attemptCount: number;
  seen: Set<number>;
}

/**
 * Follows every delivery of an event until none is pending. With a tenant key each new attempt is
 * read from the delivery's log; with the admin token (which may not read deliveries) the event's
 * delivery summaries give the attempt count and the last result.
 */
export async function followEvent(
  client: ApiClient,
  id: string,
  tenantId: string | undefined,
  out: Output,
  options: FollowOptions = {},
): Promise<Event> {
  const opts = withDefaults(options);
  const progress = out.progress();
  const tracked = new Map<string, Tracked>();
  const started = Date.now();
  let detailed = true;
  let first = true;
  try {
    for (;;) {
      const event = await poll(
        () => client.ok((api) => api.GET('/v1/events/{id}', { params: { path: { id }, query: { tenant_id: tenantId } } })),
        out,
        progress,
        opts,
      );
      if (first && !out.json) out.line(`event ${safe(event.id)} (${safe(event.type)}, ${event.environment}) of tenant ${safe(event.tenant_id)}`);
      first = false;
      if (event.suppressed_by) {
        if (!out.json) out.line(`suppressed by ${safe(event.suppressed_by)}: not delivered`);
        return event;
      }
      for (const summary of event.deliveries) {
        let state = tracked.get(summary.id);
        if (!state) {
          state = { status: 'pending', attemptCount: 0, seen: new Set() };
          tracked.set(summary.id, state);
          if (!out.json) out.line(`${safe(summary.id)}  → subscription ${safe(summary.subscription_id)}`);
        }
        if (summary.attempt_count !== state.attemptCount || summary.status !== state.status) {
          detailed = await reportAttempts(client, summary, state, out, progress, opts, detailed);
          state.attemptCount = summary.attempt_count;
        }
        if (summary.status !== 'pending' && state.status === 'pending' && !out.json) {
          out.line(`${safe(summary.id)}  ${finalLine(out, summary)}`);
        }
        state.status = summary.status;
      }
      const pending = event.deliveries.filter((d) => d.status === 'pending');
      const createdAt = Date.parse(event.created_at);
      const waitedEnough =
        Date.now() - started >= opts.noDeliveriesGraceMs || (!Number.isNaN(createdAt) && Date.now() - createdAt >= opts.noDeliveriesGraceMs);
      if (event.deliveries.length > 0 ? pending.length === 0 : waitedEnough) {
        progress.stop();
        if (!out.json) out.line(summaryLine(out, event.deliveries));
        return event;
      }
      progress.status(
        event.deliveries.length === 0
          ? 'waiting for deliveries…'
          : `pending · ${pending.length} of ${deliveries(event.deliveries.length)}` +
              ` · ${plural(
                event.deliveries.reduce((n, d) => n + d.attempt_count, 0),
                'attempt',
              )} so far`,
      );
      await sleep(opts.intervalMs);
    }
  } finally {
    progress.stop();
  }
}

/** Prints the attempts of a delivery not printed yet; returns false once the log is not readable (admin token). */
async function reportAttempts(
  client: ApiClient,
  summary: DeliverySummary,
  state: Tracked,
  out: Output,
  progress: Progress,
  opts: Required<FollowOptions>,
  detailed: boolean,
): Promise<boolean> {
  if (detailed) {
    try {
      const delivery = await poll(
        () => client.ok((api) => api.GET('/v1/deliveries/{id}', { params: { path: { id: summary.id } } })),
        out,
        progress,
        opts,
      );
      printNewAttempts(out, delivery.attempts, state.seen, summary.id);
      return true;
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 403) throw error;
    }
  }
  if (summary.attempt_count > state.attemptCount && !out.json) {
    const result = summary.last_status_code !== null ? `HTTP ${summary.last_status_code}` : (summary.last_error ?? 'no answer');
    const range =
      summary.attempt_count - state.attemptCount > 1
        ? `attempts ${state.attemptCount + 1}-${summary.attempt_count}`
        : `attempt ${summary.attempt_count}`;
    out.line(`${safe(summary.id)}  ${range}  last: ${safe(result)}`);
  }
  return false;
}

const deliveries = (n: number) => `${n} ${n === 1 ? 'delivery' : 'deliveries'}`;

function summaryLine(out: Output, list: readonly DeliverySummary[]): string {
  if (list.length === 0) return 'no deliveries: no subscription of this tenant and environment matches the event type';
  const counts = new Map<string, number>();
  for (const d of list) counts.set(d.status, (counts.get(d.status) ?? 0) + 1);
  const parts = [...counts].map(([status, n]) => `${n} ${status}`);
  const ok = list.every((d) => d.status === 'succeeded');
  return `${deliveries(list.length)}: ${ok ? out.green(parts.join(', ')) : out.red(parts.join(', '))}`;
}

/** 0 when every delivery succeeded (or there was none), 1 otherwise. */
export function exitCodeOf(statuses: readonly DeliverySummary['status'][]): number {
  return statuses.every((s) => s === 'succeeded') ? 0 : 1;
}
