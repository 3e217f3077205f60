// The routes the tenant portal uses: tenant isolation through the portal's session, the subscription
// stats on a known sequence of attempts, and hookrelay.test events reaching one subscription only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { startStack, type Stack } from '../support/stack.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { eventually } from '../support/eventually.js';
import { ok } from '../support/api.js';

let stack: Stack;
let receiver: Receiver;
beforeAll(async () => {
  [stack, receiver] = await Promise.all([startStack({ env: { RETRY_TIME_SCALE: '0.001' } }), startReceiver()]);
});
afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

interface Portal {
  cookie: string;
  csrf: string;
}

async function openPortal(tenantId: string): Promise<Portal> {
  const link = await ok(stack.api.as(stack.adminToken).POST('/v1/tenants/{id}/portal-sessions', { params: { path: { id: tenantId } }, body: {} }));
  const opened = await fetch(link.url, { redirect: 'manual' });
  const cookie = opened.headers.get('set-cookie')!.split(';')[0]!;
  const session = (await (await fetch(`${stack.url}/portal/session`, { headers: { cookie } })).json()) as { csrf_token: string };
  return { cookie, csrf: session.csrf_token };
}

const asPortal = (p: Portal, method: string, path: string, body?: unknown) =>
  stack.api.call(method, path, undefined, body, { cookie: p.cookie, 'x-csrf-token': p.csrf });

/** The delivery once it has ended (any status but pending). */
function waitForDelivery(apiKey: string, id: string) {
  return eventually(
    async () => {
      const { data } = await stack.api.as(apiKey).GET('/v1/deliveries/{id}', { params: { path: { id } } });
      return data !== undefined && data.status !== 'pending' && data;
    },
    { what: `delivery ${id} to end`, timeoutMs: 30_000 },
  );
}

describe("another tenant's ids through the portal", () => {
  it('answer 404 on every portal-facing route, and change nothing', async () => {
    const owner = await stack.api.createTenant(stack.adminToken, 'Owner');
    const intruder = await stack.api.createTenant(stack.adminToken, 'Intruder');
    const sub = await stack.api.subscribe(owner.api_key, { url: `${receiver.url}/owner`, event_types: ['user.*'] });
    expect(
      (
        await stack.api.postEvent(stack.adminToken, {
          id: 'iso-1',
          tenant_id: owner.id,
          environment: 'production',
          type: 'user.created',
          payload: { a: 1 },
        })
      ).status,
    ).toBe(202);
    await stack.settle(owner.id, 'iso-1');
    const ownerApi = stack.api.as(owner.api_key);
    const [delivery] = (await ok(ownerApi.GET('/v1/deliveries', { params: { query: { event_id: 'iso-1' } } }))).data;
    const p = await openPortal(intruder.id);

    const routes: Array<[string, string, unknown?]> = [
      ['GET', `/v1/subscriptions/${sub.id}`],
      ['PATCH', `/v1/subscriptions/${sub.id}`, { enabled: false }],
      ['POST', `/v1/subscriptions/${sub.id}/rotate-secret`],
      ['POST', `/v1/subscriptions/${sub.id}/test`, {}],
      ['GET', `/v1/subscriptions/${sub.id}/stats`],
      ['GET', `/v1/subscriptions/${sub.id}/stats?window=7d`],
      ['GET', `/v1/deliveries/${delivery!.id}`],
      ['POST', `/v1/deliveries/${delivery!.id}/redeliver`],
      ['GET', '/v1/events/iso-1'],
      ['DELETE', `/v1/subscriptions/${sub.id}`],
    ];
    for (const [method, path, body] of routes) {
      const res = await asPortal(p, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(JSON.stringify(res.body)).not.toContain(receiver.url);
    }
    for (const path of [
      `/v1/deliveries?subscription_id=${sub.id}`,
      '/v1/deliveries?event_id=iso-1',
      '/v1/deliveries?event_type=user.created',
      '/v1/subscriptions',
    ]) {
      const res = await asPortal(p, 'GET', path);
      expect(res.status, path).toBe(200);
      expect(res.body.data, path).toEqual([]);
    }
    // The owner's subscription is as it was, with its one delivery.
    const after = await ok(ownerApi.GET('/v1/subscriptions/{id}', { params: { path: { id: sub.id } } }));
    expect(after).toMatchObject({ enabled: true, updated_at: sub.updated_at });
    expect((await ok(ownerApi.GET('/v1/deliveries', { params: { query: { subscription_id: sub.id } } }))).data).toHaveLength(1);
  });
});

describe('GET /v1/deliveries?event_type=', () => {
  it("filters by the exact event type and carries each delivery's type", async () => {
    const t = await stack.api.createTenant(stack.adminToken, 'Types');
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/types` });
    // One after another: the deliveries are listed newest first, and events posted together may have their
    // deliveries made in any order.
    for (const [id, type] of [
      ['ty-1', 'user.created'],
      ['ty-2', 'user.updated'],
      ['ty-3', 'user.created'],
    ]) {
      expect(
        (await stack.api.postEvent(stack.adminToken, { id: id!, tenant_id: t.id, environment: 'production', type: type!, payload: {} })).status,
      ).toBe(202);
      await stack.settle(t.id, id!);
    }
    const api = stack.api.as(t.api_key);
    const list = async (query: { event_type?: string; status?: 'succeeded'; environment?: 'sandbox' }) =>
      (await ok(api.GET('/v1/deliveries', { params: { query } }))).data;
    const created = await list({ event_type: 'user.created' });
    expect(created.map((d) => d.event_id)).toEqual(['ty-3', 'ty-1']);
    expect(created.every((d) => d.event_type === 'user.created')).toBe(true);
    expect(await list({ event_type: 'user.updated', status: 'succeeded' })).toHaveLength(1);
    expect(await list({ event_type: 'user' })).toHaveLength(0);
    expect(await list({ environment: 'sandbox' })).toHaveLength(0);
    const bad = await stack.api.call('GET', '/v1/deliveries?event_type=User.Created', t.api_key);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('event_type');
  });
});

describe('GET /v1/subscriptions/:id/stats', () => {
  it('counts attempts, successes, failures and p50/p99 over the window, on a known sequence', async () => {
    const t = await stack.api.createTenant(stack.adminToken, 'Stats');
    const sub = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/stats`, enabled: false });
    const other = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/stats-other`, enabled: false });
    // Written directly: durations, outcomes and times chosen so every figure is known in advance.
    await stack.pool.query(
      `INSERT INTO events (tenant_id, id, environment, type, payload, workflow_id) VALUES ($1, 'st-1', 'production', 'user.created', '{}', 'wf-st-1')`,
      [t.id],
    );
    await stack.pool.query(
      `INSERT INTO deliveries (id, tenant_id, event_id, subscription_id, workflow_id, status) VALUES
         ('dlv_st_a', $1, 'st-1', $2, 'wf', 'succeeded'), ('dlv_st_b', $1, 'st-1', $3, 'wf', 'succeeded')`,
      [t.id, sub.id, other.id],
    );
    // Deliveries without attempts, for the per-delivery figures: one of each other status now, a failed one 2 days
    // ago; redeliveries of the first, since an event has one first delivery per subscription.
    await stack.pool.query(
      `INSERT INTO deliveries (id, tenant_id, event_id, subscription_id, workflow_id, status, created_at, redelivery_of) VALUES
         ('dlv_st_c', $1, 'st-1', $2, 'wf', 'failed', now(), 'dlv_st_a'), ('dlv_st_d', $1, 'st-1', $2, 'wf', 'pending', now(), 'dlv_st_a'),
         ('dlv_st_e', $1, 'st-1', $2, 'wf', 'cancelled', now(), 'dlv_st_a'),
         ('dlv_st_f', $1, 'st-1', $2, 'wf', 'failed', now() - interval '2 days', 'dlv_st_a')`,
      [t.id, sub.id],
    );
    const attempts: Array<[string, number, string, number, number | null, string | null]> = [
      // delivery, number, age, duration, status, error class
      ['dlv_st_a', 1, '10 minutes', 10, 503, 'http_status'],
      ['dlv_st_a', 2, '9 minutes', 20, null, 'timeout'],
      ['dlv_st_a', 3, '8 minutes', 30, 200, null],
      ['dlv_st_a', 4, '7 minutes', 40, 204, null],
      ['dlv_st_a', 5, '6 minutes', 1000, 299, null],
      ['dlv_st_a', 6, '3 hours', 500, 500, 'http_status'],
      ['dlv_st_a', 7, '2 days', 70, 200, null],
      ['dlv_st_a', 8, '8 days', 5, 200, null],
      ['dlv_st_b', 1, '1 minute', 9999, 200, null],
    ];
    for (const [delivery, number, age, duration, status, errorClass] of attempts) {
      await stack.pool.query(
        `INSERT INTO attempts (delivery_id, number, started_at, duration_ms, status_code, error_class)
         VALUES ($1, $2, now() - $3::interval, $4, $5, $6)`,
        [delivery, number, age, duration, status, errorClass],
      );
    }
    const api = stack.api.as(t.api_key);
    const get = async (window?: '1h' | '24h' | '7d', id = sub.id) => {
      const { data, response } = await api.GET('/v1/subscriptions/{id}/stats', { params: { path: { id }, query: { window } } });
      expect(response.status).toBe(200);
      return data;
    };
    // percentile_cont over [10, 20, 30, 40, 1000]: p50 = 30, p99 = 40 + 0.96 × 960 = 961.6.
    const hour = await get('1h');
    const { buckets, ...figures } = hour!;
    expect(figures).toEqual({
      subscription_id: sub.id,
      window: '1h',
      attempts: 5,
      successes: 3,
      failures: 2,
      success_rate: 0.6,
      p50_duration_ms: 30,
      p99_duration_ms: 961.6,
      // Per delivery: 1 succeeded (after 2 failed attempts) and 1 failed of the 2 that ended; pending and cancelled aside.
      deliveries: { total: 4, succeeded: 1, failed: 1, pending: 1, cancelled: 1, success_rate: 0.5 },
      bucket_ms: 300_000,
    });
    // 12 five-minute buckets ending now, oldest first; the attempts 6 to 10 minutes ago fall in the last three.
    expect(buckets).toHaveLength(12);
    expect(buckets.map((b) => Date.parse(b.start) - Date.parse(buckets[0]!.start))).toEqual(buckets.map((_, i) => i * 300_000));
    expect(Date.now() - Date.parse(buckets[0]!.start)).toBeGreaterThanOrEqual(3_600_000);
    expect(Date.now() - Date.parse(buckets[0]!.start)).toBeLessThan(3_660_000);
    expect(buckets.slice(0, 9).every((b) => b.succeeded === 0 && b.failed === 0)).toBe(true);
    expect(buckets.reduce((n, b) => n + b.succeeded, 0)).toBe(3);
    expect(buckets.reduce((n, b) => n + b.failed, 0)).toBe(2);
    expect((await get('24h'))!.buckets).toHaveLength(24);
    // Default 24h adds the 500 from 3 hours ago: [10, 20, 30, 40, 500, 1000] → p50 35, p99 1000 - 0.05 × 500 = 975.
    expect(await get()).toMatchObject({
      window: '24h',
      attempts: 6,
      successes: 3,
      failures: 3,
      success_rate: 0.5,
      p50_duration_ms: 35,
      p99_duration_ms: 975,
    });
    const week = await get('7d');
    expect(week).toMatchObject({ window: '7d', attempts: 7, successes: 4, failures: 3, bucket_ms: 6 * 3_600_000 });
    expect(week!.deliveries).toEqual({ total: 5, succeeded: 1, failed: 2, pending: 1, cancelled: 1, success_rate: 1 / 3 });
    expect(week!.buckets).toHaveLength(28);
    // The attempt 3 hours ago failed (500), the one 2 days ago succeeded: each in its own bucket of the week.
    expect(week!.buckets.reduce((n, b) => n + b.failed, 0)).toBe(3);
    expect(week!.buckets.at(-1)).toMatchObject({ failed: 3 });
    expect(await get('1h', other.id)).toMatchObject({ attempts: 1, successes: 1, p50_duration_ms: 9999 });
    const none = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/none` });
    expect(await get(undefined, none.id)).toMatchObject({
      attempts: 0,
      successes: 0,
      failures: 0,
      success_rate: null,
      p50_duration_ms: null,
      p99_duration_ms: null,
      deliveries: { total: 0, succeeded: 0, failed: 0, pending: 0, cancelled: 0, success_rate: null },
    });
    for (const bad of ['2h', '', '24H']) {
      const res = await stack.api.call('GET', `/v1/subscriptions/${sub.id}/stats?window=${bad}`, t.api_key);
      expect(res.status, bad).toBe(400);
      expect(res.body.error.details[0].path).toBe('window');
    }
    expect((await stack.api.call('GET', '/v1/subscriptions/sub_nope/stats', t.api_key)).status).toBe(404);
  });
});

describe('POST /v1/subscriptions/:id/test', () => {
  it('delivers a hookrelay.test event to that subscription only, signed like any other', async () => {
    const t = await stack.api.createTenant(stack.adminToken, 'Tester');
    const target = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/test-target`, event_types: ['*'] });
    const everything = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/test-everything`, event_types: ['*'] });
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/test-hookrelay`, event_types: ['hookrelay.*'] });
    const api = stack.api.as(t.api_key);
    const { data: sent, response } = await api.POST('/v1/subscriptions/{id}/test', { params: { path: { id: target.id } }, body: {} });
    expect(response.status).toBe(202);
    expect(sent).toMatchObject({ event_id: expect.stringMatching(/^evt_/), delivery_id: expect.stringMatching(/^dlv_/) });

    const [request] = await receiver.waitFor('/test-target', 1);
    expect(request!.headers['x-hookrelay-event-type']).toBe('hookrelay.test');
    expect(request!.headers['webhook-id']).toBe(sent!.event_id);
    const payload = new Webhook(target.secret).verify(request!.body, request!.headers as Record<string, string>) as Record<string, unknown>;
    expect(payload).toMatchObject({ type: 'hookrelay.test', subscription_id: target.id });
    const done = await waitForDelivery(t.api_key, sent!.delivery_id);
    expect(done).toMatchObject({ status: 'succeeded', subscription_id: target.id, event_id: sent!.event_id });

    const event = await ok(api.GET('/v1/events/{id}', { params: { path: { id: sent!.event_id } } }));
    expect(event).toMatchObject({ type: 'hookrelay.test', environment: 'production' });
    expect(event.deliveries.map((d) => d.subscription_id)).toEqual([target.id]);
    // A second test to the other `*` subscription, with a payload: it alone gets it, the first one is not asked again.
    const second = await api.POST('/v1/subscriptions/{id}/test', { params: { path: { id: everything.id } }, body: { payload: { hello: 'world' } } });
    expect(second.response.status).toBe(202);
    const [got] = await receiver.waitFor('/test-everything', 1);
    expect(JSON.parse(got!.body)).toEqual({ hello: 'world' });
    await waitForDelivery(t.api_key, second.data!.delivery_id);
    expect(receiver.forPath('/test-target')).toHaveLength(1);
    expect(receiver.forPath('/test-everything')).toHaveLength(1);
    expect(receiver.forPath('/test-hookrelay')).toHaveLength(0);
  });

  it('validates its payload and names the subscription it does not know', async () => {
    const t = await stack.api.createTenant(stack.adminToken, 'Tester 2');
    const sub = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/test-2` });
    for (const body of [{ payload: 'text' }, { payload: [1] }, { other: 1 }]) {
      const res = await stack.api.call('POST', `/v1/subscriptions/${sub.id}/test`, t.api_key, body);
      expect(res.status).toBe(400);
    }
    const big = await stack.api.call('POST', `/v1/subscriptions/${sub.id}/test`, t.api_key, { payload: { x: 'a'.repeat(300 * 1024) } });
    expect(big.status).toBe(400);
    expect(big.body.error.details[0].path).toBe('payload');
    expect((await stack.api.call('POST', '/v1/subscriptions/sub_nope/test', t.api_key)).status).toBe(404);
    expect((await ok(stack.api.as(t.api_key).GET('/v1/deliveries'))).data).toEqual([]);
  });

  it('sends a catalog type with a payload checked against its schema; refuses an invalid payload and an unknown type', async () => {
    const type = 'portal_test.order_paid';
    const schema = {
      type: 'object',
      required: ['order_id', 'amount'],
      properties: { order_id: { type: 'string' }, amount: { type: 'integer', minimum: 1 } },
    };
    const put = await stack.api
      .as(stack.adminToken)
      .PUT('/v1/event-types/{type}', { params: { path: { type } }, body: { description: 'An order was paid', schema } });
    expect(put.response.status).toBeLessThan(300);
    const catalog = await ok(stack.api.as(stack.adminToken).GET('/v1/event-types'));
    expect(catalog.data.find((e) => e.type === type)?.example).toEqual({ order_id: 'example', amount: 1 });

    const t = await stack.api.createTenant(stack.adminToken, 'Tester types');
    const sub = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/test-typed`, event_types: ['user.*'] });
    const send = (body: unknown) => stack.api.call('POST', `/v1/subscriptions/${sub.id}/test`, t.api_key, body);
    const events = async () => (await stack.pool.query('SELECT count(*)::int AS n FROM events WHERE tenant_id = $1', [t.id])).rows[0].n as number;

    // Refused before anything is written: a payload the schema refuses (named field by field), an unknown or malformed type.
    const invalid = await send({ event_type: type, payload: { order_id: 7, amount: 0 } });
    expect(invalid.status).toBe(400);
    const paths = invalid.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['payload.order_id', 'payload.amount']));
    for (const [eventType, message] of [
      ['nowhere.never', /not in the event type catalog/],
      ['Not A Type', /dotted lowercase/],
    ] as const) {
      const res = await send({ event_type: eventType, payload: { a: 1 } });
      expect(res.status, eventType).toBe(400);
      expect(res.body.error.details, eventType).toEqual([{ path: 'event_type', message: expect.stringMatching(message) }]);
    }
    expect(await events()).toBe(0);

    // A valid payload goes as posted, under its type, to this subscription though its patterns do not match the type.
    const posted = '{"order_id":"o_1",  "amount":5}';
    const res = await fetch(`${stack.url}/v1/subscriptions/${sub.id}/test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.api_key}`, 'content-type': 'application/json' },
      body: `{"event_type":"${type}","payload":${posted}}`,
    });
    expect(res.status).toBe(202);
    const sent = (await res.json()) as { delivery_id: string };
    const [request] = await receiver.waitFor('/test-typed', 1);
    expect(request!.body).toBe(posted);
    expect(request!.headers['x-hookrelay-event-type']).toBe(type);
    expect(await waitForDelivery(t.api_key, sent.delivery_id)).toMatchObject({ status: 'succeeded' });

    // Without a payload, the type's example is sent (and checked like any payload).
    const example = await send({ event_type: type });
    expect(example.status).toBe(202);
    const [, second] = await receiver.waitFor('/test-typed', 2);
    expect(JSON.parse(second!.body)).toEqual({ order_id: 'example', amount: 1 });
  });

  it('shows failing_since from the first failed attempt of a run of failures until a success', async () => {
    const t = await stack.api.createTenant(stack.adminToken, 'Tester failing');
    const sub = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/test-failing`, retry_policy: 'none' });
    const api = stack.api.as(t.api_key);
    const path = { params: { path: { id: sub.id } } };
    expect((await ok(api.GET('/v1/subscriptions/{id}', path))).failing_since).toBeNull();
    let status = 500;
    receiver.on('/test-failing', () => ({ status }));
    const test = async () => waitForDelivery(t.api_key, (await ok(api.POST('/v1/subscriptions/{id}/test', { ...path, body: {} }))).delivery_id);
    const first = await test();
    expect(first.status).toBe('failed');
    await test();
    // Two failed deliveries in a row: the run began with the first one's attempt.
    expect((await ok(api.GET('/v1/subscriptions/{id}', path))).failing_since).toBe(first.attempts[0]!.started_at);
    status = 204;
    expect((await test()).status).toBe('succeeded');
    expect((await ok(api.GET('/v1/subscriptions/{id}', path))).failing_since).toBeNull();
  });

  it('answers 409 naming the state for a disabled subscription, and writes nothing', async () => {
    const t = await stack.api.createTenant(stack.adminToken, 'Tester disabled');
    const created = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/test-disabled`, enabled: false });
    const patched = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/test-disabled` });
    const api = stack.api.as(t.api_key);
    const enable = async (enabled: boolean) =>
      (await api.PATCH('/v1/subscriptions/{id}', { params: { path: { id: patched.id } }, body: { enabled } })).response.status;
    expect(await enable(false)).toBe(200);
    for (const sub of [created, patched]) {
      const res = await stack.api.call('POST', `/v1/subscriptions/${sub.id}/test`, t.api_key, { payload: { hello: 'world' } });
      expect(res.status).toBe(409);
      expect(res.body).toEqual({
        error: { code: 'subscription_disabled', message: `subscription ${sub.id} is disabled; enable it to send a test event` },
      });
    }
    const { rows } = await stack.pool.query('SELECT count(*)::int AS n FROM events WHERE tenant_id = $1', [t.id]);
    expect(rows[0].n).toBe(0);

    // Enabled again, it takes a test event.
    expect(await enable(true)).toBe(200);
    const sent = await api.POST('/v1/subscriptions/{id}/test', { params: { path: { id: patched.id } }, body: {} });
    expect(sent.response.status).toBe(202);
    expect(await waitForDelivery(t.api_key, sent.data!.delivery_id)).toMatchObject({ status: 'succeeded' });
    expect(receiver.forPath('/test-disabled')).toHaveLength(1);

    const doc = await stack.api.document();
    expect(doc.paths['/v1/subscriptions/{id}/test'].post.responses['409']).toMatchObject({
      description: expect.stringContaining('subscription_disabled'),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    });
  });

  it('writes nothing when Temporal is down (503)', async () => {
    const down = await startStack({ noWorker: true, temporalAddress: '127.0.0.1:1' });
    try {
      const t = await down.api.createTenant(down.adminToken, 'Tester down');
      const sub = await down.api.subscribe(t.api_key, { url: `${receiver.url}/test-down` });
      const res = await down.api.call('POST', `/v1/subscriptions/${sub.id}/test`, t.api_key);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBeTruthy();
      const { rows } = await down.pool.query('SELECT count(*)::int AS n FROM events WHERE tenant_id = $1', [t.id]);
      expect(rows[0].n).toBe(0);
    } finally {
      await down.stop();
    }
  });
});
