// W3C trace context as text, read and written with the propagator directly (not the global one, which
// only exists while tracing is on): the producer's `traceparent`, the one stored with an accepted event,
// the one sent to a receiver.
import { defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, trace, type Context, type Span } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

const w3c = new W3CTraceContextPropagator();

/** The context a request's `traceparent` (and `tracestate`) names; the root context when absent or malformed. */
export function contextFromHeaders(headers: Record<string, string | string[] | undefined>): Context {
  return w3c.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
}

/** The context a stored `traceparent` names; the root context when there is none. */
export function contextFromTraceparent(traceparent: string | null | undefined): Context {
  return traceparent ? contextFromHeaders({ traceparent }) : ROOT_CONTEXT;
}

/** The span as W3C headers: `traceparent`, and `tracestate` when it has one. */
export function traceHeaders(span: Span): Record<string, string> {
  const carrier: Record<string, string> = {};
  w3c.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
  return carrier;
}
