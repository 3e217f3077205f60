// Retention: the hookrelay-retention schedule (its interval shortened here) deletes events older than
// RETENTION with their deliveries and attempts, in batches; a deleted event answers 404.
import { eventually } from '../support/eventually.js';
import { describe, expect, it } from 'vitest';
import { useStacks } from '../support/use-stack.js';
import { retentionScheduleId } from '../../src/temporal/retention-schedule.js';
import type { retentionWorkflow } from '../../src/workflows/retention.js';

const [scheduled, manual] = useStacks({ env: { RETENTION: '1h', RETENTION_INTERVAL: '1s' } }, { env: { RETENTION: '1h' } });

async function counts(stack: typeof scheduled, tenantId: string) {
  const { rows } = await stack.pool.query(
    `SELECT (SELECT count(*)::int FROM events WHERE tenant_id = $1) AS events,
            (SELECT count(*)::int FROM deliveries WHERE tenant_id = $1) AS deliveries,
            (SELECT count(*)::int FROM attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.tenant_id = $1) AS attempts`,
    [tenantId],
  );
  return rows[0] as { events: number; deliveries: number; attempts: number };
}

const age = (stack: typeof scheduled, tenantId: string, ids: string[], interval: string) =>
  stack.pool.query(`UPDATE events SET created_at = now() - $3::interval WHERE tenant_id = $1 AND id = ANY($2)`, [tenantId, ids, interval]);

describe('retention', () => {
  it('the schedule deletes events past RETENTION with their deliveries and attempts; GET answers 404', async () => {
    const stack = scheduled;
    const description = await stack.temporal.client.schedule.getHandle(retentionScheduleId(stack.config.taskQueue)).describe();
    expect(description.action).toMatchObject({ type: 'startWorkflow', workflowType: 'retentionWorkflow', args: [{ retentionMs: 3_600_000 }] });

    const t = await stack.tenant();
    stack.receiver.on('/retention-down', () => ({ status: 503 }));
    await stack.api.subscribe(t.api_key, { url: `${stack.receiver.url}/retention`, event_types: ['a.*'] });
    await stack.api.subscribe(t.api_key, {
      url: `${stack.receiver.url}/retention-down`,
      event_types: ['b.*'],
      retry_policy: { initial_interval: '1h', maximum_attempts: 3 },
    });
    for (const id of ['old-1', 'old-2', 'new-1']) await stack.deliver(t.id, id);
    await stack.postEvent(t.id, 'old-pending', { type: 'b.x' });
    await stack.receiver.waitFor('/retention-down', 1);
    // The pending delivery's first attempt is recorded just after the receiver answered it.
    await eventually(async () => (await counts(stack, t.id)).attempts >= 4, { what: '4 attempts', timeoutMs: 5_000 });
    expect(await counts(stack, t.id)).toEqual({ events: 4, deliveries: 4, attempts: 4 });
    await age(stack, t.id, ['old-1', 'old-2', 'old-pending'], '2 hours');

    await eventually(async () => (await counts(stack, t.id)).events <= 2, { what: 'the old events deleted', intervalMs: 200 });
    // The old events went with their deliveries and attempts; the recent one and the pending one stay.
    expect(await counts(stack, t.id)).toEqual({ events: 2, deliveries: 2, attempts: 2 });
    const old = await stack.api.call('GET', '/v1/events/old-1', t.api_key);
    expect(old.status).toBe(404);
    const api = stack.api.as(t.api_key);
    for (const id of ['new-1', 'old-pending']) expect((await api.GET('/v1/events/{id}', { params: { path: { id } } })).response.status, id).toBe(200);
  });

  it('the workflow deletes in bounded batches and reports what it deleted', async () => {
    const stack = manual;
    const t = await stack.tenant();
    await stack.api.subscribe(t.api_key, { url: `${stack.receiver.url}/retention-batches`, event_types: ['a.*'] });
    const ids = Array.from({ length: 7 }, (_, i) => `batch-${i}`);
    for (const id of ids) await stack.deliver(t.id, id);
    await stack.deliver(t.id, 'batch-recent');
    await age(stack, t.id, ids, '3 hours');
    const result = await stack.temporal.client.workflow.execute<typeof retentionWorkflow>('retentionWorkflow', {
      taskQueue: stack.config.taskQueue,
      workflowId: `retention-test-${t.id}`,
      args: [{ retentionMs: 3_600_000, batchSize: 2, pauseMs: 10 }],
    });
    expect(result.deleted).toBeGreaterThanOrEqual(7);
    expect(await counts(stack, t.id)).toEqual({ events: 1, deliveries: 1, attempts: 1 });
    const history = await stack.temporal.client.workflow.getHandle(`retention-test-${t.id}`).fetchHistory();
    // 7 events at 2 per statement: 4 statements in one activity (every batch but the last was full).
    expect(history.events?.filter((e) => e.activityTaskScheduledEventAttributes).length).toBe(1);
  });
});
