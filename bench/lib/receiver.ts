import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../tools/ports.js';

export interface BenchReceiver {
  url: string;
  /** Every receipt so far, per webhook-id (an id received twice has two entries). */
  receipts: Map<string, number[]>;
  /** With `trackPaths`: every receipt so far, per request path (a fan-out's subscriptions differ by path). */
  receiptsByPath: Map<string, number[]>;
  count(prefix: string): number;
  waitFor(ids: Iterable<string>, timeoutMs: number): Promise<boolean>;
  down(): Promise<void>;
  up(): Promise<void>;
  /** Holds every answer `ms` (0: answers at once again); a receipt counts when it is answered. */
  slow(ms: number): void;
  pid(): number;
  stop(): void;
}

export async function startBenchReceiver(options: { trackPaths?: boolean } = {}): Promise<BenchReceiver> {
  const port = await freePort();
  const receipts = new Map<string, number[]>();
  const receiptsByPath = new Map<string, number[]>();
  const child: ChildProcess = fork(fileURLToPath(new URL('./receiver-process.ts', import.meta.url)), [], {
    env: { ...process.env, RECEIVER_PORT: String(port), RECEIVER_TRACK_PATHS: options.trackPaths ? '1' : '0' },
    execArgv: ['--import', 'tsx'],
  });
  const once = (type: string) =>
    new Promise<void>((resolve) => {
      const onMessage = (msg: { type: string }) => {
        if (msg.type === type) {
          child.off('message', onMessage);
          resolve();
        }
      };
      child.on('message', onMessage);
    });
  const add = (map: Map<string, number[]>, key: string, at: number) => {
    const list = map.get(key);
    if (list) list.push(at);
    else map.set(key, [at]);
  };
  child.on('message', (msg: { type: string; batch?: Array<[string, number, string?]> }) => {
    if (msg.type !== 'received') return;
    for (const [id, at, path] of msg.batch!) {
      add(receipts, id, at);
      if (path !== undefined) add(receiptsByPath, path, at);
    }
  });
  await once('up');
  return {
    url: `http://127.0.0.1:${port}`,
    receipts,
    receiptsByPath,
    count(prefix) {
      let n = 0;
      for (const id of receipts.keys()) if (id.startsWith(prefix)) n++;
      return n;
    },
    async waitFor(ids, timeoutMs) {
      const wanted = [...ids];
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (wanted.every((id) => receipts.has(id))) return true;
        await new Promise((r) => setTimeout(r, 100));
      }
      return wanted.every((id) => receipts.has(id));
    },
    slow(ms) {
      child.send({ cmd: 'slow', ms });
    },
    async down() {
      const done = once('down');
      child.send({ cmd: 'down' });
      await done;
    },
    async up() {
      const done = once('up');
      child.send({ cmd: 'up' });
      await done;
    },
    pid: () => child.pid!,
    stop: () => {
      child.kill();
    },
  };
}
