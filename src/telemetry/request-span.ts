// The API's server span for the routes that accept events: its context is what the events are stored
// with, so the relay's start, the workflow and every attempt join the producer's trace.
import { context, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import type { Request, Response } from 'express';
import { contextFromHeaders, contextFromTraceparent, traceHeaders } from './trace-context.js';

/**
 * Runs `handle` inside a SERVER span named `<method> <route>`, child of the producer's `traceparent` when
 * the request has one; `handle` gets the span's `traceparent` to store. The span ends with the response.
 * Without a tracer (tracing off) `handle` runs as it is, with no `traceparent`.
 * The span holds the method, the route, the path (no query) and the status: never a header value or the body.
 */
export async function inRequestSpan<T>(
  tracer: Tracer | undefined,
  req: Request,
  res: Response,
  route: string,
  handle: (traceparent: string | undefined) => Promise<T>,
): Promise<T> {
  if (!tracer) return handle(undefined);
  const span = tracer.startSpan(
    `${req.method} ${route}`,
    {
      kind: SpanKind.SERVER,
      attributes: { [ATTR_HTTP_REQUEST_METHOD]: req.method, [ATTR_HTTP_ROUTE]: route, [ATTR_URL_PATH]: req.path, [ATTR_URL_SCHEME]: req.protocol },
    },
    contextFromHeaders(req.headers),
  );
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    const status = res.statusCode;
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    // A server span is an error for a 5xx only: a 4xx is the client's mistake (HTTP semantic conventions).
    if (status >= 500) {
      span.setAttribute(ATTR_ERROR_TYPE, String(status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  };
  res.once('finish', end);
  res.once('close', end);
  return context.with(trace.setSpan(context.active(), span), () => handle(traceHeaders(span).traceparent));
}

/** A child span of the active one around `work` (the accept statement up to its commit); ended when it settles. */
export async function inChildSpan<T>(
  tracer: Tracer | undefined,
  name: string,
  attributes: Record<string, string | number>,
  work: () => Promise<T>,
): Promise<T> {
  if (!tracer) return work();
  return tracer.startActiveSpan(name, { kind: SpanKind.INTERNAL, attributes }, (span) => endingSpan(span, work));
}

/** Runs `work` and ends `span` when it settles; a throw marks the span an error of the thrown error's class. */
export async function endingSpan<T>(span: Span, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    span.setAttribute(ATTR_ERROR_TYPE, (error as Error).name || 'Error');
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
}

/**
 * A batch's events that carry a `traceparent` of their own each start their own trace: a span `accept event`,
 * child of that traceparent and linked to the batch's request span (the active one), around `work` (the
 * accept statement up to its commit). `work` gets, per event, the traceparent to store with it: its own
 * span's, or the request span's (`shared`) for an event without one. Without a tracer, nothing is stored.
 */
export async function inEventSpans<T>(
  tracer: Tracer | undefined,
  own: Array<string | undefined>,
  shared: string | undefined,
  work: (traceparents: Array<string | undefined>) => Promise<T>,
): Promise<T> {
  if (!tracer) return work(own.map(() => undefined));
  const request = trace.getSpan(context.active())?.spanContext();
  const spans = own.map((traceparent) =>
    traceparent
      ? tracer.startSpan(
          'accept event',
          { kind: SpanKind.INTERNAL, ...(request ? { links: [{ context: request }] } : {}) },
          contextFromTraceparent(traceparent),
        )
      : undefined,
  );
  try {
    return await work(spans.map((span) => (span ? traceHeaders(span).traceparent : shared)));
  } catch (error) {
    for (const span of spans) span?.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    for (const span of spans) span?.end();
  }
}
