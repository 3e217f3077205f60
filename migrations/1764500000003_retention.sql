-- Up Migration
-- Retention deletes the oldest events first, in batches: it finds them by this index.
CREATE INDEX events_created_at ON events (created_at);
-- Deleting an event cascades to its deliveries through (tenant_id, event_id); deliveries_first covers
-- first deliveries only, so without this each deleted event would scan deliveries for its redeliveries.
CREATE INDEX deliveries_event ON deliveries (tenant_id, event_id);

-- Down Migration
DROP INDEX deliveries_event;
DROP INDEX events_created_at;
