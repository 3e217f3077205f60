import { describe, expect, it } from 'vitest';
import { useStack } from '../support/use-stack.js';

const stack = useStack({ env: { RETRY_TIME_SCALE: '0.001' } });
const { receiver } = stack;

const post = (t: { id: string }, id: string, type = 'user.created') => stack.postEvent(t.id, id, { type, payload: { id } });

describe('GET /v1/deliveries', () => {
  it('filters by event, subscription and status', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    receiver.on('/log-bad', () => ({ status: 500 }));
    // user.* only: the failure.delivery notifications of the bad one must not land in these lists.
    const good = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/log-good`, event_types: ['user.*'] });
    const bad = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/log-bad`, event_types: ['user.*'], retry_policy: 'none' });
    await post(t, 'log-1');
    await post(t, 'log-2');
    await Promise.all([stack.settle(t.id, 'log-1'), stack.settle(t.id, 'log-2')]);

    const all = await stack.api.call('GET', '/v1/deliveries', t.api_key);
    expect(all.body.data).toHaveLength(4);
    const byEvent = await stack.api.call('GET', '/v1/deliveries?event_id=log-1', t.api_key);
    expect(byEvent.body.data.map((d: { event_id: string }) => d.event_id)).toEqual(['log-1', 'log-1']);
    const bySub = await stack.api.call('GET', `/v1/deliveries?subscription_id=${good.id}`, t.api_key);
    expect(bySub.body.data.every((d: { subscription_id: string }) => d.subscription_id === good.id)).toBe(true);
    expect(bySub.body.data).toHaveLength(2);
    const failed = await stack.api.call('GET', '/v1/deliveries?status=failed', t.api_key);
    expect(failed.body.data.map((d: { subscription_id: string }) => d.subscription_id)).toEqual([bad.id, bad.id]);
    const combined = await stack.api.call('GET', `/v1/deliveries?status=succeeded&event_id=log-2&subscription_id=${good.id}`, t.api_key);
    expect(combined.body.data).toHaveLength(1);
    expect((await stack.api.call('GET', '/v1/deliveries?status=lost', t.api_key)).body.error.details[0].path).toBe('status');
  });

  it('pages without skipping or repeating while new deliveries arrive', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/page` });
    for (let i = 0; i < 12; i++) await post(t, `page-${i}`);
    await Promise.all(Array.from({ length: 12 }, (_, i) => stack.settle(t.id, `page-${i}`)));
    const before = new Set((await stack.api.call('GET', '/v1/deliveries?limit=100', t.api_key)).body.data.map((d: { id: string }) => d.id));

    const seen: string[] = [];
    let cursor: string | null = null;
    let page = 0;
    do {
      const res: { body: { data: Array<{ id: string }>; next_cursor: string | null } } = await stack.api.call(
        'GET',
        `/v1/deliveries?limit=5${cursor ? `&cursor=${cursor}` : ''}`,
        t.api_key,
      );
      seen.push(...res.body.data.map((d) => d.id));
      cursor = res.body.next_cursor;
      // New deliveries land while the client pages.
      if (page++ < 2) await post(t, `page-new-${page}`);
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of before) expect(seen).toContain(id);
  });
});

describe('GET /v1/deliveries/:id and redeliver', () => {
  it('shows every attempt, and a redelivery is a new delivery in the log', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    receiver.on('/redo', (_r, n) => (n <= 2 ? { status: 503, body: 'down' } : { status: 200, body: 'ok' }));
    await stack.api.subscribe(t.api_key, {
      url: `${receiver.url}/redo`,
      event_types: ['user.*'],
      retry_policy: { initial_interval: '1s', maximum_attempts: 2 },
    });
    await post(t, 'redo-1');
    await stack.settle(t.id, 'redo-1');
    const [original] = (await stack.api.call('GET', '/v1/deliveries?event_id=redo-1', t.api_key)).body.data;
    expect(original.status).toBe('failed');

    const detail = await stack.api.call('GET', `/v1/deliveries/${original.id}`, t.api_key);
    expect(detail.status).toBe(200);
    expect(detail.body.attempts).toMatchObject([
      { number: 1, status_code: 503, error_class: 'http_status', response_body: 'down' },
      { number: 2, status_code: 503, error_class: 'http_status', response_body: 'down' },
    ]);
    expect(detail.body.attempts[0].duration_ms).toBeGreaterThanOrEqual(0);
    expect(Date.parse(detail.body.attempts[0].started_at)).not.toBeNaN();

    const redo = await stack.api.call('POST', `/v1/deliveries/${original.id}/redeliver`, t.api_key);
    expect(redo.status).toBe(202);
    expect(redo.body.delivery.id).not.toBe(original.id);
    await stack.temporal.client.workflow.getHandle(redo.body.workflow_id).result();
    const again = await stack.api.call('GET', `/v1/deliveries/${redo.body.delivery.id}`, t.api_key);
    expect(again.body).toMatchObject({ status: 'succeeded', redelivery_of: original.id, event_id: 'redo-1', attempt_count: 1 });
    expect(again.body.attempts).toMatchObject([{ number: 1, status_code: 200 }]);
    const log = await stack.api.call('GET', '/v1/deliveries?event_id=redo-1', t.api_key);
    expect(log.body.data.map((d: { id: string }) => d.id)).toEqual([redo.body.delivery.id, original.id]);
    expect(receiver.forPath('/redo').map((r) => r.headers['webhook-id'])).toEqual(['redo-1', 'redo-1', 'redo-1']);
  });
});
