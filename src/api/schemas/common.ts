import { z } from '../zod.js';

export const Environment = z.enum(['sandbox', 'production']).openapi('Environment');
export type Environment = z.infer<typeof Environment>;

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi('Error');

export const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(512).optional(),
});

export function page<T extends z.ZodTypeAny>(item: T, name: string) {
  return z.object({ data: z.array(item), next_cursor: z.string().nullable() }).openapi(name);
}

export const IdParam = z.object({ id: z.string().min(1).max(128) });
