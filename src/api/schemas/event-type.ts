import { z } from '../zod.js';
import { JsonbObject, wellFormed } from './common.js';
import { EVENT_TYPE_MAX_LENGTH, EVENT_TYPE_PATTERN } from '../../domain/event-type.js';

/** A schema is code the API compiles: bounded, so a PUT cannot make every ingest slow. */
export const EVENT_TYPE_SCHEMA_LIMIT_BYTES = 64 * 1024;

export const EventTypeParam = z.strictObject({
  type: z.string().max(EVENT_TYPE_MAX_LENGTH).regex(EVENT_TYPE_PATTERN, 'dotted lowercase, e.g. user.created'),
});

export const EventTypePut = z
  .strictObject({
    description: wellFormed({ lines: true }).trim().min(1).max(2000),
    schema: JsonbObject.nullable().optional().openapi({
      description: 'A JSON Schema (draft 2020-12) every payload of this type must match; omitted or null: any payload.',
    }),
    deprecated: z.boolean().default(false).openapi({ description: 'Still accepted and delivered; flagged in the catalog.' }),
  })
  .openapi('EventTypePut');
export type EventTypePut = z.infer<typeof EventTypePut>;

export const EventType = z
  .object({
    type: z.string(),
    description: z.string(),
    schema: z.record(z.string(), z.unknown()).nullable(),
    example: z.unknown().openapi({
      description:
        'An example payload: the schema’s `examples[0]` when it has one, otherwise built from its keywords (const, default, enum, type, properties); `{}` without a schema. A starting point, not checked against the schema.',
    }),
    deprecated: z.boolean(),
    version: z.number().openapi({ description: 'Grows by one on every PUT of this type.' }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('EventType');

export const EventTypeList = z.object({ data: z.array(EventType) }).openapi('EventTypeList');
