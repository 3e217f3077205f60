-- Up Migration
-- Held routes (docs/isolation.md): when an event's first attempts were all refused by the gate (every
-- receiver it reaches has its circuit open, or no free slot), the relay leaves the newer unstarted events of
-- the same tenant, environment and type in PostgreSQL until `until`, instead of starting workflows that
-- would only wait beside it. Those events reach the same subscriptions, so they would be refused too; kept
-- unstarted they cost no workflow, task or timer, on the workers or on Temporal.
CREATE TABLE relay_holds (
  tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  environment text NOT NULL,
  type text NOT NULL,
  until timestamptz NOT NULL,
  reason text NOT NULL,
  PRIMARY KEY (tenant_id, environment, type)
);

-- The relay visits the routes (tenant, environment, type) that have unstarted events, skipping held ones,
-- and takes each one's oldest: a loose index scan, whatever the size of a held backlog.
CREATE INDEX events_unstarted_by_route ON events (tenant_id, environment, type, accepted_seq) WHERE started_at IS NULL;

-- A hold is only as good as what it was computed from: a change to the tenant's subscriptions (one added,
-- edited, enabled, deleted) or a circuit that closes releases the tenant's holds at once, and wakes the
-- relays. Attempts update subscriptions too (failing_since), but not updated_at, so they release nothing.
CREATE FUNCTION hookrelay_release_holds(p_tenant text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM relay_holds WHERE tenant_id = p_tenant) THEN
    DELETE FROM relay_holds WHERE tenant_id = p_tenant;
    PERFORM pg_notify('hookrelay_events', '');
  END IF;
END $$;

CREATE FUNCTION hookrelay_subscription_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM hookrelay_release_holds(CASE WHEN TG_OP = 'DELETE' THEN OLD.tenant_id ELSE NEW.tenant_id END);
  RETURN NULL;
END $$;
CREATE TRIGGER subscriptions_release_holds AFTER INSERT OR DELETE OR UPDATE OF updated_at ON subscriptions
  FOR EACH ROW EXECUTE FUNCTION hookrelay_subscription_changed();

CREATE FUNCTION hookrelay_circuit_closed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM hookrelay_release_holds((SELECT tenant_id FROM subscriptions WHERE id = OLD.subscription_id));
  RETURN NULL;
END $$;
CREATE TRIGGER circuits_release_holds AFTER DELETE ON circuits
  FOR EACH ROW EXECUTE FUNCTION hookrelay_circuit_closed();

-- Down Migration
DROP TRIGGER circuits_release_holds ON circuits;
DROP FUNCTION hookrelay_circuit_closed();
DROP TRIGGER subscriptions_release_holds ON subscriptions;
DROP FUNCTION hookrelay_subscription_changed();
DROP FUNCTION hookrelay_release_holds(text);
DROP INDEX events_unstarted_by_route;
DROP TABLE relay_holds;
