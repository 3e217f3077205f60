// Deliveries as the portal shows them: a test event whose attempts arrive on the page and reach the
// receiver signed with the secret the portal showed, a redelivery from a delivery's page, and the
// delivery log with its filters.
import { Webhook } from 'standardwebhooks';
import type { PortalWalk } from './portal-walk.js';
import { step } from './portal-page.js';

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
export async function redeliver({ run, page, receiver }: PortalWalk): Promise<void> {
  await step(run, page, 'a delivery is redelivered from its page', async () => {
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
  await run.axe(page, "a redelivery's page");
}

/** The delivery log: newest first, filtered by event type and by subscription. */
export async function filterDeliveryLog({ run, page }: PortalWalk): Promise<void> {
  await step(run, page, 'the delivery log lists and filters', async () => {
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
  await run.axe(page, 'the filtered delivery log');
  await page.getByLabel('Event type').fill('user.created');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByText('No delivery matches.').waitFor();
  run.pass('a filter that matches nothing says so');
}
