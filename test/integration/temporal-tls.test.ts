// A secured engine: the Temporal server on PostgreSQL with its frontend requiring mutual TLS, certificates
// made here with openssl. A client without a certificate is refused; hookrelay's API and worker, given
// TEMPORAL_TLS_CERT/KEY/CA/SERVER_NAME, deliver an event through it.
import { eventually } from '../support/eventually.js';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Connection } from '@temporalio/client';
import { startScratchCluster, type ClusterServer } from '../../tools/temporal/cluster-server.js';
import { freePort, waitForPort } from '../../tools/ports.js';
import { loadConfig } from '../../src/config.js';
import { newCursorKeyEntry } from '../../src/cursor-keys.js';

const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const root = path.resolve(import.meta.dirname, '../..');
let dir: string;
let cluster: ClusterServer | undefined;
const children: ChildProcess[] = [];
const file = (name: string) => path.join(dir, name);

/** A CA, a server certificate for localhost and a client certificate, all signed by that CA (EC P-256). */
function makeCertificates() {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...key, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=hookrelay test CA');
  const sign = (name: string, cn: string, ext: string) => {
    writeFileSync(file(`${name}.ext`), ext);
    openssl('req', ...key, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    );
  };
  sign('server', 'localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  sign('client', 'hookrelay', 'extendedKeyUsage=clientAuth\n');
}

// It builds on the production engine's binaries (built once, ~2.5 min): run with the cluster tests,
// `HOOKRELAY_ENGINE=cluster npx vitest run test/integration/temporal-tls.test.ts` (CI does).
const onCluster = process.env.HOOKRELAY_ENGINE === 'cluster';

beforeAll(async () => {
  if (!onCluster) return;
  dir = mkdtempSync(path.join(os.tmpdir(), 'hookrelay-tls-'));
  makeCertificates();
  cluster = await startScratchCluster({
    postgresUrl: ADMIN_URL,
    name: `temporal_tls_${process.pid}_${Date.now()}`,
    tls: {
      cert: file('server.pem'),
      key: file('server.key'),
      clientCa: file('ca.pem'),
      systemWorkerCert: file('client.pem'),
      systemWorkerKey: file('client.key'),
      frontendCa: file('ca.pem'),
      serverName: 'localhost',
    },
    clientSecurity: { tls: { certPath: file('client.pem'), keyPath: file('client.key'), caPath: file('ca.pem'), serverName: 'localhost' } },
  });
}, 300_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!onCluster)('Temporal with mutual TLS (HOOKRELAY_ENGINE=cluster)', () => {
  it('refuses a client without a certificate, and one without TLS, but not one with the certificate', async () => {
    const ca = readFileSync(file('ca.pem'));
    const withCert = await Connection.connect({
      address: cluster!.address,
      tls: {
        serverRootCACertificate: ca,
        serverNameOverride: 'localhost',
        clientCertPair: { crt: readFileSync(file('client.pem')), key: readFileSync(file('client.key')) },
      },
    });
    try {
      expect((await withCert.workflowService.getSystemInfo({})).serverVersion).toMatch(/^1\.29\./);
    } finally {
      await withCert.close();
    }
    const withoutCert = Connection.connect({
      address: cluster!.address,
      connectTimeout: 5_000,
      tls: { serverRootCACertificate: ca, serverNameOverride: 'localhost' },
    }).then(async (c) => {
      try {
        await c.workflowService.getSystemInfo({});
      } finally {
        await c.close();
      }
    });
    await expect(withoutCert).rejects.toThrow();
    const plain = Connection.connect({ address: cluster!.address, connectTimeout: 5_000 }).then(async (c) => {
      try {
        await c.workflowService.getSystemInfo({});
      } finally {
        await c.close();
      }
    });
    await expect(plain).rejects.toThrow();
  });

  it('stops hookrelay at start on a missing certificate file, naming the variable', () => {
    expect(() => loadConfig({ TEMPORAL_TLS_CERT: file('nope.pem'), TEMPORAL_TLS_KEY: file('client.key') })).toThrow(
      /TEMPORAL_TLS_CERT: no such file: .*nope\.pem/,
    );
    expect(() => loadConfig({ TEMPORAL_TLS_CERT: file('client.pem') })).toThrow(
      /TEMPORAL_TLS_KEY: TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together/,
    );
  });

  it('delivers an event when the API and the worker present the client certificate', async () => {
    const received: string[] = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        received.push(body);
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    try {
      const apiPort = await freePort();
      const metricsPort = await freePort();
      const adminToken = `adm_tls_test_${process.pid}_token`;
      const env = {
        ...process.env,
        DATABASE_URL: inject('databaseUrl'),
        TEMPORAL_ADDRESS: cluster!.address,
        TEMPORAL_TLS_CERT: file('client.pem'),
        TEMPORAL_TLS_KEY: file('client.key'),
        TEMPORAL_TLS_CA: file('ca.pem'),
        TEMPORAL_TLS_SERVER_NAME: 'localhost',
        ADMIN_TOKEN: adminToken,
        HOOKRELAY_CURSOR_KEYS: newCursorKeyEntry('tls'),
        HOOKRELAY_ENCRYPTION_KEYS: inject('encryptionKeys'),
        HOST: '127.0.0.1',
        PORT: String(apiPort),
        ALLOW_PRIVATE_TARGETS: 'true',
        LOG_LEVEL: 'warn',
        WORKER_METRICS_PORT: String(metricsPort),
        WORKER_CORE_METRICS_PORT: String(await freePort()),
        DATABASE_POOL_SIZE: '4',
      };
      for (const script of ['worker.ts', 'api.ts']) {
        children.push(spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/bin', script)], { cwd: root, env, stdio: 'inherit' }));
      }
      await Promise.all([waitForPort(apiPort, 120_000), waitForPort(metricsPort, 120_000)]);
      const api = async (method: string, route: string, token: string, body: unknown) => {
        const res = await fetch(`http://127.0.0.1:${apiPort}${route}`, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json()) as Record<string, string> };
      };
      const tenant = await api('POST', '/v1/tenants', adminToken, { name: 'tls' });
      expect(tenant.status).toBe(201);
      expect((await api('POST', '/v1/subscriptions', tenant.body.api_key!, { url: `${receiverUrl}/tls` })).status).toBe(201);
      const posted = await api('POST', '/v1/events', adminToken, {
        id: 'evt-tls',
        tenant_id: tenant.body.id,
        environment: 'production',
        type: 'tls.checked',
        payload: { over: 'mtls' },
      });
      expect(posted.status).toBe(202);
      await eventually(() => received.length > 0, { what: 'the delivery over mTLS', timeoutMs: 60_000, intervalMs: 200 });
      expect(received.map((body) => JSON.parse(body))).toEqual([{ over: 'mtls' }]);
    } finally {
      receiver.close();
    }
  }, 240_000);
});
