// FIFO ordering per subscription (issue 14): one lane workflow per subscription, its work read from PostgreSQL.
import { describe, expect, it } from 'vitest';
import { useStack } from '../support/use-stack.js';

const stack = useStack({ env: { RETRY_TIME_SCALE: '0.01', DATABASE_POOL_SIZE: '20' } });
const { receiver } = stack;

async function acceptanceOrder(tenantId: string): Promise<string[]> {
  const { rows } = await stack.pool.query<{ id: string }>('SELECT id FROM events WHERE tenant_id = $1 ORDER BY accepted_seq', [tenantId]);
  return rows.map((r) => r.id);
}

describe('ordering: "fifo"', () => {
  // About 100 s: ~60 retries, and each retry waits for a Temporal timer (about 1 s on the dev server, whatever the scaled interval).
  it('200 events to a receiver failing 30 % of attempts arrive one at a time in acceptance order', async () => {
    const t = await stack.tenant('fifo-200');
    receiver.on('/fifo-200', () => (Math.random() < 0.3 ? { status: 503 } : { status: 204 }));
    const sub = await stack.api.subscribe(t.api_key, {
      url: `${receiver.url}/fifo-200`,
      ordering: 'fifo',
      retry_policy: { initial_interval: '1s', maximum_attempts: 100 },
    });
    expect(sub.ordering).toBe('fifo');
    const ids = Array.from({ length: 200 }, (_, i) => `fifo-${String(i).padStart(3, '0')}`);
    // Two batches and some single posts: acceptance order is what PostgreSQL numbered, whatever the relay's start order.
    const batch = (list: string[]) =>
      stack.api.call('POST', '/v1/events/batch', stack.adminToken, {
        events: list.map((id) => ({ id, tenant_id: t.id, environment: 'production', type: 'a.b', payload: { id } })),
      });
    expect((await batch(ids.slice(0, 100))).status).toBe(202);
    for (const id of ids.slice(100, 110)) await stack.postEvent(t.id, id, { payload: { id } });
    expect((await batch(ids.slice(110))).status).toBe(202);
    const results = await Promise.all(ids.map((id) => stack.settle(t.id, id)));
    expect(results.map((r) => r.outcome)).toEqual(Array(200).fill('succeeded'));

    const order = await acceptanceOrder(t.id);
    const received = receiver.forPath('/fifo-200');
    const delivered = received.filter((_, i) => i >= 0).map((r) => String(r.headers['webhook-id']));
    // Every attempt of an event comes before any attempt of the next: the sequence of ids, runs collapsed, is the acceptance order.
    const runs = delivered.filter((id, i) => id !== delivered[i - 1]);
    expect(runs).toEqual(order);
    expect(received.length).toBeGreaterThan(200);
    // The lane continued as new (100 deliveries a run) and its runs are in Temporal.
    const lane = stack.temporal.client.workflow.getHandle(`lane:${sub.id}`);
    const desc = await lane.describe();
    expect(desc.runId).not.toBe((await lane.describe()).raw.workflowExecutionInfo?.firstRunId ?? desc.runId);
  }, 300_000);

  it('a FIFO subscription disabled mid-queue cancels the deliveries still queued', async () => {
    const t = await stack.tenant('fifo-disable');
    receiver.on('/fifo-stuck', () => ({ status: 500 }));
    const sub = await stack.api.subscribe(t.api_key, {
      url: `${receiver.url}/fifo-stuck`,
      ordering: 'fifo',
      retry_policy: { initial_interval: '1h', maximum_attempts: 5 },
    });
    for (let i = 0; i < 5; i++) await stack.postEvent(t.id, `fd-${i}`);
    await receiver.waitFor('/fifo-stuck', 1);
    await new Promise((r) => setTimeout(r, 500));
    // The first is retrying (36 s between attempts at this scale) and holds the other four.
    expect(receiver.forPath('/fifo-stuck')).toHaveLength(1);
    expect((await stack.api.call('PATCH', `/v1/subscriptions/${sub.id}`, t.api_key, { enabled: false })).status).toBe(200);
    const results = await Promise.all([0, 1, 2, 3, 4].map((i) => stack.settle(t.id, `fd-${i}`)));
    expect(results.map((r) => r.outcome)).toEqual(Array(5).fill('cancelled'));
    expect(receiver.forPath('/fifo-stuck')).toHaveLength(1);
  }, 60_000);

  it('a FIFO subscription and a normal one on the same events do not slow each other', async () => {
    const t = await stack.tenant('fifo-side');
    // The FIFO receiver takes 150 ms an answer: 20 events take >= 3 s in its lane.
    receiver.on('/side-fifo', async () => {
      await new Promise((r) => setTimeout(r, 150));
      return { status: 204 };
    });
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/side-fifo`, ordering: 'fifo' });
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/side-normal` });
    const started = Date.now();
    const ids = Array.from({ length: 20 }, (_, i) => `side-${i}`);
    await stack.api.call('POST', '/v1/events/batch', stack.adminToken, {
      events: ids.map((id) => ({ id, tenant_id: t.id, environment: 'production', type: 'a.b', payload: {} })),
    });
    const normal = await receiver.waitFor('/side-normal', 20, 20_000);
    const fifo = await receiver.waitFor('/side-fifo', 20, 30_000);
    const normalDone = Math.max(...normal.map((r) => r.at)) - started;
    const fifoDone = Math.max(...fifo.map((r) => r.at)) - started;
    expect(fifoDone).toBeGreaterThanOrEqual(19 * 150);
    // The normal subscription is not held behind the lane: all 20 arrive while the lane is still on its first few.
    expect(normalDone).toBeLessThan(fifoDone / 2);
    expect(fifo.map((r) => r.headers['webhook-id'])).toEqual(await acceptanceOrder(t.id));
  }, 60_000);
});
