import dns from 'node:dns/promises';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { forbiddenRange } from '../../src/delivery/address-policy.js';
import { newId } from '../../src/db/ids.js';
import { useStack } from '../support/use-stack.js';

// The guard's own tests turn it on: every other stack runs with ALLOW_PRIVATE_TARGETS=true.
const stack = useStack({ env: { ALLOW_PRIVATE_TARGETS: 'false' } });
const { receiver } = stack;

const port = () => new URL(receiver.url).port;

describe('SSRF guard, on by default', () => {
  it.each([
    'http://127.0.0.1/x',
    'http://10.0.0.1/x',
    'http://172.16.0.1/x',
    'http://192.168.1.1/x',
    'http://169.254.169.254/latest/meta-data',
    'http://100.64.0.1/x',
    'http://224.0.0.1/x',
    'http://0.0.0.0/x',
    'http://[::1]/x',
    'http://[fe80::1]/x',
    'http://[fc00::1]/x',
    'http://[::ffff:127.0.0.1]/x',
    'http://[::ffff:a00:1]/x',
    'http://[::]/x',
    'http://localhost:8080/x',
  ])('refuses to create a subscription to %s', async (url) => {
    const t = await stack.api.createTenant(stack.adminToken);
    const res = await stack.api.call('POST', '/v1/subscriptions', t.api_key, { url });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('url');
  });

  it('refuses a PATCH and a category webhook to a private literal', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const sub = await stack.api.subscribe(t.api_key, { url: 'https://example.com/hook' });
    expect((await stack.api.call('PATCH', `/v1/subscriptions/${sub.id}`, t.api_key, { url: 'http://192.168.0.10/' })).status).toBe(400);
    expect((await stack.api.call('PUT', '/v1/webhooks/users', t.api_key, { url: 'http://10.1.1.1/' })).status).toBe(400);
  });

  async function subscribeBehindTheApi(tenantId: string, url: string): Promise<string> {
    const id = newId('sub');
    await stack.pool.query(
      `INSERT INTO subscriptions (id, tenant_id, environment, url, method, event_types, retry_policy, timeout_ms, secret)
       VALUES ($1, $2, 'production', $3, 'POST', '{*}', '{"initial_interval":"1s","maximum_attempts":5}', 5000, 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')`,
      [id, tenantId, url],
    );
    return id;
  }

  it('refuses at delivery a host name that resolves to loopback, records ssrf_blocked and does not retry', async () => {
    const host = os.hostname();
    const { address } = await dns.lookup(host);
    expect(forbiddenRange(address), `${host} must resolve to a special address on this machine for this test`).toBeDefined();

    const t = await stack.api.createTenant(stack.adminToken);
    // Stored as if it had passed the create-time check (which sees only literals): the connect-time check must hold.
    await subscribeBehindTheApi(t.id, `http://${host}:${port()}/by-name`);
    await subscribeBehindTheApi(t.id, `http://[::ffff:127.0.0.1]:${port()}/mapped-literal`);
    await stack.api.postEvent(stack.adminToken, { id: 'ssrf-1', tenant_id: t.id, environment: 'production', type: 'a.b', payload: {} });
    const result = await stack.settle(t.id, 'ssrf-1');
    expect(result.outcome).toBe('failed');
    const { rows } = await stack.pool.query(
      `SELECT a.number, a.error_class, a.status_code FROM attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.event_id = 'ssrf-1'`,
    );
    expect(rows).toEqual([
      { number: 1, error_class: 'ssrf_blocked', status_code: null },
      { number: 1, error_class: 'ssrf_blocked', status_code: null },
    ]);
    expect(receiver.received).toHaveLength(0);
  });
});
