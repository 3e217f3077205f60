// Live producer keys remembered by an API process, kept only while it hears every revocation: a
// revocation NOTIFYs `hookrelay_producer_keys` with the key's id in its transaction (so at its commit),
// and each API process LISTENs and forgets that key. The ingest path then skips the key lookup.
//
// The cache serves only while the notifications are known to arrive: every few seconds the process
// NOTIFYs a probe of its own through the pool and must hear it back on its LISTEN connection in time;
// until the first probe comes back, after a lost connection or a late probe, it serves nothing (every
// request is looked up) and forgets everything. Where NOTIFY is not delivered (the embedded PGlite),
// the cache never serves. An entry also ends at its key's `expires_at` (by this process's clock) and
// after MAX_AGE at most, whatever happens.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Queryable } from '../db/pool.js';
import type { LiveProducerKey } from '../db/producer-keys.js';

export const PRODUCER_KEYS_CHANNEL = 'hookrelay_producer_keys';
const PROBE_PREFIX = 'probe:';

export interface KeyCacheOptions {
  probeEveryMs: number;
  /** A probe not heard back within this turns the cache off (and empties it) until one is. */
  probeTimeoutMs: number;
  /** The longest an entry serves, even with every probe on time. */
  maxAgeMs: number;
  maxEntries: number;
}

export const DEFAULT_KEY_CACHE: KeyCacheOptions = { probeEveryMs: 5_000, probeTimeoutMs: 2_000, maxAgeMs: 60_000, maxEntries: 10_000 };

interface Entry {
  key: LiveProducerKey;
  until: number;
}

/** Sent in the transaction that revokes a key: delivered to every listening API process at its commit. */
export async function notifyKeyRevoked(db: Queryable, keyId: string): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [PRODUCER_KEYS_CHANNEL, keyId]);
}

export class ProducerKeyCache {
  private readonly entries = new Map<string, Entry>();
  /** Notifications are known to arrive (the last probe came back in time). */
  private serving = false;
  /** Moves on at every revocation heard and whenever the cache stops serving: a lookup begun before must not be remembered. */
  private generation = 0;
  private started = false;
  private stopped = false;
  private listener: pg.Client | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private pendingProbe: { nonce: string; timer: NodeJS.Timeout } | undefined;
  /** Who waits to hear a revocation of this process's own (see `revoked`), by key id. */
  private readonly echoes = new Map<string, Array<() => void>>();
  /** Revocations heard lately, by key id, with when: the echo may come before its revoker waits for it. */
  private readonly heardLately = new Map<string, number>();

  constructor(
    private readonly databaseUrl: string,
    private readonly db: Queryable,
    private readonly logger?: Logger,
    private readonly options: KeyCacheOptions = DEFAULT_KEY_CACHE,
  ) {}

  /** The generation to hand back to `remember`: a revocation heard in between makes that a no-op. */
  get now(): number {
    return this.generation;
  }

  /** The remembered key with this hash, if the cache serves and the entry is still good. */
  get(hashHex: string): LiveProducerKey | undefined {
    this.start();
    if (!this.serving) return undefined;
    const entry = this.entries.get(hashHex);
    if (!entry) return undefined;
    if (Date.now() >= entry.until) {
      this.entries.delete(hashHex);
      return undefined;
    }
    return entry.key;
  }

  /** Remembers a key the database just confirmed live, unless a revocation was heard since the lookup began. */
  remember(hashHex: string, key: LiveProducerKey, lookupGeneration: number): void {
    if (!this.serving || lookupGeneration !== this.generation) return;
    if (this.entries.size >= this.options.maxEntries) this.entries.clear();
    const expires = key.expiresAt ? key.expiresAt.getTime() : Infinity;
    this.entries.set(hashHex, { key, until: Math.min(expires, Date.now() + this.options.maxAgeMs) });
  }

  /** Forgets a key now (this process's own revocation, before its answer; the others hear the NOTIFY). */
  forget(keyId: string): void {
    this.generation++;
    for (const [hash, entry] of this.entries) if (entry.key.id === keyId) this.entries.delete(hash);
  }

  /**
   * After this process's own revocation committed: forgets the key and waits (at most `timeoutMs`) to hear
   * its NOTIFY back, which PostgreSQL delivered to every listening process at the same time, so the other
   * processes have it by the time the revocation is answered. Without a live listener there is nothing to
   * wait for: no process that cannot hear revocations remembers a key.
   */
  async revoked(keyId: string, timeoutMs = 1_000): Promise<void> {
    this.forget(keyId);
    if (!this.serving || this.heardLately.has(keyId)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const others = (this.echoes.get(keyId) ?? []).filter((waiter) => waiter !== done);
        if (others.length) this.echoes.set(keyId, others);
        else this.echoes.delete(keyId);
        resolve();
      }, timeoutMs);
      timer.unref();
      this.echoes.set(keyId, [...(this.echoes.get(keyId) ?? []), done]);
    });
  }

  /** Connects the listener on first use, so an API that never sees a producer key opens nothing. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    void this.listen();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.off();
    await this.listener?.end().catch(() => {});
  }

  private off(): void {
    this.serving = false;
    this.generation++;
    this.entries.clear();
    clearTimeout(this.probeTimer);
    if (this.pendingProbe) clearTimeout(this.pendingProbe.timer);
    this.pendingProbe = undefined;
  }

  private probe(): void {
    if (this.stopped || this.pendingProbe) return;
    const nonce = `${PROBE_PREFIX}${randomUUID()}`;
    const timer = setTimeout(() => {
      if (this.pendingProbe?.nonce !== nonce) return;
      if (this.serving) this.logger?.warn('producer key cache: a probe NOTIFY did not come back in time; looking every key up');
      this.off();
      this.pendingProbe = undefined;
      this.scheduleProbe();
    }, this.options.probeTimeoutMs);
    timer.unref();
    this.pendingProbe = { nonce, timer };
    notifyKeyRevoked(this.db, nonce).catch(() => {
      // The pool is down: the late probe turns the cache off.
    });
  }

  private scheduleProbe(): void {
    if (this.stopped) return;
    this.probeTimer = setTimeout(() => this.probe(), this.options.probeEveryMs);
    this.probeTimer.unref();
  }

  private heard(payload: string): void {
    if (payload.startsWith(PROBE_PREFIX)) {
      if (this.pendingProbe?.nonce !== payload) return;
      clearTimeout(this.pendingProbe.timer);
      this.pendingProbe = undefined;
      this.serving = true;
      this.scheduleProbe();
      return;
    }
    this.forget(payload);
    const now = Date.now();
    for (const [id, at] of this.heardLately) if (now - at > 10_000) this.heardLately.delete(id);
    this.heardLately.set(payload, now);
    const waiting = this.echoes.get(payload);
    this.echoes.delete(payload);
    waiting?.forEach((done) => done());
  }

  private async listen(): Promise<void> {
    let delay = 250;
    while (!this.stopped) {
      const client = new pg.Client({ connectionString: this.databaseUrl, connectionTimeoutMillis: 5_000 });
      // Always listened to: an 'error' event with no listener would end the process.
      client.on('error', () => {});
      try {
        await client.connect();
        client.on('notification', (message) => this.heard(message.payload ?? ''));
        await client.query(`LISTEN ${PRODUCER_KEYS_CHANNEL}`);
        // Stopped while connecting: nobody else would end this connection.
        if (this.stopped) {
          await client.end().catch(() => {});
          return;
        }
        this.listener = client;
        delay = 250;
        this.probe();
        await new Promise<void>((resolve) => {
          client.once('error', () => resolve());
          client.once('end', () => resolve());
        });
      } catch (error) {
        this.logger?.debug({ err: error }, 'producer key cache: cannot listen; looking every key up');
      }
      this.listener = undefined;
      this.off();
      await client.end().catch(() => {});
      if (this.stopped) return;
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
      delay = Math.min(30_000, delay * 2);
    }
  }
}
