// A real-browser walk through the tenant portal, as a tenant's user: open the link, create a subscription
// to a local receiver that fails twice, send a test event and watch its attempts arrive, redeliver, rotate
// the secret, use the recover control, read the figures; then the refusals: a reused link, an expired link,
// a POST without the CSRF token, another tenant's ids; last, with an event type catalog, that the form
// creates exactly the event types ticked; then failing endpoints, the catalog page and a typed test event. On the way: max in flight (50 on create, the API's 400 on its field,
// 20 kept) and an open circuit (a circuits row written directly) shown on the page and in the list; at a phone's
// width; the platform's look (name, logo, colour, titles, no "hookrelay"), the keyboard (error summary, Escape,
// skip link, focus after each action) and the session's end; a delivery's page (payload, headers, attempts, why a
// pending one waits) and every filter of the log. axe-core audits every state on the way (no serious
// or critical violation). At 1440×900, and 390×844 for the phone. Screenshots under test-results/portal-check/.
//
//   npm run portal-check
//
// Starts the bench stack (Temporal dev server, a fresh PostgreSQL database, the worker and the API as child
// processes) and drives headless Chromium (Debian's /usr/bin/chromium through playwright-core; no browser
// download). Exits 0 when every check holds, 1 when one fails, 2 on the time limit.
// Env: CI=true installs chromium with apt-get when it is missing; PORTAL_CHECK_TIMEOUT_MS (default 240000);
// BENCH_DATABASE_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres).
// The parts of the walk are in scripts/lib/portal-*.ts, each named for what of the portal it checks.
import { BrowserCheck } from './lib/browser-check.js';
import { checkCatalogForm, checkCatalogPage, sendTypedTestEvent } from './lib/portal-catalog.js';
import { filterByCatalogType, filterDeliveryLog, redeliver, sendTestEvent, showPendingDelivery } from './lib/portal-deliveries.js';
import { createSubscription, editSubscription } from './lib/portal-form.js';
import { checkSessionEnded, checkWhiteLabel } from './lib/portal-look.js';
import { checkNarrowScreen } from './lib/portal-page.js';
import { checkRefusals, openLink } from './lib/portal-session.js';
import { deleteSubscription, rotateAndRecover, showCircuit, showFailingEndpoints } from './lib/portal-subscription-page.js';
import { startPortalWalk } from './lib/portal-walk.js';

const TOTAL_TIMEOUT_MS = Number(process.env.PORTAL_CHECK_TIMEOUT_MS ?? 240_000);

// Annotated, so that TypeScript sees `run.fail()` never returns.
const run: BrowserCheck = new BrowserCheck('portal-check');

// The walk, in order: each part starts where the one before left the page and the stack.
async function main(): Promise<void> {
  const walk = await startPortalWalk(run);
  // 1. Opening the link.
  await openLink(walk);
  // 2–3. From the keyboard to the form, and a subscription created with every kind of field.
  const { subId, secret } = await createSubscription(walk);
  // 4–6. The test event, its delivery's page and a redelivery, a pending delivery's page, the delivery log's filters.
  await sendTestEvent(walk, secret);
  await redeliver(walk);
  const pending = await showPendingDelivery(walk);
  await filterDeliveryLog(walk, pending);
  // 7. The subscription's page: the secret rotated, the figures, the recover control; then edited; then its circuit.
  await rotateAndRecover(walk, subId, secret);
  await editSubscription(walk);
  await showCircuit(walk, subId);
  // 8. A phone's width: every page fits, is titled, and passes axe.
  const deliveries = await walk.api.as(walk.tenant.api_key).GET('/v1/deliveries', { params: { query: { limit: 1 } } });
  const deliveryId = deliveries.data?.data[0]?.id;
  if (!deliveryId) throw new Error(`GET /v1/deliveries answered ${deliveries.response.status} with no delivery`);
  await checkNarrowScreen(walk, subId, deliveryId);
  // 8b. The platform's look, the keyboard, and the session's end (as the other tenant, in contexts of their own).
  await checkWhiteLabel(walk);
  await checkSessionEnded(walk);
  // 9. Refusals.
  await checkRefusals(walk, subId);
  // 10. Deleting, which leaves the tenant with no subscription for the catalog's form.
  await deleteSubscription(walk, subId);
  // 11. With an event type catalog: the form adds no pattern the user did not choose.
  await checkCatalogForm(walk);
  await filterByCatalogType(walk);
  // 12. At 1440×900 and 390×844: a failing and a disabled endpoint in the list, the failing one's chart; the
  // catalog page; a test event of a catalog type, its edited payload refused beside the editor, then sent.
  await showFailingEndpoints(walk);
  await checkCatalogPage(walk);
  await sendTypedTestEvent(walk);

  run.check(walk.cspViolations.length === 0, 'no Content-Security-Policy violation during the walk', () => walk.cspViolations.join('\n'));
  run.check(walk.pageErrors.length === 0, 'no script error during the walk', () => walk.pageErrors.join('\n'));
  run.check(walk.consoleErrors.length === 0, 'no console error during the walk', () => walk.consoleErrors.join('\n'));
}

await run.run(
  TOTAL_TIMEOUT_MS,
  main,
  ({ ok, passed, failed, elapsed }) => `portal-check: ${ok ? 'OK' : 'FAILED'} (${elapsed})\n${passed} passed, ${failed} failed`,
);
