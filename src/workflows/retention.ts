import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import { historyIsLong } from './history-budget.js';
import type { LifecycleActivities } from '../activities/lifecycle.js';

export interface RetentionInput {
  /** RETENTION in milliseconds: events accepted longer ago than this are deleted. */
  retentionMs: number;
  /** Events per delete statement (default 1000) and the pause after each full batch (default 50 ms). */
  batchSize?: number;
  pauseMs?: number;
  /** Carried over continue-as-new. */
  cutoff?: string;
  deleted?: number;
}

export interface RetentionResult {
  cutoff: string;
  deleted: number;
}

const lifecycle = proxyActivities<LifecycleActivities>({
  startToCloseTimeout: '10m',
  heartbeatTimeout: '1m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

/**
 * Run hourly by the `hookrelay-retention` Schedule: deletes events (with their deliveries and attempts)
 * accepted before now − RETENTION, in bounded batches with short pauses, each activity doing up to 100
 * batches. The cutoff is fixed when the run starts.
 */
export async function retentionWorkflow(input: RetentionInput): Promise<RetentionResult> {
  const cutoff = input.cutoff ?? new Date(Date.now() - input.retentionMs).toISOString();
  let deleted = input.deleted ?? 0;
  for (;;) {
    const batch = await lifecycle.deleteExpired({ cutoff, batchSize: input.batchSize ?? 1_000, pauseMs: input.pauseMs ?? 50, maxBatches: 100 });
    deleted += batch.deleted;
    if (!batch.more) return { cutoff, deleted };
    if (historyIsLong()) {
      await continueAsNew<typeof retentionWorkflow>({ ...input, cutoff, deleted });
    }
  }
}
