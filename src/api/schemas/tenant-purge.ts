import { z } from '../zod.js';

export const TenantPurgeAccepted = z
  .object({
    tenant_id: z.string(),
    workflow_id: z.string().openapi({ description: 'The purge workflow (`purge:<tenant>`), visible in the Temporal Web UI.' }),
  })
  .openapi('TenantPurgeAccepted');
