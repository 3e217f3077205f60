import {
  CancellationScope, condition, continueAsNew, getExternalWorkflowHandle, isCancellation, setCurrentDetails, setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { DeliveryPlan } from '../activities/types.js';
import { db } from './activity-proxies.js';
import { CancellableDeliveries } from './cancellable-deliveries.js';
import { deliverOne, type DeliveryContext } from './deliver-one.js';
import type { DeliveryResult } from './outcomes.js';
import { notifyDeliveryFailed } from './notifications.js';
import { laneDeliveredSignal, wakeLaneSignal, type LaneReport } from './signals.js';
import { laneWorkflowId, type LaneWorkflowInput } from './lane-id.js';

/** Patch marker of the hand-off to a lane (taken only by plans that carry `fifo`, which older histories never do). */
export const FIFO_LANE = 'fifo-lane';


/** Each run makes at most this many deliveries, then continues as new: its history stays a few thousand events. */
export const LANE_DELIVERIES_PER_RUN = 100;
/** An idle lane ends after this long without work; the next queued delivery starts it again. */
const IDLE_MS = 60_000;

/**
 * One subscription's FIFO lane (`lane:<subscription>`): makes its deliveries one at a time, in the order
 * their events were accepted, each with every attempt of its retry policy (and rate limit) before the next
 * one goes. The work comes from PostgreSQL (db/fifo-lanes.ts), never through signals: a wake-up signal is
 * sent only when the lane was idle, so a busy lane receives none. The workflow that owns each delivery is
 * told how it ended (a signal to it) and notifies failures itself, beside its event.
 */
export async function laneWorkflow(input: LaneWorkflowInput): Promise<{ delivered: number }> {
  let woken = false;
  setHandler(wakeLaneSignal, () => { woken = true; });
  const cancellable = new CancellableDeliveries();
  const timeScale = input.timeScale ?? 1;
  let delivered = 0;
  const reporting: Promise<unknown>[] = [];
  for (;;) {
    woken = false;
    const next = await db.nextInLane(input.subscriptionId);
    if (next.kind === 'idle') {
      setCurrentDetails('idle: no delivery queued');
      if (!(await condition(() => woken, IDLE_MS)) && !woken) {
        await Promise.all(reporting);
        return { delivered };
      }
      continue;
    }
    if (next.kind === 'wait') {
      setCurrentDetails('holding: an earlier event of this subscription is still being prepared');
      await condition(() => woken, next.ms);
      continue;
    }
    setCurrentDetails(`delivering ${next.plan.deliveryId} (event ${next.eventId}); the ones behind it are queued`);
    const result = await deliverOne(next.plan, { timeScale, cancellable });
    await db.passInLane({ subscriptionId: input.subscriptionId, seq: next.seq });
    const report: LaneReport = {
      deliveryId: result.deliveryId, status: result.status,
      ...(result.attempts !== undefined ? { attempts: result.attempts } : {}), ...(result.error ? { error: result.error } : {}),
    };
    // Not awaited: the lane goes on to the next delivery without a workflow task round trip. The owner
    // may have ended (cancelled) or not be started yet: it then reads the outcome from PostgreSQL.
    reporting.push(getExternalWorkflowHandle(next.workflowId).signal(laneDeliveredSignal, report).catch(() => undefined));
    delivered += 1;
    if (delivered >= LANE_DELIVERIES_PER_RUN || workflowInfo().continueAsNewSuggested) {
      // Every report sent before this run ends (a run cannot continue as new with a signal still outstanding).
      await Promise.all(reporting);
      await continueAsNew<typeof laneWorkflow>(input);
    }
  }
}

// Per workflow: what the lanes reported about this workflow's deliveries.
const reports = new Map<string, LaneReport>();
let listening = false;

/**
 * The event workflow's side of a FIFO delivery: hands it to the subscription's lane and waits for the
 * lane's report (or finds it ended already), then records and notifies like any delivery. Cancelled by
 * the cancel signal like any delivery (the lane finds it cancelled at its next attempt).
 */
export async function deliverInLane(plan: DeliveryPlan, ctx: DeliveryContext): Promise<DeliveryResult> {
  if (!listening) {
    setHandler(laneDeliveredSignal, (report) => void reports.set(report.deliveryId, report));
    listening = true;
  }
  const base = { deliveryId: plan.deliveryId, subscriptionId: plan.subscriptionId };
  const scope: CancellationScope = ctx.cancellable.open(plan.deliveryId);
  let report: LaneReport;
  try {
    report = await scope.run(async () => {
      const queued = await db.queueInLane({ subscriptionId: plan.subscriptionId, deliveryId: plan.deliveryId, timeScale: ctx.timeScale });
      if (queued.ended) {
        return { deliveryId: plan.deliveryId, status: queued.status, attempts: queued.attempts, ...(queued.error ? { error: queued.error } : {}) };
      }
      setCurrentDetails(`queued in ${laneWorkflowId(plan.subscriptionId)} (FIFO): ${plan.deliveryId} waits for the deliveries before it`);
      await condition(() => reports.has(plan.deliveryId));
      return reports.get(plan.deliveryId)!;
    });
  } catch (error) {
    if (!isCancellation(error)) throw error;
    report = { deliveryId: plan.deliveryId, status: 'cancelled', error: 'the subscription was disabled or deleted' };
  } finally {
    ctx.cancellable.close(plan.deliveryId);
  }
  if (report.status === 'succeeded') return { ...base, status: 'succeeded', ...(report.attempts !== undefined ? { attempts: report.attempts } : {}) };
  const reason = report.error ?? report.status;
  const summary = await db.finishDelivery({ deliveryId: plan.deliveryId, status: report.status, reason });
  if (ctx.notify && report.status === 'failed') await notifyDeliveryFailed(ctx.notify, plan, summary, reason);
  return { ...base, status: report.status, error: reason };
}
