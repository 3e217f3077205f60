// A real-browser walk through the tenant portal, as a tenant's user: open the link, create a subscription
// to a local receiver that fails twice, send a test event and watch its attempts arrive, redeliver, rotate
// the secret, use the recover control, read the figures; then the refusals: a reused link, an expired link,
// a POST without the CSRF token, another tenant's ids. Screenshots under test-results/portal-check/
// (one set at 375 px wide too).
//
//   npm run portal-check
//
// Starts the bench stack (Temporal dev server, a fresh PostgreSQL database, the worker and the API as child
// processes) and drives headless Chromium (Debian's /usr/bin/chromium through playwright-core; no browser
// download). Exits 0 when every check holds, 1 when one fails, 2 on the time limit.
// Env: CI=true installs chromium with apt-get when it is missing; PORTAL_CHECK_TIMEOUT_MS (default 240000);
// BENCH_DATABASE_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { apiClient } from '../bench/lib/api.js';
import { startBenchStack, type BenchStack } from '../bench/lib/stack.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = path.join(ROOT, 'test-results', 'portal-check');
const CHROMIUM = '/usr/bin/chromium';
const TOTAL_TIMEOUT_MS = Number(process.env.PORTAL_CHECK_TIMEOUT_MS ?? 240_000);

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const info = (msg: string) => console.log(`[portal-check ${elapsed()}] ${msg}`);
const results: { ok: boolean; what: string }[] = [];
const tail: string[] = [];

class CheckFailed extends Error {}

function pass(what: string): void {
  results.push({ ok: true, what });
  console.log(`PASS  ${what}`);
}

function fail(what: string, detail: string): never {
  results.push({ ok: false, what });
  console.log(`FAIL  ${what}\n      ${detail.replace(/\n/g, '\n      ')}`);
  throw new CheckFailed(`${what}: ${detail}`);
}

function check(ok: boolean, what: string, detail: () => string): void {
  if (ok) pass(what);
  else fail(what, detail());
}

async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms); }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  if (process.env.CI !== 'true') {
    throw new CheckFailed(`${CHROMIUM} is missing. Install Debian's chromium: sudo apt-get update && sudo apt-get install -y chromium`);
  }
  info(`${CHROMIUM} missing and CI=true: installing Debian's chromium with apt-get`);
  const asRoot = process.getuid?.() === 0;
  const command = 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium';
  const install = spawnSync(asRoot ? 'bash' : 'sudo', asRoot ? ['-c', command] : ['-n', 'bash', '-c', command], {
    stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000,
  });
  if (install.status !== 0 || !existsSync(CHROMIUM)) throw new CheckFailed(`installing chromium failed; ${CHROMIUM} still missing`);
}

// ---------------------------------------------------------------- the receiver

interface Hit { path: string; headers: http.IncomingHttpHeaders; body: string }

/** `/fails-twice` answers 503 to its first two requests and 200 after; every request is kept. */
async function startReceiver() {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
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
  held.receiver = server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

// ---------------------------------------------------------------- resources

const held: { stack?: Promise<BenchStack>; browser?: Browser; receiver?: http.Server; api?: ReturnType<typeof apiClient> } = {};

async function cleanup(): Promise<void> {
  const step = async (what: string, ms: number, fn: () => Promise<unknown>) => {
    try {
      await within(ms, what, fn());
    } catch (error) {
      console.error(`[portal-check] cleanup: ${what} failed: ${(error as Error).message}`);
    }
  };
  if (held.browser) await step('closing chromium', 10_000, () => held.browser!.close());
  if (held.api) await step('closing the API client', 5_000, () => held.api!.close());
  if (held.stack) await step('stopping the stack', 100_000, async () => (await held.stack!).stop());
  if (held.receiver) {
    held.receiver.closeAllConnections();
    await step('closing the receiver', 5_000, () => new Promise((resolve) => held.receiver!.close(resolve)));
  }
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(OUT_DIR, name), fullPage: true, timeout: 15_000 });
  info(`screenshot: test-results/portal-check/${name}`);
}

/** Runs `fn`; on failure saves the page as it was and fails with `what`. */
async function step<T>(page: Page, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof CheckFailed) throw error;
    const name = `failure-${results.length + 1}.png`;
    await shot(page, name).catch(() => undefined);
    fail(what, `${(error as Error).message.split('\n')[0]}\n(page ${page.url()}, screenshot ${name})`);
  }
}

/** Every form control on the page has an accessible name (a label, aria-label or its own text). */
async function unlabelledControls(page: Page): Promise<string[]> {
  return page.$$eval('input, select, textarea, button, a[href]', (elements) => elements.flatMap((el) => {
    const control = el as HTMLInputElement;
    const named = (control.labels && control.labels.length > 0) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')
      || ((el.tagName === 'BUTTON' || el.tagName === 'A') && (el.textContent ?? '').trim() !== '');
    return named ? [] : [el.outerHTML.slice(0, 120)];
  }));
}

// ---------------------------------------------------------------- the walk

async function main(): Promise<void> {
  ensureChromium();
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });

  info('starting the stack (Temporal dev server, database, worker, API)');
  held.stack = startBenchStack({ output: 'pipe', log: info });
  const stack = await held.stack;
  // The worker's and the API's output: drained (a full pipe would stall them), the last lines kept for a failure.
  for (const child of [stack.worker(), stack.api()]) {
    for (const stream of [child?.stdout, child?.stderr]) stream?.on('data', (chunk: Buffer) => { tail.push(chunk.toString()); tail.splice(0, Math.max(0, tail.length - 40)); });
  }
  const api = held.api = apiClient(stack.apiUrl);
  const receiver = await startReceiver();
  const tenant = await api.tenant(stack.adminToken, 'Acme Payroll');
  const other = await api.tenant(stack.adminToken, 'Other Corp');
  const otherSub = await api.subscribe(other.api_key, { url: `${receiver.url}/other`, event_types: ['user.*'] });
  const link = async (body: Record<string, unknown> = {}) => {
    const res = await api.call('POST', `/v1/tenants/${tenant.id}/portal-sessions`, stack.adminToken, body);
    if (res.status !== 201) throw new Error(`portal-sessions answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body as { url: string; expires_at: string };
  };
  const first = await link({ ttl: '30m' });
  info(`portal link made, expires ${first.expires_at}`);

  held.browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await held.browser.newContext({ viewport: { width: 1200, height: 900 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  page.on('console', (m) => { if (/Content.Security.Policy|Refused to/i.test(m.text())) cspViolations.push(m.text()); });
  page.on('pageerror', (e) => pageErrors.push(e.message));

  // 1. Opening the link: a session cookie, then the portal without the token in the address.
  const opened = await step(page, 'the link opens the portal', async () => {
    const response = await page.goto(first.url, { waitUntil: 'domcontentloaded' });
    await page.getByRole('heading', { name: 'Subscriptions' }).waitFor();
    return response;
  });
  check(new URL(page.url()).pathname === '/portal/' && !page.url().includes('token'), 'the link redirects to /portal/ and its token leaves the address bar', () => page.url());
  const csp = (await opened?.allHeaders())?.['content-security-policy'] ?? '';
  check(/script-src 'self'/.test(csp) && !/unsafe-inline/.test(csp) && /frame-ancestors 'none'/.test(csp), 'the portal page is served with a strict CSP', () => csp);
  const cookie = (await context.cookies()).find((c) => c.name === 'hookrelay_portal');
  check(Boolean(cookie?.httpOnly) && cookie?.sameSite === 'Strict' && Math.abs(cookie.expires * 1000 - Date.parse(first.expires_at)) < 2000,
    'the session cookie is HttpOnly, SameSite=Strict and ends with the link', () => JSON.stringify(cookie));
  check((await page.innerText('header')).includes('Acme Payroll'), 'the header names the tenant', () => 'tenant name missing');
  await shot(page, '01-subscriptions-empty.png');

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
  pass('Tab reaches "New subscription" and Enter opens the form');

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
    await shot(page, '02-subscription-form.png');
    const unlabelled = await unlabelledControls(page);
    check(unlabelled.length === 0, 'every control of the form is labelled', () => unlabelled.join('\n'));
    await page.getByRole('button', { name: 'Create subscription' }).click();
    await page.getByRole('heading', { name: 'Subscription created' }).waitFor();
  });
  const secret = await page.getByLabel('Signing secret').inputValue();
  check(/^whsec_/.test(secret), 'the new subscription\'s secret is shown once, with a copy button', () => secret);
  await shot(page, '03-subscription-created.png');
  await page.getByRole('link', { name: 'Go to the subscription' }).click();
  await page.getByRole('heading', { name: /fails-twice/ }).waitFor();
  const subId = new URL(page.url()).hash.split('/')[2]!;
  check((await page.innerText('main')).includes('Payroll sync <script>alert(1)</script>') && pageErrors.length === 0,
    'a description with markup is shown as text, not run', () => pageErrors.join('; '));

  // 4. The test event: its attempts arrive on the page (503, 503, then 200).
  await step(page, 'the test event\'s attempts arrive on the page', async () => {
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.locator('.test-run').waitFor();
    await page.locator('.test-run tbody tr').first().waitFor({ timeout: 20_000 });
    await shot(page, '04-test-event-first-attempt.png');
    await page.locator('.test-run .badge-succeeded').waitFor({ timeout: 30_000 });
  });
  const testRows = await page.locator('.test-run tbody tr').allInnerTexts();
  check(testRows.length === 3 && /HTTP 503/.test(testRows[0]!) && /HTTP 503/.test(testRows[1]!) && /HTTP 200/.test(testRows[2]!),
    'the test delivery shows 3 attempts: HTTP 503, HTTP 503, HTTP 200, each with its response excerpt', () => testRows.join('\n'));
  await step(page, 'the figures count the test delivery\'s attempts once it ends', () =>
    page.waitForFunction(() => /Attempts\s*3(?!\d)/.test(document.querySelector('.figures')?.textContent ?? ''), undefined, { timeout: 10_000 }));
  const figuresAfterTest = (await page.innerText('.figures')).replace(/\s+/g, ' ');
  check(/Success rate 33\.3 %/.test(figuresAfterTest) && /Succeeded 1/.test(figuresAfterTest) && /Failed 2/.test(figuresAfterTest),
    'the figures update after the test: 3 attempts, 1 succeeded (33.3 %)', () => figuresAfterTest);
  await shot(page, '05-test-event-delivered.png');
  const testHits = receiver.hits.filter((h) => h.path === '/fails-twice');
  check(testHits.length === 3 && testHits.every((h) => h.headers['x-hookrelay-event-type'] === 'hookrelay.test' && h.headers['x-portal-check'] === 'yes'),
    'the receiver got the hookrelay.test event 3 times, with the header set in the form', () => JSON.stringify(testHits.map((h) => h.headers)));
  check(receiver.hits.every((h) => h.path === '/fails-twice'), 'the test event went to this subscription only', () => receiver.hits.map((h) => h.path).join(', '));
  let verified = false;
  try {
    new Webhook(secret).verify(testHits[2]!.body, testHits[2]!.headers as Record<string, string>);
    verified = true;
  } catch { /* reported below */ }
  check(verified, 'the test request verifies with standardwebhooks and the secret the portal showed', () => 'signature did not verify');

  // 5. The delivery's page, and a redelivery (the receiver answers 200 now).
  await step(page, 'a delivery is redelivered from its page', async () => {
    await page.locator('.test-run a[href^="#/deliveries/"]').click();
    await page.getByRole('heading', { name: /^Delivery dlv_/ }).waitFor();
    await shot(page, '06-delivery.png');
    await page.getByRole('button', { name: 'Redeliver' }).click();
    await page.waitForFunction(() => document.body.innerText.includes('Redelivery of'));
    await page.locator('main .badge-succeeded').first().waitFor({ timeout: 30_000 });
  });
  check((await page.locator('main tbody tr').count()) === 1 && receiver.hits.length === 4, 'the redelivery is a new delivery that succeeded at its first attempt',
    () => `${receiver.hits.length} requests`);
  await shot(page, '07-redelivered.png');

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
  check((logText.match(/hookrelay\.test/g) ?? []).length === 2, 'the log filtered by event type and status shows the two deliveries', () => logText);
  await shot(page, '08-delivery-log.png');
  await page.getByLabel('Event type').fill('user.created');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByText('No delivery matches.').waitFor();
  pass('a filter that matches nothing says so');

  // 7. Rotating the secret, the figures and the recover control, on the subscription's page.
  await page.goto(`${stack.apiUrl}/portal/#/subscriptions/${subId}`);
  await page.getByRole('heading', { name: /fails-twice/ }).waitFor();
  await page.getByRole('button', { name: 'Rotate secret' }).click();
  const rotated = await page.getByLabel('New signing secret').inputValue();
  check(/^whsec_/.test(rotated) && rotated !== secret, 'rotating shows a new secret once', () => rotated);
  await page.getByRole('button', { name: 'Copy' }).click();
  await page.getByText(/Copied|Selected/).waitFor();
  pass('the copy button copies (or selects) the secret');
  const figures = await page.innerText('.figures');
  check(/Attempts\s+4/.test(figures) && /Succeeded\s+2/.test(figures) && /Failed\s+2/.test(figures) && /50\.0 %/.test(figures),
    'the 24 h figures count 4 attempts, 2 succeeded (50.0 %), with p50/p99', () => figures);
  await page.getByLabel('Redeliver every failed delivery since').fill(new Date(Date.now() - 3_600_000).toISOString().slice(0, 16));
  await page.getByRole('button', { name: 'Recover' }).click();
  const recoverAnswer = await step(page, 'the recover control shows the API\'s answer', async () => {
    const answer = page.locator('#recover-h ~ [role="alert"], #recover-h ~ [role="status"]').first();
    await answer.waitFor();
    return answer.innerText();
  });
  pass(`the recover control shows the API's answer: "${recoverAnswer.replace(/\s+/g, ' ').slice(0, 100)}"`);
  await shot(page, '09-subscription-page.png');
  const unlabelled = await unlabelledControls(page);
  check(unlabelled.length === 0, 'every control of the subscription page is labelled', () => unlabelled.join('\n'));

  // 7b. Editing (the form comes back filled in), disabling and enabling.
  await step(page, 'the subscription is edited, disabled and enabled again', async () => {
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByRole('heading', { name: 'Edit subscription' }).waitFor();
    const filled = [
      await page.getByLabel('Endpoint URL').inputValue(), await page.getByLabel('Header 1', { exact: true }).inputValue(),
      String(await page.getByLabel('Custom').isChecked()), await page.getByLabel('Maximum attempts').inputValue(),
    ];
    check(filled.join(' ') === `${receiver.url}/fails-twice x-portal-check true 5`, 'the edit form comes back filled in with every field', () => filled.join(' '));
    await page.getByLabel('Timeout (ms)').fill('5000');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: /fails-twice/ }).waitFor();
    await page.getByText('5 s', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Disable' }).click();
    await page.locator('main .badge-disabled').waitFor();
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.locator('main .badge-enabled').waitFor();
  });
  pass('the subscription was edited (timeout 5 s), disabled and enabled again from its page');

  // 8. 375 px wide: nothing wider than the screen.
  await page.setViewportSize({ width: 375, height: 800 });
  for (const [hash, name] of [[`#/subscriptions/${subId}`, '10-narrow-subscription.png'], ['#/deliveries', '11-narrow-delivery-log.png'], ['#/subscriptions', '12-narrow-list.png']] as const) {
    await page.goto(`${stack.apiUrl}/portal/${hash}`);
    await page.locator('main h1').waitFor();
    await page.waitForLoadState('networkidle');
    await shot(page, name);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    const wide = await page.$$eval('main *', (els) => els.filter((el) => el.getBoundingClientRect().right > 376).slice(-3).map((el) => el.outerHTML.slice(0, 100)));
    check(width <= 375, `${hash} fits 375 px (scroll width ${width})`, () => `scroll width ${width}; widest: ${wide.join('\n')}`);
  }
  await page.setViewportSize({ width: 1200, height: 900 });

  // 9. Refusals.
  const csrfless = await page.evaluate(async (id) => {
    const r = await fetch(`/v1/subscriptions/${id}/rotate-secret`, { method: 'POST' });
    return { status: r.status, body: await r.text() };
  }, subId);
  check(csrfless.status === 403 && csrfless.body.includes('csrf'), 'a POST with the session cookie but no CSRF token is refused (403)', () => JSON.stringify(csrfless));
  const wrongCsrf = await page.evaluate(async (id) => (await fetch(`/v1/subscriptions/${id}`, {
    method: 'PATCH', headers: { 'content-type': 'application/json', 'x-csrf-token': 'A'.repeat(43) }, body: '{"enabled":false}',
  })).status, subId);
  check(wrongCsrf === 403, 'a PATCH with a wrong CSRF token is refused (403)', () => String(wrongCsrf));
  const foreign = await page.evaluate(async (id) => (await fetch(`/v1/subscriptions/${id}`)).status, otherSub.id);
  check(foreign === 404, "another tenant's subscription answers 404 in the portal", () => String(foreign));

  const reused = await page.goto(first.url);
  check(reused?.status() === 403 && (await page.innerText('body')).includes('cannot be opened'), 'the link, opened a second time, is refused', () => String(reused?.status()));
  await shot(page, '13-link-refused.png');

  const expiring = await link({ ttl: '1m' });
  const db = new pg.Client({ connectionString: stack.env.DATABASE_URL });
  await db.connect();
  // A minute is the shortest ttl; rather than wait for it, its end is moved into the past.
  await db.query(`UPDATE portal_sessions SET expires_at = now() - interval '1 second' WHERE link_used_at IS NULL`);
  await db.end();
  const fresh = await held.browser.newContext();
  const expiredPage = await fresh.newPage();
  const expired = await expiredPage.goto(expiring.url);
  check(expired?.status() === 403 && (await fresh.cookies()).length === 0, 'an expired link is refused and sets no cookie', () => String(expired?.status()));
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
  check(gone.status === 404, 'the subscription was deleted after its confirmation', () => String(gone.status));

  check(cspViolations.length === 0, 'no Content-Security-Policy violation during the walk', () => cspViolations.join('\n'));
  check(pageErrors.length === 0, 'no script error during the walk', () => pageErrors.join('\n'));
}

// ---------------------------------------------------------------- run

let exitCode = 0;
let timedOut = false;
const onSignal = (signal: NodeJS.Signals) => {
  console.error(`[portal-check] ${signal}: cleaning up`);
  cleanup().finally(() => process.exit(130));
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

let overall: NodeJS.Timeout | undefined;
try {
  await Promise.race([
    main(),
    new Promise<never>((_, reject) => {
      overall = setTimeout(() => { timedOut = true; reject(new Error(`the check took longer than ${TOTAL_TIMEOUT_MS} ms`)); }, TOTAL_TIMEOUT_MS);
    }),
  ]);
} catch (error) {
  exitCode = timedOut ? 2 : 1;
  if (!(error instanceof CheckFailed) || !results.some((r) => !r.ok)) {
    console.error(`ERROR ${(error as Error).stack ?? (error as Error).message}`);
    if (tail.length) console.error(`--- last output of the worker and the API ---\n${tail.join('')}`);
  }
} finally {
  clearTimeout(overall);
  await cleanup();
}
const passed = results.filter((r) => r.ok).length;
console.log(`portal-check: ${exitCode === 0 ? 'OK' : 'FAILED'} (${elapsed()})`);
console.log(`${passed} passed, ${results.length - passed} failed`);
process.exit(exitCode);
