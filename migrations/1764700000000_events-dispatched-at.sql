-- Up Migration
-- When the event's workflow made its deliveries (dispatchEvent, prepareDeliveries, a test event). A FIFO
-- lane holds for an event that may still become its own until this is set, instead of for a fixed 10 s
-- after the workflow's start: a worker far behind (1,000 events started at once) dispatched later than
-- that, the lane passed the event, and its delivery was made out of acceptance order.
ALTER TABLE events ADD COLUMN dispatched_at timestamptz;
-- Events of the last day already started: taken as dispatched (older ones the lane passes by their age).
UPDATE events SET dispatched_at = started_at WHERE started_at IS NOT NULL AND created_at > now() - interval '1 day';

-- Down Migration
ALTER TABLE events DROP COLUMN dispatched_at;
