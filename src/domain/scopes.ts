// What a producer key may do. The one list: the API's schemas, the route table (src/api/route-scopes.ts)
// and the database's CHECK constraint (migrations/1765000000000_producer-keys-audit.sql) name the same.
export const SCOPES = ['events:write', 'tenants:manage', 'catalog:manage', 'portal:create', 'keys:manage'] as const;
export type Scope = (typeof SCOPES)[number];
