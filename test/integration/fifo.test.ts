// FIFO ordering per subscription (issue 14): one lane workflow per subscription, its work read from PostgreSQL.
// The tests use tenants and receiver paths of their own, so they run side by side.
import { describe, it } from 'vitest';
import { WorkflowNotFoundError } from '@temporalio/client';
import { laneWorkflowId } from '../../src/domain/workflow-ids.js';
import { LANE_DELIVERIES_PER_RUN } from '../../src/workflows/fifo-lane-workflow.js';
import { TenantAttr } from '../../src/temporal/search-attributes.js';
import { eventually } from '../support/eventually.js';
import { ok } from '../support/api.js';
import { useStack } from '../support/use-stack.js';

// The tests run side by side, each its own tenant, and one posts 110 events at once: with the default
// contended bound (one event at a time for a backlogged tenant while another posts) it would be a backfill
// throttled behind the others, which is docs/isolation.md's business, not ordering's.
const stack = useStack({ env: { RETRY_TIME_SCALE: '0.01', DATABASE_POOL_SIZE: '20', RELAY_CONTENDED_TENANT_MAX_STARTING: '16' } });
const { receiver } = stack;

async function acceptanceOrder(tenantId: string): Promise<string[]> {
  const { rows } = await stack.pool.query<{ id: string }>('SELECT id FROM events WHERE tenant_id = $1 ORDER BY accepted_seq', [tenantId]);
  return rows.map((r) => r.id);
}

/** Whether the lane has started a timer (a retry's wait), from its history; false before the lane exists. */
/** The lane's delivery is retrying: its pending `deliver` activity has failed at least once (Temporal backs it off). */
async function laneRetrying(subscriptionId: string): Promise<boolean> {
  try {
    const described = await stack.temporal.client.workflow.getHandle(laneWorkflowId(subscriptionId)).describe();
    return (described.raw.pendingActivities ?? []).some((a) => a.lastFailure);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

describe.concurrent('ordering: "fifo"', () => {
  // Each retry waits for a Temporal timer, about 1 s on the dev server whatever the (scaled) interval, one after
  // another in the lane: a few chosen failures prove the hold, where 30 % random ones cost ~60 s.
  it('events to a receiver failing some attempts arrive one at a time in acceptance order, across lane runs', async ({ expect }) => {
    const t = await stack.tenant('fifo-order');
    // Enough events for the lane to continue as new once, posted as a batch, single posts and a batch.
    const ids = Array.from({ length: LANE_DELIVERIES_PER_RUN + 10 }, (_, i) => `fifo-${String(i).padStart(3, '0')}`);
    // Failed attempts per event: a first attempt (3), a regular activity's retry after it too (45), one of the
    // single posts (64), and the first delivery of the lane's second run (100).
    const failures = new Map([3, 45, 64, 100].map((i) => [ids[i]!, i === 45 ? 2 : 1]));
    receiver.on('/fifo-order', (req) =>
      Number(req.headers['x-hookrelay-attempt']) <= (failures.get(String(req.headers['webhook-id'])) ?? 0) ? { status: 503 } : { status: 204 },
    );
    const sub = await stack.api.subscribe(t.api_key, {
      url: `${receiver.url}/fifo-order`,
      ordering: 'fifo',
      retry_policy: { initial_interval: '1s', maximum_attempts: 100 },
    });
    expect(sub.ordering).toBe('fifo');
    // Acceptance order is what PostgreSQL numbered, whatever the relay's start order.
    const batch = (list: string[]) =>
      stack.api.postEventBatch(stack.adminToken, {
        events: list.map((id) => ({ id, tenant_id: t.id, environment: 'production' as const, type: 'a.b', payload: { id } })),
      });
    expect((await batch(ids.slice(0, 60))).status).toBe(202);
    for (const id of ids.slice(60, 70)) await stack.postEvent(t.id, id, { payload: { id } });
    expect((await batch(ids.slice(70))).status).toBe(202);
    const results = await Promise.all(ids.map((id) => stack.settle(t.id, id)));
    expect(results.map((r) => r.outcome)).toEqual(Array(ids.length).fill('succeeded'));

    const order = await acceptanceOrder(t.id);
    const received = receiver.forPath('/fifo-order');
    const delivered = received.map((r) => String(r.headers['webhook-id']));
    // Every attempt of an event comes before any attempt of the next: the sequence of ids, runs collapsed, is the acceptance order.
    const runs = delivered.filter((id, i) => id !== delivered[i - 1]);
    expect(runs).toEqual(order);
    // The failing ones were retried in place, each attempt once.
    for (const [id, failed] of failures) {
      expect(received.filter((r) => r.headers['webhook-id'] === id).map((r) => Number(r.headers['x-hookrelay-attempt']))).toEqual(
        Array.from({ length: failed + 1 }, (_, i) => i + 1),
      );
    }
    // The lane continued as new (LANE_DELIVERIES_PER_RUN deliveries a run) and its runs are in Temporal.
    const desc = await stack.temporal.client.workflow.getHandle(laneWorkflowId(sub.id)).describe();
    expect(desc.runId).not.toBe(desc.raw.workflowExecutionInfo?.firstRunId ?? desc.runId);
    // Every run carries the tenant, so an operator finds the lane by HookrelayTenant (docs/web-ui-runbook.md).
    expect(desc.typedSearchAttributes.get(TenantAttr)).toBe(t.id);
    // And its tenant's fairness key, which its deliveries inherit (docs/isolation.md).
    expect(desc.raw.workflowExecutionInfo?.priority?.fairnessKey).toBe(t.id);
  }, 180_000);

  it('a FIFO subscription disabled mid-queue cancels the deliveries still queued', async ({ expect }) => {
    const t = await stack.tenant('fifo-disable');
    receiver.on('/fifo-stuck', () => ({ status: 500 }));
    const sub = await stack.api.subscribe(t.api_key, {
      url: `${receiver.url}/fifo-stuck`,
      ordering: 'fifo',
      retry_policy: { initial_interval: '1h', maximum_attempts: 5 },
    });
    for (let i = 0; i < 5; i++) await stack.postEvent(t.id, `fd-${i}`);
    await receiver.waitFor('/fifo-stuck', 1);
    // The first is retrying (36 s between attempts at this scale: its activity waits in Temporal's backoff) and
    // holds the other four, all handed to the lane.
    await eventually(() => laneRetrying(sub.id), { what: "the lane's delivery retrying" });
    await eventually(
      async () => {
        const { rows } = await stack.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM deliveries WHERE tenant_id = $1 AND status = 'pending' AND fifo_queued`,
          [t.id],
        );
        return rows[0]!.n === 5;
      },
      { what: 'the five deliveries queued in the lane' },
    );
    expect(receiver.forPath('/fifo-stuck')).toHaveLength(1);
    const disabled = await stack.api.as(t.api_key).PATCH('/v1/subscriptions/{id}', { params: { path: { id: sub.id } }, body: { enabled: false } });
    expect(disabled.response.status).toBe(200);
    const results = await Promise.all([0, 1, 2, 3, 4].map((i) => stack.settle(t.id, `fd-${i}`)));
    expect(results.map((r) => r.outcome)).toEqual(Array(5).fill('cancelled'));
    expect(receiver.forPath('/fifo-stuck')).toHaveLength(1);
  }, 60_000);

  it('a FIFO subscription and a normal one on the same events do not slow each other', async ({ expect }) => {
    const t = await stack.tenant('fifo-side');
    // The FIFO receiver holds its first answer until the normal subscription has received all 20 events: a
    // normal delivery held behind the lane would never come, and this test would time out.
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    receiver.on('/side-fifo', async () => {
      await released;
      return { status: 204 };
    });
    try {
      await stack.api.subscribe(t.api_key, { url: `${receiver.url}/side-fifo`, ordering: 'fifo', timeout_ms: 60_000 });
      await stack.api.subscribe(t.api_key, { url: `${receiver.url}/side-normal` });
      const ids = Array.from({ length: 20 }, (_, i) => `side-${i}`);
      await ok(
        stack.api.as(stack.adminToken).POST('/v1/events/batch', {
          body: { events: ids.map((id) => ({ id, tenant_id: t.id, environment: 'production' as const, type: 'a.b', payload: {} })) },
        }),
      );
      // The lane is busy with its first delivery, and the normal subscription gets all 20 meanwhile.
      await receiver.waitFor('/side-fifo', 1, 30_000);
      await receiver.waitFor('/side-normal', 20, 30_000);
      expect(receiver.forPath('/side-fifo')).toHaveLength(1);
      release();
      const fifo = await receiver.waitFor('/side-fifo', 20, 30_000);
      expect(fifo.map((r) => r.headers['webhook-id'])).toEqual(await acceptanceOrder(t.id));
    } finally {
      release();
    }
  }, 60_000);
});
