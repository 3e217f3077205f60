import { spawn, type ChildProcess } from 'node:child_process';
import { SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes.js';
import { findTemporalCli } from './cli.js';
import { freePort, waitForPort } from '../ports.js';

export interface DevServerOptions {
  port?: number;
  uiPort?: number;
  /** Omit for an in-memory server (tests); a path keeps accepted workflows across restarts. */
  dbFile?: string;
  headless?: boolean;
  log?: (line: string) => void;
}

export interface DevServer {
  address: string;
  uiUrl: string | undefined;
  process: ChildProcess;
  stop(): Promise<void>;
}

export function devServerArgs(options: Required<Pick<DevServerOptions, 'port'>> & DevServerOptions): string[] {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--log-level', 'warn'];
  if (options.headless) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort ?? 8233));
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  for (const { name, type } of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${name}=${type}`);
  // Faster on one machine: the SQLite store skips fsync, and activities start eagerly on the worker that asked.
  args.push('--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=OFF');
  args.push('--dynamic-config-value', 'system.enableActivityEagerExecution=true');
  // Task-queue fairness by tenant (the fairness key every start sets): one tenant's backlog of workflow and
  // activity tasks does not hold back another's (docs/isolation.md).
  args.push('--dynamic-config-value', 'matching.enableFairness=true');
  return args;
}

/** Starts `temporal server start-dev` and waits until its gRPC port answers. */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const cli = await findTemporalCli();
  const port = options.port ?? (await freePort());
  const child = spawn(cli, devServerArgs({ ...options, port }), { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = options.log ?? (() => {});
  child.stdout?.on('data', (chunk: Buffer) => log(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => log(chunk.toString()));
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const stop = async () => {
    if (exited) return;
    const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await done;
    clearTimeout(timer);
  };
  try {
    await Promise.race([
      waitForPort(port, 60_000),
      new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`temporal dev server exited with code ${code}`)))),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    address: `127.0.0.1:${port}`,
    uiUrl: options.headless ? undefined : `http://127.0.0.1:${options.uiPort ?? 8233}`,
    process: child,
    stop,
  };
}
