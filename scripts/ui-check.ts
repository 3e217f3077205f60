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
// Env: CI=true installs chromium with apt-get when it is missing; UI_CHECK_TIMEOUT_MS (default 180000);
// UI_CHECK_DATABASE_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { freePort, startDevServer, type DevServer } from '../src/temporal/dev-server.js';
import { migrate } from '../src/db/migrate.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = path.join(ROOT, 'test-results', 'ui-check');
const CHROMIUM = '/usr/bin/chromium';
const ADMIN_DB_URL = process.env.UI_CHECK_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
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

interface Stack {
  temporal?: DevServer;
  temporalTail: Tail;
  children: { name: string; child: ChildProcess; tail: Tail }[];
  dbName?: string;
  dbCreated: boolean;
  receiver?: http.Server;
  context?: BrowserContext;
  userDataDir?: string;
}

const stack: Stack = { temporalTail: new Tail('temporal dev server'), children: [], dbCreated: false };

function spawnNode(name: string, script: string, env: NodeJS.ProcessEnv): ChildProcess {
  const tail = new Tail(name);
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => tail.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => tail.push(chunk.toString()));
  child.once('exit', (code, signal) => tail.push(`(exited: ${signal ?? code})`));
  stack.children.push({ name, child, tail });
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  // The worker drains on SIGTERM; a delivery retrying forever must not hold the run.
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await gone;
  clearTimeout(timer);
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_DB_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function cleanup(): Promise<void> {
  const step = async (what: string, ms: number, fn: () => Promise<unknown>) => {
    try {
      await within(ms, what, fn());
    } catch (error) {
      console.error(`[ui-check] cleanup: ${what} failed: ${(error as Error).message}`);
    }
  };
  if (stack.context) await step('closing chromium', 10_000, () => stack.context!.close());
  if (stack.userDataDir) rmSync(stack.userDataDir, { recursive: true, force: true });
  await step('stopping worker and API', 15_000, () => Promise.all(stack.children.map(({ child }) => stopChild(child))));
  if (stack.temporal) await step('stopping the Temporal dev server', 15_000, () => stack.temporal!.stop());
  if (stack.receiver) {
    stack.receiver.closeAllConnections();
    await step('closing the receiver', 5_000, () => new Promise((resolve) => stack.receiver!.close(resolve)));
  }
  if (stack.dbCreated && stack.dbName) await step(`dropping database ${stack.dbName}`, 15_000, () => adminQuery(`DROP DATABASE IF EXISTS "${stack.dbName}" WITH (FORCE)`));
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
  stack.receiver = server;
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, count: () => count };
}

async function api<T>(base: string, method: string, route: string, token: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route} answered ${res.status}: ${text}`);
  return JSON.parse(text) as T;
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

  // 1. The stack.
  const temporalPort = await freePort();
  const uiPort = await freePort();
  info(`starting the Temporal dev server (gRPC ${temporalPort}, Web UI ${uiPort})`);
  stack.temporal = await startDevServer({ port: temporalPort, uiPort, log: (line) => stack.temporalTail.push(line) });
  const uiUrl = stack.temporal.uiUrl!;

  stack.dbName = `hookrelay_uicheck_${process.pid}`;
  await adminQuery(`DROP DATABASE IF EXISTS "${stack.dbName}" WITH (FORCE)`);
  await adminQuery(`CREATE DATABASE "${stack.dbName}"`);
  stack.dbCreated = true;
  const dbUrl = new URL(ADMIN_DB_URL);
  dbUrl.pathname = `/${stack.dbName}`;
  await migrate(dbUrl.toString());
  info(`database ${stack.dbName} created and migrated`);

  const apiPort = await freePort();
  const adminToken = `uicheck_${randomBytes(16).toString('hex')}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: dbUrl.toString(),
    TEMPORAL_ADDRESS: stack.temporal.address,
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    ADMIN_TOKEN: adminToken,
    ALLOW_PRIVATE_TARGETS: 'true',
    LOG_LEVEL: 'warn',
    // The worker's own HTTP ports, so the check never collides with a worker already running here.
    WORKER_METRICS_PORT: String(await freePort()),
    WORKER_CORE_METRICS_PORT: String(await freePort()),
  };
  spawnNode('worker', 'src/bin/worker.ts', env);
  spawnNode('api', 'src/bin/api.ts', env);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  await waitFor('the API to answer GET /healthz', 60_000, async () => {
    const dead = stack.children.find(({ child }) => child.exitCode !== null);
    if (dead) throw new CheckFailed(`${dead.name} exited early (code ${dead.child.exitCode})\n${dead.tail.dump()}`);
    const res = await fetch(`${apiUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
    return res.ok ? true : undefined;
  });
  info(`API up on ${apiUrl}`);

  // 2. A delivery that keeps retrying, and a second tenant's workflow the filter must leave out.
  const receiver = await startReceiver();
  const tenant = await api<{ id: string; api_key: string }>(apiUrl, 'POST', '/v1/tenants', adminToken, { name: 'UI check' });
  await api(apiUrl, 'POST', '/v1/subscriptions', tenant.api_key, {
    url: `${receiver.url}/always-503`,
    retry_policy: { initial_interval: '1s', backoff_coefficient: 1, maximum_attempts: 1000 },
  });
  await api(apiUrl, 'POST', '/v1/events', adminToken, {
    id: EVENT_ID, tenant_id: tenant.id, environment: 'production', type: 'user.created', payload: { n: 1 },
  });
  const other = await api<{ id: string }>(apiUrl, 'POST', '/v1/tenants', adminToken, { name: 'UI check (other tenant)' });
  await api(apiUrl, 'POST', '/v1/events', adminToken, {
    id: `${EVENT_ID}-other`, tenant_id: other.id, environment: 'production', type: 'user.created', payload: { n: 2 },
  });
  const workflowId = `event:${tenant.id}:${EVENT_ID}`;
  const otherWorkflowId = `event:${other.id}:${EVENT_ID}-other`;
  info(`events posted: ${workflowId} (retrying) and ${otherWorkflowId} (another tenant)`);

  await waitFor(`the receiver to see ${MIN_RECEIVER_REQUESTS} requests`, 45_000, async () => {
    const dead = stack.children.find(({ child }) => child.exitCode !== null);
    if (dead) throw new CheckFailed(`${dead.name} exited early (code ${dead.child.exitCode})\n${dead.tail.dump()}`);
    return receiver.count() >= MIN_RECEIVER_REQUESTS ? true : undefined;
  });
  pass(`receiver at ${receiver.url}/always-503 answered 503 to ${receiver.count()} delivery attempts`);

  // 3. Chromium.
  stack.userDataDir = mkdtempSync(path.join(os.tmpdir(), 'hookrelay-ui-check-chromium-'));
  stack.context = await chromium.launchPersistentContext(stack.userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    viewport: { width: 1600, height: 1000 },
    timeout: 30_000,
  });
  stack.context.setDefaultTimeout(15_000);
  stack.context.setDefaultNavigationTimeout(30_000);
  const page = stack.context.pages()[0] ?? (await stack.context.newPage());

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
    for (const { tail } of stack.children) console.error(tail.dump());
    console.error(stack.temporalTail.dump());
  }
} finally {
  clearTimeout(overall);
  await cleanup();
}
const passed = results.filter((r) => r.ok).length;
console.log(`ui-check: ${exitCode === 0 ? 'OK' : 'FAILED'} — ${passed} passed, ${results.length - passed} failed, ${elapsed()}`);
process.exit(exitCode);
