// Issue #9 item 9: payload keys are data; field_map renames only what it names.
import { describe, expect, it } from 'vitest';
import { applyFieldMap } from '../../src/delivery/field-map.js';

describe('field_map keeps every payload key as an ordinary key', () => {
  it('renames a→b and leaves keys named like Object.prototype members alone', () => {
    const payload = JSON.parse('{"a":1,"constructor":"c","toString":"t"}');
    const body = JSON.stringify(applyFieldMap(payload, JSON.parse('{"a":"b"}')));
    expect(body).toBe('{"b":1,"constructor":"c","toString":"t"}');
  });

  it('keeps a "__proto__" key (top level and in data) as a key, in place, without touching the prototype', () => {
    const payload = JSON.parse('{"__proto__":{"polluted":true},"a":1,"hasOwnProperty":2}');
    const mapped = applyFieldMap(payload, { a: 'b' });
    expect(JSON.stringify(mapped)).toBe('{"__proto__":{"polluted":true},"b":1,"hasOwnProperty":2}');
    expect(Object.getPrototypeOf(mapped)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    const nested = JSON.parse('{"data":{"__proto__":"x","a":1,"valueOf":3},"__proto__":"top"}');
    expect(JSON.stringify(applyFieldMap(nested, { a: 'b' }))).toBe('{"data":{"__proto__":"x","b":1,"valueOf":3},"__proto__":"top"}');
  });

  it('renames to and from "__proto__" and other prototype names when the map says so', () => {
    const map = JSON.parse('{"__proto__":"proto","constructor":"ctor","x":"__proto__"}');
    const payload = JSON.parse('{"__proto__":1,"constructor":2,"x":3,"toString":4}');
    expect(JSON.stringify(applyFieldMap(payload, map))).toBe('{"proto":1,"ctor":2,"__proto__":3,"toString":4}');
  });

  it('a map whose only key is "__proto__" is not empty', () => {
    expect(JSON.stringify(applyFieldMap(JSON.parse('{"__proto__":1}'), JSON.parse('{"__proto__":"p"}')))).toBe('{"p":1}');
  });
});
