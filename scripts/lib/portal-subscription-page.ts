// A subscription's page in the portal: rotating its secret, its figures, the recover control, its
// circuit's notice (the circuits row written as the gate writes it), and deleting it after a confirmation.
import type { PortalWalk } from './portal-walk.js';
import { step, unlabelledControls } from './portal-page.js';

/** Rotating the secret, the figures and the recover control, on the subscription's page. */
export async function rotateAndRecover({ run, page, stack }: PortalWalk, subId: string, secret: string): Promise<void> {
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
  const recoverAnswer = await step(run, page, "the recover control shows the API's answer", async () => {
    const answer = page.locator('#recover-h ~ [role="alert"], #recover-h ~ [role="status"]').first();
    await answer.waitFor();
    return answer.innerText();
  });
  run.check(
    /^Recovery started: \d+ failed deliveries will be sent again\.$/.test(recoverAnswer.trim()) && !/workflow|recover:/i.test(recoverAnswer),
    'the recover control starts a recovery and says so without a workflow ID',
    () => recoverAnswer,
  );
  const policy = await page.locator('.facts').innerText();
  run.check(
    policy.includes('Up to 5 attempts, waiting 1 s between attempts') && !/initial_interval|maximum_attempts|PT\d/.test(policy),
    'the retry policy reads as a sentence ("Up to 5 attempts, waiting 1 s between attempts"), not JSON or field names',
    () => policy,
  );
  await run.screenshot(page, '09-subscription-page.png');
  await run.axe(page, 'the subscription page, a secret rotated and a recovery started');
  const unlabelled = await unlabelledControls(page);
  run.check(unlabelled.length === 0, 'every control of the subscription page is labelled', () => unlabelled.join('\n'));
}

/** A half-open, then an open circuit, written as the gate writes them: the notice on the page, a badge in the list. */
export async function showCircuit({ run, page, stack, sql }: PortalWalk, subId: string): Promise<void> {
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
  const halfOpen = await step(run, page, 'a half-open circuit shows its notice', async () => {
    await page.getByText('Circuit half-open: a probe is in flight').waitFor();
    return page.innerText('.circuit-notice');
  });
  run.check(/5 consecutive failures/.test(halfOpen), 'a half-open circuit says a probe is in flight, with its failures', () => halfOpen);
  await sql(`UPDATE circuits SET state = 'open', probe_holder = NULL, probe_expires_at = NULL WHERE subscription_id = $1`, [subId]);
  await step(run, page, 'an open circuit shows in the list and on the page', async () => {
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
  await run.axe(page, 'a subscription page with its circuit open');
}

/** Deleting, after its confirmation: Escape closes the confirmation, and focus lands on the list's heading after. */
export async function deleteSubscription({ run, page, stack, api, tenant }: PortalWalk, subId: string): Promise<void> {
  const focused = () => page.evaluate(() => `${document.activeElement?.tagName} ${document.activeElement?.textContent?.trim() ?? ''}`);
  await step(run, page, 'the confirmation closes on Escape', async () => {
    await page.goto(`${stack.apiUrl}/portal/#/subscriptions/${subId}`);
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('button', { name: 'Keep it' }).waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'keep-subscription');
    await run.axe(page, 'the delete confirmation');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Keep it' }).waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.activeElement?.id === 'delete-subscription', undefined, { timeout: 2_000 });
  });
  run.pass('the delete confirmation takes focus on "Keep it", and Escape closes it, back on "Delete…"');
  await step(run, page, 'the subscription is deleted after a confirmation', async () => {
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('button', { name: 'Yes, delete it' }).click();
    await page.getByText('No subscription yet.').waitFor();
    await page.waitForFunction(() => document.activeElement?.matches('main h1') ?? false, undefined, { timeout: 3_000 });
  });
  run.pass(`after deleting, focus is on the list's heading (${await focused()})`);
  const gone = (await api.as(tenant.api_key).GET('/v1/subscriptions/{id}', { params: { path: { id: subId } } })).response;
  run.check(gone.status === 404, 'the subscription was deleted after its confirmation', () => String(gone.status));
}

/** The sizes the health and catalog checks run at: a laptop and a phone. */
export const SIZES = [
  { width: 1440, height: 900, name: 'wide' },
  { width: 390, height: 844, name: 'phone' },
] as const;

/** Whether nothing on the page is wider than the viewport. */
export async function fitsWidth(page: PortalWalk['page'], width: number): Promise<{ ok: boolean; scrollWidth: number }> {
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  return { ok: scrollWidth <= width, scrollWidth };
}

/** The contrast ratio (WCAG 2) of an element's text colour against the background it sits on. */
async function contrastOf(page: PortalWalk['page'], selector: string): Promise<number> {
  // No named functions inside: the callback runs in the page, without the helpers tsx adds for names.
  return page
    .locator(selector)
    .first()
    .evaluate((el) => {
      let background = [255, 255, 255];
      for (let node: Element | null = el; node; node = node.parentElement) {
        const c = (getComputedStyle(node).backgroundColor.match(/[\d.]+/g) ?? []).map(Number);
        if (c.length >= 3 && (c[3] === undefined || c[3] > 0)) {
          background = c;
          break;
        }
      }
      const [a, b] = [(getComputedStyle(el).color.match(/[\d.]+/g) ?? []).map(Number), background]
        .map((c) => c.slice(0, 3).map((v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4)))
        .map(([r, g, bl]) => 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!);
      return (Math.max(a!, b!) + 0.05) / (Math.min(a!, b!) + 0.05);
    });
}

/**
 * A failing endpoint and a disabled one, made for real: test events to a receiver path that answers 500
 * (one attempt each), and one to a path answering 410 Gone, which disables its subscription. The list
 * shows them (coloured, rated rate in words, "failing since", the disabled reason); the failing one's page
 * shows its chart with a text alternative, for each window, at both sizes.
 */
export async function showFailingEndpoints({ run, page, stack, api, tenant, receiver, pageErrors }: PortalWalk): Promise<void> {
  const asTenant = api.as(tenant.api_key);
  const failing = await api.subscribe(tenant.api_key, {
    url: `${receiver.url}/always-fails`,
    event_types: ['order.*'],
    retry_policy: 'none',
    description: 'Always fails',
  });
  const gone = await api.subscribe(tenant.api_key, {
    url: `${receiver.url}/gone`,
    event_types: ['order.*'],
    retry_policy: 'none',
    description: 'Gone',
  });
  const ended = async (id: string, deliveryId: string) => {
    for (let i = 0; i < 150; i++) {
      const d = await asTenant.GET('/v1/deliveries/{id}', { params: { path: { id: deliveryId } } });
      if (d.data && d.data.status !== 'pending') return d.data;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`delivery ${deliveryId} of ${id} did not end`);
  };
  for (const sub of [failing, failing, gone]) {
    const sent = await asTenant.POST('/v1/subscriptions/{id}/test', { params: { path: { id: sub.id } }, body: {} });
    if (!sent.data) throw new Error(`test event to ${sub.url} answered ${sent.response.status}`);
    await ended(sub.id, sent.data.delivery_id);
  }
  const after = await asTenant.GET('/v1/subscriptions/{id}', { params: { path: { id: failing.id } } });
  const goneAfter = await asTenant.GET('/v1/subscriptions/{id}', { params: { path: { id: gone.id } } });
  run.check(
    typeof after.data?.failing_since === 'string' && goneAfter.data?.enabled === false && /410 Gone/.test(goneAfter.data.disabled_reason ?? ''),
    'the API says since when the failing endpoint fails, and why the gone one was disabled',
    () => JSON.stringify({ failing_since: after.data?.failing_since, gone: goneAfter.data }),
  );

  for (const size of SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height });
    const card = page.locator('li.card', { hasText: 'Always fails' });
    const goneCard = page.locator('li.card', { hasText: 'Gone' });
    await step(run, page, `(${size.name}) the list shows the failing and the disabled endpoint`, async () => {
      await page.goto(`${stack.apiUrl}/portal/#/subscriptions`);
      await card.locator('.rate-bad').first().waitFor();
      await goneCard.locator('.disabled-reason').waitFor();
    });
    const cardText = (await card.innerText()).replace(/\s+/g, ' ');
    const failingTime = await card.locator('.failing-since time').getAttribute('datetime');
    run.check(
      /Deliveries 0\.0 % failing/.test(cardText) &&
        /Attempts 0\.0 % failing of 2/.test(cardText) &&
        failingTime === after.data?.failing_since &&
        (await card.getAttribute('class'))?.includes('health-bad') === true,
      `(${size.name}) the failing endpoint's card: rates rated "failing" in words, failing since its first failed attempt, a red edge`,
      () => `${cardText}\nfailing since ${failingTime}`,
    );
    const goneText = (await goneCard.innerText()).replace(/\s+/g, ' ');
    run.check(
      /Disabled: receiver answered 410 Gone at /.test(goneText) && /disabled/.test(goneText),
      `(${size.name}) the disabled endpoint's card says why it was disabled`,
      () => goneText,
    );
    const contrast = await contrastOf(page, 'li.card .rate-bad');
    run.check(contrast >= 4.5, `(${size.name}) the "failing" rate's colour has contrast ≥ 4.5:1 (${contrast.toFixed(2)}:1)`, () => String(contrast));
    const listFits = await fitsWidth(page, size.width);
    run.check(listFits.ok, `(${size.name}) the list fits ${size.width} px`, () => `scroll width ${listFits.scrollWidth}`);
    await run.screenshot(page, `20-${size.name}-list-failing.png`);

    await step(run, page, `(${size.name}) the failing endpoint's page shows its chart`, async () => {
      await card.getByRole('link').first().click();
      await page.locator('figure.chart svg[role="img"]').waitFor();
    });
    const label = (await page.locator('figure.chart svg').getAttribute('aria-label')) ?? '';
    const bars = await page.locator('figure.chart rect.chart-bad').count();
    const warning = (await page.locator('main .warning').allInnerTexts()).join(' ');
    run.check(
      /24h window, 24 bars of 1 h[^:]*: 0 succeeded, 2 failed/.test(label) && bars >= 1 && /Failing since/.test(warning),
      `(${size.name}) the page says "failing since" and charts the 2 failed attempts, its SVG labelled with the figures`,
      () => `${label}\n${bars} red bars\n${warning}`,
    );
    await step(run, page, `(${size.name}) the chart's table opens`, async () => {
      if (pageErrors.length) throw new Error(pageErrors.join('\n'));
      await page.locator('figure.chart summary').click();
      await page.locator('figure.chart table').waitFor();
    });
    const rows = await page.locator('figure.chart table tbody tr').count();
    const failedInTable = await page
      .locator('figure.chart table tbody tr td:nth-child(3)')
      .allInnerTexts()
      .then((cells) => cells.reduce((n, c) => n + Number(c), 0));
    run.check(
      rows === 24 && failedInTable === 2,
      `(${size.name}) the chart's table lists 24 hours and the 2 failures`,
      () => `${rows} rows, ${failedInTable} failed`,
    );
    await step(run, page, `(${size.name}) the chart follows the window`, async () => {
      await page.getByRole('combobox', { name: /^Window/ }).selectOption('1h');
      await page.waitForFunction(() => /1h window, 12 bars/.test(document.querySelector('figure.chart svg')?.getAttribute('aria-label') ?? ''));
    });
    const pageFits = await fitsWidth(page, size.width);
    run.check(
      pageFits.ok,
      `(${size.name}) the subscription's page with its chart fits ${size.width} px`,
      () => `scroll width ${pageFits.scrollWidth}`,
    );
    await run.screenshot(page, `21-${size.name}-failing-endpoint.png`);
  }
  await page.setViewportSize({ width: 1200, height: 900 });
}
