// Producer keys as requests present them: from the process's cache while it hears every revocation
// (src/api/key-cache.ts), else looked up in batches: while a lookup statement is in flight, the requests
// that arrive meanwhile wait and go together in the next one (as single-event posts do,
// src/api/accept-queue.ts), so under load each request costs a share of one indexed lookup. A lookup is
// a statement sent after its requests arrived, never an earlier answer reused.
import type { Queryable } from '../db/pool.js';
import { producerKeysForHashes, type LiveProducerKey } from '../db/producer-keys.js';
import type { KeyUsage } from './key-usage.js';
import type { ProducerKeyCache } from './key-cache.js';

export interface KeyLookupOptions {
  /** Lookup statements in flight at once; the requests that arrive meanwhile wait for the next one. */
  inFlight: number;
  /** Keys in one statement at most. */
  maxBatch: number;
}

export const DEFAULT_KEY_LOOKUPS: KeyLookupOptions = { inFlight: 2, maxBatch: 500 };

interface Waiting {
  hash: Buffer;
  /** The cache's generation when the request arrived: a revocation heard since keeps the answer out of the cache. */
  generation: number;
  resolve(key: LiveProducerKey | undefined): void;
  reject(error: unknown): void;
}

export function producerKeyLookups(
  db: Queryable,
  { usage, cache }: { usage?: KeyUsage; cache?: ProducerKeyCache } = {},
  options: KeyLookupOptions = DEFAULT_KEY_LOOKUPS,
) {
  const waiting: Waiting[] = [];
  let running = 0;

  const flush = (): void => {
    while (running < options.inFlight && waiting.length > 0) {
      const batch = waiting.splice(0, options.maxBatch);
      running++;
      producerKeysForHashes(
        db,
        batch.map((w) => w.hash),
      )
        .then(
          (found) =>
            batch.forEach((w) => {
              const hex = w.hash.toString('hex');
              const key = found.get(hex);
              if (key) {
                usage?.seen(key);
                cache?.remember(hex, key, w.generation);
              }
              w.resolve(key);
            }),
          (error: unknown) => batch.forEach((w) => w.reject(error)),
        )
        .finally(() => {
          running--;
          flush();
        });
    }
  };

  return {
    /** The live producer key with this SHA-256, or undefined: remembered, or asked of the database after this call. */
    lookup(hash: Buffer): Promise<LiveProducerKey | undefined> {
      const cached = cache?.get(hash.toString('hex'));
      if (cached) {
        usage?.seen(cached);
        return Promise.resolve(cached);
      }
      return new Promise((resolve, reject) => {
        waiting.push({ hash, generation: cache?.now ?? 0, resolve, reject });
        flush();
      });
    },
  };
}
export type ProducerKeyLookups = ReturnType<typeof producerKeyLookups>;
