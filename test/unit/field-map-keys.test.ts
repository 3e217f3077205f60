// field_map works on the payload's text: it renames the keys its map names and leaves every other byte alone.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyFieldMap } from '../../src/delivery/field-map.js';

describe('field_map renames key tokens only', () => {
  it('renames keys of payload.data when there is a data object, else the top level', () => {
    expect(applyFieldMap('{"data":{"first_name":"J","email":"e"},"meta":{"first_name":"kept"}}', { first_name: 'firstName' })).toBe(
      '{"data":{"firstName":"J","email":"e"},"meta":{"first_name":"kept"}}',
    );
    expect(applyFieldMap('{"user_id":"u","n":1}', { user_id: 'userId' })).toBe('{"userId":"u","n":1}');
    // `data` that is not an object: the top level is renamed.
    expect(applyFieldMap('{"data":[{"a":1}],"a":2}', { a: 'b' })).toBe('{"data":[{"a":1}],"b":2}');
  });

  it('keeps every other token as written: number spellings, escapes, spacing and key order', () => {
    const payload =
      '{ "id" : 12345678901234567890, "f":2.0,"e":1E2 ,"neg":-0.0,"d":0.1000000000000000055511151231257827,' +
      '"big":1e400,"s":"\\u00e9\\/\\ud800","z":{"id":1}}';
    expect(applyFieldMap(payload, { id: 'ID' })).toBe(payload.replace('"id" :', '"ID" :'));
    expect(applyFieldMap(payload, {})).toBe(payload);
  });

  it('matches keys by their value, whatever their escapes, and writes the new name as JSON', () => {
    expect(applyFieldMap('{"\\u0061":1}', { a: 'quote"d' })).toBe('{"quote\\"d":1}');
  });

  it('leaves keys named like Object.prototype members alone unless the map names them', () => {
    expect(applyFieldMap('{"a":1,"constructor":"c","toString":"t"}', JSON.parse('{"a":"b"}'))).toBe('{"b":1,"constructor":"c","toString":"t"}');
    expect(applyFieldMap('{"data":{"__proto__":"x","a":1,"valueOf":3},"__proto__":"top"}', { a: 'b' })).toBe(
      '{"data":{"__proto__":"x","b":1,"valueOf":3},"__proto__":"top"}',
    );
    const map = JSON.parse('{"__proto__":"proto","constructor":"ctor","x":"__proto__"}');
    expect(applyFieldMap('{"__proto__":1,"constructor":2,"x":3,"toString":4}', map)).toBe('{"proto":1,"ctor":2,"__proto__":3,"toString":4}');
    expect(applyFieldMap('{"__proto__":1}', JSON.parse('{"__proto__":"p"}'))).toBe('{"p":1}');
  });

  it('equals renaming the parsed value, for any JSON object (property)', () => {
    const key = fc.constantFrom('a', 'b', 'data', 'x');
    const object = fc.dictionary(key, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
    fc.assert(
      fc.property(object, fc.constantFrom(0, 2), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        const renamed = JSON.parse(applyFieldMap(text, { a: 'A', x: 'X' })) as Record<string, unknown>;
        const target = value.data !== null && typeof value.data === 'object' && !Array.isArray(value.data) ? 'data' : undefined;
        const expectKeys = (source: Record<string, unknown>) =>
          Object.keys(source).map((k) => (({ a: 'A', x: 'X' }) as Record<string, string>)[k] ?? k);
        if (target) expect(Object.keys(renamed.data as object)).toEqual(expectKeys(value.data as Record<string, unknown>));
        else expect(Object.keys(renamed)).toEqual(expectKeys(value));
      }),
    );
  });
});
