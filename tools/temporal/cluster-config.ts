// What the Temporal server and the Web UI server run from: their binaries (found or built by
// scripts/temporal-server.sh), the config in deploy/temporal/ (the files docker-compose mounts), and the
// frontend's TLS as the server's config template reads it.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const TEMPORAL_CONFIG_DIR = path.join(PROJECT_ROOT, 'deploy/temporal/config');
export const TEMPORAL_DYNAMIC_CONFIG = path.join(PROJECT_ROOT, 'deploy/temporal/dynamicconfig/hookrelay.yaml');
export const TEMPORAL_UI_CONFIG_DIR = path.join(PROJECT_ROOT, 'deploy/temporal/ui');
const run = promisify(execFile);

// The template is rendered by the server itself; --root / makes the absolute config path work as is.
export const SERVER_ARGS = ['--root', '/', '--config', TEMPORAL_CONFIG_DIR, '--env', 'hookrelay', '--allow-no-auth', 'start'];
export const UI_ARGS = ['--root', '/', '--config', TEMPORAL_UI_CONFIG_DIR, '--env', 'hookrelay', 'start'];

export interface ClusterBinaries {
  server: string;
  sqlTool: string;
  ui: string;
}

/** Finds or builds the Temporal server, temporal-sql-tool and the Web UI server (scripts/temporal-server.sh). */
export async function findClusterBinaries(): Promise<ClusterBinaries> {
  const child = run('bash', [path.join(PROJECT_ROOT, 'scripts/temporal-server.sh'), 'all'], { maxBuffer: 1 << 20 });
  child.child.stderr?.pipe(process.stderr);
  const [server, sqlTool, ui] = (await child).stdout.trim().split('\n');
  if (!server || !sqlTool || !ui) throw new Error('scripts/temporal-server.sh did not print three paths');
  return { server, sqlTool, ui };
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

/** The server config template's TLS variables. */
export function tlsEnv(tls: ClusterTls): Record<string, string> {
  return {
    TEMPORAL_TLS_FRONTEND_CERT: tls.cert,
    TEMPORAL_TLS_FRONTEND_KEY: tls.key,
    ...(tls.clientCa ? { TEMPORAL_TLS_CLIENT_CA: tls.clientCa } : {}),
    TEMPORAL_TLS_SYSTEM_WORKER_CERT: tls.systemWorkerCert,
    TEMPORAL_TLS_SYSTEM_WORKER_KEY: tls.systemWorkerKey,
    TEMPORAL_TLS_FRONTEND_CA: tls.frontendCa,
    TEMPORAL_TLS_FRONTEND_SERVER_NAME: tls.serverName ?? 'localhost',
  };
}
