import { describe, expect, it } from 'vitest';
import { freePort } from '../../tools/ports.js';
import { ok } from '../support/api.js';
import { startStack } from '../support/stack.js';
import { useStack } from '../support/use-stack.js';

const stack = useStack({ noWorker: true });

describe('validation', () => {
  it('answers 400 naming every invalid field, unknown fields included', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const res = await stack.api.call('POST', '/v1/subscriptions', t.api_key, {
      url: 'ftp://example.com',
      method: 'GET',
      timeout_ms: 10,
      event_types: ['User.Created'],
      headers: { 'content-type': 'text/plain' },
      retry_policy: { initial_interval: '0s' },
      colour: 'red',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    const paths = res.body.error.details.map((d: { path: string }) => d.path).sort();
    expect(paths).toEqual(
      expect.arrayContaining(['colour', 'event_types.0', 'headers.content-type', 'method', 'retry_policy.initial_interval', 'timeout_ms', 'url']),
    );
  });

  it('refuses a bad event naming its fields', async () => {
    // What no typed client would send: a raw request.
    const res = await stack.api.call('POST', '/v1/events', stack.adminToken, {
      tenant_id: '',
      environment: 'staging',
      type: 'Bad Type',
      payload: [],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['environment', 'payload', 'tenant_id', 'type']);
  });

  it('refuses an event for an unknown tenant, naming tenant_id', async () => {
    const res = await stack.api.postEvent(stack.adminToken, { tenant_id: 'ten_nope', environment: 'production', type: 'a.b', payload: {} });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: 'tenant_id', message: 'no such tenant' }]);
  });

  it('answers 400 for malformed JSON and 415 for a body that is not JSON', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const malformed = await stack.api.call('POST', '/v1/subscriptions', t.api_key, '{"url":', { 'content-type': 'application/json' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('invalid_json');
    const text = await stack.api.call('POST', '/v1/subscriptions', t.api_key, 'url=x', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
  });

  it('applies the documented defaults', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const sub = await stack.api.subscribe(t.api_key, { url: 'https://example.com/hook' });
    expect(sub).toMatchObject({
      method: 'POST',
      environment: 'production',
      event_types: ['*'],
      headers: {},
      field_map: {},
      retry_policy: 'default',
      timeout_ms: 10000,
      enabled: true,
    });
    expect(sub.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(sub.secret.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);
  });
});

describe('auth and tenancy', () => {
  it('needs a token, and the right kind of token', async () => {
    expect((await stack.api.call('GET', '/v1/subscriptions')).status).toBe(401);
    expect((await stack.api.call('GET', '/v1/subscriptions', 'wrong')).status).toBe(401);
    expect((await stack.api.call('POST', '/v1/tenants', 'wrong', { name: 'x' })).status).toBe(401);
    const t = await stack.api.createTenant(stack.adminToken);
    expect((await stack.api.call('POST', '/v1/tenants', t.api_key, { name: 'x' })).status).toBe(403);
  });

  it("answers 404 when tenant B touches tenant A's subscription or event", async () => {
    const a = await stack.api.createTenant(stack.adminToken, 'A');
    const b = await stack.api.createTenant(stack.adminToken, 'B');
    const sub = await stack.api.subscribe(a.api_key, { url: 'https://example.com/a' });
    const asA = stack.api.as(a.api_key);
    const readSub = () => asA.GET('/v1/subscriptions/{id}', { params: { path: { id: sub.id } } });
    expect((await readSub()).response.status).toBe(200);
    for (const [method, body] of [['GET'], ['PATCH', { enabled: false }], ['DELETE']] as const) {
      const res = await stack.api.call(method, `/v1/subscriptions/${sub.id}`, b.api_key, body);
      expect(res.status, method).toBe(404);
      expect(JSON.stringify(res.body)).not.toContain('example.com');
    }
    const list = await ok(stack.api.as(b.api_key).GET('/v1/subscriptions'));
    expect(list.data).toEqual([]);
    await stack.pool.query(
      `INSERT INTO events (tenant_id, id, environment, type, payload, workflow_id) VALUES ($1, 'evt-a', 'production', 'a.b', '{}', 'w')`,
      [a.id],
    );
    expect((await stack.api.call('GET', '/v1/events/evt-a', b.api_key)).status).toBe(404);
    const evtA = { params: { path: { id: 'evt-a' } } };
    expect((await asA.GET('/v1/events/{id}', evtA)).response.status).toBe(200);
    expect((await stack.api.as(stack.adminToken).GET('/v1/events/{id}', evtA)).response.status).toBe(200);
    // A's subscription is unchanged by B's attempts.
    expect((await ok(readSub())).enabled).toBe(true);
  });
});

describe('subscriptions', () => {
  it('creates, reads, patches, pages and deletes', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await stack.api.subscribe(t.api_key, { url: `https://example.com/${i}` })).id);
    const seen: string[] = [];
    const api = stack.api.as(t.api_key);
    let cursor: string | null | undefined = undefined;
    do {
      const page: { data: Array<{ id: string }>; next_cursor: string | null } = await ok(
        api.GET('/v1/subscriptions', { params: { query: { limit: 2, cursor } } }),
      );
      seen.push(...page.data.map((s) => s.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const first = { params: { path: { id: ids[0]! } } };
    const patched = await api.PATCH('/v1/subscriptions/{id}', { ...first, body: { enabled: false, event_types: ['user.*'] } });
    expect(patched.response.status).toBe(200);
    expect(patched.data).toMatchObject({ enabled: false, event_types: ['user.*'], url: 'https://example.com/0' });
    expect(patched.data).not.toHaveProperty('secret');
    expect((await api.DELETE('/v1/subscriptions/{id}', first)).response.status).toBe(204);
    expect((await stack.api.call('GET', `/v1/subscriptions/${ids[0]}`, t.api_key)).status).toBe(404);
    expect((await stack.api.call('GET', '/v1/subscriptions?cursor=garbage', t.api_key)).status).toBe(400);
  });
});

describe('a dependency unreachable', () => {
  it('accepts an event with Temporal unreachable (accept needs only PostgreSQL)', async () => {
    const down = await startStack({ noWorker: true, temporalAddress: `127.0.0.1:${await freePort()}` });
    try {
      const t = await down.api.createTenant(down.adminToken);
      const res = await down.api.postEvent(down.adminToken, { id: 'evt-down', tenant_id: t.id, environment: 'production', type: 'a.b', payload: {} });
      expect(res.status).toBe(202);
      const { rows } = await down.pool.query(`SELECT started_at FROM events WHERE id = 'evt-down'`);
      expect(rows).toEqual([{ started_at: null }]);
    } finally {
      await down.stop();
    }
  });

  it('answers 503 with Retry-After when PostgreSQL is unreachable', async () => {
    const down = await startStack({ noWorker: true, env: { DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/none` } });
    try {
      const res = await down.api.postEvent(down.adminToken, {
        id: 'evt-nodb',
        tenant_id: 'ten_x',
        environment: 'production',
        type: 'a.b',
        payload: {},
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBeTruthy();
      expect(res.body.error.code).toBe('unavailable');
    } finally {
      await down.stop();
    }
  });
});
