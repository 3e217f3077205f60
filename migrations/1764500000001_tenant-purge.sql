-- Up Migration
-- DELETE /v1/tenants/:id marks the tenant purging (its key, portal sessions and new events are refused
-- from then on, and the relay leaves its unstarted events), then a purge workflow deletes its rows in
-- batches and the tenant row last.
ALTER TABLE tenants ADD COLUMN purging_at timestamptz;
-- The purge finds each table's rows of one tenant by index (the existing ones cover live rows only).
CREATE INDEX subscriptions_tenant ON subscriptions (tenant_id);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);
CREATE INDEX portal_sessions_tenant ON portal_sessions (tenant_id);

-- Down Migration
DROP INDEX portal_sessions_tenant;
DROP INDEX api_keys_tenant;
DROP INDEX subscriptions_tenant;
ALTER TABLE tenants DROP COLUMN purging_at;
