// POST /v1/subscriptions/:id/recover: a window with mixed outcomes, inside and outside it; the pace; the
// 409 for an overlapping window while one runs; ids only in the workflow's history.
import { eventually } from '../support/eventually.js';
import { describe, expect, it } from 'vitest';
import { redeliveryWorkflowId } from '../../src/domain/workflow-ids.js';
import { TenantAttr } from '../../src/temporal/search-attributes.js';
import { useStacks } from '../support/use-stack.js';

const [stack, quiet] = useStacks({}, { noWorker: true });
const { receiver } = stack;

const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
const HOUR = 3_600_000;

const waitUntil = <T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000) => eventually(fn, { what, timeoutMs });

async function deliveriesOf(eventId: string, tenantId: string) {
  const { rows } = await stack.pool.query<{ id: string; status: string; redelivery_of: string | null }>(
    'SELECT id, status, redelivery_of FROM deliveries WHERE tenant_id = $1 AND event_id = $2 ORDER BY seq',
    [tenantId, eventId],
  );
  return rows;
}

/** Every string in a history, payload bytes decoded. */
function allText(value: unknown, seen = new Set<unknown>()): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object' || seen.has(value)) return '';
  seen.add(value);
  return Object.values(value)
    .map((v) => allText(v, seen))
    .join(' ');
}

describe('recover', () => {
  it('redelivers the failed deliveries of the window only, as redeliveries, with ids only in its history', async () => {
    const t = await stack.tenant();
    // Per event: 422 is final (failed at once), 503 retries in an hour (stays pending), 200 succeeds.
    let answer = (id: string) => (id.includes('fail') ? 422 : id.includes('pending') ? 503 : 200);
    receiver.on('/recover', (r) => ({ status: answer(String(r.headers['webhook-id'])) }));
    const sub = await stack.api.subscribe(t.api_key, {
      url: `${receiver.url}/recover`,
      event_types: ['a.*'],
      retry_policy: { initial_interval: '1h', maximum_attempts: 3, non_retryable_statuses: [422] },
    });
    const secret = 'PAYLOAD-MUST-NOT-ENTER-HISTORY';
    for (const id of ['rc-fail-1', 'rc-fail-2', 'rc-fail-old', 'rc-fail-redone', 'rc-ok']) {
      await stack.deliver(t.id, id, { payload: { secret } });
    }
    await stack.postEvent(t.id, 'rc-pending', { payload: { secret } });
    await waitUntil('the pending attempt', async () => ((await deliveriesOf('rc-pending', t.id))[0] ? true : undefined));
    // Outside the window: accepted three hours ago.
    await stack.pool.query(`UPDATE events SET created_at = now() - interval '3 hours' WHERE tenant_id = $1 AND id = 'rc-fail-old'`, [t.id]);
    // Already redelivered with success: its latest delivery is no longer failed.
    answer = (id) => (id === 'rc-fail-redone' ? 200 : id.includes('fail') ? 422 : id.includes('pending') ? 503 : 200);
    const [redone] = await deliveriesOf('rc-fail-redone', t.id);
    const api = stack.api.as(t.api_key);
    expect((await api.POST('/v1/deliveries/{id}/redeliver', { params: { path: { id: redone!.id } } })).response.status).toBe(202);
    await waitUntil('the manual redelivery', async () =>
      (await deliveriesOf('rc-fail-redone', t.id))[1]?.status === 'succeeded' ? true : undefined,
    );

    answer = () => 200; // the receiver is back
    const {
      data: started,
      error,
      response,
    } = await api.POST('/v1/subscriptions/{id}/recover', {
      params: { path: { id: sub.id } },
      body: { since: iso(HOUR) },
    });
    expect(response.status, JSON.stringify(error)).toBe(202);
    expect(started).toMatchObject({ deliveries: 2 });
    expect(started!.workflow_id).toMatch(new RegExp(`^recover:${sub.id}:`));
    expect(await stack.temporal.client.workflow.getHandle(started!.workflow_id).result()).toEqual({ redelivered: 2 });
    // Found among the tenant's workflows by HookrelayTenant, and dispatched under its tenant's fairness key.
    const recovery = await stack.temporal.client.workflow.getHandle(started!.workflow_id).describe();
    expect(recovery.typedSearchAttributes.get(TenantAttr)).toBe(t.id);
    expect(recovery.raw.workflowExecutionInfo?.priority?.fairnessKey).toBe(t.id);

    for (const id of ['rc-fail-1', 'rc-fail-2']) {
      const rows = await waitUntil(`${id} redelivered`, async () => {
        const all = await deliveriesOf(id, t.id);
        return all[1]?.status === 'succeeded' ? all : undefined;
      });
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatchObject({ status: 'failed' });
      expect(rows[1]!.redelivery_of).toBe(rows[0]!.id);
      // The redelivery is an ordinary one: the API shows it.
      const { data: shown } = await api.GET('/v1/deliveries/{id}', { params: { path: { id: rows[1]!.id } } });
      expect(shown).toMatchObject({ status: 'succeeded', redelivery_of: rows[0]!.id });
      // A child of the recovery: labelled by itself, the fairness key inherited.
      const redelivery = await stack.temporal.client.workflow.getHandle(redeliveryWorkflowId(t.id, rows[1]!.id)).describe();
      expect(redelivery.parentExecution?.workflowId).toBe(started!.workflow_id);
      expect(redelivery.typedSearchAttributes.get(TenantAttr)).toBe(t.id);
      expect(redelivery.raw.workflowExecutionInfo?.priority?.fairnessKey).toBe(t.id);
    }
    expect(await deliveriesOf('rc-fail-old', t.id)).toHaveLength(1);
    expect(await deliveriesOf('rc-ok', t.id)).toHaveLength(1);
    expect(await deliveriesOf('rc-fail-redone', t.id)).toHaveLength(2);
    expect((await deliveriesOf('rc-pending', t.id)).map((d) => d.status)).toEqual(['pending']);

    const history = await stack.temporal.client.workflow.getHandle(started!.workflow_id).fetchHistory();
    const text = allText(history);
    expect(text).toContain('rc-fail-1');
    expect(text).not.toContain(secret);
  });

  it('paces a large recovery: 10 redeliveries a second without a rate_limit', async () => {
    const t = await stack.tenant();
    let status = 422;
    receiver.on('/recover-many', () => ({ status }));
    const sub = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/recover-many`, event_types: ['a.*'], retry_policy: 'none' });
    for (let i = 0; i < 12; i++) await stack.deliver(t.id, `rc-many-${i}`);
    status = 200;
    const before = receiver.forPath('/recover-many').length;
    const res = await stack.api
      .as(t.api_key)
      .POST('/v1/subscriptions/{id}/recover', { params: { path: { id: sub.id } }, body: { since: iso(HOUR), until: iso(-60_000) } });
    expect(res.data).toMatchObject({ deliveries: 12 });
    const got = (await receiver.waitFor('/recover-many', before + 12)).slice(before);
    const times = got.map((r) => r.at).sort((a, b) => a - b);
    // The first batch of 10 at once, the last 2 a second later.
    expect(times[11]! - times[0]!).toBeGreaterThanOrEqual(900);
  });

  it("refuses a window reaching more than 14 days back, an until before since, and another tenant's subscription", async () => {
    const t = await stack.tenant();
    const other = await stack.tenant();
    const sub = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/recover-none` });
    const old = await stack.api.call('POST', `/v1/subscriptions/${sub.id}/recover`, t.api_key, { since: iso(15 * 24 * HOUR) });
    expect(old.status).toBe(400);
    expect(old.body.error.details.map((d: { path: string }) => d.path)).toEqual(['since']);
    const backwards = await stack.api.call('POST', `/v1/subscriptions/${sub.id}/recover`, t.api_key, { since: iso(HOUR), until: iso(2 * HOUR) });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.details.map((d: { path: string }) => d.path)).toEqual(['until']);
    const notDate = await stack.api.call('POST', `/v1/subscriptions/${sub.id}/recover`, t.api_key, { since: 'yesterday' });
    expect(notDate.body.error.details.map((d: { path: string }) => d.path)).toEqual(['since']);
    expect((await stack.api.call('POST', `/v1/subscriptions/${sub.id}/recover`, other.api_key, { since: iso(HOUR) })).status).toBe(404);
  });
});

describe('overlapping recoveries', () => {
  it('409 while one of an overlapping window runs; a window beside it is fine', async () => {
    // No worker here: a started recovery stays running.
    const t = await quiet.tenant();
    const sub = await quiet.api.subscribe(t.api_key, { url: 'http://127.0.0.1:9/nowhere' });
    const recover = (since: string, until: string) => quiet.api.call('POST', `/v1/subscriptions/${sub.id}/recover`, t.api_key, { since, until });
    const [sinceA, middle, untilA, now] = [iso(3 * HOUR), iso(2 * HOUR), iso(HOUR), iso(0)];
    const first = await recover(sinceA, untilA);
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    expect(first.body.deliveries).toBe(0);
    const overlapping = await recover(middle, now);
    expect(overlapping.status).toBe(409);
    expect(overlapping.body.error.code).toBe('recovery_running');
    expect((await recover(untilA, now)).status).toBe(202);
    // Once the first one is no longer running, its window is free again.
    await quiet.temporal.client.workflow.getHandle(first.body.workflow_id).terminate('test');
    expect((await recover(middle, untilA)).status).toBe(202);
  });
});
