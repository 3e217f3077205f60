// What the real-browser checks (scripts/ui-check.ts, scripts/portal-check.ts) share: the PASS/FAIL
// record, the bench stack with its processes' last output kept for a failure, Debian's Chromium,
// screenshots under test-results/<name>/, an axe-core accessibility audit of a page, teardown, and the run itself — an overall time limit,
// cleanup on SIGINT/SIGTERM, and the exit code (0 every check held, 1 one failed, 2 the time limit).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { apiClient } from '../../bench/lib/api.js';
import { startBenchStack, type BenchStack } from '../../bench/lib/stack.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHROMIUM = '/usr/bin/chromium';
/** axe-core's browser build, read once on the first audit. */
let axeSource: string | undefined;
/** The impacts an audit fails on; minor and moderate findings are printed, not failed. */
const AXE_FAILS_ON = new Set(['serious', 'critical']);

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** A check that failed and said so (its FAIL line is printed); anything else thrown is unexpected. */
export class CheckFailed extends Error {}

/** The last lines a child printed, shown when the check fails. */
class Tail {
  private lines: string[] = [];
  constructor(
    private readonly name: string,
    private readonly max = 40,
  ) {}
  push(chunk: string): void {
    for (const line of chunk.split('\n')) if (line.trim()) this.lines.push(line);
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
  }
  dump(): string {
    return this.lines.length ? `--- last output of ${this.name} ---\n${this.lines.join('\n')}` : `--- ${this.name}: no output ---`;
  }
}

/** Bounds a promise, so a stuck teardown step cannot hang the run. */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export interface CheckOutcome {
  ok: boolean;
  passed: number;
  failed: number;
  /** Seconds since the check started, as `12.3s`. */
  elapsed: string;
}

export class BrowserCheck {
  /** Where screenshots and saved pages go: test-results/<name>/, emptied at the start of a run. */
  readonly outDir: string;
  private readonly started = Date.now();
  private readonly results: { ok: boolean; what: string }[] = [];
  private readonly tails: Tail[] = [];
  private readonly teardown: { what: string; ms: number; fn: () => Promise<unknown> }[] = [];

  constructor(readonly name: string) {
    this.outDir = path.join(ROOT, 'test-results', name);
  }

  elapsed(): string {
    return `${((Date.now() - this.started) / 1000).toFixed(1)}s`;
  }

  info(msg: string): void {
    console.log(`[${this.name} ${this.elapsed()}] ${msg}`);
  }

  /** How many checks have been recorded, passed or failed. */
  get count(): number {
    return this.results.length;
  }

  pass(what: string): void {
    this.results.push({ ok: true, what });
    console.log(`PASS  ${what}`);
  }

  fail(what: string, detail: string): never {
    this.results.push({ ok: false, what });
    console.log(`FAIL  ${what}\n      ${detail.replace(/\n/g, '\n      ')}`);
    throw new CheckFailed(`${what}: ${detail}`);
  }

  check(ok: boolean, what: string, detail: () => string): void {
    if (ok) this.pass(what);
    else this.fail(what, detail());
  }

  /** Registers a teardown step; they run last-registered first, each bounded by `ms`. */
  atCleanup(what: string, ms: number, fn: () => Promise<unknown>): void {
    this.teardown.push({ what, ms, fn });
  }

  /** Keeps the last lines a process printed on these streams (and drains them: a full pipe stalls it). */
  follow(name: string, ...streams: (Readable | null | undefined)[]): void {
    const tail = new Tail(name);
    for (const stream of streams) stream?.on('data', (chunk: Buffer) => tail.push(chunk.toString()));
    this.tails.push(tail);
  }

  /** The bench stack (dev server, a fresh database, the worker and the API) and an API client on it. */
  async startStack(options: { ui?: boolean } = {}): Promise<{ stack: BenchStack; api: ReturnType<typeof apiClient> }> {
    const starting = startBenchStack({ ui: options.ui, output: 'pipe', log: (msg) => this.info(msg) });
    // Registered before it is up, so a time-out during start-up still tears it down.
    // The worker drains on SIGTERM; the stack kills what is still running after 10 s.
    this.atCleanup('stopping the stack', 100_000, async () => (await starting).stop());
    const stack = await starting;
    for (const [name, child] of [
      ['worker', stack.worker()],
      ['api', stack.api()],
    ] as const)
      this.follow(name, child?.stdout, child?.stderr);
    const api = apiClient(stack.apiUrl);
    this.atCleanup('closing the API client', 5_000, () => api.close());
    return { stack, api };
  }

  /** A local HTTP server on 127.0.0.1 for the stack to deliver to; closed at cleanup. Returns its base URL. */
  async startReceiver(handler: http.RequestListener): Promise<string> {
    const server = http.createServer(handler);
    this.atCleanup('closing the receiver', 5_000, () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Headless Debian Chromium; closed at cleanup. */
  async launchChromium(): Promise<Browser> {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      timeout: 30_000,
    });
    this.atCleanup('closing chromium', 10_000, () => browser.close());
    return browser;
  }

  async screenshot(page: Page, name: string): Promise<string> {
    const file = path.join(this.outDir, name);
    await page.screenshot({ path: file, fullPage: true, timeout: 15_000 });
    this.info(`screenshot: ${path.relative(ROOT, file)}`);
    return file;
  }

  /**
   * Runs axe-core on the page as it is now and fails (listing each rule, its impact and the elements) on
   * any serious or critical violation. The source goes in through `evaluate`, which the page's CSP does not
   * govern: an inline script tag would be refused (and counted as a CSP violation by the walk).
   */
  async axe(page: Page, label: string): Promise<void> {
    axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: unknown[] }> } }).axe;
      // label-content-name-mismatch (a link or button whose accessible name leaves out its visible text) is
      // one of axe's experimental rules, off by default: turned on, as the portal's review ran it.
      return (await axe.run(document, { resultTypes: ['violations'], rules: { 'label-content-name-mismatch': { enabled: true } } })).violations;
    });
    const line = (v: AxeViolation) =>
      `${v.impact ?? 'unknown'}: ${v.id} (${v.help}) on ${v.nodes
        .slice(0, 5)
        .map((n) => n.target.join(' '))
        .join(', ')}${v.nodes.length > 5 ? `, and ${v.nodes.length - 5} more` : ''}`;
    const failing = (violations as AxeViolation[]).filter((v) => AXE_FAILS_ON.has(v.impact ?? ''));
    const minor = (violations as AxeViolation[]).filter((v) => !AXE_FAILS_ON.has(v.impact ?? ''));
    if (minor.length) this.info(`axe, ${label}: ${minor.length} minor or moderate finding(s)\n  ${minor.map(line).join('\n  ')}`);
    if (failing.length) this.info(await this.evidence(page, `axe-${label.replace(/[^\w-]+/g, '-')}`));
    this.check(failing.length === 0, `axe: no serious or critical violation on ${label}`, () => failing.map(line).join('\n'));
  }

  /** Saves what the page showed when a check failed (text and screenshot, for the CI artifacts); says where. */
  async evidence(page: Page, name: string): Promise<string> {
    try {
      await this.screenshot(page, `${name}.png`);
      writeFileSync(path.join(this.outDir, `${name}.txt`), await page.innerText('body', { timeout: 5_000 }));
      return `page text and screenshot saved as ${path.relative(ROOT, path.join(this.outDir, name))}.{txt,png}; url ${page.url()}`;
    } catch (error) {
      return `could not save the page: ${(error as Error).message}`;
    }
  }

  /**
   * Runs `main` within `timeoutMs`, tears everything down, prints `summary` of the outcome and exits
   * with 0 (every check held), 1 (one failed or something broke) or 2 (the time limit).
   */
  async run(timeoutMs: number, main: () => Promise<void>, summary: (outcome: CheckOutcome) => string): Promise<never> {
    const onSignal = (signal: NodeJS.Signals) => {
      console.error(`[${this.name}] ${signal}: cleaning up`);
      void this.cleanup().finally(() => process.exit(130));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);

    let exitCode = 0;
    let timedOut = false;
    let overall: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.prepare().then(main),
        new Promise<never>((_, reject) => {
          overall = setTimeout(() => {
            timedOut = true;
            reject(new Error(`the check took longer than ${timeoutMs} ms`));
          }, timeoutMs);
        }),
      ]);
    } catch (error) {
      exitCode = timedOut ? 2 : 1;
      // A failed check has printed its FAIL line already; anything else is shown here, with what the
      // stack's processes printed last.
      if (!(error instanceof CheckFailed) || !this.results.some((r) => !r.ok)) {
        console.error(`ERROR ${error instanceof CheckFailed ? error.message : ((error as Error).stack ?? (error as Error).message)}`);
        if (!(error instanceof CheckFailed)) for (const tail of this.tails) console.error(tail.dump());
      }
    } finally {
      clearTimeout(overall);
      await this.cleanup();
    }
    const passed = this.results.filter((r) => r.ok).length;
    console.log(summary({ ok: exitCode === 0, passed, failed: this.results.length - passed, elapsed: this.elapsed() }));
    process.exit(exitCode);
  }

  private async prepare(): Promise<void> {
    ensureChromium((msg) => this.info(msg));
    rmSync(this.outDir, { recursive: true, force: true });
    mkdirSync(this.outDir, { recursive: true });
  }

  private async cleanup(): Promise<void> {
    for (const { what, ms, fn } of this.teardown.splice(0).reverse()) {
      try {
        await within(ms, what, fn());
      } catch (error) {
        console.error(`[${this.name}] cleanup: ${what} failed: ${(error as Error).message}`);
      }
    }
  }
}

/** Debian's chromium (no Playwright browser download); with CI=true it is installed when missing. */
function ensureChromium(info: (msg: string) => void): void {
  if (existsSync(CHROMIUM)) return;
  if (process.env.CI !== 'true') {
    throw new CheckFailed(
      `${CHROMIUM} is missing. Install Debian's chromium (no Playwright browser download is used):\n` +
        '  sudo apt-get update && sudo apt-get install -y chromium\n' +
        '(with CI=true this script installs it itself).',
    );
  }
  info(`${CHROMIUM} missing and CI=true: installing Debian's chromium with apt-get`);
  const asRoot = process.getuid?.() === 0;
  const command = 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium';
  const install = spawnSync(asRoot ? 'bash' : 'sudo', asRoot ? ['-c', command] : ['-n', 'bash', '-c', command], {
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 600_000,
  });
  if (install.status !== 0 || !existsSync(CHROMIUM)) {
    throw new CheckFailed(
      `installing chromium failed (exit ${install.status ?? install.signal ?? install.error?.message}); ${CHROMIUM} still missing`,
    );
  }
  info(`chromium installed: ${spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).stdout.trim()}`);
}
