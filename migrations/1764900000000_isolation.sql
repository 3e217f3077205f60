-- Up Migration
-- Isolation between receivers (docs/isolation.md): a bulkhead of in-flight attempts per subscription and
-- per origin, and a circuit breaker per subscription. Attempts that may not go out wait in Temporal (an
-- activity's retry timer), not in a worker slot, a workflow task or a connection.

-- At most this many attempts of the subscription are in flight at once, whatever the number of workers.
ALTER TABLE subscriptions ADD COLUMN max_in_flight integer NOT NULL DEFAULT 50 CHECK (max_in_flight BETWEEN 1 AND 1000);

-- The bulkhead: a subscription has max_in_flight slots ('sub:<id>'), an origin the configured number
-- ('origin:<scheme://host:port>'); an attempt holds one of each from its admission to its record. A slot is
-- a lease: one whose holder died (a worker killed mid-attempt) is free again after `expires_at`. Slots are
-- made on first use; claims skip locked rows, so admissions never wait on each other.
CREATE TABLE flow_slots (
  key text NOT NULL,
  slot integer NOT NULL,
  holder text,
  expires_at timestamptz,
  PRIMARY KEY (key, slot)
);
CREATE INDEX flow_slots_holder ON flow_slots (holder) WHERE holder IS NOT NULL;

-- Attempts that were refused and will ask again: admission goes in acceptance order (`seq`, the event's
-- accepted_seq), so a newer attempt does not take a slot that an older waiting one is due. A waiter that
-- stops asking (its delivery ended, its workflow gone) stops counting after `expires_at`.
CREATE TABLE flow_waiters (
  delivery_id text PRIMARY KEY,
  subscription_id text NOT NULL,
  seq bigint NOT NULL,
  reason text NOT NULL,
  since timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX flow_waiters_order ON flow_waiters (subscription_id, seq);

-- The circuit breaker: a row while a subscription's receiver has been failing as if down (timeouts,
-- connection errors, 5xx). `open` refuses attempts until `open_until`; then one probe goes (`half_open`),
-- and its success deletes the row (closed) while its failure opens it again for twice the cool-down.
CREATE TABLE circuits (
  subscription_id text PRIMARY KEY REFERENCES subscriptions (id) ON DELETE CASCADE,
  state text NOT NULL CHECK (state IN ('closed', 'open', 'half_open')),
  consecutive_failures integer NOT NULL,
  cooldown_ms integer NOT NULL DEFAULT 0,
  open_until timestamptz,
  opened_at timestamptz,
  probe_holder text,
  probe_expires_at timestamptz
);
CREATE INDEX circuits_not_closed ON circuits (state) WHERE state <> 'closed';

-- One admission in one round trip. Returns whether the attempt may go out now and, if not, why and for
-- how long to wait. In order: the circuit (open: wait until open_until; cooled down: this attempt is the
-- probe; a probe in flight: wait for it), acceptance order among waiters (at most as many older waiters
-- as there are free slots), a slot of the subscription, a slot of the origin.
CREATE FUNCTION hookrelay_admit(
  p_delivery text,
  p_subscription text,
  p_origin text,
  p_max integer,
  p_origin_max integer,
  p_lease_ms double precision,
  p_seq bigint,
  p_poll_ms double precision
) RETURNS TABLE (admitted boolean, reason text, wait_ms double precision, probe boolean, held boolean)
LANGUAGE plpgsql AS $$
DECLARE
  c circuits%ROWTYPE;
  now_ts timestamptz := clock_timestamp();
  lease timestamptz := clock_timestamp() + make_interval(secs => p_lease_ms / 1000);
  sub_key text := 'sub:' || p_subscription;
  origin_key text := 'origin:' || p_origin;
  is_probe boolean := false;
  in_flight integer;
  ahead integer;
  claimed integer;
  why text;
  wait double precision;
  was_held boolean;
BEGIN
  -- An admission asked again for an attempt that still holds its lease (a retried activity): say so.
  SELECT EXISTS (SELECT 1 FROM flow_slots WHERE key = sub_key AND holder = p_delivery AND expires_at > now_ts) INTO was_held;
  SELECT * INTO c FROM circuits WHERE subscription_id = p_subscription FOR UPDATE;
  IF FOUND AND c.state = 'open' AND c.open_until > now_ts THEN
    why := 'circuit_open';
    wait := extract(epoch FROM c.open_until - now_ts) * 1000;
  ELSIF FOUND AND c.state <> 'closed' THEN
    IF c.state = 'open' OR c.probe_holder = p_delivery OR c.probe_expires_at < now_ts THEN
      UPDATE circuits SET state = 'half_open', probe_holder = p_delivery, probe_expires_at = lease WHERE subscription_id = p_subscription;
      is_probe := true;
    ELSE
      why := 'circuit_half_open';
      wait := LEAST(p_poll_ms, GREATEST(extract(epoch FROM c.probe_expires_at - now_ts) * 1000, 1));
    END IF;
  END IF;

  IF why IS NULL THEN
    SELECT count(*) INTO in_flight FROM flow_slots WHERE key = sub_key AND slot <= p_max AND holder IS NOT NULL AND holder <> p_delivery AND expires_at > now_ts;
    IF NOT is_probe THEN
      DELETE FROM flow_waiters WHERE subscription_id = p_subscription AND expires_at < now_ts;
      SELECT count(*) INTO ahead FROM flow_waiters WHERE subscription_id = p_subscription AND seq < p_seq AND delivery_id <> p_delivery;
      IF ahead >= p_max - in_flight THEN
        why := 'in_flight';
        wait := p_poll_ms * (1 + ahead / GREATEST(p_max, 1));
      END IF;
    END IF;
  END IF;

  IF why IS NULL THEN
    claimed := hookrelay_claim_slot(sub_key, p_max, p_delivery, lease, now_ts);
    IF claimed IS NULL THEN
      why := 'in_flight';
      wait := p_poll_ms;
    ELSE
      claimed := hookrelay_claim_slot(origin_key, p_origin_max, p_delivery, lease, now_ts);
      IF claimed IS NULL THEN
        UPDATE flow_slots SET holder = NULL, expires_at = NULL WHERE key = sub_key AND holder = p_delivery;
        why := 'origin_in_flight';
        wait := p_poll_ms;
      END IF;
    END IF;
  END IF;

  IF why IS NULL THEN
    DELETE FROM flow_waiters WHERE delivery_id = p_delivery;
    RETURN QUERY SELECT true, NULL::text, 0::double precision, is_probe, was_held;
  ELSE
    IF is_probe THEN
      UPDATE circuits SET probe_holder = NULL, probe_expires_at = NULL WHERE subscription_id = p_subscription AND probe_holder = p_delivery;
    END IF;
    INSERT INTO flow_waiters (delivery_id, subscription_id, seq, reason, expires_at)
    VALUES (p_delivery, p_subscription, p_seq, why, now_ts + make_interval(secs => (wait + 2 * p_poll_ms) / 1000))
    ON CONFLICT (delivery_id) DO UPDATE SET reason = EXCLUDED.reason, expires_at = EXCLUDED.expires_at;
    RETURN QUERY SELECT false, why, GREATEST(wait, 1), false, was_held;
  END IF;
END;
$$;

-- A free slot of `key` among its first `max` (made on first use), claimed for `holder` until `lease`;
-- the slot it already holds if any (a retried admission). NULL when all are held.
CREATE FUNCTION hookrelay_claim_slot(p_key text, p_max integer, p_holder text, p_lease timestamptz, p_now timestamptz) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  got integer;
BEGIN
  FOR pass IN 1..2 LOOP
    UPDATE flow_slots SET holder = p_holder, expires_at = p_lease
    WHERE (key, slot) = (
      SELECT key, slot FROM flow_slots
      WHERE key = p_key AND slot <= p_max AND (holder IS NULL OR holder = p_holder OR expires_at < p_now)
      ORDER BY holder IS NOT DISTINCT FROM p_holder DESC
      LIMIT 1 FOR UPDATE SKIP LOCKED
    )
    RETURNING slot INTO got;
    IF got IS NOT NULL OR pass = 2 THEN
      RETURN got;
    END IF;
    -- Fewer slots than `max` exist (first use, or max_in_flight was raised): make them, then try once more.
    IF (SELECT count(*) FROM flow_slots WHERE key = p_key AND slot <= p_max) >= p_max THEN
      RETURN NULL;
    END IF;
    INSERT INTO flow_slots (key, slot) SELECT p_key, g FROM generate_series(1, p_max) g ON CONFLICT DO NOTHING;
  END LOOP;
  RETURN got;
END;
$$;

-- Down Migration
DROP FUNCTION hookrelay_admit(text, text, text, integer, integer, double precision, bigint, double precision);
DROP FUNCTION hookrelay_claim_slot(text, integer, text, timestamptz, timestamptz);
DROP TABLE circuits;
DROP TABLE flow_waiters;
DROP TABLE flow_slots;
ALTER TABLE subscriptions DROP COLUMN max_in_flight;
