// The production shape on one machine for measuring and checking: Temporal dev server on SQLite, the
// worker and the API as processes of their own (so each one's memory is its own), a fresh database.
import { WORKER_NODE_FLAGS } from '../../src/worker-node-flags.js';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { startDevServer, type DevServer } from '../../tools/temporal/dev-server.js';
import { freePort, waitForPort } from '../../tools/ports.js';
import { newEncryptionKeyEntry } from '../../src/secrets/encryption-keys.js';
import { createScratchDatabase, DEFAULT_ADMIN_URL } from '../../tools/db/scratch-database.js';
import { startScratchCluster } from '../../tools/temporal/cluster-server.js';
import { newCursorKeyEntry } from '../../src/cursor-keys.js';

export interface BenchStack {
  apiUrl: string;
  /** The Temporal Web UI, when started with `ui: true`. */
  uiUrl: string | undefined;
  temporalAddress(): string;
  temporalPid(): number | undefined;
  adminToken: string;
  env: NodeJS.ProcessEnv;
  worker(): ChildProcess | undefined;
  api(): ChildProcess | undefined;
  startWorker(): Promise<void>;
  killWorker(signal?: NodeJS.Signals): Promise<void>;
  /** Stops the API and the worker, changes their environment (undefined: unset) and starts them again. */
  restartWith(changes: Record<string, string | undefined>): Promise<void>;
  restartTemporal(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Peak resident memory of a process (VmHWM), in MB; undefined once it is gone. */
export function peakRssMb(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The peak resident memory since the last call (VmHWM), then resets it to the current resident set
 * (`5` to /proc/<pid>/clear_refs), so each bench phase reports its own peak. Where the reset is not
 * allowed, later phases report the peak so far.
 */
export function takePeakRssMb(pid: number | undefined): number | undefined {
  const peak = peakRssMb(pid);
  if (peak !== undefined)
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, '5');
    } catch {
      /* not ours to reset */
    }
  return peak;
}

export interface BenchStackOptions {
  env?: Record<string, string>;
  log?: (msg: string) => void;
  /** Serve the dev server's Web UI (on a free port). */
  ui?: boolean;
  /** The worker's and the API's stdout and stderr: the caller's own (default), or pipes it reads. */
  output?: 'inherit' | 'pipe';
  /** `cluster`: the Temporal server on PostgreSQL (databases of its own) instead of the dev server. */
  engine?: 'dev' | 'cluster';
}

const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? DEFAULT_ADMIN_URL;

/** What the stack needs of its Temporal, whichever engine runs it. */
interface Engine {
  address: string;
  uiUrl: string | undefined;
  pid(): number | undefined;
  restart(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

async function startEngine(options: BenchStackOptions, tmp: string, name: string): Promise<Engine> {
  const uiPort = await freePort();
  if (options.engine === 'cluster') {
    const cluster = await startScratchCluster({
      postgresUrl: ADMIN_URL,
      name: `temporal_${name}`,
      ...(options.ui ? { uiPort } : {}),
      log: options.log ?? (() => {}),
    });
    return {
      address: cluster.address,
      uiUrl: cluster.uiUrl,
      pid: cluster.serverPid,
      stop: cluster.stop,
      async restart(downMs) {
        await cluster.kill('SIGTERM');
        if (downMs) await new Promise((r) => setTimeout(r, downMs));
        await cluster.start();
      },
    };
  }
  const temporalPort = await freePort();
  const dbFile = path.join(tmp, 'temporal.db');
  const start = () => startDevServer({ port: temporalPort, uiPort, dbFile, headless: !options.ui });
  let server: DevServer = await start();
  return {
    address: server.address,
    uiUrl: server.uiUrl,
    pid: () => server.process.pid,
    stop: () => server.stop(),
    async restart(downMs) {
      await server.stop();
      if (downMs) await new Promise((r) => setTimeout(r, downMs));
      server = await start();
    },
  };
}

export async function startBenchStack(options: BenchStackOptions = {}): Promise<BenchStack> {
  const log = options.log ?? (() => {});
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'hookrelay-bench-'));
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  const database = await createScratchDatabase(ADMIN_URL, 'hookrelay_bench');

  const temporal = await startEngine(options, tmp, database.name);
  const apiPort = await freePort();
  const adminToken = `bench_${randomBytes(16).toString('hex')}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: temporal.address,
    ADMIN_TOKEN: adminToken,
    HOOKRELAY_CURSOR_KEYS: newCursorKeyEntry('bench'),
    HOOKRELAY_ENCRYPTION_KEYS: newEncryptionKeyEntry('bench'),
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    ALLOW_PRIVATE_TARGETS: 'true',
    // LOG_LEVEL is left at its default (info), as production runs: no line per event or request there.
    WORKER_METRICS_PORT: String(await freePort()),
    WORKER_CORE_METRICS_PORT: String(await freePort()),
    ...options.env,
  };
  const spawnNode = (script: string) => {
    // BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the worker and the API.
    const extra = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    // As in production: the JavaScript `npm run build` made (no tsx loader thread in the measured process),
    // the worker with production's node flags (src/worker-node-flags.ts).
    const flags = script === 'worker.ts' ? WORKER_NODE_FLAGS : [];
    const child = spawn(process.execPath, [...flags, ...extra, `dist/bin/${script.replace(/\.ts$/, '.js')}`], {
      env,
      stdio: ['ignore', options.output ?? 'inherit', options.output ?? 'inherit'],
    });
    child.once('exit', (code, signal) => log(`${script} exited (${signal ?? code})`));
    return child;
  };
  let worker: ChildProcess | undefined;
  let api = spawnNode('api.ts');
  // A benchmark that crashes must not leave its stack running.
  process.once('exit', () => {
    for (const child of [worker, api]) if (child && child.exitCode === null) child.kill('SIGKILL');
    const pid = temporal.pid();
    if (pid)
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
  });
  await waitForPort(apiPort, 60_000);

  /** SIGTERM (SIGKILL after 10 s) to the worker and the API, and their exits waited for. */
  const stopProcesses = async () => {
    for (const child of [worker, api]) {
      if (child && child.exitCode === null) {
        const gone = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await gone;
        clearTimeout(timer);
      }
    }
  };
  const stack: BenchStack = {
    apiUrl: `http://127.0.0.1:${apiPort}`,
    uiUrl: temporal.uiUrl,
    temporalAddress: () => temporal.address,
    temporalPid: () => temporal.pid(),
    adminToken,
    env,
    worker: () => worker,
    api: () => api,
    async startWorker() {
      worker = spawnNode('worker.ts');
      await waitForPort(Number(env.WORKER_METRICS_PORT), 60_000);
    },
    async killWorker(signal = 'SIGKILL') {
      const current = worker;
      if (!current || current.exitCode !== null) return;
      const gone = new Promise((resolve) => current.once('exit', resolve));
      current.kill(signal);
      await gone;
    },
    restartTemporal: (downMs = 0) => temporal.restart(downMs),
    async restartWith(changes) {
      await stopProcesses();
      for (const [name, value] of Object.entries(changes)) {
        if (value === undefined) delete env[name];
        else env[name] = value;
      }
      api = spawnNode('api.ts');
      await waitForPort(apiPort, 60_000);
      await stack.startWorker();
    },
    async stop() {
      await stopProcesses();
      await temporal.stop();
      await database.drop();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
  await stack.startWorker();
  return stack;
}
