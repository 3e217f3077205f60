import type { ApiDeps } from '../app.js';
import type { Routes } from '../route.js';
import { TenantCreate, TenantCreated } from '../schemas/tenant.js';
import { createTenant } from '../../db/tenants.js';

export function tenantRoutes(routes: Routes, deps: ApiDeps): void {
  routes.add(
    {
      method: 'post',
      path: '/v1/tenants',
      tag: 'Tenants',
      auth: 'admin',
      body: TenantCreate,
      summary: 'Create a tenant; its API key is returned once',
      responses: { 201: { description: 'Created', schema: TenantCreated } },
    },
    async ({ body: input }, _req, res) => {
      res.status(201).json(await createTenant(deps.pool, input.name));
    },
  );
}
