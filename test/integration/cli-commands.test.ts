// Every command of the CLI, run as a child process against a real stack: what it changed (read back
// through the API or another command), what it printed, and its --json parsed. The last test checks
// that each command of src/cli/command-table.ts was run here.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS, type CommandName } from '../../src/cli/command-table.js';
import { eventually } from '../support/eventually.js';
import { cliRunner, expectPlain, field, type Run } from '../support/cli.js';
import { ok } from '../support/api.js';
import { useStack } from '../support/use-stack.js';

const stack = useStack({ env: { RETRY_TIME_SCALE: '0.01' } });
const { receiver } = stack;
const run = cliRunner(stack);

/** The commands run so far, by their table name. */
const ran = new Set<string>();
const names = Object.keys(COMMANDS);

/** Runs the CLI, notes which command of the table it was, and expects `code`. */
async function cli(args: string[], env: Record<string, string>, code = 0): Promise<Run> {
  const name = names.find((n) => args.some((word, i) => `${word} ${args[i + 1]}` === n));
  if (name) ran.add(name);
  const result = await run(args, env);
  expect(result.code, `hookrelay ${args.join(' ')}\n${result.stderr}`).toBe(code);
  expectPlain(result);
  return result;
}

const json = <T = Record<string, unknown>>(result: Run): T => JSON.parse(result.stdout) as T;

let admin: Record<string, string>;
let tenant: Record<string, string>;
let tenantId: string;
let subscriptionId: string;

describe('every hookrelay command against the stack', () => {
  beforeAll(async () => {
    admin = { ADMIN_TOKEN: stack.adminToken };
    const created = json<{ id: string; api_key: string }>(await cli(['--json', 'tenants', 'create', 'CLI every command'], admin));
    expect(created.id).toMatch(/^ten_/);
    expect(created.api_key).toMatch(/^hr_/);
    tenantId = created.id;
    tenant = { HOOKRELAY_TOKEN: created.api_key };
  });

  it('event-types put, list and get', async () => {
    const schema = '{"type":"object","required":["data"]}';
    const put = json(await cli(['event-types', 'put', 'order.placed', '--description', 'An order was placed', '--schema', schema, '--json'], admin));
    expect(put).toMatchObject({ type: 'order.placed', description: 'An order was placed', schema: JSON.parse(schema), deprecated: false });

    const list = await cli(['event-types', 'list'], tenant);
    expect(list.stdout).toMatch(/^order\.placed {2}v\d+,schema {2}An order was placed$/m);
    const got = json(await cli(['event-types', 'get', 'order.placed', '--json'], admin));
    expect(got).toEqual(put);
    const text = await cli(['event-types', 'get', 'order.placed'], tenant);
    expect(field(text.stdout, 'type')).toBe('order.placed');
    const missing = await cli(['event-types', 'get', 'order.never'], tenant, 1);
    expect(missing.stderr).toBe('error: event type order.never is not in the catalog\n');
  });

  it('subscriptions create takes every field; get prints them; list has it', async () => {
    receiver.on('/every', () => ({ status: 204 }));
    const created = json<Record<string, unknown> & { id: string }>(
      await cli(
        [
          '--json',
          'subscriptions',
          'create',
          '--url',
          `${receiver.url}/every`,
          '--description',
          'every field',
          '--event-type',
          'order.*',
          'hookrelay.test',
          '--environment',
          'production',
          '--method',
          'put',
          '--header',
          'x-team=growth',
          'x-b=2',
          '--field-map',
          'n=number',
          '--retry-policy',
          '{"initial_interval":"1s","maximum_attempts":2}',
          '--timeout-ms',
          '5000',
          '--rate-limit',
          '100/1m',
          '--ordering',
          'fifo',
          '--max-in-flight',
          '7',
          '--signature',
          'hmac-sha256',
          '--enabled',
        ],
        tenant,
      ),
    );
    subscriptionId = created.id;
    expect(created).toMatchObject({
      url: `${receiver.url}/every`,
      description: 'every field',
      event_types: ['order.*', 'hookrelay.test'],
      environment: 'production',
      method: 'PUT',
      headers: { 'x-team': 'growth', 'x-b': '2' },
      field_map: { n: 'number' },
      retry_policy: { initial_interval: '1s', maximum_attempts: 2 },
      timeout_ms: 5000,
      enabled: true,
      rate_limit: { requests: 100, per: '1m' },
      ordering: 'fifo',
      max_in_flight: 7,
      signature: 'hmac-sha256',
      category: null,
    });
    expect(created.secret).toMatch(/^whsec_/);

    const disabled = await cli(
      ['subscriptions', 'create', '--url', `${receiver.url}/off`, '--disabled', '--rate-limit', '{"requests":5,"per":"1s"}'],
      tenant,
    );
    const offId = field(disabled.stdout, 'id');
    expect(field(disabled.stdout, 'secret')).toMatch(/^whsec_/);
    const off = await stack.api.subscription(tenant.HOOKRELAY_TOKEN!, offId);
    expect(off).toMatchObject({ enabled: false, rate_limit: { requests: 5, per: '1s' } });

    const get = await cli(['subscriptions', 'get', subscriptionId], tenant);
    expect(field(get.stdout, 'id')).toBe(subscriptionId);
    expect(JSON.parse(/^rate_limit: +(.+)$/m.exec(get.stdout)![1]!)).toEqual({ requests: 100, per: '1m' });
    expect(get.stdout).toMatch(/^ordering: +fifo$/m);
    expect(get.stdout).not.toContain('whsec_');
    expect(json(await cli(['subscriptions', 'get', subscriptionId, '--json'], tenant))).toMatchObject({ id: subscriptionId, max_in_flight: 7 });

    const list = json<Array<{ id: string }>>(await cli(['subscriptions', 'list', '--json'], tenant));
    expect(list.map((s) => s.id)).toEqual(expect.arrayContaining([subscriptionId, offId]));

    const bad = await cli(['subscriptions', 'create', '--url', `${receiver.url}/x`, '--ordering', 'lifo', '--rate-limit', '0/1d'], tenant, 1);
    expect(bad.stderr).toMatch(/^ {2}ordering: /m);
    expect(bad.stderr).toMatch(/^ {2}rate_limit\.(requests|per): /m);
    const unparsable = await cli(['subscriptions', 'create', '--url', `${receiver.url}/x`, '--rate-limit', 'fast'], tenant, 1);
    expect(unparsable.stderr).toMatch(/^error: --rate-limit expects <requests>\/<period>/);
  });

  it('events send delivers with those fields; events get and follow read it; the producer credential calls no route it may not', async () => {
    const sent = await cli(
      ['events', 'send', '--tenant', tenantId, '--type', 'order.placed', '--id', 'every-1', '--payload', '{"data":{"n":1}}'],
      admin,
    );
    expect(field(sent.stdout, 'id')).toBe('every-1');
    const [delivered] = await receiver.waitFor('/every', 1);
    expect(delivered!.method).toBe('PUT');
    expect(delivered!.headers['x-team']).toBe('growth');
    expect(JSON.parse(delivered!.body)).toEqual({ data: { number: 1 } });

    const invalid = await cli(['events', 'send', '--tenant', tenantId, '--type', 'order.placed', '--payload', '{"n":1}'], admin, 1);
    expect(invalid.stderr).toMatch(/^ {2}payload/m);

    const follow = await cli(['events', 'follow', 'every-1'], tenant);
    expect(follow.stdout.trim().split('\n').at(-1)).toBe('1 delivery: 1 succeeded');
    const event = json<{ id: string; deliveries: Array<{ status: string }> }>(await cli(['events', 'get', 'every-1', '--json'], tenant));
    expect(event).toMatchObject({ id: 'every-1', tenant_id: tenantId, deliveries: [{ status: 'succeeded' }] });
    const text = await cli(['events', 'get', 'every-1', '--tenant', tenantId], admin);
    expect(text.stdout).toMatch(/^delivery dlv_\S+ → subscription sub_\S+: succeeded after 1 attempt$/m);

    // Through a proxy that records every answer: following with the admin token reads only the event.
    const statuses: string[] = [];
    const proxy = http.createServer((req, res) => {
      const target = new URL(req.url!, stack.url);
      const forward = http.request(target, { method: req.method, headers: req.headers }, (answer) => {
        statuses.push(`${req.method} ${target.pathname} ${answer.statusCode}`);
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      });
      req.pipe(forward);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const viaProxy = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const asAdmin = await cli(['--api', viaProxy, 'events', 'follow', 'every-1', '--tenant', tenantId, '--json'], admin);
      expect(json(asAdmin)).toMatchObject({ id: 'every-1' });
      expect(statuses.length).toBeGreaterThan(0);
      expect(statuses.filter((s) => !s.endsWith(' 200'))).toEqual([]);
      expect(statuses.every((s) => s.startsWith('GET /v1/events/every-1 '))).toBe(true);
    } finally {
      proxy.close();
    }

    const batchFile = path.join(mkdtempSync(path.join(tmpdir(), 'hookrelay-cli-')), 'batch.json');
    const one = { tenant_id: tenantId, environment: 'production', type: 'order.placed', payload: { data: { n: 2 } } };
    writeFileSync(
      batchFile,
      JSON.stringify([
        { ...one, id: 'every-b1' },
        { ...one, id: 'every-1' },
      ]),
    );
    const batch = await cli(['events', 'send-batch', '--file', batchFile], admin);
    expect(batch.stdout).toMatch(/^every-b1 {2}accepted {2}\S+$/m);
    expect(batch.stdout).toMatch(/^every-1 {2}duplicate {2}\S+$/m);
    writeFileSync(batchFile, JSON.stringify({ events: [{ ...one, id: 'every-b2' }] }));
    expect(json<{ data: unknown[] }>(await cli(['--json', 'events', 'send-batch', '--file', batchFile], admin)).data).toHaveLength(1);
  });

  it('deliveries list, get, redeliver (with --follow) and follow', async () => {
    const page = json<{ data: Array<{ id: string; event_id: string }>; next_cursor: string | null }>(
      await cli(['deliveries', 'list', '--event', 'every-1', '--json'], tenant),
    );
    expect(page.data).toHaveLength(1);
    const deliveryId = page.data[0]!.id;
    const text = await cli(['deliveries', 'list', '--subscription', subscriptionId, '--status', 'succeeded', '--limit', '1'], tenant);
    expect(text.stdout.split('\n')[0]).toMatch(/^dlv_\S+ {2}every-\S+ {2}order\.placed {2}→ sub_\S+ {2}succeeded after 1 attempt$/);
    await eventually(
      async () =>
        (await ok(stack.api.as(tenant.HOOKRELAY_TOKEN!).GET('/v1/deliveries', { params: { query: { subscription_id: subscriptionId } } }))).data
          .length >= 2
          ? true
          : undefined,
      {
        what: 'two deliveries',
      },
    );
    const paged = await cli(['deliveries', 'list', '--subscription', subscriptionId, '--limit', '1'], tenant);
    const cursor = /^more: add --cursor (\S+)$/m.exec(paged.stdout)?.[1];
    expect(cursor).toBeDefined();
    const next = json<{ data: Array<{ id: string }> }>(
      await cli(['deliveries', 'list', '--subscription', subscriptionId, '--limit', '1', '--cursor', cursor!, '--json'], tenant),
    );
    expect(next.data[0]!.id).not.toBe(/^(dlv_\S+)/.exec(paged.stdout)![1]);

    const got = await cli(['deliveries', 'get', deliveryId], tenant);
    expect(field(got.stdout, 'status')).toBe('succeeded');
    expect(got.stdout).toMatch(/^attempt 1 {2}\S+ {2}HTTP 204 {2}\d+ ms$/m);
    expect(json(await cli(['deliveries', 'get', deliveryId, '--json'], tenant))).toMatchObject({
      id: deliveryId,
      attempts: [{ number: 1, status_code: 204 }],
    });

    const again = json<{ delivery: { id: string; redelivery_of?: string }; workflow_id: string }>(
      await cli(['deliveries', 'redeliver', deliveryId, '--json'], tenant),
    );
    expect(again.delivery.id).not.toBe(deliveryId);
    const followed = await cli(['deliveries', 'follow', again.delivery.id], tenant);
    expect(followed.stdout.trim().split('\n').at(-1)).toBe('succeeded after 1 attempt');
    const redeliverFollow = await cli(['deliveries', 'redeliver', deliveryId, '--follow'], tenant);
    expect(redeliverFollow.stdout.trim().split('\n').at(-1)).toBe('succeeded after 1 attempt');
  });

  it('subscriptions test, stats, rotate-secret and recover', async () => {
    const test = json<{ delivery_id: string; event_id: string }>(
      await cli(['subscriptions', 'test', subscriptionId, '--payload', '{"hello":"cli"}', '--json'], tenant),
    );
    const followed = await cli(['--json', 'deliveries', 'follow', test.delivery_id], tenant);
    expect(json(followed)).toMatchObject({ id: test.delivery_id, status: 'succeeded' });
    const received = receiver.forPath('/every').map((r) => r.body);
    expect(received).toContain('{"hello":"cli"}');

    const stats = json<{ attempts: number; successes: number; window: string }>(
      await cli(['subscriptions', 'stats', subscriptionId, '--window', '1h', '--json'], tenant),
    );
    expect(stats.window).toBe('1h');
    expect(stats.attempts).toBeGreaterThanOrEqual(4);
    expect(stats.successes).toBe(stats.attempts);
    const statsText = await cli(['subscriptions', 'stats', subscriptionId], tenant);
    expect(field(statsText.stdout, 'window')).toBe('24h');

    const rotated = await cli(['subscriptions', 'rotate-secret', subscriptionId], tenant);
    expect(field(rotated.stdout, 'secret')).toMatch(/^whsec_/);
    expect(rotated.stdout).toMatch(/^previous secret signs until \S+$/m);
    expect(rotated.stderr).toMatch(/shown only this once/);

    // A subscription whose receiver fails, once, then answers: recover redelivers its failed delivery.
    receiver.on('/recover', (_req, n) => (n === 1 ? { status: 500 } : { status: 204 }));
    const failing = field(
      (await cli(['subscriptions', 'create', '--url', `${receiver.url}/recover`, '--event-type', 'user.*', '--retry-policy', 'none'], tenant)).stdout,
      'id',
    );
    await cli(['events', 'send', '--tenant', tenantId, '--type', 'user.created', '--id', 'every-fail'], admin);
    await stack.settle(tenantId, 'every-fail');
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const recovered = json<{ workflow_id: string; deliveries: number }>(
      await cli(['subscriptions', 'recover', failing, '--since', since, '--json'], tenant),
    );
    expect(recovered.deliveries).toBe(1);
    await receiver.waitFor('/recover', 2);
    const early = await cli(['subscriptions', 'recover', failing, '--since', new Date(Date.now() + 60_000).toISOString()], tenant, 1);
    expect(early.stderr).toMatch(/^ {2}since: must not be in the future$/m);
  });

  it('subscriptions update changes only the fields given, clears with --no-… and {}, and delete removes it', async () => {
    const updated = json(
      await cli(
        [
          'subscriptions',
          'update',
          subscriptionId,
          '--json',
          '--url',
          `${receiver.url}/every2`,
          '--no-description',
          '--event-type',
          'order.*',
          '--method',
          'POST',
          '--header',
          '{}',
          '--field-map',
          '{}',
          '--retry-policy',
          'three_retries',
          '--timeout-ms',
          '2000',
          '--disabled',
          '--no-rate-limit',
          '--ordering',
          'none',
          '--max-in-flight',
          '3',
          '--signature',
          'hmac-sha256',
        ],
        tenant,
      ),
    );
    expect(updated).toMatchObject({
      url: `${receiver.url}/every2`,
      description: null,
      event_types: ['order.*'],
      method: 'POST',
      headers: {},
      field_map: {},
      retry_policy: 'three_retries',
      timeout_ms: 2000,
      enabled: false,
      rate_limit: null,
      ordering: 'none',
      max_in_flight: 3,
      signature: 'hmac-sha256',
    });
    const enabled = await cli(['subscriptions', 'update', subscriptionId, '--enabled', '--description', 'back'], tenant);
    expect(field(enabled.stdout, 'enabled')).toBe('true');
    expect(enabled.stdout).toMatch(/^timeout_ms: +2000$/m);
    expect(enabled.stdout).toMatch(/^description: +back$/m);
    const both = await cli(['subscriptions', 'update', subscriptionId, '--enabled', '--disabled'], tenant, 1);
    expect(both.stderr).toBe('error: --enabled and --disabled exclude each other\n');
    const changeScheme = await cli(['subscriptions', 'update', subscriptionId, '--signature', 'ed25519'], tenant, 1);
    expect(changeScheme.stderr).toMatch(/^ {2}signature: /m);

    const deleted = await cli(['subscriptions', 'delete', subscriptionId], tenant);
    expect(deleted.stdout).toBe(`deleted ${subscriptionId}\n`);
    const gone = await cli(['subscriptions', 'get', subscriptionId], tenant, 1);
    expect(gone.stderr).toBe('error: subscription not found\n');
  });

  it('webhooks put sets the category webhook, then replaces it', async () => {
    const first = json(await cli(['webhooks', 'put', 'users', '--url', `${receiver.url}/users`, '--header', 'x-k=v', '--json'], tenant));
    expect(first).toMatchObject({ category: 'users', event_types: ['user.*'], headers: { 'x-k': 'v' }, environment: 'production' });
    expect(first.secret).toMatch(/^whsec_/);
    const again = await cli(['webhooks', 'put', 'users', '--url', `${receiver.url}/users2`, '--method', 'PUT'], tenant);
    expect(field(again.stdout, 'id')).toBe(first.id);
    expect(field(again.stdout, 'url')).toBe(`${receiver.url}/users2`);
    expect(again.stdout).not.toContain('whsec_');
    const sandbox = json(await cli(['webhooks', 'put', 'accounts', '--url', `${receiver.url}/acc`, '--environment', 'sandbox', '--json'], tenant));
    expect(sandbox).toMatchObject({ category: 'accounts', environment: 'sandbox' });
    const unknown = await cli(['webhooks', 'put', 'planets', '--url', `${receiver.url}/p`], tenant, 1);
    expect(unknown.stderr).toMatch(/^ {2}category: /m);
  });

  it('keys create, list and revoke; audit list for the producer and for the tenant', async () => {
    const key = json<{ id: string; key: string }>(await cli(['keys', 'create', 'cli audit reader', '--scope', 'keys:manage', '--json'], admin));
    expect(key.key).toMatch(/^hrp_/);
    const keys = json<Array<{ id: string }>>(await cli(['keys', 'list', '--json'], admin));
    expect(keys.map((k) => k.id)).toContain(key.id);

    const producerView = json<{ data: Array<{ action: string; tenant_id: string | null }> }>(
      await cli(['audit', 'list', '--tenant', tenantId, '--action', 'subscription.create', '--json'], { ADMIN_TOKEN: key.key }),
    );
    expect(producerView.data.length).toBeGreaterThanOrEqual(3);
    expect(producerView.data.every((e) => e.action === 'subscription.create' && e.tenant_id === tenantId)).toBe(true);
    const tenantView = await cli(['audit', 'list', '--object-id', subscriptionId], tenant);
    expect(tenantView.stdout).toMatch(new RegExp(`^\\S+ {2}subscription\\.delete {2}subscription ${subscriptionId} {2}by tenant`, 'm'));
    const badAction = await cli(['audit', 'list', '--action', 'nothing.happened'], tenant, 1);
    expect(badAction.stderr).toMatch(/^ {2}action: /m);

    expect((await cli(['keys', 'revoke', key.id, '--json'], admin)).stdout).toContain('"revoked": true');
    const revoked = await cli(['audit', 'list'], { ADMIN_TOKEN: key.key }, 1);
    expect(revoked.stderr).toBe('error: missing or invalid bearer token\n');
  });

  it('tenants portal-link, then tenants delete', async () => {
    const link = json<{ url: string; expires_at: string }>(
      await cli(['tenants', 'portal-link', tenantId, '--ttl', '30m', '--environment', 'sandbox', '--json'], admin),
    );
    expect(link.url).toMatch(/\/portal/);
    expect(Date.parse(link.expires_at) - Date.now()).toBeLessThanOrEqual(30 * 60_000);
    const text = await cli(['tenants', 'portal-link', tenantId], admin);
    expect(field(text.stdout, 'url')).toMatch(/\/portal/);
    expect(text.stderr).toMatch(/opens the portal once/);
    const tooLong = await cli(['tenants', 'portal-link', tenantId, '--ttl', '3d'], admin, 1);
    expect(tooLong.stderr).toMatch(/^ {2}ttl: /m);

    // The way back and the platform's look reach the session: the page reads them from /portal/session.
    const sessionOf = async (args: string[]) => {
      const made = json<{ url: string }>(await cli(['tenants', 'portal-link', tenantId, ...args, '--json'], admin));
      const opened = await fetch(made.url, { redirect: 'manual' });
      expect(opened.status).toBe(303);
      const session = await fetch(`${stack.url}/portal/session`, { headers: { cookie: opened.headers.get('set-cookie')!.split(';')[0]! } });
      return (await session.json()) as unknown;
    };
    const look = { name: 'Acme Cloud', logo_url: '/static/acme-logo.svg', accent_color: '#0b5cad' };
    const returnUrl = 'https://dashboard.example.com/settings/webhooks?tab=1';
    const brandArgs = ['--brand-name', look.name, '--brand-logo-url', look.logo_url, '--brand-accent-color', look.accent_color];
    expect(await sessionOf(['--return-url', returnUrl, ...brandArgs])).toMatchObject({ return_url: returnUrl, branding: look });
    // One of them alone is sent alone; a value out of bounds is the API's 400, naming the field.
    expect(await sessionOf(['--brand-name', 'Acme'])).toMatchObject({
      return_url: null,
      branding: { name: 'Acme', logo_url: null, accent_color: null },
    });
    const tooLight = await cli(['tenants', 'portal-link', tenantId, '--brand-accent-color', '#ffff00'], admin, 1);
    expect(tooLight.stderr).toMatch(/^ {2}branding\.accent_color: /m);

    // A tenant key is not a producer credential: the command says which credential the route needs.
    const asTenant = await cli(['--token', tenant.HOOKRELAY_TOKEN!, 'tenants', 'delete', tenantId], {}, 1);
    expect(asTenant.stderr).toBe(
      'error: this route takes a producer credential (a producer key or the admin token)\n' +
        '  this command takes a producer credential (the admin token or a producer key with the scope): --token, or ADMIN_TOKEN\n',
    );
    const asProducer = await cli(['--token', stack.adminToken, 'deliveries', 'list'], {}, 1);
    expect(asProducer.stderr).toBe(
      "error: this route takes a tenant API key\n  this command takes a tenant's API key (hr_…): --token, or HOOKRELAY_TOKEN\n",
    );
    expect(asProducer.stderr).not.toContain(stack.adminToken);

    const purged = json<{ tenant_id: string; workflow_id: string }>(await cli(['tenants', 'delete', tenantId, '--json'], admin));
    expect(purged.tenant_id).toBe(tenantId);
    const after = await cli(['subscriptions', 'list'], tenant, 1);
    expect(after.stderr).toBe('error: missing or invalid bearer token\n');
  });

  it('ran every command of src/cli/command-table.ts above', () => {
    expect(names.filter((n) => !ran.has(n as CommandName))).toEqual([]);
  });
});
