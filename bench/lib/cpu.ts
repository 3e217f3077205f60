// Where a phase's CPU went, from /proc (Linux only; elsewhere every figure is undefined): the machine's busy
// time, the stack's own processes, every PostgreSQL backend (the server may be shared), and the rest: what
// other work on the machine took meanwhile, which is what makes a figure from a shared machine noisy.
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

const CLOCK_TICKS = 100;

function ticksOf(statPath: string): number {
  const fields = readFileSync(statPath, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function processTicks(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    return ticksOf(`/proc/${pid}/stat`);
  } catch {
    return undefined;
  }
}

function postgresTicks(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') total += ticksOf(`/proc/${entry}/stat`);
    } catch {
      /* exited meanwhile */
    }
  }
  return total;
}

/** Busy and total ticks of the whole machine (every core), from /proc/stat's first line. */
function machineTicks(): { busy: number; total: number } {
  const values = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

/** Starts counting; the returned function reports CPU seconds since then (`pids` read at both ends). */
export function cpuWindow(pids: () => Record<string, number | undefined>) {
  try {
    const startPids = pids();
    const start = {
      machine: machineTicks(),
      postgres: postgresTicks(),
      procs: Object.fromEntries(Object.entries(startPids).map(([name, pid]) => [name, processTicks(pid)])),
      load: os.loadavg()[0]!,
    };
    return () => {
      try {
        const machine = machineTicks();
        const endPids = pids();
        const byProcess: Record<string, number> = {};
        for (const [name, pid] of Object.entries(endPids)) {
          const before = start.procs[name];
          const after = processTicks(pid);
          // A process restarted meanwhile counts from its start.
          if (after !== undefined) byProcess[name] = Math.round(((pid === startPids[name] ? after - (before ?? 0) : after) / CLOCK_TICKS) * 10) / 10;
        }
        const ours = Object.values(byProcess).reduce((a, b) => a + b, 0);
        const postgres = (postgresTicks() - start.postgres) / CLOCK_TICKS;
        const busy = (machine.busy - start.machine.busy) / CLOCK_TICKS;
        const capacity = (machine.total - start.machine.total) / CLOCK_TICKS;
        const r = (n: number) => Math.round(n * 10) / 10;
        return {
          machine_capacity_s: r(capacity),
          machine_busy_s: r(busy),
          stack_s: byProcess,
          postgresql_s: r(postgres),
          /** Busy time of neither the stack nor PostgreSQL: other work on the machine. */
          others_s: r(Math.max(0, busy - ours - postgres)),
          load_avg_1m: [r(start.load), r(os.loadavg()[0]!)],
        };
      } catch {
        return undefined;
      }
    };
  } catch {
    return () => undefined;
  }
}
