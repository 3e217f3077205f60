// Re-records the replay histories under test/histories from a live run: `npm run record-histories`.
// Each scenario drives the real API and worker, then saves the history of every workflow it made.
import { eventWorkflowId } from '../../src/domain/workflow-ids.js';
import path from 'node:path';
import { expect, it } from 'vitest';
import { useStack } from '../support/use-stack.js';
import { historySaver } from './history-saver.js';

const dir = path.resolve(import.meta.dirname, '../histories');
const stack = useStack({ env: { RETRY_TIME_SCALE: '0.001', NOTIFICATION_WINDOW: '1h' } });
const { receiver } = stack;
const save = historySaver(stack, dir);

async function post(tenantId: string, id: string, type = 'user.created', payload: Record<string, unknown> = { n: 1 }) {
  await stack.postEvent(tenantId, id, { type, payload });
  return eventWorkflowId(tenantId, id);
}

it('records every workflow type and path', async () => {
  const t = await stack.api.createTenant(stack.adminToken, 'recorder');
  const sub = (p: string, body: Record<string, unknown> = {}) => stack.api.subscribe(t.api_key, { url: `${receiver.url}${p}`, ...body });

  // 1. All succeed: one event, two subscriptions.
  await sub('/ok-1', { event_types: ['user.*'] });
  await sub('/ok-2', { event_types: ['user.created'] });
  await save('event.all-succeed', await post(t.id, 'rec-all-succeed'));

  // 2. Retry, then succeed.
  receiver.on('/flaky', (_r, n) => (n <= 2 ? { status: 503 } : { status: 204 }));
  await sub('/flaky', { event_types: ['account.*'], retry_policy: { initial_interval: '1s', maximum_attempts: 5 } });
  await save('event.retry-then-succeed', await post(t.id, 'rec-retry', 'account.updated'));

  // 3. Exhausted: the delivery fails and a failure.delivery child notifies a failure.* subscription.
  receiver.on('/broken', () => ({ status: 500 }));
  const broken = await sub('/broken', { event_types: ['sync.*'], retry_policy: { initial_interval: '1s', maximum_attempts: 2 } });
  await sub('/notify', { event_types: ['failure.*'], retry_policy: 'none' });
  const exhausted = await post(t.id, 'rec-exhausted', 'sync.completed');
  await save('event.exhausted-with-failure-child', exhausted);
  await save('notification.failure-delivery', `${exhausted}/failure.delivery/${broken.id}`);

  // 4. failure.extraction: the first is delivered through a child, the second suppressed by the window.
  const extraction = { user_id: 'u1', data_source: 'garmin', reason: 'credentials_invalid' };
  const first = await post(t.id, 'rec-extraction-1', 'failure.extraction', extraction);
  await save('event.extraction-notified', first);
  await save('notification.extraction', `${first}/failure.extraction`);
  await save('event.extraction-suppressed', await post(t.id, 'rec-extraction-2', 'failure.extraction', extraction));

  // 5. Redelivery of the exhausted delivery.
  const [failed] = (await stack.api.call('GET', `/v1/deliveries?event_id=rec-exhausted&subscription_id=${broken.id}`, t.api_key)).body.data;
  receiver.on('/broken', () => ({ status: 204 }));
  const redelivery = await stack.api.call('POST', `/v1/deliveries/${failed.id}/redeliver`, t.api_key);
  expect(redelivery.status).toBe(202);
  await save('redelivery.succeed', redelivery.body.workflow_id);

  // 6. Subscription disabled while its delivery is pending: the signal cancels it.
  receiver.on('/pending', () => ({ status: 500 }));
  const pending = await sub('/pending', { event_types: ['endpoint.*'], retry_policy: { initial_interval: '1h', maximum_attempts: 3 } });
  const cancelled = await post(t.id, 'rec-cancelled', 'endpoint.updated');
  await receiver.waitFor('/pending', 1);
  expect((await stack.api.call('PATCH', `/v1/subscriptions/${pending.id}`, t.api_key, { enabled: false })).status).toBe(200);
  await save('event.disabled-while-pending', cancelled);
});
