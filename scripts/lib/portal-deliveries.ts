// Deliveries as the portal shows them: a test event whose attempts arrive on the page and reach the
// receiver signed with the secret the portal showed; a delivery's page (event type, payload formatted and
// raw, headers with the credential hidden, every attempt) and a redelivery from it; a pending delivery's
// page saying why it waits; and the delivery log with every filter and Clear, at 1440 and 390 px.
import { Webhook } from 'standardwebhooks';
import type { Page } from 'playwright-core';
import { NARROW, WIDE, type PortalWalk } from './portal-walk.js';
import { checkFits, step } from './portal-page.js';

/** The test event: its attempts arrive on the page (503, 503, then 200) and verify with `secret`. */
export async function sendTestEvent({ run, page, receiver }: PortalWalk, secret: string): Promise<void> {
  await step(run, page, "the test event's attempts arrive on the page", async () => {
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
  await step(run, page, "the figures count the test delivery's attempts once it ends", () =>
    page.waitForFunction(() => /Attempts\s*3(?!\d)/.test(document.querySelector('.figures')?.textContent ?? ''), undefined, { timeout: 10_000 }),
  );
  const figuresAfterTest = (await page.innerText('.figures')).replace(/\s+/g, ' ');
  run.check(
    /Success rate 33\.3 %/.test(figuresAfterTest) && /Succeeded 1/.test(figuresAfterTest) && /Failed 2/.test(figuresAfterTest),
    'the figures update after the test: 3 attempts, 1 succeeded (33.3 %)',
    () => figuresAfterTest,
  );
  await run.screenshot(page, '05-test-event-delivered.png');
  await run.axe(page, 'the subscription page after a test event');
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
}

/** The delivery's page, and a redelivery (the receiver answers 200 now). */
export async function redeliver(walk: PortalWalk): Promise<void> {
  const { run, page, receiver } = walk;
  await step(run, page, "the test delivery's page opens", async () => {
    await page.locator('.test-run a[href^="#/deliveries/"]').click();
    await page.getByRole('heading', { name: /^Delivery dlv_/ }).waitFor();
  });
  await checkDeliveryStory(walk);
  await step(run, page, 'a delivery is redelivered from its page', async () => {
    await page.getByRole('button', { name: 'Redeliver' }).click();
    await page.waitForFunction(() => document.body.innerText.includes('Redelivery of'));
    await page.locator('main .badge-succeeded').first().waitFor({ timeout: 30_000 });
  });
  run.check(
    (await page.locator('main table.stack:not(.headers) tbody tr').count()) === 1 && receiver.hits.length === 4,
    'the redelivery is a new delivery that succeeded at its first attempt',
    () => `${receiver.hits.length} requests`,
  );
  await run.screenshot(page, '07-redelivered.png');
  await run.axe(page, "a redelivery's page");
}

/**
 * The test delivery's page (3 attempts: 503, 503, 200) tells its story, at both sizes: the event type, the
 * payload laid out and, opened, the raw body byte for byte as the receiver got it, the headers with the
 * signature hidden and the form's header shown, every attempt with its duration and response excerpt.
 */
async function checkDeliveryStory(walk: PortalWalk): Promise<void> {
  const { run, page, receiver } = walk;
  const sent = receiver.hits.filter((h) => h.path === '/fails-twice').at(-1)!;
  const facts = (await page.innerText('.facts')).replace(/\s+/g, ' ');
  run.check(/Event type Test event /.test(facts), "the delivery's page shows its event type", () => facts);
  const formatted = await page.locator('details.payload:not(.raw) pre').innerText();
  run.check(
    formatted.includes('\n') && formatted.replace(/\s+/g, '') === sent.body.replace(/\s+/g, ''),
    'the payload is shown laid out, every token as sent',
    () => `${formatted}\n---\n${sent.body}`,
  );
  await page.locator('details.payload.raw summary').click();
  const raw = await page.locator('details.payload.raw pre').textContent();
  run.check(raw === sent.body, 'the raw body, opened, is byte for byte what the receiver got', () => `${raw}\n---\n${sent.body}`);
  await page.locator('details.payload:not(.raw) summary').click();
  const collapsed = !(await page.locator('details.payload:not(.raw) pre').isVisible());
  await page.locator('details.payload:not(.raw) summary').click();
  run.check(collapsed, 'the payload collapses and opens again', () => 'still visible after a click on its summary');
  const header = async (name: string) =>
    (await page.locator('table.headers tr', { has: page.locator(`td:text-is("${name}")`) }).innerText()).replace(/\s+/g, ' ');
  const signature = await header('webhook-signature');
  const custom = await header('x-portal-check');
  const id = await header('webhook-id');
  run.check(
    /hidden/.test(signature) && !/v1,/.test(signature) && /yes/.test(custom) && id.includes(String(sent.headers['webhook-id'])),
    "the request headers are shown: the form's x-portal-check: yes, the webhook-id sent, the signature hidden",
    () => [signature, custom, id].join(' | '),
  );
  const attempts = await page.locator('table.stack:not(.headers) tbody tr').allInnerTexts();
  run.check(
    attempts.length === 3 &&
      attempts.every((a) => /\d+(\.\d+)? (ms|s)/.test(a)) &&
      /busy, try again/.test(attempts[0]!) &&
      /HTTP 200/.test(attempts[2]!),
    'every attempt is listed with its status, duration and response excerpt',
    () => attempts.join('\n'),
  );
  await run.screenshot(page, '06-delivery.png');
  await page.setViewportSize(NARROW);
  await checkFits(walk, "the delivery's page", '06-narrow-delivery.png');
  await page.setViewportSize(WIDE);
}

/** A delivery to a closed port, retried in an hour: its page says it waits for the retry policy, and when. */
export async function showPendingDelivery(walk: PortalWalk): Promise<PendingDelivery> {
  const { run, page, stack, api, tenant } = walk;
  // Nothing listens on port 9: the attempt gets no answer (a network error), and the next is an hour away.
  const sub = await api.subscribe(tenant.api_key, {
    url: 'http://127.0.0.1:9/closed',
    event_types: ['order.*'],
    retry_policy: { initial_interval: '1h', maximum_attempts: 3 },
  });
  const eventId = `order-${Date.now()}`;
  await api.postEvent(stack.adminToken, { id: eventId, tenant_id: tenant.id, environment: 'production', type: 'order.paid', payload: { order: 42 } });
  await step(run, page, "a pending delivery's page says why it waits and when the next attempt is", async () => {
    // Its workflow makes the delivery and its first attempt a moment after the 202.
    for (let tries = 0; ; tries++) {
      const { data } = await api.as(tenant.api_key).GET('/v1/deliveries', { params: { query: { event_id: eventId } } });
      if (data?.data[0]?.attempt_count) break;
      if (tries > 100) throw new Error(`no attempt of ${eventId} after 20 s`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await page.goto(`${stack.apiUrl}/portal/#/deliveries?event_id=${eventId}`);
    await page.locator('main tbody tr a').first().click();
    await page.locator('.waiting-notice', { hasText: 'The last attempt failed' }).waitFor({ timeout: 20_000 });
  });
  const notice = (await page.innerText('.waiting-notice')).replace(/\s+/g, ' ');
  run.check(
    /retry policy, the next attempt is due .* \(in (59|60) min\)/.test(notice) && !/workflow|wf_|:dlv_/i.test(notice),
    'a pending delivery says, in plain words, that the retry policy waits and when the next attempt is (in 60 min)',
    () => notice,
  );
  const main = await page.innerText('main');
  run.check(!/workflow/i.test(main), "the delivery's page shows no workflow id", () => main);
  await run.screenshot(page, '06b-pending-delivery.png');
  await page.setViewportSize(NARROW);
  await checkFits(walk, "a pending delivery's page", '06b-narrow-pending-delivery.png');
  await page.setViewportSize(WIDE);
  return { subId: sub.id, eventId };
}

export interface PendingDelivery {
  subId: string;
  eventId: string;
}

/** The log's rows once the page has loaded them. */
/** The log's filters in a query: the page's own paging and scope parameters left out. */
function filtersOf(params: URLSearchParams): string {
  return [...params]
    .filter(([name]) => !['cursor', 'limit', 'environment'].includes(name))
    .map(([name, value]) => `${name}=${value}`)
    .sort()
    .join('&');
}

/**
 * Does `act` (which changes the URL's filters) and waits until the log has loaded and drawn the deliveries
 * of the filters now in the URL. The URL changes before the page draws, and the log's refresh every 2 s
 * while a delivery is pending may answer for the filters before: neither is the new log.
 */
async function logLoaded(page: Page, act: () => Promise<void>): Promise<void> {
  const loaded = page.waitForResponse((response) => {
    const url = new URL(response.url());
    if (response.request().method() !== 'GET' || !url.pathname.endsWith('/v1/deliveries')) return false;
    const hash = new URL(page.url()).hash;
    return filtersOf(new URLSearchParams(hash.includes('?') ? hash.slice(hash.indexOf('?') + 1) : '')) === filtersOf(url.searchParams);
  });
  await act();
  await (await loaded).finished();
  // The page reads the answer and draws it in the tasks that follow (not animation frames: a headless
  // page's are slow to come).
  for (let i = 0; i < 3; i++) await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
}

async function rows(page: Page): Promise<string[]> {
  await page.waitForFunction(() => !document.querySelector('main')?.textContent?.includes('Loading…'));
  return page.locator('main table.log tbody tr').allInnerTexts();
}

/** A datetime-local value (the browser's local time, the same zone as this process) a minute from now. */
function inAMinute(): string {
  const d = new Date(Date.now() + 60_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * The delivery log with every filter, at the page's current size: status with event type, a type that
 * matches nothing, status class, subscription, event id, the date range, and Clear, which empties every
 * field and shows every delivery again. The log holds the two test deliveries and the pending one.
 */
async function walkFilters(walk: PortalWalk, pending: PendingDelivery, size: string): Promise<void> {
  const { run, page, stack } = walk;
  const apply = async () => {
    const before = page.url();
    await logLoaded(page, async () => {
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.waitForFunction((url) => location.href !== url, before);
    });
  };
  const clear = async () => {
    await logLoaded(page, async () => {
      await page.getByRole('button', { name: 'Clear' }).click();
      await page.waitForFunction(() => location.hash === '#/deliveries');
    });
  };
  const seen: Record<string, string[]> = {};
  await step(run, page, `the delivery log filters (${size})`, async () => {
    await page.goto(`${stack.apiUrl}/portal/#/deliveries`);
    await page.getByRole('heading', { name: 'Delivery log' }).waitFor();
    seen.all = await rows(page);
    await page.getByLabel('Event type').fill('hookrelay.test');
    await page.getByLabel('Status').selectOption('succeeded');
    // The log refreshes every 2 s while a delivery is pending: what is typed meanwhile stays.
    await page.waitForTimeout(2_500);
    seen.typed = [await page.getByLabel('Event type').inputValue(), await page.getByLabel('Status').inputValue()];
    await apply();
    seen.succeededTest = await rows(page);
    seen.tableWidth = [String(await page.locator('table.log').evaluate((el) => Math.round(el.getBoundingClientRect().width)))];
    await run.screenshot(page, `08-delivery-log-${size}.png`);
    await page.getByLabel('Event type').fill('user.created');
    await apply();
    await page.getByText('No delivery matches.').waitFor();
    await clear();
    seen.cleared = await rows(page);
    seen.fields = await page.$$eval('form.filters input, form.filters select', (els) =>
      els.map((el) => `${(el as HTMLInputElement).name}=${(el as HTMLInputElement).value}`),
    );
    await page.getByLabel('Last result').selectOption('network');
    await apply();
    seen.network = await rows(page);
    await clear();
    await page.getByLabel('Subscription').selectOption(pending.subId);
    await apply();
    seen.bySubscription = await rows(page);
    await clear();
    await page.getByLabel('Event ID').fill(pending.eventId);
    await page.getByLabel('Status').selectOption('pending');
    await apply();
    seen.byEvent = await rows(page);
    await checkFits(walk, `the filtered delivery log (${size})`, `08b-delivery-log-filtered-${size}.png`);
    await clear();
    await page.getByLabel('Created before').fill(inAMinute());
    await apply();
    seen.before = await rows(page);
    await page.getByLabel('Created from').fill(inAMinute());
    await page.getByLabel('Created before').fill('');
    await apply();
    await page.getByText('No delivery matches.').waitFor();
    await clear();
    seen.end = await rows(page);
  });
  const test = (r: string[]) => r.length === 2 && r.every((t) => /\sTest event\s/.test(t) && /succeeded/.test(t));
  const onlyPending = (r: string[] | undefined) => r?.length === 1 && /order\.paid/.test(r[0]!) && /pending/.test(r[0]!);
  run.check(seen.all?.length === 3, `the log lists the 3 deliveries (${size})`, () => JSON.stringify(seen.all));
  if (size === '1440') {
    run.check(Number(seen.tableWidth) >= 1300, 'at 1440 px the log uses the width (table at least 1300 px wide)', () => `${seen.tableWidth} px`);
  }
  run.check(seen.typed?.join() === 'hookrelay.test,succeeded', `filters typed while the log refreshes are kept until applied (${size})`, () =>
    JSON.stringify(seen.typed),
  );
  run.check(test(seen.succeededTest ?? []), `status and event type filter the log to the 2 test deliveries (${size})`, () => JSON.stringify(seen));
  run.check(
    seen.cleared?.length === 3 && seen.fields!.every((f) => f.endsWith('=')),
    `Clear empties every filter field, the event type included, and lists every delivery (${size})`,
    () => JSON.stringify({ rows: seen.cleared, fields: seen.fields }),
  );
  run.check(onlyPending(seen.network), `"Last result: no answer" lists the delivery to the closed port (${size})`, () =>
    JSON.stringify(seen.network),
  );
  run.check(onlyPending(seen.bySubscription), `the subscription filter lists its delivery only (${size})`, () => JSON.stringify(seen.bySubscription));
  run.check(onlyPending(seen.byEvent), `event id and status filter to that delivery (${size})`, () => JSON.stringify(seen.byEvent));
  run.check(
    seen.before?.length === 3 && seen.end?.length === 3,
    `the date range filters by creation time: all created before a minute from now, none from then on (${size})`,
    () => JSON.stringify(seen),
  );
}

/** The delivery log's filters at 1440 and at 390 px; then the pending delivery's subscription is deleted. */
export async function filterDeliveryLog(walk: PortalWalk, pending: PendingDelivery): Promise<void> {
  const { page, api, tenant } = walk;
  await walkFilters(walk, pending, '1440');
  await walk.run.axe(page, 'the filtered delivery log');
  await page.setViewportSize(NARROW);
  await walkFilters(walk, pending, '390');
  await walk.run.axe(page, 'the filtered delivery log at 390 px');
  await page.setViewportSize(WIDE);
  // The walk goes on with the form's subscription only (its last steps expect the tenant to have no other).
  await api.as(tenant.api_key).DELETE('/v1/subscriptions/{id}', { params: { path: { id: pending.subId } } });
}

/** With a catalog, the event type filter offers its types; Clear empties it too. */
export async function filterByCatalogType(walk: PortalWalk): Promise<void> {
  const { run, page, stack } = walk;
  let options: string[] = [];
  let after = '';
  await step(run, page, 'with a catalog, the event type filter is a choice of its types', async () => {
    await page.goto(`${stack.apiUrl}/portal/#/deliveries`);
    await page.locator('select[name="event_type"] option[value="user.deleted"]').waitFor({ state: 'attached' });
    options = await page.$$eval('select[name="event_type"] option', (els) => els.map((el) => (el as HTMLOptionElement).value));
    await page.getByLabel('Event type').selectOption('user.deleted');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForFunction(() => location.hash.includes('event_type=user.deleted'));
    await page.getByText('No delivery matches.').waitFor();
    await run.screenshot(page, '15-delivery-log-catalog.png');
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.waitForFunction(() => location.hash === '#/deliveries');
    after = await page.locator('select[name="event_type"]').inputValue();
  });
  run.check(
    ['', 'failure.delivery', 'user.created', 'user.deleted'].every((t) => options.includes(t)),
    'the event type filter lists the catalog',
    () => options.join(', '),
  );
  run.check(after === '', 'Clear resets the catalog event type filter to "any"', () => after);
}
