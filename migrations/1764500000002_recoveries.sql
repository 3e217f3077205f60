-- Up Migration
-- POST /v1/subscriptions/:id/recover: one row per bulk recovery, so a second one over an overlapping window
-- is refused (409) while the first runs. max_seq fixes the deliveries it considers at the time of the request.
CREATE TABLE recoveries (
  id               text PRIMARY KEY,
  tenant_id        text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  subscription_id  text NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
  since            timestamptz NOT NULL,
  until            timestamptz NOT NULL,
  max_seq          bigint NOT NULL,
  deliveries       integer NOT NULL,
  workflow_id      text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz
);
CREATE INDEX recoveries_running ON recoveries (subscription_id) WHERE finished_at IS NULL;
CREATE INDEX recoveries_tenant ON recoveries (tenant_id);
-- Finds a delivery's redeliveries; also what the self-reference needs when deliveries are deleted in
-- bulk (purge, retention): without it each deleted row scans the table for rows that point at it.
CREATE INDEX deliveries_redelivery_of ON deliveries (redelivery_of) WHERE redelivery_of IS NOT NULL;

-- Down Migration
DROP INDEX deliveries_redelivery_of;
DROP TABLE recoveries;
