// The audit log's retention: every RETENTION_INTERVAL, each worker deletes the entries older than
// AUDIT_RETENTION, in batches. A timer in the worker rather than a step of the retention workflow: the
// audit log has a retention of its own, and several workers deleting at once skip each other's rows.
import type { Logger } from 'pino';
import type { Queryable } from './db/pool.js';
import { deleteExpiredAuditEntries } from './db/retention.js';

const BATCH = 1_000;
/** At most this many batches per run; what is left goes at the next run. */
const MAX_BATCHES = 100;

export interface AuditRetention {
  /** One run now: deletes what expired; resolves to how many entries. */
  runOnce(): Promise<number>;
  /** No further run; resolves once a run in progress has ended. */
  stop(): Promise<void>;
}

export function startAuditRetention(options: { db: Queryable; retentionMs: number; intervalMs: number; logger?: Logger }): AuditRetention {
  let running: Promise<number> | undefined;
  let stopped = false;
  const runOnce = () => {
    running ??= (async () => {
      const cutoff = new Date(Date.now() - options.retentionMs);
      let deleted = 0;
      for (let i = 0; i < MAX_BATCHES && !stopped; i++) {
        const n = await deleteExpiredAuditEntries(options.db, cutoff, BATCH);
        deleted += n;
        if (n < BATCH) break;
      }
      if (deleted) options.logger?.info({ deleted, cutoff }, 'expired audit log entries deleted');
      return deleted;
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => {
    runOnce().catch((error: unknown) => options.logger?.warn({ err: error }, 'audit log retention run failed; the next run tries again'));
  }, options.intervalMs);
  timer.unref();
  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}
