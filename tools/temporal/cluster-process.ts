// The Temporal server's and the Web UI server's processes: started with their output appended to a log,
// stopped with a grace period, killed when this process ends, and the server kept running the way a
// service manager would keep it.
import { spawn, type ChildProcess } from 'node:child_process';
import type { WriteStream } from 'node:fs';

export interface Managed {
  child: ChildProcess;
  exited: Promise<void>;
}

const running = new Set<ChildProcess>();
// Whatever way this process ends, the servers it started end with it.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function spawnLogged(bin: string, args: string[], env: NodeJS.ProcessEnv, log: WriteStream): Managed {
  // A process group of its own: Ctrl-C reaches hookrelay's processes first, and the server is stopped
  // after the workers have drained (they still need it to report the attempts in flight).
  const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  running.add(child);
  child.once('exit', () => running.delete(child));
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, exited };
}

export async function stopManaged(managed: Managed | undefined, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
  if (!managed || managed.child.exitCode !== null || managed.child.signalCode !== null) return;
  managed.child.kill(signal);
  const timer = setTimeout(() => managed.child.kill('SIGKILL'), graceMs);
  await managed.exited;
  clearTimeout(timer);
}

/** A process that is started again whenever it exits by itself, until it is stopped. */
export interface Supervised {
  /** The process spawned last, running or not. */
  current(): Managed | undefined;
  /** Spawns the process and keeps it running from now on; returns the process just spawned. */
  start(): Managed;
  /** Stops keeping it running, then stops it with `signal`. */
  stop(signal: NodeJS.Signals): Promise<void>;
}

/**
 * Supervises what `spawnOne` starts like a service manager would (compose's `restart: unless-stopped`): a
 * process that exits by itself, e.g. because PostgreSQL was down while it started, is started again with a
 * growing pause, after `onExit` is told of it.
 */
export function supervise(spawnOne: () => Managed, onExit: (exited: Managed, pauseMs: number) => void): Supervised {
  let wanted = false;
  let restarts = 0;
  let current: Managed | undefined;
  const spawnKept = (): Managed => {
    const managed = spawnOne();
    current = managed;
    void managed.exited.then(() => {
      if (!wanted || current !== managed) return;
      const pause = Math.min(10_000, 1_000 * 2 ** Math.min(restarts++, 4));
      onExit(managed, pause);
      setTimeout(() => {
        if (wanted && current === managed) spawnKept();
      }, pause).unref();
    });
    return managed;
  };
  return {
    current: () => current,
    start() {
      wanted = true;
      restarts = 0;
      return spawnKept();
    },
    async stop(signal) {
      wanted = false;
      await stopManaged(current, signal);
    },
  };
}
