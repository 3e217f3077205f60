// A real-browser check of the operator path in docs/web-ui-runbook.md (finding a failing delivery in the Temporal
// Web UI): a delivery kept failing with 503 and another that gave up, the workflow list filtered by
// HookrelayTenant with the HookrelayOutcome column added (`failed` and `pending` told apart from a plain
// "Completed"), the tenant's FIFO lane found by the same attribute, the retrying workflow opened: its retry
// timer's label in the history, its pending `deliver` activity with an attempt count and the last failure.
//
//   node --import tsx scripts/ui-check.ts
//
// Starts its own stack on free ports (Temporal dev server with the Web UI, a fresh PostgreSQL database,
// the worker and the API as child processes, a local receiver answering 503), drives headless Chromium
// (Debian's /usr/bin/chromium through playwright-core; no browser download) and saves screenshots under
// test-results/ui-check/. Exits 0 when every assertion holds, 1 when one fails, 2 on the time limit.
// The stack is the benchmark's (bench/lib/stack.ts), with the Web UI on. Env: CI=true installs chromium
// with apt-get when it is missing; UI_CHECK_TIMEOUT_MS (default 300000); BENCH_DATABASE_ADMIN_URL
// (default postgres://postgres@127.0.0.1:5432/postgres).
import { eventWorkflowId, laneWorkflowId } from '../src/domain/workflow-ids.js';
import { OutcomeAttr } from '../src/temporal/search-attributes.js';
import type { Page } from 'playwright-core';
import type { apiClient } from '../bench/lib/api.js';
import type { RequestBody } from '../src/client/index.js';
import { BrowserCheck } from './lib/browser-check.js';

const TOTAL_TIMEOUT_MS = Number(process.env.UI_CHECK_TIMEOUT_MS ?? 300_000);
const EVENT_ID = 'ui-check-1';
const FAILED_EVENT_ID = 'ui-check-gives-up';
const FIFO_EVENT_ID = 'ui-check-fifo';
const MIN_RECEIVER_REQUESTS = 3;
const MIN_UI_ATTEMPT = 2;

// Annotated, so that TypeScript sees `run.fail()` never returns.
const run: BrowserCheck = new BrowserCheck('ui-check');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value (not undefined) or `timeoutMs` passes; then throws with `what`. */
async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    }
    await sleep(intervalMs);
  }
}

/** The receiver every delivery of the check goes to: 204 on `/ok`, else 503; counts the requests to each path. */
async function startReceiver(): Promise<{ url: string; count: (path: string) => number }> {
  const counts = new Map<string, number>();
  const url = await run.startReceiver((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = req.url ?? '/';
      counts.set(path, (counts.get(path) ?? 0) + 1);
      if (path === '/ok') res.writeHead(204).end();
      else res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable (ui-check)');
    });
  });
  return { url, count: (path) => counts.get(path) ?? 0 };
}

/** The workflow list filtered by `query`, reloaded until a link to `workflowId` shows (visibility trails a start). */
async function openFilteredList(page: Page, uiUrl: string, query: string, workflowId: string, evidence: string): Promise<void> {
  const listUrl = `${uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(query)}`;
  run.info(`opening ${listUrl}`);
  await page.goto(listUrl, { waitUntil: 'domcontentloaded' });
  const link = page.getByRole('link', { name: workflowId, exact: true }).first();
  try {
    // The single-page app takes a few seconds to render on its first load; give each load 10 s.
    await waitFor(
      `a link to ${workflowId} in the list filtered by ${query}`,
      40_000,
      async () => {
        try {
          await link.waitFor({ state: 'visible', timeout: 10_000 });
          return true;
        } catch {
          await page.reload({ waitUntil: 'domcontentloaded' });
          return undefined;
        }
      },
      0,
    );
  } catch (error) {
    run.fail(`workflow ${workflowId} listed under ${query}`, `${(error as Error).message}\n${await run.evidence(page, evidence)}`);
  }
}

/** What `workflowId`'s row in the list shows in the column `label`; undefined while the row or column is missing. */
async function cellOf(page: Page, workflowId: string, label: string): Promise<string | undefined> {
  const prefix = 'workflows-summary-table-header-cell-';
  const headers = await page
    .locator(`[data-testid^="${prefix}"]`)
    .evaluateAll((cells, p) => cells.map((cell) => cell.getAttribute('data-testid')!.slice(p.length)), prefix);
  const column = headers.indexOf(label);
  return column < 0 ? undefined : (await rowCells(page, workflowId))[column];
}

/** The text of `workflowId`'s row in the list, cell by cell. */
async function rowCells(page: Page, workflowId: string): Promise<string[]> {
  // Exact: a failure.delivery child's id starts with its event's.
  const link = page.getByRole('link', { name: workflowId, exact: true });
  const row = page.getByTestId('workflows-summary-configurable-table-row').filter({ has: link });
  return (await row.first().getByTestId('workflows-summary-table-body-cell').allInnerTexts()).map((t) => t.trim());
}

/** Posts an event that must be accepted (202). */
async function postEvent(api: ReturnType<typeof apiClient>, token: string, body: RequestBody<'postEvent'>): Promise<void> {
  const res = await api.postEvent(token, body);
  if (res.status !== 202) throw new Error(`POST /v1/events answered ${res.status}: ${JSON.stringify(res.body)}`);
}

async function bodyText(page: Page): Promise<string> {
  return page.innerText('body', { timeout: 5_000 });
}

/** The page's text and its frames' (the Web UI renders summaries and details as Markdown in sandboxed frames). */
async function textWithFrames(page: Page): Promise<string> {
  const frames = await Promise.all(page.frames().map((frame) => frame.innerText('body', { timeout: 5_000 }).catch(() => '')));
  return frames.join('\n');
}

// ---------------------------------------------------------------- the check

async function main(): Promise<void> {
  // 1. The stack: dev server with its Web UI, a fresh database, the worker and the API.
  run.info('starting the stack (Temporal dev server with the Web UI, database, worker, API)');
  const { stack, api } = await run.startStack({ ui: true });
  const uiUrl = stack.uiUrl!;
  const adminToken = stack.adminToken;
  run.info(`API up on ${stack.apiUrl}, Web UI on ${uiUrl}`);

  // 2. One tenant's three events: a delivery that keeps retrying, one that gives up, one through a FIFO lane;
  //    and a second tenant's workflow the filter must leave out.
  const receiver = await startReceiver();
  const tenant = await api.tenant(adminToken, 'UI check');
  await api.subscribe(tenant.api_key, {
    url: `${receiver.url}/always-503`,
    event_types: ['user.*'],
    retry_policy: { initial_interval: '1s', backoff_coefficient: 1, maximum_attempts: 1000 },
  });
  await api.subscribe(tenant.api_key, {
    url: `${receiver.url}/gives-up-503`,
    event_types: ['order.*'],
    retry_policy: { initial_interval: '1s', backoff_coefficient: 1, maximum_attempts: 2 },
  });
  const fifo = await api.subscribe(tenant.api_key, { url: `${receiver.url}/ok`, event_types: ['invoice.*'], ordering: 'fifo' });
  const event = (id: string, type: string) => ({ id, tenant_id: tenant.id, environment: 'production' as const, type, payload: { n: 1 } });
  await postEvent(api, adminToken, event(EVENT_ID, 'user.created'));
  await postEvent(api, adminToken, event(FAILED_EVENT_ID, 'order.created'));
  await postEvent(api, adminToken, event(FIFO_EVENT_ID, 'invoice.paid'));
  const other = await api.tenant(adminToken, 'UI check (other tenant)');
  await postEvent(api, adminToken, { ...event(`${EVENT_ID}-other`, 'user.created'), tenant_id: other.id });
  const workflowId = eventWorkflowId(tenant.id, EVENT_ID);
  const failedWorkflowId = eventWorkflowId(tenant.id, FAILED_EVENT_ID);
  const laneId = laneWorkflowId(fifo.id);
  const otherWorkflowId = eventWorkflowId(other.id, `${EVENT_ID}-other`);
  run.info(
    `events posted: ${workflowId} (retrying), ${failedWorkflowId} (gives up), ${FIFO_EVENT_ID} through ${laneId}, ${otherWorkflowId} (another tenant)`,
  );

  await waitFor(`the receiver to see ${MIN_RECEIVER_REQUESTS} requests`, 45_000, async () => {
    const dead = [stack.worker(), stack.api()].find((child) => child !== undefined && child.exitCode !== null);
    if (dead) throw new Error(`${dead === stack.worker() ? 'the worker' : 'the API'} exited early (code ${dead?.exitCode})`);
    const enough = receiver.count('/always-503') >= MIN_RECEIVER_REQUESTS && receiver.count('/gives-up-503') >= 2 && receiver.count('/ok') >= 1;
    return enough ? true : undefined;
  });
  run.pass(
    `receiver answered 503 to ${receiver.count('/always-503')} attempts on /always-503 and ${receiver.count('/gives-up-503')} on /gives-up-503, 204 to the FIFO delivery`,
  );

  // 3. Chromium.
  const browser = await run.launchChromium();
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  context.setDefaultTimeout(30_000);
  // Generous: the single-page app loads slowly on a busy machine.
  context.setDefaultNavigationTimeout(60_000);
  const page = await context.newPage();

  // 4a. The workflow list filtered by the tenant's search attribute.
  const query = `HookrelayTenant="${tenant.id}"`;
  await openFilteredList(page, uiUrl, query, workflowId, 'list-failure');
  run.pass(`the list filtered by ${query} shows ${workflowId}`);
  if ((await bodyText(page)).includes(otherWorkflowId)) {
    run.fail(`the filter leaves out the other tenant's ${otherWorkflowId}`, `it is listed\n${await run.evidence(page, 'list-failure')}`);
  }
  run.pass(`the filtered list leaves out the other tenant's workflow ${otherWorkflowId}`);

  // 4b. The outcome without opening the workflow: the HookrelayOutcome column, added as the runbook says.
  await page.getByTestId('workflows-summary-table-configuration-button').click();
  await page.getByRole('button', { name: `Add ${OutcomeAttr.name} column` }).click();
  // Next to the pinned Status and Workflow ID, ahead of Run ID, Type, Start and End.
  for (let i = 0; i < 4; i++) await page.getByRole('button', { name: `Move ${OutcomeAttr.name} column up` }).click();
  await page.getByRole('button', { name: /^close .* configuration$/i }).click();
  const outcomeHeader = page.getByTestId(`workflows-summary-table-header-cell-${OutcomeAttr.name}`);
  try {
    await outcomeHeader.waitFor({ state: 'visible' });
  } catch (error) {
    run.fail(`the list shows a ${OutcomeAttr.name} column`, `${(error as Error).message}\n${await run.evidence(page, 'outcome-column-failure')}`);
  }
  run.pass(`the ${OutcomeAttr.name} column was added from the list's column settings`);
  let outcomes: { failed: string; pending: string };
  try {
    outcomes = await waitFor(
      `${failedWorkflowId}'s ${OutcomeAttr.name} to read "failed" and ${workflowId}'s "pending"`,
      30_000,
      async () => {
        const found = { failed: await cellOf(page, failedWorkflowId, OutcomeAttr.name), pending: await cellOf(page, workflowId, OutcomeAttr.name) };
        if (found.failed === 'failed' && found.pending === 'pending') return { failed: found.failed, pending: found.pending };
        // Visibility can trail the upsert by a moment.
        await page.reload({ waitUntil: 'domcontentloaded' });
        await outcomeHeader.waitFor({ state: 'visible', timeout: 10_000 });
        return undefined;
      },
      0,
    );
  } catch (error) {
    run.fail(
      'the outcome column tells a failed event from a pending one',
      `${(error as Error).message}\n${await run.evidence(page, 'outcome-column-failure')}`,
    );
  }
  const failedStatus = await cellOf(page, failedWorkflowId, 'Status');
  await run.screenshot(page, 'workflow-list.png');
  run.pass(
    `the list shows the outcome without opening a workflow: ${failedWorkflowId} is "${failedStatus}" with ${OutcomeAttr.name} "${outcomes.failed}"`,
  );
  run.pass(`and the retrying ${workflowId} has ${OutcomeAttr.name} "${outcomes.pending}"`);

  // 4c. The tenant's FIFO lane, found by the same search attribute.
  const laneQuery = `${query} AND WorkflowType="laneWorkflow"`;
  await openFilteredList(page, uiUrl, laneQuery, laneId, 'lane-failure');
  await run.screenshot(page, 'lane-list.png');
  run.pass(`the list filtered by ${laneQuery} shows the lane ${laneId}`);

  // 4d. The failed event's page: its outcome and why, in the workflow's current details.
  await page.goto(`${uiUrl}/namespaces/default/workflows/${encodeURIComponent(failedWorkflowId)}`, { waitUntil: 'domcontentloaded' });
  await page.getByTestId('user-metadata-tab').click();
  const detailsPattern = /failed: 0 of 1 deliveries succeeded; dlv_\S+ to sub_\S+ failed: HTTP 503 from [^\n]*\(attempt 2\)/;
  let details: string;
  try {
    details = await waitFor('the outcome in the current details', 30_000, async () => detailsPattern.exec(await textWithFrames(page))?.[0], 500);
  } catch (error) {
    run.fail(
      "the failed event's page shows its outcome in the current details",
      `${(error as Error).message}\n${await run.evidence(page, 'details-failure')}`,
    );
  }
  await run.screenshot(page, 'failed-event-details.png');
  run.pass(`the failed event's page says "${details}"`);

  // 4e. The retrying workflow's page: its retry timer's label in the history.
  await page.goto(`${uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`, { waitUntil: 'domcontentloaded' });
  const timerLabel = /attempt 2 of dlv_\S+ to sub_\S+ in 1s \(after HTTP 503\)/;
  let label: string;
  try {
    label = await waitFor('the retry timer with its label in the history', 30_000, async () => timerLabel.exec(await bodyText(page))?.[0], 500);
  } catch (error) {
    run.fail('the history shows the retry timer with its label', `${(error as Error).message}\n${await run.evidence(page, 'timer-failure')}`);
  }
  await run.screenshot(page, 'retry-timer.png');
  run.pass(`the history shows the retry timer labelled "${label}"`);

  // 4f. The pending delivery activity: its attempt count and the last failure, as docs/web-ui-runbook.md describes.
  await page.getByTestId('pending-activities-tab').click();
  // The last failure is the receiver's answer, or, once its circuit opened (docs/isolation.md), the wait's reason.
  const failurePattern =
    /HTTP 503 from http:\/\/127\.0\.0\.1:\d+\/always-503 after \d+ ms \(attempt (\d+)\)|circuit open until \S+|circuit half-open/;
  let shown: { text: string; attempt: number; maximum: string; failure: RegExpExecArray };
  try {
    shown = await waitFor(
      'the pending deliver activity with its attempt count and last failure',
      30_000,
      async () => {
        const text = await bodyText(page);
        // Temporal retries without a limit of its own (hookrelay counts attempts), shown as "n of Unlimited".
        const attempt = /(\d+) of (\d+|Unlimited)/.exec(text);
        const failure = failurePattern.exec(text);
        if (!text.includes('deliver') || !attempt || !failure) return undefined;
        return { text, attempt: Number(attempt[1]), maximum: attempt[2]!, failure };
      },
      500,
    );
  } catch (error) {
    run.fail('the Pending Activities tab shows the deliver activity', `${(error as Error).message}\n${await run.evidence(page, 'pending-failure')}`);
  }
  await run.screenshot(page, 'pending-activity.png');
  run.pass('the Pending Activities tab lists the deliver activity');
  if (shown.attempt < MIN_UI_ATTEMPT) {
    run.fail(
      `its attempt count is at least ${MIN_UI_ATTEMPT}`,
      `shown: ${shown.attempt} of ${shown.maximum}\n${await run.evidence(page, 'pending-failure')}`,
    );
  }
  run.pass(`its attempt count is shown: ${shown.attempt} of ${shown.maximum}`);
  run.pass(`its last failure says what happened: "${shown.failure[0]}"`);
}

// ---------------------------------------------------------------- run

await run.run(
  TOTAL_TIMEOUT_MS,
  main,
  ({ ok, passed, failed, elapsed }) => `ui-check: ${ok ? 'OK' : 'FAILED'} — ${passed} passed, ${failed} failed, ${elapsed}`,
);
