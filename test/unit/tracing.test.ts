// Tracing off is nothing at all (no SDK, no global provider); on, it follows the OTEL_* variables; and
// what goes into a span about a URL or a failure never holds its query or credentials.
import { context, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { inAttemptSpan, spanUrl } from '../../src/telemetry/attempt-span.js';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTracing, withoutUrlQueries } from '../../src/telemetry/tracing.js';
import { contextFromTraceparent } from '../../src/telemetry/trace-context.js';
import { createLogger } from '../../src/logger.js';
import { Writable } from 'node:stream';

const ENDPOINT = 'http://127.0.0.1:4318';

describe('tracing settings', () => {
  it('are off without an endpoint, and with OTEL_SDK_DISABLED=true', () => {
    expect(loadConfig({}).tracing).toBeUndefined();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: '' }).tracing).toBeUndefined();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_SDK_DISABLED: 'true' }).tracing).toBeUndefined();
  });

  it('follow the standard variables, with the spec defaults', () => {
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT }).tracing).toEqual({
      endpoint: ENDPOINT,
      protocol: 'http/protobuf',
      sampler: 'parentbased_always_on',
    });
    expect(
      loadConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_SERVICE_NAME: 'relay-eu',
        OTEL_TRACES_SAMPLER: 'traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
      }).tracing,
    ).toEqual({ endpoint: ENDPOINT, protocol: 'grpc', serviceName: 'relay-eu', sampler: 'traceidratio', samplerArg: 0.25 });
  });

  it('refuse to start on a wrong value, naming it', () => {
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift' })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL/);
    expect(() => loadConfig({ OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(/OTEL_TRACES_SAMPLER/);
    expect(() => loadConfig({ OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
  });
});

describe('startTracing', () => {
  it('off: starts nothing and registers nothing, so no span is ever active', async () => {
    expect(await startTracing(undefined, 'hookrelay-test')).toBeUndefined();
    const tracer = trace.getTracer('probe');
    const span = tracer.startSpan('probe');
    expect(span.isRecording()).toBe(false);
    context.with(trace.setSpan(context.active(), span), () => expect(trace.getActiveSpan()).toBeUndefined());
  });

  it('on: registers a provider that records, and unregisters it at shutdown', async () => {
    const tracing = (await startTracing(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' }).tracing, 'hookrelay-test'))!;
    try {
      const span = trace.getTracer('probe').startSpan('probe');
      expect(span.isRecording()).toBe(true);
      span.end();
    } finally {
      await tracing.shutdown().catch(() => {});
    }
    expect(trace.getTracer('probe').startSpan('after').isRecording()).toBe(false);
  });
});

describe('log lines', () => {
  it('carry trace_id and span_id while a span is active, and nothing else changes without one', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger(
      'info',
      new Writable({
        write(chunk: Buffer, _e, done) {
          lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
          done();
        },
      }),
    );
    logger.info('outside');
    const tracing = (await startTracing(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' }).tracing, 'hookrelay-test'))!;
    try {
      const parent = contextFromTraceparent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
      tracing.tracer.startActiveSpan('inside', {}, parent, (span) => {
        logger.info('inside');
        expect(lines.at(-1)).toMatchObject({ msg: 'inside', trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: span.spanContext().spanId });
        span.end();
      });
    } finally {
      await tracing.shutdown().catch(() => {});
    }
    expect(lines[0]).not.toHaveProperty('trace_id');
    expect(lines[0]).not.toHaveProperty('span_id');
  });
});

describe('URLs in spans', () => {
  it('url.full has no credentials, no fragment, and every query value replaced', () => {
    expect(spanUrl('https://user:pw@example.com:8443/hook?token=abc&sig=1&sig=2#frag')).toBe(
      'https://example.com:8443/hook?token=REDACTED&sig=REDACTED',
    );
    expect(spanUrl('http://example.com/hook')).toBe('http://example.com/hook');
  });

  it('failure texts lose every URL query', () => {
    expect(withoutUrlQueries('HTTP 500 from https://example.com/hook?token=abc after 12 ms (attempt 2)')).toBe(
      'HTTP 500 from https://example.com/hook?REDACTED after 12 ms (attempt 2)',
    );
    expect(withoutUrlQueries('timeout: no complete response from http://example.com/a within 5000 ms')).toBe(
      'timeout: no complete response from http://example.com/a within 5000 ms',
    );
  });
});

describe('an attempt span', () => {
  const exporter = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('test');
  const identity = { eventId: 'evt-1', subscriptionId: 'sub_1', deliveryId: 'dlv_1', attempt: 2 };

  it("sends its own traceparent instead of a subscription's traceparent and tracestate, whatever their case", async () => {
    let sent: Record<string, string> = {};
    const headers = { TraceParent: '00-11111111111111111111111111111111-2222222222222222-01', tracestate: 'k=v', 'x-team': 'growth' };
    await inAttemptSpan(tracer, { url: 'https://example.com/hook?token=abc', method: 'POST', headers }, identity, async (h) => {
      sent = h;
      return { ok: false, statusCode: 503, errorClass: 'http_status', durationMs: 1 };
    });
    const [span] = exporter.getFinishedSpans().slice(-1);
    expect(sent).toEqual({ 'x-team': 'growth', traceparent: `00-${span!.spanContext().traceId}-${span!.spanContext().spanId}-01` });
    expect(span!.attributes).toMatchObject({
      'url.full': 'https://example.com/hook?token=REDACTED',
      'http.response.status_code': 503,
      'error.type': '503',
      'hookrelay.attempt': 2,
    });
  });

  it('without a tracer, sends the headers as they are and makes no span', async () => {
    const before = exporter.getFinishedSpans().length;
    let sent: Record<string, string> = {};
    await inAttemptSpan(undefined, { url: 'https://example.com/hook', method: 'POST', headers: { traceparent: 'theirs' } }, identity, async (h) => {
      sent = h;
      return { ok: true, statusCode: 204, durationMs: 1 };
    });
    expect(sent).toEqual({ traceparent: 'theirs' });
    expect(exporter.getFinishedSpans().length).toBe(before);
  });
});
