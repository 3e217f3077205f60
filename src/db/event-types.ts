// The event type catalog (PUT/GET /v1/event-types): descriptions, optional JSON Schemas, deprecation.
import type { Queryable } from './pool.js';

export interface EventTypeRow {
  type: string;
  description: string;
  schema: Record<string, unknown> | boolean | null;
  deprecated: boolean;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface EventTypeInput {
  description: string;
  schema: Record<string, unknown> | boolean | null;
  deprecated: boolean;
}

/** Creates or replaces a type; `created` tells which (201 or 200). Every write moves `version` on. */
export async function upsertEventType(db: Queryable, type: string, input: EventTypeInput): Promise<{ row: EventTypeRow; created: boolean }> {
  const { rows } = await db.query<EventTypeRow & { created: boolean }>(
    `INSERT INTO event_types AS t (type, description, schema, deprecated) VALUES ($1, $2, $3::jsonb, $4)
     ON CONFLICT (type) DO UPDATE SET description = EXCLUDED.description, schema = EXCLUDED.schema,
       deprecated = EXCLUDED.deprecated, version = t.version + 1, updated_at = now()
     RETURNING *, (xmax = 0) AS created`,
    [type, input.description, input.schema === null ? null : JSON.stringify(input.schema), input.deprecated],
  );
  const { created, ...row } = rows[0]!;
  return { row, created };
}

export async function listEventTypes(db: Queryable): Promise<EventTypeRow[]> {
  const { rows } = await db.query<EventTypeRow>('SELECT * FROM event_types ORDER BY type');
  return rows;
}

/** Only what ingest needs, to tell whether a cached catalog is still current. */
export async function eventTypeVersions(
  db: Queryable,
): Promise<Array<Pick<EventTypeRow, 'type' | 'version' | 'deprecated'> & { has_schema: boolean }>> {
  const { rows } = await db.query<Pick<EventTypeRow, 'type' | 'version' | 'deprecated'> & { has_schema: boolean }>(
    'SELECT type, version, deprecated, schema IS NOT NULL AS has_schema FROM event_types',
  );
  return rows;
}

export async function eventTypeSchema(db: Queryable, type: string, version: number): Promise<EventTypeRow['schema'] | undefined> {
  const { rows } = await db.query<Pick<EventTypeRow, 'schema'>>('SELECT schema FROM event_types WHERE type = $1 AND version = $2', [type, version]);
  return rows[0]?.schema;
}
