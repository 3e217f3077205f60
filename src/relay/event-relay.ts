// The relay: starts the workflow of every accepted event. It runs in each worker process, woken by
// PostgreSQL's NOTIFY (sent by the API right after its commit: src/api/relay-wakeup.ts), and sweeps on a timer for any
// event whose start was missed (a lost notification, a relay that died holding a lease).
import pg from 'pg';
import type { Logger } from 'pino';
import type { Pool } from '../db/pool.js';
import { claimUnstarted, EVENTS_CHANNEL, markStarted, releaseClaims, type ClaimedEvent, type StartingBounds } from '../db/ingest.js';

export interface RelayStartingBounds extends StartingBounds {
  /**
   * Of one tenant with a backlog (more than `perTenant` events waiting to start), while this relay has
   * started another tenant's events within CONTENDED_WINDOW_MS.
   */
  contendedPerTenant: number;
}

/**
 * How long after starting a tenant's event the relay counts that tenant as active. While another tenant is
 * active, a backlogged tenant gets the contended bound: a tenant posting now and then finds a backfilling
 * tenant's few events ahead of its own in the workers and the Temporal server, not a full tenant's share.
 * A minute, not seconds: a tenant that posted a minute ago is likely to post again, and its next event
 * should not find a backfill that began meanwhile at its full bound.
 */
const CONTENDED_WINDOW_MS = 60_000;

export interface RelayOptions {
  /** Events claimed and started together. */
  batchSize: number;
  /** How long a claim is this relay's; past it another relay may start the event. */
  leaseMs: number;
  /** The sweep for missed starts. */
  sweepIntervalMs: number;
  /** The longest wait between tries while Temporal or PostgreSQL is down. */
  maxBackoffMs: number;
  /** LISTEN for the events table's NOTIFY; without it only the sweep finds new events. */
  listen: boolean;
  /**
   * Events started and not yet dispatched, at most: in all, and of one tenant (src/db/ingest.ts, claimUnstarted);
   * of one tenant while other tenants' events are started too, `contendedPerTenant`.
   */
  starting: RelayStartingBounds;
  /**
   * How soon a drain that left events waiting at a bound looks again, at the latest: an event dispatched by
   * this process's worker makes room and wakes it sooner (`dispatched`); this is for room made elsewhere.
   */
  cappedRecheckMs: number;
}

export const DEFAULT_RELAY_OPTIONS: RelayOptions = {
  batchSize: 64,
  leaseMs: 30_000,
  sweepIntervalMs: 2_000,
  maxBackoffMs: 10_000,
  listen: true,
  starting: { total: 32, perTenant: 16, contendedPerTenant: 1 },
  cappedRecheckMs: 250,
};

export interface RelayDeps {
  pool: Pool;
  /** A connection string for the dedicated LISTEN connection (a pooled client cannot keep listening). */
  databaseUrl: string;
  /** Starts one event's workflow; an already started workflow is success. Throws when Temporal is not reachable. */
  startWorkflow(event: ClaimedEvent): Promise<void>;
  logger: Logger;
  onStarted?(count: number): void;
}

export class EventRelay {
  private readonly options: RelayOptions;
  private listener: pg.Client | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private recheckTimer: NodeJS.Timeout | undefined;
  private holdTimer: { timer: NodeJS.Timeout; at: number } | undefined;
  /** The last drain left events waiting at a bound: the next dispatch makes room for them. */
  private waitingForRoom = false;
  /** Workflow starts in flight, and those settled since they were last recorded. */
  private readonly starting = new Set<Promise<void>>();
  private settledStarts: { started: ClaimedEvent[]; failed: ClaimedEvent[]; error?: unknown } = { started: [], failed: [] };
  private recording: Promise<void> = Promise.resolve();
  private draining: Promise<void> | undefined;
  private wakeAgain = false;
  /** When this relay last started an event of each tenant (tenants past CONTENDED_WINDOW_MS are dropped). */
  private readonly lastStarted = new Map<string, number>();
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly deps: RelayDeps,
    options: Partial<RelayOptions> = {},
  ) {
    this.options = { ...DEFAULT_RELAY_OPTIONS, ...options };
  }

  /** Listens and drains what is already waiting; never throws (a database that is down is retried). */
  start(): void {
    if (this.options.listen) void this.listen();
    this.sweepTimer = setInterval(() => this.wake(), this.options.sweepIntervalMs);
    this.sweepTimer.unref();
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweepTimer);
    clearTimeout(this.retryTimer);
    clearTimeout(this.recheckTimer);
    clearTimeout(this.holdTimer?.timer);
    await this.draining;
    await Promise.all(this.starting);
    await this.recording;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => {});
  }

  /** An event's deliveries were made in this process: it no longer counts against the bounds. */
  dispatched(): void {
    if (!this.waitingForRoom) return;
    this.waitingForRoom = false;
    this.wake();
  }

  /** Coalesces wake-ups: one drain at a time, and one more after it if woken meanwhile. */
  wake(): void {
    if (this.stopped || this.retryTimer) return;
    if (this.draining) {
      this.wakeAgain = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.wakeAgain) {
        this.wakeAgain = false;
        this.wake();
      }
    });
  }

  /**
   * Claims and starts until nothing is left or a bound is reached. Starts are not waited for before the
   * next claim (an event claimed now does not wait for a slow start of another tenant's): a claimed event
   * counts against the bounds from its claim, so the claims stay within them.
   */
  private async drain(): Promise<void> {
    try {
      for (;;) {
        if (this.stopped || this.retryTimer) return;
        const claim = await claimUnstarted(this.deps.pool, this.options.batchSize, this.options.leaseMs, this.bounds());
        const batch = claim.events;
        // Events left for want of room under a bound will have it as soon as started ones dispatch: this
        // process's dispatches say so (`dispatched`), another's are seen by looking again shortly.
        if (claim.capped) {
          this.waitingForRoom = true;
          this.recheckSoon();
        }
        if (claim.holdEndsInMs !== undefined) this.wakeAfterHold(claim.holdEndsInMs);
        if (batch.length === 0) break;
        this.deps.logger.debug({ claimed: batch.length }, 'relay: starting workflows');
        const at = Date.now();
        for (const event of batch) {
          this.lastStarted.set(event.tenant_id, at);
          this.startOne(event);
        }
        if (batch.length < this.options.batchSize) break;
      }
    } catch (error) {
      this.retryLater('claiming events to start failed', error);
    }
  }

  /** The bounds of the next claim: a backlogged tenant's bound is the contended one while another tenant is active. */
  private bounds(): StartingBounds {
    const { total, perTenant, contendedPerTenant } = this.options.starting;
    const now = Date.now();
    for (const [tenant, at] of this.lastStarted) if (now - at > CONTENDED_WINDOW_MS) this.lastStarted.delete(tenant);
    return { total, perTenant, backlogged: Math.min(perTenant, contendedPerTenant), activeTenants: [...this.lastStarted.keys()] };
  }

  private startOne(event: ClaimedEvent): void {
    const start = this.deps
      .startWorkflow(event)
      .then(
        () => void this.settledStarts.started.push(event),
        (error: unknown) => {
          this.settledStarts.failed.push(event);
          this.settledStarts.error ??= error;
        },
      )
      .finally(() => {
        this.starting.delete(start);
        this.recording = this.recording.then(() => this.recordSettled());
      });
    this.starting.add(start);
  }

  /** Marks the starts that settled since the last time, in one statement each (many settle at once under load). */
  private async recordSettled(): Promise<void> {
    const { started, failed, error } = this.settledStarts;
    if (started.length === 0 && failed.length === 0) return;
    this.settledStarts = { started: [], failed: [] };
    try {
      await markStarted(this.deps.pool, started);
      if (started.length) this.deps.onStarted?.(started.length);
      if (failed.length) {
        await releaseClaims(this.deps.pool, failed);
        this.retryLater(`${failed.length} workflow starts failed`, error);
      } else {
        this.failures = 0;
      }
    } catch (recordError) {
      // The workflows exist; their claims run out and a later claim starts them again, which finds them
      // started (the same id) and marks them then.
      this.retryLater('recording started events failed', recordError);
    }
  }

  private recheckSoon(): void {
    if (this.recheckTimer) return;
    this.recheckTimer = setTimeout(() => {
      this.recheckTimer = undefined;
      this.wake();
    }, this.options.cappedRecheckMs);
    this.recheckTimer.unref();
  }

  /** A held route's events are claimable when its hold ends: look then (a released hold NOTIFYs at once). */
  private wakeAfterHold(inMs: number): void {
    const at = Date.now() + inMs;
    if (this.holdTimer && this.holdTimer.at <= at) return;
    clearTimeout(this.holdTimer?.timer);
    const timer = setTimeout(() => {
      this.holdTimer = undefined;
      this.wake();
    }, inMs + 1);
    timer.unref();
    this.holdTimer = { timer, at };
  }

  /** Bounded exponential backoff; logged once per outage and when it ends, not per try. */
  private retryLater(what: string, error: unknown): void {
    if (this.retryTimer) return; // already waiting: one outage, one backoff
    this.failures++;
    const delay = Math.min(this.options.maxBackoffMs, 250 * 2 ** Math.min(this.failures - 1, 10));
    if (this.failures === 1 || Number.isInteger(Math.log2(this.failures))) {
      this.deps.logger.warn({ err: error, retryInMs: delay, failures: this.failures }, `relay: ${what}; accepted events wait`);
    }
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.wake();
    }, delay);
    this.retryTimer.unref();
  }

  private async listen(): Promise<void> {
    let delay = 250;
    let lost = false;
    while (!this.stopped) {
      const client = new pg.Client({ connectionString: this.deps.databaseUrl, connectionTimeoutMillis: 5_000 });
      // Always listened to: an 'error' event with no listener would end the process.
      client.on('error', () => {});
      try {
        await client.connect();
        client.on('notification', () => this.wake());
        await client.query(`LISTEN ${EVENTS_CHANNEL}`);
        this.listener = client;
        if (lost) this.deps.logger.info('relay: listening again');
        lost = false;
        delay = 250;
        // Notifications sent while nobody listened are lost: look now.
        this.wake();
        await new Promise<void>((resolve) => {
          client.once('error', () => resolve());
          client.once('end', () => resolve());
        });
        this.listener = undefined;
        if (!this.stopped) this.deps.logger.warn('relay: lost the LISTEN connection; reconnecting (the sweep still starts events meanwhile)');
      } catch (error) {
        // One line per outage, not one per try.
        if (!lost) this.deps.logger.warn({ err: error }, 'relay: cannot listen for accepted events; the sweep still starts them');
      }
      lost = true;
      await client.end().catch(() => {});
      if (this.stopped) return;
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
      delay = Math.min(this.options.maxBackoffMs, delay * 2);
    }
  }
}
