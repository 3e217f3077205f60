import { request, type Dispatcher } from 'undici';
import type { ErrorClass } from '../domain/delivery-failures.js';

export const RESPONSE_BODY_LIMIT = 4096;

export interface AttemptRequest {
  url: string;
  method: 'POST' | 'PUT';
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
  responseBody?: string;
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
    if (name === 'TimeoutError' || name === 'AbortError' || code.startsWith('UND_ERR_') && code.endsWith('TIMEOUT')) return 'timeout';
    if (code === 'ECONNREFUSED') return 'connection_refused';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return 'dns';
    if (TLS_CODES.test(code)) return 'tls';
    if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED') return 'connection_reset';
  }
  return 'network';
}

function describeError(error: unknown): string {
  return errorChain(error)
    .map((e) => e.message || e.code)
    .filter(Boolean)
    .at(-1) ?? 'unknown error';
}

async function readPrefix(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= RESPONSE_BODY_LIMIT) {
      // Stop reading: a receiver's large or endless body must not hold the worker.
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, RESPONSE_BODY_LIMIT).toString('utf8');
}

/** One HTTP request. The timeout covers connecting, the response headers and the (bounded) body read. */
export async function performAttempt(dispatcher: Dispatcher, req: AttemptRequest, now: () => number = Date.now): Promise<AttemptResult> {
  const started = now();
  const signal = AbortSignal.timeout(req.timeoutMs);
  try {
    const response = await request(req.url, {
      dispatcher,
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
    });
    const responseBody = await readPrefix(response.body);
    const statusCode = response.statusCode;
    const retryAfter = response.headers['retry-after'];
    return {
      ok: statusCode >= 200 && statusCode < 300,
      statusCode,
      errorClass: statusCode >= 200 && statusCode < 300 ? undefined : 'http_status',
      responseBody,
      retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
      durationMs: now() - started,
    };
  } catch (error) {
    const errorClass = signal.aborted ? 'timeout' : classifyError(error);
    return {
      ok: false,
      errorClass,
      errorMessage: errorClass === 'timeout' ? `no complete response within ${req.timeoutMs} ms` : describeError(error),
      durationMs: now() - started,
    };
  }
}

/** Retry-After as seconds or an HTTP date, in milliseconds from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
