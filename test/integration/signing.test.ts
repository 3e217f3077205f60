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
      url: `${receiver.url}/signed`,
      method: 'PUT',
      headers: { 'X-Customer': 'acme', authorization: 'Bearer theirs' },
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
    const [withData, topLevel] = receiver
      .forPath('/mapped')
      .sort((a, b) => String(a.headers['webhook-id']).localeCompare(String(b.headers['webhook-id'])));
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
    expect(
      (await stack.api.call('POST', '/v1/subscriptions', t.api_key, { url: 'https://example.com', headers: { 'bad header': 'v' } })).status,
    ).toBe(400);
  });
});

/** The request's webhook-signature entries, in order. */
const signatures = (req: { headers: Record<string, unknown> }) => String(req.headers['webhook-signature']).split(' ');

/** Verifies the request against one entry of its signature header only: which secret signed that entry. */
function verifyEntry(secret: string, req: { body: string; headers: Record<string, unknown> }, entry: number) {
  return verify(secret, { ...req, headers: { ...req.headers, 'webhook-signature': signatures(req)[entry] } });
}

const rotate = async (apiKey: string, id: string) => {
  const { data, response } = await stack.api.as(apiKey).POST('/v1/subscriptions/{id}/rotate-secret', { params: { path: { id } } });
  expect(response.status).toBe(200);
  // An hmac-sha256 subscription: the answer carries the new secret.
  return { ...data!, secret: data!.secret! };
};

/** The subscription as GET /v1/subscriptions/:id answers it. */
const read = async (apiKey: string, id: string) => (await stack.api.as(apiKey).GET('/v1/subscriptions/{id}', { params: { path: { id } } })).data!;

/** Hours from now to an ISO time. */
const hoursLeft = (iso: string) => (Date.parse(iso) - Date.now()) / 3_600_000;

describe('secret rotation', () => {
  it('signs with both secrets for 24 h, then with the new one only', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const sub = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/rotate` });
    expect(sub.previous_secrets).toEqual([]);
    const rotated = await rotate(t.api_key, sub.id);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(sub.secret);
    expect(rotated.previous_secrets).toHaveLength(1);
    expect(hoursLeft(rotated.previous_secrets[0]!.expires_at)).toBeGreaterThan(23.9);
    expect(hoursLeft(rotated.previous_secrets[0]!.expires_at)).toBeLessThanOrEqual(24);
    expect(rotated.dropped_previous_secrets).toEqual([]);
    expect(rotated.warning).toBeUndefined();

    await send(t, 'evt-rot-1');
    const during = receiver.forPath('/rotate')[0]!;
    expect(signatures(during)).toHaveLength(2);
    expect(verify(sub.secret, during)).toEqual({ n: 1 });
    expect(verify(rotated.secret, during)).toEqual({ n: 1 });

    const { rows } = await stack.pool.query(
      `SELECT (previous_secrets -> 0 ->> 'expires_at')::timestamptz - now() AS grace FROM subscriptions WHERE id = $1`,
      [sub.id],
    );
    expect(rows[0].grace.hours).toBe(23);

    // 24 h later: the old secret no longer signs, and the subscription lists no previous secret.
    await stack.pool.query(
      `UPDATE subscriptions SET previous_secrets = jsonb_set(previous_secrets, '{0,expires_at}', to_jsonb(now() - interval '1 second')) WHERE id = $1`,
      [sub.id],
    );
    await send(t, 'evt-rot-2');
    const after = receiver.forPath('/rotate')[1]!;
    expect(signatures(after)).toHaveLength(1);
    expect(verify(rotated.secret, after)).toEqual({ n: 1 });
    expect(() => verify(sub.secret, after)).toThrow();
    expect((await read(t.api_key, sub.id)).previous_secrets).toEqual([]);
  });

  it('keeps every replaced secret signing for 24 h from its own replacement, at most 3, and says which it dropped', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const sub = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/rotate-often` });
    const secrets = [sub.secret];
    const answers = [];
    for (let i = 0; i < 3; i++) {
      const answer = await rotate(t.api_key, sub.id);
      secrets.push(answer.secret);
      answers.push(answer);
      expect(answer.previous_secrets).toHaveLength(i + 1);
      expect(answer.dropped_previous_secrets).toEqual([]);
      expect(answer.warning).toBeUndefined();
    }
    // Rotated twice: the first replaced secret kept its own expiry, the second did not cut it short.
    expect(answers[1]!.previous_secrets[1]).toEqual(answers[0]!.previous_secrets[0]);
    expect(answers[2]!.previous_secrets.slice(1)).toEqual(answers[1]!.previous_secrets);

    // The subscription shows each previous secret's expiry, newest first, and never a secret.
    const shown = await read(t.api_key, sub.id);
    expect(shown.previous_secrets).toEqual(answers[2]!.previous_secrets);
    const expiries = shown.previous_secrets.map((p) => Date.parse(p.expires_at));
    expect([...expiries].sort((a, b) => b - a)).toEqual(expiries);
    for (const p of shown.previous_secrets) expect(Object.keys(p)).toEqual(['expires_at']);
    const listed = (await stack.api.as(t.api_key).GET('/v1/subscriptions')).data;
    for (const body of [shown, listed]) {
      for (const secret of secrets) expect(JSON.stringify(body)).not.toContain(secret.slice('whsec_'.length));
    }

    // Delivered after three rotations: one entry per secret, current first then newest first, each one verifies.
    await send(t, 'evt-rot-often-1');
    const three = receiver.forPath('/rotate-often')[0]!;
    expect(signatures(three)).toHaveLength(4);
    const newestFirst = [...secrets].reverse();
    newestFirst.forEach((secret, i) => expect(verifyEntry(secret, three, i), `entry ${i}`).toEqual({ n: 1 }));
    for (const secret of secrets) expect(verify(secret, three)).toEqual({ n: 1 });

    // A fourth rotation within 24 h: the oldest replaced secret (the one created with the subscription) is dropped, and the answer says so.
    const fourth = await rotate(t.api_key, sub.id);
    secrets.push(fourth.secret);
    expect(fourth.previous_secrets).toHaveLength(3);
    expect(fourth.previous_secrets.slice(1)).toEqual(answers[2]!.previous_secrets.slice(0, 2));
    expect(fourth.dropped_previous_secrets).toEqual([answers[0]!.previous_secrets[0]]);
    expect(fourth.warning).toContain(answers[0]!.previous_secrets[0]!.expires_at);
    expect(fourth.warning).toMatch(/no longer signs \(at most 3 previous secrets sign at once\)/);
    await send(t, 'evt-rot-often-2');
    const four = receiver.forPath('/rotate-often')[1]!;
    expect(signatures(four)).toHaveLength(4);
    for (const secret of secrets.slice(1)) expect(verify(secret, four)).toEqual({ n: 1 });
    expect(() => verify(secrets[0]!, four)).toThrow();

    // A previous secret past its expiry (the middle one here) leaves the header at once, and the read.
    await stack.pool.query(
      `UPDATE subscriptions SET previous_secrets = jsonb_set(previous_secrets, '{1,expires_at}', to_jsonb(now() - interval '1 second')) WHERE id = $1`,
      [sub.id],
    );
    await send(t, 'evt-rot-often-3');
    const expired = receiver.forPath('/rotate-often')[2]!;
    expect(signatures(expired)).toHaveLength(3);
    const [, s1, s2, s3, s4] = secrets;
    for (const secret of [s4!, s3!, s1!]) expect(verify(secret, expired)).toEqual({ n: 1 });
    expect(() => verify(s2!, expired)).toThrow();
    expect(verifyEntry(s4!, expired, 0)).toEqual({ n: 1 });
    expect(verifyEntry(s3!, expired, 1)).toEqual({ n: 1 });
    expect(verifyEntry(s1!, expired, 2)).toEqual({ n: 1 });
    const afterExpiry = await read(t.api_key, sub.id);
    expect(afterExpiry.previous_secrets).toEqual([fourth.previous_secrets[0], fourth.previous_secrets[2]]);

    // The next rotation has room again: an expired secret is removed, never reported as dropped.
    const fifth = await rotate(t.api_key, sub.id);
    expect(fifth.previous_secrets).toHaveLength(3);
    expect(fifth.dropped_previous_secrets).toEqual([]);
    expect(fifth.warning).toBeUndefined();
    const { rows } = await stack.pool.query(`SELECT jsonb_array_length(previous_secrets) AS n FROM subscriptions WHERE id = $1`, [sub.id]);
    expect(rows[0].n).toBe(3);
  });

  it('answers 404 for a subscription of another tenant, and rotates nothing', async () => {
    const owner = await stack.api.createTenant(stack.adminToken);
    const other = await stack.api.createTenant(stack.adminToken);
    const sub = await stack.api.subscribe(owner.api_key, { url: `${receiver.url}/rotate-foreign` });
    const stored = () => stack.pool.query(`SELECT secret_encrypted, previous_secrets FROM subscriptions WHERE id = $1`, [sub.id]);
    const before = (await stored()).rows[0];
    const res = await stack.api.call('POST', `/v1/subscriptions/${sub.id}/rotate-secret`, other.api_key);
    expect(res.status).toBe(404);
    expect((await stored()).rows[0]).toEqual({ secret_encrypted: before.secret_encrypted, previous_secrets: [] });
  });
});
