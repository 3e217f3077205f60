// Random JSON, strings with control characters and random path segments thrown at every
// route of the OpenAPI document; whatever comes back, it is never a 5xx.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '../support/api.js';
import { startStack, type Stack } from '../support/stack.js';
import { ObservedStatuses } from '../support/observed-statuses.js';

let stack: Stack;
let tenant: { id: string; api_key: string };
let subId: string;
/** A producer key with one scope: the routes of the others answer it 403. */
let producerKey: string;

interface Operation {
  method: string;
  path: string;
  params: string[];
  query: string[];
  bodyKeys: string[] | undefined;
}

beforeAll(async () => {
  stack = await startStack({ noWorker: true });
  tenant = await stack.api.createTenant(stack.adminToken, 'fuzz');
  subId = (await stack.api.subscribe(tenant.api_key, { url: 'https://example.com/f' })).id;
  producerKey = (await ok(stack.api.as(stack.adminToken).POST('/v1/keys', { body: { name: 'fuzz', scopes: ['events:write'] } }))).key;
});
afterAll(async () => stack?.stop());

async function operations(): Promise<Operation[]> {
  const doc = await stack.api.document();
  const schemas = doc.components.schemas as Record<string, { properties?: Record<string, unknown> }>;
  const ops: Operation[] = [];
  for (const [path, byMethod] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
    for (const [method, op] of Object.entries(byMethod)) {
      const parameters: Array<{ in: string; name: string }> = op.parameters ?? [];
      const schema = op.requestBody?.content?.['application/json']?.schema;
      const ref = schema?.$ref as string | undefined;
      const resolved = ref ? schemas[ref.split('/').pop()!] : schema;
      ops.push({
        method: method.toUpperCase(),
        path,
        params: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        query: parameters.filter((p) => p.in === 'query').map((p) => p.name),
        bodyKeys: op.requestBody ? Object.keys(resolved?.properties ?? {}) : undefined,
      });
    }
  }
  return ops;
}

/** Percent-encodes every byte (encodeURIComponent throws on a lone surrogate). */
const encode = (text: string) => [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
const controlChar = fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c));
const hostileString = fc.string({
  unit: fc.oneof(
    controlChar,
    fc.constantFrom('a', 'é', '\u2028', '\ud800', '\udc00', '%', '/', '"', '\\', '__proto__'),
    fc.string({ unit: 'binary', maxLength: 1 }),
  ),
  maxLength: 24,
});
const segment = fc.oneof(
  hostileString.map(encode),
  fc.constantFrom('%', '%00', '%FF', '%E0%A4%A', '%C0%AF', '..', '%2e%2e', '%2F', 'sub_nope', 'x'.repeat(300)),
  fc.string({ unit: 'binary', maxLength: 12 }).map(encode),
);
const jsonish = fc.oneof(fc.jsonValue({ maxDepth: 4 }), hostileString, fc.constantFrom(1e308, -0, 1.5, 2 ** 53 + 1, '', '5sec', '*', 'production'));
const queryValue = fc.oneof(hostileString.map(encode), segment, fc.constantFrom('1', '0', '-1', '1e400', '100', '101', 'production'));

function arbitraryRequest(op: Operation) {
  const body =
    op.bodyKeys === undefined
      ? fc.constant(undefined)
      : fc.oneof(
          {
            weight: 3,
            arbitrary: fc
              .dictionary(fc.oneof(fc.constantFrom(...(op.bodyKeys.length ? op.bodyKeys : ['x'])), hostileString), jsonish, { maxKeys: 6 })
              .map((v) => JSON.stringify(v)),
          },
          { weight: 1, arbitrary: jsonish.map((v) => JSON.stringify(v)) },
          {
            weight: 1,
            arbitrary: fc.constantFrom('{', '{"url":', 'null', '[]', '{"__proto__":{"x":1}}', `{"a":${'['.repeat(3000)}${']'.repeat(3000)}}`),
          },
        );
  return fc.record({
    params: fc.tuple(...op.params.map(() => fc.oneof({ weight: 4, arbitrary: segment }, { weight: 1, arbitrary: fc.constant(subId) }))),
    query: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...op.query, 'x'), hostileString.map(encode)), queryValue), { maxLength: 4 }),
    body,
    token: fc.constantFrom('tenant', 'admin', 'producer', 'none'),
  });
}

describe('fuzzing every route of the OpenAPI document', () => {
  it('never answers 5xx', async () => {
    const ops = await operations();
    expect(ops.length).toBeGreaterThanOrEqual(15);
    const seen: string[] = [];
    const observed = new ObservedStatuses();
    for (const op of ops) {
      await fc.assert(
        fc.asyncProperty(arbitraryRequest(op), async ({ params, query, body, token }) => {
          let path = op.path;
          op.params.forEach((name, i) => {
            path = path.replace(`{${name}}`, params[i] as string);
          });
          if (query.length) path += `?${query.map(([k, v]) => `${k}=${v}`).join('&')}`;
          const headers: Record<string, string> = {};
          const tokens = { admin: stack.adminToken, producer: producerKey, tenant: tenant.api_key };
          if (token !== 'none') headers.authorization = `Bearer ${tokens[token]}`;
          if (body !== undefined) headers['content-type'] = 'application/json';
          const res = await fetch(stack.url + path, { method: op.method, headers, body });
          const text = await res.text();
          seen.push(`${res.status}`);
          observed.record(op.method, path, res.status);
          const what = `${op.method} ${path} ${body ?? ''} → ${res.status} ${text.slice(0, 300)}`;
          const allowed = op.path === '/readyz' ? 503 : 500; // readiness reports a dependency down with 503 by design
          expect(res.status < 500 || res.status === allowed, what).toBe(true);
          // Invalid input is refused by a validator, naming the field; never by the database (the error handler's
          // safety net), whatever the status.
          expect(text, what).not.toContain('refused_by_database');
          if (res.status === 400) {
            const { error } = JSON.parse(text);
            expect(error.details?.length, what).toBeGreaterThan(0);
            for (const detail of error.details) expect(detail.path, what).not.toBe('');
          }
        }),
        { numRuns: 30, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
      );
    }
    // The fuzzing got past authentication and validation to real answers, not only 4xx.
    expect(seen.filter((s) => s.startsWith('2')).length).toBeGreaterThan(0);
    expect(seen.filter((s) => s === '400').length).toBeGreaterThan(ops.length);
    // Whatever came back is an answer the document declares on that route.
    expect(observed.undeclared(await stack.api.document())).toEqual([]);
  }, 60_000);
});
