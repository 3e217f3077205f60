import type { Dispatcher } from 'undici';
import type { Tracer } from '@opentelemetry/api';
import { Context } from '@temporalio/activity';
import type { Pool } from '../db/pool.js';
import { createWorkerMetrics, type WorkerMetrics } from '../metrics.js';
import { pino, type Logger } from 'pino';
import { finishDelivery } from '../db/deliveries.js';
import { markSuppressed } from '../db/events.js';
import { claimNotificationWindow } from '../db/notification-windows.js';
import { makeDeliver, type IsolationSettings } from './deliver.js';
import { makeDispatchEvent } from './dispatch-event.js';
import { eventPayload } from '../db/events.js';
import { extractionKey } from '../domain/notification-key.js';
import { makePlanDelivery } from './prepare-deliveries.js';
import { reserveSlot } from '../db/rate-limit.js';
import { nextInLane, passInLane, queueInLane } from '../db/fifo-lanes.js';
import type { ClaimInput, FinishedDeliverySummary, FinishInput, LaneNext, QueueInput, QueuedResult, SlotInput } from './types.js';
import { toPlan } from './prepare-deliveries.js';
import type { Keyring } from '../secrets/encryption-keys.js';
import { SignerCache } from '../delivery/signer-cache.js';

export interface ActivityDeps {
  pool: Pool;
  agent: Dispatcher;
  clock?: () => Date;
  allowPrivateTargets: boolean;
  /** A subscription failing every attempt for this long is disabled. */
  autoDisableAfterMs: number;
  /** The same failure.extraction (tenant, user, data source, reason) is notified at most once per window. */
  notificationWindowMs: number;
  metrics?: WorkerMetrics;
  logger?: Logger;
  isolation: IsolationSettings;
  /** HOOKRELAY_ENCRYPTION_KEYS: opens the sealed signing keys and headers where a request is made. */
  keyring: Keyring;
  /** Signals a subscription's FIFO lane workflow, starting it if it is not running (the worker's Temporal client). */
  wakeLane?: (lane: { subscriptionId: string; tenantId: string }, timeScale: number, taskQueue: string) => Promise<void>;
  /** An event's deliveries were made: the relay of this process may start the next (src/relay/event-relay.ts). */
  onDispatched?: () => void;
  /** The worker's tracer when tracing is on (src/telemetry/tracing.ts): each HTTP attempt is a span. */
  tracer?: Tracer;
}

/** All activities, bound to their dependencies (the samples' dependency-injection idiom). */
export function createActivities(deps: ActivityDeps) {
  const clock = deps.clock ?? (() => new Date());
  const metrics = deps.metrics ?? createWorkerMetrics(false);
  const delivery = makeDeliver({
    ...deps,
    clock,
    metrics,
    logger: deps.logger ?? pino({ level: 'silent' }),
    signers: new SignerCache(deps.keyring),
  });
  return {
    ...makeDispatchEvent(deps.pool, delivery, {
      inlineLimitMs: deps.isolation.inlineAttemptLimitMs,
      fanOutSlice: deps.isolation.fanOutSlice,
      ...(deps.onDispatched ? { onDispatched: deps.onDispatched } : {}),
    }),
    planDelivery: makePlanDelivery(deps.pool),
    deliver: delivery.deliver,
    async finishDelivery(input: FinishInput): Promise<FinishedDeliverySummary | null> {
      const row = await finishDelivery(deps.pool, input.deliveryId, input.status, input.reason);
      if (!row) return null;
      if (row.changed) {
        metrics.deliveries.inc({ outcome: input.status });
        metrics.attemptsPerDelivery.observe(row.attempt_count);
      }
      return {
        attempts: row.attempt_count,
        lastStatusCode: row.last_status_code,
        lastError: row.last_error,
        firstAttemptAt: row.first_attempt_at?.toISOString() ?? null,
        lastAttemptAt: row.last_attempt_at?.toISOString() ?? null,
      };
    },
    /** The next free rate-limit slot of the delivery's subscription (null: no limit any more), reserved for it. */
    async reserveSlot(input: SlotInput): Promise<{ delayMs: number; intervalMs: number } | null> {
      return reserveSlot(deps.pool, input.subscriptionId, input.deliveryId, input.timeScale);
    },
    /** Hands a delivery to its subscription's FIFO lane; wakes the lane if it was idle. */
    async queueInLane(input: QueueInput): Promise<QueuedResult> {
      const queued = await queueInLane(deps.pool, input.subscriptionId, input.deliveryId);
      if (!queued) return { ended: true, status: 'cancelled', attempts: 0, error: 'the delivery no longer exists' };
      if (queued.status !== 'pending') return { ended: true, status: queued.status, attempts: queued.attempt_count, error: queued.last_error };
      if (queued.wake) {
        if (!deps.wakeLane) throw new Error('this worker cannot start FIFO lanes (no Temporal client)');
        await deps.wakeLane({ subscriptionId: input.subscriptionId, tenantId: queued.tenant_id }, input.timeScale, Context.current().info.taskQueue);
      }
      return { ended: false };
    },
    /** The lane's next delivery in acceptance order, a short wait for an event not prepared yet, or idle. */
    async nextInLane(subscriptionId: string): Promise<LaneNext> {
      const step = await nextInLane(deps.pool, subscriptionId);
      return step.kind === 'deliver'
        ? { kind: 'deliver', plan: toPlan(step.row, false), workflowId: step.workflowId, eventId: step.eventId, seq: step.seq }
        : step;
    },
    async passInLane(input: { subscriptionId: string; seq: string }): Promise<void> {
      await passInLane(deps.pool, input.subscriptionId, input.seq);
    },
    /** Claims the stored event's notification window, and marks it suppressed when another event holds the window. */
    async claimNotificationWindow(input: ClaimInput): Promise<{ claimed: boolean; holder: string }> {
      const key = extractionKey(await eventPayload(deps.pool, input.tenantId, input.eventId));
      const claim = await claimNotificationWindow(deps.pool, input.tenantId, key, input.eventId, deps.notificationWindowMs);
      if (!claim.claimed) await markSuppressed(deps.pool, input.tenantId, input.eventId, claim.holder);
      return claim;
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type * from './types.js';
