-- Up Migration
-- The relay claims unstarted events round-robin across tenants (docs/isolation.md): one tenant's burst does
-- not hold back another tenant's events. This index finds the tenants with unstarted events (a loose index
-- scan) and each one's oldest.
CREATE INDEX events_unstarted_by_tenant ON events (tenant_id, accepted_seq) WHERE started_at IS NULL;

-- Down Migration
DROP INDEX events_unstarted_by_tenant;
