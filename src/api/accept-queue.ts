// Group commit for single-event posts (./statement-batches.ts): while a few accept statements are in
// flight, the posts that arrive meanwhile wait and go together in the next one. Under load each accept
// then costs a share of one round trip and one commit instead of its own (a socket write per statement
// is then the API's largest cost); a lone post still goes at once. Every post is answered only after
// the statement holding it committed, so a 202 still means "in PostgreSQL".
import type { Queryable } from '../db/pool.js';
import { acceptEach, type acceptEvents, type AcceptResult, type IncomingEvent } from '../db/ingest.js';
import { statementBatches, type StatementBatchOptions } from './statement-batches.js';

// Two statements in flight: one commits while the next one gathers. More in flight contend for the same
// rows and index pages and accept fewer events a second; one statement per post accepts fewer still.
export const DEFAULT_ACCEPT_QUEUE: StatementBatchOptions = { inFlight: 2, maxBatch: 500 };

export function acceptQueue(db: Queryable, options: StatementBatchOptions = DEFAULT_ACCEPT_QUEUE) {
  // One statement, one transaction: when it fails nothing of the batch was written, and each post answers the error.
  const accept = statementBatches((events: IncomingEvent[]) => acceptEach(db, events), options);
  return {
    /** Resolves once the event is committed (or known a duplicate, or its tenant unknown). */
    accept: (event: IncomingEvent): Promise<AcceptResult> => accept(event),
  };
}
export type AcceptQueue = ReturnType<typeof acceptQueue>;

/**
 * The batch endpoint's statements, one at a time in each API process and in arrival order, each followed
 * by a pause as long as it took. A backfill posts batches of 500 on several connections at once: written
 * side by side, back to back, they take every core the machine has for as long as the backfill lasts, and
 * every other tenant's claims, workflow tasks and deliveries wait behind them. One at a time with a pause,
 * a backfill takes at most half of one PostgreSQL backend, and the rest goes on serving the others
 * (docs/isolation.md, "Fairness across tenants").
 */
export function batchLane<R>(write: (events: IncomingEvent[]) => Promise<R>) {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    /** Resolves once the batch's statement has committed, or rejects with its error. */
    accept(events: IncomingEvent[]): Promise<R> {
      let began = 0;
      const result = tail.then(() => {
        began = performance.now();
        return write(events);
      });
      tail = result.catch(() => undefined).then(() => new Promise((resolve) => setTimeout(resolve, performance.now() - began)));
      return result;
    },
  };
}
export type BatchLane = ReturnType<typeof batchLane<Awaited<ReturnType<typeof acceptEvents>>>>;
