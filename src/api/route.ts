import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';
import { invalid, zodDetails, type ErrorDetail } from './errors.js';
import { ErrorBody, hasNul, NUL_MESSAGE } from './schemas/common.js';
import { scanJsonBody } from './json-body.js';
import { routeScope } from './route-scopes.js';
import { requireScope } from './auth.js';

export type Auth = 'admin' | 'tenant' | 'any' | 'none';

export interface RouteSpec {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express style, e.g. `/v1/subscriptions/:id`. */
  path: string;
  /** The operation's name in the OpenAPI document, and the generated client's: a verb and what it acts on. */
  operationId: string;
  summary: string;
  tag: string;
  auth: Auth;
  body?: z.ZodType;
  query?: z.ZodObject;
  params?: z.ZodObject;
  /**
   * The answers of the route's own making. An error status (4xx, 5xx) without a schema has the `Error` body; a
   * body that is not JSON names its `contentType`. The statuses every route of its kind answers (400, 401, 403,
   * 404, 413, 415, 503) are added by Routes.add.
   */
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
}

type Parsed<S, K extends 'body' | 'query' | 'params'> = S extends { [key in K]: infer T extends z.ZodType } ? z.output<T> : undefined;

/** What a handler receives: the request's body, query and path params, already validated by the spec's schemas. */
export interface RouteInput<S extends RouteSpec> {
  body: Parsed<S, 'body'>;
  query: Parsed<S, 'query'>;
  params: Parsed<S, 'params'>;
}

export type RouteHandler<S extends RouteSpec> = (input: RouteInput<S>, req: Request, res: Response, next: NextFunction) => unknown;

/**
 * A check of the caller against the route it reached, run after authentication and validation and before
 * the handler. It is chosen once per route from the declared spec, and sees the validated input the
 * handler will get: how the request spelled its path (case, slashes, percent-encoding) cannot change it.
 */
export type RouteCheck = (input: { body: unknown; query: unknown; params: unknown }, req: Request, res: Response) => void | Promise<void>;
export type RouteGuard = (spec: RouteSpec) => RouteCheck | undefined;
/** The handlers that read a route's request body, first in its chain (src/api/request-body.ts). */
export type BodyReaders = (path: string) => RequestHandler[];

/** What the OpenAPI document says of a producer route's credential. */
const scopeDescription = (scope: string | null, auth: Auth) =>
  (scope ? `A producer key needs the \`${scope}\` scope.` : 'Any live producer key (no scope needed).') +
  (auth === 'any' ? " A tenant's credential answers as that tenant." : '');

const error = (description: string): ResponseConfig => ({ description, content: { 'application/json': { schema: ErrorBody } } });

/** Every 503 says when to try again (src/api/errors.ts `unavailable`, the backlog gate, readiness). */
const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer' as const, minimum: 1 } },
};

/** The OpenAPI response of one entry of a spec's `responses`. */
function response(status: number, { description, schema, contentType = 'application/json' }: RouteSpec['responses'][number]): ResponseConfig {
  if (schema) return { description, content: { [contentType]: { schema } } };
  return status >= 400 ? error(description) : { description };
}

/** Path params and query values are checked for NUL on every route, whether it declares a schema for them or not. */
function nulDetails(req: Request): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const [name, value] of Object.entries(req.params ?? {})) {
    if (typeof value === 'string' && hasNul(value)) details.push({ path: name, message: NUL_MESSAGE });
  }
  for (const [name, value] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
    const values = Array.isArray(value) ? value : [value];
    if (hasNul(name) || values.some((v) => typeof v === 'string' && hasNul(v))) details.push({ path: name || 'query', message: NUL_MESSAGE });
  }
  return details;
}

/**
 * zod rebuilds objects by assignment and silently leaves out an own key named `__proto__`; a value
 * must never lose a key without saying so. Walks the input beside zod's output (without recursion),
 * skipping whatever zod passed through untouched (an event payload is kept as posted).
 */
function droppedKeys(input: unknown, output: unknown): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  const stack: Array<[unknown, unknown, string[]]> = [[input, output, []]];
  while (stack.length) {
    const [from, to, path] = stack.pop()!;
    if (from === to || from === null || to === null || typeof from !== 'object' || typeof to !== 'object') continue;
    for (const key of Object.keys(from)) {
      if (key === '__proto__' && !Object.hasOwn(to, key)) {
        details.push({ path: [...path, key].join('.'), message: 'a key named __proto__ is not accepted here' });
      } else if (Object.hasOwn(to, key)) {
        stack.push([(from as Record<string, unknown>)[key], (to as Record<string, unknown>)[key], [...path, key]]);
      }
    }
  }
  return details;
}

function validate<S extends RouteSpec>(spec: S, req: Request): RouteInput<S> {
  const nul = nulDetails(req);
  if (nul.length) throw invalid(nul);
  const details: ErrorDetail[] = [];
  // `root` names what has no path of its own: a body that is not an object is `body` (as malformed JSON is), and
  // a query value without a name is `query`.
  const run = (schema: z.ZodType | undefined, value: unknown, root = '') => {
    if (!schema) return undefined;
    const result = schema.safeParse(value);
    if (!result.success) {
      details.push(...zodDetails(result.error).map((d) => (d.path === '' ? { ...d, path: root } : d)));
      return undefined;
    }
    details.push(...droppedKeys(value, result.data));
    return result.data;
  };
  const params = run(spec.params, req.params);
  const query = run(spec.query, req.query, 'query');
  const body = run(spec.body, req.body, 'body');
  if (spec.body) details.push(...scanJsonBody(req));
  if (details.length) throw invalid(details);
  return { body, query, params } as RouteInput<S>;
}

/**
 * Registers a route in Express and in the OpenAPI registry in one call, so the document is
 * generated from the same zod schemas that validate, and cannot list a route that does not exist.
 *
 * `add(spec, handler)`: the spec's `body`, `query` and `params` schemas (all optional) validate the
 * request before the handler runs; any invalid field answers 400 naming every one of them (NUL in a
 * path param or query value too, whether or not the route declares a schema for it). The handler
 * gets `({ body, query, params }, req, res, next)` typed from those schemas (`undefined` for one the
 * spec leaves out), so it never parses anything itself. The `bodyReaders` read the body first, then
 * authentication (`auth`) runs; then, on an authenticated route, the `guard`'s check for that route (the
 * portal's environment scope).
 * `specs` lists every route added, in order.
 */
export class Routes {
  private running = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly added: RouteSpec[] = [];

  constructor(
    readonly router: Router,
    readonly docs: OpenAPIRegistry,
    readonly auth: Record<Exclude<Auth, 'none'>, RequestHandler>,
    private readonly guard?: RouteGuard,
    private readonly bodyReaders?: BodyReaders,
  ) {}

  get specs(): readonly RouteSpec[] {
    return this.added;
  }

  /**
   * Resolves when no handler is running (or after `timeoutMs`). For shutdown: the HTTP server's close
   * waits for connections, but a client that hung up leaves its handler running, and releasing the
   * database under it would fail it half-way (an accept batch that other posts are waiting on, say).
   */
  idle(timeoutMs: number): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  add<S extends RouteSpec>(spec: S, handler: RouteHandler<S>): void {
    // Throws for a route the producer may use whose scope src/api/route-scopes.ts does not name.
    const scope = routeScope(spec);
    if (this.added.some((other) => other.operationId === spec.operationId)) throw new Error(`operationId ${spec.operationId} is taken`);
    // The body first, then the credential: the order in which a request is refused (415/413/400, then 401).
    const middleware: RequestHandler[] = [...(this.bodyReaders?.(spec.path) ?? [])];
    if (spec.auth !== 'none') middleware.push(this.auth[spec.auth]);
    if (scope) middleware.push(requireScope(scope));
    const check = spec.auth === 'none' ? undefined : this.guard?.(spec);
    this.added.push(spec);
    this.router[spec.method](spec.path, ...middleware, async (req: Request, res: Response, next: NextFunction) => {
      this.running++;
      try {
        const input = validate(spec, req);
        if (check) await check(input, req, res);
        await handler(input, req, res, next);
      } finally {
        if (--this.running === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      }
    });

    const responses: Record<string, ResponseConfig> = {};
    for (const [status, entry] of Object.entries(spec.responses)) responses[status] = response(Number(status), entry);
    // Every route checks its query values and path segments for NUL (nulDetails), declared schema or not.
    responses['400'] ??= error('Invalid input; every invalid field is named in `details`');
    if (spec.auth !== 'none') responses['401'] ??= error('Missing or invalid bearer token (a revoked or expired key too)');
    if (spec.auth !== 'none') {
      responses['403'] ??= error(
        scope ? `A credential of the wrong kind, or a producer key without the \`${scope}\` scope` : 'A credential of the wrong kind for this route',
      );
    }
    if (spec.path.includes(':')) responses['404'] ??= error('Not found (or owned by another tenant)');
    if (spec.body) responses['413'] ??= error(`The body is over the API's size limit`);
    if (spec.body) responses['415'] ??= error('The body is not application/json');
    responses['503'] ??= error('A dependency (PostgreSQL or Temporal) is down; see Retry-After');
    responses['503'] = { ...responses['503'], headers: RETRY_AFTER };

    this.docs.registerPath({
      method: spec.method,
      path: spec.path.replace(/:(\w+)/g, '{$1}'),
      operationId: spec.operationId,
      summary: spec.summary,
      ...(scope !== undefined ? { description: scopeDescription(scope, spec.auth) } : {}),
      tags: [spec.tag],
      security: spec.auth === 'none' ? [] : [{ bearer: [] }],
      request: {
        ...(spec.body ? { body: { required: true, content: { 'application/json': { schema: spec.body } } } } : {}),
        ...(spec.query ? { query: spec.query } : {}),
        ...(spec.params ? { params: spec.params } : {}),
      },
      responses,
    });
  }
}
