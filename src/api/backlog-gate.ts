import type { Queryable } from '../db/pool.js';
import { unstartedCount } from '../db/ingest.js';

/**
 * Refuses new events while more than `limit` accepted events wait for their workflow start (Temporal
 * down for long, or producers far above what it drains). The count is read at most every `maxAgeMs`
 * and shared by the requests meanwhile, so the check costs no query per event.
 */
export function backlogGate(db: Queryable, limit: number, maxAgeMs = 1_000) {
  let known: { count: number; at: number } | undefined;
  let reading: Promise<number> | undefined;
  const read = () => {
    reading ??= unstartedCount(db)
      .then((count) => {
        known = { count, at: Date.now() };
        return count;
      })
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };
  return {
    /** The backlog when it is over the limit, else undefined. */
    async over(): Promise<number | undefined> {
      const count = known && Date.now() - known.at < maxAgeMs ? known.count : await read();
      return count > limit ? count : undefined;
    },
    /** The last count read (for the readiness and metrics endpoints). */
    last: () => known?.count,
  };
}
export type BacklogGate = ReturnType<typeof backlogGate>;
