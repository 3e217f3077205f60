import path from 'node:path';
import { mkdirSync } from 'node:fs';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export async function canConnect(url: string, timeoutMs = 2_000): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * PGlite (PostgreSQL compiled to WebAssembly) served on a TCP port by pglite-socket, so the API and
 * the worker connect to it like to any PostgreSQL. For `npm run dev` on a machine without one.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number): Promise<EmbeddedPostgres> {
  const dir = path.join(dataDir, 'pglite');
  mkdirSync(dir, { recursive: true });
  const db = await PGlite.create(dir);
  // PGlite runs one query at a time; the socket server queues queries from every connection.
  const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 200 });
  await server.start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

export interface DevDatabase {
  url: string;
  embedded?: EmbeddedPostgres;
}

/**
 * `npm run dev`'s database: DATABASE_URL when set; else the local PostgreSQL (database `hookrelay`)
 * when it answers; else an embedded PGlite with its data under `dataDir`.
 */
export async function resolveDevDatabase(options: {
  databaseUrl?: string;
  localPostgres: string;
  dataDir: string;
  pglitePort: number;
  say: (msg: string) => void;
}): Promise<DevDatabase> {
  if (options.databaseUrl) return { url: options.databaseUrl };
  if (await canConnect(options.localPostgres)) {
    const url = new URL(options.localPostgres);
    url.pathname = '/hookrelay';
    return { url: url.toString() };
  }
  options.say(`no PostgreSQL answers at ${options.localPostgres.replace(/\/\/[^@]*@/, '//')} and DATABASE_URL is unset:`);
  options.say(`starting an embedded PostgreSQL (PGlite) on 127.0.0.1:${options.pglitePort}, data in ${path.join(options.dataDir, 'pglite')}`);
  const embedded = await startEmbeddedPostgres(options.dataDir, options.pglitePort);
  return { url: embedded.url, embedded };
}
