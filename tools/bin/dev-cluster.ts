// `npm run dev:cluster`: the production topology on one machine, without Docker. The real Temporal server
// on the local PostgreSQL (schemas by temporal-sql-tool), the Temporal Web UI server, two workers and two
// API processes. Ctrl-C (or SIGTERM) stops all of it. Every port and database name can be moved by env
// (docs/operations.md, "The production engine on one machine"), so it runs beside `npm run dev` and the tests.
import { stopOnce } from './stop-once.js';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { portsFrom } from '../temporal/cluster-server.js';
import { startClusterStack, type ClusterStack } from '../temporal/cluster-stack.js';
import { loadConfig } from '../../src/config.js';
import { devCredentials } from './dev-credentials.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dataDir = process.env.HOOKRELAY_DATA_DIR ?? path.join(root, '.data');
mkdirSync(dataDir, { recursive: true });
const say = (msg: string) => console.error(`[dev:cluster] ${msg}`);
const int = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`${name} must be a port number or a count, got ${process.env[name]}`);
  return value;
};

const startedAt = Date.now();
const postgresUrl = process.env.HOOKRELAY_LOCAL_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const databaseUrl =
  process.env.DATABASE_URL ??
  (() => {
    const url = new URL(postgresUrl);
    url.pathname = `/${process.env.HOOKRELAY_DATABASE ?? 'hookrelay'}`;
    return url.toString();
  })();
const apiPort = int('PORT', 3000);
const workerMetricsPort = int('WORKER_METRICS_PORT', 9464);
const apiPorts = Array.from({ length: int('API_COUNT', 2) }, (_, i) => apiPort + i);
// Each worker takes two ports: its /metrics and the SDK core's metrics.
const workerPorts = Array.from({ length: int('WORKER_COUNT', 2) }, (_, i) => workerMetricsPort + 2 * i);
const temporalPort = int('TEMPORAL_PORT', 7233);
const uiPort = int('TEMPORAL_UI_PORT', 8233);

const env: NodeJS.ProcessEnv = {
  ...process.env,
  ...devCredentials(dataDir),
  // Local receivers are the point of a dev setup; production keeps the SSRF guard on.
  ALLOW_PRIVATE_TARGETS: process.env.ALLOW_PRIVATE_TARGETS ?? 'true',
  // Four hookrelay processes and Temporal share one PostgreSQL (max_connections 100 by default).
  DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE ?? '10',
};
// Fail on a bad setting (e.g. an unreadable TEMPORAL_TLS_CERT) before starting anything.
const config = loadConfig({ ...env, DATABASE_URL: databaseUrl });

let stack: ClusterStack | undefined;
let starting: Promise<ClusterStack> | undefined;
let stopping = false;
const stopAll = stopOnce(async () => {
  stopping = true;
  // Still starting: the start either completes (then it is stopped) or fails (and stops what it began).
  await (stack ?? (await starting?.catch(() => undefined)))?.stop();
}, say);

try {
  starting = startClusterStack({
    postgresUrl,
    databaseUrl,
    temporalDatabase: process.env.TEMPORAL_DB ?? 'temporal',
    temporalVisibilityDatabase: process.env.TEMPORAL_VISIBILITY_DB ?? 'temporal_visibility',
    ports: portsFrom(temporalPort),
    uiPort,
    apiPorts,
    workerMetricsPorts: workerPorts,
    env,
    logDir: path.join(dataDir, 'cluster'),
    log: say,
    onUnexpectedExit: (name, code) => {
      if (stopping) return;
      say(`${name} exited (${code}); stopping everything`);
      void stopAll(1);
    },
  });
  stack = await starting;
  if (stopping) await new Promise(() => {});
  console.log(`
hookrelay is running on the production engine (started in ${((Date.now() - startedAt) / 1000).toFixed(1)} s)
${apiPorts.map((port, i) => `  API ${i + 1}        http://localhost:${port}   (docs: /docs)`).join('\n')}
  Temporal     ${stack.temporal.address} (namespace ${config.temporalNamespace}; server on PostgreSQL ${new URL(postgresUrl).host})
  Temporal UI  ${stack.temporal.uiUrl}
  Workers      ${workerPorts.length} (metrics: ${workerPorts.map((p) => `http://localhost:${p}/metrics`).join(', ')})
  Logs         ${path.join(dataDir, 'cluster')}/temporal-*.log; hookrelay's processes here
  Admin token  ${env.ADMIN_TOKEN}
Ctrl-C stops everything.
`);
} catch (error) {
  say(`failed to start: ${(error as Error).message}`);
  await stopAll(1);
}
