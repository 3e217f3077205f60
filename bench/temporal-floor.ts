// Temporal's own ceiling on this machine, without hookrelay: how many workflows per second the dev
// server (SQLite, same flags as the bench) can (a) accept, with no worker polling, and (b) run to
// completion when each is a single empty workflow task, 64 outstanding. hookrelay's ingest and
// end-to-end figures cannot exceed these.
//
//   npm run bench:floor [-- 15]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { startDevServer } from '../tools/temporal/dev-server.js';
import { freePort } from '../tools/ports.js';
import { closedLoopRate } from './lib/load.js';

const DURATION_S = Number(process.argv[2] ?? 15);
const CONCURRENCY = 64;
const run = Date.now().toString(36);

/** `CONCURRENCY` calls of `op` in flight for DURATION_S seconds; completions per second. */
const closedLoop = (op: (n: number) => Promise<unknown>) => closedLoopRate(DURATION_S, CONCURRENCY, op);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'hookrelay-floor-'));
const port = await freePort();
const server = await startDevServer({ port, dbFile: path.join(tmp, 'temporal.db'), headless: true });
const connection = await Connection.connect({ address: server.address });
const client = new Client({ connection });
try {
  const accepted = await closedLoop((n) => client.workflow.start('noop', { taskQueue: `floor-idle-${run}`, workflowId: `start-${run}-${n}` }));
  console.log(`starts accepted, no worker:         ${accepted.toFixed(0)} workflows/s`);

  const workerConnection = await NativeConnection.connect({ address: server.address });
  const worker = await Worker.create({
    connection: workerConnection,
    taskQueue: `floor-${run}`,
    workflowsPath: fileURLToPath(new URL('./floor/workflows.ts', import.meta.url)),
    maxConcurrentWorkflowTaskPolls: 40,
    nonStickyToStickyPollRatio: 0.75,
  });
  const running = worker.run();
  const completed = await closedLoop((n) => client.workflow.execute('noop', { taskQueue: `floor-${run}`, workflowId: `run-${run}-${n}` }));
  console.log(`empty workflows run to completion:  ${completed.toFixed(0)} workflows/s`);

  // Eager start: the server hands the first workflow task back in the start call's answer, to a
  // worker sharing the starter's connection. In hookrelay the API and the worker are separate
  // processes, so this measures what co-locating them would buy.
  const sharing = new Client({ connection: workerConnection });
  let eager = 0;
  const eagerRate = await closedLoop(async (n) => {
    const handle = await sharing.workflow.start('noop', { taskQueue: `floor-${run}`, workflowId: `eager-${run}-${n}`, requestEagerStart: true });
    if (handle.eagerlyStarted) eager++;
    await handle.result();
  });
  console.log(`the same with eager start:          ${eagerRate.toFixed(0)} workflows/s (${eager} started eagerly)`);
  worker.shutdown();
  await running;
  await workerConnection.close();
} finally {
  await connection.close();
  await server.stop();
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(0);
