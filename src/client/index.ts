// The typed client of the hookrelay API, generated from its OpenAPI document: openapi-fetch over the types
// openapi-typescript writes to ./schema.ts (`npm run gen:client`). The CLI, the tests and the benchmark use
// it; so can a producer's TypeScript (README.md).
import createClient, { type Client } from 'openapi-fetch';
import type { components, operations, paths } from './schema.js';

export type { components, operations, paths };
/** The document's named schemas: `Schemas['Subscription']`, `Schemas['Error']`… */
export type Schemas = components['schemas'];
/** The JSON body an operation takes, by operationId: `RequestBody<'createSubscription'>`. */
export type RequestBody<K extends keyof operations> = NonNullable<operations[K]['requestBody']>['content']['application/json'];
export type HookrelayClient = Client<paths>;

export interface HookrelayClientOptions {
  /** A producer key, the admin token or a tenant API key: sent only in the Authorization header. */
  token?: string;
  /** How a request travels (default: global fetch). */
  fetch?: (request: Request) => Promise<Response>;
  /** Per request; 0: no limit of the client's own (default 30 s). */
  timeoutMs?: number;
}

/**
 * `createHookrelayClient('https://hookrelay.example.com', { token })`, then e.g.
 * `const { data, error } = await client.POST('/v1/events', { body })`: `data` typed by the 2xx answers,
 * `error` by the `Error` body of every other. A redirect is never followed (the token stays with this origin).
 */
export function createHookrelayClient(baseUrl: string, options: HookrelayClientOptions = {}): HookrelayClient {
  const send = options.fetch ?? ((request: Request) => fetch(request));
  const timeoutMs = options.timeoutMs ?? 30_000;
  return createClient<paths>({
    baseUrl: baseUrl.replace(/\/+$/, ''),
    redirect: 'manual',
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
    fetch: timeoutMs > 0 ? (request) => send(new Request(request, { signal: AbortSignal.timeout(timeoutMs) })) : send,
  });
}
