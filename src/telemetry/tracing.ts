// The OpenTelemetry SDK of one process (the API or a worker), started only when OTEL_EXPORTER_OTLP_ENDPOINT
// is set and OTEL_SDK_DISABLED is not true (src/config.ts): otherwise nothing here runs, no tracer provider
// is registered, and the code that makes spans is handed no tracer and skips them (docs/observability.md).
// The SDK and its exporter are imported only then: loaded, they would cost every process memory and start time.
import { context, propagation, trace, type Context, type Tracer } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, Sampler, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { TracingSettings } from '../config.js';
import { VERSION } from '../version.js';

/** The name of hookrelay's own tracer (the Temporal interceptors use theirs). */
export const TRACER_NAME = 'hookrelay';

export interface Tracing {
  tracer: Tracer;
  /** Where the workflow sandbox's spans go too (Temporal hands them out through a sink: src/telemetry/temporal.ts). */
  spanProcessor: SpanProcessor;
  resource: Resource;
  /** Exports what is buffered now. */
  flush(): Promise<void>;
  /** Exports what is buffered and unregisters the SDK (the process ends, or a test is done). */
  shutdown(): Promise<void>;
}

/** The exporter of the protocol asked for (only its package is loaded). */
async function exporterFor(settings: TracingSettings): Promise<SpanExporter> {
  // The generic endpoint is a base URL: the HTTP protocols add the signal's path (the OTLP exporter spec).
  const httpUrl = `${settings.endpoint.replace(/\/+$/, '')}/v1/traces`;
  switch (settings.protocol) {
    case 'grpc':
      return new (await import('@opentelemetry/exporter-trace-otlp-grpc')).OTLPTraceExporter({ url: settings.endpoint });
    case 'http/json':
      return new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter({ url: httpUrl });
    case 'http/protobuf':
      return new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter({ url: httpUrl });
  }
}

type SdkTraceBase = typeof import('@opentelemetry/sdk-trace-base');

function samplerFor({ sampler, samplerArg = 1 }: TracingSettings, sdk: SdkTraceBase): Sampler {
  const { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler } = sdk;
  switch (sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(samplerArg);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(samplerArg) });
  }
}

/** A URL's query (and fragment) in free text, such as a failure message naming a subscription's URL. */
const URL_QUERY = /(\bhttps?:\/\/[^\s?#]*)[?#][^\s]*/gi;

/** The text with every URL's query and fragment replaced, so a token put in a subscription's query never leaves. */
export function withoutUrlQueries(text: string): string {
  return text.replace(URL_QUERY, '$1?REDACTED');
}

/**
 * Temporal's interceptors record a failed activity's message as the span's status and an exception event;
 * hookrelay's failure messages name the subscription's URL (as the Web UI shows them). Before export, the
 * query of every URL in those texts is replaced: the rest of the span is passed on as it is.
 */
class RedactingSpanProcessor implements SpanProcessor {
  constructor(private readonly next: SpanProcessor) {}
  onStart(span: Span, parent: Context): void {
    this.next.onStart(span, parent);
  }
  onEnd(span: ReadableSpan): void {
    const changes = (value: unknown) => typeof value === 'string' && withoutUrlQueries(value) !== value;
    const message = span.status.message;
    if (!changes(message) && !span.events.some((event) => Object.values(event.attributes ?? {}).some(changes))) return this.next.onEnd(span);
    const redact = <T>(value: T) => (typeof value === 'string' ? withoutUrlQueries(value) : value);
    // The span as it is but for those texts (the exporter reads it through its prototype).
    const redacted = Object.create(span) as ReadableSpan;
    Object.defineProperties(redacted, {
      status: { value: { ...span.status, message: redact(message) } },
      events: {
        value: span.events.map((event) => ({
          ...event,
          attributes: Object.fromEntries(Object.entries(event.attributes ?? {}).map(([key, value]) => [key, redact(value)])),
        })),
      },
    });
    this.next.onEnd(redacted);
  }
  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}

/**
 * Starts the SDK and registers it for the process (the W3C trace context propagator, the async context
 * that carries the active span, the tracer provider); undefined, doing nothing, when tracing is off.
 */
export async function startTracing(settings: TracingSettings | undefined, defaultServiceName: string): Promise<Tracing | undefined> {
  if (!settings) return undefined;
  const [sdk, { NodeTracerProvider }, { detectResourcesSync, envDetectorSync, Resource }, exporter] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/resources'),
    exporterFor(settings),
  ]);
  // OTEL_RESOURCE_ATTRIBUTES is read by the SDK's own detector; the service name and version are hookrelay's.
  const resource = Resource.default()
    .merge(detectResourcesSync({ detectors: [envDetectorSync] }))
    .merge(new Resource({ [ATTR_SERVICE_NAME]: settings.serviceName ?? defaultServiceName, [ATTR_SERVICE_VERSION]: VERSION }));
  // Batched: a span costs the request or the attempt a push onto a queue, never an export.
  const spanProcessor = new RedactingSpanProcessor(new sdk.BatchSpanProcessor(exporter));
  const provider = new NodeTracerProvider({ resource, sampler: samplerFor(settings, sdk), spanProcessors: [spanProcessor] });
  provider.register();
  return {
    tracer: provider.getTracer(TRACER_NAME, VERSION),
    spanProcessor,
    resource,
    flush: () => provider.forceFlush(),
    async shutdown() {
      try {
        await provider.shutdown();
      } finally {
        // Unregistered even when the last export failed (a collector that is down).
        trace.disable();
        context.disable();
        propagation.disable();
      }
    },
  };
}
