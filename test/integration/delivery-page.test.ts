// GET /v1/deliveries/:id tells a delivery's whole story (docs/api-contract.md): the event type, the request as
// sent (body byte for byte, credentials masked) and, while pending, why it waits and until when; and the
// delivery log's filters by status class and creation time.
import { describe, expect, it } from 'vitest';
import type { Schemas } from '../../src/client/index.js';
import { ok } from '../support/api.js';
import { eventually } from '../support/eventually.js';
import { useStack } from '../support/use-stack.js';

// Retry intervals and rate-limit windows scaled by 0.001: a policy's "1h" is 3.6 s.
const stack = useStack({ env: { RETRY_TIME_SCALE: '0.001' } });
const { receiver } = stack;

type Delivery = Schemas['Delivery'];

/** Answers held until released. */
function held() {
  const waiting: Array<() => void> = [];
  let released = false;
  return {
    async answer() {
      if (!released) await new Promise<void>((resolve) => waiting.push(resolve));
      return { status: 200 };
    },
    release() {
      released = true;
      for (const wake of waiting.splice(0)) wake();
    },
  };
}

async function delivery(apiKey: string, id: string): Promise<Delivery> {
  return ok(stack.api.as(apiKey).GET('/v1/deliveries/{id}', { params: { path: { id } } }));
}

async function deliveryOf(apiKey: string, eventId: string): Promise<Delivery> {
  const { data } = await ok(stack.api.as(apiKey).GET('/v1/deliveries', { params: { query: { event_id: eventId } } }));
  expect(data).toHaveLength(1);
  return delivery(apiKey, data[0]!.id);
}

/** The delivery of the event once its `waiting.reason` is `reason`. */
async function waitingFor(apiKey: string, eventId: string, reason: NonNullable<Delivery['waiting']>['reason']): Promise<Delivery> {
  return eventually(
    async () => {
      const { data } = await ok(stack.api.as(apiKey).GET('/v1/deliveries', { params: { query: { event_id: eventId } } }));
      if (!data[0]) return undefined;
      const read = await delivery(apiKey, data[0].id);
      return read.waiting?.reason === reason ? read : undefined;
    },
    { timeoutMs: 20_000 },
  );
}

describe('GET /v1/deliveries/:id: the request as sent', () => {
  it('shows the event type, the body byte for byte with field_map applied, and the headers with credentials masked', async () => {
    const t = await stack.tenant('page-request');
    receiver.on('/page-request', () => ({ status: 200 }));
    await stack.api.subscribe(t.api_key, {
      url: `${receiver.url}/page-request`,
      headers: { authorization: 'Bearer receiver-secret', 'x-api-key': 'k-123', 'x-team': 'blue' },
      field_map: { old: 'new' },
    });
    // Spellings JSON.parse would rewrite: the API answers the stored text.
    const payload = '{"old":1.50,"big":12345678901234567890, "e":1E2}';
    const body = `{"id":"page-req-1","tenant_id":"${t.id}","environment":"production","type":"order.paid","payload":${payload}}`;
    const posted = await stack.api.call('POST', '/v1/events', stack.adminToken, body);
    expect(posted.status).toBe(202);
    await stack.settle(t.id, 'page-req-1');
    const d = await deliveryOf(t.api_key, 'page-req-1');
    const [sent] = receiver.forPath('/page-request');

    expect(d.event_type).toBe('order.paid');
    expect(d.request_body).toBe('{"new":1.50,"big":12345678901234567890, "e":1E2}');
    expect(d.request_body).toBe(sent!.body);
    expect(d.request_method).toBe('POST');
    expect(d.request_url).toBe(`${receiver.url}/page-request`);
    const headers = Object.fromEntries(d.request_headers.map((h) => [h.name, h]));
    expect(headers.authorization).toEqual({ name: 'authorization', value: '••••••••', masked: true });
    expect(headers['x-api-key']?.masked).toBe(true);
    expect(headers['webhook-signature']).toEqual({ name: 'webhook-signature', value: '••••••••', masked: true });
    expect(headers['x-team']).toEqual({ name: 'x-team', value: 'blue', masked: false });
    // The per-attempt values are the last attempt's, as the receiver got them.
    for (const name of ['webhook-id', 'webhook-timestamp', 'content-type', 'user-agent', 'x-hookrelay-event-type', 'x-hookrelay-attempt']) {
      expect(headers[name]?.value, name).toBe(String(sent!.headers[name]));
    }
    expect(JSON.stringify(d)).not.toContain('receiver-secret');
    expect(JSON.stringify(d)).not.toContain('k-123');
    expect(d.waiting).toBeNull();
    expect(d.next_attempt_at).toBeNull();
  });
});

describe('GET /v1/deliveries/:id: why a pending delivery waits', () => {
  it('retry_backoff: after a failed attempt, until the policy’s next attempt', async () => {
    const t = await stack.tenant('wait-backoff');
    receiver.on('/wait-backoff', () => ({ status: 500, body: 'down' }));
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/wait-backoff`, retry_policy: { initial_interval: '1h', maximum_attempts: 2 } });
    await stack.postEvent(t.id, 'backoff-1');
    const d = await waitingFor(t.api_key, 'backoff-1', 'retry_backoff');
    const [first] = d.attempts;
    expect(first?.status_code).toBe(500);
    // 1 h scaled by 0.001 after the attempt ended.
    const expected = Date.parse(first!.started_at) + first!.duration_ms + 3_600;
    expect(Math.abs(Date.parse(d.next_attempt_at!) - expected)).toBeLessThan(50);
    expect(d.waiting).toEqual({ reason: 'retry_backoff', until: d.next_attempt_at, behind_delivery_id: null });
    await stack.settle(t.id, 'backoff-1');
    const ended = await delivery(t.api_key, d.id);
    expect(ended.waiting).toBeNull();
    expect(ended.next_attempt_at).toBeNull();
    // The second attempt came when the page said it would (the workflow's timer, a task, the database write).
    expect(Date.parse(ended.attempts[1]!.started_at) - Date.parse(d.next_attempt_at!)).toBeGreaterThanOrEqual(-50);
    expect(Date.parse(ended.attempts[1]!.started_at) - Date.parse(d.next_attempt_at!)).toBeLessThan(1_500);
  });

  it('rate_limit: until its reserved slot', async () => {
    const t = await stack.tenant('wait-rate');
    receiver.on('/wait-rate', () => ({ status: 200 }));
    // One attempt per hour, scaled: 3.6 s apart.
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/wait-rate`, rate_limit: { requests: 1, per: '1h' } });
    await stack.postEvent(t.id, 'rate-1');
    await stack.postEvent(t.id, 'rate-2');
    const waiting = await eventually(
      async () => {
        const { data } = await ok(stack.api.as(t.api_key).GET('/v1/deliveries'));
        const read = await Promise.all(data.map((d) => delivery(t.api_key, d.id)));
        return read.find((d) => d.waiting?.reason === 'rate_limit');
      },
      { timeoutMs: 20_000 },
    );
    expect(Date.parse(waiting.next_attempt_at!)).toBeGreaterThan(Date.now());
    expect(Date.parse(waiting.next_attempt_at!)).toBeLessThanOrEqual(Date.now() + 3_600 + 500);
    expect(waiting.waiting?.until).toBe(waiting.next_attempt_at);
    await Promise.all([stack.settle(t.id, 'rate-1'), stack.settle(t.id, 'rate-2')]);
    // Its attempt went at the slot the page showed.
    const sentAt = Date.parse((await delivery(t.api_key, waiting.id)).attempts[0]!.started_at);
    expect(sentAt - Date.parse(waiting.next_attempt_at!)).toBeGreaterThanOrEqual(-50);
    expect(sentAt - Date.parse(waiting.next_attempt_at!)).toBeLessThan(1_500);
  });

  it('attempting, then fifo: queued behind the delivery the lane is making', async () => {
    const t = await stack.tenant('wait-fifo');
    const gate = held();
    receiver.on('/wait-fifo', () => gate.answer());
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/wait-fifo`, ordering: 'fifo' });
    await stack.postEvent(t.id, 'fifo-1');
    const first = await waitingFor(t.api_key, 'fifo-1', 'attempting');
    expect(first.next_attempt_at).toBeNull();
    await stack.postEvent(t.id, 'fifo-2');
    const second = await waitingFor(t.api_key, 'fifo-2', 'fifo');
    expect(second.waiting).toEqual({ reason: 'fifo', until: null, behind_delivery_id: first.id });
    gate.release();
    await Promise.all([stack.settle(t.id, 'fifo-1'), stack.settle(t.id, 'fifo-2')]);
  });

  it('in_flight: the subscription’s in-flight bound is reached', async () => {
    const t = await stack.tenant('wait-bound');
    const gate = held();
    receiver.on('/wait-bound', () => gate.answer());
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/wait-bound`, max_in_flight: 1 });
    await stack.postEvent(t.id, 'bound-1');
    await waitingFor(t.api_key, 'bound-1', 'attempting');
    await stack.postEvent(t.id, 'bound-2');
    const second = await waitingFor(t.api_key, 'bound-2', 'in_flight');
    expect(second.attempts).toHaveLength(0);
    gate.release();
    await Promise.all([stack.settle(t.id, 'bound-1'), stack.settle(t.id, 'bound-2')]);
  });

  it('circuit_open: until the circuit’s cool-down ends', async () => {
    const t = await stack.tenant('wait-circuit');
    receiver.on('/wait-circuit', () => ({ status: 200 }));
    const sub = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/wait-circuit` });
    // The circuit as five failures leave it, with a cool-down long enough to read: opened by hand, since a
    // scaled cool-down is over before a test can look.
    await stack.pool.query(
      `INSERT INTO circuits (subscription_id, state, consecutive_failures, cooldown_ms, open_until, opened_at)
       VALUES ($1, 'open', 5, 3600000, now() + interval '1 hour', now())`,
      [sub.id],
    );
    await stack.postEvent(t.id, 'circuit-1');
    const d = await waitingFor(t.api_key, 'circuit-1', 'circuit_open');
    const { rows } = await stack.pool.query<{ open_until: Date }>('SELECT open_until FROM circuits WHERE subscription_id = $1', [sub.id]);
    expect(d.next_attempt_at).toBe(rows[0]!.open_until.toISOString());
    expect(d.attempts).toHaveLength(0);
    // Closed again: the waiting delivery goes at its next ask.
    await stack.pool.query('DELETE FROM circuits WHERE subscription_id = $1', [sub.id]);
    await stack.api.call('DELETE', `/v1/subscriptions/${sub.id}`, t.api_key);
  });
});

describe('GET /v1/deliveries: status class and creation time', () => {
  it('filters by the last attempt’s status class and by [since, until); bad values are a 400 naming the field', async () => {
    const t = await stack.tenant('log-class');
    receiver.on('/class-ok', () => ({ status: 204 }));
    receiver.on('/class-4xx', () => ({ status: 422 }));
    const okSub = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/class-ok`, event_types: ['user.*'] });
    const bad = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/class-4xx`, event_types: ['user.*'], retry_policy: 'none' });
    // Nothing listens on port 9: a connection error, no HTTP answer.
    const down = await stack.api.subscribe(t.api_key, { url: 'http://127.0.0.1:9/down', event_types: ['user.*'], retry_policy: 'none' });
    const before = new Date().toISOString();
    await stack.postEvent(t.id, 'class-1', { type: 'user.created' });
    await stack.settle(t.id, 'class-1');
    const list = (query: Record<string, string>) =>
      ok(stack.api.as(t.api_key).GET('/v1/deliveries', { params: { query } })).then((p) => p.data.map((d) => d.subscription_id));

    expect(await list({ status_class: '2xx' })).toEqual([okSub.id]);
    expect(await list({ status_class: '4xx' })).toEqual([bad.id]);
    expect(await list({ status_class: 'network' })).toEqual([down.id]);
    expect(await list({ status_class: '5xx' })).toEqual([]);
    expect((await list({ since: before })).sort()).toEqual([okSub.id, bad.id, down.id].sort());
    expect(await list({ until: before })).toEqual([]);
    expect(await list({ since: before, status_class: '2xx', event_type: 'user.created' })).toEqual([okSub.id]);

    for (const [query, field] of [
      ['status_class=3xxx', 'status_class'],
      ['since=yesterday', 'since'],
      [`since=${before}&until=${before}`, 'until'],
    ] as const) {
      const res = await stack.api.call('GET', `/v1/deliveries?${query.replaceAll('+', '%2B')}`, t.api_key);
      expect(res.status, query).toBe(400);
      expect(
        res.body.error.details.map((d: { path: string }) => d.path),
        query,
      ).toContain(field);
    }
  });
});
