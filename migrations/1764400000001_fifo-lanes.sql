-- Up Migration
-- The FIFO lane of a subscription (ordering = fifo): cursor_seq is the accepted_seq of the last event the
-- lane has passed (delivered, or found not to be its); a subscription made FIFO starts after the events
-- accepted before. wake_pending coalesces wake-ups: set by the first delivery queued while the lane is
-- idle (which signals it), cleared by the lane when it runs out of work, so a busy lane gets no signals.
CREATE TABLE fifo_lanes (
  subscription_id  text PRIMARY KEY REFERENCES subscriptions(id) ON DELETE CASCADE,
  cursor_seq       bigint NOT NULL,
  wake_pending     boolean NOT NULL DEFAULT false
);
-- A first delivery its event workflow handed to the lane (only those are the lane's to make).
ALTER TABLE deliveries ADD COLUMN fifo_queued boolean NOT NULL DEFAULT false;

-- Down Migration
ALTER TABLE deliveries DROP COLUMN fifo_queued;
DROP TABLE fifo_lanes;
