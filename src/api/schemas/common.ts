import { z } from '../zod.js';
import { ENVIRONMENTS } from '../../domain/environment.js';
import { DELIVERY_STATUSES } from '../../domain/delivery-status.js';

export const Environment = z.enum(ENVIRONMENTS).openapi('Environment');
export const DeliveryStatus = z.enum(DELIVERY_STATUSES).openapi('DeliveryStatus');

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi('Error');

export const NUL_MESSAGE = 'must not contain the NUL character (\\u0000)';
export const hasNul = (value: string) => value.includes('\0');

/**
 * Every string the API takes goes through this: PostgreSQL refuses the NUL byte in text and jsonb,
 * so it is refused here, naming the field, before the database is asked.
 */
export const text = () => z.string().refine((value) => !hasNul(value), NUL_MESSAGE);

/** How deep a payload may nest (`{}` is 1). Deeper JSON would exhaust the stack of JSON.stringify and its readers. */
export const MAX_JSON_DEPTH = 64;

/** The depth of a parsed JSON value, counted without recursion; stops counting past `limit`. */
export function jsonDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    for (const child of Object.values(node)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return deepest;
}

const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A JSON object kept exactly as posted: the value itself is passed on, never rebuilt, so every own key
 * survives (`__proto__` included, which a zod record would drop) and key order is the producer's.
 */
export const JsonObject = z
  .custom<Record<string, unknown>>(isJsonObject, 'must be a JSON object')
  // abort: checks chained after this one (sizes, which serialise the value) never see a value too deep to serialise.
  .refine((value) => jsonDepth(value) <= MAX_JSON_DEPTH, { message: `must not nest deeper than ${MAX_JSON_DEPTH} levels`, abort: true })
  .openapi({ type: 'object', additionalProperties: true });

export const PAGE_LIMIT = { min: 1, max: 100, default: 20 } as const;

/** Every list takes these; `cursor` is the `next_cursor` of the previous page, opaque and signed. */
export const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(PAGE_LIMIT.min).max(PAGE_LIMIT.max).default(PAGE_LIMIT.default),
  cursor: text().max(512).optional().openapi({ description: 'The `next_cursor` of the previous page.' }),
});

export function page<T extends z.ZodType>(item: T, name: string) {
  return z.object({ data: z.array(item), next_cursor: z.string().nullable() }).openapi(name);
}

export const IdParam = z.object({ id: text().min(1).max(128) });
