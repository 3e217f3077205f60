// Ingest while retention deletes a large backlog: `node --import tsx bench/retention-ingest.ts`.
// Inserts ROWS old events (default 1,000,000, each with one delivery and one attempt, accepted 40 days
// ago) with generate_series, measures single-event ingest with autocannon, then starts the retention
// workflow and measures again while it deletes them. Prints one JSON line.
import autocannon from 'autocannon';
import pg from 'pg';
import { Client, Connection } from '@temporalio/client';
import { startBenchStack } from './lib/stack.js';
import { apiClient } from './lib/api.js';
import { round } from './lib/stats.js';

const ROWS = Number(process.env.ROWS ?? 1_000_000);
const SECONDS = Number(process.env.SECONDS ?? 20);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 32);
const say = (msg: string) => console.error(`[retention-bench] ${msg}`);

const stack = await startBenchStack({ log: say });
const db = new pg.Pool({ connectionString: stack.env.DATABASE_URL, max: 2 });
try {
  const api = apiClient(stack.apiUrl);
  const tenant = await api.tenant(stack.adminToken, 'retention-bench');
  const sub = await api.subscribe(tenant.api_key, { url: 'http://127.0.0.1:9/never', event_types: ['old.*'] });
  say(`inserting ${ROWS} old events, deliveries and attempts`);
  let t0 = Date.now();
  await db.query(
    `INSERT INTO events (tenant_id, id, environment, type, payload, workflow_id, created_at, started_at)
     SELECT $1, 'old-' || n, 'production', 'old.event', json_build_object('n', n, 'data', json_build_object('user', 'u-' || n)),
            'event:' || $1 || ':old-' || n, now() - interval '40 days' + n * interval '1 ms', now() - interval '40 days'
     FROM generate_series(1, $2) n`,
    [tenant.id, ROWS],
  );
  await db.query(
    `INSERT INTO deliveries (id, tenant_id, event_id, subscription_id, workflow_id, status, attempt_count, created_at)
     SELECT 'dlv_old' || n, $1, 'old-' || n, $3, 'event:' || $1 || ':old-' || n, 'succeeded', 1, now() - interval '40 days'
     FROM generate_series(1, $2) n`,
    [tenant.id, ROWS, sub.id],
  );
  await db.query(
    `INSERT INTO attempts (delivery_id, number, started_at, duration_ms, status_code, response_body)
     SELECT 'dlv_old' || n, 1, now() - interval '40 days', 12, 200, 'ok' FROM generate_series(1, $1) n`,
    [ROWS],
  );
  for (const table of ['events', 'deliveries', 'attempts']) await db.query(`VACUUM ANALYZE ${table}`);
  const insertS = round((Date.now() - t0) / 1000);
  say(`inserted in ${insertS} s`);

  let n = 0;
  const hammer = async (prefix: string) => {
    const result = await autocannon({
      url: `${stack.apiUrl}/v1/events`,
      connections: CONNECTIONS,
      duration: SECONDS,
      method: 'POST',
      headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' },
      requests: [
        {
          setupRequest: (req) => ({
            ...req,
            body: JSON.stringify({
              id: `${prefix}${n++}`,
              tenant_id: tenant.id,
              environment: 'production',
              type: 'bench.ingest',
              payload: { n, data: { user: `u-${n}` } },
            }),
          }),
        },
      ],
    });
    return {
      events_per_s: round(result.requests.average),
      p50_ms: result.latency.p50,
      p99_ms: result.latency.p99,
      max_ms: result.latency.max,
      non_2xx: result.non2xx,
      errors: result.errors,
    };
  };
  const oldCount = async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE type = 'old.event'`)).rows[0]!.n;

  say('ingest, no retention running');
  const before = await hammer('before-');
  // Let the relay start (and the worker finish) what phase one accepted, so the retention run is not
  // queued behind it and both phases start from an idle worker.
  const unstarted = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE started_at IS NULL')).rows[0]!.n;
  for (let i = 0; i < 240 && (await unstarted()) > 0; i++) await new Promise((r) => setTimeout(r, 500));
  await new Promise((r) => setTimeout(r, 5_000));

  const connection = await Connection.connect({ address: stack.temporalAddress() });
  const client = new Client({ connection });
  const handle = await client.workflow.start('retentionWorkflow', {
    taskQueue: 'hookrelay',
    workflowId: 'bench-retention',
    args: [{ retentionMs: 30 * 86_400_000 }],
  });
  t0 = Date.now();
  for (let i = 0; i < 240 && (await oldCount()) === ROWS; i++) await new Promise((r) => setTimeout(r, 250));
  const firstBatchS = round((Date.now() - t0) / 1000);
  const leftAtStart = await oldCount();
  say(`retention started deleting after ${firstBatchS} s; ingest while it deletes`);
  const during = await hammer('during-');
  const left = await oldCount();
  const deletedDuring = leftAtStart - left;
  say(`retention deleted ${deletedDuring} during the ${SECONDS} s; waiting for it to finish`);
  // At most WAIT_S (default 600) more: the rate is what matters, not the end.
  const waitS = Number(process.env.WAIT_S ?? 600);
  let timer: NodeJS.Timeout | undefined;
  const finished = await Promise.race([
    handle.result().then(
      () => true,
      () => false,
    ),
    new Promise<boolean>((r) => {
      timer = setTimeout(() => r(false), waitS * 1000);
    }),
  ]);
  clearTimeout(timer);
  if (!finished) await handle.terminate('bench time is up').catch(() => {});
  const result = { deleted: ROWS - (await oldCount()), finished };
  const totalS = round((Date.now() - t0) / 1000);
  console.log(
    JSON.stringify({
      rows: ROWS,
      insert_s: insertS,
      connections: CONNECTIONS,
      seconds: SECONDS,
      ingest_before: before,
      ingest_during_retention: during,
      retention: {
        first_batch_after_s: firstBatchS,
        deleted_during_load: deletedDuring,
        deleted_total: result.deleted,
        finished: result.finished,
        total_s: totalS,
        events_per_s: round(result.deleted / totalS),
      },
    }),
  );
  await connection.close();
  await api.close();
} finally {
  await db.end();
  await stack.stop();
}
