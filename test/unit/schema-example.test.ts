// An event type's example payload, from its schema: the schema's own example first, otherwise built from it,
// and valid against it for the keywords it builds from.
import { describe, expect, it } from 'vitest';
import { exampleOf } from '../../src/domain/schema-example.js';
import { checkPayload } from '../../src/portal/client/payload-check.js';

const order = {
  type: 'object',
  required: ['action', 'data'],
  properties: {
    action: { enum: ['create_user', 'update_user'] },
    data: {
      type: 'object',
      required: ['id', 'created_at'],
      properties: { id: { type: 'string', minLength: 10 }, created_at: { type: 'string', format: 'date-time' }, n: { type: 'integer', minimum: 3 } },
    },
    tags: { type: 'array', items: { $ref: '#/$defs/tag' } },
  },
  $defs: { tag: { type: 'string', const: 'vip' } },
};

describe('exampleOf', () => {
  it("takes the schema's examples[0] when it has one", () => {
    expect(exampleOf({ type: 'object', examples: [{ a: 1 }, { a: 2 }] })).toEqual({ a: 1 });
  });
  it('builds one from enum, const, $ref, formats, minimum and minLength, valid against the schema', () => {
    const example = exampleOf(order);
    expect(example).toEqual({
      action: 'create_user',
      data: { id: 'examplexxx', created_at: '2030-01-01T00:00:00Z', n: 3 },
      tags: ['vip'],
    });
    expect(checkPayload(JSON.stringify(example), order).problems).toEqual([]);
  });
  it('is {} without a schema, and stops on a $ref cycle', () => {
    expect(exampleOf(null)).toEqual({});
    expect(exampleOf(true)).toEqual({});
    const cyclic = { type: 'object', required: ['next'], properties: { next: { $ref: '#' } } };
    expect(JSON.stringify(exampleOf(cyclic)).length).toBeLessThan(200);
  });
});

describe('checkPayload (the portal, before a test event is sent)', () => {
  it('names the failing fields as the API does', () => {
    const { problems } = checkPayload('{"action": "delete_all", "data": {"id": 5}}', order);
    expect(problems.map((p) => p.path).sort()).toEqual(['payload.action', 'payload.data.created_at', 'payload.data.id']);
    expect(problems.find((p) => p.path === 'payload.data.created_at')?.message).toBe('is required');
  });
  it('refuses text that is not JSON, and JSON that is not an object', () => {
    expect(checkPayload('{oops', null).problems[0]).toMatchObject({ path: 'payload', message: expect.stringMatching(/not valid JSON/) });
    expect(checkPayload('[1]', null).problems).toEqual([{ path: 'payload', message: 'must be a JSON object ({ … })' }]);
    expect(checkPayload('{"any": 1}', null)).toEqual({ payload: { any: 1 }, problems: [] });
  });
});
