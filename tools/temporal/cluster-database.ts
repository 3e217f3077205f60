// Where the Temporal server keeps its state: two databases on a PostgreSQL server, named to the server's
// config template the way docker-compose names them, created and migrated by scripts/temporal-schema.sh.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { PROJECT_ROOT, type ClusterBinaries } from './cluster-config.js';

const run = promisify(execFile);

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
export function databaseEnv(db: ClusterDatabase): Record<string, string> {
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
  await run('bash', [path.join(PROJECT_ROOT, 'scripts/temporal-schema.sh')], {
    env: { ...process.env, ...databaseEnv(db), TEMPORAL_SQL_TOOL: binaries.sqlTool, TEMPORAL_WAIT_SECONDS: '30' },
    maxBuffer: 1 << 22,
  });
}

/** Drops the two databases, even while something is still connected to them; `postgresUrl` is an admin URL on their server. */
export async function dropClusterDatabases(postgresUrl: string, db: ClusterDatabase): Promise<void> {
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  try {
    for (const name of [db.database, db.visibilityDatabase]) {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}
