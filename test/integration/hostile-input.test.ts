// A hostile but fair caller gets a 4xx naming the field, never a 500.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '../support/api.js';
import { startStack, type Stack } from '../support/stack.js';
import { MAX_JSON_DEPTH } from '../../src/api/schemas/common.js';
import { ObservedStatuses } from '../support/observed-statuses.js';

let stack: Stack;
let tenant: { id: string; api_key: string };
let other: { id: string; api_key: string };
let subId: string;
let eventId: string;
let otherTenantsCursor: string;
let otherTenantsAuditCursor: string;

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nested = (depth: number) => `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`;

beforeAll(async () => {
  stack = await startStack({ noWorker: true });
  tenant = await stack.api.createTenant(stack.adminToken, 'hostile');
  other = await stack.api.createTenant(stack.adminToken, 'other');
  subId = (await stack.api.subscribe(tenant.api_key, { url: 'https://example.com/a' })).id;
  for (let i = 0; i < 2; i++) await stack.api.subscribe(other.api_key, { url: `https://example.com/${i}` });
  const asOther = stack.api.as(other.api_key);
  otherTenantsCursor = (await ok(asOther.GET('/v1/subscriptions', { params: { query: { limit: 1 } } }))).next_cursor!;
  otherTenantsAuditCursor = (await ok(asOther.GET('/v1/audit', { params: { query: { limit: 1 } } }))).next_cursor!;
  const posted = await stack.api.postEvent(stack.adminToken, { tenant_id: tenant.id, environment: 'production', type: 'user.created', payload: {} });
  eventId = posted.body.id;
});
afterAll(async () => stack?.stop());

interface Case {
  item: number;
  what: string;
  method: string;
  path: () => string;
  token: 'admin' | 'tenant' | 'none';
  body?: unknown;
  /** Sent as is (a string of JSON the client's serializer could not write, or compressed bytes). */
  raw?: string | Buffer;
  headers?: Record<string, string>;
  /** Runs first (e.g. the writes a conflict needs); may return the path to use. */
  before?: () => Promise<string | void>;
  status: number;
  /** A path named in `details` (prefix match for keys that carry the NUL). */
  field?: string;
}

const url = 'https://example.com/hook';
/** An event body; TENANT_ID becomes the test tenant's id when sent (the table is built before the tenant exists). */
const event = (over: Record<string, unknown>) => ({ tenant_id: 'TENANT_ID', environment: 'production', type: 'user.created', payload: {}, ...over });
const cursorCases = (path: string): Case[] =>
  [
    ['["1","x"]', b64(['1', 'x'])],
    ['["foo 1","x"]', b64(['foo 1', 'x'])],
    ['year 0', b64(['0000-01-01T00:00:00Z', 'x'])],
    ['year 300000', b64(['+300000-01-01T00:00:00Z', 'x'])],
    ['garbage', '!!!'],
    ['32 characters, not signed', 'A'.repeat(32)],
    ['seq 0', Buffer.alloc(24).toString('base64url')],
    ["another tenant's", 'OTHER'],
  ].map(([what, cursor]) => ({
    item: 4,
    what: `${path} cursor ${what}`,
    method: 'GET',
    token: 'tenant',
    status: 400,
    field: 'cursor',
    path: () => `${path}?cursor=${encodeURIComponent(cursor === 'OTHER' ? otherTenantsCursor : cursor!)}`,
  }));

const CASES: Case[] = [
  // 1. durations that fail the format check
  ...[
    { initial_interval: '1.5s', maximum_attempts: 3 },
    { initial_interval: '5sec', maximum_attempts: 3 },
  ].flatMap((retry_policy) => [
    {
      item: 1,
      what: `create ${retry_policy.initial_interval}`,
      method: 'POST',
      path: () => '/v1/subscriptions',
      token: 'tenant' as const,
      body: { url, retry_policy },
      status: 400,
      field: 'retry_policy.initial_interval',
    },
    {
      item: 1,
      what: `patch ${retry_policy.initial_interval}`,
      method: 'PATCH',
      path: () => `/v1/subscriptions/${subId}`,
      token: 'tenant' as const,
      body: { retry_policy },
      status: 400,
      field: 'retry_policy.initial_interval',
    },
  ]),
  {
    item: 1,
    what: 'max_duration abc',
    method: 'POST',
    path: () => '/v1/subscriptions',
    token: 'tenant',
    body: { url, retry_policy: { max_duration: 'abc' } },
    status: 400,
    field: 'retry_policy.max_duration',
  },
  {
    item: 1,
    what: 'both intervals bad',
    method: 'PATCH',
    path: () => `/v1/subscriptions/${subId}`,
    token: 'tenant',
    body: { retry_policy: { initial_interval: 'x', maximum_interval: '1.5h', maximum_attempts: 2 } },
    status: 400,
    field: 'retry_policy.maximum_interval',
  },
  // 2. NUL anywhere
  { item: 2, what: 'tenant name', method: 'POST', path: () => '/v1/tenants', token: 'admin', body: { name: 'a\u0000b' }, status: 400, field: 'name' },
  {
    item: 2,
    what: 'url',
    method: 'POST',
    path: () => '/v1/subscriptions',
    token: 'tenant',
    body: { url: 'https://example.com/\u0000' },
    status: 400,
    field: 'url',
  },
  {
    item: 2,
    what: 'description',
    method: 'POST',
    path: () => '/v1/subscriptions',
    token: 'tenant',
    body: { url, description: 'x\u0000' },
    status: 400,
    field: 'description',
  },
  {
    item: 2,
    what: 'field_map value',
    method: 'POST',
    path: () => '/v1/subscriptions',
    token: 'tenant',
    body: { url, field_map: { a: 'b\u0000' } },
    status: 400,
    field: 'field_map.a',
  },
  {
    item: 2,
    what: 'field_map key',
    method: 'POST',
    path: () => '/v1/subscriptions',
    token: 'tenant',
    body: { url, field_map: { 'a\u0000': 'b' } },
    status: 400,
    field: 'field_map.a',
  },
  {
    item: 2,
    what: 'header value',
    method: 'POST',
    path: () => '/v1/subscriptions',
    token: 'tenant',
    body: { url, headers: { 'x-a': 'b\u0000' } },
    status: 400,
    field: 'headers.x-a',
  },
  {
    item: 2,
    what: 'patch description',
    method: 'PATCH',
    path: () => `/v1/subscriptions/${subId}`,
    token: 'tenant',
    body: { description: '\u0000' },
    status: 400,
    field: 'description',
  },
  {
    item: 2,
    what: 'patch field_map',
    method: 'PATCH',
    path: () => `/v1/subscriptions/${subId}`,
    token: 'tenant',
    body: { field_map: { a: '\u0000' } },
    status: 400,
    field: 'field_map.a',
  },
  {
    item: 2,
    what: 'webhook url',
    method: 'PUT',
    path: () => '/v1/webhooks/users',
    token: 'tenant',
    body: { url: 'https://example.com/\u0000' },
    status: 400,
    field: 'url',
  },
  {
    item: 2,
    what: 'event tenant_id',
    method: 'POST',
    path: () => '/v1/events',
    token: 'admin',
    body: event({ tenant_id: 'ten_\u0000' }),
    status: 400,
    field: 'tenant_id',
  },
  {
    item: 2,
    what: 'extraction user_id',
    method: 'POST',
    path: () => '/v1/events',
    token: 'admin',
    body: event({ type: 'failure.extraction', payload: { user_id: '\u0000', data_source: 'd', reason: 'permission_denied' } }),
    status: 400,
    field: 'payload.user_id',
  },
  ...(
    [
      ['GET', '/v1/subscriptions/%00'],
      ['PATCH', '/v1/subscriptions/%00'],
      ['DELETE', '/v1/subscriptions/%00'],
      ['POST', '/v1/subscriptions/%00/rotate-secret'],
      ['GET', '/v1/events/%00'],
      ['GET', '/v1/deliveries/%00'],
      ['POST', '/v1/deliveries/%00/redeliver'],
      ['GET', '/v1/events/evt%00x'],
    ] as const
  ).map(([method, path]): Case => ({
    item: 2,
    what: `${method} ${path}`,
    method,
    path: () => path,
    token: 'tenant',
    status: 400,
    field: 'id',
    ...(method === 'PATCH' ? { body: {} } : {}),
  })),
  {
    item: 2,
    what: 'event type name',
    method: 'PUT',
    path: () => '/v1/event-types/%00',
    token: 'admin',
    body: { description: 'd' },
    status: 400,
    field: 'type',
  },
  {
    item: 2,
    what: 'event type description',
    method: 'PUT',
    path: () => '/v1/event-types/a.b',
    token: 'admin',
    body: { description: 'd\u0000' },
    status: 400,
    field: 'description',
  },
  { item: 2, what: 'event types query', method: 'GET', path: () => '/v1/event-types?x=%00', token: 'tenant', status: 400, field: 'x' },
  // The portal's routes (uncovered on this branch's base; main covers them too since, so either may go at the merge).
  {
    item: 2,
    what: 'portal link tenant id',
    method: 'POST',
    path: () => '/v1/tenants/%00/portal-sessions',
    token: 'admin',
    body: {},
    status: 400,
    field: 'id',
  },
  {
    item: 2,
    what: 'test event subscription id',
    method: 'POST',
    path: () => '/v1/subscriptions/%00/test',
    token: 'tenant',
    status: 400,
    field: 'id',
  },
  { item: 2, what: 'stats subscription id', method: 'GET', path: () => '/v1/subscriptions/%00/stats', token: 'tenant', status: 400, field: 'id' },
  { item: 2, what: 'purge tenant id', method: 'DELETE', path: () => '/v1/tenants/%00', token: 'admin', status: 400, field: 'id' },
  {
    item: 2,
    what: 'recover since',
    method: 'POST',
    path: () => `/v1/subscriptions/${subId}/recover`,
    token: 'tenant',
    body: { since: '2026\u0000' },
    status: 400,
    field: 'since',
  },
  { item: 2, what: 'query event_id', method: 'GET', path: () => '/v1/deliveries?event_id=%00', token: 'tenant', status: 400, field: 'event_id' },
  {
    item: 2,
    what: 'query subscription_id',
    method: 'GET',
    path: () => '/v1/deliveries?subscription_id=a%00',
    token: 'tenant',
    status: 400,
    field: 'subscription_id',
  },
  {
    item: 2,
    what: 'query tenant_id',
    method: 'GET',
    path: () => `/v1/events/${eventId}?tenant_id=%00`,
    token: 'admin',
    status: 400,
    field: 'tenant_id',
  },
  {
    item: 2,
    what: 'query environment',
    method: 'PUT',
    path: () => '/v1/webhooks/users?environment=%00',
    token: 'tenant',
    body: { url },
    status: 400,
    field: 'environment',
  },
  { item: 2, what: 'query cursor', method: 'GET', path: () => '/v1/subscriptions?cursor=%00', token: 'tenant', status: 400, field: 'cursor' },
  // 3. malformed percent-encoding, with and without a token
  { item: 3, what: '%FF', method: 'GET', path: () => '/v1/subscriptions/%FF', token: 'none', status: 400, field: 'path' },
  { item: 3, what: '%E0%A4%A', method: 'GET', path: () => '/v1/events/%E0%A4%A', token: 'none', status: 400, field: 'path' },
  { item: 3, what: '%C0%AF with a token', method: 'DELETE', path: () => '/v1/subscriptions/%C0%AF', token: 'tenant', status: 400, field: 'path' },
  { item: 3, what: 'redeliver %', method: 'POST', path: () => '/v1/deliveries/%/redeliver', token: 'tenant', status: 400, field: 'path' },
  // 4. cursors not issued
  ...cursorCases('/v1/subscriptions'),
  ...cursorCases('/v1/deliveries'),
  // 5. deep nesting
  {
    item: 2,
    what: 'batch event tenant_id',
    method: 'POST',
    path: () => '/v1/events/batch',
    token: 'admin',
    body: { events: [event({}), event({ tenant_id: 'ten_\u0000' })] },
    status: 400,
    field: 'events.1.tenant_id',
  },
  {
    item: 5,
    what: 'batch payload 4500 arrays deep',
    method: 'POST',
    path: () => '/v1/events/batch',
    token: 'admin',
    raw: `{"events":[{"tenant_id":"x","environment":"production","type":"a.b","payload":${nested(4500)}}]}`,
    status: 400,
    field: 'events',
  },
  {
    item: 2,
    what: 'test event payload key',
    method: 'POST',
    path: () => `/v1/subscriptions/${subId}/test`,
    token: 'tenant',
    body: { payload: { 'a\u0000': 1 }, extra: 1 },
    status: 400,
    field: 'extra',
  },
  {
    item: 5,
    what: 'test event payload 4500 arrays deep',
    method: 'POST',
    path: () => `/v1/subscriptions/${subId}/test`,
    token: 'tenant',
    raw: `{"payload":${nested(4500)}}`,
    status: 400,
    field: 'payload',
  },
  {
    item: 1,
    what: 'stats window',
    method: 'GET',
    path: () => `/v1/subscriptions/${subId}/stats?window=1.5h`,
    token: 'tenant',
    status: 400,
    field: 'window',
  },
  {
    item: 1,
    what: 'portal ttl',
    method: 'POST',
    path: () => `/v1/tenants/${tenant.id}/portal-sessions`,
    token: 'admin',
    body: { ttl: '1.5h' },
    status: 400,
    field: 'ttl',
  },
  {
    item: 2,
    what: 'portal tenant id NUL',
    method: 'POST',
    path: () => '/v1/tenants/ten%00x/portal-sessions',
    token: 'admin',
    body: {},
    status: 400,
    field: 'id',
  },
  {
    item: 5,
    what: 'payload 4500 arrays deep',
    method: 'POST',
    path: () => '/v1/events',
    token: 'admin',
    raw: `{"tenant_id":"x","environment":"production","type":"a.b","payload":${nested(4500)}}`,
    status: 400,
    field: 'payload',
  },
  {
    item: 5,
    what: `payload ${MAX_JSON_DEPTH + 1} levels deep`,
    method: 'POST',
    path: () => '/v1/events',
    token: 'admin',
    raw: JSON.stringify(event({})).replace('"payload":{}', `"payload":${nested(MAX_JSON_DEPTH)}`),
    status: 400,
    field: 'payload',
  },
  {
    item: 5,
    what: 'deep field_map',
    method: 'POST',
    path: () => '/v1/subscriptions',
    token: 'tenant',
    raw: `{"url":"${url}","field_map":${nested(4500)}}`,
    status: 400,
    field: 'field_map.a',
  },
  // 6. corrupt compressed bodies
  ...['gzip', 'deflate', 'br'].map((encoding): Case => ({
    item: 6,
    what: `corrupt ${encoding}`,
    method: 'POST',
    path: () => '/v1/subscriptions',
    token: 'tenant',
    raw: Buffer.from('definitely not compressed'),
    headers: { 'content-encoding': encoding },
    status: 400,
    field: 'body',
  })),
  {
    item: 6,
    what: 'truncated gzip',
    method: 'POST',
    path: () => '/v1/events',
    token: 'admin',
    raw: gzipSync(JSON.stringify(event({}))).subarray(0, 20),
    headers: { 'content-encoding': 'gzip' },
    status: 400,
    field: 'body',
  },
  // 15. values the database refused with an unnamed 400, or changed on the way in, and values read loosely
  {
    item: 15,
    what: 'lone surrogate in a field_map value',
    method: 'POST',
    path: () => '/v1/subscriptions',
    token: 'tenant',
    body: { url, field_map: { a: 'b\ud800' } },
    status: 400,
    field: 'field_map.a',
  },
  {
    item: 15,
    what: 'lone surrogate in a field_map key',
    method: 'POST',
    path: () => '/v1/subscriptions',
    token: 'tenant',
    body: { url, field_map: { '\udc00a': 'b' } },
    status: 400,
    field: 'field_map',
  },
  {
    item: 15,
    what: 'patch lone surrogate in a field_map value',
    method: 'PATCH',
    path: () => `/v1/subscriptions/${subId}`,
    token: 'tenant',
    body: { field_map: { a: '\udbff' } },
    status: 400,
    field: 'field_map.a',
  },
  {
    item: 15,
    what: 'lone surrogate in a description',
    method: 'POST',
    path: () => '/v1/subscriptions',
    token: 'tenant',
    body: { url, description: 'x\ud800' },
    status: 400,
    field: 'description',
  },
  {
    item: 15,
    what: 'control character in a url',
    method: 'POST',
    path: () => '/v1/subscriptions',
    token: 'tenant',
    body: { url: 'https://example.com/\u0007' },
    status: 400,
    field: 'url',
  },
  {
    item: 15,
    what: 'NUL in a schema key',
    method: 'PUT',
    path: () => '/v1/event-types/a.b',
    token: 'admin',
    body: { description: 'd', schema: { properties: { 'a\u0000': {} } } },
    status: 400,
    field: 'schema.properties.a',
  },
  {
    item: 15,
    what: 'NUL in a schema string',
    method: 'PUT',
    path: () => '/v1/event-types/a.b',
    token: 'admin',
    body: { description: 'd', schema: { enum: ['ok', 'x\u0000'] } },
    status: 400,
    field: 'schema.enum.1',
  },
  {
    item: 15,
    what: 'lone surrogate in a schema string',
    method: 'PUT',
    path: () => '/v1/event-types/a.b',
    token: 'admin',
    body: { description: 'd', schema: { title: '\ud800' } },
    status: 400,
    field: 'schema.title',
  },
  {
    item: 15,
    what: 'lone surrogate in a schema key',
    method: 'PUT',
    path: () => '/v1/event-types/a.b',
    token: 'admin',
    body: { description: 'd', schema: { properties: { '\udc00': { type: 'string' } } } },
    status: 400,
    field: 'schema.properties.',
  },
  {
    item: 15,
    what: 'lone surrogate in an event type description',
    method: 'PUT',
    path: () => '/v1/event-types/a.b',
    token: 'admin',
    body: { description: 'd\ud800' },
    status: 400,
    field: 'description',
  },
  {
    item: 15,
    what: 'recover since in the future',
    method: 'POST',
    path: () => `/v1/subscriptions/${subId}/recover`,
    token: 'tenant',
    body: { since: new Date(Date.now() + 3_600_000).toISOString() },
    status: 400,
    field: 'since',
  },
  ...(
    [
      ['an array', '[]'],
      ['null', 'null'],
      ['a string', '"x"'],
      ['a number', '5'],
    ] as const
  ).flatMap(([what, raw]): Case[] => [
    { item: 15, what: `tenant body that is ${what}`, method: 'POST', path: () => '/v1/tenants', token: 'admin', raw, status: 400, field: 'body' },
    { item: 15, what: `event body that is ${what}`, method: 'POST', path: () => '/v1/events', token: 'admin', raw, status: 400, field: 'body' },
  ]),
  {
    item: 15,
    what: 'batch body that is an array',
    method: 'POST',
    path: () => '/v1/events/batch',
    token: 'admin',
    raw: '[]',
    status: 400,
    field: 'body',
  },
  {
    item: 15,
    what: 'webhook body that is an array',
    method: 'PUT',
    path: () => '/v1/webhooks/users',
    token: 'tenant',
    raw: '[]',
    status: 400,
    field: 'body',
  },
  {
    item: 15,
    what: 'header names differing only in case',
    method: 'POST',
    path: () => '/v1/subscriptions',
    token: 'tenant',
    body: { url, headers: { 'X-Team': 'a', 'x-team': 'b' } },
    status: 400,
    field: 'headers.x-team',
  },
  {
    item: 15,
    what: 'patch header names differing only in case',
    method: 'PATCH',
    path: () => `/v1/subscriptions/${subId}`,
    token: 'tenant',
    body: { headers: { 'x-team': 'a', 'X-TEAM': 'b' } },
    status: 400,
    field: 'headers.X-TEAM',
  },
  {
    item: 15,
    what: 'webhook header names differing only in case',
    method: 'PUT',
    path: () => '/v1/webhooks/accounts',
    token: 'tenant',
    body: { url, headers: { 'X-Team': 'a', 'x-Team': 'b' } },
    status: 400,
    field: 'headers.x-Team',
  },
  ...['0x10', '%205', '5%20', '1e1', '%2B5', '5.0', '', '0', '101'].flatMap((limit): Case[] => [
    {
      item: 15,
      what: `subscriptions limit=${limit}`,
      method: 'GET',
      path: () => `/v1/subscriptions?limit=${limit}`,
      token: 'tenant',
      status: 400,
      field: 'limit',
    },
    {
      item: 15,
      what: `deliveries limit=${limit}`,
      method: 'GET',
      path: () => `/v1/deliveries?limit=${limit}`,
      token: 'tenant',
      status: 400,
      field: 'limit',
    },
  ]),
  { item: 15, what: 'query value without a name', method: 'GET', path: () => '/v1/subscriptions?=5', token: 'tenant', status: 400, field: 'query' },
  {
    item: 15,
    what: 'NUL in a query value without a name',
    method: 'GET',
    path: () => '/v1/deliveries?=%00',
    token: 'tenant',
    status: 400,
    field: 'query',
  },
  {
    item: 15,
    what: 'control character in a tenant name',
    method: 'POST',
    path: () => '/v1/tenants',
    token: 'admin',
    body: { name: 'a\u0007b' },
    status: 400,
    field: 'name',
  },
  {
    item: 15,
    what: 'line break in a tenant name',
    method: 'POST',
    path: () => '/v1/tenants',
    token: 'admin',
    body: { name: 'a\nb' },
    status: 400,
    field: 'name',
  },
  {
    item: 15,
    what: 'C1 control character in a tenant name',
    method: 'POST',
    path: () => '/v1/tenants',
    token: 'admin',
    body: { name: 'a\u0085b' },
    status: 400,
    field: 'name',
  },
  {
    item: 15,
    what: 'lone surrogate in a tenant name',
    method: 'POST',
    path: () => '/v1/tenants',
    token: 'admin',
    body: { name: 'a\ud800' },
    status: 400,
    field: 'name',
  },
  {
    item: 15,
    what: 'lone surrogate in an event tenant_id',
    method: 'POST',
    path: () => '/v1/events',
    token: 'admin',
    body: event({ tenant_id: 'ten_\udfff' }),
    status: 400,
    field: 'tenant_id',
  },
  // The signature scheme: one of two names, chosen at create (docs/security.md, "Asymmetric signatures").
  ...(['rsa', 'ED25519', 'hmac-sha512', '', 'ed25519\u0000', 1, null, ['ed25519']] as unknown[]).flatMap((signature): Case[] => [
    {
      item: 15,
      what: `signature ${JSON.stringify(signature)}`,
      method: 'POST',
      path: () => '/v1/subscriptions',
      token: 'tenant',
      body: { url, signature },
      status: 400,
      field: 'signature',
    },
    {
      item: 15,
      what: `patch signature ${JSON.stringify(signature)}`,
      method: 'PATCH',
      path: () => `/v1/subscriptions/${subId}`,
      token: 'tenant',
      body: { signature },
      status: 400,
      field: 'signature',
    },
  ]),
  {
    item: 15,
    what: 'patch signature to another scheme',
    method: 'PATCH',
    path: () => `/v1/subscriptions/${subId}`,
    token: 'tenant',
    body: { signature: 'ed25519' },
    status: 400,
    field: 'signature',
  },
  {
    item: 15,
    what: 'signature on a category webhook',
    method: 'PUT',
    path: () => '/v1/webhooks/accounts',
    token: 'tenant',
    body: { url, signature: 'ed25519' },
    status: 400,
    field: 'signature',
  },
  // Producer keys and the audit log (docs/security.md): names, scopes, expiries and the log's filters.
  ...(
    [
      ['name with NUL', { name: 'a\u0000b', scopes: ['events:write'] }, 'name'],
      ['name with a control character', { name: 'a\u0007b', scopes: ['events:write'] }, 'name'],
      ['name of spaces', { name: '   ', scopes: ['events:write'] }, 'name'],
      ['name too long', { name: 'n'.repeat(201), scopes: ['events:write'] }, 'name'],
      ['name missing', { scopes: ['events:write'] }, 'name'],
      ['name not a string', { name: 5, scopes: ['events:write'] }, 'name'],
      ['no scope', { name: 'k', scopes: [] }, 'scopes'],
      ['scopes not a list', { name: 'k', scopes: 'events:write' }, 'scopes'],
      ['unknown scope', { name: 'k', scopes: ['events:read'] }, 'scopes.0'],
      ['scope in capitals', { name: 'k', scopes: ['EVENTS:WRITE'] }, 'scopes.0'],
      ['scope listed twice', { name: 'k', scopes: ['events:write', 'events:write'] }, 'scopes.1'],
      ['expires_at in the past', { name: 'k', scopes: ['events:write'], expires_at: '2001-01-01T00:00:00Z' }, 'expires_at'],
      ['expires_at not a time', { name: 'k', scopes: ['events:write'], expires_at: 'tomorrow' }, 'expires_at'],
      ['expires_at without offset', { name: 'k', scopes: ['events:write'], expires_at: '2099-01-01T00:00:00' }, 'expires_at'],
      ['expires_at a number', { name: 'k', scopes: ['events:write'], expires_at: 4102444800 }, 'expires_at'],
      ['unknown field', { name: 'k', scopes: ['events:write'], key: 'hrp_mine' }, 'key'],
    ] as const
  ).map(([what, body, field]): Case => ({
    item: 16,
    what: `key ${what}`,
    method: 'POST',
    path: () => '/v1/keys',
    token: 'admin',
    body,
    status: 400,
    field,
  })),
  { item: 16, what: 'keys cursor garbage', method: 'GET', path: () => '/v1/keys?cursor=!!!', token: 'admin', status: 400, field: 'cursor' },
  { item: 16, what: 'keys limit 0x10', method: 'GET', path: () => '/v1/keys?limit=0x10', token: 'admin', status: 400, field: 'limit' },
  { item: 16, what: 'revoke key id NUL', method: 'DELETE', path: () => '/v1/keys/%00', token: 'admin', status: 400, field: 'id' },
  { item: 16, what: 'revoke key id too long', method: 'DELETE', path: () => `/v1/keys/${'k'.repeat(129)}`, token: 'admin', status: 400, field: 'id' },
  ...(
    [
      ['action unknown', 'action=tenant.delete', 'action'],
      ['object_type unknown', 'object_type=event', 'object_type'],
      ['since not a time', 'since=yesterday', 'since'],
      ['until before since', 'since=2030-01-02T00:00:00Z&until=2030-01-01T00:00:00Z', 'until'],
      ['tenant_id NUL', 'tenant_id=%00', 'tenant_id'],
      ['actor_id empty', 'actor_id=', 'actor_id'],
      ['object_id too long', `object_id=${'o'.repeat(129)}`, 'object_id'],
      ['unknown filter', 'ip=127.0.0.1', 'ip'],
      ['limit 101', 'limit=101', 'limit'],
      ['cursor garbage', 'cursor=!!!', 'cursor'],
      ["another tenant's cursor", 'OTHER', 'cursor'],
    ] as const
  ).map(([what, query, field]): Case => ({
    item: 16,
    what: `audit ${what}`,
    method: 'GET',
    path: () => `/v1/audit?${query === 'OTHER' ? `cursor=${encodeURIComponent(otherTenantsAuditCursor)}` : query}`,
    token: 'tenant',
    status: 400,
    field,
  })),
  // 7. unique-index conflicts
  {
    item: 7,
    what: 'PATCH a sandbox category webhook into production beside the production one',
    method: 'PATCH',
    token: 'tenant',
    body: { environment: 'production' },
    path: () => '',
    status: 409,
    field: 'environment',
    before: async () => {
      const api = stack.api.as(tenant.api_key);
      const users = { category: 'users' as const };
      await ok(api.PUT('/v1/webhooks/{category}', { params: { path: users }, body: { url } }));
      const sandbox = await ok(api.PUT('/v1/webhooks/{category}', { params: { path: users, query: { environment: 'sandbox' } }, body: { url } }));
      return `/v1/subscriptions/${sandbox.id}`;
    },
  },
];

type Request = Pick<Case, 'method' | 'token' | 'body' | 'raw' | 'headers'>;

/** Every answer `send` got, checked against the document's declared statuses at the end of the file. */
const observed = new ObservedStatuses();

async function send(c: Request, path: string) {
  const token = c.token === 'admin' ? stack.adminToken : c.token === 'tenant' ? tenant.api_key : undefined;
  const headers: Record<string, string> = { ...c.headers };
  if (token) headers.authorization = `Bearer ${token}`;
  let body: string | Buffer | undefined = typeof c.raw === 'string' ? c.raw.replaceAll('TENANT_ID', tenant.id) : c.raw;
  if (body === undefined && c.body !== undefined) body = JSON.stringify(c.body).replaceAll('TENANT_ID', tenant.id);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(stack.url + path, {
    method: c.method,
    headers,
    body: typeof body === 'string' || body === undefined ? body : new Uint8Array(body),
  });
  observed.record(c.method, path, response.status);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

describe('bad input on every route: a 4xx naming the field, never a 5xx (items 1-7)', () => {
  it.each(CASES.map((c) => [`${c.item}. ${c.method} ${c.what}`, c] as const))('%s', async (_name, c) => {
    const path = (await c.before?.()) || c.path();
    const res = await send(c, path);
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
    expect(res.status, JSON.stringify(res.body)).toBe(c.status);
    expect(JSON.stringify(res.body)).not.toMatch(/\bat .*\.(ts|js):\d+/); // no stack trace
    if (c.field) {
      const paths: string[] = (res.body.error.details ?? []).map((d: { path: string }) => d.path);
      expect(
        paths.some((p) => p === c.field || p.startsWith(c.field!)),
        `${JSON.stringify(res.body)} names ${c.field}`,
      ).toBe(true);
    }
  });

  it('covers every route of the API', async () => {
    const doc = await stack.api.document();
    const v1 = Object.entries(doc.paths as Record<string, object>)
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
      .filter((r) => r.includes('/v1/'));
    const covered = new Set(
      CASES.map(
        (c) =>
          `${c.method} ${(c.path() || '/v1/subscriptions/{id}').split('?')[0]!.replace(/\/(sub_\w+|evt_\w+|ten_\w+|ten%00x|%[^/]*|evt%00x)(?=\/|$)/, '/{id}')}`,
      ).map((r) => r.replace('/v1/webhooks/users', '/v1/webhooks/{category}').replace(/\/v1\/event-types\/(\{id\}|a\.b)$/, '/v1/event-types/{type}')),
    );
    expect(v1.length).toBeGreaterThanOrEqual(12);
    expect(v1.filter((r) => !covered.has(r))).toEqual([]);
  });
});

describe('what hostile input must not change', () => {
  it('accepts a payload right at the nesting limit, and a gzip body that is valid', async () => {
    const atLimit = JSON.stringify(event({})).replace('"payload":{}', `"payload":${nested(MAX_JSON_DEPTH - 2)}`);
    expect((await send({ method: 'POST', raw: atLimit, token: 'admin' } as const, '/v1/events')).status).toBe(202);
    const gz = await send(
      { method: 'POST', token: 'tenant', raw: gzipSync(JSON.stringify({ url })), headers: { 'content-encoding': 'gzip' } } as const,
      '/v1/subscriptions',
    );
    expect(gz.status).toBe(201);
  });

  it('stores well-formed text as it was given, and reads a limit in plain digits (item 15)', async () => {
    const created = await stack.api.as(stack.adminToken).POST('/v1/tenants', { body: { name: 'Zoë 😀 Ltd' } });
    expect(created.response.status).toBe(201);
    const { rows } = await stack.pool.query('SELECT name FROM tenants WHERE id = $1', [created.data!.id]);
    expect(rows[0].name).toBe('Zoë 😀 Ltd');
    expect(created.data!.name).toBe('Zoë 😀 Ltd');
    const api = stack.api.as(tenant.api_key);
    const sub = await api.POST('/v1/subscriptions', {
      body: {
        url,
        description: 'line one\nline two\ttab',
        field_map: { naïve: '😀' },
        headers: { 'X-Team': 'a', 'X-Tenant': 'b' },
      },
    });
    expect(sub.response.status, JSON.stringify(sub.error)).toBe(201);
    expect(sub.data).toMatchObject({
      description: 'line one\nline two\ttab',
      field_map: { naïve: '😀' },
      headers: { 'X-Team': 'a', 'X-Tenant': 'b' },
    });
    for (const limit of ['1', '010', '100']) {
      const page = await stack.api.call('GET', `/v1/subscriptions?limit=${limit}`, tenant.api_key);
      expect(page.status, limit).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(Number(limit));
    }
    const since = await api.POST('/v1/subscriptions/{id}/recover', {
      params: { path: { id: subId } },
      body: { since: new Date(Date.now() - 60_000).toISOString() },
    });
    expect(since.response.status, JSON.stringify(since.error)).not.toBe(400);
  });

  it('keeps an event payload exactly as posted: __proto__, constructor and toString are ordinary keys (item 9, API side)', async () => {
    const payload = '{"z":1,"__proto__":{"polluted":true},"constructor":"c","toString":"t","data":{"__proto__":[1]}}';
    const raw = `{"tenant_id":"${tenant.id}","environment":"production","type":"user.created","payload":${payload}}`;
    const posted = await send({ method: 'POST', raw, token: 'admin' } as const, '/v1/events');
    expect(posted.status).toBe(202);
    const read = await fetch(`${stack.url}/v1/events/${posted.body.id}`, { headers: { authorization: `Bearer ${tenant.api_key}` } });
    const text = await read.text();
    expect(text).toContain(`"payload":${payload}`);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a key named __proto__ where it would be dropped, instead of dropping it silently', async () => {
    for (const field of ['field_map', 'headers']) {
      const res = await send({ method: 'POST', token: 'tenant', raw: `{"url":"${url}","${field}":{"__proto__":"x"}}` } as const, '/v1/subscriptions');
      expect(res.status).toBe(400);
      expect(res.body.error.details).toContainEqual({ path: `${field}.__proto__`, message: expect.stringContaining('__proto__') });
    }
  });
});

describe('subscription fields (items 10-13)', () => {
  const hopByHop = [
    'transfer-encoding',
    'expect',
    'keep-alive',
    'upgrade',
    'connection',
    'te',
    'trailer',
    'proxy-connection',
    'Transfer-Encoding',
    'Connection',
  ];

  it.each(hopByHop)('refuses the hop-by-hop header %s at create, PATCH and PUT (item 10)', async (name) => {
    const headers = { [name]: 'x' };
    for (const [method, path, body] of [
      ['POST', '/v1/subscriptions', { url, headers }],
      ['PATCH', `/v1/subscriptions/${subId}`, { headers }],
      ['PUT', '/v1/webhooks/accounts', { url, headers }],
    ] as const) {
      const res = await stack.api.call(method, path, tenant.api_key, body);
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(res.body.error.details).toContainEqual({ path: `headers.${name}`, message: expect.stringContaining('hop-by-hop') });
    }
  });

  it('refuses to change the event types of a category webhook, and PUT restores them (item 11)', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const api = stack.api.as(t.api_key);
    const users = { params: { path: { category: 'users' as const } } };
    const hook = await ok(api.PUT('/v1/webhooks/{category}', { ...users, body: { url } }));
    const changed = await stack.api.call('PATCH', `/v1/subscriptions/${hook.id}`, t.api_key, { event_types: ['account.*'] });
    expect(changed.status).toBe(400);
    expect(changed.body.error.details).toEqual([{ path: 'event_types', message: expect.stringContaining('user.*') }]);
    const same = await api.PATCH('/v1/subscriptions/{id}', {
      params: { path: { id: hook.id } },
      body: { event_types: ['user.*'], description: 'mine' },
    });
    expect(same.response.status).toBe(200);
    // One detached before this rule existed is put back by the next PUT.
    await stack.pool.query(`UPDATE subscriptions SET event_types = '{account.*}' WHERE id = $1`, [hook.id]);
    const put = await api.PUT('/v1/webhooks/{category}', { ...users, body: { url: 'https://example.com/new' } });
    expect(put.response.status).toBe(200);
    expect(put.data).toMatchObject({ id: hook.id, event_types: ['user.*'], url: 'https://example.com/new' });
    // A plain subscription's event types stay free.
    const plain = { params: { path: { id: subId } }, body: { event_types: ['account.*'] } };
    expect((await stack.api.as(tenant.api_key).PATCH('/v1/subscriptions/{id}', plain)).response.status).toBe(200);
  });

  it.each(['http://user:pass@example.com/', 'https://user@example.com/x', 'https://:secret@example.com/'])(
    'refuses credentials in the url %s at create, PATCH and PUT (item 12)',
    async (withCredentials) => {
      for (const [method, path, body] of [
        ['POST', '/v1/subscriptions', { url: withCredentials }],
        ['PATCH', `/v1/subscriptions/${subId}`, { url: withCredentials }],
        ['PUT', '/v1/webhooks/endpoints', { url: withCredentials }],
      ] as const) {
        const res = await stack.api.call(method, path, tenant.api_key, body);
        expect(res.status).toBe(400);
        expect(res.body.error.details).toEqual([{ path: 'url', message: expect.stringContaining('put credentials in headers') }]);
      }
    },
  );

  it.each([
    ['1.5', '1.5'],
    ['"3"', 'a string'],
    ['1e400', 'too large a number'],
  ])('names retry_policy.maximum_attempts when it is %s (item 13)', async (value) => {
    const raw = `{"url":"${url}","retry_policy":{"maximum_attempts":${value}}}`;
    const res = await send({ method: 'POST', token: 'tenant', raw } as const, '/v1/subscriptions');
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(['retry_policy.maximum_attempts']);
  });
});

describe('SSRF literals at create, PATCH and PUT with the guard on (item 14)', () => {
  let guarded: Stack;
  let key: string;
  let plain: string;
  beforeAll(async () => {
    guarded = await startStack({ noWorker: true, env: { ALLOW_PRIVATE_TARGETS: 'false' } });
    key = (await guarded.api.createTenant(guarded.adminToken)).api_key;
    plain = (await guarded.api.subscribe(key, { url: 'https://example.com/x' })).id;
  });
  afterAll(async () => guarded?.stop());

  it.each([
    'http://[::127.0.0.1]/',
    'http://[::7f00:1]/',
    'http://LOCALHOST./',
    'http://localhost./',
    'http://2130706433/',
    'http://0x7f.1/',
    'http://[::ffff:127.0.0.1]/',
    'http://[0:0:0:0:0:0:0:1]/',
    'http://0/',
  ])('refuses %s', async (target) => {
    for (const [method, path] of [
      ['POST', '/v1/subscriptions'],
      ['PATCH', `/v1/subscriptions/${plain}`],
      ['PUT', '/v1/webhooks/users'],
    ] as const) {
      const res = await guarded.api.call(method, path, key, { url: target });
      expect(res.status, `${method} ${target}`).toBe(400);
      expect(res.body.error.details).toEqual([{ path: 'url', message: expect.stringMatching(/points at a \w+ address/) }]);
    }
  });
});

// Last in the file: by then `send` has run every case above.
describe('the OpenAPI document', () => {
  it('declares, on each route, every status the hostile input above was answered', async () => {
    expect(observed.size).toBeGreaterThan(30);
    const doc = await stack.api.document();
    expect(observed.undeclared(doc)).toEqual([]);
  });
});
