// The production engine on one machine: the real Temporal server (not the dev server) on PostgreSQL,
// configured from deploy/temporal/config (the file docker-compose mounts), and the Temporal Web UI server.
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { waitForPort } from '../ports.js';
import { temporalConnectionOptions, type TemporalSecurity } from '../../src/temporal/connection-options.js';
import {
  SERVER_ARGS,
  TEMPORAL_DYNAMIC_CONFIG,
  UI_ARGS,
  findClusterBinaries,
  tlsEnv,
  type ClusterBinaries,
  type ClusterTls,
} from './cluster-config.js';
import { clusterDatabase, databaseEnv, dropClusterDatabases, setupClusterSchema, type ClusterDatabase } from './cluster-database.js';
import { freeClusterPorts, portsEnv, type ClusterPorts } from './cluster-ports.js';
import { spawnLogged, stopManaged, supervise, type Managed } from './cluster-process.js';
import { ensureNamespace, ensureSearchAttributes } from './namespace-setup.js';

// The tests, the benchmarks and the other tools import the cluster's parts from here, as one module.
export { TEMPORAL_CONFIG_DIR, TEMPORAL_DYNAMIC_CONFIG, TEMPORAL_UI_CONFIG_DIR, findClusterBinaries } from './cluster-config.js';
export type { ClusterBinaries, ClusterTls } from './cluster-config.js';
export { clusterDatabase, setupClusterSchema, type ClusterDatabase } from './cluster-database.js';
export { freeClusterPorts, portsFrom, type ClusterPorts } from './cluster-ports.js';

export interface ClusterServerOptions {
  binaries: ClusterBinaries;
  database: ClusterDatabase;
  ports: ClusterPorts;
  namespace?: string;
  /** Serve the Web UI on this port (loopback). */
  uiPort?: number;
  tls?: ClusterTls;
  /** How this process connects to set up the namespace (TLS, API key) when the frontend is secured. */
  clientSecurity?: TemporalSecurity;
  /** The server's and the UI server's output are appended here (the server logs at LOG_LEVEL, default warn). */
  logDir: string;
  /** More template variables (NUM_HISTORY_SHARDS, SQL_MAX_CONNS, LOG_LEVEL, PROMETHEUS_ENDPOINT, ...). */
  env?: Record<string, string>;
  log?: (msg: string) => void;
}

export interface ClusterServer {
  address: string;
  uiUrl: string | undefined;
  serverPid(): number | undefined;
  /** Starts the server again (after `kill`); resolves when it serves the namespace. */
  start(): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

/** The frontend's port opens before it serves: retry the connection (and its first call) for a while. */
async function connectWhenReady(connectionOptions: ReturnType<typeof temporalConnectionOptions>, timeoutMs: number): Promise<Connection> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await Connection.connect({ ...connectionOptions, connectTimeout: 5_000 });
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/**
 * Migrates Temporal's databases, starts the server and (with `uiPort`) the Web UI server, registers the
 * namespace when missing and hookrelay's search attributes. Resolves once workflows can be started.
 */
export async function startClusterServer(options: ClusterServerOptions): Promise<ClusterServer> {
  const log = options.log ?? (() => {});
  const namespace = options.namespace ?? 'default';
  const { ports } = options;
  mkdirSync(options.logDir, { recursive: true });
  const serverLog = createWriteStream(path.join(options.logDir, 'temporal-server.log'), { flags: 'a' });
  const uiLog = createWriteStream(path.join(options.logDir, 'temporal-ui.log'), { flags: 'a' });

  log(
    `migrating Temporal's databases ${options.database.database} and ${options.database.visibilityDatabase} on ${options.database.host}:${options.database.port}`,
  );
  await setupClusterSchema(options.binaries, options.database);

  const serverEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...databaseEnv(options.database),
    ...portsEnv(ports),
    BIND_ON_IP: '127.0.0.1',
    DYNAMIC_CONFIG_FILE_PATH: TEMPORAL_DYNAMIC_CONFIG,
    ...(options.tls ? tlsEnv(options.tls) : {}),
    ...options.env,
  };
  const address = `127.0.0.1:${ports.frontend}`;
  const serverLogPath = path.join(options.logDir, 'temporal-server.log');
  const server = supervise(
    () => spawnLogged(options.binaries.server, SERVER_ARGS, serverEnv, serverLog),
    (exited, pause) =>
      log(
        `the Temporal server exited by itself (${exited.child.signalCode ?? exited.child.exitCode}); starting it again in ${pause / 1000} s (see ${serverLogPath})`,
      ),
  );
  /** Resolves once the frontend serves (the namespace answers), not merely when its port is open. */
  const startServer = async () => {
    const first = server.start();
    await Promise.race([
      waitForPort(ports.frontend, 60_000),
      first.exited.then(() => {
        throw new Error(`the Temporal server exited (${first.child.signalCode ?? first.child.exitCode}); see ${serverLogPath}`);
      }),
    ]);
  };
  const waitUntilServing = async () => {
    const connection = await connectWhenReady(temporalConnectionOptions(address, options.clientSecurity), 90_000);
    try {
      await ensureNamespace(connection, namespace, { timeoutMs: 90_000 });
    } finally {
      await connection.close();
    }
  };
  const killServer = (signal: NodeJS.Signals = 'SIGKILL') => server.stop(signal);

  let ui: Managed | undefined;
  const stop = async () => {
    await stopManaged(ui);
    await killServer('SIGTERM');
    serverLog.end();
    uiLog.end();
  };

  try {
    log(`starting the Temporal server on ${address} (log: ${path.join(options.logDir, 'temporal-server.log')})`);
    await startServer();
    const connection = await connectWhenReady(temporalConnectionOptions(address, options.clientSecurity), 90_000);
    try {
      const ns = await ensureNamespace(connection, namespace);
      const added = await ensureSearchAttributes(connection, namespace);
      log(`namespace ${namespace}: ${ns}; search attributes ${added.length ? `added: ${added.join(', ')}` : 'already registered'}`);
    } finally {
      await connection.close();
    }
    if (options.uiPort) {
      ui = spawnLogged(
        options.binaries.ui,
        UI_ARGS,
        {
          ...process.env,
          TEMPORAL_ADDRESS: address,
          TEMPORAL_UI_PORT: String(options.uiPort),
          TEMPORAL_DEFAULT_NAMESPACE: namespace,
        },
        uiLog,
      );
      await waitForPort(options.uiPort, 30_000);
    }
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    address,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined,
    serverPid: () => server.current()?.child.pid,
    async start() {
      // No failing fast here: if the server exits while starting, the supervision retries it.
      server.start();
      await waitUntilServing();
    },
    kill: killServer,
    stop,
  };
}

export interface ScratchClusterOptions {
  /** A PostgreSQL admin URL; the two databases are made on its server and dropped by `stop`. */
  postgresUrl: string;
  /** Database name prefix, unique per run (e.g. `temporal_test_<pid>`). */
  name: string;
  tls?: ClusterTls;
  clientSecurity?: TemporalSecurity;
  uiPort?: number;
  env?: Record<string, string>;
  log?: (msg: string) => void;
}

/** A throw-away server on free ports and databases of its own: for tests and benchmarks beside anything else. */
export async function startScratchCluster(options: ScratchClusterOptions): Promise<ClusterServer> {
  const binaries = await findClusterBinaries();
  const database = clusterDatabase(options.postgresUrl, options.name, `${options.name}_visibility`);
  const logDir = mkdtempSync(path.join(os.tmpdir(), `${options.name}-`));
  const server = await startClusterServer({
    binaries,
    database,
    ports: await freeClusterPorts(),
    logDir,
    ...(options.uiPort ? { uiPort: options.uiPort } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
    ...(options.clientSecurity ? { clientSecurity: options.clientSecurity } : {}),
    // Few connections: tests share the machine's PostgreSQL with other runs.
    env: { SQL_MAX_CONNS: '5', SQL_VIS_MAX_CONNS: '2', NUM_HISTORY_SHARDS: '4', ...options.env },
    ...(options.log ? { log: options.log } : {}),
  });
  return {
    ...server,
    async stop() {
      await server.stop();
      await dropClusterDatabases(options.postgresUrl, database);
      rmSync(logDir, { recursive: true, force: true });
    },
  };
}
