// `npm run dev`: the whole stack on one machine, stopped as one by Ctrl-C or SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config.js';
import { ensureDatabase, migrate } from '../../src/db/migrate.js';
import { startDevServer, type DevServer } from '../temporal/dev-server.js';
import { waitForPort } from '../ports.js';
import { stopOnce } from './stop-once.js';
import { resolveDevDatabase, type EmbeddedPostgres } from '../db/embedded-postgres.js';
import { devCredentials } from './dev-credentials.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dataDir = process.env.HOOKRELAY_DATA_DIR ?? path.join(root, '.data');
mkdirSync(dataDir, { recursive: true });
const say = (msg: string) => console.error(`[dev] ${msg}`);

const env: NodeJS.ProcessEnv = {
  ...process.env,
  ...devCredentials(dataDir),
  // Local receivers (localhost, LAN) are the point of a dev setup; production keeps the SSRF guard on.
  ALLOW_PRIVATE_TARGETS: process.env.ALLOW_PRIVATE_TARGETS ?? 'true',
};
const uiPort = Number(process.env.TEMPORAL_UI_PORT ?? 8233);
let temporal: DevServer | undefined;
let embedded: EmbeddedPostgres | undefined;
const children: ChildProcess[] = [];
let stopping = false;
const stopAll = stopOnce(async () => {
  stopping = true;
  await Promise.all(
    children
      .filter((c) => c.exitCode === null && c.signalCode === null)
      .map(
        (child) =>
          new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 35_000).unref();
          }),
      ),
  );
  await temporal?.stop();
  await embedded?.stop();
}, say);

function run(name: string, script: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/bin', script)], {
    cwd: root,
    env,
    stdio: 'inherit',
  });
  child.once('exit', (code, signal) => {
    if (!stopping) {
      say(`${name} exited (${signal ?? code}); stopping everything`);
      void stopAll(1);
    }
  });
  children.push(child);
  return child;
}

try {
  if (!process.env.TEMPORAL_ADDRESS) {
    say(`starting the Temporal dev server (state in ${path.join(dataDir, 'temporal.db')})`);
    temporal = await startDevServer({
      port: Number(process.env.TEMPORAL_PORT ?? 7233),
      uiPort,
      dbFile: path.join(dataDir, 'temporal.db'),
    });
    env.TEMPORAL_ADDRESS = temporal.address;
  }
  const database = await resolveDevDatabase({
    ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
    localPostgres: process.env.HOOKRELAY_LOCAL_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    dataDir,
    pglitePort: Number(process.env.PGLITE_PORT ?? 5433),
    say,
  });
  embedded = database.embedded;
  env.DATABASE_URL = database.url;
  if (embedded) {
    // PGlite's socket server does not pass NOTIFY between connections: the relay finds new events by sweeping often.
    env.RELAY_LISTEN ??= 'false';
    env.RELAY_SWEEP_INTERVAL ??= '100ms';
  }
  const config = loadConfig(env);
  say(`migrating ${config.databaseUrl.replace(/\/\/[^@]*@/, '//***@')}`);
  await ensureDatabase(config.databaseUrl);
  await migrate(config.databaseUrl);
  run('worker', 'worker.ts');
  run('api', 'api.ts');
  // The worker (whose relay starts accepted events' workflows) is ready once its metrics port answers.
  await Promise.all([waitForPort(config.port, 60_000), waitForPort(config.workerMetricsPort, 120_000)]);
  const api = `http://localhost:${config.port}`;
  console.log(`
hookrelay is running
  API          ${api}
  API docs     ${api}/docs
  Temporal UI  ${temporal ? `http://localhost:${uiPort}` : `(external Temporal at ${config.temporalAddress})`}
  Admin token  ${env.ADMIN_TOKEN}
Ctrl-C stops everything.
`);
} catch (error) {
  say(`failed to start: ${(error as Error).message}`);
  await stopAll(1);
}
