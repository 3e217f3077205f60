import swaggerUi from 'swagger-ui-express';
import type { ApiDeps } from '../app.js';
import type { Routes } from '../route.js';
import { generateDocument } from '../openapi.js';
import { z } from '../zod.js';

async function check(probe: () => Promise<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out after 2 s')), 2_000);
      }),
    ]);
    return 'ok';
  } catch (error) {
    return `down: ${(error as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}

const Readiness = z
  .object({ status: z.enum(['ok', 'unavailable']), down: z.array(z.string()), checks: z.record(z.string(), z.string()) })
  .openapi('Readiness');

/** An OpenAPI 3.1 document; its own schema is the OpenAPI specification's, not repeated here. */
const OpenApiDocument = z
  .object({ openapi: z.string(), info: z.object({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) })
  .catchall(z.unknown())
  .openapi('OpenApiDocument');

export function healthRoutes(routes: Routes, deps: ApiDeps): void {
  const tag = 'Operations';
  routes.add(
    {
      method: 'get',
      path: '/healthz',
      operationId: 'getLiveness',
      tag,
      auth: 'none',
      summary: 'Liveness: the process answers',
      responses: { 200: { description: 'Alive', schema: z.object({ status: z.literal('ok') }) } },
    },
    (_input, _req, res) => {
      res.json({ status: 'ok' });
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/readyz',
      operationId: 'getReadiness',
      tag,
      auth: 'none',
      summary: 'Readiness: PostgreSQL and Temporal answer',
      responses: { 200: { description: 'Ready', schema: Readiness }, 503: { description: 'Not ready; `down` names what', schema: Readiness } },
    },
    async (_input, _req, res) => {
      const [postgres, temporal] = await Promise.all([check(() => deps.pool.query('SELECT 1')), check(() => deps.temporal.ping(2_000))]);
      const checks = { postgres, temporal };
      const down = Object.entries(checks)
        .filter(([, state]) => state !== 'ok')
        .map(([name]) => name);
      if (down.length) res.setHeader('Retry-After', '5');
      res.status(down.length ? 503 : 200).json({ status: down.length ? 'unavailable' : 'ok', down, checks });
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/metrics',
      operationId: 'getMetrics',
      tag,
      auth: 'none',
      summary: 'Prometheus metrics of this API process',
      responses: {
        200: { description: 'Prometheus text exposition format', schema: z.string(), contentType: deps.metrics.registry.contentType },
      },
    },
    async (_input, _req, res) => {
      res.setHeader('content-type', deps.metrics.registry.contentType);
      res.end(await deps.metrics.registry.metrics());
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/openapi.json',
      operationId: 'getOpenApiDocument',
      tag,
      auth: 'none',
      summary: 'This document (OpenAPI 3.1)',
      responses: { 200: { description: 'The OpenAPI document', schema: OpenApiDocument } },
    },
    (_input, _req, res) => {
      res.json(generateDocument(routes.docs));
    },
  );

  // Swagger UI's assets come from the swagger-ui-dist package: no CDN.
  routes.router.use('/docs', swaggerUi.serve);
  const docsPage = swaggerUi.setup(undefined, { swaggerOptions: { url: '/openapi.json' }, customSiteTitle: 'hookrelay API' });
  routes.add(
    {
      method: 'get',
      path: '/docs',
      operationId: 'getApiReference',
      tag,
      auth: 'none',
      summary: 'The API reference, rendered',
      responses: { 200: { description: 'An HTML page (Swagger UI)', schema: z.string(), contentType: 'text/html' } },
    },
    (_input, req, res, next) => docsPage(req, res, next),
  );
}
