// The scope a producer key needs on each route the producer's side may use: the one table. A route whose
// `auth` admits the producer (`admin` or `any`) and is missing here fails at start (Routes.add), so a new
// route is closed until its scope is written. ADMIN_TOKEN holds every scope.
import type { Scope } from '../domain/scopes.js';
import type { RouteSpec } from './route.js';

/** `null`: any live producer key may use the route (reads that every producer credential needs). */
export const ROUTE_SCOPES: Readonly<Record<string, Scope | null>> = {
  'POST /v1/events': 'events:write',
  'POST /v1/events/batch': 'events:write',
  'GET /v1/events/:id': null,
  'POST /v1/tenants': 'tenants:manage',
  'DELETE /v1/tenants/:id': 'tenants:manage',
  'POST /v1/tenants/:id/portal-sessions': 'portal:create',
  'PUT /v1/event-types/:type': 'catalog:manage',
  'GET /v1/event-types': null,
  'POST /v1/keys': 'keys:manage',
  'GET /v1/keys': 'keys:manage',
  'DELETE /v1/keys/:id': 'keys:manage',
  // The whole log names every tenant's changes and every producer key: the same trust as managing keys.
  'GET /v1/audit': 'keys:manage',
};

export const routeKey = (spec: Pick<RouteSpec, 'method' | 'path'>) => `${spec.method.toUpperCase()} ${spec.path}`;

/** The scope the route needs from a producer key (null: none); undefined for a route the producer cannot use. */
export function routeScope(spec: Pick<RouteSpec, 'method' | 'path' | 'auth'>): Scope | null | undefined {
  if (spec.auth !== 'admin' && spec.auth !== 'any') return undefined;
  const key = routeKey(spec);
  if (!Object.hasOwn(ROUTE_SCOPES, key)) throw new Error(`${key} admits producer keys but src/api/route-scopes.ts names no scope for it`);
  return ROUTE_SCOPES[key] ?? null;
}
