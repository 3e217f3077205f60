// No registered schema and no payload can hold the API's event loop: hostile schemas of the catalog, each
// with a payload that makes it slow on a plain Ajv, posted while /healthz is probed every ~10 ms. Every
// probe must answer within 50 ms, and every event gets a 4xx naming its payload (or a field of it).
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it, inject } from 'vitest';
import { useStack } from '../support/use-stack.js';
import { eventually } from '../support/eventually.js';
import { formatEncryptionKeys } from '../../src/secrets/encryption-keys.js';
import { VALIDATE_BUDGET_MS } from '../../src/api/schema-pool.js';
import { freePort } from '../../tools/ports.js';
import { newCursorKeyEntry } from '../../src/cursor-keys.js';

const stack = useStack({ noWorker: true });

const PROBE_LIMIT_MS = 50;
/** The pace of the /healthz probes (a fixed cadence, not a wait for a state). */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Answer {
  status: number;
  body: { error?: { code: string; details?: Array<{ path: string; message: string }> } };
}

/** Runs `work` while /healthz is probed every ~10 ms; every probe's latency in ms. */
async function probing<T>(work: () => Promise<T>): Promise<{ result: T; probes: number[] }> {
  const probes: number[] = [];
  let done = false;
  const probe = (async () => {
    while (!done) {
      const started = performance.now();
      const res = await fetch(`${stack.url}/healthz`);
      await res.arrayBuffer();
      probes.push(performance.now() - started);
      expect(res.status).toBe(200);
      await sleep(10);
    }
  })();
  await eventually(() => probes.length > 0, { what: 'the first /healthz probe', intervalMs: 5 });
  try {
    return { result: await work(), probes };
  } finally {
    done = true;
    await probe;
  }
}

/** Posts a body prepared beforehand (the client's JSON.stringify does not run while probing). */
async function post(path: string, text: string): Promise<Answer> {
  const res = await fetch(stack.url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' },
    body: text,
  });
  return { status: res.status, body: await res.json() };
}

const putType = async (type: string, schema: unknown) => {
  const res = await stack.api.call('PUT', `/v1/event-types/${type}`, stack.adminToken, { description: `hostile: ${type}`, schema });
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
};

const nested = (depth: number): Record<string, unknown> => (depth === 0 ? {} : { a: nested(depth - 1) });

interface Hostile {
  what: string;
  type: string;
  schema: Record<string, unknown>;
  payload: () => Record<string, unknown>;
  /** The path named: the payload as a whole (time budget) or the field that fails. */
  path: RegExp;
}

const HOSTILE: Hostile[] = [
  {
    // Exponential on a backtracking RegExp (1.4 s for these 29 bytes); linear on RE2.
    what: 'pattern ^(a+)+$ against a 29-byte string',
    type: 'dos.pattern',
    schema: { type: 'object', properties: { name: { type: 'string', pattern: '^(a+)+$' } } },
    payload: () => ({ name: `${'a'.repeat(28)}!` }),
    path: /^payload\.name$/,
  },
  {
    // Quadratic: every pair of 30,000 arrays compared (7.9 s on the event loop).
    what: 'uniqueItems over 30,000 one-element arrays (229 KB)',
    type: 'dos.unique',
    schema: { type: 'object', properties: { tags: { type: 'array', uniqueItems: true } } },
    payload: () => ({ tags: Array.from({ length: 30_000 }, (_, i) => [i]) }),
    path: /^payload$/,
  },
  {
    // Two references to itself per level: 2^60 calls for a payload 60 levels deep.
    what: '$ref recursion, twice per level',
    type: 'dos.ref',
    schema: {
      $defs: { node: { type: 'object', properties: { a: { allOf: [{ $ref: '#/$defs/node' }, { $ref: '#/$defs/node' }] } } } },
      $ref: '#/$defs/node',
    },
    payload: () => nested(60),
    path: /^payload$/,
  },
  {
    // Every key against a pattern that backtracks exponentially on RegExp, and refused by additionalProperties.
    what: 'patternProperties ^(a+)+$ over 2,000 keys',
    type: 'dos.pattern_properties',
    schema: { type: 'object', patternProperties: { '^(a+)+$': { type: 'string' } }, additionalProperties: false },
    payload: () => Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`${'a'.repeat(28)}!${i}`, 'x'])),
    path: /^payload\.a+!\d+$/,
  },
  {
    // 5,000 objects in the enum, each compared with each of 30,000 items.
    what: 'an enum of 5,000 objects against 30,000 items',
    type: 'dos.enum',
    schema: { type: 'object', properties: { items: { type: 'array', items: { enum: Array.from({ length: 5_000 }, (_, k) => ({ k })) } } } },
    payload: () => ({ items: Array.from({ length: 30_000 }, () => -1) }),
    path: /^payload$/,
  },
];

describe('hostile schemas of the catalog', () => {
  it.each(HOSTILE.map((h) => [h.what, h] as const))('%s: a 4xx naming the payload, /healthz answering throughout', async (_what, hostile) => {
    await putType(hostile.type, hostile.schema);
    const tenant = await stack.tenant();
    const payload = hostile.payload();
    const body = JSON.stringify({ tenant_id: tenant.id, environment: 'production', type: hostile.type, payload });
    // The same payload to a type without a schema first: what is measured is the schema's work, not the
    // first parse of a large body of this shape (JIT compilation).
    const free = JSON.stringify({ tenant_id: tenant.id, environment: 'production', type: 'dos.no_schema', payload });
    expect((await post('/v1/events', free)).status).toBe(202);
    const { result: answer, probes } = await probing(() => post('/v1/events', body));
    expect(answer.status, JSON.stringify(answer.body).slice(0, 500)).toBe(400);
    const paths = answer.body.error!.details!.map((d) => d.path);
    expect(
      paths.some((p) => hostile.path.test(p)),
      JSON.stringify(answer.body).slice(0, 500),
    ).toBe(true);
    if (hostile.path.source === '^payload$') expect(answer.body.error!.details![0]!.message).toContain(`time budget (${VALIDATE_BUDGET_MS} ms)`);
    console.log(
      `${hostile.what}: ${probes.length} probes of /healthz, slowest ${Math.max(...probes).toFixed(1)} ms, median ${median(probes).toFixed(1)} ms`,
    );
    expect(probes.length).toBeGreaterThan(0);
    expect(Math.max(...probes)).toBeLessThan(PROBE_LIMIT_MS);
    const { rows } = await stack.pool.query('SELECT count(*)::int AS n FROM events WHERE tenant_id = $1 AND type = $2', [tenant.id, hostile.type]);
    expect(rows[0].n).toBe(0);
  });

  it('refuses a batch of hostile payloads at its first over the budget, naming it, without running the rest', async () => {
    const tenant = await stack.tenant();
    // Small payloads (the body's own parsing is not what is measured), each 2^60 calls deep.
    const events = Array.from({ length: 12 }, () => ({ tenant_id: tenant.id, environment: 'production', type: 'dos.ref', payload: nested(60) }));
    const body = JSON.stringify({ events });
    const started = performance.now();
    const { result: answer, probes } = await probing(() => post('/v1/events/batch', body));
    const elapsed = performance.now() - started;
    expect(answer.status).toBe(400);
    expect(answer.body.error!.details!.some((d) => /^events\.\d+\.payload$/.test(d.path) && d.message.includes('time budget'))).toBe(true);
    // Twelve payloads that would each run for ever, refused after about one budget per thread.
    expect(elapsed).toBeLessThan(5_000);
    console.log(
      `batch of 12 hostile payloads: answered in ${elapsed.toFixed(0)} ms; ${probes.length} probes, slowest ${Math.max(...probes).toFixed(1)} ms`,
    );
    expect(Math.max(...probes)).toBeLessThan(PROBE_LIMIT_MS);
  });

  it('refuses at the PUT a schema that cannot run in linear time or cannot check {}, naming schema', async () => {
    for (const schema of [
      { type: 'object', properties: { a: { type: 'string', pattern: '^(?=a)b' } } },
      { patternProperties: { '(a)\\1': {} } },
      { $ref: '#' },
    ]) {
      const res = await stack.api.call('PUT', '/v1/event-types/dos.refused', stack.adminToken, { description: 'd', schema });
      expect(res.status, JSON.stringify(schema)).toBe(400);
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(['schema']);
    }
  });

  it('still validates a normal schema after all that: valid 202, invalid 400 naming the field', async () => {
    await putType('dos.normal', {
      type: 'object',
      required: ['id'],
      properties: { id: { type: 'string', pattern: '^usr_[0-9a-f]{4}$' }, tags: { type: 'array', uniqueItems: true, items: { type: 'string' } } },
    });
    const tenant = await stack.tenant();
    const event = (payload: unknown) => JSON.stringify({ tenant_id: tenant.id, environment: 'production', type: 'dos.normal', payload });
    expect((await post('/v1/events', event({ id: 'usr_00af', tags: ['a', 'b'] }))).status).toBe(202);
    const bad = await post('/v1/events', event({ id: 'usr_zz', tags: ['a', 'a'] }));
    expect(bad.status).toBe(400);
    expect(bad.body.error!.details!.map((d) => d.path).sort()).toEqual(['payload.id', 'payload.tags']);
    // A type without a schema is accepted as before.
    expect(
      (await post('/v1/events', JSON.stringify({ tenant_id: tenant.id, environment: 'production', type: 'dos.free', payload: { tags: [[1], [1]] } })))
        .status,
    ).toBe(202);
  });
});

describe('the bundled API (npm run build, as production runs it)', () => {
  it('starts its schema thread from dist/bin and validates in it', async () => {
    await promisify(execFile)(process.execPath, ['scripts/build.mjs']);
    const port = await freePort();
    const api = spawn(process.execPath, ['dist/bin/api.js'], {
      env: {
        ...process.env,
        DATABASE_URL: stack.config.databaseUrl,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        TEMPORAL_TASK_QUEUE: stack.config.taskQueue,
        ADMIN_TOKEN: stack.adminToken,
        HOOKRELAY_CURSOR_KEYS: newCursorKeyEntry('dos'),
        HOOKRELAY_ENCRYPTION_KEYS: formatEncryptionKeys(stack.config.encryptionKeys!),
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    api.stdout.on('data', (c: Buffer) => {
      output += c;
    });
    api.stderr.on('data', (c: Buffer) => {
      output += c;
    });
    try {
      const url = `http://127.0.0.1:${port}`;
      await eventually(
        async () => {
          if (api.exitCode !== null) throw new Error(`the bundled API exited (${api.exitCode}):\n${output}`);
          return fetch(`${url}/healthz`).then(
            (r) => r.ok,
            () => false,
          );
        },
        { what: 'the bundled API to answer /healthz', timeoutMs: 15_000 },
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${output}`);
      });
      const call = async (method: string, path: string, body: unknown) => {
        const res = await fetch(url + path, {
          method,
          headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return { status: res.status, body: await res.json() };
      };
      const schema = { type: 'object', properties: { name: { type: 'string', pattern: '^(a+)+$' }, tags: { type: 'array', uniqueItems: true } } };
      expect((await call('PUT', '/v1/event-types/dos.bundled', { description: 'd', schema })).status).toBe(201);
      expect((await call('PUT', '/v1/event-types/dos.bundled_lookahead', { description: 'd', schema: { pattern: '(?=a)' } })).status).toBe(400);
      const tenant = await stack.tenant();
      const event = (payload: unknown) => ({ tenant_id: tenant.id, environment: 'production', type: 'dos.bundled', payload });
      expect((await call('POST', '/v1/events', event({ name: 'aaaa' }))).status).toBe(202);
      const bad = await call('POST', '/v1/events', event({ name: `${'a'.repeat(28)}!` }));
      expect(bad.body.error.details, output).toEqual([{ path: 'payload.name', message: 'must match pattern "^(a+)+$"' }]);
      const slow = await call('POST', '/v1/events', event({ tags: Array.from({ length: 30_000 }, (_, i) => [i]) }));
      expect(slow.status).toBe(400);
      expect(slow.body.error.details[0]).toMatchObject({ path: 'payload', message: expect.stringContaining('time budget') });
    } finally {
      api.kill('SIGTERM');
    }
  }, 120_000);
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}
