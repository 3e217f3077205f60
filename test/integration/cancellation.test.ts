import { describe, expect, it } from 'vitest';
import { useStack } from '../support/use-stack.js';

const stack = useStack({ env: { AUTO_DISABLE_AFTER: '2s' } });
const { receiver } = stack;

// Retries 30 s apart: a pending delivery sits in Temporal's backoff when the subscription changes.
const patient = { initial_interval: '30s', maximum_attempts: 10 };

async function pendingDelivery(t: { id: string; api_key: string }, path: string, eventId: string) {
  receiver.on(path, () => ({ status: 500 }));
  const sub = await stack.api.subscribe(t.api_key, { url: `${receiver.url}${path}`, retry_policy: patient });
  await stack.postEvent(t.id, eventId);
  await receiver.waitFor(path, 1);
  return sub;
}

describe('a subscription that goes away while deliveries are pending', () => {
  it('disabled: the pending delivery makes no further attempt and ends cancelled', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const sub = await pendingDelivery(t, '/to-disable', 'cancel-1');
    const started = Date.now();
    const api = stack.api.as(t.api_key);
    const patched = await api.PATCH('/v1/subscriptions/{id}', { params: { path: { id: sub.id } }, body: { enabled: false } });
    expect(patched.response.status).toBe(200);
    const result = await stack.settle(t.id, 'cancel-1');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.deliveries[0]).toMatchObject({ status: 'cancelled' });
    const [delivery] = (await api.GET('/v1/deliveries', { params: { query: { event_id: 'cancel-1' } } })).data?.data ?? [];
    expect(delivery).toMatchObject({ status: 'cancelled', attempt_count: 1 });
    expect(receiver.forPath('/to-disable')).toHaveLength(1);
  });

  it('deleted: the same, and the log stays readable', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const sub = await pendingDelivery(t, '/to-delete', 'cancel-2');
    const api = stack.api.as(t.api_key);
    expect((await api.DELETE('/v1/subscriptions/{id}', { params: { path: { id: sub.id } } })).response.status).toBe(204);
    const result = await stack.settle(t.id, 'cancel-2');
    expect(result.outcome).toBe('cancelled');
    const event = await api.GET('/v1/events/{id}', { params: { path: { id: 'cancel-2' } } });
    expect(event.data?.deliveries[0]).toMatchObject({ status: 'cancelled', subscription_id: sub.id });
    expect(receiver.forPath('/to-delete')).toHaveLength(1);
  });

  it("disabled behind the API's back: the next attempt sees it and cancels", async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    receiver.on('/quiet-disable', () => ({ status: 500 }));
    const sub = await stack.api.subscribe(t.api_key, {
      url: `${receiver.url}/quiet-disable`,
      retry_policy: { initial_interval: '1s', maximum_attempts: 10 },
    });
    await stack.api.postEvent(stack.adminToken, { id: 'cancel-3', tenant_id: t.id, environment: 'production', type: 'a.b', payload: {} });
    await receiver.waitFor('/quiet-disable', 1);
    await stack.pool.query('UPDATE subscriptions SET enabled = false WHERE id = $1', [sub.id]);
    const result = await stack.settle(t.id, 'cancel-3');
    expect(result.deliveries[0]).toMatchObject({ status: 'cancelled' });
    expect(receiver.forPath('/quiet-disable').length).toBeLessThanOrEqual(2);
  });
});

describe('auto-disable', () => {
  it('disables a subscription after AUTO_DISABLE_AFTER of continuous failure', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    receiver.on('/always-down', () => ({ status: 503 }));
    const sub = await stack.api.subscribe(t.api_key, {
      url: `${receiver.url}/always-down`,
      event_types: ['a.*'],
      retry_policy: { initial_interval: '1s', backoff_coefficient: 1, maximum_attempts: 20 },
    });
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/auto-notify`, event_types: ['failure.subscription_disabled'] });
    await stack.api.postEvent(stack.adminToken, { id: 'auto-1', tenant_id: t.id, environment: 'production', type: 'a.b', payload: {} });
    const result = await stack.settle(t.id, 'auto-1');
    expect(result.deliveries[0]).toMatchObject({ status: 'failed' });
    expect(result.deliveries[0]!.error).toMatch(/subscription disabled/);
    const attempts = receiver.forPath('/always-down').length;
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(attempts).toBeLessThan(20);
    const after = await stack.api.as(t.api_key).GET('/v1/subscriptions/{id}', { params: { path: { id: sub.id } } });
    expect(after.data).toMatchObject({ enabled: false });
    expect(after.data?.disabled_reason).toMatch(/every attempt failed since/);
    const [notice] = await receiver.waitFor('/auto-notify', 1);
    expect(notice!.headers['x-hookrelay-event-type']).toBe('failure.subscription_disabled');
    expect(JSON.parse(notice!.body)).toMatchObject({ subscription_id: sub.id, event_id: 'auto-1' });
    expect(JSON.parse(notice!.body).reason).toMatch(/every attempt failed since/);
  });

  it('a success resets the clock', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    // Fails, succeeds once in the middle, fails again: never 2 s of unbroken failure.
    receiver.on('/mostly-down', (_r, n) => (n === 2 || n === 4 ? { status: 204 } : { status: 503 }));
    const sub = await stack.api.subscribe(t.api_key, {
      url: `${receiver.url}/mostly-down`,
      retry_policy: { initial_interval: '1s', backoff_coefficient: 1, maximum_attempts: 2 },
    });
    for (const id of ['reset-1', 'reset-2']) {
      await stack.api.postEvent(stack.adminToken, { id, tenant_id: t.id, environment: 'production', type: 'a.b', payload: {} });
      await stack.settle(t.id, id);
    }
    const { rows } = await stack.pool.query('SELECT enabled, failing_since FROM subscriptions WHERE id = $1', [sub.id]);
    expect(rows[0]).toEqual({ enabled: true, failing_since: null });
  });
});
