// The `hookrelay-retention` Temporal Schedule, created (or brought up to date) by every worker at start.
import { Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy, type ScheduleOptionsAction } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config.js';
import type { retentionWorkflow } from '../workflows/retention.js';

export const RETENTION_SCHEDULE_ID = 'hookrelay-retention';

/**
 * One schedule per task queue: the default queue's is `hookrelay-retention`; another queue (a second
 * deployment in the same namespace, or a test stack) gets its own, so none deletes another's data.
 */
export function retentionScheduleId(taskQueue: string): string {
  return taskQueue === 'hookrelay' ? RETENTION_SCHEDULE_ID : `${RETENTION_SCHEDULE_ID}:${taskQueue}`;
}

/** Idempotent: creates the schedule, or updates its interval and RETENTION when it exists (several workers may race here). */
export async function ensureRetentionSchedule(connection: NativeConnection, config: Config): Promise<string> {
  const client = new Client({ connection, namespace: config.temporalNamespace });
  const scheduleId = retentionScheduleId(config.taskQueue);
  const action: ScheduleOptionsAction = {
    type: 'startWorkflow',
    workflowType: 'retentionWorkflow' satisfies (typeof retentionWorkflow)['name'],
    workflowId: scheduleId.replace(RETENTION_SCHEDULE_ID, 'retention'),
    taskQueue: config.taskQueue,
    args: [{ retentionMs: config.retentionMs } satisfies Parameters<typeof retentionWorkflow>[0]],
  };
  const spec = { intervals: [{ every: config.retentionIntervalMs }] };
  try {
    await client.schedule.create({
      scheduleId,
      spec,
      action,
      // A run still deleting when the next is due: the next is skipped, never two at once.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1m' },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action }));
  }
  return scheduleId;
}
