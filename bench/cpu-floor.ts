// Where the CPU goes for Temporal's floor (empty one-task workflows, 64 outstanding, plain then eager):
// the same accounting as bench:cpu, per workflow, so the two can be set side by side (docs/performance.md).
//
//   npm run bench:cpu-floor [-- 15]
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { startDevServer } from '../tools/temporal/dev-server.js';
import { freePort } from '../tools/ports.js';
import { closedLoopRate } from './lib/load.js';

const SECONDS = Number(process.argv[2] ?? 15);
const OUTSTANDING = 64;
const CLOCK_TICKS = 100;

const ticks = (file: string) => {
  const fields = readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
};
/** This process's CPU by thread: the main one, the workflow thread and V8's helpers ("node"), the SDK's Rust threads. */
const threads = (pid: number): Record<string, number> =>
  Object.fromEntries(
    readdirSync(`/proc/${pid}/task`).map((tid) => [
      tid === String(pid) ? 'main' : `${readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim()}#${tid}`,
      ticks(`/proc/${pid}/task/${tid}/stat`),
    ]),
  );
const sum = (record: Record<string, number>) => Object.values(record).reduce((a, b) => a + b, 0);

const dbFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'hookrelay-floor-')), 'temporal.db');
const server = await startDevServer({ port: await freePort(), uiPort: await freePort(), dbFile, headless: true });
const connection = await NativeConnection.connect({ address: server.address });
const taskQueue = 'floor-cpu';
const worker = await Worker.create({
  connection,
  taskQueue,
  workflowsPath: fileURLToPath(new URL('./floor/workflows.ts', import.meta.url)),
  maxConcurrentWorkflowTaskPolls: 40,
  nonStickyToStickyPollRatio: 0.75,
});
const running = worker.run();
const client = new Client({ connection });
await closedLoopRate(3, OUTSTANDING, (n) => client.workflow.execute('noop', { taskQueue, workflowId: `warm-${n}` }));
for (const eager of [false, true]) {
  const temporal0 = ticks(`/proc/${server.process.pid}/stat`);
  const own0 = threads(process.pid);
  const rate = await closedLoopRate(
    SECONDS,
    OUTSTANDING,
    eager
      ? async (n) => {
          await (await client.workflow.start('noop', { taskQueue, workflowId: `eager-${n}`, requestEagerStart: true })).result();
        }
      : (n) => client.workflow.execute('noop', { taskQueue, workflowId: `plain-${n}` }),
  );
  const temporal1 = ticks(`/proc/${server.process.pid}/stat`);
  const own1 = threads(process.pid);
  const perWorkflow = (t: number) => ((t * 1000) / CLOCK_TICKS / (rate * SECONDS)).toFixed(1);
  console.log(
    `${eager ? 'eager' : 'plain'}: ${rate.toFixed(1)} workflows/s; ms of CPU a workflow: Temporal ${perWorkflow(temporal1 - temporal0)}, client + worker ${perWorkflow(sum(own1) - sum(own0))}`,
  );
  for (const [name, t] of Object.entries(own1))
    if (t - (own0[name] ?? 0) >= 0.03 * CLOCK_TICKS * SECONDS) console.log(`  ${name.padEnd(24)} ${perWorkflow(t - (own0[name] ?? 0))}`);
}
worker.shutdown();
await running;
await connection.close();
await server.stop();
process.exit(0);
