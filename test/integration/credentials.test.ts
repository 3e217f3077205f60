// Producer keys with scopes (POST/GET/DELETE /v1/keys), ADMIN_TOKEN as the bootstrap credential that can
// be turned off, list cursors signed with keys of their own, and the audit log (GET /v1/audit).
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { useStack } from '../support/use-stack.js';
import { ok } from '../support/api.js';
import type { operations, RequestBody } from '../../src/client/index.js';
import { ApiClient } from '../support/stack.js';
import { createApp } from '../../src/api/app.js';
import { createLogger } from '../../src/logger.js';
import { createApiMetrics } from '../../src/metrics.js';
import type { Config } from '../../src/config.js';
import { newCursorKeyEntry, parseKeyring, type Keyring } from '../../src/cursor-keys.js';
import { SCOPES } from '../../src/domain/scopes.js';
import { ACTOR_TYPES } from '../../src/domain/audit.js';
import { startAuditRetention } from '../../src/audit-retention.js';
import { LAST_USED_RESOLUTION_MS } from '../../src/api/key-usage.js';
import { PRODUCER_KEYS_CHANNEL, type ProducerKeyCache } from '../../src/api/key-cache.js';
import { eventually } from '../support/eventually.js';

const stack = useStack({ noWorker: true });
const url = 'https://example.com/hook';

/** Another API process on the stack's database, with its own configuration. */
async function anotherApi(change: Partial<Config>): Promise<{ api: ApiClient; url: string; keyCache: ProducerKeyCache; close(): Promise<void> }> {
  const app = createApp({
    pool: stack.pool,
    temporal: stack.temporal,
    config: { ...stack.config, ...change },
    logger: createLogger('silent'),
    metrics: createApiMetrics(false),
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    api: new ApiClient(base),
    url: base,
    keyCache: app.locals.keyCache as ProducerKeyCache,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await (app.locals.keyCache as ProducerKeyCache).stop();
    },
  };
}

const keyring = (text: string): Keyring => {
  const parsed = parseKeyring(text);
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed;
};

async function createKey(body: RequestBody<'createProducerKey'>, token = stack.adminToken) {
  const { data, error, response } = await stack.api.as(token).POST('/v1/keys', { body });
  expect(response.status, JSON.stringify(data ?? error)).toBe(201);
  return data!;
}

const event = (tenantId: string, id: string): RequestBody<'postEvent'> => ({
  id,
  tenant_id: tenantId,
  environment: 'production',
  type: 'user.created',
  payload: {},
});

describe('producer keys', () => {
  it('are shown once, stored as a hash, listed without the key, and name who created them', async () => {
    const created = await createKey({ name: 'ingest', scopes: ['events:write'] });
    expect(created.key).toMatch(/^hrp_[\w-]{43}$/);
    expect(created).toMatchObject({ scopes: ['events:write'], last_used_at: null, created_by: 'admin-token' });
    const { rows } = await stack.pool.query('SELECT * FROM producer_keys WHERE id = $1', [created.id]);
    expect(JSON.stringify(rows)).not.toContain(created.key.slice(4));
    expect(rows[0].key_hash).toHaveLength(32);

    const admin = stack.api.as(stack.adminToken);
    const list = await admin.GET('/v1/keys', { params: { query: { limit: 100 } } });
    expect(list.response.status).toBe(200);
    const listed = list.data!.data.find((k) => k.id === created.id);
    expect(listed).toMatchObject({ name: 'ingest', prefix: created.key.slice(0, 12), revoked_at: null });
    expect(JSON.stringify(list.data)).not.toContain(created.key);

    // A key made by a key names it.
    const manager = await createKey({ name: 'manager', scopes: ['keys:manage'] });
    expect((await createKey({ name: 'child', scopes: ['portal:create'] }, manager.key)).created_by).toBe(manager.id);

    // Paged newest first, each key once.
    const paged: string[] = [];
    let cursor: string | null | undefined = undefined;
    do {
      const res: { data?: { data: Array<{ id: string }>; next_cursor: string | null }; response: Response } = await admin.GET('/v1/keys', {
        params: { query: { limit: 1, cursor } },
      });
      expect(res.response.status).toBe(200);
      paged.push(...res.data!.data.map((k) => k.id));
      cursor = res.data!.next_cursor;
    } while (cursor);
    const { rows: all } = await stack.pool.query<{ id: string }>('SELECT id FROM producer_keys ORDER BY seq DESC');
    expect(paged).toEqual(all.map((r) => r.id));
  });

  it('answer 403 naming the missing scope outside their scopes, and work within them', async () => {
    const tenant = await stack.tenant('scoped');
    const ingest = await createKey({ name: 'ingest only', scopes: ['events:write'] });
    expect((await stack.api.postEvent(ingest.key, event(tenant.id, 'scoped-1'))).status).toBe(202);
    const asIngest = stack.api.as(ingest.key);
    expect((await asIngest.POST('/v1/events/batch', { body: { events: [event(tenant.id, 'scoped-2')] } })).response.status).toBe(202);
    // A read any producer key may make.
    expect((await asIngest.GET('/v1/events/{id}', { params: { path: { id: 'scoped-1' }, query: { tenant_id: tenant.id } } })).response.status).toBe(
      200,
    );
    expect((await asIngest.GET('/v1/event-types')).response.status).toBe(200);

    const refused: Array<[string, string, unknown, string]> = [
      ['POST', '/v1/tenants', { name: 'x' }, 'tenants:manage'],
      ['DELETE', `/v1/tenants/${tenant.id}`, undefined, 'tenants:manage'],
      ['POST', `/v1/tenants/${tenant.id}/portal-sessions`, {}, 'portal:create'],
      ['PUT', '/v1/event-types/scoped.type', { description: 'd' }, 'catalog:manage'],
      ['POST', '/v1/keys', { name: 'x', scopes: ['keys:manage'] }, 'keys:manage'],
      ['GET', '/v1/keys', undefined, 'keys:manage'],
      ['DELETE', `/v1/keys/${ingest.id}`, undefined, 'keys:manage'],
      ['GET', '/v1/audit', undefined, 'keys:manage'],
    ];
    for (const [method, path, body, scope] of refused) {
      const res = await stack.api.call(method, path, ingest.key, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
      expect(res.body.error.message, `${method} ${path}`).toContain(scope);
    }
    // Nothing of those happened: the tenant is not purging, the key is live, no event type was made.
    expect((await stack.api.as(tenant.api_key).GET('/v1/subscriptions')).response.status).toBe(200);
    expect((await stack.api.postEvent(ingest.key, event(tenant.id, 'scoped-3'))).status).toBe(202);
    expect((await ok(stack.api.as(stack.adminToken).GET('/v1/event-types'))).data.map((t) => t.type)).not.toContain('scoped.type');

    // Each scope opens its routes.
    const tenants = await createKey({ name: 'tenants', scopes: ['tenants:manage', 'portal:create'] });
    const asTenants = stack.api.as(tenants.key);
    const made = await asTenants.POST('/v1/tenants', { body: { name: 'by a key' } });
    expect(made.response.status).toBe(201);
    expect((await asTenants.POST('/v1/tenants/{id}/portal-sessions', { params: { path: { id: made.data!.id } }, body: {} })).response.status).toBe(
      201,
    );
    const catalog = await createKey({ name: 'catalog', scopes: ['catalog:manage'] });
    expect(
      (await stack.api.as(catalog.key).PUT('/v1/event-types/{type}', { params: { path: { type: 'scoped.type' } }, body: { description: 'd' } }))
        .response.status,
    ).toBe(201);

    // A producer key is not a tenant's credential, nor a tenant key a producer's.
    const asTenant = await stack.api.call('GET', '/v1/subscriptions', ingest.key);
    expect(asTenant.status).toBe(403);
    expect((await stack.api.call('GET', '/v1/keys', tenant.api_key)).status).toBe(403);
  });

  it('revoked: 401 at once on every API process, those remembering the key included; already revoked is still 204', async () => {
    const tenant = await stack.tenant('revoked');
    const key = await createKey({ name: 'to revoke', scopes: ['events:write'] });
    const hash = createHash('sha256').update(key.key).digest('hex');
    const [revoker, other] = await Promise.all([anotherApi({}), anotherApi({})]);
    try {
      // Both processes remember the key once they hear their own probes (src/api/key-cache.ts).
      let n = 0;
      for (const api of [revoker, other]) {
        await eventually(
          async () => {
            expect((await api.api.postEvent(key.key, event(tenant.id, `rv-warm-${n++}`))).status).toBe(202);
            return api.keyCache.get(hash) !== undefined;
          },
          { what: 'the key remembered by the API process' },
        );
      }
      const revoke = { params: { path: { id: key.id } } };
      expect((await revoker.api.as(stack.adminToken).DELETE('/v1/keys/{id}', revoke)).response.status).toBe(204);
      // The very next request, on the process that revoked it, on the other one that remembered it, and on a third.
      expect((await other.api.call('POST', '/v1/events', key.key, event(tenant.id, 'rv-2'))).status).toBe(401);
      expect((await revoker.api.call('POST', '/v1/events', key.key, event(tenant.id, 'rv-3'))).status).toBe(401);
      expect((await stack.api.call('POST', '/v1/events', key.key, event(tenant.id, 'rv-4'))).status).toBe(401);
      expect(other.keyCache.get(hash)).toBeUndefined();
      expect((await stack.api.as(stack.adminToken).DELETE('/v1/keys/{id}', revoke)).response.status).toBe(204);
      expect((await stack.api.call('DELETE', '/v1/keys/prk_nope', stack.adminToken)).status).toBe(404);
      const listed = (await ok(stack.api.as(stack.adminToken).GET('/v1/keys', { params: { query: { limit: 100 } } }))).data.find(
        (k) => k.id === key.id,
      );
      expect(listed?.revoked_at).toEqual(expect.any(String));
    } finally {
      await Promise.all([revoker.close(), other.close()]);
    }
  });

  it('remembered: a process that loses its LISTEN connection forgets every key until it hears its probes again', async () => {
    const tenant = await stack.tenant('forgotten');
    const key = await createKey({ name: 'remembered', scopes: ['events:write'] });
    const hash = createHash('sha256').update(key.key).digest('hex');
    const api = await anotherApi({});
    try {
      let n = 0;
      await eventually(
        async () => {
          expect((await api.api.postEvent(key.key, event(tenant.id, `fg-${n++}`))).status).toBe(202);
          return api.keyCache.get(hash) !== undefined;
        },
        { what: 'the key remembered' },
      );
      await stack.pool.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN ${PRODUCER_KEYS_CHANNEL}'`,
      );
      await eventually(() => api.keyCache.get(hash) === undefined, { what: 'the cache to forget the key' });
      // Revoked meanwhile, straight in the database (no NOTIFY at all): the next request is looked up, and refused.
      await stack.pool.query('UPDATE producer_keys SET revoked_at = now() WHERE id = $1', [key.id]);
      expect((await api.api.call('POST', '/v1/events', key.key, event(tenant.id, 'fg-after'))).status).toBe(401);
    } finally {
      await api.close();
    }
  });

  it('expired: 401 from its expiry on', async () => {
    const tenant = await stack.tenant('expired');
    const key = await createKey({ name: 'short', scopes: ['events:write'], expires_at: new Date(Date.now() + 3_600_000).toISOString() });
    expect((await stack.api.postEvent(key.key, event(tenant.id, 'ex-1'))).status).toBe(202);
    await stack.pool.query(`UPDATE producer_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [key.id]);
    const res = await stack.api.call('POST', '/v1/events', key.key, event(tenant.id, 'ex-2'));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  });

  it('mark last_used_at at most once a minute, not on every request', async () => {
    const tenant = await stack.tenant('last used');
    const key = await createKey({ name: 'used', scopes: ['events:write'] });
    const lastUsed = async () =>
      (await stack.pool.query('SELECT last_used_at FROM producer_keys WHERE id = $1', [key.id])).rows[0].last_used_at as Date | null;
    expect(await lastUsed()).toBeNull();
    expect((await stack.api.postEvent(key.key, event(tenant.id, 'lu-1'))).status).toBe(202);
    const first = await eventuallyDate(lastUsed);
    for (let i = 2; i <= 5; i++) expect((await stack.api.postEvent(key.key, event(tenant.id, `lu-${i}`))).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await lastUsed())!.getTime()).toBe(first.getTime());
    // Once it is older than the resolution, the next use writes it again.
    await stack.pool.query(`UPDATE producer_keys SET last_used_at = now() - make_interval(secs => $2) WHERE id = $1`, [
      key.id,
      (LAST_USED_RESOLUTION_MS / 1000) * 2,
    ]);
    const stale = (await lastUsed())!;
    const other = await anotherApi({});
    try {
      expect((await other.api.postEvent(key.key, event(tenant.id, 'lu-6'))).status).toBe(202);
      await eventuallyDate(async () => {
        const now = await lastUsed();
        return now && now.getTime() > stale.getTime() ? now : null;
      });
    } finally {
      await other.close();
    }
  });
});

async function eventuallyDate(read: () => Promise<Date | null>): Promise<Date> {
  for (let i = 0; i < 100; i++) {
    const value = await read();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('last_used_at was never written');
}

describe('ADMIN_TOKEN turned off (ADMIN_TOKEN_DISABLED)', () => {
  it('refuses the token, keeps producer keys working, and will not revoke the last key that manages keys', async () => {
    const manager = await createKey({ name: 'root', scopes: ['keys:manage', 'tenants:manage'] });
    const off = await anotherApi({ adminToken: undefined, adminTokenDisabled: true });
    try {
      expect((await off.api.call('POST', '/v1/tenants', stack.adminToken, { name: 'x' })).status).toBe(401);
      const asManager = off.api.as(manager.key);
      expect((await asManager.POST('/v1/tenants', { body: { name: 'by root' } })).response.status).toBe(201);
      // Every other live keys:manage key goes; the last one stays (409), and the 409 wrote no audit entry.
      const { rows } = await stack.pool.query<{ id: string }>(
        `SELECT id FROM producer_keys WHERE 'keys:manage' = ANY(scopes) AND revoked_at IS NULL AND id <> $1`,
        [manager.id],
      );
      for (const { id } of rows) expect((await asManager.DELETE('/v1/keys/{id}', { params: { path: { id } } })).response.status).toBe(204);
      const last = await off.api.call('DELETE', `/v1/keys/${manager.id}`, manager.key);
      expect(last.status).toBe(409);
      expect(last.body.error.code).toBe('last_key_manager');
      expect((await asManager.GET('/v1/keys')).response.status).toBe(200);
      const audit = await stack.pool.query(`SELECT 1 FROM audit_log WHERE action = 'producer_key.revoke' AND object_id = $1`, [manager.id]);
      expect(audit.rowCount).toBe(0);
    } finally {
      await off.close();
    }
  });

  it('refuses to start with neither ADMIN_TOKEN nor ADMIN_TOKEN_DISABLED, and without HOOKRELAY_CURSOR_KEYS', async () => {
    await expect(anotherApi({ adminToken: undefined, adminTokenDisabled: false })).rejects.toThrow(/ADMIN_TOKEN/);
    await expect(anotherApi({ cursorKeys: undefined })).rejects.toThrow(/HOOKRELAY_CURSOR_KEYS/);
  });
});

describe('list cursors signed with HOOKRELAY_CURSOR_KEYS', () => {
  it('do not depend on ADMIN_TOKEN, keep paging across a key rotation, and stop once the old key is dropped', async () => {
    const tenant = await stack.tenant('cursors');
    for (let i = 0; i < 3; i++) await stack.api.subscribe(tenant.api_key, { url: `${url}/${i}` });
    const current = stack.config.cursorKeys!;
    const page1 = (other: { api: ApiClient }, query: { limit?: number; cursor: string }) =>
      other.api.as(tenant.api_key).GET('/v1/subscriptions', { params: { query } });
    const cursor = (await ok(stack.api.as(tenant.api_key).GET('/v1/subscriptions', { params: { query: { limit: 1 } } }))).next_cursor!;
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);

    const [otherToken, rotated, dropped] = await Promise.all([
      anotherApi({ adminToken: 'another_admin_token_entirely' }),
      anotherApi({ cursorKeys: keyring(`${newCursorKeyEntry('next')},${current.current.id}:${current.current.secret.toString()}`) }),
      anotherApi({ cursorKeys: keyring(newCursorKeyEntry('next')) }),
    ]);
    try {
      expect((await page1(otherToken, { limit: 1, cursor })).response.status).toBe(200);
      const page = await page1(rotated, { limit: 1, cursor });
      expect(page.response.status).toBe(200);
      // The rotated process signs with its new first key; the old process, which does not list it, refuses that.
      const next = page.data!.next_cursor!;
      expect((await page1(rotated, { cursor: next })).response.status).toBe(200);
      expect((await stack.api.call('GET', `/v1/subscriptions?cursor=${next}`, tenant.api_key)).status).toBe(400);
      const refused = await dropped.api.call('GET', `/v1/subscriptions?cursor=${cursor}`, tenant.api_key);
      expect(refused.status).toBe(400);
      expect(refused.body.error.details).toEqual([{ path: 'cursor', message: expect.any(String) }]);
    } finally {
      await Promise.all([otherToken.close(), rotated.close(), dropped.close()]);
    }
  });
});

describe('the audit log', () => {
  it('records every change with who, what, when and from where, and never a secret', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const agent = 'audit-test/1.0 '.padEnd(400, 'x');
    // The admin's requests carry a long User-Agent: the audit entry keeps its first 256 characters.
    const admin = stack.api.as(stack.adminToken);
    const headers = { 'user-agent': agent };
    const tenant = await ok(admin.POST('/v1/tenants', { body: { name: 'Audited' }, headers }));
    const key = await ok(admin.POST('/v1/keys', { body: { name: 'audited key', scopes: ['portal:create'] }, headers }));
    const asTenant = stack.api.as(tenant.api_key);
    const sub = (await ok(asTenant.POST('/v1/subscriptions', { body: { url, headers: { 'x-token': 'header-secret-value' } } }))) as {
      id: string;
      secret: string;
    };
    const subId = { params: { path: { id: sub.id } } };
    expect(
      (await asTenant.PATCH('/v1/subscriptions/{id}', { ...subId, body: { description: 'changed', url: `${url}?token=url-secret` } })).response
        .status,
    ).toBe(200);
    const rotated = await ok(asTenant.POST('/v1/subscriptions/{id}/rotate-secret', subId));
    expect((await asTenant.PUT('/v1/webhooks/{category}', { params: { path: { category: 'users' } }, body: { url } })).response.status).toBe(201);
    expect((await asTenant.POST('/v1/subscriptions/{id}/test', { ...subId, body: {} })).response.status).toBe(202);
    expect(
      (await asTenant.POST('/v1/subscriptions/{id}/recover', { ...subId, body: { since: new Date(Date.now() - 60_000).toISOString() } })).response
        .status,
    ).toBe(202);
    const [delivery] = (await ok(asTenant.GET('/v1/deliveries', { params: { query: { subscription_id: sub.id } } }))).data;
    expect((await asTenant.POST('/v1/deliveries/{id}/redeliver', { params: { path: { id: delivery!.id } } })).response.status).toBe(202);
    expect(
      (await stack.api.as(key.key).POST('/v1/tenants/{id}/portal-sessions', { params: { path: { id: tenant.id } }, body: {} })).response.status,
    ).toBe(201);
    expect(
      (
        await admin.PUT('/v1/event-types/{type}', {
          params: { path: { type: 'audited.type' } },
          body: { description: 'd', schema: { type: 'object' } },
          headers,
        })
      ).response.status,
    ).toBe(201);
    expect((await asTenant.DELETE('/v1/subscriptions/{id}', subId)).response.status).toBe(204);
    expect((await admin.DELETE('/v1/keys/{id}', { params: { path: { id: key.id } }, headers })).response.status).toBe(204);
    expect((await admin.DELETE('/v1/tenants/{id}', { params: { path: { id: tenant.id } }, headers })).response.status).toBe(202);

    const all: any[] = [];
    let cursor: string | null | undefined = undefined;
    do {
      const res: { data?: { data: unknown[]; next_cursor: string | null }; error?: unknown; response: Response } = await admin.GET('/v1/audit', {
        params: { query: { limit: 3, since, cursor } },
      });
      expect(res.response.status, JSON.stringify(res.error)).toBe(200);
      all.push(...res.data!.data);
      cursor = res.data!.next_cursor;
    } while (cursor);
    const mine = all.filter((e) => e.tenant_id === tenant.id || [key.id, 'audited.type'].includes(e.object.id)).reverse();
    expect(mine.map((e) => e.action)).toEqual([
      'tenant.create',
      'producer_key.create',
      'subscription.create',
      'subscription.update',
      'subscription.rotate_secret',
      'subscription.create',
      'subscription.test',
      'subscription.recover',
      'delivery.redeliver',
      'portal_session.create',
      'event_type.put',
      'subscription.delete',
      'producer_key.revoke',
      'tenant.purge',
    ]);
    const [created, keyMade, subMade, patched] = mine;
    expect(created).toMatchObject({ actor: { type: 'admin_token', id: 'admin-token' }, object: { type: 'tenant', id: tenant.id }, ip: '127.0.0.1' });
    expect(created.user_agent).toHaveLength(256);
    expect(created.user_agent.startsWith('audit-test/1.0')).toBe(true);
    expect(keyMade.details).toEqual({ name: 'audited key', scopes: ['portal:create'], expires_at: null });
    expect(subMade).toMatchObject({
      actor: { type: 'tenant_key', id: expect.stringMatching(/^key_/) },
      object: { type: 'subscription', id: sub.id },
    });
    expect(patched.details).toEqual({ fields: ['description', 'url'] });
    expect(mine.find((e) => e.action === 'portal_session.create').actor).toEqual({ type: 'producer_key', id: key.id });
    expect(Date.parse(created.at)).toBeGreaterThan(Date.parse(since));

    // No secret, key, header value or URL in the table, whatever the column.
    const { rows } = await stack.pool.query('SELECT * FROM audit_log');
    const stored = JSON.stringify(rows);
    for (const secret of [tenant.api_key, key.key, sub.secret, rotated.secret, 'header-secret-value', 'url-secret', stack.adminToken]) {
      expect(stored).not.toContain(secret);
    }
    // Filters.
    const audit = async (query: operations['listAuditEntries']['parameters']['query']) =>
      (await ok(admin.GET('/v1/audit', { params: { query } }))).data;
    const byAction = await audit({ action: 'subscription.update', tenant_id: tenant.id });
    expect(byAction.map((e) => e.object.id)).toEqual([sub.id]);
    const byActor = await audit({ actor_id: key.id });
    expect(byActor.map((e) => e.action)).toEqual(['portal_session.create']);
    const byObject = await audit({ object_type: 'producer_key', object_id: key.id });
    expect(byObject.map((e) => e.action)).toEqual(['producer_key.revoke', 'producer_key.create']);
    expect(await audit({ since: new Date(Date.now() + 60_000).toISOString() })).toEqual([]);
  });

  it("shows a tenant its own objects' entries only, the producer's details hidden, and never another tenant's", async () => {
    const a = await stack.tenant('Audit A');
    const b = await stack.tenant('Audit B');
    const subA = await stack.api.subscribe(a.api_key, { url });
    await stack.api.subscribe(b.api_key, { url });
    const asAdmin = stack.api.as(stack.adminToken);
    const link = await asAdmin.POST('/v1/tenants/{id}/portal-sessions', { params: { path: { id: a.id } }, body: {} });
    expect(link.response.status).toBe(201);

    const asA = stack.api.as(a.api_key);
    const seenByA = (await ok(asA.GET('/v1/audit'))).data as any[];
    expect(seenByA.map((e) => e.action).sort()).toEqual(['portal_session.create', 'subscription.create', 'tenant.create']);
    expect(seenByA.every((e) => e.tenant_id === a.id)).toBe(true);
    const byProducer = seenByA.find((e) => e.action === 'portal_session.create');
    expect(byProducer).toMatchObject({ actor: { type: 'producer', id: null }, ip: null, user_agent: null });
    expect(seenByA.find((e) => e.action === 'subscription.create').ip).toBe('127.0.0.1');

    // Through the portal: a session for every environment reads the same; one scoped to an environment cannot read the log.
    const cookieOf = async (url: string) => (await fetch(url, { redirect: 'manual' })).headers.get('set-cookie')!.split(';')[0]!;
    const viaPortal = await stack.api.call('GET', '/v1/audit', undefined, undefined, { cookie: await cookieOf(link.data!.url) });
    expect(viaPortal.status).toBe(200);
    expect(viaPortal.body.data.map((e: { id: string }) => e.id)).toEqual(seenByA.map((e) => e.id));
    const scopedLink = await ok(
      asAdmin.POST('/v1/tenants/{id}/portal-sessions', { params: { path: { id: a.id } }, body: { environment: 'sandbox' } }),
    );
    const scoped = await stack.api.call('GET', '/v1/audit', undefined, undefined, { cookie: await cookieOf(scopedLink.url) });
    expect(scoped.status).toBe(403);

    // B asks for A's entries every way it can: nothing of A's.
    const asB = stack.api.as(b.api_key);
    for (const query of [
      {},
      { tenant_id: a.id },
      { object_id: subA.id },
      { object_type: 'subscription' as const },
      { action: 'tenant.create' as const },
      { actor_id: 'admin-token' },
    ]) {
      const res = await asB.GET('/v1/audit', { params: { query } });
      const what = JSON.stringify(query);
      expect(res.response.status, what).toBe(200);
      expect(JSON.stringify(res.data), what).not.toContain(a.id);
      expect(JSON.stringify(res.data), what).not.toContain(subA.id);
    }
    // A's cursor is not B's, nor the producer's.
    for (let i = 0; i < 3; i++) {
      const patched = await asA.PATCH('/v1/subscriptions/{id}', { params: { path: { id: subA.id } }, body: { description: `d${i}` } });
      expect(patched.response.status).toBe(200);
    }
    const cursor = (await ok(asA.GET('/v1/audit', { params: { query: { limit: 1 } } }))).next_cursor!;
    expect((await asA.GET('/v1/audit', { params: { query: { cursor } } })).response.status).toBe(200);
    expect((await stack.api.call('GET', `/v1/audit?cursor=${cursor}`, b.api_key)).status).toBe(400);
    expect((await stack.api.call('GET', `/v1/audit?cursor=${cursor}`, stack.adminToken)).status).toBe(400);
  });

  it('writes no entry for a change that did not happen', async () => {
    const t = await stack.tenant('Nothing changed');
    const before = (await stack.pool.query('SELECT count(*)::int AS n FROM audit_log')).rows[0].n;
    expect((await stack.api.call('PATCH', '/v1/subscriptions/sub_nope', t.api_key, { description: 'x' })).status).toBe(404);
    expect((await stack.api.call('DELETE', '/v1/subscriptions/sub_nope', t.api_key)).status).toBe(404);
    expect((await stack.api.call('DELETE', '/v1/tenants/ten_nope', stack.adminToken)).status).toBe(404);
    expect((await stack.api.call('POST', '/v1/tenants/ten_nope/portal-sessions', stack.adminToken, {})).status).toBe(404);
    expect((await stack.api.call('POST', '/v1/keys', stack.adminToken, { name: 'x', scopes: ['nope'] })).status).toBe(400);
    expect((await stack.pool.query('SELECT count(*)::int AS n FROM audit_log')).rows[0].n).toBe(before);
  });

  it('deletes entries older than AUDIT_RETENTION, and keeps the others', async () => {
    await stack.pool.query(
      `INSERT INTO audit_log (id, at, actor_type, actor_id, action, object_type, object_id)
       SELECT 'aud_old_' || g, now() - interval '400 days', 'admin_token', 'admin-token', 'tenant.create', 'tenant', 'ten_old'
       FROM generate_series(1, 5) g`,
    );
    const kept = (await stack.pool.query(`SELECT count(*)::int AS n FROM audit_log WHERE at > now() - interval '1 day'`)).rows[0].n;
    expect(kept).toBeGreaterThan(0);
    const retention = startAuditRetention({ db: stack.pool, retentionMs: stack.config.auditRetentionMs, intervalMs: 3_600_000 });
    try {
      expect(await retention.runOnce()).toBe(5);
    } finally {
      await retention.stop();
    }
    expect((await stack.pool.query(`SELECT count(*)::int AS n FROM audit_log WHERE id LIKE 'aud_old_%'`)).rows[0].n).toBe(0);
    expect((await stack.pool.query(`SELECT count(*)::int AS n FROM audit_log`)).rows[0].n).toBe(kept);
  });
});

describe('one list for each enum', () => {
  it('the database constraints name exactly the scopes and actor types of src/domain', async () => {
    const constraint = async (table: string, column: string) => {
      const { rows } = await stack.pool.query<{ def: string }>(
        `SELECT pg_get_constraintdef(c.oid) AS def FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
         WHERE t.relname = $1 AND c.contype = 'c' AND pg_get_constraintdef(c.oid) LIKE '%' || $2 || '%'`,
        [table, column],
      );
      return [...rows[0]!.def.matchAll(/'([a-z_:]+)'/g)].map((m) => m[1]).sort();
    };
    expect(await constraint('producer_keys', 'scopes')).toEqual([...SCOPES].sort());
    expect(await constraint('audit_log', 'actor_type')).toEqual([...ACTOR_TYPES].sort());
  });
});
