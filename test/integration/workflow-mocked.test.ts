// The delivery workflows against the dev server with stub activities: no database, no HTTP, seconds in all.
// Each stub records what the workflow asked of it, so the orchestration itself is what is tested.
import { eventually } from '../support/eventually.js';
import { randomBytes } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Activities, DeliverInput, DeliverResult, DeliveryPlan, FinishInput, FirstAttempt, PrepareInput } from '../../src/activities/index.js';
import { FailureType } from '../../src/domain/delivery-failures.js';
import { backoffDelay, type ResolvedRetryPolicy } from '../../src/domain/retry-policy.js';
import type { EventWorkflowInput, EventWorkflowResult } from '../../src/workflows/event-workflow.js';
import { cancelDeliverySignal } from '../../src/workflows/signals.js';

interface Call {
  attempt: number;
  local: boolean;
  at: number;
}
type Respond = (attempt: number) => DeliverResult | Promise<DeliverResult>;

const responders = new Map<string, Respond>();
const calls = new Map<string, Call[]>();
const plans = new Map<string, DeliveryPlan[]>();
const prepared: PrepareInput[] = [];
const finished: FinishInput[] = [];

/** A delivery's attempt as the stubs record it: the responder's answer, or its ApplicationFailure. */
async function respond(deliveryId: string, attempt: number, local: boolean): Promise<DeliverResult> {
  calls.set(deliveryId, [...(calls.get(deliveryId) ?? []), { attempt, local, at: Date.now() }]);
  return responders.get(deliveryId)!(attempt);
}

const stubs: Activities = {
  // As the real one: plans, then first attempts (failures as data) of all but rate-limited, FIFO or cancelled ones.
  async dispatchEvent({ timeScale: _timeScale, cancelled, isolation: _isolation, ...input }) {
    prepared.push(input);
    const list = plans.get(input.eventId) ?? [];
    const first: Record<string, FirstAttempt> = {};
    for (const plan of list) {
      if (plan.rateLimited || plan.fifo || cancelled?.includes(plan.deliveryId)) continue;
      try {
        first[plan.deliveryId] = { delivered: await respond(plan.deliveryId, 1, true) };
      } catch (error) {
        if (!(error instanceof ApplicationFailure)) throw error;
        first[plan.deliveryId] = {
          failed: {
            message: error.message,
            type: error.type ?? null,
            nonRetryable: error.nonRetryable === true,
            details: (error.details ?? []) as never[],
          },
        };
      }
    }
    return { plans: list, first };
  },
  async dispatchSlice() {
    throw new Error('no fan-out slices here');
  },
  async planDelivery(deliveryId) {
    return [...plans.values()].flat().find((p) => p.deliveryId === deliveryId) ?? null;
  },
  // As the real one: hookrelay counts the attempts itself, sets every retry's delay after its own count, and
  // makes the policy's last attempt's failure final (Temporal retries without a limit of its own).
  async deliver(input: DeliverInput) {
    const { info } = Context.current();
    const attempt = (calls.get(input.deliveryId)?.length ?? 0) + 1;
    try {
      return await respond(input.deliveryId, attempt, info.isLocal);
    } catch (error) {
      if (!(error instanceof ApplicationFailure) || error.nonRetryable) throw error;
      const policy = input.retryPolicy;
      const last = policy.maximumAttempts > 0 && attempt >= policy.maximumAttempts;
      const delay = backoffDelay(
        { initialInterval: policy.initialIntervalMs, backoffCoefficient: policy.backoffCoefficient, maximumInterval: policy.maximumIntervalMs },
        attempt,
      );
      throw ApplicationFailure.create({
        message: error.message,
        ...(error.type ? { type: error.type } : {}),
        details: error.details ?? [],
        nonRetryable: last,
        ...(last ? {} : { nextRetryDelay: error.nextRetryDelay ?? delay }),
      });
    }
  },
  async finishDelivery(input) {
    finished.push(input);
    const made = calls.get(input.deliveryId) ?? [];
    return { attempts: made.length, lastStatusCode: 500, lastError: input.reason, firstAttemptAt: null, lastAttemptAt: null };
  },
  async claimNotificationWindow(input) {
    return { claimed: true, holder: input.eventId };
  },
  async reserveSlot() {
    return null;
  },
  async queueInLane() {
    throw new Error('no FIFO subscriptions here');
  },
  async nextInLane() {
    return { kind: 'idle' };
  },
  async passInLane() {},
};

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `mocked-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  if (!Runtime._instance) Runtime.install({ logger: new DefaultLogger('ERROR') });
  env = await TestWorkflowEnvironment.createFromExistingServer({ address: inject('temporalAddress') });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    activities: stubs,
  });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

const fast = (over: Partial<ResolvedRetryPolicy> = {}): ResolvedRetryPolicy => ({
  initialIntervalMs: 200,
  backoffCoefficient: 2,
  maximumIntervalMs: 10_000,
  maximumAttempts: 5,
  maxDurationMs: 0,
  nonRetryableStatuses: [],
  ...over,
});

let seq = 0;
/** An event with one delivery per responder; returns its ids and a starter. */
function scenario(name: string, deliveries: Array<{ respond: Respond; policy?: ResolvedRetryPolicy }>) {
  const eventId = `${name}-${++seq}-${randomBytes(3).toString('hex')}`;
  const list = deliveries.map((d, i) => {
    const plan: DeliveryPlan = {
      deliveryId: `${eventId}-d${i + 1}`,
      subscriptionId: `sub-${i + 1}`,
      url: `https://r.example/${i + 1}`,
      retryPolicy: d.policy ?? fast(),
      timeoutMs: 10_000,
    };
    responders.set(plan.deliveryId, d.respond);
    return plan;
  });
  plans.set(eventId, list);
  const input: EventWorkflowInput = { tenantId: 't', eventId, environment: 'production', type: 'user.created' };
  const workflowId = `event:t:${eventId}`;
  return {
    eventId,
    workflowId,
    ids: list.map((p) => p.deliveryId),
    start: () => env.client.workflow.start('eventWorkflow', { taskQueue, workflowId, args: [input] }),
    result: () => env.client.workflow.getHandle(workflowId).result() as Promise<EventWorkflowResult>,
  };
}

const ok = (attempt: number): DeliverResult => ({ statusCode: 200, attempts: attempt, durationMs: 1 });
const http500 = (attempt: number, extra: { nextRetryDelay?: number; details?: unknown[] } = {}) =>
  ApplicationFailure.create({ type: 'HttpStatus', message: `HTTP 500 (attempt ${attempt})`, ...extra });
const gaps = (list: Call[]) => list.slice(1).map((c, i) => c.at - list[i]!.at);
const attemptsOf = (id: string) => (calls.get(id) ?? []).map((c) => c.attempt);
const waitUntil = (what: () => boolean, timeoutMs = 15_000) => eventually(what, { timeoutMs, intervalMs: 20 });

// Timers never fire early; under load they may fire late, so only the lower bounds are tight.
const SLACK_MS = 3_000;

describe('event workflow with stub activities', () => {
  it('success: one local attempt, nothing finished or notified', async () => {
    const s = scenario('success', [{ respond: ok }]);
    await s.start();
    const result = await s.result();
    expect(result).toEqual({
      outcome: 'succeeded',
      deliveries: [{ deliveryId: s.ids[0], subscriptionId: 'sub-1', status: 'succeeded', attempts: 1 }],
    });
    expect(calls.get(s.ids[0]!)!.map((c) => c.local)).toEqual([true]);
    expect(finished.filter((f) => f.deliveryId === s.ids[0])).toEqual([]);
    expect(prepared.filter((p) => p.eventId === s.eventId)).toEqual([
      { tenantId: 't', eventId: s.eventId, environment: 'production', type: 'user.created', workflowId: s.workflowId },
    ]);
  });

  it("retry, then succeed: attempt 1 local, 2 and 3 remote, at the policy's intervals (200 ms, then 400 ms)", async () => {
    const s = scenario('retry', [
      {
        respond: (n) => {
          if (n < 3) throw http500(n);
          return ok(n);
        },
      },
    ]);
    await s.start();
    const result = await s.result();
    expect(result.outcome).toBe('succeeded');
    expect(result.deliveries[0]!.attempts).toBe(3);
    const made = calls.get(s.ids[0]!)!;
    expect(made.map((c) => [c.attempt, c.local])).toEqual([
      [1, true],
      [2, false],
      [3, false],
    ]);
    const [first, second] = gaps(made);
    expect(first).toBeGreaterThanOrEqual(200);
    expect(first).toBeLessThan(200 + SLACK_MS);
    expect(second).toBeGreaterThanOrEqual(400);
    expect(second).toBeLessThan(400 + SLACK_MS);
  });

  it('gives up after maximum_attempts and finishes the delivery failed, notifying failure.delivery', async () => {
    const s = scenario('exhausted', [
      {
        respond: (n) => {
          throw http500(n);
        },
        policy: fast({ initialIntervalMs: 50, maximumAttempts: 3 }),
      },
    ]);
    await s.start();
    const result = await s.result();
    expect(result.outcome).toBe('failed');
    expect(result.deliveries[0]).toMatchObject({ status: 'failed', error: 'HTTP 500 (attempt 3)' });
    expect(attemptsOf(s.ids[0]!)).toEqual([1, 2, 3]);
    expect(finished.filter((f) => f.deliveryId === s.ids[0])).toEqual([{ deliveryId: s.ids[0], status: 'failed', reason: 'HTTP 500 (attempt 3)' }]);
    await waitUntil(() => prepared.some((p) => p.eventId === `failure.delivery:${s.ids[0]}`));
    expect(prepared.find((p) => p.eventId === `failure.delivery:${s.ids[0]}`)).toMatchObject({
      type: 'failure.delivery',
      workflowId: `${s.workflowId}/failure.delivery/sub-1`,
      payload: { delivery_id: s.ids[0], attempts: 3, last_error: 'HTTP 500 (attempt 3)' },
    });
  });

  it('a non-retryable failure ends the delivery at once; a disabling one also notifies failure.subscription_disabled', async () => {
    const disabled = { subscriptionDisabled: { subscriptionId: 'sub-1', url: 'https://r.example/1', reason: 'receiver answered 410 Gone' } };
    const s = scenario('gone', [
      {
        respond: () => {
          throw ApplicationFailure.create({ type: FailureType.Gone, message: 'HTTP 410', nonRetryable: true, details: [disabled] });
        },
      },
      {
        // Non-retryable on a remote attempt: no attempt 3 although the policy allows 5.
        respond: (n) => {
          throw ApplicationFailure.create({
            type: n === 1 ? 'HttpStatus' : FailureType.NonRetryableStatus,
            message: `HTTP 400 (attempt ${n})`,
            nonRetryable: n > 1,
          });
        },
        policy: fast({ initialIntervalMs: 50, nonRetryableStatuses: [400] }),
      },
    ]);
    await s.start();
    const result = await s.result();
    expect(result.outcome).toBe('failed');
    expect(attemptsOf(s.ids[0]!)).toEqual([1]);
    expect(attemptsOf(s.ids[1]!)).toEqual([1, 2]);
    expect(result.deliveries.map((d) => d.error)).toEqual(['HTTP 410', 'HTTP 400 (attempt 2)']);
    await waitUntil(() => prepared.some((p) => p.eventId === `failure.subscription_disabled:${s.ids[0]}`));
    expect(prepared.find((p) => p.eventId === `failure.subscription_disabled:${s.ids[0]}`)!.payload).toMatchObject({
      subscription_id: 'sub-1',
      reason: 'receiver answered 410 Gone',
      delivery_id: s.ids[0],
    });
    // The 400 did not disable anything.
    expect(prepared.some((p) => p.eventId === `failure.subscription_disabled:${s.ids[1]}`)).toBe(false);
  });

  it('Retry-After sets the next delay: after the local attempt (by detail) and after a remote one (nextRetryDelay)', async () => {
    const s = scenario('retry-after', [
      {
        respond: (n) => {
          if (n === 1) throw http500(n, { nextRetryDelay: 900, details: [{ retryAfterMs: 900 }] });
          if (n === 2) throw http500(n, { nextRetryDelay: 700, details: [{ retryAfterMs: 700 }] });
          return ok(n);
        },
        policy: fast({ initialIntervalMs: 50 }),
      },
    ]);
    await s.start();
    expect((await s.result()).outcome).toBe('succeeded');
    const [first, second] = gaps(calls.get(s.ids[0]!)!);
    // Without Retry-After: 50 ms, then 100 ms.
    expect(first).toBeGreaterThanOrEqual(900);
    expect(first).toBeLessThan(900 + SLACK_MS);
    expect(second).toBeGreaterThanOrEqual(700);
    expect(second).toBeLessThan(700 + SLACK_MS);
  });

  it('the cancel signal before a delivery started: it is never attempted, the others go on', async () => {
    const s = scenario('cancel-before', [{ respond: ok }, { respond: ok }]);
    await env.client.workflow.signalWithStart('eventWorkflow', {
      taskQueue,
      workflowId: s.workflowId,
      args: [{ tenantId: 't', eventId: s.eventId, environment: 'production', type: 'user.created' }],
      signal: cancelDeliverySignal,
      signalArgs: [s.ids[0]!],
    });
    const result = await s.result();
    expect(result.outcome).toBe('partial');
    expect(result.deliveries.map((d) => d.status)).toEqual(['cancelled', 'succeeded']);
    expect(calls.get(s.ids[0]!)).toBeUndefined();
    expect(finished.filter((f) => f.deliveryId === s.ids[0])).toEqual([
      { deliveryId: s.ids[0], status: 'cancelled', reason: 'the subscription was disabled or deleted' },
    ]);
    // A cancelled delivery notifies nobody.
    expect(prepared.some((p) => p.eventId === `failure.delivery:${s.ids[0]}`)).toBe(false);
  });

  it.each([
    ['waiting for its first retry (workflow timer)', 60_000, 1],
    ['waiting between remote attempts (activity backoff)', 100, 2],
  ])('the cancel signal while the delivery is pending, %s, ends it at once', async (_what, initialIntervalMs, attemptsBefore) => {
    const s = scenario('cancel-during', [
      {
        respond: (n) => {
          throw http500(n);
        },
        policy: fast({ initialIntervalMs, backoffCoefficient: 600, maximumIntervalMs: 60_000, maximumAttempts: 0 }),
      },
    ]);
    await s.start();
    await waitUntil(() => attemptsOf(s.ids[0]!).length === attemptsBefore);
    const signalled = Date.now();
    await env.client.workflow.getHandle(s.workflowId).signal(cancelDeliverySignal, s.ids[0]!);
    const result = await s.result();
    expect(Date.now() - signalled).toBeLessThan(SLACK_MS + 2_000);
    expect(result.outcome).toBe('cancelled');
    expect(attemptsOf(s.ids[0]!)).toHaveLength(attemptsBefore);
    expect(finished.filter((f) => f.deliveryId === s.ids[0])).toMatchObject([{ status: 'cancelled' }]);
  });
});

describe('redelivery workflow with stub activities', () => {
  it('plans the one delivery and makes its attempts', async () => {
    const s = scenario('redeliver', [
      {
        respond: (n) => {
          if (n < 2) throw http500(n);
          return ok(n);
        },
        policy: fast({ initialIntervalMs: 50 }),
      },
    ]);
    const workflowId = `redelivery:t:${s.ids[0]}`;
    await env.client.workflow.start('redeliveryWorkflow', {
      taskQueue,
      workflowId,
      args: [{ tenantId: 't', eventId: s.eventId, environment: 'production', type: 'user.created', deliveryId: s.ids[0]! }],
    });
    expect(await env.client.workflow.getHandle(workflowId).result()).toEqual({
      deliveryId: s.ids[0],
      subscriptionId: 'sub-1',
      status: 'succeeded',
      attempts: 2,
    });
  });
});
