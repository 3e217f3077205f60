import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, inject } from 'vitest';
import { freePort, waitForPort } from '../../tools/ports.js';
import { resolveDevDatabase } from '../../tools/db/embedded-postgres.js';
import { promtool, promtoolProblems } from '../support/promtool.js';
import { ApiClient } from '../support/stack.js';
import { useReceiver } from '../support/use-stack.js';

const receiver = useReceiver();

async function closed(port: number): Promise<boolean> {
  return waitForPort(port, 300).then(
    () => false,
    () => true,
  );
}

describe('npm run dev', () => {
  it('on a bare machine: its own Temporal, an embedded PostgreSQL, the worker and the API; SIGTERM stops all of it', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hookrelay-dev-'));
    const ports = {
      api: await freePort(),
      temporal: await freePort(),
      ui: await freePort(),
      pglite: await freePort(),
      m1: await freePort(),
      m2: await freePort(),
    };
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOOKRELAY_DATA_DIR: dataDir,
      HOOKRELAY_LOCAL_POSTGRES: `postgres://postgres@127.0.0.1:${await freePort()}/postgres`,
      PGLITE_PORT: String(ports.pglite),
      PORT: String(ports.api),
      TEMPORAL_PORT: String(ports.temporal),
      TEMPORAL_UI_PORT: String(ports.ui),
      WORKER_METRICS_PORT: String(ports.m1),
      WORKER_CORE_METRICS_PORT: String(ports.m2),
      LOG_LEVEL: 'warn',
    };
    delete env.DATABASE_URL;
    delete env.TEMPORAL_ADDRESS;
    delete env.ADMIN_TOKEN;
    delete env.HOOKRELAY_ENCRYPTION_KEYS;
    const dev = spawn(process.execPath, ['--import', 'tsx', 'tools/bin/dev.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const running = new Promise<void>((resolve) => {
      const onData = (chunk: Buffer) => {
        output += chunk;
        if (output.includes('hookrelay is running')) resolve();
      };
      dev.stdout.on('data', onData);
      dev.stderr.on('data', onData);
    });
    const exited = new Promise<number | null>((resolve) => dev.once('exit', (code) => resolve(code)));
    try {
      await Promise.race([
        running,
        exited.then((code) => {
          throw new Error(`dev exited ${code}: ${output}`);
        }),
      ]);
      expect(output).toContain('embedded PostgreSQL (PGlite)');
      expect(output).toContain(`http://localhost:${ports.ui}`);
      const adminToken = readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
      expect(output).toContain(adminToken);

      const api = new ApiClient(`http://127.0.0.1:${ports.api}`);
      const t = await api.createTenant(adminToken);
      await api.subscribe(t.api_key, { url: `${receiver.url}/dev-hook` });
      expect(
        (await api.postEvent(adminToken, { id: 'dev-1', tenant_id: t.id, environment: 'production', type: 'user.created', payload: { hi: 1 } }))
          .status,
      ).toBe(202);
      const [got] = await receiver.waitFor('/dev-hook', 1, 30_000);
      expect(JSON.parse(got!.body)).toEqual({ hi: 1 });
      if (promtool) {
        // The processes as they run, process metrics and the SDK core's included: what a Prometheus scrapes.
        for (const url of [`http://127.0.0.1:${ports.api}/metrics`, `http://127.0.0.1:${ports.m1}/metrics`]) {
          expect(promtoolProblems(await (await fetch(url)).text()), url).toBe('');
        }
      }

      dev.kill('SIGTERM');
      expect(await exited).toBe(0);
      for (const port of [ports.api, ports.temporal, ports.ui, ports.pglite, ports.m1]) expect(await closed(port), `port ${port}`).toBe(true);
    } finally {
      // SIGTERM first: dev stops its worker, API and Temporal itself; SIGKILL would orphan them.
      if (dev.exitCode === null) {
        dev.kill('SIGTERM');
        const killer = setTimeout(() => dev.kill('SIGKILL'), 45_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000); // a cold start of everything: minutes on a loaded 2-core machine

  it('uses a reachable PostgreSQL (its hookrelay database) and DATABASE_URL before anything else', async () => {
    const said: string[] = [];
    const local = new URL(inject('databaseUrl'));
    local.pathname = '/postgres';
    const found = await resolveDevDatabase({ localPostgres: local.toString(), dataDir: '/nonexistent', pglitePort: 1, say: (m) => said.push(m) });
    expect(found.embedded).toBeUndefined();
    expect(new URL(found.url).pathname).toBe('/hookrelay');
    expect(said).toEqual([]);
    const given = await resolveDevDatabase({
      databaseUrl: 'postgres://db.example/x',
      localPostgres: local.toString(),
      dataDir: '/nonexistent',
      pglitePort: 1,
      say: (m) => said.push(m),
    });
    expect(given).toEqual({ url: 'postgres://db.example/x' });
  });
});
