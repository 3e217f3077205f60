// The portal's session as the browser holds it: the link that opens it (a strict CSP, a cookie that ends
// with the link, the token out of the address bar), and what it refuses: a request without the CSRF token
// or with a wrong one, another tenant's ids, a link opened twice, an expired link.
import type { PortalWalk } from './portal-walk.js';
import { step } from './portal-page.js';

/** Opening the link: a session cookie, then the portal without the token in the address. */
export async function openLink({ run, first, context, page }: PortalWalk): Promise<void> {
  const opened = await step(run, page, 'the link opens the portal', async () => {
    const response = await page.goto(first.url, { waitUntil: 'domcontentloaded' });
    await page.getByRole('heading', { name: 'Subscriptions' }).waitFor();
    return response;
  });
  run.check(
    new URL(page.url()).pathname === '/portal/' && !page.url().includes('token'),
    'the link redirects to /portal/ and its token leaves the address bar',
    () => page.url(),
  );
  const csp = (await opened?.allHeaders())?.['content-security-policy'] ?? '';
  run.check(
    /script-src 'self'/.test(csp) && !/unsafe-inline/.test(csp) && /frame-ancestors 'none'/.test(csp),
    'the portal page is served with a strict CSP',
    () => csp,
  );
  const cookie = (await context.cookies()).find((c) => c.name === 'hookrelay_portal');
  run.check(
    Boolean(cookie?.httpOnly) && cookie?.sameSite === 'Strict' && Math.abs(cookie.expires * 1000 - Date.parse(first.expires_at)) < 2000,
    'the session cookie is HttpOnly, SameSite=Strict and ends with the link',
    () => JSON.stringify(cookie),
  );
  run.check((await page.innerText('header')).includes('Acme Payroll'), 'the header names the tenant', () => 'tenant name missing');
  const title = await page.title();
  run.check(title === 'Subscriptions — Webhooks', 'without branding, the list is titled "Subscriptions — Webhooks" (a neutral name)', () => title);
  await run.screenshot(page, '01-subscriptions-empty.png');
  await run.axe(page, 'the empty subscription list');
}

/** Refusals: no CSRF token, a wrong one, another tenant's subscription, the first link again, an expired link. */
export async function checkRefusals({ run, page, otherSub, first, link, sql, browser }: PortalWalk, subId: string): Promise<void> {
  const csrfless = await page.evaluate(async (id) => {
    const r = await fetch(`/v1/subscriptions/${id}/rotate-secret`, { method: 'POST' });
    return { status: r.status, body: await r.text() };
  }, subId);
  run.check(csrfless.status === 403 && csrfless.body.includes('csrf'), 'a POST with the session cookie but no CSRF token is refused (403)', () =>
    JSON.stringify(csrfless),
  );
  const wrongCsrf = await page.evaluate(
    async (id) =>
      (
        await fetch(`/v1/subscriptions/${id}`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json', 'x-csrf-token': 'A'.repeat(43) },
          body: '{"enabled":false}',
        })
      ).status,
    subId,
  );
  run.check(wrongCsrf === 403, 'a PATCH with a wrong CSRF token is refused (403)', () => String(wrongCsrf));
  const foreign = await page.evaluate(async (id) => (await fetch(`/v1/subscriptions/${id}`)).status, otherSub.id);
  run.check(foreign === 404, "another tenant's subscription answers 404 in the portal", () => String(foreign));

  const reused = await page.goto(first.url);
  run.check(
    reused?.status() === 403 && (await page.innerText('body')).includes('cannot be opened'),
    'the link, opened a second time, is refused',
    () => String(reused?.status()),
  );
  await run.screenshot(page, '13-link-refused.png');
  await run.axe(page, 'the refused link page');

  const expiring = await link({ ttl: '1m' });
  // A minute is the shortest ttl; rather than wait for it, its end is moved into the past.
  await sql(`UPDATE portal_sessions SET expires_at = now() - interval '1 second' WHERE link_used_at IS NULL`);
  const fresh = await browser.newContext();
  const expiredPage = await fresh.newPage();
  const expired = await expiredPage.goto(expiring.url);
  run.check(expired?.status() === 403 && (await fresh.cookies()).length === 0, 'an expired link is refused and sets no cookie', () =>
    String(expired?.status()),
  );
  await fresh.close();
}
