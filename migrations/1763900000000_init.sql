-- Up Migration
CREATE TABLE tenants (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Only a SHA-256 of each key is kept; the key itself is shown once, at tenant creation.
CREATE TABLE api_keys (
  id          text PRIMARY KEY,
  tenant_id   text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  key_hash    bytea NOT NULL UNIQUE,
  prefix      text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);

CREATE TABLE subscriptions (
  id                     text PRIMARY KEY,
  tenant_id              text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  environment            text NOT NULL CHECK (environment IN ('sandbox', 'production')),
  url                    text NOT NULL,
  method                 text NOT NULL CHECK (method IN ('POST', 'PUT')),
  headers                jsonb NOT NULL DEFAULT '{}',
  event_types            text[] NOT NULL,
  field_map              jsonb NOT NULL DEFAULT '{}',
  retry_policy           jsonb NOT NULL,
  timeout_ms             integer NOT NULL,
  enabled                boolean NOT NULL DEFAULT true,
  description            text,
  -- Rollee-style category webhooks (users, accounts, endpoints): one per tenant and environment.
  category               text,
  secret                 text NOT NULL,
  previous_secret        text,
  previous_secret_until  timestamptz,
  disabled_reason        text,
  failing_since          timestamptz,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  -- Soft delete keeps the delivery log of a deleted subscription readable.
  deleted_at             timestamptz
);
CREATE INDEX subscriptions_tenant_env ON subscriptions (tenant_id, environment) WHERE deleted_at IS NULL;
CREATE INDEX subscriptions_tenant_page ON subscriptions (tenant_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX subscriptions_category ON subscriptions (tenant_id, environment, category)
  WHERE category IS NOT NULL AND deleted_at IS NULL;

CREATE TABLE events (
  tenant_id    text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id           text NOT NULL,
  environment  text NOT NULL,
  type         text NOT NULL,
  -- json (not jsonb) keeps the producer's key order and spacing-free text as posted.
  payload      json NOT NULL,
  workflow_id  text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE deliveries (
  id                text PRIMARY KEY,
  tenant_id         text NOT NULL,
  event_id          text NOT NULL,
  subscription_id   text NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
  workflow_id       text NOT NULL,
  redelivery_of     text REFERENCES deliveries(id),
  status            text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'succeeded', 'failed', 'cancelled')),
  attempt_count     integer NOT NULL DEFAULT 0,
  last_status_code  integer,
  last_error        text,
  first_attempt_at  timestamptz,
  last_attempt_at   timestamptz,
  completed_at      timestamptz,
  created_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
  FOREIGN KEY (tenant_id, event_id) REFERENCES events(tenant_id, id) ON DELETE CASCADE
);
-- An event's first delivery to a subscription is created once, however often the workflow's activity retries.
CREATE UNIQUE INDEX deliveries_first ON deliveries (tenant_id, event_id, subscription_id) WHERE redelivery_of IS NULL;
CREATE INDEX deliveries_tenant_page ON deliveries (tenant_id, created_at DESC, id DESC);
CREATE INDEX deliveries_subscription ON deliveries (subscription_id, created_at DESC, id DESC);
CREATE INDEX deliveries_pending ON deliveries (subscription_id) WHERE status = 'pending';

CREATE TABLE attempts (
  id             bigserial PRIMARY KEY,
  delivery_id    text NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
  number         integer NOT NULL,
  started_at     timestamptz NOT NULL,
  duration_ms    integer NOT NULL,
  status_code    integer,
  error_class    text,
  error_message  text,
  response_body  text,
  UNIQUE (delivery_id, number)
);

-- Down Migration
DROP TABLE attempts;
DROP TABLE deliveries;
DROP TABLE events;
DROP TABLE subscriptions;
DROP TABLE api_keys;
DROP TABLE tenants;
