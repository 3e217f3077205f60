-- Up Migration
-- Producer keys: the producer's credentials beside ADMIN_TOKEN, each with scopes (src/domain/scopes.ts
-- lists the same names). Only a SHA-256 of a key is kept; the key itself is shown once, at creation.
CREATE TABLE producer_keys (
  id            text PRIMARY KEY,
  name          text NOT NULL,
  key_hash      bytea NOT NULL UNIQUE,
  -- The key's first characters, so an operator can tell which key a log line or a leak names.
  prefix        text NOT NULL,
  scopes        text[] NOT NULL CHECK (
                  cardinality(scopes) > 0
                  AND scopes <@ ARRAY['events:write', 'tenants:manage', 'catalog:manage', 'portal:create', 'keys:manage']
                ),
  expires_at    timestamptz,
  -- Written at most once a minute per key and API process (src/api/key-usage.ts), not on every request.
  last_used_at  timestamptz,
  -- Who created it: a key id or 'admin-token'.
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  revoked_at    timestamptz,
  seq           bigint GENERATED ALWAYS AS IDENTITY UNIQUE
);

-- Who changed what, when and from where: every admin and tenant change (src/db/audit.ts). No secret
-- and no payload is ever written here. tenant_id is the tenant whose object changed (NULL for the
-- producer's own objects: keys, the event catalog); it is not a foreign key, so a purged tenant's
-- entries stay, including the one that records the purge.
CREATE TABLE audit_log (
  seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id           text NOT NULL UNIQUE,
  at           timestamptz NOT NULL DEFAULT now(),
  actor_type   text NOT NULL CHECK (actor_type IN ('admin_token', 'producer_key', 'tenant_key', 'portal_session')),
  actor_id     text NOT NULL,
  tenant_id    text,
  action       text NOT NULL,
  object_type  text NOT NULL,
  object_id    text NOT NULL,
  details      jsonb NOT NULL DEFAULT '{}',
  ip           text,
  user_agent   text
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, seq DESC);
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq DESC);
CREATE INDEX audit_log_object ON audit_log (object_id, seq DESC);
-- Retention deletes the oldest entries first, in batches.
CREATE INDEX audit_log_at ON audit_log (at);

-- Down Migration
DROP TABLE audit_log;
DROP TABLE producer_keys;
