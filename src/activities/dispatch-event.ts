import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from '../db/pool.js';
import {
  createFirstDeliveries,
  createFirstDeliveriesWithContext,
  deliveryWorkflows,
  markDispatched,
  type FirstDeliveryRow,
} from '../db/deliveries.js';
import { sliceWorkflowId } from '../domain/workflow-ids.js';
import { insertEvent } from '../db/events.js';
import { enabledSubscriptions } from '../db/active-subscriptions.js';
import { matchesAny } from '../domain/event-type.js';
import type { AttemptContext } from '../db/attempts.js';
import { toPlan } from './prepare-deliveries.js';
import { admitAll, type AdmissionRequest, type Admission } from '../db/isolation.js';
import { holdRoute, releaseRoute } from '../db/relay-holds.js';
import type { GateReason } from '../domain/flow-control.js';
import type { DeliveryPlan } from './types.js';
import type {
  DeliverInput,
  DeliverResult,
  DispatchInput,
  DispatchResult,
  FirstAttempt,
  RetryAfterDetail,
  SubscriptionDisabledDetail,
} from './types.js';

/** What dispatchEvent uses of the `deliver` activity's stages (activities/deliver.ts). */
export interface InlineDelivery {
  attemptDelivery(input: DeliverInput, attempt: number, ctx: AttemptContext | undefined, admitted?: boolean): Promise<DeliverResult>;
  admission(ctx: AttemptContext, deliveryId: string): AdmissionRequest;
  /** Keeps an attempt left running for the workflow's next `deliver` in this process. */
  leaveRunning(deliveryId: string, outcome: Promise<FirstAttempt>): void;
  notAdmittedMessage(reason: GateReason, waitMs: number, ctx: AttemptContext): string;
}

/** An inline attempt's outcome, as FirstAttempt data (a failure is data here, not a thrown ActivityFailure). */
async function firstAttemptOf(attempt: Promise<DeliverResult>): Promise<FirstAttempt> {
  try {
    return { delivered: await attempt };
  } catch (error) {
    if (!(error instanceof ApplicationFailure)) throw error;
    return {
      failed: {
        message: error.message,
        type: error.type ?? null,
        nonRetryable: error.nonRetryable === true,
        details: (error.details ?? []) as Array<SubscriptionDisabledDetail | RetryAfterDetail>,
      },
    };
  }
}

export interface DispatchSettings {
  inlineLimitMs: number;
  fanOutSlice: number;
  /** Told when an event's deliveries were made (the relay bounds the events started and not yet dispatched). */
  onDispatched?: () => void;
}

export function makeDispatchEvent(pool: Pool, delivery: InlineDelivery, settings: DispatchSettings) {
  const { attemptDelivery } = delivery;

  /**
   * Every first attempt of the event was refused by the gate: the tenant's newer events of the same environment
   * and type reach the same subscriptions and would be refused too, so the relay holds them unstarted until
   * the shortest of these waits ends (docs/isolation.md, "Held routes"). Otherwise an event of a held route
   * (the probe the relay started when the hold ended) releases it.
   */
  async function holdOrRelease(input: DispatchInput, rows: FirstDeliveryRow[], gates: Admission[], subscriptionsReadAt: number): Promise<void> {
    const route = { tenantId: input.tenantId, environment: input.environment, type: input.type };
    const refusals = gates.flatMap((g) => (g.admitted ? [] : [g]));
    // Every planned delivery was gated (none rate-limited, FIFO or unsendable) and refused.
    if (rows.length === 0 || refusals.length !== rows.length) {
      if (rows[0]?.route_held) await releaseRoute(pool, route);
      return;
    }
    const shortest = refusals.reduce((a, b) => (b.waitMs < a.waitMs ? b : a));
    await holdRoute(pool, { ...route, waitMs: shortest.waitMs, reason: shortest.reason, readMsAgo: performance.now() - subscriptionsReadAt });
  }

  /** The first attempts of planned deliveries (all but rate-limited, FIFO or cancelled ones), as data. */
  async function firstAttempts(rows: FirstDeliveryRow[], input: DispatchInput, subscriptionsReadAt?: number): Promise<DispatchResult> {
    const plans = rows.map((row) => toPlan(row));
    const first: Record<string, FirstAttempt> = {};
    // A rate-limited attempt waits for its slot, a FIFO one for its lane: both go through the workflow.
    const inline = rows.flatMap((row, i) => {
      const plan = plans[i]!;
      return plan.rateLimited || plan.fifo || input.cancelled?.includes(plan.deliveryId) ? [] : [{ row, plan }];
    });
    if (!input.isolation) {
      // Workflows from before the isolation patch: every attempt ends here (none left running behind a
      // retry of this activity); then the first error.
      const settled = await Promise.allSettled(
        inline.map(async ({ row, plan }) => {
          first[plan.deliveryId] = await firstAttemptOf(attemptDelivery(attemptInput(plan, input.timeScale), 1, row));
        }),
      );
      const broken = settled.find((s) => s.status === 'rejected');
      if (broken) throw broken.reason;
      return { plans, first };
    }
    // A run of this activity before a retry (its workflow task was lost) made and recorded the attempt: it is
    // not sent again; the workflow's next `deliver` reads how it went from its record.
    const unmade = inline.filter(({ row, plan }) => {
      if (row.attempt_count === 0 || row.delivery_status !== 'pending') return true;
      first[plan.deliveryId] = { inFlight: { attempt: 1 } };
      return false;
    });
    // One that will not be sent (delivered before, cancelled, its subscription disabled) takes no slot: its
    // attempt reports the record or the cancellation at once.
    const sendable = ({ row }: { row: FirstDeliveryRow }) => row.delivery_status === 'pending' && row.enabled && !row.deleted;
    const unsent = unmade.filter((entry) => !sendable(entry));
    await Promise.all(
      unsent.map(async ({ row, plan }) => {
        first[plan.deliveryId] = await firstAttemptOf(attemptDelivery(attemptInput(plan, input.timeScale), 1, row, true));
      }),
    );
    const toGate = unmade.filter(sendable);
    // The gate first (docs/isolation.md): a refused attempt waits in the workflow, not here.
    const gates = await admitAll(
      pool,
      toGate.map(({ row, plan }) => delivery.admission(row, plan.deliveryId)),
    );
    if (subscriptionsReadAt !== undefined) await holdOrRelease(input, rows, gates, subscriptionsReadAt);
    const admitted = toGate.filter(({ row, plan }, i) => {
      const gate = gates[i]!;
      // A run of this activity before a retry left this attempt running: it is not made twice.
      if (gate.admitted && gate.held) first[plan.deliveryId] = { inFlight: { attempt: 1 } };
      if (gate.admitted) return !gate.held;
      first[plan.deliveryId] = {
        waiting: { reason: gate.reason, waitMs: gate.waitMs, message: delivery.notAdmittedMessage(gate.reason, gate.waitMs, row) },
      };
      return false;
    });
    // The attempts run for at most the inline limit here: one still running then goes on outside this
    // workflow task (its record frees its slots and tells the workflow's next activity how it went), so
    // no receiver holds the workflow task for longer, whatever its timeout.
    const outcomes = admitted.map(({ row, plan }) => firstAttemptOf(attemptDelivery(attemptInput(plan, input.timeScale), 1, row, true)));
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<'limit'>((resolve) => (timer = setTimeout(() => resolve('limit'), settings.inlineLimitMs)));
    const settled = await Promise.race([Promise.allSettled(outcomes), limit]);
    clearTimeout(timer);
    if (settled !== 'limit') {
      const broken = settled.find((s) => s.status === 'rejected');
      if (broken) throw broken.reason;
    }
    await Promise.all(
      admitted.map(async ({ plan }, i) => {
        const outcome = await Promise.race([outcomes[i]!, Promise.resolve(undefined)]);
        if (outcome) first[plan.deliveryId] = outcome;
        else {
          first[plan.deliveryId] = { inFlight: { attempt: 1 } };
          delivery.leaveRunning(plan.deliveryId, outcomes[i]!);
        }
      }),
    );
    // An attempt left running that fails for want of the database is seen by the workflow's next activity.
    for (const outcome of outcomes) outcome.catch(() => undefined);
    return { plans, first };
  }

  return {
    /**
     * Plans the event's deliveries and makes the first attempt of each, all in one local activity: an event
     * whose receivers answer costs one workflow task with one activation for its result, and three statements
     * (subscriptions, deliveries with their attempt contexts, the attempt's record) instead of five.
     * Only failures of the infrastructure (the database) throw, so the activity is retried as a whole: the
     * deliveries are created once, a delivery an earlier run delivered reports its recorded attempt.
     * A fan-out larger than a slice (workflows since the isolation patch) is only planned here: its
     * deliveries are made by one child workflow per slice (`slices`), each within Temporal's limits.
     */
    async dispatchEvent(input: DispatchInput): Promise<DispatchResult> {
      if (input.payload) await insertEvent(pool, { ...input, payload: input.payload });
      // performance.now(): a hold must know how long ago the subscriptions were read, whatever the wall clock does.
      const subscriptionsReadAt = performance.now();
      const candidates = await enabledSubscriptions(pool, input.tenantId, input.environment);
      const matching = candidates.filter((s) => matchesAny(s.event_types, input.type)).map((s) => s.id);
      if (matching.length === 0) {
        await markDispatched(pool, input.tenantId, input.eventId);
        settings.onDispatched?.();
        return { plans: [], first: {} };
      }
      if (input.isolation && matching.length > settings.fanOutSlice) {
        matching.sort();
        const slices = matching.map((_, i) => sliceWorkflowId(input.workflowId, Math.floor(i / settings.fanOutSlice)));
        await createFirstDeliveries(pool, input.tenantId, input.eventId, input.workflowId, matching, slices);
        settings.onDispatched?.();
        // The slices as created by the first run of this activity (a retried run finds those).
        return { plans: [], first: {}, slices: await deliveryWorkflows(pool, input.tenantId, input.eventId) };
      }
      const rows = await createFirstDeliveriesWithContext(pool, input.tenantId, input.eventId, input.workflowId, matching);
      settings.onDispatched?.();
      // Only an event's own first attempts say anything about its route (a slice is a part of a fan-out).
      return firstAttempts(rows, input, input.isolation ? subscriptionsReadAt : undefined);
    },
    /** One slice of a large fan-out, in its child workflow: the deliveries dispatchEvent made for it, and their first attempts. */
    async dispatchSlice(input: DispatchInput): Promise<DispatchResult> {
      return firstAttempts(
        await createFirstDeliveriesWithContext(pool, input.tenantId, input.eventId, input.workflowId, [], input.workflowId),
        input,
      );
    },
  };
}

function attemptInput(plan: DeliveryPlan, timeScale: number): DeliverInput {
  return { deliveryId: plan.deliveryId, retryPolicy: plan.retryPolicy, timeScale };
}
