// Producer keys as requests present them: from the process's cache while it hears every revocation
// (src/api/key-cache.ts), else looked up in batches: while a lookup statement is in flight, the requests
// that arrive meanwhile wait and go together in the next one (./statement-batches.ts, as single-event
// posts do), so under load each request costs a share of one indexed lookup. A lookup is a statement
// sent after its requests arrived, never an earlier answer reused.
import type { Queryable } from '../db/pool.js';
import { producerKeysForHashes, type LiveProducerKey } from '../db/producer-keys.js';
import type { KeyUsage } from './key-usage.js';
import type { ProducerKeyCache } from './key-cache.js';
import { statementBatches, type StatementBatchOptions } from './statement-batches.js';

export const DEFAULT_KEY_LOOKUPS: StatementBatchOptions = { inFlight: 2, maxBatch: 500 };

export function producerKeyLookups(
  db: Queryable,
  { usage, cache }: { usage?: KeyUsage; cache?: ProducerKeyCache } = {},
  options: StatementBatchOptions = DEFAULT_KEY_LOOKUPS,
) {
  const lookUp = statementBatches(async (hashes: Buffer[]) => {
    const found = await producerKeysForHashes(db, hashes);
    return hashes.map((hash) => found.get(hash.toString('hex')));
  }, options);

  return {
    /** The live producer key with this SHA-256, or undefined: remembered, or asked of the database after this call. */
    async lookup(hash: Buffer): Promise<LiveProducerKey | undefined> {
      const hex = hash.toString('hex');
      const cached = cache?.get(hex);
      if (cached) {
        usage?.seen(cached);
        return cached;
      }
      // The cache's generation when the request arrived: a revocation heard since keeps the answer out of the cache.
      const generation = cache?.now ?? 0;
      const key = await lookUp(hash);
      if (key) {
        usage?.seen(key);
        cache?.remember(hex, key, generation);
      }
      return key;
    },
  };
}
export type ProducerKeyLookups = ReturnType<typeof producerKeyLookups>;
