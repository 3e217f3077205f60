// The tenant portal's credential: single-use expiring links, the session cookie, CSRF, environment scope, headers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestBody } from '../../src/client/index.js';
import { ok } from '../support/api.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ noWorker: true });
});
afterAll(async () => {
  await stack?.stop();
});

interface Opened {
  cookie: string;
  csrf: string;
  expiresAt: string;
  setCookie: string;
}

async function makeLink(tenantId: string, body: RequestBody<'createPortalSession'> = {}) {
  const res = await stack.api.as(stack.adminToken).POST('/v1/tenants/{id}/portal-sessions', { params: { path: { id: tenantId } }, body });
  expect(res.response.status).toBe(201);
  return res.data!;
}

function open(url: string, headers: Record<string, string> = {}) {
  return fetch(url, { redirect: 'manual', headers });
}

async function openPortal(tenantId: string, body: RequestBody<'createPortalSession'> = {}): Promise<Opened> {
  const link = await makeLink(tenantId, body);
  const res = await open(link.url);
  expect(res.status).toBe(303);
  const setCookie = res.headers.get('set-cookie')!;
  const cookie = setCookie.split(';')[0]!;
  const session = await fetch(`${stack.url}/portal/session`, { headers: { cookie } });
  expect(session.status).toBe(200);
  const { csrf_token } = (await session.json()) as { csrf_token: string };
  return { cookie, csrf: csrf_token, expiresAt: link.expires_at, setCookie };
}

/** A call as the portal: the cookie, and the CSRF token unless told otherwise (null: none). */
function asPortal(p: Opened, method: string, path: string, body?: unknown, csrf: string | null = p.csrf) {
  return stack.api.call(method, path, undefined, body, { cookie: p.cookie, ...(csrf !== null ? { 'x-csrf-token': csrf } : {}) });
}

async function expireLinks(tenantId: string) {
  await stack.pool.query(`UPDATE portal_sessions SET expires_at = now() - interval '1 second' WHERE tenant_id = $1`, [tenantId]);
}

describe('POST /v1/tenants/:id/portal-sessions', () => {
  it('takes the admin token only, names the tenant, and bounds the ttl', async () => {
    const t = await stack.api.createTenant(stack.adminToken, 'Portal A');
    expect((await stack.api.call('POST', `/v1/tenants/${t.id}/portal-sessions`, t.api_key, {})).status).toBe(403);
    expect((await stack.api.call('POST', `/v1/tenants/${t.id}/portal-sessions`, undefined, {})).status).toBe(401);
    expect((await stack.api.call('POST', '/v1/tenants/ten_nope/portal-sessions', stack.adminToken, {})).status).toBe(404);
    for (const [body, field] of [
      [{ ttl: '25h' }, 'ttl'],
      [{ ttl: 'soon' }, 'ttl'],
      [{ ttl: '30s' }, 'ttl'],
      [{ environment: 'staging' }, 'environment'],
      [{ extra: 1 }, 'extra'],
    ] as const) {
      const res = await stack.api.call('POST', `/v1/tenants/${t.id}/portal-sessions`, stack.adminToken, body);
      expect(res.status).toBe(400);
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(field);
    }
    const before = Date.now();
    const link = await makeLink(t.id);
    expect(link.url).toMatch(new RegExp(`^${stack.url}/portal/open\\?token=hrpl_[\\w-]{43}$`));
    expect(Date.parse(link.expires_at) - before).toBeGreaterThan(3_600_000 - 5_000);
    expect(Date.parse(link.expires_at) - before).toBeLessThan(3_600_000 + 5_000);
    const longest = await makeLink(t.id, { ttl: '24h' });
    expect(Date.parse(longest.expires_at) - before).toBeGreaterThan(24 * 3_600_000 - 5_000);
  });

  it('stores only hashes of the link and session tokens', async () => {
    const t = await stack.api.createTenant(stack.adminToken, 'Portal hashes');
    const link = await makeLink(t.id);
    const token = new URL(link.url).searchParams.get('token')!;
    const res = await open(link.url);
    const session = res.headers.get('set-cookie')!.split(';')[0]!.split('=')[1]!;
    const { rows } = await stack.pool.query(`SELECT * FROM portal_sessions WHERE tenant_id = $1`, [t.id]);
    const text = JSON.stringify(rows);
    expect(rows).toHaveLength(1);
    expect(text).not.toContain(token);
    expect(text).not.toContain(session);
    expect(text).not.toContain(Buffer.from(session).toString('hex'));
  });
});

describe('opening the link', () => {
  it('sets an HttpOnly, SameSite=Strict cookie ending with the link, redirects, and works once', async () => {
    const t = await stack.api.createTenant(stack.adminToken, 'Portal once');
    const link = await makeLink(t.id, { ttl: '2h' });
    const first = await open(link.url);
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/portal/');
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.headers.get('referrer-policy')).toBe('no-referrer');
    const setCookie = first.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^hookrelay_portal=[\w-]{43}; /);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).not.toContain('Secure');
    const expires = /Expires=([^;]+)/.exec(setCookie)![1]!;
    expect(Math.abs(Date.parse(expires) - Date.parse(link.expires_at))).toBeLessThan(1_000);

    const again = await open(link.url);
    expect(again.status).toBe(403);
    expect(again.headers.get('set-cookie')).toBeNull();
    expect(await again.text()).toContain('data-state="link-refused"');
  });

  it('is Secure behind https', async () => {
    const t = await stack.api.createTenant(stack.adminToken, 'Portal https');
    const res = await open((await makeLink(t.id)).url, { 'x-forwarded-proto': 'https' });
    expect(res.headers.get('set-cookie')).toMatch(/; Secure/);
  });

  it('refuses an expired link, a made-up token and no token', async () => {
    const t = await stack.api.createTenant(stack.adminToken, 'Portal expired');
    const link = await makeLink(t.id, { ttl: '1m' });
    await expireLinks(t.id);
    for (const url of [
      link.url,
      `${stack.url}/portal/open?token=hrpl_${'a'.repeat(43)}`,
      `${stack.url}/portal/open`,
      `${stack.url}/portal/open?token=<script>`,
    ]) {
      const res = await open(url);
      expect(res.status).toBe(403);
      expect(res.headers.get('set-cookie')).toBeNull();
    }
  });

  it('lets only one of two racing openings win', async () => {
    const t = await stack.api.createTenant(stack.adminToken, 'Portal race');
    const link = await makeLink(t.id);
    const statuses = (await Promise.all(Array.from({ length: 5 }, () => open(link.url)))).map((r) => r.status).sort();
    expect(statuses).toEqual([303, 403, 403, 403, 403]);
  });
});

// A 1×1 transparent PNG.
const PNG_DATA_URL = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

describe("the return URL and the platform's look", () => {
  it('are carried by the session, with a neutral name by default', async () => {
    const t = await stack.api.createTenant(stack.adminToken, 'Portal look');
    const plain = await openPortal(t.id);
    const plainInfo = await stack.api.call('GET', '/portal/session', undefined, undefined, { cookie: plain.cookie });
    expect(plainInfo.body).toMatchObject({ return_url: null, branding: { name: 'Webhooks', logo_url: null, accent_color: null } });

    const look = { name: 'Acme Cloud', logo_url: PNG_DATA_URL, accent_color: '#0b5cad' };
    const branded = await openPortal(t.id, { return_url: 'https://dashboard.example.com/settings/webhooks?tab=1', branding: look });
    const info = await stack.api.call('GET', '/portal/session', undefined, undefined, { cookie: branded.cookie });
    expect(info.body).toMatchObject({ return_url: 'https://dashboard.example.com/settings/webhooks?tab=1', branding: look });
    const path = await openPortal(t.id, { branding: { logo_url: '/static/acme-logo.svg' } });
    expect((await stack.api.call('GET', '/portal/session', undefined, undefined, { cookie: path.cookie })).body.branding).toEqual({
      name: 'Webhooks',
      logo_url: '/static/acme-logo.svg',
      accent_color: null,
    });
  });

  it('are refused, naming the field, when they are not what the portal can show safely', async () => {
    const t = await stack.api.createTenant(stack.adminToken, 'Portal look refused');
    for (const [body, field] of [
      [{ return_url: 'javascript:alert(1)' }, 'return_url'],
      [{ return_url: 'ftp://example.com/' }, 'return_url'],
      [{ return_url: '/relative' }, 'return_url'],
      [{ return_url: 'https://user:pw@example.com/' }, 'return_url'],
      [{ return_url: `https://example.com/${'a'.repeat(2100)}` }, 'return_url'],
      [{ return_url: 42 }, 'return_url'],
      [{ branding: { name: '' } }, 'branding.name'],
      [{ branding: { name: 'x'.repeat(61) } }, 'branding.name'],
      [{ branding: { name: ' Acme' } }, 'branding.name'],
      [{ branding: { name: 'Acme\u0007' } }, 'branding.name'],
      [{ branding: { logo_url: 'https://cdn.example.com/logo.png' } }, 'branding.logo_url'],
      [{ branding: { logo_url: '//cdn.example.com/logo.png' } }, 'branding.logo_url'],
      [{ branding: { logo_url: '/\\cdn.example.com/logo.png' } }, 'branding.logo_url'],
      [{ branding: { logo_url: 'data:text/html;base64,PHNjcmlwdD4=' } }, 'branding.logo_url'],
      [{ branding: { logo_url: 'data:image/png,<svg onload=alert(1)>' } }, 'branding.logo_url'],
      [{ branding: { logo_url: `data:image/png;base64,${'A'.repeat(40_000)}` } }, 'branding.logo_url'],
      [{ branding: { accent_color: 'red' } }, 'branding.accent_color'],
      [{ branding: { accent_color: '#fff' } }, 'branding.accent_color'],
      [{ branding: { accent_color: '#ffff00' } }, 'branding.accent_color'],
      [{ branding: { accent_color: '#0b5cad;background:url(x)' } }, 'branding.accent_color'],
      [{ branding: { colour: '#000000' } }, 'branding.colour'],
    ] as const) {
      const res = await stack.api.call('POST', `/v1/tenants/${t.id}/portal-sessions`, stack.adminToken, body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(field);
    }
  });

  it('are still told, with session_ended, to a page whose session has ended', async () => {
    const t = await stack.api.createTenant(stack.adminToken, 'Portal ended');
    const p = await openPortal(t.id, { return_url: 'https://dashboard.example.com/', branding: { name: 'Acme Cloud' } });
    await expireLinks(t.id);
    const ended = await stack.api.call('GET', '/portal/session', undefined, undefined, { cookie: p.cookie });
    expect(ended.status).toBe(401);
    expect(ended.body).toEqual({
      error: { code: 'session_ended', message: 'this portal session has ended' },
      ended: { return_url: 'https://dashboard.example.com/', branding: { name: 'Acme Cloud', logo_url: null, accent_color: null } },
    });
    // No cookie, or one naming no session: the plain 401, which tells nothing.
    const none = await stack.api.call('GET', '/portal/session', undefined, undefined, { cookie: `hookrelay_portal=${'A'.repeat(43)}` });
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthorized');
    expect(none.body.ended).toBeUndefined();
  });
});

describe('the session', () => {
  it("acts as its tenant on the API until the link's ttl, and not after", async () => {
    const t = await stack.api.createTenant(stack.adminToken, 'Portal session');
    const p = await openPortal(t.id, { ttl: '10m' });
    const info = await stack.api.call('GET', '/portal/session', undefined, undefined, { cookie: p.cookie });
    expect(info.body).toMatchObject({ tenant: { id: t.id, name: 'Portal session' }, environment: null, expires_at: p.expiresAt });
    expect(info.headers.get('cache-control')).toBe('no-store');
    const created = await asPortal(p, 'POST', '/v1/subscriptions', { url: 'https://example.com/hook' });
    expect(created.status).toBe(201);
    const listed = await ok(stack.api.as(t.api_key).GET('/v1/subscriptions'));
    expect(listed.data.map((s) => s.id)).toEqual([created.body.id]);

    await expireLinks(t.id);
    expect((await asPortal(p, 'GET', '/v1/subscriptions')).status).toBe(401);
    expect((await stack.api.call('GET', '/portal/session', undefined, undefined, { cookie: p.cookie })).status).toBe(401);
  });

  it('never acts as the admin, and a bearer token still decides when one is sent', async () => {
    const t = await stack.api.createTenant(stack.adminToken, 'Portal not admin');
    const p = await openPortal(t.id);
    const event = await asPortal(p, 'POST', '/v1/events', { tenant_id: t.id, environment: 'production', type: 'user.created', payload: {} });
    expect(event.status).toBe(401);
    expect((await asPortal(p, 'POST', `/v1/tenants/${t.id}/portal-sessions`, {})).status).toBe(401);
    // A wrong bearer token is not rescued by the cookie.
    const wrong = await stack.api.call('GET', '/v1/subscriptions', 'hr_wrong', undefined, { cookie: p.cookie });
    expect(wrong.status).toBe(401);
  });

  it('refuses a state-changing request without its CSRF token, and writes nothing', async () => {
    const t = await stack.api.createTenant(stack.adminToken, 'Portal CSRF');
    const p = await openPortal(t.id);
    const sub = (await asPortal(p, 'POST', '/v1/subscriptions', { url: 'https://example.com/a' })).body;
    const other = await openPortal(t.id);
    const attempts: Array<[string, string, unknown]> = [
      ['POST', '/v1/subscriptions', { url: 'https://example.com/b' }],
      ['PATCH', `/v1/subscriptions/${sub.id}`, { enabled: false }],
      ['DELETE', `/v1/subscriptions/${sub.id}`, undefined],
      ['POST', `/v1/subscriptions/${sub.id}/rotate-secret`, undefined],
      ['POST', `/v1/subscriptions/${sub.id}/test`, {}],
    ];
    for (const [method, path, body] of attempts) {
      for (const csrf of [null, '', 'x'.repeat(43), other.csrf]) {
        const res = await asPortal(p, method, path, body, csrf);
        expect(res.status, `${method} ${path} with CSRF ${String(csrf)}`).toBe(403);
        expect(res.body.error.code).toBe('csrf_token_invalid');
      }
    }
    expect(await stack.api.subscription(t.api_key, sub.id)).toMatchObject({ enabled: true, updated_at: sub.updated_at });
    expect((await ok(stack.api.as(t.api_key).GET('/v1/subscriptions'))).data).toHaveLength(1);
    // Reads need no CSRF token; the right one lets the write through.
    expect((await asPortal(p, 'GET', `/v1/subscriptions/${sub.id}`, undefined, null)).status).toBe(200);
    expect((await asPortal(p, 'PATCH', `/v1/subscriptions/${sub.id}`, { enabled: false })).status).toBe(200);
  });

  it('ends at sign-out', async () => {
    const t = await stack.api.createTenant(stack.adminToken, 'Portal logout');
    const p = await openPortal(t.id);
    expect((await asPortal(p, 'POST', '/portal/logout', undefined, null)).status).toBe(403);
    const out = await asPortal(p, 'POST', '/portal/logout');
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^hookrelay_portal=;.*Expires=Thu, 01 Jan 1970/);
    expect((await asPortal(p, 'GET', '/v1/subscriptions')).status).toBe(401);
  });
});

describe('a session for one environment', () => {
  it('sees and writes that environment only', async () => {
    const t = await stack.api.createTenant(stack.adminToken, 'Portal sandbox');
    const prod = await stack.api.subscribe(t.api_key, { url: 'https://example.com/prod', environment: 'production' });
    const sand = await stack.api.subscribe(t.api_key, { url: 'https://example.com/sand', environment: 'sandbox' });
    const p = await openPortal(t.id, { environment: 'sandbox' });
    expect((await stack.api.call('GET', '/portal/session', undefined, undefined, { cookie: p.cookie })).body.environment).toBe('sandbox');

    const list = await asPortal(p, 'GET', '/v1/subscriptions?environment=sandbox');
    expect(list.body.data.map((s: { id: string }) => s.id)).toEqual([sand.id]);
    for (const path of ['/v1/subscriptions', '/v1/subscriptions?environment=production', '/v1/deliveries', '/v1/deliveries?environment=production']) {
      const res = await asPortal(p, 'GET', path);
      expect(res.status, path).toBe(400);
      expect(res.body.error.details[0]).toMatchObject({ path: 'environment' });
    }
    expect((await asPortal(p, 'GET', '/v1/deliveries?environment=sandbox')).status).toBe(200);
    for (const [method, path, body] of [
      ['GET', `/v1/subscriptions/${prod.id}`, undefined],
      ['PATCH', `/v1/subscriptions/${prod.id}`, { enabled: false }],
      ['DELETE', `/v1/subscriptions/${prod.id}`, undefined],
      ['POST', `/v1/subscriptions/${prod.id}/rotate-secret`, undefined],
      ['GET', `/v1/subscriptions/${prod.id}/stats`, undefined],
      ['POST', `/v1/subscriptions/${prod.id}/test`, {}],
    ] as const) {
      expect((await asPortal(p, method, path, body)).status, `${method} ${path}`).toBe(404);
    }
    expect((await asPortal(p, 'GET', `/v1/subscriptions/${sand.id}`)).status).toBe(200);
    expect((await asPortal(p, 'POST', '/v1/subscriptions', { url: 'https://example.com/x' })).status).toBe(400);
    expect((await asPortal(p, 'POST', '/v1/subscriptions', { url: 'https://example.com/x', environment: 'production' })).status).toBe(400);
    expect((await asPortal(p, 'PATCH', `/v1/subscriptions/${sand.id}`, { environment: 'production' })).status).toBe(400);
    expect((await asPortal(p, 'POST', '/v1/subscriptions', { url: 'https://example.com/x', environment: 'sandbox' })).status).toBe(201);
    expect((await stack.api.subscription(t.api_key, prod.id)).enabled).toBe(true);
  });
});

describe('the portal pages', () => {
  it('send a strict CSP, refuse framing by default, and serve every asset themselves', async () => {
    for (const path of ['/portal/', '/portal/assets/app.js', '/portal/assets/app.css', '/portal/session']) {
      const res = await fetch(stack.url + path);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/unsafe|https?:/);
      // Images: hookrelay's own, or a logo the session carries as a data: URL; nothing else.
      expect(csp).toContain("img-src 'self' data:;");
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const html = await (await fetch(`${stack.url}/portal/`)).text();
    // No inline script or style; every src and href is one of hookrelay's own paths.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|style=/);
    for (const [, ref] of html.matchAll(/(?:src|href)="([^"]+)"/g)) expect(ref).toMatch(/^(\/portal\/|#)/);
    const js = await fetch(`${stack.url}/portal/assets/app.js`);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await js.text()).length).toBeGreaterThan(10_000);
    expect((await fetch(`${stack.url}/portal/assets/other.js`)).status).toBe(404);
  });

  it("let PORTAL_FRAME_ANCESTORS allow the producer's dashboard to embed them", async () => {
    const framed = await startStack({ noWorker: true, env: { PORTAL_FRAME_ANCESTORS: "'self' https://dashboard.example.com" } });
    try {
      const res = await fetch(`${framed.url}/portal/`);
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'self' https://dashboard.example.com");
      expect(res.headers.get('x-frame-options')).toBeNull();
    } finally {
      await framed.stop();
    }
  });
});
