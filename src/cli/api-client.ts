import { ApiError, CliError, NetworkError } from './errors.js';

export type Query = Record<string, string | number | undefined>;

/**
 * A thin client of the hookrelay HTTP API over global fetch. The token goes only into the
 * Authorization header: it is never part of a message, an error or the URL.
 */
export class ApiClient {
  readonly baseUrl: string;

  constructor(baseUrl: string, private readonly token: string, private readonly timeoutMs = 30_000) {
    this.baseUrl = normalizeBaseUrl(baseUrl);
  }

  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.request<T>('GET', path, undefined, query);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  async request<T>(method: string, path: string, body?: unknown, query: Query = {}): Promise<T> {
    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      throw new NetworkError(`cannot reach the API at ${displayUrl(this.baseUrl)}: ${networkReason(error)}`);
    }
    const parsed = parseJson(text);
    if (response.ok) return parsed as T;
    throw apiError(response, parsed);
  }
}

function apiError(response: Response, body: unknown): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  if (error && typeof error.message === 'string') {
    const details = Array.isArray(error.details)
      ? error.details
        .filter((d): d is { path: unknown; message: unknown } => typeof d === 'object' && d !== null)
        .map((d) => ({ path: String(d.path ?? ''), message: String(d.message ?? '') }))
      : [];
    return new ApiError(response.status, typeof error.code === 'string' ? error.code : 'error', error.message, details);
  }
  return new ApiError(response.status, 'http_error', `HTTP ${response.status} ${response.statusText}`.trim());
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function normalizeBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(`--api: not a URL: ${text}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`--api: must be an http or https URL: ${text}`);
  return url.toString().replace(/\/+$/, '');
}

/** The base URL without any credentials it may carry. */
function displayUrl(base: string): string {
  const url = new URL(base);
  url.username = '';
  url.password = '';
  return url.toString().replace(/\/+$/, '');
}

function networkReason(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'no answer in time';
  const cause = e.cause;
  if (cause?.code) return cause.code;
  return cause?.message ?? e.message ?? String(error);
}
