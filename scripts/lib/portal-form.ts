// The subscription form: reached from the keyboard, filled in with every kind of field to create a
// subscription, and reopened filled in to edit it, where a value the API refuses is shown on its field.
import type { PortalWalk } from './portal-walk.js';
import { step, unlabelledControls } from './portal-page.js';

/** The form opened from the keyboard, a subscription created with every kind of field; returns its id and the secret shown once. */
export async function createSubscription({ run, page, receiver, pageErrors }: PortalWalk): Promise<{ subId: string; secret: string }> {
  // From the top of the page, Tab reaches "New subscription" and Enter opens the form.
  await step(run, page, 'the form opens from the keyboard', async () => {
    await page.locator('body').focus();
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => document.activeElement?.textContent?.trim() === 'New subscription')) break;
    }
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'New subscription' }).waitFor();
  });
  run.pass('Tab reaches "New subscription" and Enter opens the form');

  await step(run, page, 'a subscription is created from the form', async () => {
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
    await run.axe(page, 'the filled-in subscription form');
    const unlabelled = await unlabelledControls(page);
    run.check(unlabelled.length === 0, 'every control of the form is labelled', () => unlabelled.join('\n'));
    await page.getByRole('button', { name: 'Create subscription' }).click();
    await page.getByRole('heading', { name: 'Subscription created' }).waitFor();
  });
  const secret = await page.getByLabel('Signing secret').inputValue();
  run.check(/^whsec_/.test(secret), "the new subscription's secret is shown once, with a copy button", () => secret);
  await run.screenshot(page, '03-subscription-created.png');
  await run.axe(page, 'the created subscription with its secret');
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
  return { subId, secret };
}

/** Editing (the form comes back filled in, the API's refusal shown on its field), disabling and enabling. */
export async function editSubscription({ run, page, api, tenant, receiver }: PortalWalk): Promise<void> {
  const refusedZero = await api.as(tenant.api_key).POST('/v1/subscriptions', { body: { url: `${receiver.url}/zero`, max_in_flight: 0 } });
  const apiSaid = refusedZero.error?.error.details?.find((d) => d.path === 'max_in_flight')?.message;
  if (refusedZero.response.status !== 400 || !apiSaid) {
    throw new Error(`max_in_flight 0 answered ${refusedZero.response.status}: ${JSON.stringify(refusedZero.error ?? refusedZero.data)}`);
  }
  await step(run, page, 'the subscription is edited, disabled and enabled again', async () => {
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
    await run.axe(page, 'the edit form with a refused field');
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
}
