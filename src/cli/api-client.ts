// The one client of the hookrelay HTTP API: the CLI, the tests and the benchmark use it. They differ
// only in how a request travels (`Send`) and in what a status that is not 2xx means to them.
import { ApiError, CliError, NetworkError } from './errors.js';
import type { EventAccepted, Subscription, TenantCreated } from './types.js';

export type Query = Record<string, string | number | undefined>;

export interface ApiResponse<T = any> {
  status: number;
  statusText: string;
  body: T;
  headers: Headers;
}

export interface SendInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}
/** One HTTP exchange; never follows a redirect. */
export type Send = (url: string, init: SendInit) => Promise<{ status: number; statusText: string; headers: Headers; text: string }>;

/** Global fetch: nothing to load at start-up, which a command-line tool notices. */
export const fetchSend: Send = async (url, init) => {
  const response = await fetch(url, { ...init, redirect: 'manual' });
  return { status: response.status, statusText: response.statusText, headers: response.headers, text: await response.text() };
};

export interface HookrelayApiOptions {
  send?: Send;
  /** 0: no time limit of its own. */
  timeoutMs?: number;
}

/**
 * Requests and their answers whatever the status. The token goes only into the Authorization
 * header: it is never part of a message, an error or the URL.
 */
export class HookrelayApi {
  readonly baseUrl: string;
  private readonly send: Send;
  private readonly timeoutMs: number;

  constructor(baseUrl: string, options: HookrelayApiOptions = {}) {
    this.baseUrl = normalizeBaseUrl(baseUrl);
    this.send = options.send ?? fetchSend;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** A string body is sent as it is (with `headers` it can be any content type); an object as JSON. */
  async call<T = any>(
    method: string,
    path: string,
    token?: string,
    body?: unknown,
    headers: Record<string, string> = {},
    query: Query = {},
  ): Promise<ApiResponse<T>> {
    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
    const init: SendInit = { method, headers: { accept: 'application/json', ...headers } };
    if (token) init.headers.authorization = `Bearer ${token}`;
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      init.headers['content-type'] ??= 'application/json';
    }
    if (this.timeoutMs > 0) init.signal = AbortSignal.timeout(this.timeoutMs);
    let answer: Awaited<ReturnType<Send>>;
    try {
      answer = await this.send(url.toString(), init);
    } catch (error) {
      throw new NetworkError(`cannot reach the API at ${displayUrl(this.baseUrl)}: ${networkReason(error)}`);
    }
    return { status: answer.status, statusText: answer.statusText, body: parseJson(answer.text) as T, headers: answer.headers };
  }

  async createTenant(adminToken: string, name = 'tenant'): Promise<TenantCreated> {
    return expectStatus(await this.call<TenantCreated>('POST', '/v1/tenants', adminToken, { name }), 201);
  }

  async subscribe(apiKey: string, body: Record<string, unknown>): Promise<Subscription & { secret: string }> {
    return expectStatus(await this.call('POST', '/v1/subscriptions', apiKey, body), 201);
  }

  postEvent(adminToken: string, body: Record<string, unknown>): Promise<ApiResponse<EventAccepted & Record<string, any>>> {
    return this.call('POST', '/v1/events', adminToken, body);
  }
}

/** The CLI's client: one token, and any status that is not 2xx is an `ApiError`. */
export class ApiClient {
  private readonly api: HookrelayApi;

  constructor(
    baseUrl: string,
    private readonly token: string,
    timeoutMs = 30_000,
  ) {
    this.api = new HookrelayApi(baseUrl, { timeoutMs });
  }

  get baseUrl(): string {
    return this.api.baseUrl;
  }

  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.request<T>('GET', path, undefined, query);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  async request<T>(method: string, path: string, body?: unknown, query: Query = {}): Promise<T> {
    const response = await this.api.call<T>(method, path, this.token, body, {}, query);
    if (response.status >= 200 && response.status < 300) return response.body;
    throw apiError(response);
  }
}

function expectStatus<T>(response: ApiResponse<T>, status: number): T {
  if (response.status !== status) throw apiError(response);
  return response.body;
}

function apiError(response: ApiResponse<unknown>): ApiError {
  const error = (response.body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
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
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'no answer in time';
  if (e.cause?.code) return e.cause.code;
  if (e.code) return e.code;
  return e.cause?.message ?? e.message ?? String(error);
}
