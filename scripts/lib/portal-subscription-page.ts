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
