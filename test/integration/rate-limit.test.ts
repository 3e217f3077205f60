// Rate limits per subscription (issue 14): slots reserved in PostgreSQL, waits on Temporal timers.
import { ok } from '../support/api.js';
import { eventually } from '../support/eventually.js';
import { eventWorkflowId } from '../../src/domain/workflow-ids.js';
import { describe, expect, it } from 'vitest';
import { useStacks } from '../support/use-stack.js';
import type { Received } from '../support/receiver.js';

// Real time for the per-second limit; the per-minute and per-hour ones with RETRY_TIME_SCALE=0.01, which
// scales the limit's window like every retry interval (1 per minute: one every 600 ms).
const [real, scaled] = useStacks({}, { env: { RETRY_TIME_SCALE: '0.01' } });

/**
 * The limit holds between admissions (the database's clock); the receiver records a request when its body has
 * arrived, some milliseconds after its admission, and on a loaded 2-core CI machine that delay varied by more
 * than 25 ms between two requests (6 receipts inside 975 ms once). 100 ms still fails any limiter that bursts.
 */
const RECEIPT_JITTER_MS = 100;

/** The most receipts in any window of `windowMs` (half-open), with the receipts' jitter allowed for. */
function mostInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j]! - sorted[i]! >= windowMs - RECEIPT_JITTER_MS) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

const at = (list: Received[]) => list.map((r) => r.at);

describe('rate_limit on a subscription', () => {
  it('is part of the representation, validated, and PATCHed (null removes it)', async () => {
    const t = await real.tenant('rl-api');
    const created = await real.api.subscribe(t.api_key, { url: `${real.receiver.url}/rl-api`, rate_limit: { requests: 5, per: '1s' } });
    expect(created.rate_limit).toEqual({ requests: 5, per: '1s' });
    expect(created.ordering).toBe('none');
    const bad = await real.api.call('POST', '/v1/subscriptions', t.api_key, {
      url: `${real.receiver.url}/x`,
      rate_limit: { requests: 0, per: '1d' },
    });
    expect(bad.status).toBe(400);
    const paths = bad.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['rate_limit.requests', 'rate_limit.per']));
    const tooMany = await real.api.call('PATCH', `/v1/subscriptions/${created.id}`, t.api_key, { rate_limit: { requests: 100001, per: '1h' } });
    expect(tooMany.status).toBe(400);
    const removed = await ok(
      real.api.as(t.api_key).PATCH('/v1/subscriptions/{id}', { params: { path: { id: created.id } }, body: { rate_limit: null } }),
    );
    expect(removed.rate_limit).toBeNull();
    const read = await real.api.subscription(t.api_key, created.id);
    expect(read.rate_limit).toBeNull();
  });

  it('{requests: 5, per: "1s"} and 50 events at once: spread over >= 9 s, never more than 5 in any 1 s', async () => {
    const t = await real.tenant('rl-5s');
    await real.api.subscribe(t.api_key, { url: `${real.receiver.url}/rl-5s`, rate_limit: { requests: 5, per: '1s' } });
    const events = Array.from({ length: 50 }, (_, i) => ({
      id: `rl5-${i}`,
      tenant_id: t.id,
      environment: 'production' as const,
      type: 'a.b',
      payload: { i },
    }));
    const batch = await real.api.postEventBatch(real.adminToken, { events });
    expect(batch.status).toBe(202);
    const received = await real.receiver.waitFor('/rl-5s', 50, 40_000);
    const times = at(received);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(9_000);
    expect(mostInWindow(times, 1_000)).toBeLessThanOrEqual(5);
    await Promise.all(events.map((e) => real.settle(t.id, e.id)));
    // Waiting is not an attempt: each delivery made exactly one.
    const { rows } = await real.pool.query<{ attempt_count: number }>(`SELECT attempt_count FROM deliveries WHERE tenant_id = $1`, [t.id]);
    expect(rows.map((r) => r.attempt_count)).toEqual(Array(50).fill(1));
  }, 60_000);

  it('{requests: 1, per: "1m"} and 5 events: one now, the rest one a (scaled) minute apart, waiting on a timer', async () => {
    const t = await scaled.tenant('rl-1m');
    await scaled.api.subscribe(t.api_key, { url: `${scaled.receiver.url}/rl-1m`, rate_limit: { requests: 1, per: '1m' } });
    const posted = Date.now();
    for (let i = 0; i < 5; i++) await scaled.postEvent(t.id, `rl1m-${i}`);
    const times = at(await scaled.receiver.waitFor('/rl-1m', 5, 20_000));
    // "Now": no slot wait before it (the timers below prove which one waited); the bound is only for a stuck start.
    expect(times[0]! - posted).toBeLessThan(5_000);
    const gaps = times.slice(1).map((time, i) => time - times[i]!);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(600 - RECEIPT_JITTER_MS);
    expect(mostInWindow(times, 600)).toBe(1);
    // The wait is a Temporal timer with a summary, not a failed attempt.
    const results = await Promise.all([0, 1, 2, 3, 4].map((i) => scaled.settle(t.id, `rl1m-${i}`)));
    expect(results.map((r) => r.outcome)).toEqual(Array(5).fill('succeeded'));
    // Whichever got the first slot (the relay starts them in any order), the other four waited on a timer.
    const summaries = await Promise.all([0, 1, 2, 3, 4].map((i) => timerSummaries(scaled, eventWorkflowId(t.id, `rl1m-${i}`))));
    expect(summaries.filter((list) => list.some((s) => s.startsWith('waiting for rate-limit slot')))).toHaveLength(4);
    const { rows } = await scaled.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.tenant_id = $1`,
      [t.id],
    );
    expect(rows[0]!.n).toBe(5);
  }, 40_000);

  it('retries take slots like first attempts', async () => {
    const t = await scaled.tenant('rl-retry');
    // Every first attempt fails; the retry (10 ms later at this scale) must still wait for a slot.
    scaled.receiver.on('/rl-retry', (req) => (req.headers['x-hookrelay-attempt'] === '1' ? { status: 503 } : { status: 204 }));
    await scaled.api.subscribe(t.api_key, {
      url: `${scaled.receiver.url}/rl-retry`,
      rate_limit: { requests: 1, per: '1m' },
      retry_policy: { initial_interval: '1s', maximum_attempts: 3 },
    });
    for (let i = 0; i < 3; i++) await scaled.postEvent(t.id, `rlr-${i}`);
    const times = at(await scaled.receiver.waitFor('/rl-retry', 6, 20_000));
    expect(mostInWindow(times, 600)).toBe(1);
    const results = await Promise.all([0, 1, 2].map((i) => scaled.settle(t.id, `rlr-${i}`)));
    expect(results.map((r) => r.deliveries[0]!.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    const { rows } = await scaled.pool.query<{ attempt_count: number }>(`SELECT attempt_count FROM deliveries WHERE tenant_id = $1`, [t.id]);
    expect(rows.map((r) => r.attempt_count)).toEqual([2, 2, 2]);
  }, 40_000);

  it('removing the limit releases the deliveries already waiting; the metric counts them meanwhile', async () => {
    const t = await scaled.tenant('rl-change');
    // 1 per hour at this scale: one every 36 s.
    const sub = await scaled.api.subscribe(t.api_key, { url: `${scaled.receiver.url}/rl-change`, rate_limit: { requests: 1, per: '1h' } });
    for (let i = 0; i < 4; i++) await scaled.postEvent(t.id, `rlc-${i}`);
    await scaled.receiver.waitFor('/rl-change', 1);
    await waitUntil(async () => (await waiting(scaled)).rate_limit === 3);
    const before = Date.now();
    const patched = await scaled.api.as(t.api_key).PATCH('/v1/subscriptions/{id}', { params: { path: { id: sub.id } }, body: { rate_limit: null } });
    expect(patched.response.status).toBe(200);
    await scaled.receiver.waitFor('/rl-change', 4, 10_000);
    expect(Date.now() - before).toBeLessThan(10_000);
    await Promise.all([0, 1, 2, 3].map((i) => scaled.settle(t.id, `rlc-${i}`)));
    expect((await waiting(scaled)).rate_limit).toBe(0);
  }, 40_000);

  it('tightening the limit applies to the deliveries already waiting', async () => {
    const t = await scaled.tenant('rl-tighten');
    // 1 per minute (600 ms here), then 1 per hour (36 s): the ones still waiting move to the new spacing.
    const sub = await scaled.api.subscribe(t.api_key, { url: `${scaled.receiver.url}/rl-tighten`, rate_limit: { requests: 1, per: '1m' } });
    for (let i = 0; i < 3; i++) await scaled.postEvent(t.id, `rlt-${i}`);
    await scaled.receiver.waitFor('/rl-tighten', 1);
    const changedAt = Date.now();
    const api = scaled.api.as(t.api_key);
    const limit = (rate_limit: { requests: number; per: '1s' | '1h' }) =>
      ok(api.PATCH('/v1/subscriptions/{id}', { params: { path: { id: sub.id } }, body: { rate_limit } }));
    await limit({ requests: 1, per: '1h' });
    // Every delivery still waiting has taken a slot under the new limit: its workflow sleeps on a timer of the
    // new spacing (tens of seconds here, where the old one was 600 ms), and nothing can go before that fires.
    const delivered = new Set(scaled.receiver.forPath('/rl-tighten').map((r) => String(r.headers['webhook-id'])));
    const stillWaiting = [0, 1, 2].map((i) => `rlt-${i}`).filter((id) => !delivered.has(id));
    expect(stillWaiting.length).toBeGreaterThanOrEqual(1);
    await Promise.all(
      stillWaiting.map((id) =>
        eventually(async () => ((await lastTimerMs(scaled, eventWorkflowId(t.id, id))) ?? 0) > 10_000, {
          what: `${id} to wait for a slot of the new limit`,
        }),
      ),
    );
    expect(scaled.receiver.forPath('/rl-tighten').filter((r) => r.at > changedAt)).toHaveLength(0);
    // Loosen again so the rest finish quickly.
    await limit({ requests: 100, per: '1s' });
    await scaled.receiver.waitFor('/rl-tighten', 3, 10_000);
  }, 40_000);
});

async function waiting(stack: typeof scaled): Promise<Record<string, number>> {
  const text = await stack.worker!.metrics.registry.metrics();
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/^hookrelay_deliveries_waiting\{reason="(\w+)"\} (\d+)$/gm)) counts[match[1]!] = Number(match[2]);
  return counts;
}

const waitUntil = (check: () => Promise<boolean>, timeoutMs = 10_000) => eventually(check, { timeoutMs });

/** How long (ms) the last timer a workflow started was set for; undefined before its first. */
async function lastTimerMs(stack: typeof scaled, workflowId: string): Promise<number | undefined> {
  const events = (await stack.temporal.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const timeout = events.flatMap((e) => e.timerStartedEventAttributes ?? []).at(-1)?.startToFireTimeout;
  return timeout ? Number(timeout.seconds ?? 0) * 1000 + (timeout.nanos ?? 0) / 1e6 : undefined;
}

async function timerSummaries(stack: typeof scaled, workflowId: string): Promise<string[]> {
  const history = await stack.temporal.client.workflow.getHandle(workflowId).fetchHistory();
  const converter = stack.temporal.client.options.loadedDataConverter.payloadConverter;
  return (history.events ?? [])
    .filter((e) => e.timerStartedEventAttributes)
    .map((e) => (e.userMetadata?.summary ? String(converter.fromPayload(e.userMetadata.summary)) : ''));
}
