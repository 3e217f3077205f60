// Records the histories of the data lifecycle workflows (purge, recover, retention) under
// test/histories/lifecycle/, which replay.test.ts replays with the others:
// `npx vitest run --config vitest.record.config.ts test/record/lifecycle-histories.record.ts`.
import { purgeWorkflowId } from '../../src/domain/workflow-ids.js';
import path from 'node:path';
import { expect, it } from 'vitest';
import { useStack } from '../support/use-stack.js';
import { historySaver } from './history-saver.js';

const dir = path.resolve(import.meta.dirname, '../histories/lifecycle');
const stack = useStack({ env: { RETRY_TIME_SCALE: '0.001', RETENTION: '1h' } });
const { receiver } = stack;
const save = historySaver(stack, dir);

it('records the purge, recover and retention workflows', async () => {
  // 1. Recover: three failed deliveries redelivered (child redelivery workflows).
  const t = await stack.tenant('recorder');
  let status = 422;
  receiver.on('/rec-recover', () => ({ status }));
  const sub = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/rec-recover`, event_types: ['a.*'], retry_policy: 'none' });
  for (let i = 0; i < 3; i++) await stack.deliver(t.id, `rec-recover-${i}`);
  status = 200;
  const recovered = await stack.api.call('POST', `/v1/subscriptions/${sub.id}/recover`, t.api_key, {
    since: new Date(Date.now() - 3_600_000).toISOString(),
  });
  expect(recovered.body.deliveries).toBe(3);
  await save('recover.three-failed', recovered.body.workflow_id);

  // 2. Retention: back-dated events deleted in batches of 2.
  const old = await stack.tenant('old');
  for (let i = 0; i < 3; i++) await stack.deliver(old.id, `rec-old-${i}`);
  await stack.pool.query(`UPDATE events SET created_at = now() - interval '2 hours' WHERE tenant_id = $1`, [old.id]);
  await stack.temporal.client.workflow.start('retentionWorkflow', {
    taskQueue: stack.config.taskQueue,
    workflowId: 'rec-retention',
    args: [{ retentionMs: 3_600_000, batchSize: 2, pauseMs: 10 }],
  });
  await save('retention.batches', 'rec-retention');

  // 3. Purge of a tenant with a pending (retrying) delivery: cancelled and signalled, then every part deleted.
  const gone = await stack.tenant('gone');
  receiver.on('/rec-purge-down', () => ({ status: 503 }));
  await stack.api.subscribe(gone.api_key, {
    url: `${receiver.url}/rec-purge-down`,
    event_types: ['a.*'],
    retry_policy: { initial_interval: '1h', maximum_attempts: 3 },
  });
  await stack.postEvent(gone.id, 'rec-purge-pending');
  await receiver.waitFor('/rec-purge-down', 1);
  expect((await stack.api.call('DELETE', `/v1/tenants/${gone.id}`, stack.adminToken)).status).toBe(202);
  await save('purge.with-pending', purgeWorkflowId(gone.id));
});
