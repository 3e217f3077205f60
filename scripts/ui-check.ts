// A real-browser check of the operator path in the README ("Inspecting a failing delivery in the Temporal
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
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { freePort } from '../src/temporal/dev-server.js';
import { eventWorkflowId } from '../src/temporal/workflow-client.js';
import { apiClient } from '../bench/lib/api.js';
import { startBenchStack, type BenchStack } from '../bench/lib/stack.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = path.join(ROOT, 'test-results', 'ui-check');
const CHROMIUM = '/usr/bin/chromium';
const TOTAL_TIMEOUT_MS = Number(process.env.UI_CHECK_TIMEOUT_MS ?? 180_000);
const EVENT_ID = 'ui-check-1';
const MIN_RECEIVER_REQUESTS = 3;
const MIN_UI_ATTEMPT = 2;

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const info = (msg: string) => console.log(`[ui-check ${elapsed()}] ${msg}`);
const results: { ok: boolean; what: string }[] = [];

class CheckFailed extends Error {}

function pass(what: string): void {
  results.push({ ok: true, what });
  console.log(`PASS  ${what}`);
}

function fail(what: string, detail: string): never {
  results.push({ ok: false, what });
  console.log(`FAIL  ${what}\n      ${detail.replace(/\n/g, '\n      ')}`);
  throw new CheckFailed(`${what}: ${detail}`);
}

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

/** Bounds a promise; the cleanup steps use it so a stuck step cannot hang the run. */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms); }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------- Chromium

function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  if (process.env.CI !== 'true') {
    throw new CheckFailed(
      `${CHROMIUM} is missing. Install Debian's chromium (no Playwright browser download is used):\n` +
      '  sudo apt-get update && sudo apt-get install -y chromium\n' +
      '(with CI=true this script installs it itself).');
  }
  info(`${CHROMIUM} missing and CI=true: installing Debian's chromium with apt-get`);
  const asRoot = process.getuid?.() === 0;
  const command = 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium';
  const install = spawnSync(asRoot ? 'bash' : 'sudo', asRoot ? ['-c', command] : ['-n', 'bash', '-c', command], {
    stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000,
  });
  if (install.status !== 0 || !existsSync(CHROMIUM)) {
    throw new CheckFailed(`installing chromium failed (exit ${install.status ?? install.signal ?? install.error?.message}); ${CHROMIUM} still missing`);
  }
  info(`chromium installed: ${spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).stdout.trim()}`);
}

// ---------------------------------------------------------------- the stack

/** The last lines a child printed, shown when the check fails. */
class Tail {
  private lines: string[] = [];
  constructor(private readonly name: string, private readonly max = 40) {}
  push(chunk: string): void {
    for (const line of chunk.split('\n')) if (line.trim()) this.lines.push(line);
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
  }
  dump(): string {
    return this.lines.length ? `--- last output of ${this.name} ---\n${this.lines.join('\n')}` : `--- ${this.name}: no output ---`;
  }
}

interface Resources {
  /** Set as soon as the stack starts starting, so a time-out during start-up still tears it down. */
  stack?: Promise<BenchStack>;
  api?: ReturnType<typeof apiClient>;
  tails: Tail[];
  receiver?: http.Server;
  context?: BrowserContext;
  userDataDir?: string;
}

const held: Resources = { tails: [] };

/** Keeps the last lines a process printed on these streams. */
function follow(name: string, ...streams: (Readable | null | undefined)[]): void {
  const tail = new Tail(name);
  for (const stream of streams) stream?.on('data', (chunk: Buffer) => tail.push(chunk.toString()));
  held.tails.push(tail);
}

async function cleanup(): Promise<void> {
  const step = async (what: string, ms: number, fn: () => Promise<unknown>) => {
    try {
      await within(ms, what, fn());
    } catch (error) {
      console.error(`[ui-check] cleanup: ${what} failed: ${(error as Error).message}`);
    }
  };
  if (held.context) await step('closing chromium', 10_000, () => held.context!.close());
  if (held.userDataDir) rmSync(held.userDataDir, { recursive: true, force: true });
  if (held.api) await step('closing the API client', 5_000, () => held.api!.close());
  // The worker drains on SIGTERM; the stack kills what is still running after 10 s.
  if (held.stack) await step('stopping the stack', 100_000, async () => (await held.stack!).stop());
  if (held.receiver) {
    held.receiver.closeAllConnections();
    await step('closing the receiver', 5_000, () => new Promise((resolve) => held.receiver!.close(resolve)));
  }
}

/** The receiver every delivery of the check goes to: always 503, counting requests. */
async function startReceiver(): Promise<{ url: string; count: () => number }> {
  let count = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count++;
      res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable (ui-check)');
    });
  });
  held.receiver = server;
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, count: () => count };
}

/** A POST that must answer `status`; returns the answer's body. */
async function post<T>(route: string, token: string, body: unknown, status: number): Promise<T> {
  const res = await held.api!.call('POST', route, token, body);
  if (res.status !== status) throw new Error(`POST ${route} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as T;
}

// ---------------------------------------------------------------- the browser

async function bodyText(page: Page): Promise<string> {
  return page.innerText('body', { timeout: 5_000 });
}

async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(OUT_DIR, name);
  await page.screenshot({ path: file, fullPage: true, timeout: 15_000 });
  info(`screenshot: ${path.relative(ROOT, file)}`);
  return file;
}

/** Saves what the page showed when an assertion failed, for the CI artifacts. */
async function evidence(page: Page, name: string): Promise<string> {
  try {
    await screenshot(page, `${name}.png`);
    writeFileSync(path.join(OUT_DIR, `${name}.txt`), await bodyText(page));
    return `page text and screenshot saved as test-results/ui-check/${name}.{txt,png}; url ${page.url()}`;
  } catch (error) {
    return `could not save the page: ${(error as Error).message}`;
  }
}

// ---------------------------------------------------------------- the check

async function main(): Promise<void> {
  ensureChromium();
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });

  // 1. The stack: dev server with its Web UI, a fresh database, the worker and the API.
  info('starting the stack (Temporal dev server with the Web UI, database, worker, API)');
  held.stack = startBenchStack({ ui: true, output: 'pipe', log: info });
  const stack = await held.stack;
  for (const [name, child] of [['worker', stack.worker()], ['api', stack.api()]] as const) follow(name, child?.stdout, child?.stderr);
  const uiUrl = stack.uiUrl!;
  const adminToken = stack.adminToken;
  held.api = apiClient(stack.apiUrl);
  info(`API up on ${stack.apiUrl}, Web UI on ${uiUrl}`);

  // 2. A delivery that keeps retrying, and a second tenant's workflow the filter must leave out.
  const receiver = await startReceiver();
  const tenant = await held.api.tenant(adminToken, 'UI check');
  await held.api.subscribe(tenant.api_key, {
    url: `${receiver.url}/always-503`,
    retry_policy: { initial_interval: '1s', backoff_coefficient: 1, maximum_attempts: 1000 },
  });
  await post('/v1/events', adminToken, {
    id: EVENT_ID, tenant_id: tenant.id, environment: 'production', type: 'user.created', payload: { n: 1 },
  }, 202);
  const other = await held.api.tenant(adminToken, 'UI check (other tenant)');
  await post('/v1/events', adminToken, {
    id: `${EVENT_ID}-other`, tenant_id: other.id, environment: 'production', type: 'user.created', payload: { n: 2 },
  }, 202);
  const workflowId = eventWorkflowId(tenant.id, EVENT_ID);
  const otherWorkflowId = eventWorkflowId(other.id, `${EVENT_ID}-other`);
  info(`events posted: ${workflowId} (retrying) and ${otherWorkflowId} (another tenant)`);

  await waitFor(`the receiver to see ${MIN_RECEIVER_REQUESTS} requests`, 45_000, async () => {
    const dead = [stack.worker(), stack.api()].find((child) => child !== undefined && child.exitCode !== null);
    if (dead) throw new Error(`${dead === stack.worker() ? 'the worker' : 'the API'} exited early (code ${dead?.exitCode})`);
    return receiver.count() >= MIN_RECEIVER_REQUESTS ? true : undefined;
  });
  pass(`receiver at ${receiver.url}/always-503 answered 503 to ${receiver.count()} delivery attempts`);

  // 3. Chromium.
  held.userDataDir = mkdtempSync(path.join(os.tmpdir(), 'hookrelay-ui-check-chromium-'));
  held.context = await chromium.launchPersistentContext(held.userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    viewport: { width: 1600, height: 1000 },
    timeout: 30_000,
  });
  held.context.setDefaultTimeout(15_000);
  held.context.setDefaultNavigationTimeout(30_000);
  const page = held.context.pages()[0] ?? (await held.context.newPage());

  // 4a. The workflow list filtered by the tenant's search attribute.
  const query = `HookrelayTenant="${tenant.id}"`;
  const listUrl = `${uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(query)}`;
  info(`opening ${listUrl}`);
  await page.goto(listUrl, { waitUntil: 'domcontentloaded' });
  const link = page.locator(`a:has-text("${workflowId}")`).first();
  try {
    // Visibility can trail the start by a moment: reload until the row is there.
    // The single-page app takes a few seconds to render on its first load; give each load 10 s.
    await waitFor(`a link to ${workflowId} in the filtered list`, 40_000, async () => {
      try {
        await link.waitFor({ state: 'visible', timeout: 10_000 });
        return true;
      } catch {
        await page.reload({ waitUntil: 'domcontentloaded' });
        return undefined;
      }
    }, 0);
  } catch (error) {
    fail(`workflow ${workflowId} listed under ${query}`, `${(error as Error).message}\n${await evidence(page, 'list-failure')}`);
  }
  const listText = await bodyText(page);
  await screenshot(page, 'workflow-list.png');
  pass(`the list filtered by ${query} shows ${workflowId}`);
  if (listText.includes(otherWorkflowId)) {
    fail(`the filter leaves out the other tenant's ${otherWorkflowId}`, `it is listed\n${await evidence(page, 'list-failure')}`);
  }
  pass(`the filtered list leaves out the other tenant's workflow ${otherWorkflowId}`);

  // 4b. The workflow page, opened from the list.
  await link.click();
  const workflowPath = `/namespaces/default/workflows/${encodeURIComponent(workflowId)}/`;
  try {
    await page.waitForURL((url) => url.pathname.startsWith(workflowPath), { timeout: 20_000 });
  } catch (error) {
    fail(`clicking ${workflowId} opens its workflow page`, `url is ${page.url()}\n${await evidence(page, 'workflow-failure')}`);
  }
  pass(`clicking the row opened ${new URL(page.url()).pathname}`);

  // 4c. The pending delivery activity: its attempt count and the last failure, as the README describes.
  await page.getByTestId('pending-activities-tab').click();
  const failurePattern = /HTTP 503 from http:\/\/127\.0\.0\.1:\d+\/always-503 after \d+ ms \(attempt (\d+)\)/;
  let shown: { text: string; attempt: number; maximum: number; failure: RegExpExecArray };
  try {
    shown = await waitFor('the pending deliver activity with its attempt count and last failure', 30_000, async () => {
      const text = await bodyText(page);
      const attempt = /(\d+) of (\d+)/.exec(text);
      const failure = failurePattern.exec(text);
      if (!text.includes('deliver') || !attempt || !failure) return undefined;
      return { text, attempt: Number(attempt[1]), maximum: Number(attempt[2]), failure };
    }, 500);
  } catch (error) {
    fail('the Pending Activities tab shows the deliver activity', `${(error as Error).message}\n${await evidence(page, 'pending-failure')}`);
  }
  await screenshot(page, 'pending-activity.png');
  pass('the Pending Activities tab lists the deliver activity');
  if (shown.attempt < MIN_UI_ATTEMPT) {
    fail(`its attempt count is at least ${MIN_UI_ATTEMPT}`, `shown: ${shown.attempt} of ${shown.maximum}\n${await evidence(page, 'pending-failure')}`);
  }
  pass(`its attempt count is shown: ${shown.attempt} of ${shown.maximum}`);
  pass(`its last failure says what happened: "${shown.failure[0]}"`);
}

// ---------------------------------------------------------------- run

let exitCode = 0;
let timedOut = false;
const onSignal = (signal: NodeJS.Signals) => {
  console.error(`[ui-check] ${signal}: cleaning up`);
  cleanup().finally(() => process.exit(130));
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

let overall: NodeJS.Timeout | undefined;
try {
  await Promise.race([
    main(),
    new Promise<never>((_, reject) => {
      overall = setTimeout(() => { timedOut = true; reject(new Error(`the check took longer than ${TOTAL_TIMEOUT_MS} ms`)); }, TOTAL_TIMEOUT_MS);
    }),
  ]);
} catch (error) {
  exitCode = timedOut ? 2 : 1;
  if (!(error instanceof CheckFailed) || !results.some((r) => !r.ok)) console.error(`ERROR ${(error as Error).message}`);
  if (!(error instanceof CheckFailed)) {
    for (const tail of held.tails) console.error(tail.dump());
  }
} finally {
  clearTimeout(overall);
  await cleanup();
}
const passed = results.filter((r) => r.ok).length;
console.log(`ui-check: ${exitCode === 0 ? 'OK' : 'FAILED'} — ${passed} passed, ${results.length - passed} failed, ${elapsed()}`);
process.exit(exitCode);
