import { eventWorkflowId } from '../../src/domain/workflow-ids.js';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../tools/ports.js';
import { useStacks, type StackFixture } from '../support/use-stack.js';

/** `scaled`: the same code, retry intervals scaled by 1/1000: the presets' real shapes in milliseconds. */
const [stack, scaled] = useStacks({}, { env: { RETRY_TIME_SCALE: '0.001' } });
const { receiver } = stack;
let raw: http.Server;
let rawUrl: string;

beforeAll(async () => {
  // Answers that the scripted receiver cannot give: a body that drips, a body that never ends.
  raw = http.createServer((req, res) => {
    req.resume();
    if (req.url === '/drip') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('.'), 200);
      res.on('close', () => clearInterval(timer));
    } else if (req.url === '/endless') {
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (res.write(chunk));
      };
      res.on('drain', pump);
      pump();
    } else if (req.url === '/big-error') {
      res.writeHead(500);
      res.end(Buffer.alloc(1024 * 1024, 'e'));
    }
  });
  await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', () => resolve()));
  rawUrl = `http://127.0.0.1:${(raw.address() as { port: number }).port}`;
});
afterAll(() => {
  raw?.closeAllConnections();
  raw?.close();
});

const tenant = (s: StackFixture = stack) => s.tenant();
const deliverOnce = (s: StackFixture, t: { id: string }, id: string) => s.deliver(t.id, id, { type: 'sync.completed', payload: { id } });
const attemptsOf = (s: StackFixture, eventId: string) => s.attempts(eventId);

describe('limits', () => {
  it('refuses a payload over 256 KiB with 413 and accepts nothing', async () => {
    const t = await tenant();
    const res = await stack.api.postEvent(stack.adminToken, {
      id: 'evt-big',
      tenant_id: t.id,
      environment: 'production',
      type: 'a.b',
      payload: { blob: 'x'.repeat(256 * 1024) },
    });
    expect(res.status).toBe(413);
    expect(res.body.error.details[0].path).toBe('payload');
    const huge = await stack.api.postEvent(stack.adminToken, {
      tenant_id: t.id,
      environment: 'production',
      type: 'a.b',
      payload: { blob: 'x'.repeat(2 * 1024 * 1024) },
    });
    expect(huge.status).toBe(413);
    const justUnder = await stack.api.postEvent(stack.adminToken, {
      id: 'evt-under',
      tenant_id: t.id,
      environment: 'production',
      type: 'a.b',
      payload: { blob: 'x'.repeat(256 * 1024 - 20) },
    });
    expect(justUnder.status).toBe(202);
    expect((await stack.pool.query(`SELECT 1 FROM events WHERE id = 'evt-big'`)).rowCount).toBe(0);
    await expect(stack.temporal.client.workflow.getHandle(eventWorkflowId(t.id, 'evt-big')).describe()).rejects.toThrow();
  });

  it('refuses a body that is not JSON', async () => {
    const notJson = await stack.api.call('POST', '/v1/events', stack.adminToken, 'tenant_id=x', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(notJson.status).toBe(415);
    const broken = await stack.api.call('POST', '/v1/events', stack.adminToken, '{"tenant_id": ', { 'content-type': 'application/json' });
    expect(broken.status).toBe(400);
  });
});

describe('outcomes of an attempt', () => {
  it('counts any 2xx as success', async () => {
    const t = await tenant();
    receiver.on('/created', () => ({ status: 201, body: '{"ok":true}' }));
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/created`, retry_policy: 'none' });
    expect((await deliverOnce(stack, t, 'evt-201')).outcome).toBe('succeeded');
    expect(await attemptsOf(stack, 'evt-201')).toMatchObject([{ status_code: 201, error_class: null, body_length: 11 }]);
  });

  it('times out a body that is still dripping when timeout_ms is up', async () => {
    const t = await tenant();
    await stack.api.subscribe(t.api_key, { url: `${rawUrl}/drip`, timeout_ms: 1000, retry_policy: 'none' });
    expect((await deliverOnce(stack, t, 'evt-drip')).outcome).toBe('failed');
    const [attempt] = await attemptsOf(stack, 'evt-drip');
    // The status line came; the body did not finish in time: the status is kept, the attempt timed out.
    expect(attempt).toMatchObject({ error_class: 'timeout', status_code: 200 });
    expect(attempt!.error_message).toBe('HTTP 200, then the response broke off: no complete response within 1000 ms');
    expect(attempt!.duration_ms).toBeGreaterThanOrEqual(950);
    expect(attempt!.duration_ms).toBeLessThan(3000);
  });

  it('does not follow redirects: a 3xx is a failure, retried', async () => {
    const t = await tenant(scaled);
    receiver.on('/moved', () => ({ status: 302, headers: { location: `${receiver.url}/moved-target` } }));
    await scaled.api.subscribe(t.api_key, { url: `${receiver.url}/moved`, retry_policy: { initial_interval: '1s', maximum_attempts: 2 } });
    expect((await deliverOnce(scaled, t, 'evt-302')).outcome).toBe('failed');
    expect((await attemptsOf(scaled, 'evt-302')).map((a) => a.status_code)).toEqual([302, 302]);
    expect(receiver.forPath('/moved-target')).toHaveLength(0);
  });

  it('treats 410 Gone as final and disables the subscription', async () => {
    const t = await tenant(scaled);
    receiver.on('/gone', () => ({ status: 410 }));
    const sub = await scaled.api.subscribe(t.api_key, { url: `${receiver.url}/gone`, retry_policy: { initial_interval: '1s', maximum_attempts: 5 } });
    expect((await deliverOnce(scaled, t, 'evt-410')).outcome).toBe('failed');
    expect(await attemptsOf(scaled, 'evt-410')).toHaveLength(1);
    const { data: after } = await scaled.api.as(t.api_key).GET('/v1/subscriptions/{id}', { params: { path: { id: sub.id } } });
    expect(after?.enabled).toBe(false);
    expect(after?.disabled_reason).toMatch(/410 Gone/);
  });

  it('stops at a status listed in non_retryable_statuses', async () => {
    const t = await tenant(scaled);
    receiver.on('/unprocessable', () => ({ status: 422 }));
    await scaled.api.subscribe(t.api_key, {
      url: `${receiver.url}/unprocessable`,
      retry_policy: { initial_interval: '1s', maximum_attempts: 5, non_retryable_statuses: [422] },
    });
    expect((await deliverOnce(scaled, t, 'evt-422')).outcome).toBe('failed');
    expect((await attemptsOf(scaled, 'evt-422')).map((a) => a.status_code)).toEqual([422]);
  });

  it('records each error class', async () => {
    const t = await tenant(scaled);
    const closedPort = await freePort();
    const https = `https://127.0.0.1:${new URL(receiver.url).port}/plain-http`;
    const cases = [
      ['connection_refused', `http://127.0.0.1:${closedPort}/x`],
      ['dns', 'http://no-such-host.invalid/x'],
      ['tls', https],
    ] as const;
    for (const [, url] of cases) await scaled.api.subscribe(t.api_key, { url, retry_policy: 'none' });
    await deliverOnce(scaled, t, 'evt-classes');
    const { rows } = await scaled.pool.query(
      `SELECT s.url, a.error_class FROM attempts a JOIN deliveries d ON d.id = a.delivery_id JOIN subscriptions s ON s.id = d.subscription_id
       WHERE d.event_id = 'evt-classes'`,
    );
    for (const [errorClass, url] of cases) expect(rows.find((r) => r.url === url)?.error_class, url).toBe(errorClass);
  });

  it('keeps only the first 4 KiB of a body and does not read further', async () => {
    const t = await tenant(scaled);
    await scaled.api.subscribe(t.api_key, { url: `${rawUrl}/big-error`, retry_policy: 'none' });
    await scaled.api.subscribe(t.api_key, { url: `${rawUrl}/endless`, retry_policy: 'none', timeout_ms: 5000 });
    const result = await deliverOnce(scaled, t, 'evt-bodies');
    expect(result.outcome).toBe('partial');
    const { rows } = await scaled.pool.query(
      `SELECT s.url, a.status_code, length(a.response_body) AS body_length, a.duration_ms FROM attempts a
       JOIN deliveries d ON d.id = a.delivery_id JOIN subscriptions s ON s.id = d.subscription_id WHERE d.event_id = 'evt-bodies'`,
    );
    const big = rows.find((r) => r.url.endsWith('/big-error'));
    const endless = rows.find((r) => r.url.endsWith('/endless'));
    expect(big).toMatchObject({ status_code: 500, body_length: 4096 });
    // An endless 200 succeeds quickly: the body is cut at 4 KiB, not read to the timeout.
    expect(endless).toMatchObject({ status_code: 200, body_length: 4096 });
    expect(endless.duration_ms).toBeLessThan(2000);
  });
});

describe('Retry-After', () => {
  it('in seconds on 429 sets the next delay', async () => {
    const t = await tenant();
    receiver.on('/slow-down', (_r, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '3' } } : { status: 204 }));
    await stack.api.subscribe(t.api_key, {
      url: `${receiver.url}/slow-down`,
      retry_policy: { initial_interval: '1s', backoff_coefficient: 1, maximum_attempts: 3 },
    });
    await deliverOnce(stack, t, 'evt-429');
    const [first, second] = receiver.forPath('/slow-down');
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(2_900);
  });

  it('as an HTTP date on 503 sets the next delay', async () => {
    const t = await tenant();
    receiver.on('/maintenance', (_r, n) =>
      n === 1 ? { status: 503, headers: { 'retry-after': new Date(Date.now() + 4_000).toUTCString() } } : { status: 204 },
    );
    await stack.api.subscribe(t.api_key, {
      url: `${receiver.url}/maintenance`,
      retry_policy: { initial_interval: '1s', backoff_coefficient: 1, maximum_attempts: 3 },
    });
    await deliverOnce(stack, t, 'evt-503-date');
    const [first, second] = receiver.forPath('/maintenance');
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(2_900);
  });

  it('is kept within the policy: never longer than maximum_interval', async () => {
    const t = await tenant();
    receiver.on('/greedy', (_r, n) => (n === 1 ? { status: 503, headers: { 'retry-after': '3600' } } : { status: 204 }));
    await stack.api.subscribe(t.api_key, {
      url: `${receiver.url}/greedy`,
      retry_policy: { initial_interval: '1s', maximum_interval: '2s', maximum_attempts: 3 },
    });
    await deliverOnce(stack, t, 'evt-greedy');
    const [first, second] = receiver.forPath('/greedy');
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1_900);
    expect(second!.at - first!.at).toBeLessThan(3_500);
  });
});

describe('presets end to end', () => {
  it('three_retries makes 4 attempts, then the delivery is failed', async () => {
    const t = await tenant(scaled);
    receiver.on('/always-500', () => ({ status: 500 }));
    await scaled.api.subscribe(t.api_key, { url: `${receiver.url}/always-500`, retry_policy: 'three_retries' });
    const result = await deliverOnce(scaled, t, 'evt-three');
    expect(result.deliveries[0]).toMatchObject({ status: 'failed' });
    const attempts = await attemptsOf(scaled, 'evt-three');
    expect(attempts.map((a) => a.number)).toEqual([1, 2, 3, 4]);
    const { data: event } = await scaled.api.as(t.api_key).GET('/v1/events/{id}', { params: { path: { id: 'evt-three' } } });
    expect(event?.deliveries[0]).toMatchObject({ status: 'failed', attempt_count: 4, last_status_code: 500 });
  });

  it('default keeps retrying past three attempts', async () => {
    const t = await tenant(scaled);
    receiver.on('/fails-5', (_r, n) => (n <= 5 ? { status: 500 } : { status: 204 }));
    await scaled.api.subscribe(t.api_key, { url: `${receiver.url}/fails-5` });
    const result = await deliverOnce(scaled, t, 'evt-default');
    expect(result.deliveries[0]).toMatchObject({ status: 'succeeded', attempts: 6 });
  });
});
