// The event type catalog in the portal: the subscription form with it (it starts with nothing chosen, refuses
// to create with nothing chosen, and creates exactly the event types ticked, adding no pattern the user did
// not choose); the catalog page (description, schema, example, the failure.* types explained); a test event
// of a catalog type whose edited payload the schema refuses beside the editor, then one that is sent.
import { isDeepStrictEqual } from 'node:util';
import type { PortalWalk } from './portal-walk.js';
import { step, unlabelledControls } from './portal-page.js';
import { fitsWidth, SIZES } from './portal-subscription-page.js';

/** A catalog type with a schema, for the page and the test event. */
const ORDER_PAID = {
  type: 'order.paid',
  description: 'An order was paid',
  schema: {
    type: 'object',
    required: ['order_id', 'amount'],
    properties: { order_id: { type: 'string' }, amount: { type: 'integer', minimum: 1 }, currency: { enum: ['EUR', 'USD'] } },
  },
};

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

/** The catalog page, reached from the navigation, at both sizes. */
export async function checkCatalogPage({ run, page, stack, api }: PortalWalk): Promise<void> {
  const put = await api.as(stack.adminToken).PUT('/v1/event-types/{type}', {
    params: { path: { type: ORDER_PAID.type } },
    body: { description: ORDER_PAID.description, schema: ORDER_PAID.schema },
  });
  if (put.error) throw new Error(`PUT /v1/event-types/${ORDER_PAID.type} answered ${put.response.status}: ${JSON.stringify(put.error)}`);
  for (const size of SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height });
    await step(run, page, `(${size.name}) the catalog page is reached from the navigation`, async () => {
      await page.goto(`${stack.apiUrl}/portal/#/subscriptions`);
      await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Event types' }).click();
      await page.getByRole('heading', { name: 'Event types', level: 1 }).waitFor();
      await page.getByRole('heading', { name: ORDER_PAID.type }).waitFor();
    });
    const card = page.locator('li.card', { has: page.getByRole('heading', { name: ORDER_PAID.type }) });
    await card.getByText('Example payload').click();
    await card.getByText('Schema', { exact: true }).click();
    const [example, schema] = await card.locator('pre.json').allInnerTexts();
    run.check(
      (await card.innerText()).includes(ORDER_PAID.description) &&
        isDeepStrictEqual(JSON.parse(example ?? 'null'), { order_id: 'example', amount: 1, currency: 'EUR' }) &&
        isDeepStrictEqual(JSON.parse(schema ?? 'null'), ORDER_PAID.schema),
      `(${size.name}) a catalog type shows its description, an example payload built from its schema, and its schema`,
      () => `${example}\n${schema}`,
    );
    const failures = (await page.locator('.failure-types').innerText()).replace(/\s+/g, ' ');
    const failureCard = (await page.locator('li.card', { has: page.getByRole('heading', { name: 'failure.delivery' }) }).innerText()).replace(
      /\s+/g,
      ' ',
    );
    run.check(
      /failure\.delivery .*did not accept an event/.test(failures) &&
        /failure\.subscription_disabled \(not in the catalog\) .*switched off/.test(failures) &&
        /failure\.extraction/.test(failures) &&
        /did not accept an event/.test(failureCard),
      `(${size.name}) the failure.* types are explained in the tenant's words, in the catalog and beside it`,
      () => `${failures}\n${failureCard}`,
    );
    const fits = await fitsWidth(page, size.width);
    run.check(fits.ok, `(${size.name}) the catalog page fits ${size.width} px`, () => `scroll width ${fits.scrollWidth}`);
    await run.screenshot(page, `22-${size.name}-catalog.png`);
  }
  await page.setViewportSize({ width: 1200, height: 900 });
}

/**
 * A test event of a catalog type from a subscription's page, at both sizes: the payload edited so the schema
 * refuses it (the errors beside the editor, nothing sent), then edited to pass (sent, received as typed).
 */
export async function sendTypedTestEvent({ run, page, stack, api, tenant, receiver }: PortalWalk): Promise<void> {
  const sub = await api.subscribe(tenant.api_key, { url: `${receiver.url}/typed-test`, event_types: ['user.*'], description: 'Typed test' });
  for (const [i, size] of SIZES.entries()) {
    await page.setViewportSize({ width: size.width, height: size.height });
    await step(run, page, `(${size.name}) the test panel offers the catalog's types and starts from the example`, async () => {
      await page.goto(`${stack.apiUrl}/portal/#/subscriptions/${sub.id}`);
      // The same address again only moves to its fragment: load the page anew, without the last size's test run.
      if (i > 0) await page.reload();
      await page.getByLabel('Event type').selectOption(ORDER_PAID.type);
      await page.waitForFunction(() => (document.querySelector<HTMLTextAreaElement>('#test-payload')?.value ?? '').includes('order_id'));
    });
    const editor = page.getByLabel('Payload (JSON)');
    await editor.fill('{"order_id": 42, "currency": "GBP"}');
    await page.getByRole('button', { name: 'Send test event' }).click();
    const refused = await step(run, page, `(${size.name}) a payload the schema refuses is named beside the editor`, async () => {
      await page.locator('#test-payload-error').waitFor();
      return (await page.locator('#test-payload-error').innerText()).replace(/\s+/g, ' ');
    });
    const described = (await editor.getAttribute('aria-describedby')) ?? '';
    run.check(
      /payload\.order_id/.test(refused) &&
        /payload\.amount is required/.test(refused) &&
        /payload\.currency/.test(refused) &&
        (await editor.getAttribute('aria-invalid')) === 'true' &&
        described.split(' ').includes('test-payload-error') &&
        receiver.hits.filter((h) => h.path === '/typed-test').length === i &&
        (await page.evaluate(() => document.activeElement?.id)) === 'test-payload',
      `(${size.name}) the refused payload's fields are named beside the editor (aria-invalid, aria-describedby, focus), and nothing is sent`,
      () => `${refused}\ndescribed by ${described}`,
    );
    await run.screenshot(page, `23-${size.name}-test-event-refused.png`);
    const typed = `{"order_id": "o_${size.name}", "amount": 5}`;
    await editor.fill(typed);
    await page.getByRole('button', { name: 'Send test event' }).click();
    await step(run, page, `(${size.name}) the edited test event is delivered`, () =>
      page.locator('.test-run .badge-succeeded').waitFor({ timeout: 30_000 }),
    );
    const hits = receiver.hits.filter((h) => h.path === '/typed-test');
    const last = hits.at(-1);
    run.check(
      hits.length === i + 1 &&
        last?.headers['x-hookrelay-event-type'] === ORDER_PAID.type &&
        isDeepStrictEqual(JSON.parse(last.body), JSON.parse(typed)) &&
        (await page.locator('#test-payload-error').count()) === 0,
      `(${size.name}) the receiver got the ${ORDER_PAID.type} test event with the payload as edited`,
      () => JSON.stringify(last),
    );
    const fits = await fitsWidth(page, size.width);
    run.check(fits.ok, `(${size.name}) the subscription's page with the test panel fits ${size.width} px`, () => `scroll width ${fits.scrollWidth}`);
    await run.screenshot(page, `24-${size.name}-test-event-sent.png`);
  }
  await page.setViewportSize({ width: 1200, height: 900 });
}
