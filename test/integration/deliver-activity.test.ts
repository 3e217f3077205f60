// The delivery activity run on its own (MockActivityEnvironment) against the test database and a receiver.
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/common';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities, type DispatchResult } from '../../src/activities/index.js';
import { FailureType } from '../../src/domain/delivery-failures.js';
import { resolveRetryPolicy } from '../../src/domain/retry-policy.js';
import { startStack, type Stack } from '../support/stack.js';
import { requireKeyring } from '../../src/secrets/encryption-keys.js';
import { startReceiver, type Receiver } from '../support/receiver.js';

let stack: Stack;
let receiver: Receiver;
let agent: Agent;
let deliver: ReturnType<typeof createActivities>['deliver'];
let dispatchEvent: ReturnType<typeof createActivities>['dispatchEvent'];
let tenant: { id: string; api_key: string };

beforeAll(async () => {
  [stack, receiver] = await Promise.all([startStack(), startReceiver()]);
  agent = new Agent();
  const activities = createActivities({
    pool: stack.pool,
    agent,
    allowPrivateTargets: true,
    autoDisableAfterMs: 86_400_000,
    notificationWindowMs: 60_000,
    isolation: {
      originMaxInFlight: 200,
      slowStartInFlight: 4,
      circuit: { failureThreshold: 5, cooldownMs: 30_000, maxCooldownMs: 600_000 },
      inlineAttemptLimitMs: 2_000,
      fanOutSlice: 500,
    },
    keyring: requireKeyring(stack.config.encryptionKeys, 'test'),
  });
  deliver = activities.deliver;
  dispatchEvent = activities.dispatchEvent;
  tenant = await stack.api.createTenant(stack.adminToken, 'activity');
});
afterAll(async () => {
  await agent?.close();
  await stack?.stop();
  await receiver?.close();
});

/** The activity's environment as Temporal's attempt `attempt` (its expected failures not logged). */
const activityAt = (attempt: number) => new MockActivityEnvironment({ attempt }, { logger: new DefaultLogger('ERROR') });

async function deliveredEvent(path: string, eventId: string) {
  const type = `act.${eventId.replaceAll('-', '_')}`;
  const sub = await stack.api.subscribe(tenant.api_key, {
    url: `${receiver.url}${path}`,
    event_types: [type],
    retry_policy: { initial_interval: '1s', maximum_attempts: 3 },
  });
  const posted = await stack.api.postEvent(stack.adminToken, { id: eventId, tenant_id: tenant.id, environment: 'production', type, payload: {} });
  expect(posted.status).toBe(202);
  const result = await stack.settle(tenant.id, eventId);
  return { sub, delivery: result.deliveries[0]! };
}

describe('the delivery activity', () => {
  it('finding its delivery already succeeded, reports the recorded attempt and sends nothing', async () => {
    receiver.on('/created', (_r, n) => ({ status: n === 1 ? 500 : 201 }));
    const { delivery } = await deliveredEvent('/created', 'already-succeeded');
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 2 });
    const { rows } = await stack.pool.query<{ number: number; status_code: number; duration_ms: number }>(
      'SELECT number, status_code, duration_ms FROM attempts WHERE delivery_id = $1 AND number = 2',
      [delivery.deliveryId],
    );
    const recorded = rows[0]!;
    expect(recorded.status_code).toBe(201);

    // A later run of the activity (as after a worker lost the first run's completion), as attempt 5.
    const requestsBefore = receiver.forPath('/created').length;
    const result = await activityAt(4).run(deliver, {
      deliveryId: delivery.deliveryId,
      attemptOffset: 1,
      retryPolicy: resolveRetryPolicy('default'),
      timeScale: 1,
    });
    expect(result).toEqual({ statusCode: 201, attempts: 2, durationMs: recorded.duration_ms });
    expect(receiver.forPath('/created')).toHaveLength(requestsBefore);
  }, 30_000);

  it('refuses a delivery whose subscription was disabled, as DeliveryCancelled, without sending', async () => {
    const { sub, delivery } = await deliveredEvent('/disabled', 'then-disabled');
    // As a redelivery's pending row would be, with its subscription disabled since.
    await stack.pool.query(`UPDATE deliveries SET status = 'pending' WHERE id = $1`, [delivery.deliveryId]);
    await stack.pool.query('UPDATE subscriptions SET enabled = false WHERE id = $1', [sub.id]);
    const requestsBefore = receiver.forPath('/disabled').length;
    const error = await activityAt(2)
      .run(deliver, { deliveryId: delivery.deliveryId, retryPolicy: resolveRetryPolicy('default'), timeScale: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ type: FailureType.Cancelled, nonRetryable: true });
    expect(receiver.forPath('/disabled')).toHaveLength(requestsBefore);
  }, 30_000);

  it('run again (its workflow task was lost), dispatchEvent does not send a first attempt the first run made and recorded', async () => {
    receiver.on('/rerun', () => ({ status: 422 }));
    const sub = await stack.api.subscribe(tenant.api_key, { url: `${receiver.url}/rerun`, event_types: ['act.rerun'] });
    // The event accepted but its workflow never started (no relay here): dispatch as its workflow would.
    await stack.pool.query(
      `INSERT INTO events (tenant_id, id, environment, type, payload, workflow_id, started_at)
       VALUES ($1, 'rerun-1', 'production', 'act.rerun', '{}', 'event:rerun-1', now())`,
      [tenant.id],
    );
    const input = {
      tenantId: tenant.id,
      eventId: 'rerun-1',
      environment: 'production',
      type: 'act.rerun',
      workflowId: 'event:rerun-1',
      timeScale: 1,
      isolation: true as const,
    };
    const first = (await activityAt(1).run(dispatchEvent, input)) as DispatchResult;
    const deliveryId = first.plans[0]!.deliveryId;
    expect(first.first[deliveryId]).toMatchObject({ failed: { nonRetryable: false } });
    const again = (await activityAt(1).run(dispatchEvent, input)) as DispatchResult;
    expect(again.plans.map((p) => p.deliveryId)).toEqual([deliveryId]);
    expect(again.first[deliveryId]).toEqual({ inFlight: { attempt: 1 } });
    expect(receiver.forPath('/rerun')).toHaveLength(1);
    expect(sub.id).toBe(first.plans[0]!.subscriptionId);
  }, 30_000);
});
