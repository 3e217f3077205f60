// Group commit for single-event posts: while a few accept statements are in flight, the posts that
// arrive meanwhile wait and go together in the next one. Under load each accept then costs a share of
// one round trip and one commit instead of its own (a socket write per statement is then the API's
// largest cost); a lone post still goes at once. Every post is answered only after the
// statement holding it committed, so a 202 still means "in PostgreSQL".
import type { Queryable } from '../db/pool.js';
import { acceptEach, type AcceptResult, type IncomingEvent } from '../db/ingest.js';

export interface AcceptQueueOptions {
  /** Accept statements in flight at once; the posts that arrive meanwhile wait for the next one. */
  inFlight: number;
  /** Events in one statement at most. */
  maxBatch: number;
}

// Two statements in flight: one commits while the next one gathers. More in flight contend for the same
// rows and index pages and accept fewer events a second; one statement per post accepts fewer still.
export const DEFAULT_ACCEPT_QUEUE: AcceptQueueOptions = { inFlight: 2, maxBatch: 500 };

interface Waiting {
  event: IncomingEvent;
  resolve(result: AcceptResult): void;
  reject(error: unknown): void;
}

export function acceptQueue(db: Queryable, options: AcceptQueueOptions = DEFAULT_ACCEPT_QUEUE) {
  const waiting: Waiting[] = [];
  let running = 0;

  const flush = (): void => {
    while (running < options.inFlight && waiting.length > 0) {
      const batch = waiting.splice(0, options.maxBatch);
      running++;
      acceptEach(
        db,
        batch.map((w) => w.event),
      )
        .then(
          (results) => batch.forEach((w, i) => w.resolve(results[i]!)),
          // One statement, one transaction: nothing of the batch was written, and each post answers the error.
          (error: unknown) => batch.forEach((w) => w.reject(error)),
        )
        .finally(() => {
          running--;
          flush();
        });
    }
  };

  return {
    /** Resolves once the event is committed (or known a duplicate, or its tenant unknown). */
    accept(event: IncomingEvent): Promise<AcceptResult> {
      return new Promise<AcceptResult>((resolve, reject) => {
        waiting.push({ event, resolve, reject });
        flush();
      });
    },
  };
}
export type AcceptQueue = ReturnType<typeof acceptQueue>;
