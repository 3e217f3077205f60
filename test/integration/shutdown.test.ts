import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, expect, it, inject } from 'vitest';
import { freePort } from '../../tools/ports.js';
import { createWorker } from '../../src/worker.js';
import { useStack } from '../support/use-stack.js';
import { eventually } from '../support/eventually.js';
import { formatEncryptionKeys } from '../../src/secrets/encryption-keys.js';
import { newCursorKeyEntry } from '../../src/cursor-keys.js';

const stack = useStack({ noWorker: true });
const { receiver } = stack;

/** One of hookrelay's entry points as its own process (as production runs it), its output collected, its exit awaited. */
function startEntry(script: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: {
      ...process.env,
      DATABASE_URL: stack.config.databaseUrl,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      HOOKRELAY_ENCRYPTION_KEYS: formatEncryptionKeys(stack.config.encryptionKeys!),
      HOOKRELAY_CURSOR_KEYS: newCursorKeyEntry('shutdown'),
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { text: '' };
  child.stdout.on('data', (c: Buffer) => {
    out.text += c;
  });
  child.stderr.on('data', (c: Buffer) => {
    out.text += c;
  });
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.once('exit', (code) => resolve({ code, at: Date.now() })));
  return { child, out, exited };
}

/** Statements of this stack's database waiting for a lock on the events table (the accepts the test's lock holds). */
async function acceptsWaitingOnLock(): Promise<number> {
  const { rows } = await stack.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
     WHERE c.relname = 'events' AND NOT l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  return rows[0]!.n;
}

/** Whether something accepts TCP connections on the port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('graceful shutdown', () => {
  it('SIGTERM during a delivery: the attempt in flight finishes, and the delivery happens exactly once', async () => {
    const {
      child: worker,
      out,
      exited,
    } = startEntry('src/bin/worker.ts', {
      TEMPORAL_TASK_QUEUE: stack.config.taskQueue,
      WORKER_METRICS_PORT: String(await freePort()),
      WORKER_CORE_METRICS_PORT: String(await freePort()),
      ALLOW_PRIVATE_TARGETS: 'true',
    });
    try {
      let answeredAt = 0;
      receiver.on(
        '/slow',
        () =>
          new Promise((resolve) =>
            setTimeout(() => {
              answeredAt = Date.now();
              resolve({ status: 204 });
            }, 3_000),
          ),
      );
      const t = await stack.api.createTenant(stack.adminToken);
      await stack.api.subscribe(t.api_key, { url: `${receiver.url}/slow`, retry_policy: { initial_interval: '1s', maximum_attempts: 5 } });
      expect(
        (await stack.api.postEvent(stack.adminToken, { id: 'sigterm-1', tenant_id: t.id, environment: 'production', type: 'a.b', payload: {} }))
          .status,
      ).toBe(202);

      await receiver.waitFor('/slow', 1, 150_000); // the worker process bundles its workflows first: slow on a loaded machine
      worker.kill('SIGTERM');
      const { code, at } = await exited;
      expect(code, out.text).toBe(0);
      // It waited for the receiver's answer before exiting.
      expect(answeredAt).toBeGreaterThan(0);
      expect(at).toBeGreaterThanOrEqual(answeredAt);

      // A fresh worker finishes the workflow; nothing is sent again.
      const next = await createWorker(stack.config, stack.pool, { workflowBundle: { codePath: inject('workflowBundlePath') } });
      try {
        const result = await stack.settle(t.id, 'sigterm-1');
        expect(result.deliveries).toMatchObject([{ status: 'succeeded', attempts: 1 }]);
      } finally {
        await next.shutdown();
      }
      expect(receiver.forPath('/slow')).toHaveLength(1);
      const { rows } = await stack.pool.query(
        `SELECT count(*)::int AS n FROM attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.event_id = 'sigterm-1'`,
      );
      expect(rows[0].n).toBe(1);
      expect(out.text).toContain('SIGTERM received');
    } finally {
      if (worker.exitCode === null) worker.kill('SIGKILL');
    }
  }, 180_000);

  it('SIGTERM with accepts in flight whose clients hung up: they commit before the API releases the database', async () => {
    const port = await freePort();
    const {
      child: api,
      out,
      exited,
    } = startEntry('src/bin/api.ts', {
      ADMIN_TOKEN: stack.adminToken,
      PORT: String(port),
      HOST: '127.0.0.1',
    });
    const lock = await stack.pool.connect();
    try {
      const t = await stack.api.createTenant(stack.adminToken);
      await eventually(() => out.text.includes('API listening') || api.exitCode !== null, { what: 'the API to listen', timeoutMs: 30_000 });
      expect(api.exitCode, out.text).toBeNull();
      // Inserts wait on this lock: two accept statements in flight, the third post queued behind them.
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE events IN EXCLUSIVE MODE');
      const ids = ['hung-1', 'hung-2', 'hung-3'];
      // Each client sends its post and resets its connection (as a load generator that stops does):
      // the server forgets the connection at once, the handler goes on.
      const sockets = await Promise.all(
        ids.map(async (id) => {
          const body = JSON.stringify({ id, tenant_id: t.id, environment: 'production', type: 'a.b', payload: {} });
          const socket = connect(port, '127.0.0.1');
          await once(socket, 'connect');
          socket.write(
            `POST /v1/events HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${stack.adminToken}\r\n` +
              `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
          );
          return socket;
        }),
      );
      // The two accept statements the API runs at once are in PostgreSQL, waiting on the lock.
      await eventually(async () => (await acceptsWaitingOnLock()) >= 2, { what: 'two accept statements waiting on the lock' });
      // The third post waits in the API's accept queue, which shows nowhere outside the process: a moment to get there.
      await new Promise((r) => setTimeout(r, 300));
      for (const socket of sockets) socket.resetAndDestroy(); // every client gave up
      api.kill('SIGTERM');
      // Shutting down: the API has stopped listening and is waiting for the handlers of the hung-up posts; one
      // that released the database without waiting would do it now, before the lock is gone.
      await eventually(async () => out.text.includes('SIGTERM received') && !(await accepts(port)), { what: 'the API to stop listening' });
      expect(api.exitCode, out.text).toBeNull();
      await lock.query('COMMIT');
      expect((await exited).code, out.text).toBe(0);
      expect(out.text).not.toContain('unhandled error');
      const { rows } = await stack.pool.query<{ id: string }>('SELECT id FROM events WHERE tenant_id = $1 ORDER BY id', [t.id]);
      expect(rows.map((r) => r.id)).toEqual(ids);
    } finally {
      await lock.query('ROLLBACK').catch(() => {});
      lock.release();
      if (api.exitCode === null) api.kill('SIGKILL');
    }
  }, 60_000);
});
