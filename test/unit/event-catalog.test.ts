// The catalog's schema checks: run in schema threads with a time budget (schema-pool.ts), patterns on RE2,
// and a type without a schema never reaching a thread.
import { describe, expect, it } from 'vitest';
import type { Queryable } from '../../src/db/pool.js';
import { EventCatalog } from '../../src/api/event-catalog.js';
import { SchemaPool, type Outcome } from '../../src/api/schema-pool.js';

const SCHEMA = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^usr_[a-z]+$' } } };

/** The two statements the catalog runs, answered from a fixed catalog. */
function fakeDb(schemas: Record<string, object | null>): Queryable {
  const query = async (sql: string, params?: unknown[]) => {
    if (sql.includes('has_schema')) {
      return { rows: Object.entries(schemas).map(([type, schema]) => ({ type, version: 1, deprecated: false, has_schema: schema !== null })) };
    }
    return { rows: [{ schema: schemas[params![0] as string] ?? null, version: 1 }] };
  };
  return { query } as unknown as Queryable;
}

class CountingPool extends SchemaPool {
  checks = 0;
  override check(...args: Parameters<SchemaPool['check']>): Promise<Outcome> {
    this.checks++;
    return super.check(...args);
  }
}

describe('EventCatalog', () => {
  it('never sends a payload of a type without a schema (or not in the catalog) to a schema thread', async () => {
    const pool = new CountingPool();
    const catalog = new EventCatalog(fakeDb({ 'no.schema': null, 'with.schema': SCHEMA }), 1_000, pool);
    expect(await catalog.check('no.schema', '{"anything":1}', 'payload')).toEqual([]);
    expect(await catalog.check('not.in.catalog', '{}', 'payload')).toEqual([]);
    expect(pool.checks).toBe(0);
    expect(await catalog.check('with.schema', '{"id":"usr_ab"}', 'payload')).toEqual([]);
    expect(await catalog.check('with.schema', '{"id":"nope"}', 'events.2.payload')).toEqual([
      { path: 'events.2.payload.id', message: 'must match pattern "^usr_[a-z]+$"' },
    ]);
    expect(pool.checks).toBe(2);
  });

  it('accepts the events of a stored schema that no longer compiles, and stops trying to compile it', async () => {
    const pool = new CountingPool();
    const catalog = new EventCatalog(fakeDb({ 'broken.schema': { type: 'objekt' } }), 1_000, pool);
    expect(await catalog.check('broken.schema', '{}', 'payload')).toEqual([]);
    expect(await catalog.check('broken.schema', '{}', 'payload')).toEqual([]);
    expect(pool.checks).toBe(1);
  });

  it('refuses the rest of a batch once one payload goes over its budget', async () => {
    const deep = (n: number): string => (n === 0 ? '{}' : `{"a":${deep(n - 1)}}`);
    const fanOut = {
      $defs: { n: { type: 'object', properties: { a: { allOf: [{ $ref: '#/$defs/n' }, { $ref: '#/$defs/n' }] } } } },
      $ref: '#/$defs/n',
    };
    const pool = new CountingPool({ size: 1, validateBudgetMs: 100 });
    const catalog = new EventCatalog(fakeDb({ 'fan.out': fanOut }), 1_000, pool);
    const details = await catalog.checkAll(
      Array.from({ length: 6 }, (_, i) => ({ type: 'fan.out', payload: deep(60), prefix: `events.${i}.payload` })),
    );
    expect(details).toEqual([
      { path: 'events.0.payload', message: 'validating it against the schema of fan.out took longer than its time budget (100 ms)' },
    ]);
  });
});

describe('SchemaPool', () => {
  it('runs patterns on RE2: ^(a+)+$ is linear, a lookahead is refused', async () => {
    // The pool's own deadline is the bound, measured from the request's dispatch to a started thread (so not
    // the thread's start under tsx), and generous: RE2's single pass over these 5,000 characters takes
    // milliseconds even on a loaded machine, while a backtracking engine would try about 2^5,000 ways to split
    // them and never answer, so the check would come back over_budget.
    const budgetMs = 20_000;
    const pool = new SchemaPool({ validateBudgetMs: budgetMs, compileBudgetMs: budgetMs });
    const schema = {
      type: 'object',
      properties: { name: { type: 'string', pattern: '^(a+)+$' } },
      patternProperties: { '^(a+)+$': { type: 'number' } },
    };
    const hostile = `${'a'.repeat(5_000)}!`;
    const outcome = await pool.check('p', 1, schema, JSON.stringify({ name: hostile, [hostile]: 'x' }), 'payload');
    expect(outcome).toEqual({ kind: 'checked', details: [{ path: 'payload.name', message: 'must match pattern "^(a+)+$"' }] });
    expect(await pool.compile({ pattern: '^(?=a)' })).toMatchObject({ kind: 'uncompilable', error: expect.stringContaining('RE2') });
    expect(await pool.compile({ patternProperties: { '\\u0041{2}': {} } })).toEqual({ kind: 'compiled' });
  }, 120_000);

  it('stops a validation over its budget, and the next check runs on a fresh thread', async () => {
    const pool = new SchemaPool({ size: 1, validateBudgetMs: 100 });
    const unique = { type: 'array', uniqueItems: true };
    const slow = JSON.stringify(Array.from({ length: 30_000 }, (_, i) => [i]));
    expect(await pool.check('u', 1, unique, slow, 'payload')).toEqual({ kind: 'over_budget', phase: 'validate', budgetMs: 100 });
    expect(await pool.check('u', 1, unique, '[[1],[1]]', 'payload')).toMatchObject({ kind: 'checked', details: [{ path: 'payload' }] });
    expect(await pool.check('u', 1, unique, '[[1],[2]]', 'payload')).toEqual({ kind: 'checked', details: [] });
  });

  it('refuses at compile a schema that cannot check {} (a $ref to itself)', async () => {
    const pool = new SchemaPool();
    expect(await pool.compile({ $ref: '#' })).toMatchObject({ kind: 'uncompilable', error: expect.stringContaining('validating {} failed') });
  });
});
