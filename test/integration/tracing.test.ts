// OpenTelemetry (docs/observability.md): with tracing on, one event is one trace from the producer's
// traceparent to each HTTP attempt, which the receiver's traceparent names; a retry and a failure
// notification join it; log lines carry the trace's ids; nothing secret goes into a span.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startTracing } from '../../src/telemetry/tracing.js';
import { tracedWorkflowBundle } from '../support/traced-bundle.js';
import { eventually } from '../support/eventually.js';
import { startOtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { useStack } from '../support/use-stack.js';

// Started before the stack (its options need them): the collector, the SDK exporting to it, and the
// workflow bundle with Temporal's tracing interceptors (the run's bundle has none).
const collector = await startOtlpReceiver();
const tracing = (await startTracing(
  loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_TRACES_SAMPLER: 'always_on' }).tracing,
  'hookrelay-test',
))!;
const tracedBundle = await tracedWorkflowBundle();

/** The worker's log lines, parsed. */
const logLines: Array<Record<string, unknown>> = [];
const logSink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

const stack = useStack({
  env: { RETRY_TIME_SCALE: '0.001' },
  tracing,
  workflowBundlePath: tracedBundle.codePath,
  workerLogger: createLogger('debug', logSink),
});
const { receiver } = stack;

afterAll(async () => {
  await tracing.shutdown();
  await collector.close();
  tracedBundle.remove();
});

const SECRET_HEADER_VALUE = `header-secret-${randomBytes(6).toString('hex')}`;
const PAYLOAD_MARKER = `payload-marker-${randomBytes(6).toString('hex')}`;
const QUERY_TOKEN = `query-token-${randomBytes(6).toString('hex')}`;

/** A producer's traceparent: a new trace, its span the parent of the API's. */
function producerContext() {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

async function postTraced(tenantId: string, eventId: string, traceparent: string) {
  const res = await stack.api.as(stack.adminToken).POST('/v1/events', {
    body: { id: eventId, tenant_id: tenantId, environment: 'production', type: 'user.created', payload: { marker: PAYLOAD_MARKER } },
    headers: { traceparent },
  });
  expect(res.response.status, JSON.stringify(res.error)).toBe(202);
  return stack.settle(tenantId, eventId);
}

/** The trace's spans once those matching every `expected` name (with counts) have been exported. */
async function spansOf(traceId: string, expected: Record<string, number>): Promise<ReceivedSpan[]> {
  return eventually(
    async () => {
      await tracing.flush();
      const spans = collector.trace(traceId);
      const enough = Object.entries(expected).every(([name, count]) => spans.filter((s) => s.name === name).length >= count);
      return enough ? spans : undefined;
    },
    { what: `the spans of trace ${traceId}: ${JSON.stringify(expected)}`, timeoutMs: 30_000, intervalMs: 200 },
  );
}

/** Span names from `span` up to the trace's root (the API's server span, whose parent is the producer's). */
function pathToRoot(spans: ReceivedSpan[], span: ReceivedSpan): string[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const names = [];
  for (let at: ReceivedSpan | undefined = span; at; at = byId.get(at.parentSpanId)) names.push(at.name);
  return names;
}

const one = (spans: ReceivedSpan[], name: string) => {
  const found = spans.filter((s) => s.name === name);
  expect(found.map((s) => s.name)).toEqual([name]);
  return found[0]!;
};
const traceparentOf = (span: ReceivedSpan) => `00-${span.traceId}-${span.spanId}-01`;
const CLIENT = 3;
const SERVER = 2;

/** The path of the first attempt of an event, from the attempt's span up to the producer's request. */
const FIRST_ATTEMPT_PATH = [
  'POST',
  'RunActivity:dispatchEvent',
  'StartActivity:dispatchEvent',
  'RunWorkflow:eventWorkflow',
  'StartWorkflow:eventWorkflow',
  'relay start',
  'POST /v1/events',
];

describe('tracing', () => {
  it('a delivered event is one trace from the producer to the receiver, whose traceparent names the attempt', async () => {
    const t = await stack.tenant();
    const sub = await stack.api.subscribe(t.api_key, {
      url: `${receiver.url}/traced?token=${QUERY_TOKEN}`,
      event_types: ['user.*'],
      headers: { 'x-receiver-key': SECRET_HEADER_VALUE },
    });
    const producer = producerContext();
    const result = await postTraced(t.id, 'tr-ok', producer.traceparent);
    expect(result.deliveries.map((d) => d.status)).toEqual(['succeeded']);

    const spans = await spansOf(producer.traceId, { POST: 1, 'RunWorkflow:eventWorkflow': 1, 'POST /v1/events': 1, accept: 1 });
    const request = one(spans, 'POST /v1/events');
    expect(request.parentSpanId).toBe(producer.spanId);
    expect(request.kind).toBe(SERVER);
    expect(request.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/v1/events', 'http.response.status_code': 202 });
    expect(one(spans, 'accept').parentSpanId).toBe(request.spanId);
    expect(one(spans, 'accept').attributes).toMatchObject({ 'hookrelay.event.id': 'tr-ok', 'hookrelay.tenant.id': t.id });

    const attempt = one(spans, 'POST');
    expect(pathToRoot(spans, attempt)).toEqual(FIRST_ATTEMPT_PATH);
    expect(attempt.kind).toBe(CLIENT);
    expect(attempt.attributes).toMatchObject({
      'http.request.method': 'POST',
      'url.full': `${receiver.url}/traced?token=REDACTED`,
      'http.response.status_code': 204,
      'hookrelay.subscription.id': sub.id,
      'hookrelay.attempt': 1,
    });
    expect(attempt.attributes['error.type']).toBeUndefined();

    const [received] = receiver.forPath('/traced');
    expect(received!.headers.traceparent).toBe(traceparentOf(attempt));
    // The signature does not cover it: the receiver verifies as ever (test/integration/signing.test.ts).
    expect(received!.headers['x-receiver-key']).toBe(SECRET_HEADER_VALUE);

    // Nothing secret in any span: not the payload, a header value, the signing secret or the query token.
    const exported = JSON.stringify(collector.spans.map((s) => s.raw));
    for (const secret of [PAYLOAD_MARKER, SECRET_HEADER_VALUE, sub.secret, QUERY_TOKEN, stack.adminToken]) expect(exported).not.toContain(secret);
  });

  it("a batch's event with a traceparent of its own is its own trace, linked to the request's; the others are the request's", async () => {
    const t = await stack.tenant();
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/batch-traced`, event_types: ['user.*'] });
    const [request, own] = [producerContext(), producerContext()];
    const event = (id: string) => ({ id, tenant_id: t.id, environment: 'production', type: 'user.created', payload: {} });
    const res = await stack.api.call(
      'POST',
      '/v1/events/batch',
      stack.adminToken,
      { events: [{ ...event('trb-own'), traceparent: own.traceparent }, event('trb-shared')] },
      { traceparent: request.traceparent },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    for (const id of ['trb-own', 'trb-shared']) expect((await stack.settle(t.id, id)).deliveries[0]!.status).toBe('succeeded');

    const requestSpans = await spansOf(request.traceId, { 'POST /v1/events/batch': 1, POST: 1 });
    const server = one(requestSpans, 'POST /v1/events/batch');
    expect(server.parentSpanId).toBe(request.spanId);
    // The event without a traceparent of its own: its attempt's path ends at the request's span.
    expect(pathToRoot(requestSpans, one(requestSpans, 'POST')).at(-1)).toBe('POST /v1/events/batch');

    const ownSpans = await spansOf(own.traceId, { 'accept event': 1, POST: 1 });
    const accepted = one(ownSpans, 'accept event');
    expect(accepted.parentSpanId).toBe(own.spanId);
    expect(JSON.stringify((accepted.raw as { links?: unknown }).links)).toContain(server.spanId);
    expect(pathToRoot(ownSpans, one(ownSpans, 'POST')).at(-1)).toBe('accept event');
    const receivedOwn = receiver.forPath('/batch-traced').map((r) => r.headers.traceparent);
    expect(receivedOwn).toContain(traceparentOf(one(ownSpans, 'POST')));
    expect(receivedOwn).toContain(traceparentOf(one(requestSpans, 'POST')));

    // A traceparent that is not W3C's is a 400 naming it.
    const bad = await stack.api.call('POST', '/v1/events/batch', stack.adminToken, { events: [{ ...event('trb-bad'), traceparent: 'not-a-trace' }] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('events.0.traceparent');
  });

  it('a retry joins the trace as a child of the deliver activity, and each attempt is its own traceparent', async () => {
    // The first attempt (in dispatchEvent) and the deliver activity's first try fail: that try's failure,
    // which names the URL, is recorded on Temporal's spans, and its query must not be exported.
    receiver.on('/traced-retry', (_req, count) => ({ status: count <= 2 ? 503 : 200 }));
    const t = await stack.tenant();
    await stack.api.subscribe(t.api_key, {
      url: `${receiver.url}/traced-retry?token=${QUERY_TOKEN}`,
      event_types: ['user.*'],
      retry_policy: { initial_interval: '1s', maximum_attempts: 4 },
    });
    const producer = producerContext();
    const result = await postTraced(t.id, 'tr-retry', producer.traceparent);
    expect(result.deliveries.map((d) => d.status)).toEqual(['succeeded']);

    const spans = await spansOf(producer.traceId, { POST: 3, 'RunWorkflow:eventWorkflow': 1 });
    const attempts = spans
      .filter((s) => s.name === 'POST')
      .sort((a, b) => Number(a.attributes['hookrelay.attempt']) - Number(b.attributes['hookrelay.attempt']));
    expect(attempts.map((s) => s.attributes['hookrelay.attempt'])).toEqual([1, 2, 3]);
    expect(attempts[0]!.attributes).toMatchObject({ 'http.response.status_code': 503, 'error.type': '503' });
    expect(attempts[0]!.statusCode).toBe(2);
    expect(pathToRoot(spans, attempts[0]!)).toEqual(FIRST_ATTEMPT_PATH);
    const retried = ['POST', 'RunActivity:deliver', 'StartActivity:deliver', ...FIRST_ATTEMPT_PATH.slice(3)];
    expect(pathToRoot(spans, attempts[1]!)).toEqual(retried);
    expect(attempts[2]!.attributes).toMatchObject({ 'http.response.status_code': 200 });
    expect(pathToRoot(spans, attempts[2]!)).toEqual(retried);
    // Two tries of one activity: two RunActivity spans under the same StartActivity.
    expect(attempts[1]!.parentSpanId).not.toBe(attempts[2]!.parentSpanId);

    const received = receiver.forPath('/traced-retry');
    expect(received.map((r) => r.headers.traceparent)).toEqual(attempts.map(traceparentOf));

    // The failed try's span holds its failure, with the URL's query replaced.
    const failedTry = spans.find((s) => s.spanId === attempts[1]!.parentSpanId)!;
    expect(JSON.stringify(failedTry.raw)).toContain('/traced-retry?REDACTED');
    expect(JSON.stringify(collector.spans.map((s) => s.raw))).not.toContain(QUERY_TOKEN);
  });

  it("a failure notification's child workflow and its attempt are in the failed event's trace", async () => {
    receiver.on('/traced-broken', () => ({ status: 500 }));
    const t = await stack.tenant();
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/traced-broken`, event_types: ['user.*'], retry_policy: 'none' });
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/traced-notify`, event_types: ['failure.*'], retry_policy: 'none' });
    const producer = producerContext();
    const result = await postTraced(t.id, 'tr-fail', producer.traceparent);
    expect(result.deliveries.map((d) => d.status)).toEqual(['failed']);
    const [notice] = await receiver.waitFor('/traced-notify', 1);

    const spans = await spansOf(producer.traceId, { POST: 2, 'RunWorkflow:notificationWorkflow': 1, 'RunWorkflow:eventWorkflow': 1 });
    const child = one(spans, 'StartChildWorkflow:notificationWorkflow');
    expect(pathToRoot(spans, child)).toEqual(['StartChildWorkflow:notificationWorkflow', ...FIRST_ATTEMPT_PATH.slice(3)]);
    const run = one(spans, 'RunWorkflow:notificationWorkflow');
    expect(run.parentSpanId).toBe(child.spanId);
    const noticeAttempt = spans.find((s) => s.name === 'POST' && String(s.attributes['url.full']).endsWith('/traced-notify'))!;
    expect(pathToRoot(spans, noticeAttempt)).toContain('RunWorkflow:notificationWorkflow');
    expect(notice!.headers.traceparent).toBe(traceparentOf(noticeAttempt));
  });

  it('log lines written inside a span carry its trace_id and span_id', async () => {
    const t = await stack.tenant();
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/traced-log`, event_types: ['user.*'] });
    const producer = producerContext();
    await postTraced(t.id, 'tr-log', producer.traceparent);
    const spans = await spansOf(producer.traceId, { 'RunActivity:dispatchEvent': 1 });
    const line = logLines.find((l) => l.msg === 'delivered' && l.eventId === 'tr-log');
    expect(line).toMatchObject({ trace_id: producer.traceId, span_id: one(spans, 'RunActivity:dispatchEvent').spanId });
  });
});
