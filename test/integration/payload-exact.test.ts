// The receiver gets the `payload` member's JSON text exactly as the producer sent it (every number
// spelling, escape, space and key order), signed over those bytes; single posts, batches, test events and
// redeliveries alike, and GET /v1/events/:id answers the same text. Duplicate keys are refused, naming them.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { useStack } from '../support/use-stack.js';
import type { Received } from '../support/receiver.js';

const stack = useStack();
const { receiver } = stack;

/** Payload texts that JSON.parse and JSON.stringify would rewrite, each posted as written. */
const SPELLINGS: Array<[string, string]> = [
  ['an integer past 2^53', '{"id":12345678901234567890}'],
  ['a trailing zero fraction', '{"f":2.0,"g":10.50}'],
  ['exponents in both cases and signs', '{"e":1E2,"e2":1e+2,"e3":1.5e-7,"e4":0e0}'],
  ['negative zero', '{"neg":-0.0,"neg2":-0}'],
  ['more digits than a double holds', '{"d":0.1000000000000000055511151231257827}'],
  ['numbers beyond a double', '{"big":1e400,"small":-1e-400}'],
  ['escapes', '{"s":"\\u00e9\\/\\n\\t\\"","emoji":"\\ud83d\\ude00","raw":"é😀"}'],
  ['a lone surrogate escape and an escaped NUL', '{"lone":"\\ud800","nul":"\\u0000"}'],
  ['whitespace and newlines between tokens', '{ "a" : [ 1 ,\n 2 ] ,\r\n\t"b":{ } }'],
  ['key order that is not sorted', '{"z":1,"a":2,"m":{"y":1,"b":2}}'],
];

function verify(secret: string, req: Received): void {
  new Webhook(secret).verify(req.body, {
    'webhook-id': String(req.headers['webhook-id']),
    'webhook-timestamp': String(req.headers['webhook-timestamp']),
    'webhook-signature': String(req.headers['webhook-signature']),
  });
}

const envelope = (tenantId: string, id: string, payload: string, type = 'exact.checked') =>
  `{"id":"${id}","tenant_id":"${tenantId}","environment":"production","type":"${type}","payload":${payload}}`;

async function postRaw(path: string, body: string) {
  const res = await fetch(`${stack.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' },
    body,
  });
  return { status: res.status, text: await res.text() };
}

const bodyFor = (path: string, eventId: string) => receiver.forPath(path).filter((r) => r.headers['webhook-id'] === eventId);

describe('the payload as posted', () => {
  it.each(SPELLINGS)('%s: delivered byte for byte, signed over those bytes, read back the same', async (_name, payload) => {
    const t = await stack.tenant();
    const sub = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/exact/${t.id}`, retry_policy: 'none' });
    const id = `exact-${t.id}`;
    expect((await postRaw('/v1/events', envelope(t.id, id, payload))).status).toBe(202);
    expect((await stack.settle(t.id, id)).outcome).toBe('succeeded');
    const [delivered] = bodyFor(`/exact/${t.id}`, id);
    expect(delivered!.body).toBe(payload);
    verify(sub.secret, delivered!);
    const read = await fetch(`${stack.url}/v1/events/${id}`, { headers: { authorization: `Bearer ${t.api_key}` } });
    expect(await read.text()).toContain(`"payload":${payload},`);
  });

  it('batch, test event and redelivery keep the text too; field_map renames key tokens only', async () => {
    const t = await stack.tenant();
    const plain = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/exact-batch/${t.id}`, retry_policy: 'none' });
    await stack.api.subscribe(t.api_key, {
      url: `${receiver.url}/exact-mapped/${t.id}`,
      retry_policy: 'none',
      field_map: { id: 'ID', neg: 'negative' },
    });
    const events = SPELLINGS.map(([, payload], i) => envelope(t.id, `batch-${i}`, payload));
    const answer = await postRaw('/v1/events/batch', `{"events":[${events.join(',')}]}`);
    expect(answer.status).toBe(202);
    for (const [i, [, payload]] of SPELLINGS.entries()) {
      expect((await stack.settle(t.id, `batch-${i}`)).outcome).toBe('succeeded');
      expect(bodyFor(`/exact-batch/${t.id}`, `batch-${i}`)[0]!.body).toBe(payload);
      const mapped = payload.replace('"id":', '"ID":').replace('"neg":', '"negative":');
      expect(bodyFor(`/exact-mapped/${t.id}`, `batch-${i}`)[0]!.body).toBe(mapped);
    }

    const testPayload = SPELLINGS[0]![1].replace('}', ',"n":1.10}');
    const test = await stack.api.call('POST', `/v1/subscriptions/${plain.id}/test`, t.api_key, `{"payload":${testPayload}}`);
    expect(test.status).toBe(202);
    await receiver.waitFor(`/exact-batch/${t.id}`, SPELLINGS.length + 1);
    const testBody = bodyFor(`/exact-batch/${t.id}`, test.body.event_id)[0]!;
    expect(testBody.body).toBe(testPayload);
    verify(plain.secret, testBody);

    const { rows } = await stack.pool.query<{ id: string }>('SELECT id FROM deliveries WHERE event_id = $1 AND subscription_id = $2', [
      'batch-4',
      plain.id,
    ]);
    const again = await stack.api.as(t.api_key).POST('/v1/deliveries/{id}/redeliver', { params: { path: { id: rows[0]!.id } } });
    expect(again.response.status).toBe(202);
    await receiver.waitFor(`/exact-batch/${t.id}`, SPELLINGS.length + 2);
    const redelivered = bodyFor(`/exact-batch/${t.id}`, 'batch-4');
    expect(redelivered.map((r) => r.body)).toEqual([SPELLINGS[4]![1], SPELLINGS[4]![1]]);
  });

  it('a schema in the catalog validates without changing a number it cannot represent', async () => {
    const t = await stack.tenant();
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/exact-schema/${t.id}`, event_types: ['exact.schema'], retry_policy: 'none' });
    const put = await stack.api.as(stack.adminToken).PUT('/v1/event-types/{type}', {
      params: { path: { type: 'exact.schema' } },
      body: {
        description: 'numbers',
        schema: { type: 'object', required: ['id'], properties: { id: { type: 'integer' }, big: { type: 'number' } } },
      },
    });
    expect([200, 201]).toContain(put.response.status);
    const payload = '{"id":12345678901234567890,"big":1e400,"f":2.0}';
    expect((await postRaw('/v1/events', envelope(t.id, 'schema-ok', payload, 'exact.schema'))).status).toBe(202);
    expect((await stack.settle(t.id, 'schema-ok')).outcome).toBe('succeeded');
    expect(bodyFor(`/exact-schema/${t.id}`, 'schema-ok')[0]!.body).toBe(payload);
  });

  it('any JSON text, spelled at random, reaches the receiver unchanged (property)', async () => {
    const t = await stack.tenant();
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/exact-any/${t.id}`, retry_policy: 'none' });
    const payloads = fc.sample(jsonObjectText, { numRuns: 40, seed: 20261204 });
    const events = payloads.map((payload, i) => envelope(t.id, `any-${i}`, payload));
    const answer = await postRaw('/v1/events/batch', `{"events":[${events.join(',')}]}`);
    expect(answer.status, answer.text).toBe(202);
    await receiver.waitFor(`/exact-any/${t.id}`, payloads.length, 60_000);
    for (const [i, payload] of payloads.entries()) expect(bodyFor(`/exact-any/${t.id}`, `any-${i}`)[0]!.body).toBe(payload);
  });
});

describe('what is refused', () => {
  it.each([
    ['a duplicate key in the payload', (t: string) => envelope(t, 'dup-1', '{"k":1,"k":2}'), 'payload.k'],
    [
      'a duplicate key deep in the payload',
      (t: string) => envelope(t, 'dup-2', '{"a":[{"k":1},{"k":1,"x":{"\\u006b":0,"k":2}}]}'),
      'payload.a.1.x.k',
    ],
    ['a duplicate key in the envelope', (t: string) => envelope(t, 'dup-3', '{}').replace('{"id"', `{"type":"a.b","id"`), 'type'],
  ])('%s: 400 naming it', async (_name, body, path) => {
    const t = await stack.tenant();
    const answer = await postRaw('/v1/events', body(t.id));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).error.details).toContainEqual({ path, message: 'duplicate key' });
    const { rows } = await stack.pool.query('SELECT 1 FROM events WHERE tenant_id = $1', [t.id]);
    expect(rows).toHaveLength(0);
  });

  it('a duplicate key in one event of a batch: 400 naming events.<i>.payload.<key>, nothing stored', async () => {
    const t = await stack.tenant();
    const answer = await postRaw('/v1/events/batch', `{"events":[${envelope(t.id, 'b-0', '{}')},${envelope(t.id, 'b-1', '{"a":{"k":1,"k":1}}')}]}`);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).error.details).toContainEqual({ path: 'events.1.payload.a.k', message: 'duplicate key' });
    expect((await stack.pool.query('SELECT 1 FROM events WHERE tenant_id = $1', [t.id])).rows).toHaveLength(0);
  });

  it('a body that is not UTF-8: 400 naming the body', async () => {
    const t = await stack.tenant();
    const bytes = Buffer.concat([Buffer.from(envelope(t.id, 'latin1', '{"s":"').slice(0, -1)), Buffer.from([0xe9]), Buffer.from('"}}')]);
    const res = await fetch(`${stack.url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' },
      body: bytes,
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.details).toContainEqual({ path: 'body', message: 'is not valid UTF-8' });
  });
});

// JSON object texts with the spellings a producer's serializer might choose: any number form, escapes,
// whitespace between tokens, unsorted keys (unique per object).
const ws = fc.constantFrom('', ' ', '\n', '\t', '  ', '\r\n');
const digits = fc.stringMatching(/^[0-9]{1,25}$/);
const numberText = fc
  .tuple(
    fc.constantFrom('', '-'),
    fc.oneof(fc.constant('0'), fc.stringMatching(/^[1-9][0-9]{0,25}$/)),
    fc.option(
      digits.map((d) => `.${d}`),
      { nil: '' },
    ),
    fc.option(
      fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits).map(([e, s, d]) => `${e}${s}${d.slice(0, 3)}`),
      { nil: '' },
    ),
  )
  .map((parts) => parts.join(''));
const stringChar = fc.oneof(
  fc.string({ maxLength: 3 }).map((s) => JSON.stringify(s).slice(1, -1)),
  fc.constantFrom('\\/', '\\u00e9', '\\uD83D\\uDE00', '\\ud800', '\\u0000', '\\b', '\\f', 'é', '😀'),
);
const stringText = fc.array(stringChar, { maxLength: 4 }).map((parts) => `"${parts.join('')}"`);
const { value: jsonText } = fc.letrec<{ value: string; object: string; array: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    numberText,
    stringText,
    fc.constantFrom('true', 'false', 'null'),
    tie('object'),
    tie('array'),
  ),
  object: fc
    .uniqueArray(fc.tuple(fc.string({ maxLength: 4 }), tie('value')), { maxLength: 4, selector: ([key]) => key })
    .chain((members) =>
      fc
        .tuple(fc.constant(members), ws, ws)
        .map(([m, a, b]) => `{${a}${m.map(([k, v]) => `${JSON.stringify(k)}${b}:${a}${v}`).join(`${b},${a}`)}${b}}`),
    ),
  array: fc.array(tie('value'), { maxLength: 4 }).chain((items) => ws.map((w) => `[${w}${items.join(`,${w}`)}${w}]`)),
}));
const jsonObjectText = fc
  .uniqueArray(fc.tuple(fc.string({ maxLength: 6 }), jsonText), { maxLength: 6, selector: ([key]) => key })
  .chain((members) => ws.map((w) => `{${w}${members.map(([k, v]) => `${JSON.stringify(k)}:${w}${v}`).join(`,${w}`)}}`));
