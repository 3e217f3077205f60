import { describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { useStack } from '../support/use-stack.js';
import type { Routes } from '../../src/api/route.js';

const stack = useStack({ noWorker: true });

/** Every method+path the Express router answers, read from the router itself. */
function routerRoutes(app: Express): string[] {
  const routes = app.locals.routes as Routes;
  const found: string[] = [];
  for (const layer of (routes.router as unknown as { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> }).stack) {
    if (!layer.route) continue;
    for (const method of Object.keys(layer.route.methods)) found.push(`${method.toUpperCase()} ${layer.route.path}`);
  }
  return found.sort();
}

describe('OpenAPI', () => {
  it('documents every route of the router, and no route that does not exist', async () => {
    const res = await stack.api.as().GET('/openapi.json');
    expect(res.response.status).toBe(200);
    const doc: any = res.data;
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`))
      .sort();
    const { createApp } = await import('../../src/api/app.js');
    const app = createApp({
      pool: stack.pool,
      temporal: stack.temporal,
      config: stack.config,
      logger: (await import('../../src/logger.js')).createLogger('silent'),
    });
    expect(documented).toEqual(routerRoutes(app));
    expect(documented).toContain('POST /v1/events');
    expect(documented.length).toBeGreaterThanOrEqual(10);
  });

  it('serves the document the generated client and the lint test are made from (src/api/openapi-document.ts)', async () => {
    const res = await stack.api.call('GET', '/openapi.json');
    const { openapiDocument } = await import('../../src/api/openapi-document.js');
    expect(res.body).toEqual(JSON.parse(JSON.stringify(await openapiDocument())));
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('generates request schemas from the zod validators', async () => {
    const doc = await stack.api.document();
    // Written into the operation (src/api/openapi.ts): a field with a default stays optional to generators.
    const create = doc.paths['/v1/subscriptions'].post.requestBody.content['application/json'].schema;
    expect(create.properties.timeout_ms).toMatchObject({ minimum: 1000, maximum: 60000, default: 10000 });
    expect(create.required).toEqual(['url']);
    expect(create.additionalProperties).toBe(false);
    expect(doc.components.schemas.SubscriptionCreate).toBeUndefined();
  });

  it('renders the docs page from the package, without a CDN', async () => {
    const page = await fetch(`${stack.url}/docs/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('swagger-ui');
    expect(html).not.toMatch(/https?:\/\/(cdn|unpkg|cdnjs)/);
    const asset = await fetch(`${stack.url}/docs/swagger-ui-bundle.js`);
    expect(asset.status).toBe(200);
  });
});
