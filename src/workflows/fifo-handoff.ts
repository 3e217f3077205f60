import { condition, isCancellation, setCurrentDetails, setHandler } from '@temporalio/workflow';
import type { DeliveryPlan } from '../activities/types.js';
import { bookkeeping } from './activity-proxies.js';
import type { CancellableDeliveries } from './cancellable-deliveries.js';
import { laneWorkflowId } from './lane-id.js';
import { notifyDeliveryFailed, type NotificationSource } from './notifications.js';
import type { DeliveryResult } from './outcomes.js';
import { laneDeliveredSignal, type LaneReport } from './signals.js';

/** Per workflow: what the lanes reported about this workflow's deliveries (the lane's signal). */
export class LaneReports {
  private readonly reports = new Map<string, LaneReport>();

  constructor() {
    setHandler(laneDeliveredSignal, (report) => void this.reports.set(report.deliveryId, report));
  }

  /** Resolves with the lane's report on the delivery, once it has come. */
  async of(deliveryId: string): Promise<LaneReport> {
    await condition(() => this.reports.has(deliveryId));
    return this.reports.get(deliveryId)!;
  }
}

export interface HandoffContext {
  timeScale: number;
  cancellable: CancellableDeliveries;
  laneReports: LaneReports;
  notify?: NotificationSource;
}

/**
 * The event workflow's side of a FIFO delivery: hands it to the subscription's lane (fifo-lane-workflow.ts)
 * and waits for the lane's report (or finds it ended already), then records and notifies like any delivery.
 * Cancelled by the cancel signal like any delivery (the lane finds it cancelled at its next attempt).
 */
export async function deliverInLane(plan: DeliveryPlan, ctx: HandoffContext): Promise<DeliveryResult> {
  const base = { deliveryId: plan.deliveryId, subscriptionId: plan.subscriptionId };
  const scope = ctx.cancellable.open(plan.deliveryId);
  let report: LaneReport;
  try {
    report = await scope.run(async () => {
      const queued = await bookkeeping.queueInLane({ subscriptionId: plan.subscriptionId, deliveryId: plan.deliveryId, timeScale: ctx.timeScale });
      if (queued.ended) {
        return { deliveryId: plan.deliveryId, status: queued.status, attempts: queued.attempts, ...(queued.error ? { error: queued.error } : {}) };
      }
      setCurrentDetails(`queued in ${laneWorkflowId(plan.subscriptionId)} (FIFO): ${plan.deliveryId} waits for the deliveries before it`);
      return ctx.laneReports.of(plan.deliveryId);
    });
  } catch (error) {
    if (!isCancellation(error)) throw error;
    report = { deliveryId: plan.deliveryId, status: 'cancelled', error: 'the subscription was disabled or deleted' };
  } finally {
    ctx.cancellable.close(plan.deliveryId);
  }
  if (report.status === 'succeeded') return { ...base, status: 'succeeded', ...(report.attempts !== undefined ? { attempts: report.attempts } : {}) };
  const reason = report.error ?? report.status;
  const summary = await bookkeeping.finishDelivery({ deliveryId: plan.deliveryId, status: report.status, reason });
  if (ctx.notify && report.status === 'failed') await notifyDeliveryFailed(ctx.notify, plan, summary, reason);
  return { ...base, status: report.status, error: reason };
}
