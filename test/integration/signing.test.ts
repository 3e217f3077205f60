import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { useStack } from '../support/use-stack.js';

const stack = useStack();
const { receiver } = stack;

/** Verifies exactly as a receiver would: the raw body and the three webhook-* headers. */
function verify(secret: string, req: { body: string; headers: Record<string, unknown> }) {
  return new Webhook(secret).verify(req.body, {
    'webhook-id': String(req.headers['webhook-id']),
    'webhook-timestamp': String(req.headers['webhook-timestamp']),
    'webhook-signature': String(req.headers['webhook-signature']),
  });
}

const send = (t: { id: string }, id: string, type = 'user.created', payload: Record<string, unknown> = { n: 1 }) =>
  stack.deliver(t.id, id, { type, payload });

describe('the request a receiver gets', () => {
  it('is signed the Standard Webhooks way and carries every documented header', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const sub = await stack.api.subscribe(t.api_key, {
      url: `${receiver.url}/signed`, method: 'PUT', headers: { 'X-Customer': 'acme', authorization: 'Bearer theirs' },
    });
    await send(t, 'evt-signed', 'account.updated', { action: 'update_account', data: { id: 'a1' } });
    const [req] = receiver.forPath('/signed');
    expect(req!.method).toBe('PUT');
    expect(req!.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'hookrelay/0.1.0',
      'webhook-id': 'evt-signed',
      'x-hookrelay-event-type': 'account.updated',
      'x-hookrelay-attempt': '1',
      'x-customer': 'acme',
      authorization: 'Bearer theirs',
    });
    expect(Math.abs(Number(req!.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(30);
    expect(verify(sub.secret, req!)).toEqual({ action: 'update_account', data: { id: 'a1' } });
    expect(() => verify(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, req!)).toThrow();
  });

  it('renames fields with field_map: in payload.data when present, else at the top level', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/mapped`, field_map: { first_name: 'firstName', user_id: 'userId' } });
    await send(t, 'evt-map-data', 'user.updated', { data: { first_name: 'Juliet', email: 'j@x' }, meta: { operation: 'data_update' } });
    await send(t, 'evt-map-top', 'user.deleted', { user_id: 'u1', first_name: 'J' });
    const [withData, topLevel] = receiver.forPath('/mapped').sort((a, b) => String(a.headers['webhook-id']).localeCompare(String(b.headers['webhook-id'])));
    expect(JSON.parse(withData!.body)).toEqual({ data: { firstName: 'Juliet', email: 'j@x' }, meta: { operation: 'data_update' } });
    expect(JSON.parse(topLevel!.body)).toEqual({ userId: 'u1', firstName: 'J' });
  });

  it('refuses reserved header names at create and at patch', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    for (const name of ['Content-Type', 'host', 'content-length', 'User-Agent', 'webhook-id', 'Webhook-Signature', 'x-hookrelay-attempt']) {
      const created = await stack.api.call('POST', '/v1/subscriptions', t.api_key, { url: 'https://example.com', headers: { [name]: 'x' } });
      expect(created.status, name).toBe(400);
      expect(created.body.error.details[0].path).toBe(`headers.${name}`);
    }
    const sub = await stack.api.subscribe(t.api_key, { url: 'https://example.com' });
    const patched = await stack.api.call('PATCH', `/v1/subscriptions/${sub.id}`, t.api_key, { headers: { 'webhook-timestamp': '1' } });
    expect(patched.status).toBe(400);
    expect(patched.body.error.details[0].path).toBe('headers.webhook-timestamp');
    const tooMany = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`x-h${i}`, 'v']));
    expect((await stack.api.call('POST', '/v1/subscriptions', t.api_key, { url: 'https://example.com', headers: tooMany })).status).toBe(400);
    expect((await stack.api.call('POST', '/v1/subscriptions', t.api_key, { url: 'https://example.com', headers: { 'bad header': 'v' } })).status).toBe(400);
  });
});

describe('secret rotation', () => {
  it('signs with both secrets for 24 h, then with the new one only', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const sub = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/rotate` });
    const rotated = await stack.api.call('POST', `/v1/subscriptions/${sub.id}/rotate-secret`, t.api_key);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(sub.secret);

    await send(t, 'evt-rot-1');
    const during = receiver.forPath('/rotate')[0]!;
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(sub.secret, during)).toEqual({ n: 1 });
    expect(verify(rotated.body.secret, during)).toEqual({ n: 1 });

    const { rows } = await stack.pool.query(
      `SELECT previous_secret_until - now() AS grace FROM subscriptions WHERE id = $1`, [sub.id]);
    expect(rows[0].grace.hours).toBe(23);

    // 24 h later: the old secret no longer signs.
    await stack.pool.query(`UPDATE subscriptions SET previous_secret_until = now() - interval '1 second' WHERE id = $1`, [sub.id]);
    await send(t, 'evt-rot-2');
    const after = receiver.forPath('/rotate')[1]!;
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(verify(rotated.body.secret, after)).toEqual({ n: 1 });
    expect(() => verify(sub.secret, after)).toThrow();
  });
});
