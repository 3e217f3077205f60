// The production engine on one machine: the real Temporal server (not the dev server) on PostgreSQL,
// configured from deploy/temporal/config (the file docker-compose mounts), and the Temporal Web UI server.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import pg from 'pg';
import net from 'node:net';
import { waitForPort } from '../ports.js';
import { temporalConnectionOptions, type TemporalSecurity } from '../../src/temporal/connection-options.js';
import { ensureNamespace, ensureSearchAttributes } from './namespace-setup.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const TEMPORAL_CONFIG_DIR = path.join(root, 'deploy/temporal/config');
export const TEMPORAL_DYNAMIC_CONFIG = path.join(root, 'deploy/temporal/dynamicconfig/hookrelay.yaml');
export const TEMPORAL_UI_CONFIG_DIR = path.join(root, 'deploy/temporal/ui');
const run = promisify(execFile);

export interface ClusterBinaries {
  server: string;
  sqlTool: string;
  ui: string;
}

/** Finds or builds the Temporal server, temporal-sql-tool and the Web UI server (scripts/temporal-server.sh). */
export async function findClusterBinaries(): Promise<ClusterBinaries> {
  const child = run('bash', [path.join(root, 'scripts/temporal-server.sh'), 'all'], { maxBuffer: 1 << 20 });
  child.child.stderr?.pipe(process.stderr);
  const [server, sqlTool, ui] = (await child).stdout.trim().split('\n');
  if (!server || !sqlTool || !ui) throw new Error('scripts/temporal-server.sh did not print three paths');
  return { server, sqlTool, ui };
}

/** Where Temporal keeps its state: a PostgreSQL server and two database names on it. */
export interface ClusterDatabase {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  visibilityDatabase: string;
}

/** The database settings from a PostgreSQL URL (any database in it is ignored) and the two names. */
export function clusterDatabase(postgresUrl: string, database = 'temporal', visibilityDatabase = 'temporal_visibility'): ClusterDatabase {
  const url = new URL(postgresUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username || 'postgres'),
    password: decodeURIComponent(url.password),
    database,
    visibilityDatabase,
  };
}

/** The server config template's database variables (the same names docker-compose sets). */
function databaseEnv(db: ClusterDatabase): Record<string, string> {
  return {
    POSTGRES_SEEDS: db.host,
    DB_PORT: String(db.port),
    POSTGRES_USER: db.user,
    POSTGRES_PWD: db.password,
    DBNAME: db.database,
    VISIBILITY_DBNAME: db.visibilityDatabase,
  };
}

/** Creates the two databases when missing and migrates their schemas (scripts/temporal-schema.sh). */
export async function setupClusterSchema(binaries: Pick<ClusterBinaries, 'sqlTool'>, db: ClusterDatabase): Promise<void> {
  await run('bash', [path.join(root, 'scripts/temporal-schema.sh')], {
    env: { ...process.env, ...databaseEnv(db), TEMPORAL_SQL_TOOL: binaries.sqlTool, TEMPORAL_WAIT_SECONDS: '30' },
    maxBuffer: 1 << 22,
  });
}

/** Every port the server listens on; each service has a gRPC and a membership port. */
export interface ClusterPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
}

/** Temporal's default layout (7233, 7243, 6933, 7234, ...) moved to start at `frontend`. */
export function portsFrom(frontend: number): ClusterPorts {
  return {
    frontend,
    frontendHttp: frontend + 10,
    frontendMembership: frontend - 300,
    history: frontend + 1,
    historyMembership: frontend - 299,
    matching: frontend + 2,
    matchingMembership: frontend - 298,
    worker: frontend + 6,
    workerMembership: frontend - 294,
  };
}

/** A port nobody listens on, below the ephemeral range: Temporal stores membership ports as SMALLINT. */
async function freeLowPort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
}

/** Nine ports nobody listens on, for a server beside others (tests). */
export async function freeClusterPorts(): Promise<ClusterPorts> {
  const keys: Array<keyof ClusterPorts> = [
    'frontend',
    'frontendHttp',
    'frontendMembership',
    'history',
    'historyMembership',
    'matching',
    'matchingMembership',
    'worker',
    'workerMembership',
  ];
  const ports = {} as ClusterPorts;
  const taken = new Set<number>();
  for (const key of keys) ports[key] = await freeLowPort(taken);
  return ports;
}

/** The frontend's TLS (server side); with `clientCa`, mutual TLS. */
export interface ClusterTls {
  cert: string;
  key: string;
  /** CA that client certificates must chain to: set means mTLS. */
  clientCa?: string;
  /** The server's own system worker is a frontend client too: its certificate and the CA of the frontend's. */
  systemWorkerCert: string;
  systemWorkerKey: string;
  frontendCa: string;
  serverName?: string;
}

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

interface Managed {
  child: ChildProcess;
  exited: Promise<void>;
}

const running = new Set<ChildProcess>();
// Whatever way this process ends, the servers it started end with it.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function spawnLogged(bin: string, args: string[], env: NodeJS.ProcessEnv, log: WriteStream): Managed {
  // A process group of its own: Ctrl-C reaches hookrelay's processes first, and the server is stopped
  // after the workers have drained (they still need it to report the attempts in flight).
  const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  running.add(child);
  child.once('exit', () => running.delete(child));
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, exited };
}

async function stopManaged(managed: Managed | undefined, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
  if (!managed || managed.child.exitCode !== null || managed.child.signalCode !== null) return;
  managed.child.kill(signal);
  const timer = setTimeout(() => managed.child.kill('SIGKILL'), graceMs);
  await managed.exited;
  clearTimeout(timer);
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

  const tls = options.tls;
  const serverEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...databaseEnv(options.database),
    FRONTEND_GRPC_PORT: String(ports.frontend),
    FRONTEND_HTTP_PORT: String(ports.frontendHttp),
    FRONTEND_MEMBERSHIP_PORT: String(ports.frontendMembership),
    HISTORY_GRPC_PORT: String(ports.history),
    HISTORY_MEMBERSHIP_PORT: String(ports.historyMembership),
    MATCHING_GRPC_PORT: String(ports.matching),
    MATCHING_MEMBERSHIP_PORT: String(ports.matchingMembership),
    WORKER_GRPC_PORT: String(ports.worker),
    WORKER_MEMBERSHIP_PORT: String(ports.workerMembership),
    BIND_ON_IP: '127.0.0.1',
    DYNAMIC_CONFIG_FILE_PATH: TEMPORAL_DYNAMIC_CONFIG,
    ...(tls
      ? {
          TEMPORAL_TLS_FRONTEND_CERT: tls.cert,
          TEMPORAL_TLS_FRONTEND_KEY: tls.key,
          ...(tls.clientCa ? { TEMPORAL_TLS_CLIENT_CA: tls.clientCa } : {}),
          TEMPORAL_TLS_SYSTEM_WORKER_CERT: tls.systemWorkerCert,
          TEMPORAL_TLS_SYSTEM_WORKER_KEY: tls.systemWorkerKey,
          TEMPORAL_TLS_FRONTEND_CA: tls.frontendCa,
          TEMPORAL_TLS_FRONTEND_SERVER_NAME: tls.serverName ?? 'localhost',
        }
      : {}),
    ...options.env,
  };
  // The template is rendered by the server itself; --root / makes the absolute config path work as is.
  const serverArgs = ['--root', '/', '--config', TEMPORAL_CONFIG_DIR, '--env', 'hookrelay', '--allow-no-auth', 'start'];
  let server: Managed | undefined;
  const address = `127.0.0.1:${ports.frontend}`;

  // Supervised like a service manager would (compose's `restart: unless-stopped`): a server that exits
  // by itself, e.g. because PostgreSQL was down while it started, is started again with a growing pause.
  let wanted = false;
  let restarts = 0;
  const serverLogPath = path.join(options.logDir, 'temporal-server.log');
  const spawnServer = () => {
    const current = spawnLogged(options.binaries.server, serverArgs, serverEnv, serverLog);
    server = current;
    void current.exited.then(() => {
      if (!wanted || server !== current) return;
      const pause = Math.min(10_000, 1_000 * 2 ** Math.min(restarts++, 4));
      log(
        `the Temporal server exited by itself (${current.child.signalCode ?? current.child.exitCode}); starting it again in ${pause / 1000} s (see ${serverLogPath})`,
      );
      setTimeout(() => {
        if (wanted && server === current) spawnServer();
      }, pause).unref();
    });
    return current;
  };
  /** Resolves once the frontend serves (the namespace answers), not merely when its port is open. */
  const startServer = async () => {
    wanted = true;
    restarts = 0;
    const first = spawnServer();
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
  const killServer = async (signal: NodeJS.Signals = 'SIGKILL') => {
    wanted = false;
    await stopManaged(server, signal);
  };

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
        ['--root', '/', '--config', TEMPORAL_UI_CONFIG_DIR, '--env', 'hookrelay', 'start'],
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
    serverPid: () => server?.child.pid,
    async start() {
      // No failing fast here: if the server exits while starting, the supervision above retries it.
      wanted = true;
      restarts = 0;
      spawnServer();
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
      const admin = new pg.Client({ connectionString: options.postgresUrl });
      await admin.connect();
      try {
        for (const name of [database.database, database.visibilityDatabase]) {
          await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        }
      } finally {
        await admin.end();
      }
      rmSync(logDir, { recursive: true, force: true });
    },
  };
}
