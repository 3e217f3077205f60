-- Up Migration
-- Slow start for the bulkhead (docs/isolation.md, "Slow start"). A receiver that has not answered yet got
-- its whole max_in_flight at once: a receiver that never answers took 50 attempts, and 50 events' worth
-- of workflows, workflow tasks and connections, in the second before its first refusal held its route,
-- and that second was every other tenant's too. Now a new or changed subscription, or one whose circuit
-- just opened, starts with a small window of attempts in flight; each answer from the receiver (the
-- circuit's "up": 2xx or 4xx) widens it by one, so it doubles each round trip, as TCP's slow start does,
-- until it reaches max_in_flight. A subscription with no ramp row (one that existed before slow start) has
-- its whole max_in_flight. The row is only read here: answers are counted by the attempt's record, up to
-- the largest max_in_flight, and reset when the circuit opens.
CREATE TABLE flow_ramps (
  subscription_id text PRIMARY KEY REFERENCES subscriptions (id) ON DELETE CASCADE,
  -- Answers since the ramp began: the window is the slow-start size plus these.
  answers integer NOT NULL DEFAULT 0
);

-- A new subscription, or one given a new receiver, has not answered yet.
CREATE FUNCTION hookrelay_ramp_from_start() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO flow_ramps (subscription_id) VALUES (NEW.id)
  ON CONFLICT (subscription_id) DO UPDATE SET answers = 0;
  RETURN NULL;
END $$;
CREATE TRIGGER subscriptions_ramp_new AFTER INSERT ON subscriptions
  FOR EACH ROW EXECUTE FUNCTION hookrelay_ramp_from_start();
CREATE TRIGGER subscriptions_ramp_new_url AFTER UPDATE OF url ON subscriptions
  FOR EACH ROW WHEN (OLD.url IS DISTINCT FROM NEW.url) EXECUTE FUNCTION hookrelay_ramp_from_start();

-- The admission with the slow-start size (`p_slow_start`): within a ramp, the subscription's window is
-- p_slow_start plus the answers seen, at most p_max.
CREATE FUNCTION hookrelay_admit(
  p_delivery text,
  p_subscription text,
  p_origin text,
  p_max integer,
  p_origin_max integer,
  p_lease_ms double precision,
  p_seq bigint,
  p_poll_ms double precision,
  p_slow_start integer
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
  oldest_start timestamptz;
  attempt_ms double precision;
  spread double precision;
  has_circuit boolean;
  ramp_answers integer;
  window_size integer := p_max;
BEGIN
  -- An admission asked again for an attempt that still holds its lease (a retried activity): say so.
  SELECT EXISTS (SELECT 1 FROM flow_slots WHERE key = sub_key AND holder = p_delivery AND expires_at > now_ts) INTO was_held;
  SELECT * INTO c FROM circuits WHERE subscription_id = p_subscription FOR UPDATE;
  has_circuit := FOUND;
  DELETE FROM flow_waiters WHERE subscription_id = p_subscription AND expires_at < now_ts;
  SELECT count(*) INTO ahead FROM flow_waiters WHERE subscription_id = p_subscription AND seq < p_seq AND delivery_id <> p_delivery;
  -- Slow start: a receiver with a ramp row has not yet shown it can take max_in_flight at once.
  SELECT r.answers INTO ramp_answers FROM flow_ramps r WHERE r.subscription_id = p_subscription;
  IF FOUND THEN
    window_size := LEAST(p_max, p_slow_start + ramp_answers);
  END IF;
  -- Behind a circuit, waiters come back in waves of max_in_flight, one lease apart, oldest first: the
  -- oldest is the probe when the cool-down ends, the next wave comes once the probe's result is known.
  -- Coming back all at once would be thousands of activity tasks for one probe. (Waves of the whole
  -- max_in_flight, not of the ramp's window: the window widens with each answer once the circuit closes.)
  spread := floor(ahead::double precision / GREATEST(p_max, 1)) * p_lease_ms;
  IF has_circuit AND c.state = 'open' AND c.open_until > now_ts THEN
    why := 'circuit_open';
    wait := extract(epoch FROM c.open_until - now_ts) * 1000 + CASE WHEN ahead > 0 THEN p_lease_ms + spread ELSE 0 END;
  ELSIF has_circuit AND c.state <> 'closed' THEN
    IF c.state = 'open' OR c.probe_holder = p_delivery OR c.probe_expires_at < now_ts THEN
      UPDATE circuits SET state = 'half_open', probe_holder = p_delivery, probe_expires_at = lease WHERE subscription_id = p_subscription;
      is_probe := true;
    ELSE
      -- The probe's result is known by the end of its lease at the latest.
      why := 'circuit_half_open';
      wait := GREATEST(extract(epoch FROM c.probe_expires_at - now_ts) * 1000, p_poll_ms) + spread;
    END IF;
  END IF;

  IF why IS NULL THEN
    SELECT count(*) INTO in_flight FROM flow_slots WHERE key = sub_key AND slot <= window_size AND holder IS NOT NULL AND holder <> p_delivery AND expires_at > now_ts;
    IF NOT is_probe AND ahead >= window_size - in_flight THEN
      -- A slot frees about every attempt_ms / window: the attempt `ahead` places back asks again
      -- when its turn is near, not every poll. attempt_ms is how long the oldest attempt in flight has run
      -- (at most the lease): a slow receiver's attempts take long, and its waiters wait longer between asks.
      SELECT min(expires_at) INTO oldest_start FROM flow_slots WHERE key = sub_key AND holder IS NOT NULL AND expires_at > now_ts;
      attempt_ms := LEAST(p_lease_ms, GREATEST(p_poll_ms, COALESCE(extract(epoch FROM now_ts - (oldest_start - make_interval(secs => p_lease_ms / 1000))) * 1000, p_poll_ms)));
      why := 'in_flight';
      wait := p_poll_ms + (ahead::double precision / GREATEST(window_size, 1)) * attempt_ms;
    END IF;
  END IF;

  IF why IS NULL THEN
    claimed := hookrelay_claim_slot(sub_key, window_size, p_delivery, lease, now_ts);
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

-- The 8-argument admission (1764900000002_gate-waits.sql) stays as it is: workers from before slow start
-- still call it, and it has no ramp.

-- Down Migration
DROP FUNCTION hookrelay_admit(text, text, text, integer, integer, double precision, bigint, double precision, integer);
DROP TRIGGER subscriptions_ramp_new_url ON subscriptions;
DROP TRIGGER subscriptions_ramp_new ON subscriptions;
DROP FUNCTION hookrelay_ramp_from_start();
DROP TABLE flow_ramps;
