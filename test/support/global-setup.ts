// One Temporal dev server, one fresh database and one workflow bundle for the whole run.
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server.js';
import { startScratchCluster } from '../../src/temporal/cluster-server.js';
import { migrate } from '../../src/db/migrate.js';
import { WORKFLOWS_PATH } from '../../src/temporal/workflows-path.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    databaseUrl: string;
    workflowBundlePath: string;
  }
}

const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let server: Pick<DevServer, 'address' | 'stop'> | undefined;
let dbName: string | undefined;
let tmp: string | undefined;

export async function setup(project: TestProject) {
  dbName = `hookrelay_test_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  const databaseUrl = url.toString();

  const [devServer, bundle] = await Promise.all([
    // HOOKRELAY_ENGINE=cluster: the Temporal server on PostgreSQL (databases of its own) instead of the dev server.
    process.env.HOOKRELAY_ENGINE === 'cluster'
      ? startScratchCluster({ postgresUrl: ADMIN_URL, name: `temporal_${dbName}` })
      : startDevServer({ headless: true }),
    bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} } }),
    migrate(databaseUrl),
  ]);
  server = devServer;
  tmp = mkdtempSync(path.join(os.tmpdir(), 'hookrelay-test-'));
  const workflowBundlePath = path.join(tmp, 'workflow-bundle.js');
  writeFileSync(workflowBundlePath, bundle.code);

  project.provide('temporalAddress', server.address);
  project.provide('databaseUrl', databaseUrl);
  project.provide('workflowBundlePath', workflowBundlePath);
}

export async function teardown() {
  await server?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  if (dbName && !process.env.KEEP_TEST_DATABASE) {
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}
