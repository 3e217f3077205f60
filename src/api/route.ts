import type { RequestHandler, Router } from 'express';
import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';
import { ErrorBody } from './schemas/common.js';

export type Auth = 'admin' | 'tenant' | 'any' | 'none';

export interface RouteSpec {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express style, e.g. `/v1/subscriptions/:id`. */
  path: string;
  summary: string;
  tag: string;
  auth: Auth;
  body?: z.ZodType;
  query?: z.ZodObject;
  params?: z.ZodObject;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
}

const error = (description: string): ResponseConfig => ({ description, content: { 'application/json': { schema: ErrorBody } } });

/**
 * Registers a route in Express and in the OpenAPI registry in one call, so the document is
 * generated from the same zod schemas that validate, and cannot list a route that does not exist.
 */
export class Routes {
  constructor(
    readonly router: Router,
    readonly docs: OpenAPIRegistry,
    readonly auth: Record<Exclude<Auth, 'none'>, RequestHandler>,
  ) {}

  add(spec: RouteSpec, handler: RequestHandler): void {
    const middleware = spec.auth === 'none' ? [] : [this.auth[spec.auth]];
    this.router[spec.method](spec.path, ...middleware, handler);

    const responses: Record<string, ResponseConfig> = {};
    for (const [status, { description, schema }] of Object.entries(spec.responses)) {
      responses[status] = schema ? { description, content: { 'application/json': { schema } } } : { description };
    }
    if (spec.body || spec.query || spec.params) responses['400'] ??= error('Invalid input; every invalid field is named in `details`');
    if (spec.auth !== 'none') responses['401'] ??= error('Missing or invalid bearer token');
    if (spec.path.includes(':')) responses['404'] ??= error('Not found (or owned by another tenant)');
    if (spec.body) responses['415'] ??= error('The body is not application/json');
    responses['503'] ??= error('A dependency (PostgreSQL or Temporal) is down; see Retry-After');

    this.docs.registerPath({
      method: spec.method,
      path: spec.path.replace(/:(\w+)/g, '{$1}'),
      summary: spec.summary,
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
