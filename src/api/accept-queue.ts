// Group commit for single-event posts (./statement-batches.ts): while a few accept statements are in
// flight, the posts that arrive meanwhile wait and go together in the next one. Under load each accept
// then costs a share of one round trip and one commit instead of its own (a socket write per statement
// is then the API's largest cost); a lone post still goes at once. Every post is answered only after
// the statement holding it committed, so a 202 still means "in PostgreSQL".
import type { Queryable } from '../db/pool.js';
import { acceptEach, type AcceptResult, type IncomingEvent } from '../db/ingest.js';
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
