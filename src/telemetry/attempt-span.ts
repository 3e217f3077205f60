// The CLIENT span of one HTTP attempt, with the HTTP semantic conventions, and the `traceparent` the
// receiver gets, naming that span. Only the method, the URL without credentials and with every query value
// replaced, the status and the error class go into it: never the body, a header value or a secret.
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
} from '@opentelemetry/semantic-conventions';
import type { AttemptResult } from '../delivery/http-attempt.js';
import { ATTEMPT_ATTR, DELIVERY_ATTR, EVENT_ID_ATTR, SUBSCRIPTION_ATTR } from './attributes.js';
import { traceHeaders } from './trace-context.js';

/** The headers the trace context travels in: a subscription's own of these names would contradict it. */
const TRACE_HEADER_NAMES = new Set(['traceparent', 'tracestate']);

/** Replaces every query value (a token or a signature is often put there). */
export const REDACTED = 'REDACTED';

/** The URL as a span may hold it: no user or password, no fragment, each query value replaced by `REDACTED`. */
export function spanUrl(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  parsed.hash = '';
  for (const name of new Set(parsed.searchParams.keys())) parsed.searchParams.set(name, REDACTED);
  return parsed.toString();
}

export interface AttemptIdentity {
  eventId: string;
  subscriptionId: string;
  deliveryId: string;
  attempt: number;
}

/**
 * Runs `send` (the request) inside a CLIENT span named for the method, child of the active span (the
 * activity's); `send` gets the headers to send: the given ones with `traceparent` naming this span (and a
 * subscription's own `traceparent`/`tracestate` dropped). The headers signed are not these: the signature
 * covers the id, the timestamp and the body only (src/delivery/signature.ts).
 */
export async function inAttemptSpan(
  tracer: Tracer | undefined,
  request: { url: string; method: string; headers: Record<string, string> },
  identity: AttemptIdentity,
  send: (headers: Record<string, string>) => Promise<AttemptResult>,
): Promise<AttemptResult> {
  if (!tracer) return send(request.headers);
  const url = new URL(request.url);
  return tracer.startActiveSpan(
    request.method,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR_HTTP_REQUEST_METHOD]: request.method,
        [ATTR_URL_FULL]: spanUrl(request.url),
        [ATTR_SERVER_ADDRESS]: url.hostname,
        [ATTR_SERVER_PORT]: Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
        [EVENT_ID_ATTR]: identity.eventId,
        [SUBSCRIPTION_ATTR]: identity.subscriptionId,
        [DELIVERY_ATTR]: identity.deliveryId,
        [ATTEMPT_ATTR]: identity.attempt,
      },
    },
    async (span) => {
      try {
        const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !TRACE_HEADER_NAMES.has(name.toLowerCase())));
        const result = await send({ ...headers, ...traceHeaders(span) });
        if (result.statusCode !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, result.statusCode);
        if (!result.ok) {
          // The status code for an answer that was not 2xx, else hookrelay's error class (timeout, dns, tls…).
          span.setAttribute(
            ATTR_ERROR_TYPE,
            result.errorClass === 'http_status' && result.statusCode !== undefined ? String(result.statusCode) : (result.errorClass ?? 'network'),
          );
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        return result;
      } finally {
        span.end();
      }
    },
  );
}
