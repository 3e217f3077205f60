// A fan-out larger than a slice (FAN_OUT_SLICE deliveries): one child workflow per slice, so each workflow
// stays inside Temporal's limits (2,000 pending activities, 2 MB per result, its history's size) however
// many subscriptions an event reaches. Each slice's result is its counts, never its deliveries.
import { patched, startChild, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { OutcomeAttr } from '../temporal/search-attributes.js';
import { initialSearchAttributes } from '../temporal/search-attributes.js';
import { dispatch } from './activity-proxies.js';
import { SLICE_WAVES_PATCH } from './patches.js';
import { SLICES_AT_ONCE } from '../domain/flow-control.js';
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

/** Runs the slices as children, SLICES_AT_ONCE at a time in their order, and sums their counts. */
export async function deliverSlices(input: EventWorkflowInput, notifies: boolean, slices: string[]): Promise<OutcomeCounts> {
  const { workflowId } = workflowInfo();
  const sliceInput: EventSliceInput = { ...input, notifies };
  const start = (id: string, i: number) =>
    startChild(eventSliceWorkflow, {
      workflowId: id,
      args: [sliceInput],
      staticSummary: `slice ${i + 1} of ${slices.length} of ${workflowId}`,
      typedSearchAttributes: initialSearchAttributes(input),
    });
  let results: EventSliceResult[];
  if (patched(SLICE_WAVES_PATCH)) {
    results = [];
    let next = 0;
    const lane = async () => {
      while (next < slices.length) {
        const i = next++;
        results[i] = await (await start(slices[i]!, i)).result();
      }
    };
    await Promise.all(Array.from({ length: Math.min(SLICES_AT_ONCE, slices.length) }, lane));
  } else {
    // Workflows from before the patch: every slice at once.
    const children = await Promise.all(slices.map(start));
    results = await Promise.all(children.map((child) => child.result()));
  }
  const counts: OutcomeCounts = {};
  for (const result of results) {
    for (const [status, n] of Object.entries(result.counts) as Array<[DeliveryOutcome, number]>) counts[status] = (counts[status] ?? 0) + n;
  }
  return counts;
}
