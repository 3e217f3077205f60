import { eventWorkflowId } from '../../src/domain/workflow-ids.js';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createApiMetrics, createWorkerMetrics } from '../../src/metrics.js';
import { renderWorkerMetrics } from '../../src/worker-http.js';
import { freePort } from '../../tools/ports.js';
import { coreMetricsUrl, startStack } from '../support/stack.js';
import { promtool, promtoolProblems } from '../support/promtool.js';
import { useStack } from '../support/use-stack.js';

const workerLines: string[] = [];
const sink = new Writable({
  write(chunk, _e, done) {
    workerLines.push(...String(chunk).trim().split('\n'));
    done();
  },
});
// At debug: a delivered attempt logs at debug (one line per success would be most of a busy worker's log), a failed one at warn.
const stack = useStack({ env: { RETRY_TIME_SCALE: '0.001' }, workerLogger: createLogger('debug', sink) });
const { receiver } = stack;

/** The value of one sample in Prometheus text, or undefined. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line ? Number(line.split(' ').pop()) : undefined;
}

describe('metrics after a known sequence of deliveries', () => {
  it('counts events, deliveries by outcome, attempts by class, latency and attempts per delivery', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    receiver.on('/m-bad', () => ({ status: 500 }));
    const secret = (await stack.api.subscribe(t.api_key, { url: `${receiver.url}/m-ok`, event_types: ['user.*'] })).secret;
    await stack.api.subscribe(t.api_key, {
      url: `${receiver.url}/m-bad`,
      event_types: ['user.*'],
      retry_policy: { initial_interval: '1s', maximum_attempts: 2 },
    });
    for (const id of ['m-1', 'm-2']) {
      expect(
        (await stack.api.postEvent(stack.adminToken, { id, tenant_id: t.id, environment: 'production', type: 'user.created', payload: {} })).status,
      ).toBe(202);
    }
    expect(
      (await stack.api.postEvent(stack.adminToken, { id: 'm-1', tenant_id: t.id, environment: 'production', type: 'user.created', payload: {} }))
        .status,
    ).toBe(200);
    await Promise.all(['m-1', 'm-2'].map((id) => stack.settle(t.id, id)));

    const api = await (await fetch(`${stack.url}/metrics`)).text();
    expect(sample(api, 'hookrelay_events_accepted_total', 'environment="production",result="accepted"')).toBe(2);
    expect(sample(api, 'hookrelay_events_accepted_total', 'environment="production",result="duplicate"')).toBe(1);
    expect(sample(api, 'hookrelay_http_request_duration_seconds_count', 'method="POST",route="/v1/events",status="202"')).toBe(2);

    const worker = await renderWorkerMetrics(stack.worker!.metrics.registry, coreMetricsUrl);
    expect(sample(worker, 'hookrelay_deliveries_total', 'outcome="succeeded"')).toBe(2);
    expect(sample(worker, 'hookrelay_deliveries_total', 'outcome="failed"')).toBe(2);
    expect(sample(worker, 'hookrelay_attempts_total', 'status_class="2xx"')).toBe(2);
    expect(sample(worker, 'hookrelay_attempts_total', 'status_class="5xx"')).toBe(4);
    expect(sample(worker, 'hookrelay_event_accepted_to_delivered_seconds_count')).toBe(2);
    expect(sample(worker, 'hookrelay_attempts_per_delivery_count')).toBe(4);
    expect(sample(worker, 'hookrelay_attempts_per_delivery_sum')).toBe(6);
    expect(sample(worker, 'hookrelay_deliveries_in_flight')).toBe(0);
    // Temporal's own worker metrics ride along.
    expect(worker).toMatch(/^temporal_\w+/m);
    expect(worker).toContain('temporal_activity_execution_latency_seconds');

    // Every delivery line names the event, the workflow and the subscription; no secret is logged.
    const deliveryLines = workerLines.map((l) => JSON.parse(l)).filter((l) => l.deliveryId);
    expect(deliveryLines).toHaveLength(6);
    for (const line of deliveryLines) {
      expect(line.eventId).toMatch(/^m-[12]$/);
      expect(line.workflowId).toBe(eventWorkflowId(t.id, line.eventId));
      expect(line.subscriptionId).toMatch(/^sub_/);
    }
    expect(deliveryLines.filter((l) => l.msg === 'delivered').map((l) => l.level)).toEqual([20, 20]);
    expect(deliveryLines.find((l) => l.level === 40).msg).toMatch(/^HTTP 500 from http:\/\/127\.0\.0\.1:\d+\/m-bad after \d+ ms$/);
    expect(workerLines.join('\n')).not.toContain(secret);
  });
});

describe('request metrics by route', () => {
  it('label a request with the pattern it matched: portal routes under /portal, a body refused while reading under its route', async () => {
    const json = { 'content-type': 'application/json', authorization: `Bearer ${stack.adminToken}` };
    const over1mb = JSON.stringify({ payload: 'x'.repeat(1024 * 1024) });
    const requests: Array<[string, RequestInit, number]> = [
      ['/portal/session', {}, 401],
      ['/portal/assets/nope.js', {}, 404],
      ['/portal/', {}, 200],
      ['/v1/events', { method: 'POST', headers: json, body: over1mb }, 413],
      ['/v1/events', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' }, 415],
      ['/v1/events/batch', { method: 'POST', headers: json, body: '{"events": [' }, 400],
      ['/v1/no-such-route', { method: 'POST', headers: json, body: over1mb }, 404],
    ];
    for (const [path, init, status] of requests) expect((await fetch(`${stack.url}${path}`, init)).status, path).toBe(status);

    const text = await (await fetch(`${stack.url}/metrics`)).text();
    const count = (labels: string) => sample(text, 'hookrelay_http_request_duration_seconds_count', labels);
    expect(count('method="GET",route="/portal/session",status="401"')).toBe(1);
    expect(count('method="GET",route="/portal/assets/:file",status="404"')).toBe(1);
    expect(count('method="GET",route="/portal",status="200"')).toBe(1);
    expect(count('method="POST",route="/v1/events",status="413"')).toBe(1);
    expect(count('method="POST",route="/v1/events",status="415"')).toBe(1);
    expect(count('method="POST",route="/v1/events/batch",status="400"')).toBe(1);
    // A path no route serves is one label whatever the path, and its body is not read (404, not 413).
    expect(count('method="POST",route="unmatched",status="404"')).toBe(1);
    // Bounded: every label is a registered pattern or `unmatched`, never a concrete path.
    const routes = new Set([...text.matchAll(/route="([^"]*)"/g)].map((m) => m[1]));
    expect([...routes].filter((r) => r !== 'unmatched' && !/^\/[\w/:.-]*$/.test(r!))).toEqual([]);
    expect([...routes].filter((r) => /nope|no-such/.test(r!))).toEqual([]);
  });
});

describe('promtool check metrics', () => {
  it.skipIf(!promtool)("passes on the API's /metrics and the worker's (its own and the SDK core's), process metrics included", async () => {
    const api = await (await fetch(`${stack.url}/metrics`)).text();
    expect(api).toContain('hookrelay_http_request_duration_seconds_bucket');
    expect(promtoolProblems(api)).toBe('');

    const worker = await renderWorkerMetrics(stack.worker!.metrics.registry, coreMetricsUrl);
    // Core's counters end in _total and its durations are in seconds, named so.
    expect(worker).toMatch(/^temporal_\w+_total\{/m);
    expect(worker).toContain('temporal_activity_execution_latency_seconds_bucket');
    expect(worker).not.toMatch(/^temporal_\w*_milliseconds/m);
    expect(promtoolProblems(worker)).toBe('');

    // The stack's registries leave out the process metrics (several share one test process): a fresh pair has them.
    for (const registry of [createApiMetrics().registry, createWorkerMetrics().registry]) {
      const text = await registry.metrics();
      expect(text).toContain('hookrelay_nodejs_active_handles');
      expect(promtoolProblems(text)).toBe('');
    }
  });
});

describe('health', () => {
  it('/healthz answers, /readyz checks PostgreSQL and Temporal', async () => {
    const api = stack.api.as();
    expect((await api.GET('/healthz')).data).toEqual({ status: 'ok' });
    const ready = await api.GET('/readyz');
    expect(ready.response.status).toBe(200);
    expect(ready.data).toEqual({ status: 'ok', down: [], checks: { postgres: 'ok', temporal: 'ok' } });
  });

  it('/readyz answers 503 naming what is down', async () => {
    const down = await startStack({ noWorker: true, temporalAddress: `127.0.0.1:${await freePort()}` });
    try {
      const res = await down.api.call('GET', '/readyz');
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(res.body.down).toEqual(['temporal']);
      expect(res.body.checks.postgres).toBe('ok');
    } finally {
      await down.stop();
    }
  });
});
