// Isolation between receivers (docs/isolation.md): the bulkhead (max_in_flight), the circuit breaker, and the
// inline limit that keeps a slow receiver out of the event's workflow task.
import { describe, expect, it } from 'vitest';
import { ok } from '../support/api.js';
import { eventually } from '../support/eventually.js';
import { useStacks } from '../support/use-stack.js';
import { eventWorkflowId } from '../../src/domain/workflow-ids.js';
import { SLICES_AT_ONCE } from '../../src/domain/flow-control.js';

// Retry intervals and the circuit's cool-down (30 s) scaled by 0.02: 100 ms retries, a 600 ms cool-down.
const [stack, sliced] = useStacks(
  { env: { RETRY_TIME_SCALE: '0.02', INLINE_ATTEMPT_LIMIT: '1s' } },
  // Slices of 1 delivery, so a fan-out of a few subscriptions takes the path of one of thousands: more
  // slices than run at once (SLICES_AT_ONCE).
  { env: { RETRY_TIME_SCALE: '0.02', FAN_OUT_SLICE: '1' } },
);

/** A gate for a receiver's answers: each request waits until released, and the most in flight at once is kept. */
function heldAnswers() {
  let open = 0;
  let most = 0;
  const waiting: Array<() => void> = [];
  let released = false;
  return {
    get most() {
      return most;
    },
    get open() {
      return open;
    },
    async answer() {
      open += 1;
      most = Math.max(most, open);
      if (!released) await new Promise<void>((resolve) => waiting.push(resolve));
      open -= 1;
      return { status: 200 };
    },
    release() {
      released = true;
      for (const wake of waiting.splice(0)) wake();
    },
  };
}

describe('max_in_flight', () => {
  it('is validated on create and PATCH (400 naming the field), shown with the circuit, and defaults to 50', async () => {
    const t = await stack.tenant('mif-api');
    const created = await stack.api.subscribe(t.api_key, { url: `${stack.receiver.url}/mif-api` });
    expect(created.max_in_flight).toBe(50);
    expect(created.circuit).toEqual({ state: 'closed', consecutive_failures: 0, next_probe_at: null, opened_at: null });
    for (const value of [0, 1001, 2.5, '10', null]) {
      const bad = await stack.api.call('POST', '/v1/subscriptions', t.api_key, { url: `${stack.receiver.url}/x`, max_in_flight: value });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details.map((d: { path: string }) => d.path)).toContain('max_in_flight');
      const patched = await stack.api.call('PATCH', `/v1/subscriptions/${created.id}`, t.api_key, { max_in_flight: value });
      expect(patched.status).toBe(400);
    }
    const patched = await ok(
      stack.api.as(t.api_key).PATCH('/v1/subscriptions/{id}', { params: { path: { id: created.id } }, body: { max_in_flight: 7 } }),
    );
    expect(patched.max_in_flight).toBe(7);
    expect((await stack.api.subscription(t.api_key, created.id)).max_in_flight).toBe(7);
  });

  it('holds at most max_in_flight attempts in flight; the others wait (not as attempts) and are all delivered', async () => {
    const t = await stack.tenant('mif-bound');
    const held = heldAnswers();
    stack.receiver.on('/mif-bound', () => held.answer());
    await stack.api.subscribe(t.api_key, { url: `${stack.receiver.url}/mif-bound`, max_in_flight: 2 });
    const ids = Array.from({ length: 6 }, (_, i) => `mif-${i}`);
    for (const id of ids) await stack.postEvent(t.id, id);
    await eventually(() => held.open === 2, { timeoutMs: 20_000 });
    // The other four are refused at the gate: they wait, recorded as nothing, counted by the metric.
    await eventually(
      async () => {
        const { rows } = await stack.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM flow_waiters w JOIN deliveries d ON d.id = w.delivery_id WHERE d.tenant_id = $1`,
          [t.id],
        );
        return rows[0]!.n === 4;
      },
      { timeoutMs: 20_000 },
    );
    expect(stack.receiver.forPath('/mif-bound')).toHaveLength(2);
    held.release();
    const results = await Promise.all(ids.map((id) => stack.settle(t.id, id)));
    expect(results.map((r) => r.deliveries[0]!.status)).toEqual(ids.map(() => 'succeeded'));
    expect(results.map((r) => r.deliveries[0]!.attempts)).toEqual(ids.map(() => 1));
    expect(held.most).toBe(2);
    expect(stack.receiver.forPath('/mif-bound')).toHaveLength(6);
    const { rows } = await stack.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM flow_slots WHERE holder IS NOT NULL`);
    expect(rows[0]!.n).toBe(0);
  });
});

describe('slow start', () => {
  it('a new receiver gets SLOW_START_IN_FLIGHT attempts in flight, one more per answer up to max_in_flight; an opening circuit starts it again', async () => {
    const t = await stack.tenant('slow-start');
    const held = heldAnswers();
    stack.receiver.on('/slow-start', () => held.answer());
    const sub = await stack.api.subscribe(t.api_key, { url: `${stack.receiver.url}/slow-start`, max_in_flight: 10 });
    const ids = Array.from({ length: 10 }, (_, i) => `ss-${i}`);
    for (const id of ids) await stack.postEvent(t.id, id);
    // The receiver has not answered yet: 4 (the default) of max_in_flight's 10 go out, the others wait.
    await eventually(() => held.open === 4, { timeoutMs: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(held.most).toBe(4);
    held.release();
    const results = await Promise.all(ids.map((id) => stack.settle(t.id, id)));
    expect(results.map((r) => r.deliveries[0]!.status)).toEqual(ids.map(() => 'succeeded'));
    const ramp = async () =>
      (await stack.pool.query<{ answers: number }>('SELECT answers FROM flow_ramps WHERE subscription_id = $1', [sub.id])).rows[0]?.answers;
    expect(await ramp()).toBe(10);
    // A receiver that goes down opens its circuit; when it comes back it ramps up again from the start.
    stack.receiver.on('/slow-start', () => ({ status: 503 }));
    await stack.postEvent(t.id, 'ss-down');
    await eventually(async () => (await stack.api.subscription(t.api_key, sub.id)).circuit.state !== 'closed', { timeoutMs: 30_000 });
    expect(await ramp()).toBe(0);
    // A new receiver URL starts the ramp too (an answer from the old one says nothing of the new).
    await stack.pool.query('UPDATE flow_ramps SET answers = 7 WHERE subscription_id = $1', [sub.id]);
    await ok(
      stack.api
        .as(t.api_key)
        .PATCH('/v1/subscriptions/{id}', { params: { path: { id: sub.id } }, body: { url: `${stack.receiver.url}/slow-start-2` } }),
    );
    expect(await ramp()).toBe(0);
  }, 60_000);
});

describe('leases', () => {
  it('a slot whose holder died (its lease ran out) is taken again; a live one is not; a waiter that stopped asking stops counting', async () => {
    const { admit } = await import('../../src/db/isolation.js');
    const request = (deliveryId: string, seq: string) => ({
      deliveryId,
      subscriptionId: 'sub_lease',
      origin: 'http://lease.example:80',
      maxInFlight: 1,
      originMaxInFlight: 10,
      leaseMs: 60_000,
      seq,
      pollMs: 500,
      slowStart: 4,
    });
    // A worker SIGKILLed mid-attempt leaves its slot held until the lease's end.
    await stack.pool.query(
      `INSERT INTO flow_slots (key, slot, holder, expires_at) VALUES ('sub:sub_lease', 1, 'dlv_dead', now() + interval '1 hour')`,
    );
    expect(await admit(stack.pool, request('dlv_a', '10'))).toMatchObject({ admitted: false, reason: 'in_flight' });
    await stack.pool.query(`UPDATE flow_slots SET expires_at = now() - interval '1 second' WHERE holder = 'dlv_dead'`);
    // dlv_a asked first and waits: a newer attempt is not let past it while it keeps asking...
    expect(await admit(stack.pool, request('dlv_b', '11'))).toMatchObject({ admitted: false, reason: 'in_flight' });
    expect(await admit(stack.pool, request('dlv_a', '10'))).toMatchObject({ admitted: true });
    await stack.pool.query(`UPDATE flow_slots SET holder = NULL WHERE holder = 'dlv_a'`);
    // ...but one that stopped asking (its workflow gone) stops holding the line once its waiter row expires.
    await stack.pool.query(`UPDATE flow_waiters SET expires_at = now() - interval '1 second' WHERE delivery_id = 'dlv_b'`);
    expect(await admit(stack.pool, request('dlv_c', '12'))).toMatchObject({ admitted: true });
    const { rows } = await stack.pool.query(`SELECT delivery_id FROM flow_waiters WHERE subscription_id = 'sub_lease'`);
    expect(rows).toEqual([]);
  });
});

describe('the circuit breaker', () => {
  it('opens after 5 failures as if down, shows when it probes, and one successful probe closes it', async () => {
    const t = await stack.tenant('circuit');
    let up = false;
    stack.receiver.on('/circuit', () => ({ status: up ? 200 : 503 }));
    const sub = await stack.api.subscribe(t.api_key, {
      url: `${stack.receiver.url}/circuit`,
      retry_policy: { initial_interval: '1s', backoff_coefficient: 1, maximum_attempts: 100 },
    });
    await stack.postEvent(t.id, 'circuit-1');
    const open = await eventually(
      async () => {
        const read = await stack.api.subscription(t.api_key, sub.id);
        return read.circuit.state === 'open' ? read : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(open.circuit.consecutive_failures).toBeGreaterThanOrEqual(5);
    expect(Date.parse(open.circuit.next_probe_at!)).toBeGreaterThan(Date.parse(open.circuit.opened_at!));
    const metrics = await stack.worker!.metrics.registry.metrics();
    expect(metrics).toMatch(/hookrelay_circuits\{state="open"\} 1/);
    // The waiting attempt says why in Temporal: the pending activity's last failure, as the Web UI shows it.
    const handle = stack.temporal.client.workflow.getHandle(eventWorkflowId(t.id, 'circuit-1'));
    await eventually(
      async () => {
        const pending = (await handle.describe()).raw.pendingActivities ?? [];
        return pending.some((p) => /circuit (open until|half-open)/.test(p.lastFailure?.message ?? ''));
      },
      { timeoutMs: 20_000 },
    );
    // While open, nothing is sent but the probes: from here, one request (the probe that succeeds).
    up = true;
    const sentBefore = stack.receiver.forPath('/circuit').length;
    const result = await stack.settle(t.id, 'circuit-1');
    expect(result.deliveries[0]!.status).toBe('succeeded');
    expect(stack.receiver.forPath('/circuit').length).toBe(sentBefore + 1);
    const closed = await stack.api.subscription(t.api_key, sub.id);
    expect(closed.circuit).toEqual({ state: 'closed', consecutive_failures: 0, next_probe_at: null, opened_at: null });
  }, 60_000);

  it('a 4xx is an answer: it does not open the circuit', async () => {
    const t = await stack.tenant('circuit-4xx');
    stack.receiver.on('/c4xx', () => ({ status: 422 }));
    const sub = await stack.api.subscribe(t.api_key, {
      url: `${stack.receiver.url}/c4xx`,
      retry_policy: { initial_interval: '1s', backoff_coefficient: 1, maximum_attempts: 7 },
    });
    const result = await stack.deliver(t.id, 'c4xx-1');
    expect(result.deliveries[0]!.status).toBe('failed');
    expect(stack.receiver.forPath('/c4xx')).toHaveLength(7);
    const read = await stack.api.subscription(t.api_key, sub.id);
    expect(read.circuit.state).toBe('closed');
  }, 60_000);
});

describe('held routes', () => {
  it("leaves a route's newer events unstarted while its receivers' circuits are open; the tenant's other routes go; a closing circuit releases them", async () => {
    const t = await stack.tenant('held');
    let up = false;
    stack.receiver.on('/held-dead', () => ({ status: up ? 200 : 503 }));
    stack.receiver.on('/held-live', () => ({ status: 200 }));
    const dead = await stack.api.subscribe(t.api_key, { url: `${stack.receiver.url}/held-dead`, event_types: ['dead.x'] });
    await stack.api.subscribe(t.api_key, { url: `${stack.receiver.url}/held-live`, event_types: ['live.x'] });
    // The dead receiver's circuit is open for a few seconds (opened as the circuit tests above show).
    await stack.pool.query(
      `INSERT INTO circuits (subscription_id, state, consecutive_failures, cooldown_ms, open_until, opened_at)
       VALUES ($1, 'open', 5, 8000, now() + interval '8 seconds', now())`,
      [dead.id],
    );
    const startedAt = async (eventId: string) =>
      (await stack.pool.query<{ started_at: Date | null }>('SELECT started_at FROM events WHERE tenant_id = $1 AND id = $2', [t.id, eventId])).rows[0]
        ?.started_at ?? null;
    // A hold is not written within a second of a change to the tenant's subscriptions (it could be stale).
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    // The first event starts, is refused by the gate, and holds its route.
    await stack.postEvent(t.id, 'held-1', { type: 'dead.x' });
    const hold = await eventually(async () => {
      const { rows } = await stack.pool.query<{ reason: string; until: Date }>('SELECT reason, until FROM relay_holds WHERE tenant_id = $1', [t.id]);
      return rows[0];
    });
    expect(hold.reason).toBe('circuit_open');
    expect(await startedAt('held-1')).not.toBeNull();
    // The route's newer events wait unstarted, in PostgreSQL; an event of the tenant's other route is delivered meanwhile.
    for (const id of ['held-2', 'held-3']) await stack.postEvent(t.id, id, { type: 'dead.x' });
    const live = await stack.deliver(t.id, 'held-live-1', { type: 'live.x' });
    expect(live.deliveries[0]!.status).toBe('succeeded');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await startedAt('held-2')).toBeNull();
    expect(await startedAt('held-3')).toBeNull();
    // The receiver is back and the circuit closes (a probe's success deletes it): the hold goes, the events start and are delivered.
    up = true;
    await stack.pool.query('DELETE FROM circuits WHERE subscription_id = $1', [dead.id]);
    for (const id of ['held-2', 'held-3', 'held-1']) expect((await stack.settle(t.id, id)).deliveries[0]!.status).toBe('succeeded');
    expect((await stack.pool.query('SELECT 1 FROM relay_holds WHERE tenant_id = $1', [t.id])).rowCount).toBe(0);
  }, 60_000);
});

describe('the inline limit', () => {
  it("a receiver slower than INLINE_ATTEMPT_LIMIT does not hold the event's workflow task: one request, delivered", async () => {
    const t = await stack.tenant('inline');
    stack.receiver.on('/inline-slow', () => new Promise((resolve) => setTimeout(() => resolve({ status: 200 }), 3_000)));
    await stack.api.subscribe(t.api_key, { url: `${stack.receiver.url}/inline-slow` });
    const result = await stack.deliver(t.id, 'inline-1');
    expect(result.deliveries[0]).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(stack.receiver.forPath('/inline-slow')).toHaveLength(1);
    const history = await stack.temporal.client.workflow.getHandle(eventWorkflowId(t.id, 'inline-1')).fetchHistory();
    const events = history.events ?? [];
    const started = events.find((e) => e.workflowTaskStartedEventAttributes)!;
    const completed = events.find((e) => e.workflowTaskCompletedEventAttributes)!;
    const taskMs =
      Number(completed.eventTime!.seconds!) * 1000 +
      completed.eventTime!.nanos! / 1e6 -
      (Number(started.eventTime!.seconds!) * 1000 + started.eventTime!.nanos! / 1e6);
    // The first workflow task ended at the inline limit (1 s), not when the receiver answered (3 s).
    expect(taskMs).toBeLessThan(2_500);
    expect(events.some((e) => e.activityTaskScheduledEventAttributes)).toBe(true);
  });
});

describe('a first attempt left running past the inline limit', () => {
  it('that fails: reported once, then the next attempts are made (no retry of the same report)', async () => {
    const t = await stack.tenant('inline-fail');
    stack.receiver.on(
      '/inline-fail',
      (_r, n) => new Promise((resolve) => setTimeout(() => resolve({ status: n < 3 ? 503 : 204 }), n === 1 ? 1_800 : 0)),
    );
    await stack.api.subscribe(t.api_key, { url: `${stack.receiver.url}/inline-fail`, retry_policy: { initial_interval: '1s', maximum_attempts: 5 } });
    const result = await stack.deliver(t.id, 'inline-fail-1');
    expect(result.deliveries[0]).toMatchObject({ status: 'succeeded', attempts: 3 });
    expect(stack.receiver.forPath('/inline-fail')).toHaveLength(3);
  });
});

describe('a fan-out larger than a slice', () => {
  it('is made by one child workflow per slice, SLICES_AT_ONCE at a time; every delivery ends, a failing one notifies, the counts add up', async () => {
    const t = await sliced.tenant('fan');
    const subs = [];
    for (let i = 0; i < 8; i++) {
      sliced.receiver.on(`/fan-${i}`, (_r, n) => ({ status: i === 5 ? 500 : i === 2 && n === 1 ? 503 : 204 }));
      subs.push(
        await sliced.api.subscribe(t.api_key, {
          url: `${sliced.receiver.url}/fan-${i}`,
          event_types: ['fan.*'],
          retry_policy: { initial_interval: '1s', maximum_attempts: 3 },
        }),
      );
    }
    const notified = await sliced.api.subscribe(t.api_key, { url: `${sliced.receiver.url}/fan-notify`, event_types: ['failure.*'] });
    const result = await sliced.deliver(t.id, 'fan-1', { type: 'fan.out' });
    expect(result).toMatchObject({ outcome: 'partial', deliveries: [], slices: 8, counts: { succeeded: 7, failed: 1 } });
    for (let i = 0; i < 8; i++) expect(sliced.receiver.forPath(`/fan-${i}`)).toHaveLength(i === 5 ? 3 : i === 2 ? 2 : 1);
    const parent = eventWorkflowId(t.id, 'fan-1');
    const { rows } = await sliced.pool.query<{ workflow_id: string; n: number }>(
      `SELECT workflow_id, count(*)::int AS n FROM deliveries WHERE event_id = 'fan-1' AND tenant_id = $1 GROUP BY 1 ORDER BY 1`,
      [t.id],
    );
    expect(rows).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => ({ workflow_id: `${parent}/slice/${i}`, n: 1 })));
    const runs: Array<{ start: number; end: number }> = [];
    for (const { workflow_id } of rows) {
      const described = await sliced.temporal.client.workflow.getHandle(workflow_id).describe();
      expect(described.status.name).toBe('COMPLETED');
      runs.push({ start: described.startTime.getTime(), end: described.closeTime!.getTime() });
    }
    // No more than SLICES_AT_ONCE ran at the same time: at each slice's start, count those running.
    const overlapping = runs.map((r) => runs.filter((o) => o.start <= r.start && o.end > r.start).length);
    expect(Math.max(...overlapping)).toBeLessThanOrEqual(SLICES_AT_ONCE);
    expect(Math.max(...overlapping)).toBeGreaterThan(1);
    // The failed delivery's notification is a child of its slice, delivered like any event.
    await sliced.receiver.waitFor('/fan-notify', 1);
    const notice = sliced.receiver.forPath('/fan-notify')[0]!;
    expect(JSON.parse(notice.body)).toMatchObject({ event_id: 'fan-1', subscription_id: subs[5]!.id, attempts: 3, last_status_code: 500 });
    const failedIn = (
      await sliced.pool.query<{ workflow_id: string }>(`SELECT workflow_id FROM deliveries WHERE event_id = 'fan-1' AND subscription_id = $1`, [
        subs[5]!.id,
      ])
    ).rows[0]!.workflow_id;
    const child = await sliced.temporal.client.workflow.getHandle(`${failedIn}/failure.delivery/${subs[5]!.id}`).describe();
    expect(child.parentExecution?.workflowId).toBe(failedIn);
    expect(notified.id).toBeDefined();
  });
});

describe('fairness across tenants', () => {
  it("starts every event's workflow with its tenant as the task queues' fairness key (its activities inherit it)", async () => {
    const t = await stack.tenant('fair');
    await stack.api.subscribe(t.api_key, { url: `${stack.receiver.url}/fair` });
    await stack.deliver(t.id, 'fair-1');
    const described = await stack.temporal.client.workflow.getHandle(eventWorkflowId(t.id, 'fair-1')).describe();
    expect(described.raw.workflowExecutionInfo?.priority?.fairnessKey).toBe(t.id);
  });
});
