// Where the CPU goes at saturation: runs the end-to-end load (64 events outstanding, one
// subscription each) for DURATION_S seconds and prints the CPU seconds each process used, from
// /proc/<pid>/stat (Linux only). On a 2-core machine, 2 × DURATION_S CPU seconds are available.
//
//   npm run bench:cpu [-- 20]
import { readdirSync, readFileSync } from 'node:fs';
import { apiClient } from './lib/api.js';
import { sustainedLoad } from './lib/load.js';
import { startBenchReceiver } from './lib/receiver.js';
import { startBenchStack } from './lib/stack.js';

const DURATION_S = Number(process.argv[2] ?? 20);
const OUTSTANDING = 64;
const CLOCK_TICKS = 100;

/** utime + stime of a process, in clock ticks. */
function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

const receiver = await startBenchReceiver();
const stack = await startBenchStack({ log: (line) => console.error(line) });
const api = apiClient(stack.apiUrl);
const tenant = await api.tenant(stack.adminToken, 'cpu-split');
await api.subscribe(tenant.api_key, { url: `${receiver.url}/e2e` });

const pids: Record<string, number> = {
  worker: stack.worker()!.pid!,
  api: stack.api()!.pid!,
  temporal: stack.temporalPid()!,
  receiver: receiver.pid(),
  'load generator': process.pid,
};
/** Every PostgreSQL backend (the server is shared with the machine, so its idle work counts too). */
function postgresTicks(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') total += cpuTicks(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return total;
}
const sample = (): Record<string, number> => ({
  ...Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuTicks(pid)])),
  postgresql: postgresTicks(),
});

/** The worker's CPU by thread name (main "node", the workflow thread, V8's GC helpers, the SDK's Rust threads). */
function threadTicks(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const key = Number(tid) === pid ? 'main' : `${comm}#${tid}`;
      out[key] = (out[key] ?? 0) + cpuTicks2(`/proc/${pid}/task/${tid}/stat`);
    } catch {
      /* gone */
    }
  }
  return out;
}
function cpuTicks2(file: string): number {
  const fields = readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}
const threadsBefore = threadTicks(pids.worker!);
const before = sample();
const { elapsedS } = await sustainedLoad(api, stack.adminToken, tenant.id, receiver, {
  prefix: 'e-',
  seconds: DURATION_S,
  type: 'x.y',
  window: OUTSTANDING,
});
const after = sample();

console.log(`delivered: ${(receiver.count('e-') / elapsedS).toFixed(1)} events/s over ${elapsedS.toFixed(0)} s`);
console.log(`CPU seconds used (of ${2 * DURATION_S} available on 2 cores):`);
const events = receiver.count('e-');
let total = 0;
for (const name of [...Object.keys(pids), 'postgresql']) {
  const used = (after[name]! - before[name]!) / CLOCK_TICKS;
  total += used;
  console.log(`  ${name.padEnd(15)} ${used.toFixed(1)}  (${((used * 1000) / events).toFixed(1)} ms an event)`);
}
console.log(`  ${'all'.padEnd(15)} ${total.toFixed(1)}  (${((total * 1000) / events).toFixed(1)} ms an event)`);
const threadsAfter = threadTicks(pids.worker!);
console.log('worker by thread:');
for (const [name, ticks] of Object.entries(threadsAfter).sort((a, b) => b[1] - a[1])) {
  const used = (ticks - (threadsBefore[name] ?? 0)) / CLOCK_TICKS;
  if (used >= 0.05) console.log(`  ${name.padEnd(15)} ${used.toFixed(1)}`);
}
receiver.stop();
await stack.stop();
await api.close();
process.exit(0);
