import type { RequestBody } from '../../src/client/index.js';
import { eventWorkflowId, notificationWorkflowId } from '../../src/domain/workflow-ids.js';
import { eventually } from '../support/eventually.js';
import { describe, expect, it } from 'vitest';
import { useStack } from '../support/use-stack.js';

const stack = useStack({ env: { RETRY_TIME_SCALE: '0.001', NOTIFICATION_WINDOW: '3s' } });
const { receiver } = stack;

const workflow = (id: string) => stack.temporal.client.workflow.getHandle(id);

/** The ids of the child workflows a workflow started, from its history. */
async function childrenStarted(workflowId: string): Promise<string[]> {
  const history = await workflow(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ?? []);
}
const post = (tenantId: string, id: string, type: string, payload: Record<string, unknown>) => stack.deliver(tenantId, id, { type, payload });

/** A ROOK-style notification webhook beside an ordinary one. */
async function tenantWithNotificationWebhook(
  path: string,
  notificationPath: string,
  retry_policy: RequestBody<'createSubscription'>['retry_policy'] = 'none',
) {
  const t = await stack.api.createTenant(stack.adminToken);
  const sub = await stack.api.subscribe(t.api_key, { url: `${receiver.url}${path}`, event_types: ['user.*'], retry_policy });
  const notifications = await stack.api.subscribe(t.api_key, {
    url: `${receiver.url}${notificationPath}`,
    event_types: ['failure.*', 'user.*', 'datasource.*'],
    retry_policy: 'none',
  });
  return { t, sub, notifications };
}

describe('failure.delivery', () => {
  it('a delivery that ends failed starts a child workflow that notifies the tenant', async () => {
    receiver.on('/fd-broken', () => ({ status: 500, body: 'boom' }));
    const { t, sub, notifications } = await tenantWithNotificationWebhook('/fd-broken', '/fd-notify', {
      initial_interval: '1s',
      maximum_attempts: 2,
    });
    const result = await post(t.id, 'fd-1', 'user.created', { n: 1 });
    expect(result.deliveries.find((d) => d.subscriptionId === sub.id)?.status).toBe('failed');

    const childId = `${eventWorkflowId(t.id, 'fd-1')}/failure.delivery/${sub.id}`;
    const child = await workflow(childId).result();
    expect(child.outcome).toBe('succeeded');
    const description = await workflow(childId).describe();
    expect(description.type).toBe('notificationWorkflow');
    expect(description.parentExecution?.workflowId).toBe(eventWorkflowId(t.id, 'fd-1'));

    const [notice] = receiver.forPath('/fd-notify').filter((r) => r.headers['x-hookrelay-event-type'] === 'failure.delivery');
    const delivery = result.deliveries.find((d) => d.subscriptionId === sub.id)!;
    expect(notice!.headers['webhook-id']).toBe(`failure.delivery:${delivery.deliveryId}`);
    const payload = JSON.parse(notice!.body);
    expect(payload).toMatchObject({
      event_id: 'fd-1',
      event_type: 'user.created',
      delivery_id: delivery.deliveryId,
      subscription_id: sub.id,
      url: `${receiver.url}/fd-broken`,
      attempts: 2,
      last_status_code: 500,
    });
    expect(Date.parse(payload.first_attempt_at)).toBeLessThanOrEqual(Date.parse(payload.last_attempt_at));
    // The notification is an event of its own, in the tenant's log.
    const event = await stack.api.event(t.api_key, `failure.delivery:${delivery.deliveryId}`);
    expect(event).toMatchObject({ type: 'failure.delivery', deliveries: [{ subscription_id: notifications.id, status: 'succeeded' }] });
  });

  it('never chains: a notification whose own delivery fails is recorded and notifies no one', async () => {
    receiver.on('/chain-broken', () => ({ status: 500 }));
    receiver.on('/chain-notify', () => ({ status: 500 }));
    const { t, notifications } = await tenantWithNotificationWebhook('/chain-broken', '/chain-notify');
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/chain-star`, event_types: ['*'], retry_policy: 'none' });
    receiver.on('/chain-star', () => ({ status: 503 }));
    const result = await post(t.id, 'chain-1', 'user.created', {});

    // Three deliveries of user.created fail (the broken one, the * one, and the notification webhook, which takes user.*)
    // → three failure.delivery children, whose own deliveries all fail.
    expect(result.deliveries.map((d) => d.status)).toEqual(['failed', 'failed', 'failed']);
    const parentId = eventWorkflowId(t.id, 'chain-1');
    const children = result.deliveries.map((d) => notificationWorkflowId(parentId, 'failure.delivery', d.subscriptionId));
    expect((await childrenStarted(parentId)).sort()).toEqual([...children].sort());
    // Each child has ended having started no child of its own: no notification of a notification, ever.
    for (const id of children) {
      expect((await workflow(id).result()).outcome).toBe('failed');
      expect(await childrenStarted(id)).toEqual([]);
    }
    // Temporal's visibility (what an operator searches) shows the same four, once it has caught up.
    const all = await eventually(
      async () => {
        const found = [];
        for await (const execution of stack.temporal.client.workflow.list({ query: `HookrelayTenant="${t.id}"` })) found.push(execution);
        return found.length >= 4 && found;
      },
      { what: "the tenant's four workflows in Temporal's visibility" },
    );
    expect(all.filter((w) => w.type === 'eventWorkflow')).toHaveLength(1);
    expect(all.filter((w) => w.type === 'notificationWorkflow')).toHaveLength(3);
    const { rows } = await stack.pool.query(
      `SELECT e.type, d.status, d.subscription_id FROM deliveries d JOIN events e ON e.tenant_id = d.tenant_id AND e.id = d.event_id
       WHERE d.tenant_id = $1 AND e.type = 'failure.delivery'`,
      [t.id],
    );
    // Each notification went to both failure.* matchers and failed there: recorded, not notified further.
    expect(rows).toHaveLength(6);
    expect(rows.every((r) => r.status === 'failed')).toBe(true);
    expect(rows.filter((r) => r.subscription_id === notifications.id)).toHaveLength(3);
    const events = await stack.pool.query(`SELECT count(*)::int AS n FROM events WHERE tenant_id = $1`, [t.id]);
    expect(events.rows[0].n).toBe(4);
  });
});

describe('failure.extraction', () => {
  const extraction = (reason: string) => ({ user_id: 'u-7', data_source: 'garmin', reason });

  it('is delivered through a child workflow, at most once per window, duplicates recorded as suppressed', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/rook`, event_types: ['failure.*'] });

    const first = await post(t.id, 'ex-1', 'failure.extraction', extraction('credentials_invalid'));
    expect(first.outcome).toBe('succeeded');
    expect((await workflow(`${eventWorkflowId(t.id, 'ex-1')}/failure.extraction`).describe()).parentExecution?.workflowId).toBe(
      eventWorkflowId(t.id, 'ex-1'),
    );

    const second = await post(t.id, 'ex-2', 'failure.extraction', extraction('credentials_invalid'));
    expect(second).toMatchObject({ outcome: 'suppressed', suppressedBy: 'ex-1', deliveries: [] });
    const other = await post(t.id, 'ex-3', 'failure.extraction', extraction('permission_denied'));
    expect(other.outcome).toBe('succeeded');

    const suppressed = await stack.api.event(t.api_key, 'ex-2');
    expect(suppressed).toMatchObject({ type: 'failure.extraction', suppressed_by: 'ex-1', deliveries: [] });
    expect(receiver.forPath('/rook').map((r) => r.headers['webhook-id'])).toEqual(['ex-1', 'ex-3']);
    expect(JSON.parse(receiver.forPath('/rook')[0]!.body)).toEqual(extraction('credentials_invalid'));

    // After the (3 s) window the same failure is notified again: waited for by the database's clock, which the window is kept by.
    await eventually(
      async () => {
        const { rows } = await stack.pool.query<{ over: boolean }>(
          `SELECT notified_at <= now() - make_interval(secs => $2::double precision / 1000) AS over FROM notification_windows
           WHERE tenant_id = $1 AND event_id = 'ex-1'`,
          [t.id, stack.config.notificationWindowMs],
        );
        return rows[0]?.over;
      },
      { what: 'the notification window of ex-1 to end', timeoutMs: stack.config.notificationWindowMs + 5_000 },
    );
    expect((await post(t.id, 'ex-4', 'failure.extraction', extraction('credentials_invalid'))).outcome).toBe('succeeded');
    expect(receiver.forPath('/rook')).toHaveLength(3);
  });

  it('needs user_id, data_source and a known reason, named in the 400', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const res = await stack.api.postEvent(stack.adminToken, {
      tenant_id: t.id,
      environment: 'production',
      type: 'failure.extraction',
      payload: { reason: 'cosmic_rays' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['payload.data_source', 'payload.reason', 'payload.user_id']);
    const system = await stack.api.postEvent(stack.adminToken, { tenant_id: t.id, environment: 'production', type: 'failure.delivery', payload: {} });
    expect(system.status).toBe(400);
    expect(system.body.error.details[0].path).toBe('type');
  });
});

describe('failure.subscription_disabled', () => {
  it('is sent when a 410 disables a subscription', async () => {
    receiver.on('/gone-for-good', () => ({ status: 410 }));
    const { t, sub } = await tenantWithNotificationWebhook('/gone-for-good', '/sd-notify', { initial_interval: '1s', maximum_attempts: 5 });
    await post(t.id, 'sd-1', 'user.deleted', {});
    await workflow(`${eventWorkflowId(t.id, 'sd-1')}/failure.subscription_disabled/${sub.id}`).result();
    const notice = receiver.forPath('/sd-notify').find((r) => r.headers['x-hookrelay-event-type'] === 'failure.subscription_disabled');
    expect(JSON.parse(notice!.body)).toMatchObject({ subscription_id: sub.id, url: `${receiver.url}/gone-for-good`, event_id: 'sd-1' });
    expect(JSON.parse(notice!.body).reason).toMatch(/410 Gone/);
    // Only the first disabling notifies: a second event finds it disabled and delivers nothing there. Its workflow
    // has ended, and a notification would have been its child, started before it ended: it started none.
    const second = await post(t.id, 'sd-2', 'user.deleted', {});
    expect(second.deliveries.map((d) => d.subscriptionId)).not.toContain(sub.id);
    expect(await childrenStarted(eventWorkflowId(t.id, 'sd-2'))).toEqual([]);
    expect(receiver.forPath('/sd-notify').filter((r) => r.headers['x-hookrelay-event-type'] === 'failure.subscription_disabled')).toHaveLength(1);
  });
});
