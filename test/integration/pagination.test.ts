// Every list returns every row exactly once, for any page size, including rows that
// share a millisecond and rows created while a client pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '../support/api.js';
import { startStack, type Stack } from '../support/stack.js';
import { ENVIRONMENTS } from '../../src/domain/environment.js';
import { DELIVERY_STATUSES } from '../../src/domain/delivery-status.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ noWorker: true });
});
afterAll(async () => stack?.stop());

interface ListQuery {
  environment?: 'production' | 'sandbox';
  event_id?: string;
  status?: 'pending';
}

/** Pages through a list with the typed client; `between` runs after each page (to create rows meanwhile). */
async function pageAll(
  apiKey: string,
  list: '/v1/subscriptions' | '/v1/deliveries',
  query: ListQuery,
  limit: number,
  between?: (page: number) => Promise<void>,
): Promise<string[]> {
  const api = stack.api.as(apiKey);
  const ids: string[] = [];
  let cursor: string | null | undefined = undefined;
  for (let page = 0; page < 1000; page++) {
    const params = { query: { ...query, limit, cursor } };
    const res: { data?: { data: Array<{ id: string }>; next_cursor: string | null }; error?: unknown; response: Response } =
      list === '/v1/subscriptions' ? await api.GET(list, { params }) : await api.GET(list, { params });
    expect(res.response.status, JSON.stringify(res.error)).toBe(200);
    expect(res.data!.data.length).toBeLessThanOrEqual(limit);
    ids.push(...res.data!.data.map((row) => row.id));
    cursor = res.data!.next_cursor;
    if (!cursor) return ids;
    await between?.(page);
  }
  throw new Error('did not end');
}

/** `count` subscriptions in ONE statement: they share created_at (now() is the statement's time). */
async function subscriptionsInOneInsert(tenantId: string, count: number, environment = 'production'): Promise<string[]> {
  const { rows } = await stack.pool.query<{ id: string }>(
    `INSERT INTO subscriptions (id, tenant_id, environment, url, method, event_types, retry_policy, timeout_ms, secret)
     SELECT 'sub_same_ms_' || $1 || '_' || g, $1, $3, 'https://example.com/' || g, 'POST', '{*}', '"default"', 10000, 'whsec_x'
     FROM generate_series(1, $2) g RETURNING id`,
    [tenantId, count, environment],
  );
  return rows.map((r) => r.id);
}

/** One event delivered to `subscriptionIds`: all its deliveries in ONE statement with one created_at. */
async function deliveriesInOneInsert(tenantId: string, subscriptionIds: string[]): Promise<{ eventId: string; ids: string[] }> {
  const eventId = `evt_same_ms_${tenantId}`;
  await stack.pool.query(
    `INSERT INTO events (tenant_id, id, environment, type, payload, workflow_id) VALUES ($1, $2, 'production', 'user.created', '{}', 'wf')`,
    [tenantId, eventId],
  );
  const { rows } = await stack.pool.query<{ id: string }>(
    `INSERT INTO deliveries (id, tenant_id, event_id, subscription_id, workflow_id, created_at)
     SELECT 'dlv_' || s, $1, $2, s, 'wf', now() FROM unnest($3::text[]) s RETURNING id`,
    [tenantId, eventId, subscriptionIds],
  );
  return { eventId, ids: rows.map((r) => r.id) };
}

describe('pagination', () => {
  it('returns every subscription exactly once for page sizes 1-10, all created in the same millisecond', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const created = await subscriptionsInOneInsert(t.id, 23);
    const { rows } = await stack.pool.query(`SELECT count(DISTINCT created_at)::int AS n FROM subscriptions WHERE tenant_id = $1`, [t.id]);
    expect(rows[0].n).toBe(1);
    for (let limit = 1; limit <= 10; limit++) {
      const ids = await pageAll(t.api_key, '/v1/subscriptions', {}, limit);
      expect(ids.length, `limit ${limit}`).toBe(created.length);
      expect(new Set(ids), `limit ${limit}`).toEqual(new Set(created));
    }
  });

  it('returns every delivery of one event exactly once for page sizes 1-10, all created in the same millisecond', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const { eventId, ids: created } = await deliveriesInOneInsert(t.id, await subscriptionsInOneInsert(t.id, 23));
    for (let limit = 1; limit <= 10; limit++) {
      const ids = await pageAll(t.api_key, '/v1/deliveries', { event_id: eventId }, limit);
      expect(ids.length, `limit ${limit}`).toBe(created.length);
      expect(new Set(ids)).toEqual(new Set(created));
    }
  });

  it("returns all 150 deliveries of one event paged by 7 (the issue's case: 15 of 150 came back)", async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const { eventId, ids: created } = await deliveriesInOneInsert(t.id, await subscriptionsInOneInsert(t.id, 150));
    for (const query of [{ event_id: eventId }, { status: 'pending' as const }]) {
      const ids = await pageAll(t.api_key, '/v1/deliveries', query, 7);
      expect(ids.length).toBe(150);
      expect(new Set(ids)).toEqual(new Set(created));
    }
  });

  it("returns all 40 subscriptions created in parallel paged by 5 (the issue's case: 39 came back)", async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const created = await Promise.all(Array.from({ length: 40 }, (_, i) => stack.api.subscribe(t.api_key, { url: `https://example.com/p${i}` })));
    const ids = await pageAll(t.api_key, '/v1/subscriptions', {}, 5);
    expect(ids.length).toBe(40);
    expect(new Set(ids)).toEqual(new Set(created.map((s) => s.id)));
  });

  it('filters by environment while paging', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const sandbox = await subscriptionsInOneInsert(t.id, 9, 'sandbox');
    await stack.api.subscribe(t.api_key, { url: 'https://example.com/prod' });
    const ids = await pageAll(t.api_key, '/v1/subscriptions', { environment: 'sandbox' }, 4);
    expect(ids.sort()).toEqual(sandbox.sort());
  });

  it('returns every row present when paging began exactly once while rows are created meanwhile', async () => {
    for (let limit = 1; limit <= 10; limit++) {
      const t = await stack.api.createTenant(stack.adminToken);
      const before = [...(await subscriptionsInOneInsert(t.id, 8))];
      for (let i = 0; i < 2; i++) before.push((await stack.api.subscribe(t.api_key, { url: `https://example.com/b${i}` })).id);
      const ids = await pageAll(t.api_key, '/v1/subscriptions', {}, limit, async (page) => {
        // New rows through the API, and in parallel, while the client is between pages.
        await Promise.all([0, 1, 2].map((i) => stack.api.subscribe(t.api_key, { url: `https://example.com/l${limit}p${page}i${i}` })));
      });
      expect(new Set(ids).size, `limit ${limit}: no row twice`).toBe(ids.length);
      expect(
        before.filter((id) => !ids.includes(id)),
        `limit ${limit}: none skipped`,
      ).toEqual([]);
    }
  });

  it('returns every delivery exactly once while deliveries are created meanwhile', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const subs = await subscriptionsInOneInsert(t.id, 40);
    const { eventId, ids: before } = await deliveriesInOneInsert(t.id, subs.slice(0, 25));
    let next = 25;
    const ids = await pageAll(t.api_key, '/v1/deliveries', {}, 3, async () => {
      if (next >= subs.length) return;
      await stack.pool.query(`INSERT INTO deliveries (id, tenant_id, event_id, subscription_id, workflow_id) VALUES ($1, $2, $3, $4, 'wf')`, [
        `dlv_late_${next}`,
        t.id,
        eventId,
        subs[next],
      ]);
      next++;
    });
    expect(new Set(ids).size).toBe(ids.length);
    expect(before.filter((id) => !ids.includes(id))).toEqual([]);
  });

  it('issues cursors that only this tenant can use, on the list they came from', async () => {
    const a = await stack.api.createTenant(stack.adminToken);
    const b = await stack.api.createTenant(stack.adminToken);
    await subscriptionsInOneInsert(a.id, 3);
    const asA = stack.api.as(a.api_key);
    const cursor = (await ok(asA.GET('/v1/subscriptions', { params: { query: { limit: 1 } } }))).next_cursor!;
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect((await asA.GET('/v1/subscriptions', { params: { query: { cursor } } })).response.status).toBe(200);
    for (const [key, path] of [
      [b.api_key, '/v1/subscriptions'],
      [a.api_key, '/v1/deliveries'],
    ] as const) {
      const res: { status: number; body: any } = await stack.api.call('GET', `${path}?cursor=${cursor}`, key);
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([{ path: 'cursor', message: expect.any(String) }]);
    }
    // One bit changed anywhere is refused.
    const bytes = Buffer.from(cursor, 'base64url');
    for (const i of [0, 7, 8, 23]) {
      const forged = Buffer.from(bytes);
      forged[i]! ^= 1;
      expect((await stack.api.call('GET', `/v1/subscriptions?cursor=${forged.toString('base64url')}`, a.api_key)).status).toBe(400);
    }
  });

  it('declares each enum once: the database constraints list exactly the domain values', async () => {
    const check = async (table: string, column: string) => {
      const { rows } = await stack.pool.query<{ def: string }>(
        `SELECT pg_get_constraintdef(c.oid) AS def FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
         WHERE t.relname = $1 AND c.contype = 'c' AND pg_get_constraintdef(c.oid) LIKE '%' || $2 || '%'`,
        [table, column],
      );
      return [...rows[0]!.def.matchAll(/'([a-z_]+)'::text/g)].map((m) => m[1]).sort();
    };
    expect(await check('subscriptions', 'environment')).toEqual([...ENVIRONMENTS].sort());
    expect(await check('deliveries', 'status')).toEqual([...DELIVERY_STATUSES].sort());
  });
});
