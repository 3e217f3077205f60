import { eventWorkflowId } from '../../src/domain/workflow-ids.js';
import { describe, expect, it } from 'vitest';
import { useStack } from '../support/use-stack.js';

const stack = useStack();
const { receiver } = stack;

const fast = { initial_interval: '1s', backoff_coefficient: 1, maximum_attempts: 5 };

describe('an event end to end', () => {
  it('reaches the two matching subscriptions and none of another type, environment or tenant', async () => {
    const a = await stack.api.createTenant(stack.adminToken, 'A');
    const b = await stack.api.createTenant(stack.adminToken, 'B');
    const match1 = await stack.api.subscribe(a.api_key, { url: `${receiver.url}/match-1`, event_types: ['user.*'] });
    const match2 = await stack.api.subscribe(a.api_key, { url: `${receiver.url}/match-2`, event_types: ['account.updated', 'user.created'] });
    await stack.api.subscribe(a.api_key, { url: `${receiver.url}/other-type`, event_types: ['account.*'] });
    await stack.api.subscribe(a.api_key, { url: `${receiver.url}/other-env`, event_types: ['user.*'], environment: 'sandbox' });
    await stack.api.subscribe(b.api_key, { url: `${receiver.url}/other-tenant`, event_types: ['*'] });

    const posted = await stack.api.postEvent(stack.adminToken, {
      id: 'evt-match',
      tenant_id: a.id,
      environment: 'production',
      type: 'user.created',
      payload: { action: 'create_user', data: { id: 'u1' } },
    });
    expect(posted.status).toBe(202);
    expect(posted.body.workflow_id).toBe(eventWorkflowId(a.id, 'evt-match'));

    const result = await stack.settle(a.id, 'evt-match');
    expect(result.outcome).toBe('succeeded');
    expect(result.deliveries.map((d) => d.subscriptionId).sort()).toEqual([match1.id, match2.id].sort());
    expect(receiver.forPath('/match-1')).toHaveLength(1);
    expect(receiver.forPath('/match-2')).toHaveLength(1);
    expect(JSON.parse(receiver.forPath('/match-1')[0]!.body)).toEqual({ action: 'create_user', data: { id: 'u1' } });
    for (const path of ['/other-type', '/other-env', '/other-tenant']) expect(receiver.forPath(path)).toHaveLength(0);

    const event = await stack.api.as(a.api_key).GET('/v1/events/{id}', { params: { path: { id: 'evt-match' } } });
    expect(event.response.status).toBe(200);
    expect(event.data?.deliveries).toHaveLength(2);
    expect(event.data?.deliveries.every((d) => d.status === 'succeeded')).toBe(true);
  });

  it('retries a receiver that fails twice, then records exactly 3 attempts with their status codes', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    receiver.on('/flaky', (_req, n) => (n <= 2 ? { status: 503, body: 'try later' } : { status: 204 }));
    const sub = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/flaky`, retry_policy: fast });
    await stack.api.postEvent(stack.adminToken, {
      id: 'evt-flaky',
      tenant_id: t.id,
      environment: 'production',
      type: 'sync.completed',
      payload: { ok: true },
    });

    const result = await stack.settle(t.id, 'evt-flaky');
    expect(result.deliveries).toEqual([expect.objectContaining({ subscriptionId: sub.id, status: 'succeeded', attempts: 3 })]);
    expect(receiver.forPath('/flaky').map((r) => r.headers['x-hookrelay-attempt'])).toEqual(['1', '2', '3']);

    const { rows } = await stack.pool.query(
      `SELECT a.number, a.status_code, a.error_class, a.response_body FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
       WHERE d.event_id = 'evt-flaky' ORDER BY a.number`,
    );
    expect(rows).toEqual([
      { number: 1, status_code: 503, error_class: 'http_status', response_body: 'try later' },
      { number: 2, status_code: 503, error_class: 'http_status', response_body: 'try later' },
      { number: 3, status_code: 204, error_class: null, response_body: '' },
    ]);
    const event = await stack.api.event(t.api_key, 'evt-flaky');
    expect(event.deliveries[0]).toMatchObject({ status: 'succeeded', attempt_count: 3, last_status_code: 204 });
  });

  it('delivers a duplicate event id once and answers 200 duplicate', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/dup` });
    const event = { id: 'evt-dup', tenant_id: t.id, environment: 'production' as const, type: 'user.updated', payload: { n: 1 } };
    const first = await stack.api.postEvent(stack.adminToken, event);
    const second = await stack.api.postEvent(stack.adminToken, { ...event, payload: { n: 2 } });
    expect(first.status).toBe(202);
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ id: 'evt-dup', workflow_id: first.body.workflow_id, duplicate: true });
    await stack.settle(t.id, 'evt-dup');
    const handle = stack.temporal.client.workflow.getHandle(first.body.workflow_id);
    const settled = await handle.describe();
    // Race a third post against the workflow: Temporal's id refuses it even before the row is read.
    const third = await stack.api.postEvent(stack.adminToken, event);
    expect(third.body.duplicate).toBe(true);
    // Nothing is left to deliver it again: one row, with the first payload...
    const { rows } = await stack.pool.query(`SELECT payload FROM events WHERE tenant_id = $1 AND id = 'evt-dup'`, [t.id]);
    expect(rows).toEqual([{ payload: { n: 1 } }]);
    // ...and an event posted after the duplicates has gone through the relay to the same subscription,
    await stack.postEvent(t.id, 'evt-dup-after', { type: 'user.updated', payload: { after: true } });
    await stack.settle(t.id, 'evt-dup-after');
    expect(receiver.forPath('/dup').map((r) => JSON.parse(r.body))).toEqual([{ n: 1 }, { after: true }]);
    // while the duplicate's id still has its one run, completed.
    const after = await handle.describe();
    expect([after.runId, after.status.name]).toEqual([settled.runId, 'COMPLETED']);
  });

  it('generates an id when the producer sends none', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const res = await stack.api.postEvent(stack.adminToken, { tenant_id: t.id, environment: 'sandbox', type: 'x.y', payload: {} });
    expect(res.status).toBe(202);
    expect(res.body.id).toMatch(/^evt_[0-9a-f]{32}$/);
    expect((await stack.settle(t.id, res.body.id)).outcome).toBe('no_subscriptions');
  });

  it('uses the subscription method, custom headers and timeout, and gives up under policy "none"', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    receiver.on('/slow', () => new Promise((resolve) => setTimeout(() => resolve({ status: 200 }), 2_500)));
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/put`, method: 'PUT', headers: { 'X-Api-Key': 'k1' } });
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/slow`, timeout_ms: 1000, retry_policy: 'none' });
    await stack.api.postEvent(stack.adminToken, {
      id: 'evt-shape',
      tenant_id: t.id,
      environment: 'production',
      type: 'endpoint.updated',
      payload: { a: 1 },
    });
    const result = await stack.settle(t.id, 'evt-shape');
    expect(result.outcome).toBe('partial');
    const put = receiver.forPath('/put')[0]!;
    expect(put.method).toBe('PUT');
    expect(put.headers['x-api-key']).toBe('k1');
    expect(put.headers['content-type']).toBe('application/json');
    const { rows } = await stack.pool.query(
      `SELECT d.status, a.error_class, a.duration_ms FROM deliveries d JOIN attempts a ON a.delivery_id = d.id
       JOIN subscriptions s ON s.id = d.subscription_id WHERE d.event_id = 'evt-shape' AND s.url LIKE '%/slow'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'failed', error_class: 'timeout' });
    expect(rows[0].duration_ms).toBeGreaterThanOrEqual(900);
    expect(rows[0].duration_ms).toBeLessThan(2_400);
  });
});
