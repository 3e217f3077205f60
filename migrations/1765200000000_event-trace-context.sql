-- Up Migration
-- The W3C traceparent of the span that accepted the event (docs/observability.md), when tracing is on:
-- the relay starts the event's workflow later, in another process, and makes that start a child of it,
-- so the event is one trace from the producer's request to the receiver's answer. NULL when tracing is off.
ALTER TABLE events ADD COLUMN traceparent text;

-- Down Migration
ALTER TABLE events DROP COLUMN traceparent;
