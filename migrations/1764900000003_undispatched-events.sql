-- Up Migration
-- The relay bounds the events started and not yet dispatched, in all and per tenant (docs/isolation.md).
-- These indexes find the recent such events, and the events claimed by a relay and being started: a few
-- dozen rows, whatever the size of the table.
CREATE INDEX events_undispatched ON events (started_at) WHERE started_at IS NOT NULL AND dispatched_at IS NULL;
CREATE INDEX events_start_claimed ON events (start_claimed_until) WHERE started_at IS NULL AND start_claimed_until IS NOT NULL;

-- Down Migration
DROP INDEX events_start_claimed;
DROP INDEX events_undispatched;
