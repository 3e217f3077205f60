import { describe, expect, it } from 'vitest';
import type { operations } from '../../src/client/index.js';
import { useStack } from '../support/use-stack.js';

const stack = useStack({ env: { RETRY_TIME_SCALE: '0.001' } });
const { receiver } = stack;

const post = (t: { id: string }, id: string, type = 'user.created') => stack.postEvent(t.id, id, { type, payload: { id } });

type ListQuery = NonNullable<operations['listDeliveries']['parameters']['query']>;

/** One page of the tenant's delivery log, through the typed client; throws on an answer that is not 200. */
async function deliveries(apiKey: string, query: ListQuery = {}) {
  const { data, error } = await stack.api.as(apiKey).GET('/v1/deliveries', { params: { query } });
  if (!data) throw new Error(JSON.stringify(error));
  return data;
}

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

    expect((await deliveries(t.api_key)).data).toHaveLength(4);
    const byEvent = await deliveries(t.api_key, { event_id: 'log-1' });
    expect(byEvent.data.map((d) => d.event_id)).toEqual(['log-1', 'log-1']);
    const bySub = await deliveries(t.api_key, { subscription_id: good.id });
    expect(bySub.data.every((d) => d.subscription_id === good.id)).toBe(true);
    expect(bySub.data).toHaveLength(2);
    const failed = await deliveries(t.api_key, { status: 'failed' });
    expect(failed.data.map((d) => d.subscription_id)).toEqual([bad.id, bad.id]);
    const combined = await deliveries(t.api_key, { status: 'succeeded', event_id: 'log-2', subscription_id: good.id });
    expect(combined.data).toHaveLength(1);
    // A status no typed client would send: a raw request.
    expect((await stack.api.call('GET', '/v1/deliveries?status=lost', t.api_key)).body.error.details[0].path).toBe('status');
  });

  it('pages without skipping or repeating while new deliveries arrive', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/page` });
    for (let i = 0; i < 12; i++) await post(t, `page-${i}`);
    await Promise.all(Array.from({ length: 12 }, (_, i) => stack.settle(t.id, `page-${i}`)));
    const before = new Set((await deliveries(t.api_key, { limit: 100 })).data.map((d) => d.id));

    const seen: string[] = [];
    let cursor: string | undefined;
    let page = 0;
    do {
      const res = await deliveries(t.api_key, { limit: 5, cursor });
      seen.push(...res.data.map((d) => d.id));
      cursor = res.next_cursor ?? undefined;
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
    const [original] = (await deliveries(t.api_key, { event_id: 'redo-1' })).data;
    expect(original?.status).toBe('failed');
    const api = stack.api.as(t.api_key);
    const byId = (id: string) => ({ params: { path: { id } } });

    const detail = await api.GET('/v1/deliveries/{id}', byId(original!.id));
    expect(detail.response.status).toBe(200);
    expect(detail.data?.attempts).toMatchObject([
      { number: 1, status_code: 503, error_class: 'http_status', response_body: 'down' },
      { number: 2, status_code: 503, error_class: 'http_status', response_body: 'down' },
    ]);
    expect(detail.data?.attempts[0]?.duration_ms).toBeGreaterThanOrEqual(0);
    expect(Date.parse(detail.data?.attempts[0]?.started_at ?? '')).not.toBeNaN();

    const redo = await api.POST('/v1/deliveries/{id}/redeliver', byId(original!.id));
    expect(redo.response.status).toBe(202);
    const redelivery = redo.data!;
    expect(redelivery.delivery.id).not.toBe(original!.id);
    await stack.temporal.client.workflow.getHandle(redelivery.workflow_id).result();
    const again = await api.GET('/v1/deliveries/{id}', byId(redelivery.delivery.id));
    expect(again.data).toMatchObject({ status: 'succeeded', redelivery_of: original!.id, event_id: 'redo-1', attempt_count: 1 });
    expect(again.data?.attempts).toMatchObject([{ number: 1, status_code: 200 }]);
    const log = await deliveries(t.api_key, { event_id: 'redo-1' });
    expect(log.data.map((d) => d.id)).toEqual([redelivery.delivery.id, original!.id]);
    expect(receiver.forPath('/redo').map((r) => r.headers['webhook-id'])).toEqual(['redo-1', 'redo-1', 'redo-1']);
  });
});
