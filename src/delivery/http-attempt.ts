import { request, type Dispatcher } from 'undici';
import type { ErrorClass } from '../domain/delivery-failures.js';
import type { HttpMethod } from '../domain/http-method.js';
import { safeText, storedBody, type StoredBody } from './response-body.js';

export const RESPONSE_BODY_LIMIT = 4096;

export interface AttemptRequest {
  url: string;
  method: HttpMethod;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export interface AttemptResult {
  ok: boolean;
  statusCode?: number;
  errorClass?: ErrorClass;
  errorMessage?: string;
  /** At most RESPONSE_BODY_LIMIT bytes; the rest of the body is never read. */
  responseBody?: StoredBody;
  retryAfter?: string;
  durationMs: number;
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_OSSL_)/;

function errorChain(error: unknown): Array<{ name?: string; code?: string; message?: string }> {
  const chain = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    chain.push(current as { name?: string; code?: string; message?: string });
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

export function classifyError(error: unknown): ErrorClass {
  for (const { name, code = '' } of errorChain(error)) {
    if (code === 'ESSRFBLOCKED') return 'ssrf_blocked';
    if (name === 'TimeoutError' || name === 'AbortError' || (code.startsWith('UND_ERR_') && code.endsWith('TIMEOUT'))) return 'timeout';
    if (code === 'ECONNREFUSED') return 'connection_refused';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return 'dns';
    if (TLS_CODES.test(code)) return 'tls';
    if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED') return 'connection_reset';
  }
  return 'network';
}

function describeError(error: unknown): string {
  return (
    errorChain(error)
      .map((e) => e.message || e.code)
      .filter(Boolean)
      .at(-1) ?? 'unknown error'
  );
}

/** The first RESPONSE_BODY_LIMIT bytes of the body; `cut` when there was more (never read). Throws what reading met. */
async function readPrefix(body: Dispatcher.ResponseData['body']): Promise<{ bytes: Buffer; cut: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= RESPONSE_BODY_LIMIT) {
      // Stop reading: a receiver's large or endless body must not hold the worker.
      body.destroy();
      return { bytes: Buffer.concat(chunks).subarray(0, RESPONSE_BODY_LIMIT), cut: true };
    }
  }
  return { bytes: Buffer.concat(chunks), cut: false };
}

/**
 * One HTTP request. The timeout covers connecting, the response headers and the (bounded) body read.
 * Never throws: whatever the receiver does ends in a result, and every text in it is storable.
 */
export async function performAttempt(dispatcher: Dispatcher, req: AttemptRequest, now: () => number = Date.now): Promise<AttemptResult> {
  const started = now();
  const signal = AbortSignal.timeout(req.timeoutMs);
  // `statusCode`: a status line that came before the failure, kept as the receiver's answer, cut short.
  const failed = (error: unknown, statusCode?: number): AttemptResult => {
    const errorClass = signal.aborted ? 'timeout' : classifyError(error);
    const reason = errorClass === 'timeout' ? `no complete response within ${req.timeoutMs} ms` : safeText(describeError(error));
    return {
      ok: false,
      ...(statusCode !== undefined ? { statusCode } : {}),
      errorClass,
      errorMessage: statusCode !== undefined ? `HTTP ${statusCode}, then the response broke off: ${reason}` : reason,
      durationMs: now() - started,
    };
  };
  let response: Dispatcher.ResponseData;
  try {
    response = await request(req.url, {
      dispatcher,
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
    });
  } catch (error) {
    return failed(error);
  }
  const statusCode = response.statusCode;
  let prefix: { bytes: Buffer; cut: boolean };
  try {
    prefix = await readPrefix(response.body);
  } catch (error) {
    return failed(error, statusCode);
  }
  const ok = statusCode >= 200 && statusCode < 300;
  const retryAfter = response.headers['retry-after'];
  return {
    ok,
    statusCode,
    errorClass: ok ? undefined : 'http_status',
    responseBody: storedBody(prefix.bytes, prefix.cut),
    retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
    durationMs: now() - started,
  };
}

/** Retry-After as seconds or an HTTP date, in milliseconds from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
