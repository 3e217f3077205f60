-- Up Migration
-- A tenant portal link and the session it becomes. Only SHA-256 hashes of the link token and the
-- session token are kept: a copy of this table opens nothing. The link works once (link_used_at) and
-- until expires_at, which is also when the session it opened ends.
CREATE TABLE portal_sessions (
  id            text PRIMARY KEY,
  tenant_id     text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  -- NULL: every environment of the tenant.
  environment   text CHECK (environment IN ('sandbox', 'production')),
  link_hash     bytea NOT NULL UNIQUE,
  link_used_at  timestamptz,
  session_hash  bytea UNIQUE,
  expires_at    timestamptz NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX portal_sessions_expiry ON portal_sessions (expires_at);

-- Down Migration
DROP TABLE portal_sessions;
