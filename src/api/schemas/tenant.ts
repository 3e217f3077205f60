import { z } from '../zod.js';
import { wellFormed } from './common.js';

export const TenantCreate = z.strictObject({ name: wellFormed().trim().min(1).max(200) }).openapi('TenantCreate');
export type TenantCreate = z.infer<typeof TenantCreate>;

export const TenantCreated = z
  .object({
    id: z.string(),
    name: z.string(),
    api_key: z.string().openapi({ description: 'Shown once; only its hash is stored.' }),
    created_at: z.string(),
  })
  .openapi('TenantCreated');
