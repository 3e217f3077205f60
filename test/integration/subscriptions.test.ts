import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
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
    const full = {
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
    const res = await stack.api.call('POST', '/v1/subscriptions', t.api_key, full);
    expect(res.status).toBe(201);
    const { secret, previous_secrets, public_key, ...rest } = res.body;
    // What the server sets (ids, times, state) aside, the subscription is exactly what was sent.
    const fields = Object.fromEntries(
      Object.entries(rest).filter(([key]) => !['id', 'created_at', 'updated_at', 'disabled_reason', 'category', 'circuit'].includes(key)),
    );
    expect(fields).toEqual(full);
    expect(secret).toMatch(/^whsec_/);
    expect(public_key).toBeNull();
    expect(previous_secrets).toEqual([]);
    for (const timeout of [1000, 60000]) {
      expect((await stack.api.call('POST', '/v1/subscriptions', t.api_key, { url, timeout_ms: timeout })).status).toBe(201);
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
    let expected = (await stack.api.call('GET', `/v1/subscriptions/${sub.id}`, t.api_key)).body;
    for (const [field, value] of Object.entries(changes)) {
      const res = await stack.api.call('PATCH', `/v1/subscriptions/${sub.id}`, t.api_key, { [field]: value });
      expect(res.status, field).toBe(200);
      expected = { ...expected, [field]: value, updated_at: res.body.updated_at, disabled_reason: res.body.disabled_reason };
      expect(res.body, field).toEqual(expected);
    }
    const invalid = await stack.api.call('PATCH', `/v1/subscriptions/${sub.id}`, t.api_key, { timeout_ms: 5, secret: 'x' });
    expect(invalid.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['secret', 'timeout_ms']);
  });
});

describe('PUT /v1/webhooks/:category (Rollee style)', () => {
  it('creates then replaces the one subscription of each category and environment', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const first = await stack.api.call('PUT', '/v1/webhooks/users', t.api_key, { url, method: 'POST', headers: { your_header: 'a' } });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ event_types: ['user.*'], environment: 'production', category: 'users', headers: { your_header: 'a' } });
    expect(first.body.secret).toMatch(/^whsec_/);
    const second = await stack.api.call('PUT', '/v1/webhooks/users', t.api_key, { url: 'https://example.org/v2', method: 'PUT' });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ id: first.body.id, url: 'https://example.org/v2', method: 'PUT', headers: {} });
    expect(second.body.secret).toBeUndefined();
    const sandbox = await stack.api.call('PUT', '/v1/webhooks/users?environment=sandbox', t.api_key, { url });
    expect(sandbox.status).toBe(201);
    expect(sandbox.body.id).not.toBe(first.body.id);
    for (const [category, type] of [
      ['accounts', 'account.*'],
      ['endpoints', 'endpoint.*'],
    ]) {
      const res = await stack.api.call('PUT', `/v1/webhooks/${category}`, t.api_key, { url });
      expect(res.body.event_types).toEqual([type]);
    }
    const all = await stack.api.call('GET', '/v1/subscriptions', t.api_key);
    expect(all.body.data).toHaveLength(4);
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

    const routes = (await stack.api.call('GET', '/openapi.json')).body.paths as Record<string, Record<string, { security?: unknown[] }>>;
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
    for (const path of ['/v1/subscriptions', `/v1/deliveries?event_id=evt-tenancy`, `/v1/deliveries?subscription_id=${sub.id}`]) {
      expect((await stack.api.call('GET', path, b.api_key)).body.data, path).toEqual([]);
    }
    // The audit log shows B its own entries only, however it asks for A's.
    for (const path of ['/v1/audit', `/v1/audit?tenant_id=${a.id}`, `/v1/audit?object_id=${sub.id}`, `/v1/audit?object_id=${deliveryId}`]) {
      const res = await stack.api.call('GET', path, b.api_key);
      expect(res.status, path).toBe(200);
      expect(
        res.body.data.every((entry: { tenant_id: string }) => entry.tenant_id === b.id),
        path,
      ).toBe(true);
      expect(JSON.stringify(res.body), path).not.toContain(a.id);
    }
    expect((await stack.api.call('GET', `/v1/audit?object_id=${sub.id}`, a.api_key)).body.data.length).toBeGreaterThan(0);
    // And A's objects are untouched.
    expect((await stack.api.call('GET', `/v1/subscriptions/${sub.id}`, a.api_key)).body.enabled).toBe(true);
    expect((await stack.api.call('GET', `/v1/deliveries/${deliveryId}`, a.api_key)).status).toBe(200);
  });
});

describe('credentials in logs', () => {
  it('never writes an API key, a secret or the authorization header', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const sub = await stack.api.subscribe(t.api_key, { url });
    const rotated = await stack.api.call('POST', `/v1/subscriptions/${sub.id}/rotate-secret`, t.api_key);
    await stack.api.call('GET', '/v1/subscriptions', 'hr_wrong_key_for_the_log');
    const log = logLines.join('');
    // Every request has its access line (at trace, this logger's level), and none carries headers or bodies.
    expect(log).toContain('"url":"/v1/subscriptions"');
    expect(log).toContain('"statusCode":401');
    expect(log).not.toContain('"headers"');
    for (const secret of [stack.adminToken, t.api_key, sub.secret, rotated.body.secret, 'hr_wrong_key_for_the_log']) {
      expect(log).not.toContain(secret);
    }
  });
});
