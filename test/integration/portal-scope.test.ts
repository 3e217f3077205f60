// A portal session scoped to one environment, on every route it can reach and in every spelling of the
// path: it never reads, changes or creates anything of the other environment, and its own stays usable.
import express, { Router } from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { authenticate } from '../../src/api/auth.js';
import { errorHandler } from '../../src/api/errors.js';
import { createRegistry } from '../../src/api/openapi.js';
import { portalScope } from '../../src/api/portal-session.js';
import { Routes } from '../../src/api/route.js';
import { createLogger } from '../../src/logger.js';
import { ok } from '../support/api.js';
import { startStack, type Stack } from '../support/stack.js';
import { startReceiver, type Receiver } from '../support/receiver.js';

let stack: Stack;
let receiver: Receiver;
beforeAll(async () => {
  [stack, receiver] = await Promise.all([startStack({ env: { RETRY_TIME_SCALE: '0.001' } }), startReceiver()]);
});
afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

interface Portal {
  cookie: string;
  csrf: string;
}

async function openPortal(tenantId: string, environment?: 'sandbox' | 'production'): Promise<Portal> {
  const link = await stack.api
    .as(stack.adminToken)
    .POST('/v1/tenants/{id}/portal-sessions', { params: { path: { id: tenantId } }, body: environment ? { environment } : {} });
  expect(link.response.status).toBe(201);
  const opened = await fetch(link.data!.url, { redirect: 'manual' });
  expect(opened.status).toBe(303);
  const cookie = opened.headers.get('set-cookie')!.split(';')[0]!;
  const session = (await (await fetch(`${stack.url}/portal/session`, { headers: { cookie } })).json()) as {
    csrf_token: string;
    environment: string | null;
  };
  expect(session.environment).toBe(environment ?? null);
  return { cookie, csrf: session.csrf_token };
}

const asPortal = (p: Portal, method: string, path: string, body?: unknown) =>
  stack.api.call(method, path, undefined, body, { cookie: p.cookie, 'x-csrf-token': p.csrf });

/** Every byte as %XX. */
const encodeAll = (text: string) => [...Buffer.from(text)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');

interface Segment {
  literal: boolean;
  text: string;
}

/** Ways of writing a route's path that a client may send; each either reaches the route or no route. */
const SPELLINGS: Record<string, (segments: Segment[]) => string> = {
  'as declared': (s) => `/${s.map((x) => x.text).join('/')}`,
  'upper-case': (s) => `/${s.map((x) => (x.literal ? x.text.toUpperCase() : x.text)).join('/')}`,
  'upper-case version only': (s) => `/${s.map((x, i) => (i === 0 ? x.text.toUpperCase() : x.text)).join('/')}`,
  'trailing slash': (s) => `/${s.map((x) => x.text).join('/')}/`,
  'doubled slashes': (s) => `/${s.map((x) => x.text).join('//')}`,
  'leading doubled slash': (s) => `//${s.map((x) => x.text).join('/')}`,
  'percent-encoded letters': (s) => `/${s.map((x) => (x.literal ? encodeAll(x.text[0]!) + x.text.slice(1) : x.text)).join('/')}`,
  'percent-encoded params': (s) => `/${s.map((x) => (x.literal ? x.text : encodeAll(x.text))).join('/')}`,
  'all at once': (s) => `/${s.map((x) => (x.literal ? x.text.toUpperCase() : encodeAll(x.text))).join('/')}/`,
};

/** The path of `pattern` with its params filled in, in one spelling, plus the query. */
function spell(pattern: string, spelling: string, params: Record<string, string> = {}, query?: string): string {
  const segments = pattern
    .split('/')
    .slice(1)
    .map((part): Segment => {
      if (!part.startsWith(':')) return { literal: true, text: part };
      const value = params[part.slice(1)];
      if (value === undefined) throw new Error(`no value for ${part} of ${pattern}`);
      return { literal: false, text: value };
    });
  return SPELLINGS[spelling]!(segments) + (query ? `?${query}` : '');
}

interface Call {
  params?: Record<string, string>;
  query?: string;
  body?: unknown;
}

interface RouteCase {
  /** A call on the sandbox (made fresh for each spelling where it consumes what it acts on) and the statuses it may answer. */
  sandbox: () => Call | Promise<Call>;
  ok: number[];
  /** What the sandbox answer must show. */
  shows?: (body: any) => void;
  /** Calls that would read, change or create something of production: each must be refused. */
  production: () => Call[];
}

interface Fixtures {
  tenant: { id: string; api_key: string };
  prod: { id: string; url: string; secret: string };
  sand: { id: string; url: string };
  prodDelivery: string;
  sandDelivery: string;
}
let f: Fixtures;

const PROD_MARKER = 'only-in-production';
const hourAgo = () => new Date(Date.now() - 3_600_000).toISOString();
const freshSandbox = async () =>
  (await stack.api.subscribe(f.tenant.api_key, { url: `${receiver.url}/sand-fresh`, environment: 'sandbox', enabled: false })).id;

/** Every route a portal session reaches (auth `tenant` or `any`), by method and declared pattern. */
const CASES: Record<string, RouteCase> = {
  'POST /v1/subscriptions': {
    sandbox: () => ({ body: { url: `${receiver.url}/sand-new`, environment: 'sandbox', enabled: false } }),
    ok: [201],
    shows: (b) => expect(b.environment).toBe('sandbox'),
    production: () => [
      { body: { url: `${receiver.url}/created-in-production` } },
      { body: { url: `${receiver.url}/created-in-production`, environment: 'production' } },
    ],
  },
  'GET /v1/subscriptions': {
    sandbox: () => ({ query: 'environment=sandbox&limit=100' }),
    ok: [200],
    shows: (b) => {
      expect(b.data.map((s: { id: string }) => s.id)).toContain(f.sand.id);
      expect(b.data.every((s: { environment: string }) => s.environment === 'sandbox')).toBe(true);
    },
    production: () => [
      {},
      { query: 'limit=100' },
      { query: 'environment=production' },
      { query: 'environment=%70roduction' },
      { query: 'environment=sandbox&environment=production' },
    ],
  },
  'GET /v1/subscriptions/:id': {
    sandbox: () => ({ params: { id: f.sand.id } }),
    ok: [200],
    shows: (b) => expect(b).toMatchObject({ id: f.sand.id, environment: 'sandbox' }),
    production: () => [{ params: { id: f.prod.id } }],
  },
  'PATCH /v1/subscriptions/:id': {
    sandbox: () => ({ params: { id: f.sand.id }, body: { description: 'patched in the sandbox' } }),
    ok: [200],
    shows: (b) => expect(b).toMatchObject({ id: f.sand.id, environment: 'sandbox', description: 'patched in the sandbox' }),
    production: () => [
      { params: { id: f.prod.id }, body: { enabled: false } },
      { params: { id: f.prod.id }, body: { environment: 'sandbox' } },
      // Moving a sandbox subscription into production creates one there.
      { params: { id: f.sand.id }, body: { environment: 'production' } },
    ],
  },
  'DELETE /v1/subscriptions/:id': {
    sandbox: async () => ({ params: { id: await freshSandbox() } }),
    ok: [204],
    production: () => [{ params: { id: f.prod.id } }],
  },
  'POST /v1/subscriptions/:id/rotate-secret': {
    sandbox: () => ({ params: { id: f.sand.id } }),
    ok: [200],
    shows: (b) => expect(typeof b.secret).toBe('string'),
    production: () => [{ params: { id: f.prod.id } }],
  },
  'POST /v1/subscriptions/:id/test': {
    sandbox: () => ({ params: { id: f.sand.id }, body: {} }),
    ok: [202],
    production: () => [
      { params: { id: f.prod.id }, body: {} },
      { params: { id: f.prod.id }, body: { payload: { a: 1 } } },
    ],
  },
  'GET /v1/subscriptions/:id/stats': {
    sandbox: () => ({ params: { id: f.sand.id }, query: 'window=7d' }),
    ok: [200],
    shows: (b) => expect(b.subscription_id).toBe(f.sand.id),
    production: () => [{ params: { id: f.prod.id } }, { params: { id: f.prod.id }, query: 'window=7d' }],
  },
  'POST /v1/subscriptions/:id/recover': {
    // A recovery of an overlapping window may still run: each spelling recovers a subscription of its own.
    sandbox: async () => ({ params: { id: await freshSandbox() }, body: { since: hourAgo() } }),
    ok: [202],
    production: () => [{ params: { id: f.prod.id }, body: { since: hourAgo() } }],
  },
  'PUT /v1/webhooks/:category': {
    sandbox: () => ({ params: { category: 'users' }, query: 'environment=sandbox', body: { url: `${receiver.url}/sand-users` } }),
    ok: [200, 201],
    shows: (b) => expect(b).toMatchObject({ environment: 'sandbox', category: 'users' }),
    production: () => [
      { params: { category: 'users' }, body: { url: `${receiver.url}/created-in-production` } },
      { params: { category: 'accounts' }, query: 'environment=production', body: { url: `${receiver.url}/created-in-production` } },
      { params: { category: 'endpoints' }, query: 'environment=%70roduction', body: { url: `${receiver.url}/created-in-production` } },
    ],
  },
  'GET /v1/deliveries': {
    sandbox: () => ({ query: 'environment=sandbox&limit=100' }),
    ok: [200],
    shows: (b) => {
      const ids = b.data.map((d: { id: string }) => d.id);
      expect(ids).toContain(f.sandDelivery);
      expect(ids).not.toContain(f.prodDelivery);
    },
    production: () => [
      {},
      { query: 'environment=production' },
      { query: `subscription_id=${f.prod.id}` },
      { query: 'event_id=scope-prod' },
      { query: 'environment=%70roduction' },
    ],
  },
  'GET /v1/deliveries/:id': {
    sandbox: () => ({ params: { id: f.sandDelivery } }),
    ok: [200],
    shows: (b) => expect(b.id).toBe(f.sandDelivery),
    production: () => [{ params: { id: f.prodDelivery } }],
  },
  'POST /v1/deliveries/:id/redeliver': {
    sandbox: () => ({ params: { id: f.sandDelivery } }),
    ok: [202],
    production: () => [{ params: { id: f.prodDelivery } }],
  },
  'GET /v1/events/:id': {
    sandbox: () => ({ params: { id: 'scope-sand' } }),
    ok: [200],
    shows: (b) => expect(b).toMatchObject({ id: 'scope-sand', environment: 'sandbox' }),
    production: () => [{ params: { id: 'scope-prod' } }],
  },
  'GET /v1/event-types': {
    sandbox: () => ({}),
    ok: [200],
    production: () => [],
  },
  // Audit entries are not per environment: a session scoped to one cannot read the log at all.
  'GET /v1/audit': {
    sandbox: () => ({}),
    ok: [403],
    production: () => [{}, { query: `object_id=${f.prod.id}` }],
  },
};

/** Every route of the app's table a portal session can authenticate on. */
function portalReachableRoutes(): string[] {
  const app = createApp({ pool: stack.pool, temporal: stack.temporal, config: stack.config, logger: createLogger('silent') });
  return (app.locals.routes as Routes).specs
    .filter((spec) => spec.auth === 'tenant' || spec.auth === 'any')
    .map((spec) => `${spec.method.toUpperCase()} ${spec.path}`)
    .sort();
}

/** Everything of the tenant's production: subscriptions (deleted ones too), events, deliveries and recoveries, row by row. */
async function production(tenantId: string) {
  const q = async (sql: string) => (await stack.pool.query(sql, [tenantId])).rows.map((r) => r.row);
  return {
    subscriptions: await q(`SELECT to_jsonb(s) AS row FROM subscriptions s WHERE tenant_id = $1 AND environment = 'production' ORDER BY id`),
    events: await q(`SELECT to_jsonb(e) AS row FROM events e WHERE tenant_id = $1 AND environment = 'production' ORDER BY id`),
    deliveries: await q(`SELECT to_jsonb(d) AS row FROM deliveries d
                         WHERE d.tenant_id = $1 AND (d.subscription_id IN (SELECT id FROM subscriptions WHERE environment = 'production')
                           OR d.event_id IN (SELECT id FROM events WHERE tenant_id = $1 AND environment = 'production')) ORDER BY id`),
    recoveries: await q(`SELECT to_jsonb(r) AS row FROM recoveries r JOIN subscriptions s ON s.id = r.subscription_id
                         WHERE r.tenant_id = $1 AND s.environment = 'production' ORDER BY r.id`),
  };
}

const isUnmatched = (res: { status: number; body: any }) => res.status === 404 && /^no route for /.test(res.body?.error?.message ?? '');

describe('a portal session scoped to the sandbox', () => {
  beforeAll(async () => {
    const tenant = await stack.api.createTenant(stack.adminToken, 'Scope');
    const prod = await stack.api.subscribe(tenant.api_key, {
      url: `${receiver.url}/scope-production`,
      environment: 'production',
      event_types: ['user.*'],
    });
    const sand = await stack.api.subscribe(tenant.api_key, { url: `${receiver.url}/scope-sandbox`, environment: 'sandbox', event_types: ['user.*'] });
    for (const [id, environment] of [
      ['scope-prod', 'production'],
      ['scope-sand', 'sandbox'],
    ] as const) {
      const payload = environment === 'production' ? { marker: PROD_MARKER } : { marker: 'sandbox' };
      expect((await stack.api.postEvent(stack.adminToken, { id, tenant_id: tenant.id, environment, type: 'user.created', payload })).status).toBe(
        202,
      );
      await stack.settle(tenant.id, id);
    }
    const deliveryOf = async (eventId: string) => {
      const { data } = await ok(stack.api.as(tenant.api_key).GET('/v1/deliveries', { params: { query: { event_id: eventId } } }));
      expect(data).toHaveLength(1);
      return data[0]!.id;
    };
    f = { tenant, prod, sand, prodDelivery: await deliveryOf('scope-prod'), sandDelivery: await deliveryOf('scope-sand') };
  });

  it('has a case for every route of the route table a portal session can reach', () => {
    expect(Object.keys(CASES).sort()).toEqual(portalReachableRoutes());
  });

  it('reaches no production object in any spelling of any route, and its sandbox stays usable', async () => {
    const before = await production(f.tenant.id);
    expect(before.subscriptions).toHaveLength(1);
    expect(before.events).toHaveLength(1);
    expect(before.deliveries).toHaveLength(1);
    const p = await openPortal(f.tenant.id, 'sandbox');
    const reached = new Set<string>();

    for (const [route, c] of Object.entries(CASES)) {
      const [method, pattern] = route.split(' ') as [string, string];
      for (const spelling of Object.keys(SPELLINGS)) {
        for (const call of c.production()) {
          // HEAD runs a GET route's handler too.
          for (const verb of method === 'GET' ? ['GET', 'HEAD'] : [method]) {
            const path = spell(pattern, spelling, call.params, call.query);
            const res = await asPortal(p, verb, path, call.body);
            const label = `${verb} ${path} ${JSON.stringify(call.body ?? '')} (${route}, ${spelling})`;
            expect(res.status, label).toBeGreaterThanOrEqual(400);
            const text = JSON.stringify(res.body ?? '');
            expect(text, label).not.toContain(f.prod.url);
            expect(text, label).not.toContain(PROD_MARKER);
            expect(text, label).not.toContain('"environment":"production"');
          }
        }
        const call = await c.sandbox();
        const path = spell(pattern, spelling, call.params, call.query);
        const res = await asPortal(p, method, path, call.body);
        const label = `${method} ${path} (${route}, ${spelling}) answered ${res.status} ${JSON.stringify(res.body)}`;
        // A spelling Express does not resolve reaches no route at all; the declared one always does.
        if (spelling !== 'as declared' && isUnmatched(res)) continue;
        expect(c.ok, label).toContain(res.status);
        c.shows?.(res.body);
        reached.add(spelling);
      }
    }
    // Express routes these spellings to the route, so they were walked for real.
    for (const spelling of ['as declared', 'upper-case', 'upper-case version only', 'trailing slash', 'percent-encoded params', 'all at once']) {
      expect([...reached]).toContain(spelling);
    }

    const after = await production(f.tenant.id);
    expect(after).toEqual(before);
    // The sandbox subscription is still the sandbox's, with the environment's errors as they were.
    const sand = await stack.api.as(f.tenant.api_key).GET('/v1/subscriptions/{id}', { params: { path: { id: f.sand.id } } });
    expect(sand.response.status).toBe(200);
    expect(sand.data?.environment).toBe('sandbox');
    const wrong = await asPortal(p, 'GET', '/V1/Subscriptions/');
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details[0]).toMatchObject({ path: 'environment' });
    expect((await asPortal(p, 'GET', `/V1/subscriptions/${f.prod.id}/`)).body.error).toMatchObject({
      code: 'not_found',
      message: 'subscription not found',
    });
  });
});

describe('a portal session for every environment', () => {
  it('still reads and writes both, in any spelling', async () => {
    const tenant = await stack.api.createTenant(stack.adminToken, 'Scope all');
    const prod = await stack.api.subscribe(tenant.api_key, { url: `${receiver.url}/all-production`, environment: 'production' });
    const sand = await stack.api.subscribe(tenant.api_key, { url: `${receiver.url}/all-sandbox`, environment: 'sandbox' });
    const p = await openPortal(tenant.id);
    for (const spelling of ['as declared', 'upper-case', 'trailing slash']) {
      for (const sub of [prod, sand]) {
        const res = await asPortal(p, 'GET', spell('/v1/subscriptions/:id', spelling, { id: sub.id }));
        expect(res.status, spelling).toBe(200);
        expect(res.body.id).toBe(sub.id);
      }
      const list = await asPortal(p, 'GET', spell('/v1/subscriptions', spelling));
      expect(list.status).toBe(200);
      expect(list.body.data.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining([prod.id, sand.id]));
    }
    const created = await asPortal(p, 'POST', '/V1/subscriptions/', { url: `${receiver.url}/all-new` });
    expect(created.status).toBe(201);
    expect(created.body.environment).toBe('production');
    expect((await asPortal(p, 'PATCH', `/v1/subscriptions/${sand.id}`, { environment: 'production' })).body.environment).toBe('production');
    expect((await asPortal(p, 'PUT', '/v1/webhooks/users?environment=production', { url: `${receiver.url}/all-users` })).status).toBe(201);
    expect((await asPortal(p, 'GET', '/v1/deliveries')).status).toBe(200);
  });
});

describe('a tenant route without a portal scope rule', () => {
  it('is refused to a session scoped to one environment, and open to the tenant otherwise', async () => {
    const auth = {
      admin: authenticate(stack.pool, stack.adminToken, ['admin']),
      tenant: authenticate(stack.pool, stack.adminToken, ['tenant']),
      any: authenticate(stack.pool, stack.adminToken, ['admin', 'tenant']),
    };
    const routes = new Routes(Router(), createRegistry(), auth, portalScope(stack.pool));
    routes.add(
      {
        method: 'get',
        path: '/v1/unlisted/:id',
        operationId: 'getUnlisted',
        tag: 'Test',
        auth: 'tenant',
        summary: 'A route the scope rules do not know',
        responses: { 200: { description: 'Reached' } },
      },
      (_input, _req, res) => {
        res.json({ reached: true });
      },
    );
    const app = express();
    app.use(routes.router);
    app.use(errorHandler(createLogger('silent')));
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const tenant = await stack.api.createTenant(stack.adminToken, 'Scope unlisted');
      const get = async (path: string, headers: Record<string, string>) => {
        const res = await fetch(url + path, { headers });
        return { status: res.status, body: (await res.json()) as any };
      };
      const scoped = await openPortal(tenant.id, 'sandbox');
      for (const path of ['/v1/unlisted/x', '/V1/UNLISTED/x/']) {
        const res = await get(path, { cookie: scoped.cookie });
        expect(res.status, path).toBe(403);
        expect(res.body.error.code).toBe('forbidden');
      }
      expect(await get('/v1/unlisted/x', { cookie: (await openPortal(tenant.id)).cookie })).toEqual({ status: 200, body: { reached: true } });
      expect(await get('/v1/unlisted/x', { authorization: `Bearer ${tenant.api_key}` })).toEqual({ status: 200, body: { reached: true } });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
