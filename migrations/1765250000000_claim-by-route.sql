-- Up Migration
-- The relay's claim takes each open route's oldest unstarted events through events_unstarted_by_route. With
-- these two indexes beside it, PostgreSQL would plan that per-route lookup as a walk of every unstarted
-- event in acceptance order, filtered by route: cheap while few wait, but a tenant's 20,000-event backlog
-- made every claim (one per dispatched event under load) read all of it to find another tenant's event.
-- Nothing else reads them: the route index serves every query on unstarted events.
DROP INDEX events_unstarted;
DROP INDEX events_unstarted_by_tenant;

-- Down Migration
CREATE INDEX events_unstarted_by_tenant ON events (tenant_id, accepted_seq) WHERE started_at IS NULL;
CREATE INDEX events_unstarted ON events (accepted_seq) WHERE started_at IS NULL;
