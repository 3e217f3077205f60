// A real-browser walk through the tenant portal, as a tenant's user: open the link, create a subscription
// to a local receiver that fails twice, send a test event and watch its attempts arrive, redeliver, rotate
// the secret, use the recover control, read the figures; then the refusals: a reused link, an expired link,
// a POST without the CSRF token, another tenant's ids; last, with an event type catalog, that the form
// creates exactly the event types ticked. On the way: max in flight (50 on create, the API's 400 on its field,
// 20 kept) and an open circuit (a circuits row written directly) shown on the page and in the list. Screenshots under test-results/portal-check/ (one set at 375 px wide too).
//
//   npm run portal-check
//
// Starts the bench stack (Temporal dev server, a fresh PostgreSQL database, the worker and the API as child
// processes) and drives headless Chromium (Debian's /usr/bin/chromium through playwright-core; no browser
// download). Exits 0 when every check holds, 1 when one fails, 2 on the time limit.
// Env: CI=true installs chromium with apt-get when it is missing; PORTAL_CHECK_TIMEOUT_MS (default 240000);
// BENCH_DATABASE_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres).
import http from 'node:http';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { BrowserCheck, CheckFailed } from './lib/browser-check.js';

const TOTAL_TIMEOUT_MS = Number(process.env.PORTAL_CHECK_TIMEOUT_MS ?? 240_000);

// Annotated, so that TypeScript sees `run.fail()` never returns.
const run: BrowserCheck = new BrowserCheck('portal-check');

// ---------------------------------------------------------------- the receiver

interface Hit {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** `/fails-twice` answers 503 to its first two requests and 200 after; every request is kept. */
async function startReceiver() {
  const hits: Hit[] = [];
  const url = await run.startReceiver((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hit = { path: (req.url ?? '/').split('?')[0]!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      hits.push(hit);
      const n = hits.filter((h) => h.path === hit.path).length;
      if (hit.path === '/fails-twice' && n <= 2) res.writeHead(503, { 'content-type': 'text/plain' }).end(`busy, try again (request ${n})`);
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ received: true, request: n }));
    });
  });
  return { url, hits };
}

// ---------------------------------------------------------------- the page

/** Runs `fn`; on failure saves the page as it was and fails with `what`. */
async function step<T>(page: Page, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof CheckFailed) throw error;
    const name = `failure-${run.count + 1}.png`;
    await run.screenshot(page, name).catch(() => undefined);
    run.fail(what, `${(error as Error).message.split('\n')[0]}\n(page ${page.url()}, screenshot ${name})`);
  }
}

/** Every form control on the page has an accessible name (a label, aria-label or its own text). */
async function unlabelledControls(page: Page): Promise<string[]> {
  return page.$$eval('input, select, textarea, button, a[href]', (elements) =>
    elements.flatMap((el) => {
      const control = el as HTMLInputElement;
      const named =
        (control.labels && control.labels.length > 0) ||
        el.getAttribute('aria-label') ||
        el.getAttribute('aria-labelledby') ||
        ((el.tagName === 'BUTTON' || el.tagName === 'A') && (el.textContent ?? '').trim() !== '');
      return named ? [] : [el.outerHTML.slice(0, 120)];
    }),
  );
}

// ---------------------------------------------------------------- the walk

async function main(): Promise<void> {
  run.info('starting the stack (Temporal dev server, database, worker, API)');
  const { stack, api } = await run.startStack();
  const receiver = await startReceiver();
  const tenant = await api.tenant(stack.adminToken, 'Acme Payroll');
  const other = await api.tenant(stack.adminToken, 'Other Corp');
  const otherSub = await api.subscribe(other.api_key, { url: `${receiver.url}/other`, event_types: ['user.*'] });
  const link = async (body: Record<string, unknown> = {}) => {
    const res = await api.call('POST', `/v1/tenants/${tenant.id}/portal-sessions`, stack.adminToken, body);
    if (res.status !== 201) throw new Error(`portal-sessions answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body as { url: string; expires_at: string };
  };
  /** The check reaches the stack's database directly for what a user cannot do: expire a link, open a circuit. */
  const sql = async (text: string, values: unknown[] = []) => {
    const db = new pg.Client({ connectionString: stack.env.DATABASE_URL });
    await db.connect();
    try {
      await db.query(text, values);
    } finally {
      await db.end();
    }
  };
  const first = await link({ ttl: '30m' });
  run.info(`portal link made, expires ${first.expires_at}`);

  const browser = await run.launchChromium();
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  page.on('console', (m) => {
    if (/Content.Security.Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));

  // 1. Opening the link: a session cookie, then the portal without the token in the address.
  const opened = await step(page, 'the link opens the portal', async () => {
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
  await run.screenshot(page, '01-subscriptions-empty.png');

  // 2. Keyboard: from the top of the page, Tab reaches "New subscription" and Enter opens the form.
  await step(page, 'the form opens from the keyboard', async () => {
    await page.locator('body').focus();
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => document.activeElement?.textContent?.trim() === 'New subscription')) break;
    }
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'New subscription' }).waitFor();
  });
  run.pass('Tab reaches "New subscription" and Enter opens the form');

  // 3. Creating a subscription with every kind of field.
  await step(page, 'a subscription is created from the form', async () => {
    await page.getByLabel('Endpoint URL').fill(`${receiver.url}/fails-twice`);
    await page.getByLabel('Description').fill('Payroll sync <script>alert(1)</script>');
    await page.getByLabel('Patterns').fill('user.*\naccount.updated');
    await page.getByLabel('Custom').check();
    await page.getByLabel('First retry after').fill('1s');
    await page.getByLabel('Backoff coefficient').fill('1');
    await page.getByLabel('Longest wait').fill('2s');
    await page.getByLabel('Maximum attempts').fill('5');
    await page.getByRole('button', { name: 'Add header' }).click();
    await page.getByLabel('Header 1', { exact: true }).fill('x-portal-check');
    await page.getByLabel('Value 1', { exact: true }).fill('yes');
    await page.getByRole('button', { name: 'Add field' }).click();
    await page.getByLabel('Field 1', { exact: true }).fill('uid');
    await page.getByLabel('Renamed to 1', { exact: true }).fill('user_id');
    const inFlight = [await page.getByLabel('Max in flight').inputValue(), await page.locator('#f-max-in-flight-hint').innerText()];
    run.check(
      inFlight[0] === '50' && /attempts in flight at once.*more wait their turn/i.test(inFlight[1]!),
      'the form shows "Max in flight" at 50 on create, with what it bounds',
      () => inFlight.join(' | '),
    );
    await run.screenshot(page, '02-subscription-form.png');
    const unlabelled = await unlabelledControls(page);
    run.check(unlabelled.length === 0, 'every control of the form is labelled', () => unlabelled.join('\n'));
    await page.getByRole('button', { name: 'Create subscription' }).click();
    await page.getByRole('heading', { name: 'Subscription created' }).waitFor();
  });
  const secret = await page.getByLabel('Signing secret').inputValue();
  run.check(/^whsec_/.test(secret), "the new subscription's secret is shown once, with a copy button", () => secret);
  await run.screenshot(page, '03-subscription-created.png');
  await page.getByRole('link', { name: 'Go to the subscription' }).click();
  await page.getByRole('heading', { name: /fails-twice/ }).waitFor();
  const subId = new URL(page.url()).hash.split('/')[2]!;
  run.check(
    (await page.innerText('main')).includes('Payroll sync <script>alert(1)</script>') && pageErrors.length === 0,
    'a description with markup is shown as text, not run',
    () => pageErrors.join('; '),
  );
  const facts = (await page.innerText('.facts')).replace(/\s+/g, ' ');
  run.check(
    /Max in flight 50 attempts at once/.test(facts) && /Circuit closed/.test(facts) && (await page.locator('.circuit-notice').count()) === 0,
    "the subscription's page shows max in flight (50) and its circuit closed, with no notice",
    () => facts,
  );

  // 4. The test event: its attempts arrive on the page (503, 503, then 200).
  await step(page, "the test event's attempts arrive on the page", async () => {
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.locator('.test-run').waitFor();
    await page.locator('.test-run tbody tr').first().waitFor({ timeout: 20_000 });
    await run.screenshot(page, '04-test-event-first-attempt.png');
    await page.locator('.test-run .badge-succeeded').waitFor({ timeout: 30_000 });
  });
  const testRows = await page.locator('.test-run tbody tr').allInnerTexts();
  run.check(
    testRows.length === 3 && /HTTP 503/.test(testRows[0]!) && /HTTP 503/.test(testRows[1]!) && /HTTP 200/.test(testRows[2]!),
    'the test delivery shows 3 attempts: HTTP 503, HTTP 503, HTTP 200, each with its response excerpt',
    () => testRows.join('\n'),
  );
  await step(page, "the figures count the test delivery's attempts once it ends", () =>
    page.waitForFunction(() => /Attempts\s*3(?!\d)/.test(document.querySelector('.figures')?.textContent ?? ''), undefined, { timeout: 10_000 }),
  );
  const figuresAfterTest = (await page.innerText('.figures')).replace(/\s+/g, ' ');
  run.check(
    /Success rate 33\.3 %/.test(figuresAfterTest) && /Succeeded 1/.test(figuresAfterTest) && /Failed 2/.test(figuresAfterTest),
    'the figures update after the test: 3 attempts, 1 succeeded (33.3 %)',
    () => figuresAfterTest,
  );
  await run.screenshot(page, '05-test-event-delivered.png');
  const testHits = receiver.hits.filter((h) => h.path === '/fails-twice');
  run.check(
    testHits.length === 3 && testHits.every((h) => h.headers['x-hookrelay-event-type'] === 'hookrelay.test' && h.headers['x-portal-check'] === 'yes'),
    'the receiver got the hookrelay.test event 3 times, with the header set in the form',
    () => JSON.stringify(testHits.map((h) => h.headers)),
  );
  run.check(
    receiver.hits.every((h) => h.path === '/fails-twice'),
    'the test event went to this subscription only',
    () => receiver.hits.map((h) => h.path).join(', '),
  );
  let verified = false;
  try {
    new Webhook(secret).verify(testHits[2]!.body, testHits[2]!.headers as Record<string, string>);
    verified = true;
  } catch {
    /* reported below */
  }
  run.check(verified, 'the test request verifies with standardwebhooks and the secret the portal showed', () => 'signature did not verify');

  // 5. The delivery's page, and a redelivery (the receiver answers 200 now).
  await step(page, 'a delivery is redelivered from its page', async () => {
    await page.locator('.test-run a[href^="#/deliveries/"]').click();
    await page.getByRole('heading', { name: /^Delivery dlv_/ }).waitFor();
    await run.screenshot(page, '06-delivery.png');
    await page.getByRole('button', { name: 'Redeliver' }).click();
    await page.waitForFunction(() => document.body.innerText.includes('Redelivery of'));
    await page.locator('main .badge-succeeded').first().waitFor({ timeout: 30_000 });
  });
  run.check(
    (await page.locator('main tbody tr').count()) === 1 && receiver.hits.length === 4,
    'the redelivery is a new delivery that succeeded at its first attempt',
    () => `${receiver.hits.length} requests`,
  );
  await run.screenshot(page, '07-redelivered.png');

  // 6. The delivery log: newest first, filtered by event type and by subscription.
  await step(page, 'the delivery log lists and filters', async () => {
    await page.getByRole('link', { name: 'Delivery log', exact: true }).click();
    await page.getByRole('heading', { name: 'Delivery log' }).waitFor();
    await page.getByLabel('Event type').fill('hookrelay.test');
    await page.getByLabel('Status').selectOption('succeeded');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForFunction(() => document.querySelectorAll('main tbody tr').length === 2);
  });
  const logText = await page.innerText('main tbody');
  run.check(
    (logText.match(/hookrelay\.test/g) ?? []).length === 2,
    'the log filtered by event type and status shows the two deliveries',
    () => logText,
  );
  await run.screenshot(page, '08-delivery-log.png');
  await page.getByLabel('Event type').fill('user.created');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByText('No delivery matches.').waitFor();
  run.pass('a filter that matches nothing says so');

  // 7. Rotating the secret, the figures and the recover control, on the subscription's page.
  await page.goto(`${stack.apiUrl}/portal/#/subscriptions/${subId}`);
  await page.getByRole('heading', { name: /fails-twice/ }).waitFor();
  await page.getByRole('button', { name: 'Rotate secret' }).click();
  const rotated = await page.getByLabel('New signing secret').inputValue();
  run.check(/^whsec_/.test(rotated) && rotated !== secret, 'rotating shows a new secret once', () => rotated);
  const stillSigning = await page.locator('.previous-secrets li').allInnerTexts();
  run.check(
    stillSigning.length === 1 && /^until /.test(stillSigning[0]!) && !(await page.innerText('main')).includes(secret),
    'the replaced secret is listed by its expiry, its value not shown',
    () => stillSigning.join('\n'),
  );
  await page.getByRole('button', { name: 'Copy' }).click();
  await page.getByText(/Copied|Selected/).waitFor();
  run.pass('the copy button copies (or selects) the secret');
  const figures = await page.innerText('.figures');
  run.check(
    /Attempts\s+4/.test(figures) && /Succeeded\s+2/.test(figures) && /Failed\s+2/.test(figures) && /50\.0 %/.test(figures),
    'the 24 h figures count 4 attempts, 2 succeeded (50.0 %), with p50/p99',
    () => figures,
  );
  await page.getByLabel('Redeliver every failed delivery since').fill(new Date(Date.now() - 3_600_000).toISOString().slice(0, 16));
  await page.getByRole('button', { name: 'Recover' }).click();
  const recoverAnswer = await step(page, "the recover control shows the API's answer", async () => {
    const answer = page.locator('#recover-h ~ [role="alert"], #recover-h ~ [role="status"]').first();
    await answer.waitFor();
    return answer.innerText();
  });
  run.check(
    /Recovery started: \d+ deliveries \(workflow recover:/.test(recoverAnswer),
    'the recover control starts a recovery and shows its workflow',
    () => recoverAnswer,
  );
  await run.screenshot(page, '09-subscription-page.png');
  const unlabelled = await unlabelledControls(page);
  run.check(unlabelled.length === 0, 'every control of the subscription page is labelled', () => unlabelled.join('\n'));

  // 7b. Editing (the form comes back filled in), disabling and enabling.
  const refusedZero = await api.call('POST', '/v1/subscriptions', tenant.api_key, { url: `${receiver.url}/zero`, max_in_flight: 0 });
  const apiSaid = (refusedZero.body as { error?: { details?: Array<{ path: string; message: string }> } }).error?.details?.find(
    (d) => d.path === 'max_in_flight',
  )?.message;
  if (refusedZero.status !== 400 || !apiSaid) throw new Error(`max_in_flight 0 answered ${refusedZero.status}: ${JSON.stringify(refusedZero.body)}`);
  await step(page, 'the subscription is edited, disabled and enabled again', async () => {
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByRole('heading', { name: 'Edit subscription' }).waitFor();
    const filled = [
      await page.getByLabel('Endpoint URL').inputValue(),
      await page.getByLabel('Header 1', { exact: true }).inputValue(),
      String(await page.getByLabel('Custom').isChecked()),
      await page.getByLabel('Maximum attempts').inputValue(),
      await page.getByLabel('Max in flight').inputValue(),
    ];
    run.check(
      filled.join(' ') === `${receiver.url}/fails-twice x-portal-check true 5 50`,
      'the edit form comes back filled in with every field',
      () => filled.join(' '),
    );
    await page.getByLabel('Max in flight').fill('0');
    await page.getByRole('button', { name: 'Save' }).click();
    const onField = await page.locator('#f-max-in-flight-error').innerText();
    const describes = await page.getByLabel('Max in flight').getAttribute('aria-describedby');
    run.check(
      onField === apiSaid && Boolean(describes?.includes('f-max-in-flight-error')),
      "max in flight 0 shows the API's 400 on that field",
      () => `${onField} (the API: ${apiSaid}); aria-describedby ${describes}`,
    );
    await run.screenshot(page, '09a-max-in-flight-refused.png');
    await page.getByLabel('Max in flight').fill('20');
    await page.getByLabel('Timeout (ms)').fill('5000');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: /fails-twice/ }).waitFor();
    await page.getByText('5 s', { exact: true }).waitFor();
    await page.getByText('20 attempts at once', { exact: true }).waitFor();
    await page.getByRole('link', { name: 'Edit' }).click();
    const reopened = await page.getByLabel('Max in flight').inputValue();
    run.check(reopened === '20', 'max in flight saved as 20 comes back as 20 when the form is reopened', () => reopened);
    await page.getByRole('link', { name: 'Cancel' }).click();
    await page.getByRole('heading', { name: /fails-twice/ }).waitFor();
    await page.getByRole('button', { name: 'Disable' }).click();
    await page.locator('main .badge-disabled').waitFor();
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.locator('main .badge-enabled').waitFor();
  });
  run.pass('the subscription was edited (timeout 5 s, max in flight 20), disabled and enabled again from its page');

  // 7c. A half-open, then an open circuit, written as the gate writes them: the notice on the page, a badge in the list.
  const openedAt = new Date(Date.now() - 60_000);
  const probeAt = new Date(Date.now() + 600_000);
  await sql(
    `INSERT INTO circuits (subscription_id, state, consecutive_failures, cooldown_ms, open_until, opened_at, probe_holder, probe_expires_at)
     VALUES ($1, 'half_open', 5, 30000, $2, $3, 'dlv_portal_check', now() + interval '1 minute')
     ON CONFLICT (subscription_id) DO UPDATE SET state = 'half_open', consecutive_failures = 5, cooldown_ms = 30000, open_until = $2,
       opened_at = $3, probe_holder = 'dlv_portal_check', probe_expires_at = now() + interval '1 minute'`,
    [subId, probeAt, openedAt],
  );
  await page.reload();
  const halfOpen = await step(page, 'a half-open circuit shows its notice', async () => {
    await page.getByText('Circuit half-open: a probe is in flight').waitFor();
    return page.innerText('.circuit-notice');
  });
  run.check(/5 consecutive failures/.test(halfOpen), 'a half-open circuit says a probe is in flight, with its failures', () => halfOpen);
  await sql(`UPDATE circuits SET state = 'open', probe_holder = NULL, probe_expires_at = NULL WHERE subscription_id = $1`, [subId]);
  await step(page, 'an open circuit shows in the list and on the page', async () => {
    await page.goto(`${stack.apiUrl}/portal/#/subscriptions`);
    await page.locator('.badge-circuit-open').waitFor();
    await page.getByRole('link', { name: /fails-twice/ }).click();
    await page.getByText('Circuit open since').waitFor();
  });
  const notice = (await page.innerText('.circuit-notice')).replace(/\s+/g, ' ');
  const noticeTimes = await page.locator('.circuit-notice time').evaluateAll((els) => els.map((el) => el.getAttribute('datetime')));
  run.check(
    /^Circuit open since .+: attempts wait; next probe at .+\./.test(notice) &&
      /5 consecutive failures/.test(notice) &&
      noticeTimes.join(' ') === `${openedAt.toISOString()} ${probeAt.toISOString()}`,
    'an open circuit shows its notice (open since, attempts wait, next probe, 5 consecutive failures) and a badge in the list',
    () => `${notice}\n${noticeTimes.join(' ')}`,
  );
  await run.screenshot(page, '09b-circuit-open.png');

  // 8. 375 px wide: nothing wider than the screen.
  await page.setViewportSize({ width: 375, height: 800 });
  for (const [hash, name] of [
    [`#/subscriptions/${subId}`, '10-narrow-subscription.png'],
    ['#/deliveries', '11-narrow-delivery-log.png'],
    ['#/subscriptions', '12-narrow-list.png'],
  ] as const) {
    await page.goto(`${stack.apiUrl}/portal/${hash}`);
    await page.locator('main h1').waitFor();
    await page.waitForLoadState('networkidle');
    await page.waitForFunction(() => !document.querySelector('main')?.textContent?.includes('Loading…'));
    await run.screenshot(page, name);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    const wide = await page.$$eval('main *', (els) =>
      els
        .filter((el) => el.getBoundingClientRect().right > 376)
        .slice(-3)
        .map((el) => el.outerHTML.slice(0, 100)),
    );
    run.check(width <= 375, `${hash} fits 375 px (scroll width ${width})`, () => `scroll width ${width}; widest: ${wide.join('\n')}`);
  }
  await page.setViewportSize({ width: 1200, height: 900 });

  // 9. Refusals.
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

  // 10. Deleting, after its confirmation.
  await step(page, 'the subscription is deleted after a confirmation', async () => {
    await page.goto(`${stack.apiUrl}/portal/#/subscriptions/${subId}`);
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('button', { name: 'Keep it' }).waitFor();
    await page.getByRole('button', { name: 'Yes, delete it' }).click();
    await page.getByText('No subscription yet.').waitFor();
  });
  const gone = await api.call('GET', `/v1/subscriptions/${subId}`, tenant.api_key);
  run.check(gone.status === 404, 'the subscription was deleted after its confirmation', () => String(gone.status));

  // 11. With an event type catalog: the form adds no pattern the user did not choose.
  for (const type of ['user.created', 'user.deleted', 'failure.delivery']) {
    const put = await fetch(`${stack.apiUrl}/v1/event-types/${type}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ description: `${type} (portal check)` }),
    });
    if (put.status !== 200 && put.status !== 201) throw new Error(`PUT /v1/event-types/${type} answered ${put.status}: ${await put.text()}`);
  }
  const listed = async () =>
    ((await api.call('GET', '/v1/subscriptions', tenant.api_key)).body as { data: Array<{ url: string; event_types: string[] }> }).data;
  await step(page, 'the form shows the catalog with nothing chosen', async () => {
    await page.goto(`${stack.apiUrl}/portal/#/subscriptions/new`);
    await page.getByRole('heading', { name: 'New subscription' }).waitFor();
    await page.getByLabel('user.deleted', { exact: true }).waitFor();
  });
  const untouched = {
    all: await page.getByLabel('All events').isChecked(),
    ticked: await page.locator('.checks input:checked').count(),
    patterns: await page.getByLabel('Other patterns').inputValue(),
  };
  run.check(
    !untouched.all && untouched.ticked === 0 && untouched.patterns === '',
    'a new subscription starts with nothing chosen: "All events" unticked, no type ticked, no pattern',
    () => JSON.stringify(untouched),
  );
  await page.getByLabel('Endpoint URL').fill(`${receiver.url}/only-deleted`);
  await page.getByRole('button', { name: 'Create subscription' }).click();
  const nothingChosen = await step(page, 'creating with no event chosen is refused in the form', async () => {
    const alert = page.locator('form [role="alert"]');
    await alert.waitFor();
    return alert.innerText();
  });
  run.check(
    /event_types/.test(nothingChosen) && /All events/.test(nothingChosen) && (await listed()).length === 0,
    'with no event chosen the form says what to choose and creates nothing',
    () => nothingChosen,
  );
  const unlabelledWithCatalog = await unlabelledControls(page);
  run.check(unlabelledWithCatalog.length === 0, 'every control of the form with the catalog is labelled', () => unlabelledWithCatalog.join('\n'));
  await run.screenshot(page, '14-form-with-catalog.png');
  await step(page, 'a subscription is created with one type ticked', async () => {
    await page.getByLabel('user.deleted', { exact: true }).check();
    await page.getByRole('button', { name: 'Create subscription' }).click();
    await page.getByRole('heading', { name: 'Subscription created' }).waitFor();
  });
  const onlyDeleted = (await listed()).filter((s) => s.url.endsWith('/only-deleted'));
  run.check(
    onlyDeleted.length === 1 && JSON.stringify(onlyDeleted[0]!.event_types) === '["user.deleted"]',
    'ticking only user.deleted creates a subscription to exactly ["user.deleted"], nothing added',
    () => JSON.stringify(onlyDeleted),
  );
  await step(page, 'a subscription to all events is created by ticking "All events"', async () => {
    await page.goto(`${stack.apiUrl}/portal/#/subscriptions`);
    await page.getByRole('link', { name: 'New subscription' }).click();
    await page.getByRole('heading', { name: 'New subscription' }).waitFor();
    await page.getByLabel('Endpoint URL').fill(`${receiver.url}/everything`);
    await page.getByLabel('All events').check();
    await page.getByRole('button', { name: 'Create subscription' }).click();
    await page.getByRole('heading', { name: 'Subscription created' }).waitFor();
  });
  const everything = (await listed()).filter((s) => s.url.endsWith('/everything'));
  run.check(
    everything.length === 1 && JSON.stringify(everything[0]!.event_types) === '["*"]',
    'ticking "All events" creates a subscription to ["*"]',
    () => JSON.stringify(everything),
  );

  run.check(cspViolations.length === 0, 'no Content-Security-Policy violation during the walk', () => cspViolations.join('\n'));
  run.check(pageErrors.length === 0, 'no script error during the walk', () => pageErrors.join('\n'));
}

// ---------------------------------------------------------------- run

await run.run(
  TOTAL_TIMEOUT_MS,
  main,
  ({ ok, passed, failed, elapsed }) => `portal-check: ${ok ? 'OK' : 'FAILED'} (${elapsed})\n${passed} passed, ${failed} failed`,
);
