import { eventWorkflowId } from '../../src/domain/workflow-ids.js';
import { eventually } from '../support/eventually.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { pino } from 'pino';
import { freePort } from '../../tools/ports.js';
import { findTemporalCli } from '../../tools/temporal/cli.js';
import { createWorker } from '../../src/worker.js';
import { EventRelay } from '../../src/relay/event-relay.js';
import { claimUnstarted, markStarted, unstartedCount } from '../../src/db/ingest.js';
import { holdRoute, releaseRoute } from '../../src/db/relay-holds.js';
import { nextInLane, passInLane, queueInLane } from '../../src/db/fifo-lanes.js';
import { createFirstDeliveriesWithContext } from '../../src/db/deliveries.js';
import { ok } from '../support/api.js';
import { startStack, type Stack } from '../support/stack.js';
import { startReceiver, type Receiver } from '../support/receiver.js';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => receiver?.close());

describe('durable accept', () => {
  it('answers 202 with Temporal unreachable and no worker; the workflow starts once a worker runs', async () => {
    const stack = await startStack({ noWorker: true, temporalAddress: `127.0.0.1:${await freePort()}` });
    try {
      const t = await stack.api.createTenant(stack.adminToken);
      await stack.api.subscribe(t.api_key, { url: `${receiver.url}/later` });
      const res = await stack.api.postEvent(stack.adminToken, {
        id: 'held-1',
        tenant_id: t.id,
        environment: 'production',
        type: 'user.created',
        payload: { n: 1 },
      });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ id: 'held-1', workflow_id: `event:${t.id}:held-1` });
      const api = stack.api.as(t.api_key);
      const held = { params: { path: { id: 'held-1' } } };
      const read = await ok(api.GET('/v1/events/{id}', held));
      expect(read).toMatchObject({ id: 'held-1', started_at: null, payload: { n: 1 }, deliveries: [] });

      const worker = await createWorker(stack.config, stack.pool, { workflowBundle: { codePath: inject('workflowBundlePath') } });
      try {
        await receiver.waitFor('/later', 1, 30_000);
        const after = await ok(api.GET('/v1/events/{id}', held));
        expect(Date.parse(after.started_at!)).toBeGreaterThanOrEqual(Date.parse(after.created_at));
        expect(after.deliveries).toHaveLength(1);
      } finally {
        await worker.shutdown();
      }
    } finally {
      await stack.stop();
    }
  });

  it('refuses with 503 and Retry-After, writing nothing, over INGEST_BACKLOG_LIMIT', async () => {
    const stack = await startStack({ noWorker: true, env: { INGEST_BACKLOG_LIMIT: '3' } });
    try {
      const t = await stack.api.createTenant(stack.adminToken);
      for (let i = 0; i < 4; i++) {
        expect(
          (await stack.api.postEvent(stack.adminToken, { id: `b-${i}`, tenant_id: t.id, environment: 'production', type: 'a.b', payload: {} }))
            .status,
        ).toBe(202);
      }
      // The API reads the backlog count at most once a second: probed with a post of an unknown tenant (the
      // backlog is checked first; refused either way, it writes nothing) until the API has read the count over 3.
      const probe = { tenant_id: 'ten_probe', environment: 'production' as const, type: 'a.b', payload: {} };
      await eventually(async () => (await stack.api.postEvent(stack.adminToken, probe)).status === 503, {
        what: 'the API to see the backlog over its limit',
        timeoutMs: 5_000,
        intervalMs: 50,
      });
      const refused = await stack.api.postEvent(stack.adminToken, {
        id: 'b-over',
        tenant_id: t.id,
        environment: 'production',
        type: 'a.b',
        payload: {},
      });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(refused.body.error.code).toBe('backlog_full');
      const batch = await stack.api.call('POST', '/v1/events/batch', stack.adminToken, {
        events: [{ id: 'b-over-2', tenant_id: t.id, environment: 'production', type: 'a.b', payload: {} }],
      });
      expect(batch.status).toBe(503);
      const { rows } = await stack.pool.query("SELECT id FROM events WHERE id LIKE 'b-over%'");
      expect(rows).toEqual([]);
    } finally {
      await stack.stop();
    }
  });

  it('never starts an event twice with two relays, and starts the events of a relay that died holding its claim', async () => {
    const stack = await startStack({ noWorker: true });
    const starts: string[] = [];
    const relay = (name: string) =>
      new EventRelay(
        {
          pool: stack.pool,
          databaseUrl: stack.config.databaseUrl,
          startWorkflow: async (e) => {
            starts.push(`${name}:${e.id}`);
            await sleep(5); // a start takes a little while, so the two relays' drains overlap
          },
          logger: pino({ level: 'silent' }),
        },
        // These starts start nothing, so no event is ever dispatched: no bound per tenant here.
        { leaseMs: 1_000, sweepIntervalMs: 200, batchSize: 7, starting: { total: 1_000, perTenant: 1_000, contendedPerTenant: 1_000 } },
      );
    try {
      const t = await stack.api.createTenant(stack.adminToken);
      const events = Array.from({ length: 60 }, (_, i) => ({
        id: `r-${i}`,
        tenant_id: t.id,
        environment: 'production' as const,
        type: 'a.b',
        payload: { i },
      }));
      expect((await stack.api.postEventBatch(stack.adminToken, { events: events.slice(0, 50) })).status).toBe(202);
      // A relay that claims ten events and dies before starting them.
      const { events: stranded } = await claimUnstarted(stack.pool, 10, 1_000);
      expect(stranded).toHaveLength(10);
      const [a, b] = [relay('a'), relay('b')];
      a.start();
      b.start();
      expect((await stack.api.postEventBatch(stack.adminToken, { events: events.slice(50) })).status).toBe(202);
      await eventually(() => starts.length >= 60, { what: '60 starts', timeoutMs: 15_000, intervalMs: 50 });
      await Promise.all([a.stop(), b.stop()]);
      const ids = starts.map((s) => s.split(':')[1]);
      expect(new Set(ids).size).toBe(60);
      expect(ids).toHaveLength(60);
      const { rows } = await stack.pool.query('SELECT count(*)::int AS n FROM events WHERE started_at IS NULL');
      expect(rows[0].n).toBe(0);
      // The stranded ten were started only after their lease ran out.
      expect(stranded.every((e) => ids.includes(e.id))).toBe(true);
    } finally {
      await stack.stop();
    }
  });
});

/** `n` events of one tenant through the batch endpoint, with ids `<prefix>-0`, `<prefix>-1`, ... */
const postBatch = (stack: Stack, tenantId: string, prefix: string, n: number, type = 'a.b') =>
  stack.api.postEventBatch(stack.adminToken, {
    events: Array.from({ length: n }, (_, i) => ({
      id: `${prefix}-${i}`,
      tenant_id: tenantId,
      environment: 'production' as const,
      type,
      payload: { i },
    })),
  });

describe('fair claiming', () => {
  it("claims round-robin across tenants: one tenant's backlog does not hold back another's newer events", async () => {
    const stack = await startStack({ noWorker: true });
    try {
      const [x, h, k] = [
        await stack.api.createTenant(stack.adminToken),
        await stack.api.createTenant(stack.adminToken),
        await stack.api.createTenant(stack.adminToken),
      ];
      const batch = (tenantId: string, prefix: string, n: number) => postBatch(stack, tenantId, prefix, n);
      // X's backlog is accepted first; H's and K's events after it.
      for (let i = 0; i < 3; i++) expect((await batch(x.id, `x${i}`, 100)).status).toBe(202);
      expect((await batch(h.id, 'h', 3)).status).toBe(202);
      expect((await batch(k.id, 'k', 1)).status).toBe(202);
      const { events: first } = await claimUnstarted(stack.pool, 10, 60_000);
      const byTenant = (tenantId: string) => first.filter((e) => e.tenant_id === tenantId).map((e) => e.id);
      // Oldest first would have been ten of X's. Round-robin: every tenant's oldest, then the next ones.
      expect(byTenant(h.id)).toEqual(['h-0', 'h-1', 'h-2']);
      expect(byTenant(k.id)).toEqual(['k-0']);
      expect(byTenant(x.id)).toEqual(['x0-0', 'x0-1', 'x0-2', 'x0-3', 'x0-4', 'x0-5']);
      // The next claim goes on with X's, in its own order, skipping what is leased.
      const { events: next } = await claimUnstarted(stack.pool, 5, 60_000);
      expect(next.map((e) => e.id)).toEqual(['x0-6', 'x0-7', 'x0-8', 'x0-9', 'x0-10']);
    } finally {
      await stack.stop();
    }
  });

  it('starts at most tenantMax events of a tenant that are not dispatched yet; the rest wait, other tenants do not', async () => {
    const stack = await startStack({ noWorker: true });
    try {
      const [x, h] = [await stack.api.createTenant(stack.adminToken), await stack.api.createTenant(stack.adminToken)];
      const post = (tenantId: string, prefix: string, n: number) => postBatch(stack, tenantId, prefix, n);
      expect((await post(x.id, 'x', 30)).status).toBe(202);
      const bounds = { total: 64, perTenant: 5 };
      const first = await claimUnstarted(stack.pool, 64, 60_000, bounds);
      expect(first.events.map((e) => e.id)).toEqual(['x-0', 'x-1', 'x-2', 'x-3', 'x-4']);
      await markStarted(stack.pool, first.events);
      // X is at its bound: nothing of X's, and the claim says a tenant is capped.
      const capped = await claimUnstarted(stack.pool, 64, 60_000, bounds);
      expect(capped.events).toEqual([]);
      expect(capped.capped).toBe(true);
      // Another tenant's events are claimed all the same.
      expect((await post(h.id, 'h', 2)).status).toBe(202);
      const other = await claimUnstarted(stack.pool, 64, 60_000, bounds);
      expect(other.events.map((e) => e.id)).toEqual(['h-0', 'h-1']);
      expect(other.capped).toBe(true);
      // Two of X's started events are dispatched: room for two more, the next in X's order.
      await stack.pool.query(`UPDATE events SET dispatched_at = now() WHERE tenant_id = $1 AND id IN ('x-0', 'x-1')`, [x.id]);
      const more = await claimUnstarted(stack.pool, 64, 60_000, bounds);
      expect(more.events.map((e) => e.id)).toEqual(['x-5', 'x-6']);
      // A started event that never dispatched (its workflow terminated) stops counting after a while.
      await markStarted(stack.pool, more.events);
      await stack.pool.query(`UPDATE events SET started_at = now() - interval '3 minutes' WHERE tenant_id = $1 AND id IN ('x-2', 'x-3')`, [x.id]);
      const after = await claimUnstarted(stack.pool, 64, 60_000, bounds);
      expect(after.events.map((e) => e.id)).toEqual(['x-7', 'x-8']);
    } finally {
      await stack.stop();
    }
  });

  it('bounds a backlogged tenant by the contended bound while another tenant is active, even before its first start', async () => {
    const stack = await startStack({ noWorker: true });
    try {
      const [x, h] = [await stack.api.createTenant(stack.adminToken), await stack.api.createTenant(stack.adminToken)];
      expect((await postBatch(stack, x.id, 'x', 30)).status).toBe(202);
      expect((await postBatch(stack, h.id, 'h', 3)).status).toBe(202);
      const bounds = { total: 64, perTenant: 5, backlogged: 1 };
      // Only X is active (a backfill on its own): it has its full bound.
      const alone = await claimUnstarted(stack.pool, 64, 60_000, { ...bounds, activeTenants: [x.id] });
      expect(alone.events.filter((e) => e.tenant_id === x.id)).toHaveLength(5);
      await stack.pool.query('UPDATE events SET start_claimed_until = NULL WHERE started_at IS NULL');
      // H was active lately and X has never started an event: X's backlog gets the contended bound, H
      // (no backlog) its full one.
      const contended = await claimUnstarted(stack.pool, 64, 60_000, { ...bounds, activeTenants: [h.id] });
      expect(contended.events.filter((e) => e.tenant_id === x.id).map((e) => e.id)).toEqual(['x-0']);
      expect(contended.events.filter((e) => e.tenant_id === h.id).map((e) => e.id)).toEqual(['h-0', 'h-1', 'h-2']);
    } finally {
      await stack.stop();
    }
  });

  it("skips a held route's events until the hold ends or the tenant's subscriptions change; they are not backlog", async () => {
    const stack = await startStack({ noWorker: true });
    try {
      const x = await stack.api.createTenant(stack.adminToken);
      expect((await postBatch(stack, x.id, 'dead', 5, 'dead.x')).status).toBe(202);
      expect((await postBatch(stack, x.id, 'live', 2, 'live.x')).status).toBe(202);
      const hold = (waitMs: number, readMsAgo: number) =>
        holdRoute(stack.pool, { tenantId: x.id, environment: 'production', type: 'dead.x', waitMs, reason: 'in_flight', readMsAgo });
      await hold(60_000, 0);
      // Held events keep the tenant's own events waiting; they do not count towards INGEST_BACKLOG_LIMIT.
      expect(await unstartedCount(stack.pool)).toBe(2);
      const first = await claimUnstarted(stack.pool, 64, 60_000);
      expect(first.events.map((e) => e.id)).toEqual(['live-0', 'live-1']);
      expect(first.holdEndsInMs).toBeGreaterThan(50_000);
      expect(first.holdEndsInMs).toBeLessThanOrEqual(60_000);
      await markStarted(stack.pool, first.events);
      expect((await claimUnstarted(stack.pool, 64, 60_000)).events).toEqual([]);
      // A subscription created (or changed) for the tenant releases its holds: they were computed without it.
      await stack.api.subscribe(x.api_key, { url: `${receiver.url}/held`, event_types: ['dead.x'] });
      expect(await unstartedCount(stack.pool)).toBe(5);
      expect((await claimUnstarted(stack.pool, 2, 60_000)).events.map((e) => e.id)).toEqual(['dead-0', 'dead-1']);
      // A hold computed from subscriptions read before that change is stale: it is not written.
      await hold(60_000, 60_000);
      expect((await stack.pool.query('SELECT 1 FROM relay_holds')).rowCount).toBe(0);
      // A hold ends by itself (read after the change: the change's transaction is a second older than that).
      await sleep(1_100);
      await hold(300, 0);
      expect((await claimUnstarted(stack.pool, 64, 60_000)).events).toEqual([]);
      await sleep(400);
      // An ended hold is probed: one event starts, and the route stays held while it is claimed.
      const probe = await claimUnstarted(stack.pool, 64, 60_000);
      expect(probe.events.map((e) => e.id)).toEqual(['dead-2']);
      expect((await claimUnstarted(stack.pool, 64, 60_000)).holdEndsInMs).toBeGreaterThan(50_000);
      // The probe's first attempt was admitted: its dispatch releases the route, and the rest start.
      await releaseRoute(stack.pool, { tenantId: x.id, environment: 'production', type: 'dead.x' });
      expect((await claimUnstarted(stack.pool, 64, 60_000)).events.map((e) => e.id)).toEqual(['dead-3', 'dead-4']);
    } finally {
      await stack.stop();
    }
  });

  it('gives the room under the total bound to the least busy tenant first', async () => {
    const stack = await startStack({ noWorker: true });
    try {
      const [x, h] = [await stack.api.createTenant(stack.adminToken), await stack.api.createTenant(stack.adminToken)];
      const post = (tenantId: string, prefix: string, n: number) => postBatch(stack, tenantId, prefix, n);
      expect((await post(x.id, 'x', 20)).status).toBe(202);
      const bounds = { total: 6, perTenant: 4 };
      const first = await claimUnstarted(stack.pool, 64, 60_000, bounds);
      expect(first.events.map((e) => e.id)).toEqual(['x-0', 'x-1', 'x-2', 'x-3']);
      await markStarted(stack.pool, first.events);
      // H's events come after X's backlog; X has four in flight, H none: H's take the two left.
      expect((await post(h.id, 'h', 3)).status).toBe(202);
      const second = await claimUnstarted(stack.pool, 64, 60_000, bounds);
      expect(second.events.map((e) => e.id)).toEqual(['h-0', 'h-1']);
      expect(second.capped).toBe(true);
      await markStarted(stack.pool, second.events);
      // All six in flight: nothing more until one dispatches.
      expect((await claimUnstarted(stack.pool, 64, 60_000, bounds)).events).toEqual([]);
      await stack.pool.query(`UPDATE events SET dispatched_at = now() WHERE tenant_id = $1 AND id = 'x-0'`, [x.id]);
      // One free: H (two busy) ranks before X (three busy).
      expect((await claimUnstarted(stack.pool, 64, 60_000, bounds)).events.map((e) => e.id)).toEqual(['h-2']);
    } finally {
      await stack.stop();
    }
  });
});

describe('batch ingest', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.stop());

  it('accepts 1-500 events in input order, with a duplicate flag each, and delivers every new one', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/batch`, event_types: ['batch.*'] });
    expect(
      (
        await stack.api.postEvent(stack.adminToken, {
          id: 'bt-1',
          tenant_id: t.id,
          environment: 'production',
          type: 'batch.one',
          payload: { first: true },
        })
      ).status,
    ).toBe(202);
    const res = await stack.api.postEventBatch(stack.adminToken, {
      events: [
        { id: 'bt-0', tenant_id: t.id, environment: 'production', type: 'batch.one', payload: { n: 0 } },
        { id: 'bt-1', tenant_id: t.id, environment: 'production', type: 'batch.one', payload: { n: 1 } },
        { tenant_id: t.id, environment: 'production', type: 'batch.one', payload: { n: 2 } },
        { id: 'bt-0', tenant_id: t.id, environment: 'production', type: 'batch.one', payload: { n: 3 } },
      ],
    });
    expect(res.status).toBe(202);
    expect(res.body.data.map((d: { duplicate: boolean }) => d.duplicate)).toEqual([false, true, false, true]);
    expect(res.body.data[0]).toEqual({ id: 'bt-0', workflow_id: `event:${t.id}:bt-0`, duplicate: false });
    expect(res.body.data[2].id).toMatch(/^evt_/);
    // The three new events' workflows have ended, and no other row exists for the relay to start: nothing more can come.
    const results = await Promise.all(['bt-1', 'bt-0', res.body.data[2].id as string].map((id) => stack.settle(t.id, id)));
    expect(results.map((r) => r.deliveries.map((d) => [d.status, d.attempts]))).toEqual(Array(3).fill([['succeeded', 1]]));
    const { rows } = await stack.pool.query<{ id: string }>('SELECT id FROM events WHERE tenant_id = $1', [t.id]);
    expect(rows).toHaveLength(3);
    expect(receiver.forPath('/batch').map((r) => JSON.parse(r.body))).toEqual(expect.arrayContaining([{ first: true }, { n: 0 }, { n: 2 }]));
    expect(receiver.forPath('/batch')).toHaveLength(3);
  });

  it('marks an event that matches no subscription dispatched, so the relay stops counting it as in flight', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    expect(
      (
        await stack.api.postEvent(stack.adminToken, {
          id: 'unmatched',
          tenant_id: t.id,
          environment: 'production',
          type: 'nobody.listens',
          payload: {},
        })
      ).status,
    ).toBe(202);
    await eventually(
      async () => {
        const { rows } = await stack.pool.query('SELECT dispatched_at FROM events WHERE tenant_id = $1 AND id = $2', [t.id, 'unmatched']);
        return rows[0]?.dispatched_at != null;
      },
      { what: 'the unmatched event dispatched', timeoutMs: 15_000 },
    );
  });

  it('names events[i].field for every invalid event and writes nothing', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    const res = await stack.api.call('POST', '/v1/events/batch', stack.adminToken, {
      events: [
        { id: 'bv-0', tenant_id: t.id, environment: 'production', type: 'ok.type', payload: {} },
        { id: 'bv-1', tenant_id: t.id, environment: 'staging', type: 'Bad', payload: {} },
        { id: 'bv-2', tenant_id: 'ten_nope', environment: 'production', type: 'ok.type', payload: [] },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['events.1.environment', 'events.1.type', 'events.2.payload']);
    const unknown = await stack.api.call('POST', '/v1/events/batch', stack.adminToken, {
      events: [
        { id: 'bv-3', tenant_id: t.id, environment: 'production', type: 'ok.type', payload: {} },
        { id: 'bv-4', tenant_id: 'ten_nope', environment: 'production', type: 'ok.type', payload: {} },
      ],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details).toEqual([{ path: 'events.1.tenant_id', message: 'no such tenant' }]);
    const empty = await stack.api.call('POST', '/v1/events/batch', stack.adminToken, { events: [] });
    expect(empty.status).toBe(400);
    const tooMany = await stack.api.call('POST', '/v1/events/batch', stack.adminToken, {
      events: Array.from({ length: 501 }, (_, i) => ({ id: `bv-x${i}`, tenant_id: t.id, environment: 'production', type: 'ok.type', payload: {} })),
    });
    expect(tooMany.status).toBe(400);
    const { rows } = await stack.pool.query("SELECT id FROM events WHERE id LIKE 'bv-%'");
    expect(rows).toEqual([]);
  });

  it('keeps the payload out of Temporal: no byte of it in the workflow history', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/secret`, event_types: ['payroll.*'] });
    const marker = 'IBAN-DE89370400440532013000-salary-4711';
    expect(
      (
        await stack.api.postEvent(stack.adminToken, {
          id: 'pii-1',
          tenant_id: t.id,
          environment: 'production',
          type: 'payroll.paid',
          payload: { iban: marker, note: 'x'.repeat(64) },
        })
      ).status,
    ).toBe(202);
    await stack.settle(t.id, 'pii-1');
    expect(receiver.forPath('/secret')[0]?.body).toContain(marker);
    const { stdout } = await run(await findTemporalCli(), [
      'workflow',
      'show',
      '--address',
      inject('temporalAddress'),
      '--workflow-id',
      `event:${t.id}:pii-1`,
      '--output',
      'json',
    ]);
    // Payloads in a history are base64 JSON: read the history with every payload decoded.
    const decoded: string[] = [];
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === 'object') {
        for (const [key, inner] of Object.entries(value)) {
          if (key === 'data' && typeof inner === 'string') decoded.push(Buffer.from(inner, 'base64').toString('utf8'));
          else walk(inner);
        }
      }
    };
    walk(JSON.parse(stdout));
    const history = `${stdout}\n${decoded.join('\n')}`;
    expect(history).toContain('payroll.paid'); // the workflow input is there, decoded
    expect(history).not.toContain(marker);
    expect(history).not.toContain('iban');
  });
});

describe('concurrent single-event posts (committed together while others are in flight)', () => {
  it('gives each post its own answer: one 202 per new id, 200 for its repeats, 400 for an unknown tenant only', async () => {
    const stack = await startStack({ noWorker: true });
    try {
      const t = await stack.api.createTenant(stack.adminToken);
      const post = (id: string, tenantId = t.id) =>
        stack.api.postEvent(stack.adminToken, { id, tenant_id: tenantId, environment: 'production', type: 'a.b', payload: { id } });
      // 120 posts at once: far more than the statements allowed in flight, so most wait and go together.
      const ids = Array.from({ length: 100 }, (_, i) => `c-${i}`);
      const answers = await Promise.all([
        ...ids.map((id) => post(id)),
        ...ids.slice(0, 10).map((id) => post(id)), // the same ids again, at the same time
        ...Array.from({ length: 10 }, (_, i) => post(`u-${i}`, 'ten_unknown')),
      ]);
      const statuses = answers.map((a) => a.status);
      // Of each id posted twice at once, exactly one is accepted and the other is its duplicate.
      expect(statuses.filter((s) => s === 202)).toHaveLength(100);
      expect(statuses.filter((s) => s === 200)).toHaveLength(10);
      expect(answers.filter((a) => a.status === 200).every((a) => a.body.duplicate === true)).toBe(true);
      expect(answers.slice(110).map((a) => [a.status, a.body.error.details])).toEqual(
        Array.from({ length: 10 }, () => [400, [{ path: 'tenant_id', message: 'no such tenant' }]]),
      );
      const { rows } = await stack.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE tenant_id = $1', [t.id]);
      expect(rows[0]!.n).toBe(100);
      // Accepted in one order or another, every event holds its own payload.
      const { rows: payloads } = await stack.pool.query<{ id: string; payload: { id: string } }>(
        'SELECT id, payload FROM events WHERE tenant_id = $1',
        [t.id],
      );
      expect(payloads.every((r) => r.payload.id === r.id)).toBe(true);
    } finally {
      await stack.stop();
    }
  });
});

describe('a FIFO lane and deliveries made late', () => {
  it('holds for an event until its workflow made its deliveries and handed its own over, however long that takes', async () => {
    const stack = await startStack({ noWorker: true });
    try {
      const t = await stack.api.createTenant(stack.adminToken);
      const { id: subscriptionId } = await stack.api.subscribe(t.api_key, { url: `${receiver.url}/late-fifo`, ordering: 'fifo' });
      for (const id of ['late-1', 'late-2', 'late-3']) {
        expect(
          (await stack.api.postEvent(stack.adminToken, { id, tenant_id: t.id, environment: 'production', type: 'a.b', payload: {} })).status,
        ).toBe(202);
      }
      expect(await nextInLane(stack.pool, subscriptionId)).toMatchObject({ kind: 'wait' }); // not started
      // Started a minute ago (past the 10 s the lane used to wait), not dispatched: the lane still holds.
      await stack.pool.query(`UPDATE events SET started_at = now() - interval '1 minute' WHERE tenant_id = $1`, [t.id]);
      expect(await nextInLane(stack.pool, subscriptionId)).toMatchObject({ kind: 'wait' });
      // late-1's workflow made its delivery (the event is marked dispatched) but has not handed it over: still held.
      const [first] = await createFirstDeliveriesWithContext(stack.pool, t.id, 'late-1', eventWorkflowId(t.id, 'late-1'), [subscriptionId]);
      const { rows: marked } = await stack.pool.query(`SELECT dispatched_at IS NOT NULL AS d FROM events WHERE tenant_id = $1 AND id = 'late-1'`, [
        t.id,
      ]);
      expect(marked[0].d).toBe(true);
      expect(await nextInLane(stack.pool, subscriptionId)).toMatchObject({ kind: 'wait' });
      await queueInLane(stack.pool, subscriptionId, first!.delivery_id);
      const step = await nextInLane(stack.pool, subscriptionId);
      expect(step).toMatchObject({ kind: 'deliver', eventId: 'late-1' });
      await stack.pool.query(`UPDATE deliveries SET status = 'succeeded' WHERE id = $1`, [first!.delivery_id]);
      await passInLane(stack.pool, subscriptionId, (step as { seq: string }).seq);
      // late-2 dispatched with no delivery to this subscription (another's only): passed at once. late-3 not dispatched: held.
      await stack.pool.query(`UPDATE events SET dispatched_at = now() WHERE tenant_id = $1 AND id = 'late-2'`, [t.id]);
      expect(await nextInLane(stack.pool, subscriptionId)).toMatchObject({ kind: 'wait' });
      const { rows: lane } = await stack.pool.query(
        `SELECT l.cursor_seq = e.accepted_seq AS at_late_2 FROM fifo_lanes l, events e WHERE l.subscription_id = $1 AND e.tenant_id = $2 AND e.id = 'late-2'`,
        [subscriptionId, t.id],
      );
      expect(lane[0].at_late_2).toBe(true);
      // Held past the limit (a worker down for 10 minutes): passed, and gone back to once its delivery is handed over.
      await stack.pool.query(`UPDATE events SET started_at = now() - interval '10 minutes' WHERE tenant_id = $1 AND id = 'late-3'`, [t.id]);
      expect(await nextInLane(stack.pool, subscriptionId)).toEqual({ kind: 'idle' });
      const [third] = await createFirstDeliveriesWithContext(stack.pool, t.id, 'late-3', eventWorkflowId(t.id, 'late-3'), [subscriptionId]);
      expect(await queueInLane(stack.pool, subscriptionId, third!.delivery_id)).toMatchObject({ status: 'pending' });
      expect(await nextInLane(stack.pool, subscriptionId)).toMatchObject({ kind: 'deliver', eventId: 'late-3' });
    } finally {
      await stack.stop();
    }
  });
});
