-- Up Migration
-- One row per (tenant, key) of a rate-limited notification: the last time it was sent and by which event.
CREATE TABLE notification_windows (
  tenant_id    text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  key          text NOT NULL,
  event_id     text NOT NULL,
  notified_at  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, key)
);

-- A failure.extraction inside the window of an earlier one is kept, marked, and not delivered.
ALTER TABLE events ADD COLUMN suppressed_by text;

-- Down Migration
ALTER TABLE events DROP COLUMN suppressed_by;
DROP TABLE notification_windows;
