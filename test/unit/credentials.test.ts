// The pure parts of the producer's credentials: the cursor keyring and its rotation, the route-to-scope
// table, the throttle of last_used_at writes, and the configuration that carries them.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { newCursorKeyEntry, parseKeyring, type Keyring } from '../../src/cursor-keys.js';
import { CursorCodec } from '../../src/db/cursor.js';
import { ROUTE_SCOPES, routeScope } from '../../src/api/route-scopes.js';
import { SCOPES } from '../../src/domain/scopes.js';
import { KeyUsage } from '../../src/api/key-usage.js';

const ring = (text: string): Keyring => {
  const parsed = parseKeyring(text);
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed;
};
const SECRET = 'x'.repeat(32);

describe('HOOKRELAY_CURSOR_KEYS', () => {
  it('parses id:secret pairs, the first one signing', () => {
    const keys = ring(`new:${'n'.repeat(40)}, old:${SECRET}`);
    expect(keys.current.id).toBe('new');
    expect([...keys.byId.keys()]).toEqual(['new', 'old']);
    expect(keys.byId.get('old')!.secret.toString()).toBe(SECRET);
  });

  it('names the problem without quoting a secret', () => {
    for (const [text, problem] of [
      [`:${SECRET}`, /entry 1: expected id:secret/],
      [SECRET, /entry 1: expected id:secret/],
      [`a b:${SECRET}`, /entry 1/],
      [`a:${SECRET},b:short`, /key b: the secret must be at least 32 characters/],
      [`a:${SECRET},a:${SECRET}`, /key a is listed twice/],
    ] as const) {
      const parsed = parseKeyring(text);
      expect('problem' in parsed && parsed.problem, text).toMatch(problem);
      if ('problem' in parsed) expect(parsed.problem).not.toContain('short');
    }
    expect(() => loadConfig({ HOOKRELAY_CURSOR_KEYS: 'k:short' })).toThrow(/HOOKRELAY_CURSOR_KEYS: key k: the secret must be at least 32/);
    expect(loadConfig({}).cursorKeys).toBeUndefined();
    expect(loadConfig({ HOOKRELAY_CURSOR_KEYS: newCursorKeyEntry('k1') }).cursorKeys?.current.id).toBe('k1');
  });
});

describe('cursors across a key rotation', () => {
  const old = ring(`old:${SECRET}`);
  const rotated = ring(`new:${'n'.repeat(32)},old:${SECRET}`);
  const dropped = ring(`new:${'n'.repeat(32)}`);

  it('are accepted under every listed key, signed with the first, refused once their key is dropped', () => {
    const issued = new CursorCodec(old).encode('subscriptions', 'ten_a', '42');
    expect(new CursorCodec(rotated).decode('subscriptions', 'ten_a', issued)).toBe('42');
    expect(new CursorCodec(dropped).decode('subscriptions', 'ten_a', issued)).toBeNull();
    const fresh = new CursorCodec(rotated).encode('subscriptions', 'ten_a', '43');
    expect(new CursorCodec(dropped).decode('subscriptions', 'ten_a', fresh)).toBe('43');
    expect(new CursorCodec(old).decode('subscriptions', 'ten_a', fresh)).toBeNull();
  });

  it('refuse another list, another owner, and any changed byte', () => {
    const codec = new CursorCodec(rotated);
    const issued = codec.encode('audit', 'ten_a', '7');
    expect(codec.decode('audit', 'ten_b', issued)).toBeNull();
    expect(codec.decode('keys', 'ten_a', issued)).toBeNull();
    const bytes = Buffer.from(issued, 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      const forged = Buffer.from(bytes);
      forged[i]! ^= 1;
      expect(codec.decode('audit', 'ten_a', forged.toString('base64url')), `byte ${i}`).toBeNull();
    }
  });
});

describe('the route-to-scope table', () => {
  it('names only scopes of src/domain/scopes.ts, and each of them at least once', () => {
    const named = Object.values(ROUTE_SCOPES).filter((s) => s !== null);
    expect(named.every((s) => (SCOPES as readonly string[]).includes(s!))).toBe(true);
    expect([...new Set(named)].sort()).toEqual([...SCOPES].sort());
  });

  it('closes a producer route it does not name (registration throws), and ignores tenant routes', () => {
    expect(() => routeScope({ method: 'post', path: '/v1/new-admin-thing', auth: 'admin' })).toThrow(/names no scope/);
    expect(routeScope({ method: 'get', path: '/v1/subscriptions', auth: 'tenant' })).toBeUndefined();
    expect(routeScope({ method: 'post', path: '/v1/events', auth: 'admin' })).toBe('events:write');
    expect(routeScope({ method: 'get', path: '/v1/events/:id', auth: 'any' })).toBeNull();
  });
});

describe('last_used_at writes', () => {
  /** A database that only counts the writes it is asked for. */
  const counting = () => {
    const writes: unknown[][] = [];
    return { writes, db: { query: async (_sql: string, values: unknown[]) => (writes.push(values), { rows: [], rowCount: 1 }) } as never };
  };

  it('are at most one per key per minute, whatever the requests, and none while the row says it is recent', () => {
    const { writes, db } = counting();
    const usage = new KeyUsage(db);
    const t0 = 1_000_000_000;
    for (let i = 0; i < 100; i++) usage.seen({ id: 'prk_a', scopes: [], expiresAt: null, lastUsedAt: null }, t0 + i);
    expect(writes).toHaveLength(1);
    usage.seen({ id: 'prk_b', scopes: [], expiresAt: null, lastUsedAt: null }, t0);
    expect(writes).toHaveLength(2);
    usage.seen({ id: 'prk_c', scopes: [], expiresAt: null, lastUsedAt: new Date(t0 - 10_000) }, t0);
    expect(writes).toHaveLength(2);
    usage.seen({ id: 'prk_a', scopes: [], expiresAt: null, lastUsedAt: null }, t0 + 60_001);
    expect(writes).toHaveLength(3);
  });
});

describe('ADMIN_TOKEN_DISABLED and AUDIT_RETENTION', () => {
  it('turn the admin token off even when it is set, and keep the audit log a year by default', () => {
    const token = 'a'.repeat(32);
    expect(loadConfig({ ADMIN_TOKEN: token }).adminToken).toBe(token);
    expect(loadConfig({ ADMIN_TOKEN: token, ADMIN_TOKEN_DISABLED: 'true' })).toMatchObject({ adminToken: undefined, adminTokenDisabled: true });
    expect(loadConfig({}).auditRetentionMs).toBe(365 * 86_400_000);
    expect(loadConfig({ AUDIT_RETENTION: '90d' }).auditRetentionMs).toBe(90 * 86_400_000);
    expect(() => loadConfig({ AUDIT_RETENTION: '1 year' })).toThrow(/AUDIT_RETENTION: a duration/);
  });
});
