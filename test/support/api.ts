// The tests' access to the API. `as(token)` is the generated typed client (src/client), what a caller of the
// API uses; the helpers below go through it. `call` is a raw request answering whatever the status, for
// tests that send what no typed client would (hostile bodies, other content types, wrong credentials) or
// that probe a status or a header.
import { createHookrelayClient, type HookrelayClient, type RequestBody, type Schemas } from '../../src/client/index.js';

export type Query = Record<string, string | number | undefined>;

export interface ApiResponse<T = any> {
  status: number;
  statusText: string;
  body: T;
  headers: Headers;
}

export class TestApi {
  readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** The typed client with this credential (none: the routes without authentication). */
  as(token?: string): HookrelayClient {
    return createHookrelayClient(this.baseUrl, { ...(token ? { token } : {}), timeoutMs: 0 });
  }

  /** A string body is sent as it is (with `headers` it can be any content type); any other as JSON. Never follows a redirect. */
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
    const init: RequestInit & { headers: Record<string, string> } = {
      method,
      redirect: 'manual',
      headers: { accept: 'application/json', ...headers },
    };
    if (token) init.headers.authorization = `Bearer ${token}`;
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      init.headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(url, init);
    const text = await response.text();
    return { status: response.status, statusText: response.statusText, body: parseJson(text) as T, headers: response.headers };
  }

  /** A new tenant (its id and API key); throws unless the API answers 201. */
  async createTenant(adminToken: string, name = 'tenant'): Promise<Schemas['TenantCreated']> {
    const { data, error, response } = await this.as(adminToken).POST('/v1/tenants', { body: { name } });
    if (!data) throw new Error(`POST /v1/tenants answered ${response.status}: ${JSON.stringify(error)}`);
    return data;
  }

  /** A new subscription with its signing secret; throws unless the API answers 201. */
  async subscribe(apiKey: string, body: RequestBody<'createSubscription'>): Promise<Schemas['Subscription'] & { secret: string }> {
    const { data, error, response } = await this.as(apiKey).POST('/v1/subscriptions', { body });
    if (!data) throw new Error(`POST /v1/subscriptions answered ${response.status}: ${JSON.stringify(error)}`);
    return data as Schemas['Subscription'] & { secret: string };
  }

  /** A subscription as its tenant reads it (GET /v1/subscriptions/{id}); throws unless the API answers 200. */
  async subscription(apiKey: string, id: string): Promise<Schemas['Subscription']> {
    return ok(this.as(apiKey).GET('/v1/subscriptions/{id}', { params: { path: { id } } }));
  }

  /** An event with its deliveries as the token's holder reads it (GET /v1/events/{id}); throws unless the API answers 200. */
  async event(token: string, id: string): Promise<Schemas['Event']> {
    return ok(this.as(token).GET('/v1/events/{id}', { params: { path: { id } } }));
  }

  /** Posts an event and answers whatever the status (202, 200 for a duplicate, an error). */
  async postEvent(token: string, body: RequestBody<'postEvent'>): Promise<ApiResponse<any>> {
    const { data, error, response } = await this.as(token).POST('/v1/events', { body });
    return { status: response.status, statusText: response.statusText, body: data ?? error, headers: response.headers };
  }

  /** Posts a batch of events and answers whatever the status (202, an error). */
  async postEventBatch(token: string, body: RequestBody<'postEventBatch'>): Promise<ApiResponse<any>> {
    const { data, error, response } = await this.as(token).POST('/v1/events/batch', { body });
    return { status: response.status, statusText: response.statusText, body: data ?? error, headers: response.headers };
  }

  /** The OpenAPI document the API serves (GET /openapi.json); throws unless it answers 200. */
  async document(): Promise<any> {
    return ok(this.as().GET('/openapi.json'));
  }
}

/**
 * The `data` of a typed call (`await ok(api.GET('/v1/subscriptions/{id}', …))`); throws naming the status and the
 * error body unless the API answered with a body in a 2xx (a 204 has none: check `response.status` instead).
 */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (data === undefined) {
    const { pathname, search } = new URL(response.url);
    throw new Error(`${pathname}${search} answered ${response.status}: ${JSON.stringify(error)}`);
  }
  return data;
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
