-- Up Migration
-- When a delivery waiting for a rate-limit slot (`waiting = 'rate_limit'`) gets it: the slot its workflow
-- reserved, so GET /v1/deliveries/:id can say when the next attempt goes. Only read while waiting is set.
ALTER TABLE deliveries ADD COLUMN waiting_until timestamptz;

-- Down Migration
ALTER TABLE deliveries DROP COLUMN waiting_until;
