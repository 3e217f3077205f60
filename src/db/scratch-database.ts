// A throw-away database for the tests, the benchmark and the UI check: created empty on a PostgreSQL
// server, migrated, and dropped with everything in it.
import pg from 'pg';
import { migrate } from './migrate.js';

export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ScratchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function asAdmin(adminUrl: string, sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** `adminUrl` names a server and a database to connect to for CREATE/DROP DATABASE (e.g. `postgres`). */
export async function createScratchDatabase(adminUrl: string, prefix: string): Promise<ScratchDatabase> {
  // Unique per process and moment; only [a-z0-9_], so it needs no quoting.
  const name = `${prefix}_${process.pid}_${Date.now()}`;
  await asAdmin(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await migrate(url.toString());
  return { name, url: url.toString(), drop: () => asAdmin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
