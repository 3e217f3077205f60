// Secrets at rest (docs/security.md): what the subscriptions table holds, the sealing of plaintext rows,
// re-encryption under a new key while the service runs, and the check every start makes.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { useStack } from '../support/use-stack.js';
import { ok } from '../support/api.js';
import { newId } from '../../src/db/ids.js';
import { keyUse, resealSubscriptions } from '../../src/db/sealed-subscriptions.js';
import { secretsAtStart } from '../../src/secrets/at-start.js';
import { formatEncryptionKeys, Keyring, newEncryptionKeyEntry, parseEncryptionKeys, type EncryptionKey } from '../../src/secrets/encryption-keys.js';

const keys = (text: string): EncryptionKey[] => {
  const parsed = parseEncryptionKeys(text);
  if ('problems' in parsed) throw new Error(parsed.problems.join('; '));
  return parsed.keys;
};

// The stack seals with "old"; "new" is listed too (to open), as every process is before a re-encryption to it.
const OLD = keys(newEncryptionKeyEntry('old'))[0]!;
const NEW = keys(newEncryptionKeyEntry('new'))[0]!;
const stack = useStack({ env: { HOOKRELAY_ENCRYPTION_KEYS: formatEncryptionKeys([OLD, NEW]) } });
const { receiver } = stack;
/** The keys of an operator who put "new" first. */
const ROTATED = formatEncryptionKeys([NEW, OLD]);

function verify(secret: string, req: { body: string; headers: Record<string, unknown> }) {
  return new Webhook(secret).verify(req.body, {
    'webhook-id': String(req.headers['webhook-id']),
    'webhook-timestamp': String(req.headers['webhook-timestamp']),
    'webhook-signature': String(req.headers['webhook-signature']),
  });
}

const send = (tenantId: string, eventId: string, type = 'user.created') => stack.deliver(tenantId, eventId, { type, payload: { n: 1 } });

/** Every column of the tenant's subscriptions as text, as a database dump or backup holds them. */
async function storedText(tenantId: string): Promise<string> {
  const { rows } = await stack.pool.query<{ row: string }>(`SELECT row_to_json(s)::text AS row FROM subscriptions s WHERE tenant_id = $1`, [
    tenantId,
  ]);
  return rows.map((r) => r.row).join('\n');
}

/** `npm run reencrypt` against the stack's database. */
async function reencrypt(encryptionKeys: string) {
  return promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/bin/reencrypt.ts'], {
    env: { ...process.env, DATABASE_URL: stack.config.databaseUrl, HOOKRELAY_ENCRYPTION_KEYS: encryptionKeys },
  });
}

describe('what the subscriptions table holds', () => {
  it('no signing secret, previous secret or header value in clear; the receiver still verifies and gets its headers', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const credential = `Bearer receiver-credential-${randomBytes(8).toString('hex')}`;
    const sub = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/at-rest`, headers: { authorization: credential, 'x-team': 'growth' } });
    const api = stack.api.as(t.api_key);
    const rotate = (id: string) => ok(api.POST('/v1/subscriptions/{id}/rotate-secret', { params: { path: { id } } }));
    const rotated = (await rotate(sub.id)) as { secret: string };
    const patchedCredential = `key-${randomBytes(8).toString('hex')}`;
    const patched = await api.PATCH('/v1/subscriptions/{id}', {
      params: { path: { id: sub.id } },
      body: { headers: { authorization: credential, 'x-api-key': patchedCredential } },
    });
    expect(patched.response.status).toBe(200);
    expect(patched.data?.headers).toEqual({ authorization: credential, 'x-api-key': patchedCredential });
    const ed = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/at-rest-ed`, signature: 'ed25519' });
    await rotate(ed.id);
    await ok(
      api.PUT('/v1/webhooks/{category}', {
        params: { path: { category: 'users' } },
        body: { url: `${receiver.url}/at-rest-users`, headers: { authorization: credential } },
      }),
    );

    const stored = await storedText(t.id);
    for (const secret of [sub.secret, rotated.secret]) {
      expect(stored).not.toContain(secret.slice('whsec_'.length));
    }
    for (const value of [credential, patchedCredential, 'receiver-credential', 'growth', 'whsec_', 'whsk_']) expect(stored).not.toContain(value);
    const { rows } = await stack.pool.query(
      `SELECT secret, headers, secret_encrypted, headers_encrypted, previous_secrets FROM subscriptions WHERE tenant_id = $1`,
      [t.id],
    );
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row.secret).toBeNull();
      expect(row.headers).toEqual({});
      expect(row.secret_encrypted).toMatch(/^v1:old:[A-Za-z0-9+/=]+$/);
      expect(row.headers_encrypted).toMatch(/^v1:old:/);
      for (const entry of row.previous_secrets) expect(Object.keys(entry).sort()).toEqual(['expires_at', 'secret_encrypted']);
    }

    // The API opens the headers for their tenant; the worker opens them and the keys where it signs.
    expect((await stack.api.subscription(t.api_key, sub.id)).headers).toEqual(patched.data?.headers);
    await send(t.id, 'evt-at-rest');
    const [req] = receiver.forPath('/at-rest');
    expect(req!.headers.authorization).toBe(credential);
    expect(req!.headers['x-api-key']).toBe(patchedCredential);
    expect(verify(sub.secret, req!)).toEqual({ n: 1 });
    expect(verify(rotated.secret, req!)).toEqual({ n: 1 });
    expect(receiver.forPath('/at-rest-users')[0]!.headers.authorization).toBe(credential);
  });

  it('seals a row stored in plaintext (before encryption at rest) at start, and signs with it before and after', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const current = `whsec_${randomBytes(32).toString('base64')}`;
    const previous = `whsec_${randomBytes(32).toString('base64')}`;
    const id = newId('sub');
    await stack.pool.query(
      `INSERT INTO subscriptions (id, tenant_id, environment, url, method, event_types, retry_policy, timeout_ms, secret, headers, previous_secrets)
       VALUES ($1, $2, 'production', $3, 'POST', '{*}', '"none"', 5000, $4, '{"authorization":"Bearer legacy"}',
               jsonb_build_array(jsonb_build_object('secret', $5::text, 'expires_at', now() + interval '1 hour')))`,
      [id, t.id, `${receiver.url}/legacy`, current, previous],
    );
    await send(t.id, 'evt-legacy-1');
    const before = receiver.forPath('/legacy')[0]!;
    expect(before.headers.authorization).toBe('Bearer legacy');
    expect(verify(current, before)).toEqual({ n: 1 });
    expect(verify(previous, before)).toEqual({ n: 1 });

    // What the next start of any process does (and the re-encrypt command).
    await secretsAtStart(stack.pool, stack.config.encryptionKeys, 'test');
    const stored = await storedText(t.id);
    for (const value of [current.slice(6), previous.slice(6), 'Bearer legacy']) expect(stored).not.toContain(value);
    const { rows } = await stack.pool.query(`SELECT secret, headers, previous_secrets FROM subscriptions WHERE id = $1`, [id]);
    expect(rows[0].secret).toBeNull();
    expect(rows[0].headers).toEqual({});
    expect(Object.keys(rows[0].previous_secrets[0]).sort()).toEqual(['expires_at', 'secret_encrypted']);

    await send(t.id, 'evt-legacy-2');
    const after = receiver.forPath('/legacy')[1]!;
    expect(after.headers.authorization).toBe('Bearer legacy');
    expect(verify(current, after)).toEqual({ n: 1 });
    expect(verify(previous, after)).toEqual({ n: 1 });
  });
});

describe('re-encryption under a new key', () => {
  it('moves every value to the newest key while rotations go on; a second run writes nothing', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const subs = [];
    for (let i = 0; i < 6; i++) {
      subs.push(await stack.api.subscribe(t.api_key, { url: `${receiver.url}/reencrypt-${i}`, headers: { authorization: `Bearer r${i}` } }));
    }
    const ed = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/reencrypt-ed`, signature: 'ed25519' });
    const api = stack.api.as(t.api_key);
    const rotate = (id: string) => ok(api.POST('/v1/subscriptions/{id}/rotate-secret', { params: { path: { id } } }));
    await rotate(subs[0]!.id);

    // Batches of one row, each a transaction, while the tenant rotates the same rows: both lock the row first.
    const target = new Keyring(keys(ROTATED));
    const rotations = Promise.all(subs.map(async (sub) => (await rotate(sub.id)) as { secret: string }));
    const [resealed, newest] = await Promise.all([resealSubscriptions(stack.pool, target, { only: 'all', batchSize: 1 }), rotations]);
    expect(resealed.rows).toBeGreaterThan(0);

    // The API still seals new secrets under "old" (its list was not changed): the command moves them too.
    const first = await reencrypt(ROTATED);
    expect(first.stdout).toContain('no value is sealed under another key');
    expect((await keyUse(stack.pool)).map((use) => use.key_id)).toEqual(['new', 'new']);
    const second = await reencrypt(ROTATED);
    expect(second.stdout).toMatch(/^0 subscriptions re-sealed/m);

    // Every value opens under the new key: the latest rotated secrets sign, the headers are the tenant's.
    for (const [i, sub] of subs.entries()) {
      await ok(api.PATCH('/v1/subscriptions/{id}', { params: { path: { id: sub.id } }, body: { event_types: [`re.s${i}`] } }));
    }
    for (const [i] of subs.entries()) await send(t.id, `evt-reencrypt-${i}`, `re.s${i}`);
    for (const [i, secret] of newest.map((r) => r.secret).entries()) {
      const [req] = receiver.forPath(`/reencrypt-${i}`);
      expect(req!.headers.authorization).toBe(`Bearer r${i}`);
      expect(verify(secret, req!)).toEqual({ n: 1 });
    }
    expect((await stack.api.subscription(t.api_key, ed.id)).public_key).toBe(ed.public_key);

    // Only the new key is needed now: a process without "old" starts.
    await expect(secretsAtStart(stack.pool, keys(formatEncryptionKeys([NEW])), 'test')).resolves.toBeInstanceOf(Keyring);
    // Back to "old" first, so that the other tests of this file's stack keep their key.
    await resealSubscriptions(stack.pool, new Keyring([OLD, NEW]), { only: 'all' });
  });
});

describe('a missing or wrong key stops the process at start, naming the variable', () => {
  it('refuses a key list without the key id the stored values are sealed under, or with a wrong key under that id', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/start-check` });
    await expect(secretsAtStart(stack.pool, keys(formatEncryptionKeys([NEW])), 'API')).rejects.toThrow(
      /^HOOKRELAY_ENCRYPTION_KEYS does not open the stored secrets; the API does not start:\n.*sealed under key id "old", which is not in it \(it holds new\)/,
    );
    const wrong = { id: 'old', key: randomBytes(32) };
    await expect(secretsAtStart(stack.pool, [wrong, NEW], 'worker')).rejects.toThrow(/HOOKRELAY_ENCRYPTION_KEYS[\s\S]*key "old" does not open/);
    await expect(secretsAtStart(stack.pool, undefined, 'worker')).rejects.toThrow(/^HOOKRELAY_ENCRYPTION_KEYS is required to run the worker/);
  });

  it.each([
    ['API', 'src/bin/api.ts', { HOOKRELAY_ENCRYPTION_KEYS: formatEncryptionKeys([{ id: 'old', key: randomBytes(32) }]) }, /key "old" does not open/],
    ['worker', 'src/bin/worker.ts', { HOOKRELAY_ENCRYPTION_KEYS: '' }, /HOOKRELAY_ENCRYPTION_KEYS is required to run the worker/],
    ['API', 'src/bin/api.ts', { HOOKRELAY_ENCRYPTION_KEYS: 'old:c2hvcnQ=' }, /HOOKRELAY_ENCRYPTION_KEYS: key "old": must be 32 bytes in base64/],
  ])(
    'the %s process (%s) exits before it serves',
    async (_who, script, env, message) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script], {
        env: {
          ...process.env,
          DATABASE_URL: stack.config.databaseUrl,
          TEMPORAL_ADDRESS: stack.config.temporalAddress,
          ADMIN_TOKEN: stack.adminToken,
          PORT: '0',
          WORKER_METRICS_PORT: '0',
          WORKER_CORE_METRICS_PORT: '0',
          LOG_LEVEL: 'warn',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c));
      child.stderr.on('data', (c: Buffer) => (output += c));
      const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
      expect(code, output).not.toBe(0);
      expect(output).toMatch(message);
      expect(output).not.toContain('listening');
    },
    60_000,
  );
});
