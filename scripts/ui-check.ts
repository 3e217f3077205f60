// A real-browser check of the operator path in docs/web-ui-runbook.md (finding a failing delivery in the Temporal
// Web UI"): a delivery kept failing with 503, the workflow list filtered by HookrelayTenant, the workflow
// opened, its pending `deliver` activity shown with an attempt count and the last failure.
//
//   node --import tsx scripts/ui-check.ts
//
// Starts its own stack on free ports (Temporal dev server with the Web UI, a fresh PostgreSQL database,
// the worker and the API as child processes, a local receiver answering 503), drives headless Chromium
// (Debian's /usr/bin/chromium through playwright-core; no browser download) and saves screenshots under
// test-results/ui-check/. Exits 0 when every assertion holds, 1 when one fails, 2 on the time limit.
// The stack is the benchmark's (bench/lib/stack.ts), with the Web UI on. Env: CI=true installs chromium
// with apt-get when it is missing; UI_CHECK_TIMEOUT_MS (default 180000); BENCH_DATABASE_ADMIN_URL
// (default postgres://postgres@127.0.0.1:5432/postgres).
import { eventWorkflowId } from '../src/domain/workflow-ids.js';
import type { Page } from 'playwright-core';
import type { apiClient } from '../bench/lib/api.js';
import type { RequestBody } from '../src/client/index.js';
import { BrowserCheck } from './lib/browser-check.js';

const TOTAL_TIMEOUT_MS = Number(process.env.UI_CHECK_TIMEOUT_MS ?? 180_000);
const EVENT_ID = 'ui-check-1';
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

/** The receiver every delivery of the check goes to: always 503, counting requests. */
async function startReceiver(): Promise<{ url: string; count: () => number }> {
  let count = 0;
  const url = await run.startReceiver((req, res) => {
    req.resume();
    req.on('end', () => {
      count++;
      res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable (ui-check)');
    });
  });
  return { url, count: () => count };
}

/** Posts an event that must be accepted (202). */
async function postEvent(api: ReturnType<typeof apiClient>, token: string, body: RequestBody<'postEvent'>): Promise<void> {
  const res = await api.postEvent(token, body);
  if (res.status !== 202) throw new Error(`POST /v1/events answered ${res.status}: ${JSON.stringify(res.body)}`);
}

async function bodyText(page: Page): Promise<string> {
  return page.innerText('body', { timeout: 5_000 });
}

// ---------------------------------------------------------------- the check

async function main(): Promise<void> {
  // 1. The stack: dev server with its Web UI, a fresh database, the worker and the API.
  run.info('starting the stack (Temporal dev server with the Web UI, database, worker, API)');
  const { stack, api } = await run.startStack({ ui: true });
  const uiUrl = stack.uiUrl!;
  const adminToken = stack.adminToken;
  run.info(`API up on ${stack.apiUrl}, Web UI on ${uiUrl}`);

  // 2. A delivery that keeps retrying, and a second tenant's workflow the filter must leave out.
  const receiver = await startReceiver();
  const tenant = await api.tenant(adminToken, 'UI check');
  await api.subscribe(tenant.api_key, {
    url: `${receiver.url}/always-503`,
    retry_policy: { initial_interval: '1s', backoff_coefficient: 1, maximum_attempts: 1000 },
  });
  await postEvent(api, adminToken, {
    id: EVENT_ID,
    tenant_id: tenant.id,
    environment: 'production',
    type: 'user.created',
    payload: { n: 1 },
  });
  const other = await api.tenant(adminToken, 'UI check (other tenant)');
  await postEvent(api, adminToken, {
    id: `${EVENT_ID}-other`,
    tenant_id: other.id,
    environment: 'production',
    type: 'user.created',
    payload: { n: 2 },
  });
  const workflowId = eventWorkflowId(tenant.id, EVENT_ID);
  const otherWorkflowId = eventWorkflowId(other.id, `${EVENT_ID}-other`);
  run.info(`events posted: ${workflowId} (retrying) and ${otherWorkflowId} (another tenant)`);

  await waitFor(`the receiver to see ${MIN_RECEIVER_REQUESTS} requests`, 45_000, async () => {
    const dead = [stack.worker(), stack.api()].find((child) => child !== undefined && child.exitCode !== null);
    if (dead) throw new Error(`${dead === stack.worker() ? 'the worker' : 'the API'} exited early (code ${dead?.exitCode})`);
    return receiver.count() >= MIN_RECEIVER_REQUESTS ? true : undefined;
  });
  run.pass(`receiver at ${receiver.url}/always-503 answered 503 to ${receiver.count()} delivery attempts`);

  // 3. Chromium.
  const browser = await run.launchChromium();
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(30_000);
  const page = await context.newPage();

  // 4a. The workflow list filtered by the tenant's search attribute.
  const query = `HookrelayTenant="${tenant.id}"`;
  const listUrl = `${uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(query)}`;
  run.info(`opening ${listUrl}`);
  await page.goto(listUrl, { waitUntil: 'domcontentloaded' });
  const link = page.locator(`a:has-text("${workflowId}")`).first();
  try {
    // Visibility can trail the start by a moment: reload until the row is there.
    // The single-page app takes a few seconds to render on its first load; give each load 10 s.
    await waitFor(
      `a link to ${workflowId} in the filtered list`,
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
    run.fail(`workflow ${workflowId} listed under ${query}`, `${(error as Error).message}\n${await run.evidence(page, 'list-failure')}`);
  }
  const listText = await bodyText(page);
  await run.screenshot(page, 'workflow-list.png');
  run.pass(`the list filtered by ${query} shows ${workflowId}`);
  if (listText.includes(otherWorkflowId)) {
    run.fail(`the filter leaves out the other tenant's ${otherWorkflowId}`, `it is listed\n${await run.evidence(page, 'list-failure')}`);
  }
  run.pass(`the filtered list leaves out the other tenant's workflow ${otherWorkflowId}`);

  // 4b. The workflow page, opened from the list.
  await link.click();
  const workflowPath = `/namespaces/default/workflows/${encodeURIComponent(workflowId)}/`;
  try {
    await page.waitForURL((url) => url.pathname.startsWith(workflowPath), { timeout: 20_000 });
  } catch (error) {
    run.fail(`clicking ${workflowId} opens its workflow page`, `url is ${page.url()}\n${await run.evidence(page, 'workflow-failure')}`);
  }
  run.pass(`clicking the row opened ${new URL(page.url()).pathname}`);

  // 4c. The pending delivery activity: its attempt count and the last failure, as docs/web-ui-runbook.md describes.
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
