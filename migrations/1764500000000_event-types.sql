-- Up Migration
-- The event type catalog. `version` grows on every PUT: each API process caches the compiled schema
-- per (type, version), so a replaced schema is compiled once and an unchanged one never again.
CREATE TABLE event_types (
  type         text PRIMARY KEY,
  description  text NOT NULL,
  -- A JSON Schema (draft 2020-12) the payload of this type must match; NULL: any payload.
  schema       jsonb,
  deprecated   boolean NOT NULL DEFAULT false,
  version      bigint NOT NULL DEFAULT 1,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE event_types;
