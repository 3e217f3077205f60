// Records the replay histories of the flow-control paths (issue 14) under test/histories:
// `npx vitest run --config vitest.record.config.ts test/record/record-flow-control.record.ts`.
import { eventWorkflowId } from '../../src/domain/workflow-ids.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { workflowsWaitingForSlots } from '../../src/db/rate-limit.js';
import { useStack } from '../support/use-stack.js';
import { historySaver } from './history-saver.js';
import { LANE_DELIVERIES_PER_RUN } from '../../src/workflows/fifo-lane-workflow.js';

const dir = path.resolve(import.meta.dirname, '../histories');
const stack = useStack({ env: { RETRY_TIME_SCALE: '0.001' } });
const { receiver } = stack;
const save = historySaver(stack, dir);

/** Until the workflow waits for a rate-limit slot (or `passed` says it no longer needs to). */
async function waitingForSlot(subscriptionId: string, workflowId: string, passed: () => boolean = () => false): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!passed() && !(await workflowsWaitingForSlots(stack.pool, subscriptionId)).includes(workflowId)) {
    if (Date.now() > deadline) throw new Error(`${workflowId} never waited for a slot`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('records the rate-limited paths', async () => {
  const t = await stack.api.createTenant(stack.adminToken, 'flow-recorder');
  // Rate-limited: the second event waits for its slot on a timer; its first attempt fails and the retry takes a slot too.
  receiver.on('/limited', (req) =>
    req.headers['x-hookrelay-attempt'] === '1' && req.headers['webhook-id'] === 'rec-limited-2' ? { status: 503 } : { status: 204 },
  );
  const limited = await stack.api.subscribe(t.api_key, {
    url: `${receiver.url}/limited`,
    event_types: ['user.*'],
    rate_limit: { requests: 1, per: '1h' },
    retry_policy: { initial_interval: '1s', maximum_attempts: 3 },
  });
  await stack.postEvent(t.id, 'rec-limited-1', { type: 'user.created' });
  await receiver.waitFor('/limited', 1);
  await stack.postEvent(t.id, 'rec-limited-2', { type: 'user.created' });
  await stack.settle(t.id, 'rec-limited-2');
  await save('event.rate-limited-wait', eventWorkflowId(t.id, 'rec-limited-2'));
  expect(receiver.forPath('/limited')).toHaveLength(3);
  // A limit changed while a delivery waits: the signal ends its wait and it takes a new slot. The events go
  // one at a time (under load the second could otherwise take the earlier slot), and the limit changes only
  // once the second is waiting for its slot.
  await stack.postEvent(t.id, 'rec-limited-3', { type: 'user.created' });
  await waitingForSlot(limited.id, eventWorkflowId(t.id, 'rec-limited-3'), () => receiver.forPath('/limited').length >= 4);
  await stack.postEvent(t.id, 'rec-limited-4', { type: 'user.created' });
  await waitingForSlot(limited.id, eventWorkflowId(t.id, 'rec-limited-4'));
  expect((await stack.api.call('PATCH', `/v1/subscriptions/${limited.id}`, t.api_key, { rate_limit: null })).status).toBe(200);
  await stack.settle(t.id, 'rec-limited-4');
  await save('event.rate-limit-changed', eventWorkflowId(t.id, 'rec-limited-4'));
  expect(readFileSync(path.join(dir, 'event.rate-limit-changed.json'), 'utf8')).toContain('"signalName": "rateLimitChanged"');
});

it('records a FIFO hand-off and a lane run that continues as new', async () => {
  const t = await stack.api.createTenant(stack.adminToken, 'fifo-recorder');
  // One failure on the first event: the lane retries it before the next one goes.
  receiver.on('/fifo', (req, n) => (n === 1 ? { status: 503 } : { status: 204 }));
  const sub = await stack.api.subscribe(t.api_key, {
    url: `${receiver.url}/fifo`,
    ordering: 'fifo',
    retry_policy: { initial_interval: '1s', maximum_attempts: 5 },
  });
  const ids = Array.from({ length: LANE_DELIVERIES_PER_RUN + 2 }, (_, i) => `rec-fifo-${i}`);
  const batch = await stack.api.call('POST', '/v1/events/batch', stack.adminToken, {
    events: ids.map((id) => ({ id, tenant_id: t.id, environment: 'production', type: 'user.created', payload: { id } })),
  });
  expect(batch.status).toBe(202);
  await Promise.all(ids.map((id) => stack.settle(t.id, id)));
  await save('event.fifo-handoff', eventWorkflowId(t.id, ids[1]!));
  const lane = await stack.temporal.client.workflow.getHandle(`lane:${sub.id}`).describe();
  const firstRunId = lane.raw.workflowExecutionInfo?.firstRunId;
  expect(firstRunId).toBeTruthy();
  expect(firstRunId).not.toBe(lane.runId);
  await save('lane.continue-as-new', `lane:${sub.id}`, firstRunId!);
}, 180_000);
