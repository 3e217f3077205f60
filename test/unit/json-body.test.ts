// The body's second reading: duplicate keys anywhere (compared by their decoded value, named by their
// path), the exact source text of shallow objects, UTF-8 only, and no throw or endless loop on any input.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Request } from 'express';
import { keepRawBody, scanJsonBody, sourceText, type JsonPath } from '../../src/api/json-body.js';

function scan(body: string | Buffer) {
  const req = {} as Request;
  keepRawBody(req, undefined, typeof body === 'string' ? Buffer.from(body) : body);
  return { req, details: scanJsonBody(req) };
}

const duplicates = (body: string) => scan(body).details.map((d) => d.path);
const dup = (path: string) => ({ path, message: 'duplicate key' });

describe('duplicate keys', () => {
  it('are found at every depth and named by their path', () => {
    expect(duplicates('{"k":1,"k":2}')).toEqual(['k']);
    expect(duplicates('{"payload":{"a":[{"k":1},{"k":1,"x":{"\\u006b":0,"k":2}}]}}')).toEqual(['payload.a.1.x.k']);
    expect(duplicates('{"events":[{},{},{},{"payload":{"k":1,"n":{},"k":2}}]}')).toEqual(['events.3.payload.k']);
    expect(duplicates('[[1,[{"a":1}],[{"b":[{"c":{"d":1,"d":2}}]}]]]')).toEqual(['0.2.0.b.0.c.d']);
    expect(duplicates('{"type":"a.b","id":"x","payload":{},"type":"c"}')).toEqual(['type']);
  });

  it('compare keys by their decoded value, whatever their escapes', () => {
    expect(duplicates('{"k":1,"\\u006b":2}')).toEqual(['k']);
    expect(duplicates('{"\\u006b":1,"k":2}')).toEqual(['k']);
    expect(duplicates('{"\\u006b":1,"\\u006B":2}')).toEqual(['k']);
    expect(duplicates('{"a\\"b":1,"a\\u0022b":2}')).toEqual(['a"b']);
    expect(duplicates('{"\\\\":1,"\\u005c":2}')).toEqual(['\\']);
    expect(duplicates('{"\\/":1,"/":2}')).toEqual(['/']);
    expect(duplicates('{"é":1,"\\u00e9":2}')).toEqual(['é']);
    expect(duplicates('{"😀":1,"\\ud83d\\ude00":2}')).toEqual(['😀']);
    expect(duplicates('{"":1,"":2}')).toEqual(['']);
  });

  it('keep keys containing dots, quotes, backslashes and unicode as written in the path', () => {
    expect(duplicates('{"a.b":{"c":1,"c":2}}')).toEqual(['a.b.c']);
    expect(duplicates('{"a\\"":[{"\\\\":{"é😀":1,"é😀":2}}]}')).toEqual(['a".0.\\.é😀']);
    expect(duplicates('{"\\u0061":{"x":{"y":1,"y":1}}}')).toEqual(['a.x.y']);
  });

  it('tell apart keys that only look alike', () => {
    expect(duplicates('{"ab":1,"a b":2,"a":3,"b":4,"abc":5,"\\u0061\\u0062c ":6,"A":7,"ba":8,"\\\\":9,"\\\\\\\\":10,"\\"":11}')).toEqual([]);
    expect(duplicates('{"k":{"k":1},"j":[{"k":1},{"k":2}],"x":{"k":{"k":{}}}}')).toEqual([]);
    expect(duplicates('{"é":1,"e":2,"\\u00e8":3,"😀":4,"😁":5}')).toEqual([]);
  });

  it('are found in objects of many keys too, and the next object at that depth starts afresh', () => {
    const many = (n: number, extra = '') => `{${Array.from({ length: n }, (_, i) => `"key${i}":${i}`).join(',')}${extra}}`;
    expect(duplicates(many(40, ',"key7":0,"\\u006bey39":1,"key40":2,"key40":3'))).toEqual(['key7', 'key39', 'key40']);
    expect(duplicates(many(8, ',"key0":0'))).toEqual(['key0']);
    expect(duplicates(many(9, ',"key8":0'))).toEqual(['key8']);
    expect(duplicates(`{"a":${many(12)},"b":{"key0":1,"key1":2},"c":[${many(9)},${many(3)}]}`)).toEqual([]);
    expect(duplicates(`{"a":${many(12)},"b":{"x":1,"x":2}}`)).toEqual(['b.x']);
    // The keys of an object and of the objects around it stay apart, before and after one goes to a Set.
    expect(duplicates(`{"a":${many(9)},"key0":1,"key8":2,"b":${many(3)},"key1":3}`)).toEqual([]);
    expect(duplicates(`{"x":1,"c":${many(12, ',"x":0')},"x":2}`)).toEqual(['x']);
    expect(duplicates(`[${many(9)},{"key0":1},${many(20, ',"key19":0')}]`)).toEqual(['2.key19']);
  });

  it('are not looked for in strings, whatever they hold', () => {
    expect(duplicates('{"a":"\\"k\\":1,\\"k\\":2","b":"{\\"b\\":1}","c":"\\\\","d":"}{][,:","e":"\\\\\\"","c2":"\\\\\\\\"}')).toEqual([]);
    expect(duplicates('{"s":"a\\\\","s":"b"}')).toEqual(['s']);
    expect(duplicates('{"s":"\\"","t":"\\\\","s":1}')).toEqual(['s']);
    expect(duplicates('[",\\"k\\":", {"k":1,"k":2}]')).toEqual(['1.k']);
  });

  it('are reported up to 20, in the order of the text', () => {
    const body = `{"x":[${Array.from({ length: 30 }, (_, i) => `{"k${i}":1,"k${i}":2}`).join(',')}]}`;
    const { details } = scan(body);
    expect(details).toHaveLength(20);
    expect(details[0]).toEqual(dup('x.0.k0'));
    expect(details[19]).toEqual(dup('x.19.k19'));
  });

  it('are named at any depth without exhausting the stack', () => {
    const depth = 50_000;
    expect(duplicates(`${'{"a":'.repeat(depth)}{"k":1,"k":2}${'}'.repeat(depth)}`)).toEqual([`${'a.'.repeat(depth)}k`]);
    expect(duplicates(`${'['.repeat(depth)}{"k":1,"k":2}${']'.repeat(depth)}`)).toEqual([`${'0.'.repeat(depth)}k`]);
  });
});

describe('source text of shallow objects', () => {
  it('is the exact text of `payload` and `events.<i>.payload`', () => {
    const payload = '{ "id" : 12345678901234567890, "f":2.0,"s":"\\u00e9\\/\\"}{[", "n":{"a":[1,{}]} }';
    const { req, details } = scan(`{"type":"a.b",\n "payload" :\t${payload} }`);
    expect(details).toEqual([]);
    expect(sourceText(req, ['payload'])).toBe(payload);
    expect(sourceText(req, [])).toBe(`{"type":"a.b",\n "payload" :\t${payload} }`);
    expect(sourceText(req, ['payload', 'n'])).toBe('{"a":[1,{}]}');

    const batch = scan(`{"events":[ {"payload":{"i":0}} ,{"x":[{}],"payload": {"i" :1}}, {"\\u0070ayload":{"i":2}}]}`);
    expect(sourceText(batch.req, ['events', 0, 'payload'])).toBe('{"i":0}');
    expect(sourceText(batch.req, ['events', 1, 'payload'])).toBe('{"i" :1}');
    expect(sourceText(batch.req, ['events', '1', 'payload'])).toBe('{"i" :1}');
    expect(sourceText(batch.req, ['events', 2, 'payload'])).toBe('{"i":2}');
    expect(sourceText(batch.req, ['events', 1])).toBe('{"x":[{}],"payload": {"i" :1}}');
  });

  it('is not there for what is not an object, nor deeper than three steps', () => {
    const { req } = scan('{"payload":[{}],"n":1,"o":{"a":{"b":{"c":{}}}},"a.b":{}}');
    expect(() => sourceText(req, ['payload'])).toThrow('no JSON object at payload');
    expect(() => sourceText(req, ['n'])).toThrow();
    expect(() => sourceText(req, ['missing'])).toThrow();
    expect(sourceText(req, ['payload', 0])).toBe('{}');
    expect(sourceText(req, ['o', 'a', 'b'])).toBe('{"c":{}}');
    expect(() => sourceText(req, ['o', 'a', 'b', 'c'])).toThrow();
    expect(sourceText(req, ['a.b'])).toBe('{}');
    expect(() => sourceText(req, ['a', 'b'])).toThrow();
  });

  it('counts from after a byte order mark', () => {
    const { req, details } = scan(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"payload":{"é":"😀"},"k":1,"k":2}')]));
    expect(details).toEqual([dup('k')]);
    expect(sourceText(req, ['payload'])).toBe('{"é":"😀"}');
  });

  it('holds strings with braces, brackets, escaped quotes and backslashes before quotes', () => {
    const payload = '{"a":"a\\\\","b":"}","c":"\\"}","d":"\\\\\\"]","e":["{",{"f":"\\\\\\\\"}],"g":"\\u007d"}';
    const { req, details } = scan(`{"before":"{\\"payload\\":{}}","payload":${payload},"after":"}"}`);
    expect(details).toEqual([]);
    expect(sourceText(req, ['payload'])).toBe(payload);
  });

  it('is left alone for a body that was not kept', () => {
    const req = {} as Request;
    expect(scanJsonBody(req)).toEqual([]);
    expect(() => sourceText(req, ['payload'])).toThrow();
  });
});

describe('UTF-8', () => {
  it('refuses a body that is not UTF-8', () => {
    const invalid = { path: 'body', message: 'is not valid UTF-8' };
    expect(scan(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])).details).toEqual([invalid]);
    // A sequence cut short, and a surrogate encoded in three bytes.
    expect(scan(Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xe2, 0x82]), Buffer.from('"}')])).details).toEqual([invalid]);
    expect(scan(Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')])).details).toEqual([invalid]);
  });
});

// Generated bodies: values written with random whitespace and random escapes, objects whose keys may repeat.
type Node = null | boolean | number | string | Node[] | { members: Array<[string, Node]> };

/** A small deterministic generator, so that one generated seed decides every spelling choice. */
function chooser(seed: number) {
  let state = seed >>> 0;
  return (n: number) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
}

const WHITESPACE = ['', '', '', ' ', '\n', '\t', '\r\n', '  '];

function writeString(value: string, choose: (n: number) => number): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    const escaped = `\\u${code.toString(16).padStart(4, '0')}`;
    const pair = code >= 0xd800 && code <= 0xdbff && i + 1 < value.length && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    if (pair && choose(2) === 0) {
      out += value.slice(i, i + 2);
      i++;
    } else if (code >= 0xd800 && code <= 0xdfff) out += choose(2) ? escaped : escaped.toUpperCase().replace('\\U', '\\u');
    else if (code === 0x22) out += choose(2) ? '\\"' : escaped;
    else if (code === 0x5c) out += choose(2) ? '\\\\' : escaped;
    else if (code < 0x20) out += choose(2) ? JSON.stringify(value[i]).slice(1, -1) : escaped;
    else out += choose(4) === 0 ? escaped : value[i];
  }
  return `${out}"`;
}

function write(node: Node, choose: (n: number) => number): string {
  const ws = () => WHITESPACE[choose(WHITESPACE.length)];
  if (typeof node === 'string') return writeString(node, choose);
  if (node === null || typeof node !== 'object') return JSON.stringify(node);
  if (Array.isArray(node)) return `[${ws()}${node.map((item) => write(item, choose)).join(`${ws()},${ws()}`)}${ws()}]`;
  return `{${ws()}${node.members.map(([key, value]) => `${writeString(key, choose)}${ws()}:${ws()}${write(value, choose)}`).join(`${ws()},${ws()}`)}${ws()}}`;
}

/** The duplicate keys, in the order of the text: the reference the scanner is held to. */
function referenceDuplicates(node: Node, path: Array<string | number>, out: string[]): string[] {
  if (Array.isArray(node)) node.forEach((item, i) => referenceDuplicates(item, [...path, i], out));
  else if (node !== null && typeof node === 'object') {
    const seen = new Set<string>();
    for (const [key, value] of node.members) {
      if (seen.has(key)) out.push([...path, key].join('.'));
      seen.add(key);
      referenceDuplicates(value, [...path, key], out);
    }
  }
  return out;
}

const key = fc.oneof(
  fc.constantFrom('k', 'a', 'b', 'a.b', '"', '\\', 'é', '😀', '', '{', '}]', 'a\\"', '\u0000'),
  fc.string({ maxLength: 5, unit: 'binary' }),
);
const { node } = fc.letrec<{ node: Node; object: Node; array: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ maxLength: 6, unit: 'binary' }),
    tie('object'),
    tie('array'),
  ),
  object: fc.array(fc.tuple(key, tie('node')), { maxLength: 12 }).map((members) => ({ members })),
  array: fc.array(tie('node'), { maxLength: 4 }),
}));
const object = fc.array(fc.tuple(key, node), { maxLength: 6 }).map((members): Node => ({ members }));

describe('generated bodies', () => {
  it('find the same duplicate keys as the reference', () => {
    fc.assert(
      fc.property(node, fc.integer(), (value, seed) => {
        const text = write(value, chooser(seed));
        JSON.parse(text);
        expect(scan(text).details).toEqual(referenceDuplicates(value, [], []).slice(0, 20).map(dup));
      }),
      { numRuns: 500 },
    );
  });

  it('give the exact text of `payload` and of every `events.<i>.payload`', () => {
    fc.assert(
      fc.property(object, fc.array(fc.tuple(object, object), { minLength: 1, maxLength: 6 }), fc.integer(), (payload, events, seed) => {
        const choose = chooser(seed);
        const ws = () => WHITESPACE[choose(WHITESPACE.length)];
        const payloadText = write(payload, choose);
        const single = `${ws()}{${ws()}"type"${ws()}:${ws()}"a.b"${ws()},${ws()}"payload"${ws()}:${ws()}${payloadText}${ws()}}${ws()}`;
        JSON.parse(single);
        expect(sourceText(scan(single).req, ['payload'])).toBe(payloadText);

        const texts = events.map(([p]) => write(p, choose));
        const eventTexts = events.map(([, rest], i) => {
          const members = (rest as { members: Array<[string, Node]> }).members.filter(([k]) => k !== 'payload');
          const before = members.slice(0, choose(members.length + 1));
          const after = members.slice(before.length);
          const written = (list: Array<[string, Node]>) =>
            list.map(([k, v]) => `${writeString(k, choose)}${ws()}:${ws()}${write(v, choose)}${ws()},${ws()}`).join('');
          return `{${ws()}${written(before)}${writeString('payload', choose)}${ws()}:${ws()}${texts[i]}${ws()}${after.length ? `,${ws()}${written(after).replace(/,\s*$/, '')}` : ''}}`;
        });
        const batch = `{${ws()}"events"${ws()}:${ws()}[${ws()}${eventTexts.join(`${ws()},${ws()}`)}${ws()}]${ws()}}`;
        JSON.parse(batch);
        const { req } = scan(batch);
        texts.forEach((text, i) => expect(sourceText(req, ['events', i, 'payload'])).toBe(text));
      }),
      { numRuns: 300 },
    );
  });

  it('never throw or hang on text JSON.parse would refuse', () => {
    const token = fc.constantFrom('{', '}', '[', ']', '"', '\\', ',', ':', 'a', '1', ' ', '"k"', '\\"', '\u00e9', '\ud800');
    fc.assert(
      fc.property(fc.array(token, { maxLength: 60 }), (tokens) => {
        const { req, details } = scan(tokens.join(''));
        expect(Array.isArray(details)).toBe(true);
        for (const path of [[], ['payload'], ['events', 0, 'payload']] as JsonPath[]) {
          try {
            sourceText(req, path);
          } catch (error) {
            expect(String(error)).toContain('no JSON object');
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});
