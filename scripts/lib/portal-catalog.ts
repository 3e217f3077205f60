// The subscription form with an event type catalog: it starts with nothing chosen, refuses to create
// with nothing chosen, and creates exactly the event types ticked, adding no pattern the user did not choose.
import type { PortalWalk } from './portal-walk.js';
import { step, unlabelledControls } from './portal-page.js';

/** Puts a catalog in place, then creates subscriptions from the form: none with nothing chosen, one type, all events. */
export async function checkCatalogForm({ run, page, stack, api, tenant, receiver }: PortalWalk): Promise<void> {
  for (const type of ['user.created', 'user.deleted', 'failure.delivery']) {
    const put = await api
      .as(stack.adminToken)
      .PUT('/v1/event-types/{type}', { params: { path: { type } }, body: { description: `${type} (portal check)` } });
    if (put.error) throw new Error(`PUT /v1/event-types/${type} answered ${put.response.status}: ${JSON.stringify(put.error)}`);
  }
  const listed = async () => (await api.as(tenant.api_key).GET('/v1/subscriptions')).data?.data ?? [];
  await step(run, page, 'the form shows the catalog with nothing chosen', async () => {
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
  const nothingChosen = await step(run, page, 'creating with no event chosen is refused in the form', async () => {
    const alert = page.locator('#error-summary');
    await alert.waitFor();
    return alert.innerText();
  });
  run.check(
    /Event types/.test(nothingChosen) && !/event_types/.test(nothingChosen) && /All events/.test(nothingChosen) && (await listed()).length === 0,
    'with no event chosen the error summary says what to choose (by the label, not the API path) and creates nothing',
    () => nothingChosen,
  );
  const unlabelledWithCatalog = await unlabelledControls(page);
  run.check(unlabelledWithCatalog.length === 0, 'every control of the form with the catalog is labelled', () => unlabelledWithCatalog.join('\n'));
  await run.screenshot(page, '14-form-with-catalog.png');
  await run.axe(page, 'the form with an event type catalog');
  await step(run, page, 'a subscription is created with one type ticked', async () => {
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
  await step(run, page, 'a subscription to all events is created by ticking "All events"', async () => {
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
}
