// The event type catalog: PUT/GET /v1/event-types, and payloads checked against a type's JSON Schema at
// ingest (single and batch), with failures named by their path inside the payload.
import { describe, expect, it } from 'vitest';
import type { RequestBody } from '../../src/client/index.js';
import { ok } from '../support/api.js';
import { useStack } from '../support/use-stack.js';
import { eventually } from '../support/eventually.js';
import { CATALOG_REFRESH_MS } from '../../src/api/event-catalog.js';

const stack = useStack({ noWorker: true });

// Rollee's user events (shared/seeds/rollee-webhooks.txt): `action` and a `data` object with the user's id.
const rolleeUser = {
  type: 'object',
  required: ['action', 'data'],
  properties: {
    action: { enum: ['create_user', 'update_user', 'delete_user'] },
    data: {
      type: 'object',
      required: ['id', 'created_at'],
      properties: { id: { type: 'string' }, accounts_number: { type: 'integer', minimum: 0 }, created_at: { type: 'string', format: 'date-time' } },
    },
  },
};

/** A catalog entry written by the admin through the typed client: its status and the entry (or the error). */
const put = async (type: string, body: RequestBody<'putEventType'>) => {
  const { data, error, response } = await stack.api.as(stack.adminToken).PUT('/v1/event-types/{type}', { params: { path: { type } }, body });
  return { status: response.status, data, error };
};
/** A raw PUT, for the refusals: another credential, bodies and names the document does not allow. */
const putRaw = (type: string, body: unknown, token = stack.adminToken) => stack.api.call('PUT', `/v1/event-types/${type}`, token, body);
const post = (tenantId: string, type: string, payload: RequestBody<'postEvent'>['payload']) =>
  stack.api.postEvent(stack.adminToken, { tenant_id: tenantId, environment: 'production', type, payload });
const listTypes = async () => (await ok(stack.api.as(stack.adminToken).GET('/v1/event-types'))).data;

describe('the catalog', () => {
  it('creates (201), replaces (200, version + 1) and lists a type for tenants and the admin', async () => {
    const created = await put('user.created', { description: 'A Rollee user was created', schema: rolleeUser });
    expect(created.status, JSON.stringify(created.error)).toBe(201);
    expect(created.data).toMatchObject({ type: 'user.created', deprecated: false, version: 1, schema: rolleeUser });
    const replaced = await put('user.created', { description: 'A user was created', schema: rolleeUser });
    expect(replaced.status).toBe(200);
    expect(replaced.data?.version).toBe(2);
    await put('user.legacy_created', { description: 'Old name of user.created', deprecated: true });

    const tenant = await stack.tenant();
    for (const token of [tenant.api_key, stack.adminToken]) {
      const list = await stack.api.as(token).GET('/v1/event-types');
      expect(list.response.status).toBe(200);
      const byType = Object.fromEntries(list.data!.data.map((t) => [t.type, t]));
      expect(byType['user.created']).toMatchObject({ description: 'A user was created', version: 2 });
      expect(byType['user.legacy_created']).toMatchObject({ deprecated: true, schema: null });
    }
  });

  it('is written by the admin only', async () => {
    const tenant = await stack.tenant();
    expect((await putRaw('x.y', { description: 'd' }, tenant.api_key)).status).toBe(403);
    expect((await stack.api.call('GET', '/v1/event-types')).status).toBe(401);
  });

  it('refuses an invalid schema, a bad type name and unknown fields, naming each', async () => {
    const bad = await putRaw('bad.schema', { description: 'd', schema: { type: 'objekt' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(['schema']);
    const badRef = await putRaw('bad.ref', { description: 'd', schema: { $ref: 'https://example.com/remote.json' } });
    expect(badRef.status).toBe(400);
    expect(badRef.body.error.details[0].path).toBe('schema');
    const badName = await putRaw('Bad.Name', { description: 'd' });
    expect(badName.status).toBe(400);
    expect(badName.body.error.details[0].path).toBe('type');
    const extra = await putRaw('ok.type', { description: '', color: 'red' });
    expect(extra.status).toBe(400);
    expect(extra.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['color', 'description']);
    expect((await listTypes()).map((t) => t.type)).not.toContain('bad.schema');
  });
});

describe('ingest against the catalog', () => {
  it('accepts a matching payload and names the failing paths of one that does not', async () => {
    await put('account.created', {
      description: 'A Rollee account was connected',
      schema: {
        type: 'object',
        required: ['data'],
        properties: { data: { type: 'object', required: ['user_id'], properties: { connected: { type: 'boolean' } } } },
      },
    });
    const tenant = await stack.tenant();
    expect((await post(tenant.id, 'account.created', { data: { user_id: 'u1', connected: true } })).status).toBe(202);
    const res = await post(tenant.id, 'account.created', { data: { connected: 'yes' } });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['payload.data.connected', 'payload.data.user_id']);
    const { rows } = await stack.pool.query('SELECT count(*)::int AS n FROM events WHERE tenant_id = $1', [tenant.id]);
    expect(rows[0].n).toBe(1);
  });

  it('accepts any payload of a type not in the catalog, and a deprecated type', async () => {
    const tenant = await stack.tenant();
    expect((await post(tenant.id, 'not.in.catalog', { anything: [1, 2] })).status).toBe(202);
    expect((await post(tenant.id, 'user.legacy_created', { whatever: true })).status).toBe(202);
  });

  it('names events.i.payload.<path> in a batch and stores nothing of it', async () => {
    const tenant = await stack.tenant();
    const ok = { action: 'create_user', data: { id: 'u1', created_at: '2024-04-25T19:32:49Z' } };
    const res = await stack.api.call('POST', '/v1/events/batch', stack.adminToken, {
      events: [
        { tenant_id: tenant.id, environment: 'production', type: 'user.created', payload: ok },
        { tenant_id: tenant.id, environment: 'production', type: 'user.created', payload: { action: 'explode', data: { id: 7, created_at: 'x' } } },
        { tenant_id: tenant.id, environment: 'production', type: 'other.type', payload: {} },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['events.1.payload.action', 'events.1.payload.data.id']);
    const { rows } = await stack.pool.query('SELECT count(*)::int AS n FROM events WHERE tenant_id = $1', [tenant.id]);
    expect(rows[0].n).toBe(0);
    const good = await stack.api.postEventBatch(stack.adminToken, {
      events: [{ tenant_id: tenant.id, environment: 'production', type: 'user.created', payload: ok }],
    });
    expect(good.status).toBe(202);
  });

  it('uses a replaced schema at once', async () => {
    const tenant = await stack.tenant();
    await put('sync.completed', { description: 'RootFi sync completed', schema: { type: 'object', required: ['sync_id'] } });
    expect((await post(tenant.id, 'sync.completed', {})).status).toBe(400);
    await put('sync.completed', { description: 'RootFi sync completed', schema: { type: 'object' } });
    expect((await post(tenant.id, 'sync.completed', {})).status).toBe(202);
  });

  it('sees a type PUT through another API process within the refresh interval', async () => {
    const tenant = await stack.tenant();
    expect((await post(tenant.id, 'datasource.linked', {})).status).toBe(202);
    // Written behind this API's back, as another API process would.
    await stack.pool.query(
      `INSERT INTO event_types (type, description, schema) VALUES ('datasource.linked', 'ROOK data source linked', '{"type":"object","required":["user_id"]}')`,
    );
    // Posted until refused (one that still passes is stored, and with no worker goes nowhere); the slack over the
    // refresh interval is for a loaded machine.
    const res = await eventually(
      async () => {
        const answer = await post(tenant.id, 'datasource.linked', {});
        return answer.status === 202 ? false : answer;
      },
      { what: 'the API to refuse a payload the new schema rejects', timeoutMs: CATALOG_REFRESH_MS + 2_000, intervalMs: 50 },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('payload.user_id');
  });
});
