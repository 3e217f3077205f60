// A fan-out larger than a slice (FAN_OUT_SLICE deliveries): one child workflow per slice, so each workflow
// stays inside Temporal's limits (2,000 pending activities, 2 MB per result, its history's size) however
// many subscriptions an event reaches. Each slice's result is its counts, never its deliveries.
import { startChild, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { OutcomeAttr } from '../temporal/search-attributes.js';
import { initialSearchAttributes } from '../temporal/search-attributes.js';
import { dispatch } from './activity-proxies.js';
import { deliveryRun } from './delivery-run.js';
import type { EventWorkflowInput } from './event-input.js';
import { summarizeCounts, type DeliveryOutcome, type EventOutcome, type OutcomeCounts } from './outcomes.js';

export interface EventSliceInput extends EventWorkflowInput {
  /** False in a notification's slices (a notification never notifies). */
  notifies: boolean;
}

export interface EventSliceResult {
  outcome: EventOutcome;
  counts: OutcomeCounts;
}

/** One slice of a fan-out: the deliveries dispatchEvent made for this workflow, each to its end. */
export async function eventSliceWorkflow(input: EventSliceInput): Promise<EventSliceResult> {
  const run = deliveryRun(input, input.notifies);
  const dispatchedAt = Date.now();
  const { deliveries } = await run.deliver(await dispatch.dispatchSlice(run.dispatchInput(true)), dispatchedAt);
  const counts: OutcomeCounts = {};
  for (const { status } of deliveries) counts[status] = (counts[status] ?? 0) + 1;
  const outcome = summarizeCounts(counts);
  upsertSearchAttributes([{ key: OutcomeAttr, value: outcome }]);
  return { outcome, counts };
}

/** Starts every slice as a child and sums their counts. */
export async function deliverSlices(input: EventWorkflowInput, notifies: boolean, slices: string[]): Promise<OutcomeCounts> {
  const { workflowId } = workflowInfo();
  const sliceInput: EventSliceInput = { ...input, notifies };
  const children = await Promise.all(
    slices.map((id, i) =>
      startChild(eventSliceWorkflow, {
        workflowId: id,
        args: [sliceInput],
        staticSummary: `slice ${i + 1} of ${slices.length} of ${workflowId}`,
        typedSearchAttributes: initialSearchAttributes(input),
      }),
    ),
  );
  const counts: OutcomeCounts = {};
  for (const result of await Promise.all(children.map((child) => child.result()))) {
    for (const [status, n] of Object.entries(result.counts) as Array<[DeliveryOutcome, number]>) counts[status] = (counts[status] ?? 0) + n;
  }
  return counts;
}
