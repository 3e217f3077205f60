// One Temporal dev server, one migrated database (each stack copies it) and one workflow bundle for the whole run.
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { startDevServer, type DevServer } from '../../tools/temporal/dev-server.js';
import { createScratchDatabase, DEFAULT_ADMIN_URL, type ScratchDatabase } from '../../tools/db/scratch-database.js';
import { startScratchCluster } from '../../tools/temporal/cluster-server.js';
import { WORKFLOWS_PATH } from '../../src/temporal/workflows-path.js';
import { newEncryptionKeyEntry } from '../../src/secrets/encryption-keys.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    databaseUrl: string;
    workflowBundlePath: string;
    /** Admin URL of the test PostgreSQL: each stack makes its own database from `databaseUrl`'s (migrated) one as a template. */
    databaseAdminUrl: string;
    /**
     * HOOKRELAY_ENCRYPTION_KEYS of the whole run, as one migrated database is: a process started on that
     * database (rather than a stack's copy) seals with it, and a copy made after still opens what it sealed.
     */
    encryptionKeys: string;
  }
}

const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? DEFAULT_ADMIN_URL;
let server: Pick<DevServer, 'address' | 'stop'> | undefined;
let database: ScratchDatabase | undefined;
let tmp: string | undefined;

export async function setup(project: TestProject) {
  const [devServer, bundle] = await Promise.all([
    // HOOKRELAY_ENGINE=cluster: the Temporal server on PostgreSQL (databases of its own) instead of the dev server.
    process.env.HOOKRELAY_ENGINE === 'cluster'
      ? startScratchCluster({ postgresUrl: ADMIN_URL, name: `temporal_test_${process.pid}_${Date.now()}` })
      : startDevServer({ headless: true }),
    bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} } }),
    createScratchDatabase(ADMIN_URL, 'hookrelay_test').then((db) => {
      database = db;
    }),
  ]);
  server = devServer;
  tmp = mkdtempSync(path.join(os.tmpdir(), 'hookrelay-test-'));
  const workflowBundlePath = path.join(tmp, 'workflow-bundle.js');
  writeFileSync(workflowBundlePath, bundle.code);

  project.provide('temporalAddress', server.address);
  project.provide('databaseUrl', database!.url);
  project.provide('workflowBundlePath', workflowBundlePath);
  project.provide('databaseAdminUrl', ADMIN_URL);
  project.provide('encryptionKeys', newEncryptionKeyEntry('test'));
}

export async function teardown() {
  await server?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  if (!process.env.KEEP_TEST_DATABASE) await database?.drop();
}
