import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { RequestBody } from '../../src/client/index.js';
import { createLogger } from '../../src/logger.js';
import { ok } from '../support/api.js';
import { useStack } from '../support/use-stack.js';

const logLines: string[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    logLines.push(String(chunk));
    done();
  },
});
const stack = useStack({ noWorker: true, logger: createLogger('trace', sink) });

const url = 'https://example.com/hook';

describe('subscription fields', () => {
  it('accepts every field at its bounds', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const full: RequestBody<'createSubscription'> = {
      url: `https://example.com/${'p'.repeat(2048 - 'https://example.com/'.length)}`,
      method: 'PUT',
      environment: 'sandbox',
      event_types: Array.from({ length: 50 }, (_, i) => `type${i}.*`),
      headers: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`x-h${i}`, 'v'])),
      field_map: { a: 'b' },
      retry_policy: {
        initial_interval: '1h',
        backoff_coefficient: 10,
        maximum_interval: '24h',
        maximum_attempts: 1000,
        max_duration: '7d',
        non_retryable_statuses: [400],
      },
      timeout_ms: 60000,
      enabled: false,
      description: 'all fields',
      rate_limit: { requests: 100000, per: '1h' },
      ordering: 'fifo',
      max_in_flight: 1000,
      signature: 'hmac-sha256',
    };
    const api = stack.api.as(t.api_key);
    const res = await api.POST('/v1/subscriptions', { body: full });
    expect(res.response.status).toBe(201);
    const { secret, previous_secrets, public_key, ...rest } = res.data!;
    // What the server sets (ids, times, state) aside, the subscription is exactly what was sent.
    const fields = Object.fromEntries(
      Object.entries(rest).filter(
        ([key]) => !['id', 'created_at', 'updated_at', 'disabled_reason', 'failing_since', 'category', 'circuit'].includes(key),
      ),
    );
    expect(fields).toEqual(full);
    expect(secret).toMatch(/^whsec_/);
    expect(public_key).toBeNull();
    expect(previous_secrets).toEqual([]);
    for (const timeout of [1000, 60000]) {
      expect((await api.POST('/v1/subscriptions', { body: { url, timeout_ms: timeout } })).response.status).toBe(201);
    }
  });

  it.each([
    ['url', { url: `https://example.com/${'p'.repeat(2048)}` }],
    ['url', { url: 'not a url' }],
    ['url', { url: 'file:///etc/passwd' }],
    ['method', { method: 'DELETE' }],
    ['environment', { environment: 'staging' }],
    ['event_types', { event_types: [] }],
    ['event_types', { event_types: Array.from({ length: 51 }, (_, i) => `t${i}`) }],
    ['event_types.0', { event_types: ['user.**'] }],
    ['headers', { headers: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`x-h${i}`, 'v'])) }],
    ['headers.host', { headers: { host: 'evil' } }],
    ['field_map.a', { field_map: { a: '' } }],
    ['retry_policy', { retry_policy: 'sometimes' }],
    ['retry_policy.maximum_attempts', { retry_policy: { maximum_attempts: 0 } }],
    ['timeout_ms', { timeout_ms: 999 }],
    ['timeout_ms', { timeout_ms: 60001 }],
    ['enabled', { enabled: 'yes' }],
    ['description', { description: 'd'.repeat(1001) }],
    ['secret', { secret: 'whsec_mine' }],
    ['signature', { signature: 'rsa' }],
    ['public_key', { public_key: 'whpk_mine' }],
  ])('refuses %s out of bounds', async (path, body) => {
    const t = await stack.api.createTenant(stack.adminToken);
    const res = await stack.api.call('POST', '/v1/subscriptions', t.api_key, { url, ...body });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
  });

  it('PATCHes each field alone and leaves the others as they were', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const sub = await stack.api.subscribe(t.api_key, { url });
    const changes: Record<string, unknown> = {
      url: 'https://example.org/new',
      method: 'PUT',
      environment: 'sandbox',
      event_types: ['account.*'],
      headers: { 'x-new': '1' },
      field_map: { a: 'b' },
      retry_policy: 'three_retries',
      timeout_ms: 2000,
      enabled: false,
      description: 'changed',
    };
    const api = stack.api.as(t.api_key);
    const path = { id: sub.id };
    let expected: Record<string, unknown> = await ok(api.GET('/v1/subscriptions/{id}', { params: { path } }));
    for (const [field, value] of Object.entries(changes)) {
      const res = await api.PATCH('/v1/subscriptions/{id}', { params: { path }, body: { [field]: value } as RequestBody<'updateSubscription'> });
      expect(res.response.status, field).toBe(200);
      expected = { ...expected, [field]: value, updated_at: res.data?.updated_at, disabled_reason: res.data?.disabled_reason };
      expect(res.data, field).toEqual(expected);
    }
    const invalid = await stack.api.call('PATCH', `/v1/subscriptions/${sub.id}`, t.api_key, { timeout_ms: 5, secret: 'x' });
    expect(invalid.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['secret', 'timeout_ms']);
  });
});

describe('PUT /v1/webhooks/:category (Rollee style)', () => {
  it('creates then replaces the one subscription of each category and environment', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const api = stack.api.as(t.api_key);
    const users = { path: { category: 'users' as const } };
    const first = await api.PUT('/v1/webhooks/{category}', { params: users, body: { url, method: 'POST', headers: { your_header: 'a' } } });
    expect(first.response.status).toBe(201);
    expect(first.data).toMatchObject({ event_types: ['user.*'], environment: 'production', category: 'users', headers: { your_header: 'a' } });
    expect((first.data as { secret?: string } | undefined)?.secret).toMatch(/^whsec_/);
    const second = await api.PUT('/v1/webhooks/{category}', { params: users, body: { url: 'https://example.org/v2', method: 'PUT' } });
    expect(second.response.status).toBe(200);
    expect(second.data).toMatchObject({ id: first.data!.id, url: 'https://example.org/v2', method: 'PUT', headers: {} });
    expect(second.data).not.toHaveProperty('secret');
    const sandbox = await api.PUT('/v1/webhooks/{category}', { params: { ...users, query: { environment: 'sandbox' } }, body: { url } });
    expect(sandbox.response.status).toBe(201);
    expect(sandbox.data!.id).not.toBe(first.data!.id);
    for (const [category, type] of [
      ['accounts', 'account.*'],
      ['endpoints', 'endpoint.*'],
    ] as const) {
      const res = await ok(api.PUT('/v1/webhooks/{category}', { params: { path: { category } }, body: { url } }));
      expect(res.event_types).toEqual([type]);
    }
    const all = await ok(api.GET('/v1/subscriptions'));
    expect(all.data).toHaveLength(4);
    expect((await stack.api.call('PUT', '/v1/webhooks/payments', t.api_key, { url })).status).toBe(400);
    expect((await stack.api.call('PUT', '/v1/webhooks/users?environment=qa', t.api_key, { url })).status).toBe(400);
  });
});

describe('tenancy', () => {
  it("answers 404 on every tenant route tried with another tenant's key", async () => {
    const a = await stack.api.createTenant(stack.adminToken, 'A');
    const b = await stack.api.createTenant(stack.adminToken, 'B');
    const sub = await stack.api.subscribe(a.api_key, { url });
    await stack.pool.query(
      `INSERT INTO events (tenant_id, id, environment, type, payload, workflow_id) VALUES ($1, 'evt-tenancy', 'production', 'a.b', '{}', 'w')`,
      [a.id],
    );
    const { rows } = await stack.pool.query(
      `INSERT INTO deliveries (id, tenant_id, event_id, subscription_id, workflow_id, status) VALUES ('dlv_tenancy', $1, 'evt-tenancy', $2, 'w', 'failed') RETURNING id`,
      [a.id, sub.id],
    );
    const deliveryId = rows[0].id;

    const routes = (await stack.api.document()).paths as Record<string, Record<string, { security?: unknown[] }>>;
    const objectRoutes = Object.entries(routes).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.security?.length && path.includes('{'))
        .map(([method]) => [method.toUpperCase(), path] as const),
    );
    const concrete = (path: string) =>
      path
        .replace('/v1/subscriptions/{id}', `/v1/subscriptions/${sub.id}`)
        .replace('/v1/deliveries/{id}', `/v1/deliveries/${deliveryId}`)
        .replace('/v1/events/{id}', '/v1/events/evt-tenancy');
    const bodies: Record<string, unknown> = { PATCH: { enabled: false } };
    const tried: string[] = [];
    for (const [method, path] of objectRoutes) {
      // Admin-only routes (portal links, producer keys) answer a tenant key 403 whatever the id.
      if (path.includes('{category}') || ['/v1/tenants/', '/v1/event-types/', '/v1/keys/'].some((admin) => path.startsWith(admin))) continue;
      const target = concrete(path);
      const body = path.endsWith('/recover') ? { since: new Date(Date.now() - 60_000).toISOString() } : bodies[method];
      const res = await stack.api.call(method, target, b.api_key, body);
      expect(res.status, `${method} ${target}`).toBe(404);
      expect(JSON.stringify(res.body ?? {})).not.toContain(a.id);
      tried.push(`${method} ${path}`);
    }
    expect(tried.sort()).toEqual([
      'DELETE /v1/subscriptions/{id}',
      'GET /v1/deliveries/{id}',
      'GET /v1/events/{id}',
      'GET /v1/subscriptions/{id}',
      'GET /v1/subscriptions/{id}/stats',
      'PATCH /v1/subscriptions/{id}',
      'POST /v1/deliveries/{id}/redeliver',
      'POST /v1/subscriptions/{id}/recover',
      'POST /v1/subscriptions/{id}/rotate-secret',
      'POST /v1/subscriptions/{id}/test',
    ]);
    // Lists and filters show B nothing of A's.
    const asA = stack.api.as(a.api_key);
    const asB = stack.api.as(b.api_key);
    expect((await ok(asB.GET('/v1/subscriptions'))).data, 'subscriptions').toEqual([]);
    for (const query of [{ event_id: 'evt-tenancy' }, { subscription_id: sub.id }]) {
      expect((await ok(asB.GET('/v1/deliveries', { params: { query } }))).data, JSON.stringify(query)).toEqual([]);
    }
    // The audit log shows B its own entries only, however it asks for A's.
    for (const query of [{}, { tenant_id: a.id }, { object_id: sub.id }, { object_id: deliveryId as string }]) {
      const res = await asB.GET('/v1/audit', { params: { query } });
      const what = JSON.stringify(query);
      expect(res.response.status, what).toBe(200);
      expect(
        res.data?.data.every((entry) => entry.tenant_id === b.id),
        what,
      ).toBe(true);
      expect(JSON.stringify(res.data), what).not.toContain(a.id);
    }
    expect((await ok(asA.GET('/v1/audit', { params: { query: { object_id: sub.id } } }))).data.length).toBeGreaterThan(0);
    // And A's objects are untouched.
    expect((await ok(asA.GET('/v1/subscriptions/{id}', { params: { path: { id: sub.id } } }))).enabled).toBe(true);
    expect((await asA.GET('/v1/deliveries/{id}', { params: { path: { id: deliveryId as string } } })).response.status).toBe(200);
  });
});

describe('credentials in logs', () => {
  it('never writes an API key, a secret or the authorization header', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const sub = await stack.api.subscribe(t.api_key, { url });
    const rotated = await ok(stack.api.as(t.api_key).POST('/v1/subscriptions/{id}/rotate-secret', { params: { path: { id: sub.id } } }));
    await stack.api.call('GET', '/v1/subscriptions', 'hr_wrong_key_for_the_log');
    const log = logLines.join('');
    // Every request has its access line (at trace, this logger's level), and none carries headers or bodies.
    expect(log).toContain('"url":"/v1/subscriptions"');
    expect(log).toContain('"statusCode":401');
    expect(log).not.toContain('"headers"');
    for (const secret of [stack.adminToken, t.api_key, sub.secret, rotated.secret, 'hr_wrong_key_for_the_log']) {
      expect(log).not.toContain(secret);
    }
  });
});
