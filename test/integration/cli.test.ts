// The `hookrelay` CLI as a real child process (stdout a pipe, not a terminal) against a real stack.
import { eventually } from '../support/eventually.js';
import { eventWorkflowId } from '../../src/domain/workflow-ids.js';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../tools/ports.js';
import { ok } from '../support/api.js';
import { useStack } from '../support/use-stack.js';
import { cliRunner, expectPlain, field } from '../support/cli.js';

// No retry time scale: a retry after 1 s really takes 1 s, so `follow` sees the delivery pending.
const stack = useStack();
const { receiver } = stack;

const cli = cliRunner(stack);

function deliveryOf(apiKey: string, eventId: string): Promise<string> {
  return eventually(
    async () => {
      const { data } = await stack.api.as(apiKey).GET('/v1/deliveries', { params: { query: { event_id: eventId } } });
      return data?.data[0]?.id;
    },
    { what: `a delivery of ${eventId}` },
  );
}

describe('hookrelay CLI', () => {
  it('creates a tenant and a subscription, sends an event and follows its delivery to success', async () => {
    const admin = { ADMIN_TOKEN: stack.adminToken };
    const tenantRun = await cli(['tenants', 'create', 'CLI Acme'], admin);
    expect(tenantRun.code).toBe(0);
    expectPlain(tenantRun);
    const tenantId = field(tenantRun.stdout, 'id');
    const apiKey = field(tenantRun.stdout, 'api_key');
    expect(tenantId).toMatch(/^ten_/);
    expect(tenantRun.stderr).toMatch(/shown only this once/);
    const tenant = { HOOKRELAY_TOKEN: apiKey };

    // The receiver fails the first attempt; the retry 1 s later succeeds.
    receiver.on('/cli-ok', (_req, n) => (n === 1 ? { status: 503, body: 'warming up' } : { status: 204 }));
    const subRun = await cli(
      [
        'subscriptions',
        'create',
        '--url',
        `${receiver.url}/cli-ok`,
        '--event-type',
        'user.*',
        '--header',
        'x-team=growth',
        '--retry-policy',
        '{"initial_interval":"1s","maximum_attempts":5}',
        '--timeout-ms',
        '5000',
      ],
      tenant,
    );
    expect(subRun.code).toBe(0);
    expectPlain(subRun);
    const subscriptionId = field(subRun.stdout, 'id');
    expect(field(subRun.stdout, 'secret')).toMatch(/^whsec_/);

    const listRun = await cli(['subscriptions', 'list', '--environment', 'production'], tenant);
    expect(listRun.code).toBe(0);
    expect(listRun.stdout).toContain(subscriptionId);
    expect(listRun.stdout).toContain(`${receiver.url}/cli-ok`);

    const sendRun = await cli(
      ['events', 'send', '--tenant', tenantId, '--type', 'user.created', '--id', 'cli-evt-1', '--payload', '{"data":{"id":"u1"}}'],
      admin,
    );
    expect(sendRun.code).toBe(0);
    expectPlain(sendRun);
    expect(field(sendRun.stdout, 'id')).toBe('cli-evt-1');
    expect(field(sendRun.stdout, 'workflow_id')).toBe(eventWorkflowId(tenantId, 'cli-evt-1'));

    const deliveryId = await deliveryOf(apiKey, 'cli-evt-1');
    const follow = await cli(['deliveries', 'follow', deliveryId], tenant);
    expect(follow.stderr).toBe('');
    expect(follow.code).toBe(0);
    expectPlain(follow);
    const lines = follow.stdout.trim().split('\n');
    expect(lines[0]).toBe(`delivery ${deliveryId}: event cli-evt-1 → subscription ${subscriptionId}`);
    expect(lines[1]).toMatch(/^attempt 1 {2}\d{4}-\d\d-\d\dT[\d:.]+Z {2}HTTP 503 {2}\d+ ms$/);
    expect(lines[2]).toMatch(/^attempt 2 {2}\S+ {2}HTTP 204 {2}\d+ ms$/);
    expect(lines[3]).toBe('succeeded after 2 attempts');
    expect(lines).toHaveLength(4);

    const [, delivered] = await receiver.waitFor('/cli-ok', 2);
    expect(delivered!.headers['x-team']).toBe('growth');
    expect(JSON.parse(delivered!.body)).toEqual({ data: { id: 'u1' } });

    // The same id again: acknowledged as a duplicate, exit 0.
    const again = await cli(['events', 'send', '--tenant', tenantId, '--type', 'user.created', '--id', 'cli-evt-1'], admin);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^duplicate: event cli-evt-1 /);

    // --json prints the API's answer as it is.
    const json = await cli(['--json', 'deliveries', 'follow', deliveryId], tenant);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: deliveryId, status: 'succeeded', attempts: [{ number: 1 }, { number: 2 }] });

    // Every run above: the token never shows.
    for (const run of [tenantRun, subRun, listRun, sendRun, follow, again]) {
      expect(run.stdout + run.stderr).not.toContain(stack.adminToken);
    }
    for (const run of [subRun, listRun, follow]) expect(run.stdout + run.stderr).not.toContain(apiKey);
  });

  it('follows a failing delivery and an event to their end with exit code 1', async () => {
    const t = await stack.api.createTenant(stack.adminToken, 'cli-failing');
    receiver.on('/cli-bad', () => ({ status: 500, body: 'broken' }));
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/cli-bad`, event_types: ['order.*'], retry_policy: 'none' });
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/cli-good`, event_types: ['order.*'] });
    const sent = await cli(['--token', stack.adminToken, 'events', 'send', '--tenant', t.id, '--type', 'order.paid', '--id', 'cli-evt-2']);
    expect(sent.code).toBe(0);

    const eventRun = await cli(['events', 'follow', 'cli-evt-2'], { HOOKRELAY_TOKEN: t.api_key });
    expect(eventRun.code).toBe(1);
    expectPlain(eventRun);
    expect(eventRun.stdout).toMatch(/^event cli-evt-2 \(order\.paid, production\)/);
    expect(eventRun.stdout).toMatch(/attempt 1 {2}\S+ {2}HTTP 500/);
    expect(eventRun.stdout).toMatch(/attempt 1 {2}\S+ {2}HTTP 204/);
    expect(eventRun.stdout).toMatch(/failed after 1 attempt/);
    expect(eventRun.stdout.trim().split('\n').at(-1)).toMatch(/^2 deliveries: (1 failed, 1 succeeded|1 succeeded, 1 failed)$/);

    // The admin token may read the event but not the delivery log: the summaries are followed instead.
    const asAdmin = await cli(['--token', stack.adminToken, 'events', 'follow', 'cli-evt-2', '--tenant', t.id]);
    expect(asAdmin.code).toBe(1);
    expectPlain(asAdmin);
    expect(asAdmin.stdout).toMatch(/attempt 1 {2}last: HTTP 500/);
    expect(asAdmin.stdout).toMatch(/attempt 1 {2}last: HTTP 204/);
    expect(asAdmin.stdout + asAdmin.stderr).not.toContain(stack.adminToken);

    const [failed] = (await ok(stack.api.as(t.api_key).GET('/v1/deliveries', { params: { query: { event_id: 'cli-evt-2', status: 'failed' } } })))
      .data;
    const follow = await cli(['deliveries', 'follow', failed!.id], { HOOKRELAY_TOKEN: t.api_key });
    expect(follow.code).toBe(1);
    expectPlain(follow);
    expect(follow.stdout).toMatch(/^failed after 1 attempt: .*HTTP 500/m);
  });

  it("follows an event with only ADMIN_TOKEN set, as its help says (the deliveries from the event's answer)", async () => {
    const t = await stack.tenant('cli-admin-follow');
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/cli-admin-follow`, event_types: ['order.*'] });
    await stack.deliver(t.id, 'cli-evt-admin', { type: 'order.paid' });
    const run = await cli(['events', 'follow', 'cli-evt-admin'], { ADMIN_TOKEN: stack.adminToken });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expectPlain(run);
    expect(run.stdout).toMatch(/^event cli-evt-admin \(order\.paid, production\) of tenant ten_/);
    expect(run.stdout).toMatch(/^dlv_\S+ {2}attempt 1 {2}last: HTTP 204$/m);
    expect(run.stdout.trim().split('\n').at(-1)).toBe('1 delivery: 1 succeeded');
    expect(run.stdout).not.toContain(stack.adminToken);

    const noToken = await cli(['events', 'follow', 'cli-evt-admin']);
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toBe('error: no token: pass --token or set HOOKRELAY_TOKEN (a tenant API key) or ADMIN_TOKEN\n');
  });

  it('prints the invalid field and exits 1; an unreachable API exits 2; the token is never printed', async () => {
    const t = await stack.api.createTenant(stack.adminToken, 'cli-errors');
    const invalid = await cli(['subscriptions', 'create', '--url', 'ftp://x', '--timeout-ms', '5'], { HOOKRELAY_TOKEN: t.api_key });
    expect(invalid.code).toBe(1);
    expectPlain(invalid);
    expect(invalid.stdout).toBe('');
    const lines = invalid.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^error: invalid input: .*url/);
    expect(lines).toContain('  url: must be an absolute http or https URL');
    expect(lines.some((line) => line.startsWith('  timeout_ms: '))).toBe(true);
    expect(invalid.stderr).not.toContain(t.api_key);

    // ed25519: the public key is printed, and no secret; another scheme names the field.
    const ed = await cli(['subscriptions', 'create', '--url', 'https://example.com/ed', '--signature', 'ed25519'], { HOOKRELAY_TOKEN: t.api_key });
    expect(ed.code).toBe(0);
    expect(field(ed.stdout, 'public_key')).toMatch(/^whpk_/);
    expect(ed.stdout).not.toContain('secret');
    const rsa = await cli(['subscriptions', 'create', '--url', 'https://example.com/ed', '--signature', 'rsa'], { HOOKRELAY_TOKEN: t.api_key });
    expect(rsa.code).toBe(1);
    expect(rsa.stderr.split('\n').some((line) => line.startsWith('  signature: '))).toBe(true);

    const unauthorized = await cli(['--token', 'hr_not_a_real_key_0123456789', 'subscriptions', 'list']);
    expect(unauthorized.code).toBe(1);
    expect(unauthorized.stderr).toBe('error: missing or invalid bearer token\n');

    const notFound = await cli(['deliveries', 'follow', 'dlv_missing'], { HOOKRELAY_TOKEN: t.api_key });
    expect(notFound.code).toBe(1);
    expect(notFound.stderr).toBe('error: delivery not found\n');

    const closedPort = await freePort();
    const down = await cli(['--api', `http://127.0.0.1:${closedPort}`, '--token', t.api_key, 'subscriptions', 'list']);
    expect(down.code).toBe(2);
    expectPlain(down);
    expect(down.stderr).toBe(`error: cannot reach the API at http://127.0.0.1:${closedPort}: ECONNREFUSED\n`);
    expect(down.stderr).not.toContain(t.api_key);

    const noToken = await cli(['tenants', 'create', 'x']);
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toMatch(/^error: no admin token/);
  });

  it('creates, lists and revokes producer keys; the key is printed once and works until revoked', async () => {
    const admin = { ADMIN_TOKEN: stack.adminToken };
    const created = await cli(['keys', 'create', 'CLI ingest', '--scope', 'events:write', 'portal:create'], admin);
    expect(created.code, created.stderr).toBe(0);
    expectPlain(created);
    const id = field(created.stdout, 'id');
    const key = field(created.stdout, 'key');
    expect(id).toMatch(/^prk_/);
    expect(key).toMatch(/^hrp_/);
    expect(created.stdout).toContain('scopes: events:write portal:create');
    expect(created.stderr).toMatch(/shown only this once/);

    // The new key is a producer credential of its own, with its scopes.
    const t = await stack.tenant('cli-keys');
    expect((await cli(['--token', key, 'events', 'send', '--tenant', t.id, '--type', 'user.created', '--id', 'cli-key-1'])).code).toBe(0);
    const refused = await cli(['--token', key, 'tenants', 'create', 'x']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('error: this producer key lacks the tenants:manage scope this route needs\n  scope: needs tenants:manage\n');

    const list = await cli(['keys', 'list'], admin);
    expect(list.code).toBe(0);
    expectPlain(list);
    const line = list.stdout.split('\n').find((l) => l.startsWith(id))!;
    expect(line).toContain('CLI ingest');
    expect(line).toContain('events:write,portal:create');
    expect(line).toContain('active');
    expect(line).not.toContain('last used never');
    expect(list.stdout).not.toContain(key);

    const invalid = await cli(['keys', 'create', 'bad', '--scope', 'events:read', '--expires-at', 'tomorrow'], admin);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('  scopes.0: ');
    expect(invalid.stderr).toContain('  expires_at: ');

    const revoked = await cli(['keys', 'revoke', id], admin);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toBe(`revoked ${id}\n`);
    const after = await cli(['--token', key, 'events', 'send', '--tenant', t.id, '--type', 'user.created', '--id', 'cli-key-2']);
    expect(after.code).toBe(1);
    expect(after.stderr).toBe('error: missing or invalid bearer token\n');
    expect((await cli(['keys', 'list'], admin)).stdout.split('\n').find((l) => l.startsWith(id))).toMatch(/revoked \d{4}-/);
    expect((await cli(['keys', 'revoke', 'prk_missing'], admin)).stderr).toBe('error: producer key not found\n');
  });
});
