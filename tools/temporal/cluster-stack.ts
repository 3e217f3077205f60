// The production topology on one machine: the Temporal server on PostgreSQL (cluster-server.ts), then
// hookrelay's database and N workers and M API processes. `npm run dev:cluster` and the reliability run
// on the cluster both start it through here, so the faults are injected into what users run.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ensureDatabase, migrate } from '../../src/db/migrate.js';
import { waitForPort } from '../ports.js';
import {
  clusterDatabase,
  findClusterBinaries,
  portsFrom,
  startClusterServer,
  type ClusterPorts,
  type ClusterServer,
  type ClusterTls,
} from './cluster-server.js';
import type { TemporalSecurity } from '../../src/temporal/connection-options.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A hookrelay process (API or worker) that can be killed and started again with the same settings. */
export interface HookrelayProcess {
  name: string;
  /** The port that answers once it is up: the API's, or the worker's /metrics and /healthz. */
  port: number;
  child(): ChildProcess | undefined;
  start(): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface ClusterStackOptions {
  /** A PostgreSQL admin URL: Temporal's databases and hookrelay's are created on this server. */
  postgresUrl: string;
  /** hookrelay's database (on the server of `postgresUrl` unless a full URL). */
  databaseUrl: string;
  temporalDatabase?: string;
  temporalVisibilityDatabase?: string;
  ports?: ClusterPorts;
  uiPort?: number;
  apiPorts: number[];
  /** One entry per worker: its /metrics port (the SDK core's metrics go to the next one up). */
  workerMetricsPorts: number[];
  /** Environment of every hookrelay process (ADMIN_TOKEN, LOG_LEVEL, ...). */
  env: NodeJS.ProcessEnv;
  logDir: string;
  tls?: ClusterTls;
  /** How hookrelay connects when the frontend is secured; passed to its processes as TEMPORAL_TLS_*. */
  clientSecurity?: TemporalSecurity;
  temporalEnv?: Record<string, string>;
  /** stdout/stderr of the hookrelay processes: the caller's (default), or each line to `onOutput`. */
  onOutput?: (name: string, line: string) => void;
  log?: (msg: string) => void;
  /** Called when a hookrelay process exits without being asked to. */
  onUnexpectedExit?: (name: string, code: number | string | null) => void;
}

export interface ClusterStack {
  temporal: ClusterServer;
  apis: HookrelayProcess[];
  workers: HookrelayProcess[];
  databaseUrl: string;
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/** TEMPORAL_TLS_* / TEMPORAL_API_KEY for the child processes, from the same settings src/config.ts reads. */
export function securityEnv(security: TemporalSecurity | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  const tls = security?.tls;
  if (tls === true) env.TEMPORAL_TLS = 'true';
  else if (tls && typeof tls === 'object') {
    if (tls.certPath) env.TEMPORAL_TLS_CERT = tls.certPath;
    if (tls.keyPath) env.TEMPORAL_TLS_KEY = tls.keyPath;
    if (tls.caPath) env.TEMPORAL_TLS_CA = tls.caPath;
    if (tls.serverName) env.TEMPORAL_TLS_SERVER_NAME = tls.serverName;
  }
  if (security?.apiKey) env.TEMPORAL_API_KEY = security.apiKey;
  return env;
}

export async function startClusterStack(options: ClusterStackOptions): Promise<ClusterStack> {
  const log = options.log ?? (() => {});
  const binaries = await findClusterBinaries();
  const temporal = await startClusterServer({
    binaries,
    database: clusterDatabase(options.postgresUrl, options.temporalDatabase, options.temporalVisibilityDatabase),
    ports: options.ports ?? portsFrom(7233),
    ...(options.uiPort ? { uiPort: options.uiPort } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
    ...(options.clientSecurity ? { clientSecurity: options.clientSecurity } : {}),
    logDir: options.logDir,
    ...(options.temporalEnv ? { env: options.temporalEnv } : {}),
    log,
  });
  const processes: HookrelayProcess[] = [];
  let stopping = false;
  const stop = async () => {
    stopping = true;
    await Promise.all(processes.map((p) => p.kill('SIGTERM')));
    await temporal.stop();
  };
  try {
    log(`migrating hookrelay's database ${options.databaseUrl.replace(/\/\/[^@]*@/, '//***@')}`);
    await ensureDatabase(options.databaseUrl);
    await migrate(options.databaseUrl);
    const env: NodeJS.ProcessEnv = {
      ...options.env,
      ...securityEnv(options.clientSecurity),
      DATABASE_URL: options.databaseUrl,
      TEMPORAL_ADDRESS: temporal.address,
    };
    const managed = (name: string, script: string, port: number, own: Record<string, string>): HookrelayProcess => {
      let child: ChildProcess | undefined;
      let expectedExit = false;
      return {
        name,
        port,
        child: () => child,
        async start() {
          expectedExit = false;
          const output = options.onOutput;
          const current = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/bin', script)], {
            cwd: root,
            env: { ...env, ...own },
            stdio: ['ignore', output ? 'pipe' : 'inherit', output ? 'pipe' : 'inherit'],
          });
          if (output) {
            for (const stream of [current.stdout, current.stderr]) {
              if (stream) createInterface({ input: stream }).on('line', (line) => output(name, line));
            }
          }
          child = current;
          current.once('exit', (code, signal) => {
            if (!stopping && !expectedExit) options.onUnexpectedExit?.(name, signal ?? code);
          });
          await Promise.race([
            waitForPort(port, 120_000),
            new Promise((_, reject) =>
              current.once('exit', (code, signal) => reject(new Error(`${name} exited (${signal ?? code}) while starting`))),
            ),
          ]);
        },
        async kill(signal = 'SIGTERM') {
          const current = child;
          if (!current || current.exitCode !== null || current.signalCode !== null) return;
          expectedExit = true;
          const gone = new Promise<void>((resolve) => current.once('exit', () => resolve()));
          current.kill(signal);
          // A worker drains for up to 30 s (shutdownGraceTime) on SIGTERM.
          const timer = setTimeout(() => current.kill('SIGKILL'), 40_000);
          await gone;
          clearTimeout(timer);
        },
      };
    };
    const workers = options.workerMetricsPorts.map((port, i) =>
      managed(`worker-${i + 1}`, 'worker.ts', port, {
        WORKER_METRICS_PORT: String(port),
        WORKER_CORE_METRICS_PORT: String(port + 1),
      }),
    );
    const apis = options.apiPorts.map((port, i) => managed(`api-${i + 1}`, 'api.ts', port, { PORT: String(port) }));
    processes.push(...workers, ...apis);
    // Workers first and one at a time: run from source, each bundles the workflow code at start (CPU-heavy for seconds).
    for (const worker of workers) await worker.start();
    await Promise.all(apis.map((api) => api.start()));
    return { temporal, apis, workers, databaseUrl: options.databaseUrl, env, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
