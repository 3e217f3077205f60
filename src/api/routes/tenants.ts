import type { ApiDeps } from '../app.js';
import type { Routes } from '../route.js';
import { TenantCreate, TenantCreated } from '../schemas/tenant.js';
import { createTenant } from '../../db/tenants.js';
import { audited } from '../audit.js';

export function tenantRoutes(routes: Routes, deps: ApiDeps): void {
  routes.add(
    {
      method: 'post',
      path: '/v1/tenants',
      operationId: 'createTenant',
      tag: 'Tenants',
      auth: 'admin',
      body: TenantCreate,
      summary: 'Create a tenant; its API key is returned once',
      responses: { 201: { description: 'Created', schema: TenantCreated } },
    },
    async ({ body: input }, req, res) => {
      const tenant = await audited(
        deps.pool,
        req,
        res,
        (tx) => createTenant(tx, input.name),
        (created) => ({ tenantId: created.id, action: 'tenant.create', objectId: created.id }),
      );
      res.status(201).json(tenant);
    },
  );
}
