// ed25519 subscriptions (Standard Webhooks `v1a`), verified with an independent implementation (@noble/ed25519).
import { describe, expect, it } from 'vitest';
import * as ed from '@noble/ed25519';
import { useStack } from '../support/use-stack.js';
import { ok } from '../support/api.js';

const stack = useStack();
const { receiver } = stack;

type Req = { body: string; headers: Record<string, unknown> };

/** The request's webhook-signature entries, in order. */
const entries = (req: Req) => String(req.headers['webhook-signature']).split(' ');

/** Verifies one `v1a,` entry as a receiver holding `whpk_…` would: over "{id}.{timestamp}.{body}". */
async function verifiesWith(publicKey: string, req: Req, entry: string): Promise<boolean> {
  expect(publicKey).toMatch(/^whpk_/);
  const [version, signature] = entry.split(',');
  if (version !== 'v1a') return false;
  const message = new TextEncoder().encode(`${String(req.headers['webhook-id'])}.${String(req.headers['webhook-timestamp'])}.${req.body}`);
  return ed.verifyAsync(Buffer.from(signature!, 'base64'), message, Buffer.from(publicKey.slice('whpk_'.length), 'base64'));
}

/** True when some entry of the request verifies with the public key. */
async function verifies(publicKey: string, req: Req): Promise<boolean> {
  for (const entry of entries(req)) if (await verifiesWith(publicKey, req, entry)) return true;
  return false;
}

const rotate = async (apiKey: string, id: string) => {
  const res = await stack.api.as(apiKey).POST('/v1/subscriptions/{id}/rotate-secret', { params: { path: { id } } });
  expect(res.response.status).toBe(200);
  return res.data as { public_key: string; secret?: string; previous_secrets: unknown[]; dropped_previous_secrets: unknown[]; warning?: string };
};

describe('an ed25519 subscription', () => {
  it('shows its public key (never a private key or secret) and signs v1a entries that the public key verifies', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const api = stack.api.as(t.api_key);
    const { data, response } = await api.POST('/v1/subscriptions', { body: { url: `${receiver.url}/ed`, signature: 'ed25519' } });
    expect(response.status).toBe(201);
    const created = data as NonNullable<typeof data> & { public_key: string };
    expect(created.signature).toBe('ed25519');
    expect(created.public_key).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(created.public_key.slice(5), 'base64')).toHaveLength(32);
    expect(created).not.toHaveProperty('secret');
    const read = await stack.api.subscription(t.api_key, created.id);
    expect(read).toMatchObject({ signature: 'ed25519', public_key: created.public_key });
    const listed = await ok(api.GET('/v1/subscriptions'));
    for (const body of [created, read, listed]) expect(JSON.stringify(body)).not.toMatch(/whsk_|whsec_/);

    await stack.deliver(t.id, 'evt-ed-1');
    const [req] = receiver.forPath('/ed');
    expect(entries(req!)).toHaveLength(1);
    expect(entries(req!)[0]).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
    expect(await verifies(created.public_key, req!)).toBe(true);
    // A changed body, or another key, does not verify.
    expect(await verifies(created.public_key, { ...req!, body: `${req!.body} ` })).toBe(false);
    const other = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/ed-other`, signature: 'ed25519', event_types: ['none.here'] });
    expect(await verifies(other.public_key!, req!)).toBe(false);
  });

  it('rotates as HMAC does: the replaced keys keep signing for 24 h beside the new one, at most 3', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const sub = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/ed-rotate`, signature: 'ed25519' });
    const keys = [sub.public_key!];
    const first = await rotate(t.api_key, sub.id);
    expect(first).not.toHaveProperty('secret');
    expect(first.public_key).not.toBe(sub.public_key);
    expect(first.previous_secrets).toHaveLength(1);
    keys.push(first.public_key);
    expect((await stack.api.subscription(t.api_key, sub.id)).public_key).toBe(first.public_key);

    await stack.deliver(t.id, 'evt-ed-rot-1');
    const during = receiver.forPath('/ed-rotate')[0]!;
    expect(entries(during)).toHaveLength(2);
    expect(await verifiesWith(first.public_key, during, entries(during)[0]!)).toBe(true);
    expect(await verifiesWith(sub.public_key!, during, entries(during)[1]!)).toBe(true);

    for (let i = 0; i < 2; i++) keys.push((await rotate(t.api_key, sub.id)).public_key);
    const fourth = await rotate(t.api_key, sub.id);
    keys.push(fourth.public_key);
    expect(fourth.previous_secrets).toHaveLength(3);
    expect(fourth.dropped_previous_secrets).toHaveLength(1);
    expect(fourth.warning).toMatch(/at most 3 previous secrets sign at once/);

    await stack.deliver(t.id, 'evt-ed-rot-2');
    const after = receiver.forPath('/ed-rotate')[1]!;
    expect(entries(after)).toHaveLength(4);
    // Newest first: the current key, then the replaced ones still signing; the first key was dropped.
    const newestFirst = [...keys].reverse();
    for (const [i, key] of newestFirst.slice(0, 4).entries()) expect(await verifiesWith(key, after, entries(after)[i]!), `entry ${i}`).toBe(true);
    expect(await verifies(keys[0]!, after)).toBe(false);
  });

  it('keeps its scheme: a PATCH may repeat it but not change it; an HMAC subscription stays HMAC too', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const ed25519 = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/ed-patch`, signature: 'ed25519' });
    const hmac = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/hmac-patch` });
    expect(hmac).toMatchObject({ signature: 'hmac-sha256', public_key: null });
    expect(hmac.secret).toMatch(/^whsec_/);

    for (const [sub, to] of [
      [ed25519, 'hmac-sha256'],
      [hmac, 'ed25519'],
    ] as const) {
      const refused = await stack.api.call('PATCH', `/v1/subscriptions/${sub.id}`, t.api_key, { signature: to, description: 'x' });
      expect(refused.status).toBe(400);
      expect(refused.body.error.details).toEqual([{ path: 'signature', message: expect.stringContaining('cannot change') }]);
      expect((await stack.api.subscription(t.api_key, sub.id)).description).toBeNull();
    }
    const same = await stack.api
      .as(t.api_key)
      .PATCH('/v1/subscriptions/{id}', { params: { path: { id: ed25519.id } }, body: { signature: 'ed25519', description: 'kept' } });
    expect(same.response.status).toBe(200);
    expect(same.data).toMatchObject({ signature: 'ed25519', public_key: ed25519.public_key, description: 'kept' });

    const other = await stack.api.createTenant(stack.adminToken);
    expect((await stack.api.call('PATCH', `/v1/subscriptions/${ed25519.id}`, other.api_key, { signature: 'ed25519' })).status).toBe(404);
    expect((await stack.api.call('POST', `/v1/subscriptions/${ed25519.id}/rotate-secret`, other.api_key)).status).toBe(404);

    const rotated = await rotate(t.api_key, hmac.id);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated).not.toHaveProperty('public_key');
  });
});
