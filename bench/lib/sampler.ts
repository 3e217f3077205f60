// What queues up while a phase runs, sampled every second: the Temporal task queue's backlogs (workflow and
// activity tasks, with the age of the oldest) and hookrelay's database sessions (active, and waiting for a
// lock). The largest of each is reported, so a delay can be told apart: waiting in Temporal, or in PostgreSQL.
import pg from 'pg';
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';

const { temporal } = proto;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface QueueSample {
  workflow_backlog: number;
  workflow_backlog_age_s: number;
  activity_backlog: number;
  activity_backlog_age_s: number;
  db_active: number;
  db_lock_waits: number;
}

export async function startQueueSampler(options: { temporalAddress: string; databaseUrl: string; taskQueue?: string; everyMs?: number }) {
  const connection = await Connection.connect({ address: options.temporalAddress });
  const db = new pg.Client({ connectionString: options.databaseUrl });
  await db.connect();
  const database = new URL(options.databaseUrl).pathname.slice(1);
  const max: QueueSample = {
    workflow_backlog: 0,
    workflow_backlog_age_s: 0,
    activity_backlog: 0,
    activity_backlog_age_s: 0,
    db_active: 0,
    db_lock_waits: 0,
  };
  let samples = 0;
  let stopped = false;
  const backlog = async (type: number) => {
    const r = await connection.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: options.taskQueue ?? 'hookrelay' },
      taskQueueType: type,
      reportStats: true,
    });
    return { count: Number(r.stats?.approximateBacklogCount ?? 0), ageS: Number(r.stats?.approximateBacklogAge?.seconds ?? 0) };
  };
  const loop = (async () => {
    while (!stopped) {
      try {
        const [wf, act, sessions] = await Promise.all([
          backlog(temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
          backlog(temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
          db.query<{ active: number; lock_waits: number }>(
            `SELECT count(*) FILTER (WHERE state = 'active')::int AS active, count(*) FILTER (WHERE wait_event_type = 'Lock')::int AS lock_waits
             FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
            [database],
          ),
        ]);
        const s = sessions.rows[0]!;
        max.workflow_backlog = Math.max(max.workflow_backlog, wf.count);
        max.workflow_backlog_age_s = Math.max(max.workflow_backlog_age_s, wf.ageS);
        max.activity_backlog = Math.max(max.activity_backlog, act.count);
        max.activity_backlog_age_s = Math.max(max.activity_backlog_age_s, act.ageS);
        max.db_active = Math.max(max.db_active, s.active);
        max.db_lock_waits = Math.max(max.db_lock_waits, s.lock_waits);
        samples++;
      } catch {
        /* a sample missed (Temporal or PostgreSQL busy): the next one counts */
      }
      await sleep(options.everyMs ?? 1_000);
    }
  })();
  return {
    /** Stops sampling; the largest of each figure over the samples taken. */
    async stop(): Promise<QueueSample & { samples: number }> {
      stopped = true;
      await loop;
      await connection.close();
      await db.end();
      return { ...max, samples };
    },
  };
}
