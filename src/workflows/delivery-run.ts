// What an event's workflow and a fan-out slice's share: the per-workflow signal state, and delivering what
// their dispatch activity planned.
import { workflowInfo } from '@temporalio/workflow';
import type { DispatchInput, DispatchResult } from '../activities/types.js';
import { CancellableDeliveries } from './cancellable-deliveries.js';
import { deliverOne, firstDelivered, succeeded } from './deliver-one.js';
import type { EventWorkflowInput } from './event-input.js';
import { LaneReports } from './fifo-handoff.js';
import { summarize, type DeliveryResult, type EventOutcome } from './outcomes.js';
import { LimitChanges } from './rate-limited.js';

/**
 * Created once per workflow, in the workflow function: its objects register the signals' handlers (a
 * delivery cancelled, a rate limit changed, a FIFO lane's report). `notifies` is false inside a notification.
 */
export function deliveryRun(input: EventWorkflowInput, notifies: boolean) {
  const cancellable = new CancellableDeliveries();
  const limitChanges = new LimitChanges();
  const laneReports = new LaneReports();
  const { workflowId } = workflowInfo();
  const timeScale = input.timeScale ?? 1;
  const notify = notifies
    ? {
        tenantId: input.tenantId,
        environment: input.environment,
        eventId: input.eventId,
        eventType: input.type,
        workflowId,
        ...(input.timeScale !== undefined ? { timeScale: input.timeScale } : {}),
      }
    : undefined;
  const ctx = { timeScale, cancellable, limitChanges, laneReports, ...(notify ? { notify } : {}) };
  return {
    /** The dispatch activity's input for this workflow (deliveries it was told to cancel left out). */
    dispatchInput(isolated: boolean): DispatchInput {
      const cancelled = cancellable.cancelledIds();
      return {
        tenantId: input.tenantId,
        eventId: input.eventId,
        environment: input.environment,
        type: input.type,
        ...(input.payload ? { payload: input.payload } : {}),
        workflowId,
        timeScale,
        ...(cancelled.length ? { cancelled } : {}),
        ...(isolated ? { isolation: true as const } : {}),
      };
    },
    /** Every planned delivery to its end; `dispatchedAt` is when the dispatch activity ran. */
    async deliver({ plans, first }: DispatchResult, dispatchedAt: number): Promise<{ outcome: EventOutcome; deliveries: DeliveryResult[] }> {
      const delivered = plans.map((plan) => firstDelivered(first[plan.deliveryId]));
      // The common case, every first attempt delivered: the results at once. The same results as deliverOne
      // gives, without its promises (the SDK captures a stack trace for every promise made in a workflow).
      const deliveries = delivered.every((result) => result !== undefined)
        ? plans.map((plan, i) => succeeded(plan, delivered[i]!))
        : await Promise.all(plans.map((plan) => deliverOne(plan, { ...ctx, dispatched: { at: dispatchedAt, first: first[plan.deliveryId] } })));
      return { outcome: summarize(deliveries.map((d) => d.status)), deliveries };
    },
  };
}
