// A throw-away database for the tests, the benchmark and the UI check: created empty on a PostgreSQL
// server, migrated, and dropped with everything in it.
import pg from 'pg';
import { migrate } from '../../src/db/migrate.js';

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

/**
 * A copy of a migrated scratch database, made with CREATE DATABASE … TEMPLATE (much faster than
 * migrating). PostgreSQL refuses the copy while another session uses the template, so two copies made
 * at the same moment retry.
 */
export async function copyScratchDatabase(adminUrl: string, template: string, prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  for (let attempt = 0; ; attempt++) {
    try {
      await asAdmin(adminUrl, `CREATE DATABASE ${name} TEMPLATE ${template}`);
      break;
    } catch (error) {
      if (attempt > 100 || (error as { code?: string }).code !== '55006') throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
    }
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => asAdmin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
