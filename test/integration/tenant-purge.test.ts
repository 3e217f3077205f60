// DELETE /v1/tenants/:id: the key, the portal and ingest stop at the 202, nothing is delivered after it,
// and the purge workflow leaves no row of the tenant in any table.
import { eventWorkflowId, purgeWorkflowId } from '../../src/domain/workflow-ids.js';
import { describe, expect, it } from 'vitest';
import { ok } from '../support/api.js';
import { useStacks } from '../support/use-stack.js';
import { claimUnstarted } from '../../src/db/ingest.js';
import { TenantAttr } from '../../src/temporal/search-attributes.js';

const [stack, quiet] = useStacks({ env: { RETRY_TIME_SCALE: '0.01' } }, { noWorker: true });
const { receiver } = stack;

/**
 * Rows of the tenant in every table with a tenant_id column (found in the catalog, so a new table is covered),
 * but the audit log: its entries outlive the purge, under AUDIT_RETENTION (docs/security.md, "Audit log").
 */
async function rowsLeft(tenantId: string, deliveryIds: string[]): Promise<Record<string, number>> {
  const { rows: tables } = await stack.pool.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.columns
     WHERE table_schema = current_schema() AND column_name = 'tenant_id' AND table_name <> 'audit_log' ORDER BY table_name`,
  );
  const counts: Record<string, number> = {};
  for (const { table_name } of tables) {
    const { rows } = await stack.pool.query(`SELECT count(*)::int AS n FROM "${table_name}" WHERE tenant_id = $1`, [tenantId]);
    counts[table_name] = rows[0].n;
  }
  counts.tenants = (await stack.pool.query('SELECT count(*)::int AS n FROM tenants WHERE id = $1', [tenantId])).rows[0].n;
  counts.attempts = (await stack.pool.query('SELECT count(*)::int AS n FROM attempts WHERE delivery_id = ANY($1)', [deliveryIds])).rows[0].n;
  return counts;
}

async function openPortal(tenantId: string): Promise<string> {
  const link = await ok(stack.api.as(stack.adminToken).POST('/v1/tenants/{id}/portal-sessions', { params: { path: { id: tenantId } }, body: {} }));
  const opened = await fetch(link.url, { redirect: 'manual' });
  return opened.headers.get('set-cookie')!.split(';')[0]!;
}

describe('DELETE /v1/tenants/:id', () => {
  it('stops the tenant at the 202, delivers nothing after it, and leaves no row behind', async () => {
    const t = await stack.tenant('to purge');
    const other = await stack.tenant('stays');
    receiver.on('/purge-ok', () => ({ status: 200 }));
    receiver.on('/purge-down', () => ({ status: 503 }));
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/purge-ok`, event_types: ['a.*'] });
    // Keeps retrying (every ~1 s here) until told otherwise: a pending delivery when the DELETE comes.
    await stack.api.subscribe(t.api_key, {
      url: `${receiver.url}/purge-down`,
      event_types: ['b.*'],
      retry_policy: { initial_interval: '10s', backoff_coefficient: 1, maximum_attempts: 1000 },
    });
    const keep = await stack.api.subscribe(other.api_key, { url: `${receiver.url}/purge-ok`, event_types: ['a.*'] });
    for (let i = 0; i < 3; i++) await stack.deliver(t.id, `purge-ok-${i}`, { type: 'a.done' });
    await stack.postEvent(t.id, 'purge-pending', { type: 'b.retrying' });
    await receiver.waitFor('/purge-down', 2);
    // A notification window and a portal session of its own.
    await stack.postEvent(t.id, 'purge-extraction', {
      type: 'failure.extraction',
      payload: { user_id: 'u1', data_source: 'polar', reason: 'permission_denied' },
    });
    await stack.settle(t.id, 'purge-extraction');
    const cookie = await openPortal(t.id);
    expect((await stack.api.call('GET', '/v1/subscriptions', undefined, undefined, { cookie })).status).toBe(200);
    const deliveryIds = (await stack.pool.query<{ id: string }>('SELECT id FROM deliveries WHERE tenant_id = $1', [t.id])).rows.map((r) => r.id);
    expect(deliveryIds.length).toBeGreaterThanOrEqual(4);
    const before = await rowsLeft(t.id, deliveryIds);
    expect(before).toMatchObject({ tenants: 1, events: 5, notification_windows: 1, portal_sessions: 1, api_keys: 1 });

    const deleted = await stack.api.as(stack.adminToken).DELETE('/v1/tenants/{id}', { params: { path: { id: t.id } } });
    const at = Date.now();
    expect(deleted.response.status, JSON.stringify(deleted.error)).toBe(202);
    expect(deleted.data).toEqual({ tenant_id: t.id, workflow_id: purgeWorkflowId(t.id) });

    // From the 202 on: no key, no portal session, no events.
    expect((await stack.api.call('GET', '/v1/subscriptions', t.api_key)).status).toBe(401);
    expect((await stack.api.call('GET', '/v1/subscriptions', undefined, undefined, { cookie })).status).toBe(401);
    const refused = await stack.api.call('POST', '/v1/events', stack.adminToken, {
      tenant_id: t.id,
      environment: 'production',
      type: 'a.late',
      payload: {},
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toEqual([{ path: 'tenant_id', message: 'no such tenant' }]);
    const batch = await stack.api.call('POST', '/v1/events/batch', stack.adminToken, {
      events: [{ tenant_id: t.id, environment: 'production', type: 'a.late', payload: {} }],
    });
    expect(batch.status).toBe(400);
    expect(batch.body.error.details[0].path).toBe('events.0.tenant_id');
    expect((await stack.api.call('POST', `/v1/tenants/${t.id}/portal-sessions`, stack.adminToken, {})).status).toBe(404);
    // A second DELETE joins the running purge or finds the tenant gone: never a second purge.
    expect([202, 404]).toContain((await stack.api.call('DELETE', `/v1/tenants/${t.id}`, stack.adminToken)).status);

    const result = await stack.temporal.client.workflow.getHandle(purgeWorkflowId(t.id)).result();
    expect(result.cancelled).toBeGreaterThanOrEqual(1);
    expect(result.deleted).toMatchObject({ events: 5, tenant: 1 });
    // Found by HookrelayTenant (docs/lifecycle.md), under its tenant's fairness key like the tenant's other workflows.
    const purge = await stack.temporal.client.workflow.getHandle(purgeWorkflowId(t.id)).describe();
    expect(purge.typedSearchAttributes.get(TenantAttr)).toBe(t.id);
    expect(purge.raw.workflowExecutionInfo?.priority?.fairnessKey).toBe(t.id);
    expect(await rowsLeft(t.id, deliveryIds)).toEqual(Object.fromEntries(Object.keys(before).map((k) => [k, 0])));
    // The audit log keeps the tenant's entries, the purge's own last, and nothing of its data but ids.
    const { rows: audit } = await stack.pool.query<{ action: string; details: Record<string, unknown> }>(
      'SELECT action, details FROM audit_log WHERE tenant_id = $1 ORDER BY seq',
      [t.id],
    );
    expect(audit.map((e) => e.action)).toEqual([
      'tenant.create',
      'subscription.create',
      'subscription.create',
      'portal_session.create',
      'tenant.purge',
    ]);
    expect(JSON.stringify(audit)).not.toContain(receiver.url);
    expect((await stack.api.call('DELETE', `/v1/tenants/${t.id}`, stack.adminToken)).status).toBe(404);

    // The retrying delivery's workflow has ended, cancelled, so no attempt of the tenant can be made any more; every
    // other event of the tenant had settled before the DELETE.
    const pending = await stack.temporal.client.workflow.getHandle(eventWorkflowId(t.id, 'purge-pending')).result();
    expect(pending.outcome).toBe('cancelled');
    // Nothing reached the receiver for the tenant after the 202 (an attempt already on the wire may land just after).
    const late = receiver.received.filter((r) => r.at > at + 250 && (r.path === '/purge-down' || r.body.includes('purge-')));
    expect(late).toEqual([]);

    // The other tenant is untouched and still delivered to.
    expect((await stack.api.as(other.api_key).GET('/v1/subscriptions/{id}', { params: { path: { id: keep.id } } })).response.status).toBe(200);
    expect((await stack.deliver(other.id, 'after-purge', { type: 'a.done' })).outcome).toBe('succeeded');
  });

  it('answers 404 for an unknown tenant and is admin-only', async () => {
    expect((await stack.api.call('DELETE', '/v1/tenants/ten_nope', stack.adminToken)).status).toBe(404);
    const t = await stack.tenant();
    expect((await stack.api.call('DELETE', `/v1/tenants/${t.id}`, t.api_key)).status).toBe(403);
  });

  it('the relay never starts an unstarted event of a purging tenant', async () => {
    const t = await quiet.tenant();
    const kept = await quiet.tenant();
    await quiet.postEvent(t.id, 'unstarted-1');
    await quiet.postEvent(kept.id, 'unstarted-2');
    await quiet.pool.query('UPDATE tenants SET purging_at = now() WHERE id = $1', [t.id]);
    const { events: claimed } = await claimUnstarted(quiet.pool, 100, 1_000);
    expect(claimed.map((e) => e.id)).toEqual(['unstarted-2']);
  });
});
