import type { ApiDeps } from '../app.js';
import { invalid } from '../errors.js';
import type { Routes } from '../route.js';
import { EventType, EventTypeList, EventTypeParam, EventTypePut, EVENT_TYPE_SCHEMA_LIMIT_BYTES } from '../schemas/event-type.js';
import { listEventTypes, upsertEventType, type EventTypeRow } from '../../db/event-types.js';
import { schemaProblem } from '../event-catalog.js';
import { audited } from '../audit.js';
import { exampleOf } from '../../domain/schema-example.js';

const view = (row: EventTypeRow) => ({
  type: row.type,
  description: row.description,
  schema: row.schema,
  example: exampleOf(row.schema),
  deprecated: row.deprecated,
  version: Number(row.version),
  created_at: row.created_at.toISOString(),
  updated_at: row.updated_at.toISOString(),
});

export function eventTypeRoutes(routes: Routes, deps: ApiDeps): void {
  const { pool } = deps;
  const tag = 'Event types';

  routes.add(
    {
      method: 'put',
      path: '/v1/event-types/:type',
      operationId: 'putEventType',
      tag,
      auth: 'admin',
      params: EventTypeParam,
      body: EventTypePut,
      summary: 'Create or replace an event type of the catalog; a `schema` is checked at ingest',
      responses: {
        201: { description: 'Created', schema: EventType },
        200: { description: 'Replaced', schema: EventType },
      },
    },
    async ({ params: { type }, body }, req, res) => {
      const schema = body.schema ?? null;
      if (schema !== null) {
        if (Buffer.byteLength(JSON.stringify(schema)) > EVENT_TYPE_SCHEMA_LIMIT_BYTES) {
          throw invalid([{ path: 'schema', message: `at most ${EVENT_TYPE_SCHEMA_LIMIT_BYTES / 1024} KiB` }]);
        }
        // Compiled in a schema thread with a deadline, as ingest runs it.
        const problem = await schemaProblem(deps.catalog.pool, schema);
        if (problem) throw invalid([{ path: 'schema', message: problem }]);
      }
      const { row, created } = await audited(
        pool,
        req,
        res,
        (tx) => upsertEventType(tx, type, { description: body.description, schema, deprecated: body.deprecated }),
        (done) => ({
          tenantId: null,
          action: 'event_type.put',
          objectId: type,
          details: { created: done.created, version: Number(done.row.version), deprecated: done.row.deprecated, has_schema: schema !== null },
        }),
      );
      deps.catalog.invalidate();
      deps.catalog.remember(type, Number(row.version), schema);
      res.status(created ? 201 : 200).json(view(row));
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/v1/event-types',
      operationId: 'listEventTypes',
      tag,
      auth: 'any',
      summary: 'The event type catalog',
      responses: { 200: { description: 'Every type, by name', schema: EventTypeList } },
    },
    async (_input, _req, res) => {
      res.json({ data: (await listEventTypes(pool)).map(view) });
    },
  );
}
