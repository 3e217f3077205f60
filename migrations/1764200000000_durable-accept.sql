-- Up Migration
-- Durable accept: the API commits the event and answers 202; a relay in the worker processes starts
-- its workflow. accepted_seq is the order of acceptance (FIFO lanes and the relay read it);
-- started_at is null until the workflow is started; start_claimed_until is a relay's lease on the start,
-- so several workers never start the same event at once and one that dies mid-claim strands nothing.
ALTER TABLE events ADD COLUMN accepted_seq bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE events ADD COLUMN started_at timestamptz;
ALTER TABLE events ADD COLUMN start_claimed_until timestamptz;
-- Every event stored before this migration was started by the API before it was written.
UPDATE events SET started_at = created_at;
CREATE UNIQUE INDEX events_accepted_seq ON events (accepted_seq);
CREATE INDEX events_unstarted ON events (accepted_seq) WHERE started_at IS NULL;

-- One notification per inserting statement (not per row), and only when it stored an event still to
-- start: a batch of 500 wakes the relays once; a duplicate or a notification event written by a running
-- workflow (stored already started) wakes nobody. NOTIFY is delivered at commit.
CREATE FUNCTION hookrelay_events_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM inserted WHERE started_at IS NULL) THEN
    PERFORM pg_notify('hookrelay_events', '');
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER events_inserted AFTER INSERT ON events REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION hookrelay_events_inserted();

-- Down Migration
DROP TRIGGER events_inserted ON events;
DROP FUNCTION hookrelay_events_inserted();
DROP INDEX events_unstarted;
DROP INDEX events_accepted_seq;
ALTER TABLE events DROP COLUMN start_claimed_until;
ALTER TABLE events DROP COLUMN started_at;
ALTER TABLE events DROP COLUMN accepted_seq;
