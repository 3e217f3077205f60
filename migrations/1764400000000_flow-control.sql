-- Up Migration
-- Flow control per subscription (issue 14): an optional rate limit {requests, per} and the delivery order.
ALTER TABLE subscriptions ADD COLUMN rate_limit jsonb
  CHECK (rate_limit IS NULL OR (
    jsonb_typeof(rate_limit->'requests') = 'number' AND (rate_limit->>'requests')::numeric BETWEEN 1 AND 100000
    AND rate_limit->>'per' IN ('1s', '1m', '1h')));
ALTER TABLE subscriptions ADD COLUMN ordering text NOT NULL DEFAULT 'none' CHECK (ordering IN ('none', 'fifo'));

-- One row per rate-limited subscription, shared by every worker and workflow. next_slot: the earliest
-- time the next reservation can get (a workflow sleeps on a Temporal timer until its slot). last_attempt_at:
-- when the last attempt was admitted; the delivery activity admits an attempt only `per / requests` after
-- it, so a timer that fired late never squeezes two attempts closer than the limit allows.
CREATE TABLE rate_limit_slots (
  subscription_id  text PRIMARY KEY REFERENCES subscriptions(id) ON DELETE CASCADE,
  next_slot        timestamptz NOT NULL,
  last_attempt_at  timestamptz
);

-- Why a pending delivery is not attempted now: the hookrelay_deliveries_waiting metric counts these.
ALTER TABLE deliveries ADD COLUMN waiting text CHECK (waiting IN ('rate_limit', 'fifo'));
CREATE INDEX deliveries_waiting ON deliveries (waiting) WHERE waiting IS NOT NULL AND status = 'pending';

-- Down Migration
DROP INDEX deliveries_waiting;
ALTER TABLE deliveries DROP COLUMN waiting;
DROP TABLE rate_limit_slots;
ALTER TABLE subscriptions DROP COLUMN ordering;
ALTER TABLE subscriptions DROP COLUMN rate_limit;
