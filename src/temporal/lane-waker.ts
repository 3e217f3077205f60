import type { Client } from '@temporalio/client';
import { laneWorkflowId, type LaneWorkflowInput } from '../workflows/lane-id.js';
import { wakeLaneSignal } from '../workflows/signals.js';

/** Signals a subscription's FIFO lane, starting it when it is not running (one workflow per subscription, by its id). */
export function laneWaker(client: Client) {
  return async function wakeLane(subscriptionId: string, timeScale: number, taskQueue: string): Promise<void> {
    const input: LaneWorkflowInput = { subscriptionId, ...(timeScale !== 1 ? { timeScale } : {}) };
    await client.workflow.signalWithStart('laneWorkflow', {
      workflowId: laneWorkflowId(subscriptionId),
      taskQueue,
      args: [input],
      signal: wakeLaneSignal,
      signalArgs: [],
      staticSummary: `FIFO lane of ${subscriptionId}`,
    });
  };
}
