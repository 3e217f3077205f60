import type { Logger } from 'pino';
import type { Queryable } from '../db/pool.js';
import { touchProducerKey, type LiveProducerKey } from '../db/producer-keys.js';

/** How stale a producer key's `last_used_at` may be: one write per key per this long, not one per request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Keeps producer keys' `last_used_at` up to date cheaply. The key's row, read by the request's lookup,
 * says when it was last marked; only when that is older than the resolution does this process write,
 * once per key per resolution (concurrent requests of the same key write once), without awaiting it:
 * the request never waits for the write and a failed write only leaves the time staler.
 */
export class KeyUsage {
  private readonly written = new Map<string, number>();

  constructor(
    private readonly db: Queryable,
    private readonly logger?: Logger,
    private readonly resolutionMs = LAST_USED_RESOLUTION_MS,
  ) {}

  seen(key: LiveProducerKey, now = Date.now()): void {
    if (key.lastUsedAt && now - key.lastUsedAt.getTime() < this.resolutionMs) return;
    const last = this.written.get(key.id);
    if (last !== undefined && now - last < this.resolutionMs) return;
    this.written.set(key.id, now);
    touchProducerKey(this.db, key.id, this.resolutionMs).catch((error: unknown) => {
      this.logger?.warn({ err: error, keyId: key.id }, 'last_used_at of a producer key not written');
    });
  }
}
