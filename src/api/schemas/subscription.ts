import { z } from '../zod.js';
import { Environment, page } from './common.js';
import { RetryPolicy } from './retry-policy.js';
import { SUBSCRIPTION_PATTERN } from '../../domain/event-type.js';

const HEADER_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const RESERVED_HEADERS = new Set(['content-type', 'host', 'content-length', 'user-agent']);
const RESERVED_PREFIXES = ['webhook-', 'x-hookrelay-'];

export function isReservedHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return RESERVED_HEADERS.has(lower) || RESERVED_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

const Url = z
  .string()
  .max(2048)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be an absolute http or https URL');

const Headers = z
  .record(
    z.string().regex(HEADER_TOKEN, 'header names are HTTP tokens').refine((name) => !isReservedHeader(name), {
      message: 'is reserved: content-type, host, content-length, user-agent, webhook-* and x-hookrelay-* are set by hookrelay',
    }),
    z.string().max(4096).regex(/^[\t\x20-\x7e\x80-\xff]*$/, 'header values may not contain control characters'),
  )
  .refine((headers) => Object.keys(headers).length <= 20, 'at most 20 headers');

const EventTypes = z
  .array(z.string().max(128).regex(SUBSCRIPTION_PATTERN, 'dotted lowercase segments, each may be *'))
  .min(1)
  .max(50);

const FieldMap = z
  .record(z.string().min(1).max(256), z.string().min(1).max(256))
  .refine((map) => Object.keys(map).length <= 100, 'at most 100 renamed fields');

const Method = z.enum(['POST', 'PUT']);
const TimeoutMs = z.number().int().min(1000).max(60000);
const Description = z.string().max(1000).nullable();

export const SubscriptionCreate = z
  .strictObject({
    url: Url,
    method: Method.default('POST'),
    environment: Environment.default('production'),
    event_types: EventTypes.default(['*']),
    headers: Headers.default({}),
    field_map: FieldMap.default({}),
    retry_policy: RetryPolicy.default('default'),
    timeout_ms: TimeoutMs.default(10000),
    enabled: z.boolean().default(true),
    description: Description.optional(),
  })
  .openapi('SubscriptionCreate');
export type SubscriptionCreate = z.infer<typeof SubscriptionCreate>;

export const SubscriptionPatch = z
  .strictObject({
    url: Url,
    method: Method,
    environment: Environment,
    event_types: EventTypes,
    headers: Headers,
    field_map: FieldMap,
    retry_policy: RetryPolicy,
    timeout_ms: TimeoutMs,
    enabled: z.boolean(),
    description: Description,
  })
  .partial()
  .openapi('SubscriptionPatch');
export type SubscriptionPatch = z.infer<typeof SubscriptionPatch>;

export const Subscription = z
  .object({
    id: z.string(),
    environment: Environment,
    url: z.string(),
    method: Method,
    event_types: z.array(z.string()),
    headers: z.record(z.string(), z.string()),
    field_map: z.record(z.string(), z.string()),
    retry_policy: RetryPolicy,
    timeout_ms: z.number(),
    enabled: z.boolean(),
    disabled_reason: z.string().nullable(),
    description: z.string().nullable(),
    category: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    secret: z.string().optional().openapi({ description: 'Only in the response that creates the subscription.' }),
  })
  .openapi('Subscription');
export type Subscription = z.infer<typeof Subscription>;

export const SubscriptionPage = page(Subscription, 'SubscriptionPage');

export const SubscriptionListQuery = z.strictObject({
  environment: Environment.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(512).optional(),
});
