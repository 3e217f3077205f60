import { HTTP_METHODS } from '../../domain/http-method.js';
import { z } from '../zod.js';
import { Environment, PageQuery, page, wellFormed } from './common.js';
import { RetryPolicy } from './retry-policy.js';
import { SUBSCRIPTION_PATTERN } from '../../domain/event-type.js';
import { DEFAULT_ENVIRONMENT } from '../../domain/environment.js';
import {
  CIRCUIT_STATES,
  DEFAULT_ORDERING,
  MAX_IN_FLIGHT_BOUNDS,
  ORDERINGS,
  RATE_LIMIT_BOUNDS,
  RATE_LIMIT_PERIODS,
} from '../../domain/flow-control.js';
import { DEFAULT_SIGNATURE_SCHEME, SIGNATURE_SCHEMES } from '../../domain/signature-scheme.js';

const HEADER_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const RESERVED_HEADERS = new Set(['content-type', 'host', 'content-length', 'user-agent']);
const RESERVED_PREFIXES = ['webhook-', 'x-hookrelay-'];
/** Hop-by-hop: they describe one connection, and the HTTP client refuses to send them (or they break the request). */
const HOP_BY_HOP_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'expect', 'proxy-connection']);

export function isReservedHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return RESERVED_HEADERS.has(lower) || RESERVED_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

export const isHopByHopHeader = (name: string) => HOP_BY_HOP_HEADERS.has(name.toLowerCase());

function parsedUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

const Url = wellFormed()
  .max(2048)
  .refine((value) => {
    const url = parsedUrl(value);
    return url !== undefined && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  }, 'must be an absolute http or https URL')
  // A password in the URL would be echoed by every read and in failure notifications, and is not sent as Authorization.
  .refine((value) => {
    const url = parsedUrl(value);
    return url === undefined || (url.username === '' && url.password === '');
  }, 'must not contain credentials (user:pass@); put credentials in headers');

const Headers = z
  .record(
    z
      .string()
      .regex(HEADER_TOKEN, 'header names are HTTP tokens')
      .refine((name) => !isReservedHeader(name), {
        message: 'is reserved: content-type, host, content-length, user-agent, webhook-* and x-hookrelay-* are set by hookrelay',
      })
      .refine((name) => !isHopByHopHeader(name), {
        message: `is a hop-by-hop header, which cannot be sent: ${[...HOP_BY_HOP_HEADERS].join(', ')}`,
      }),
    z
      .string()
      .max(4096)
      .regex(/^[\t\x20-\x7e\x80-\xff]*$/, 'header values may not contain control characters'),
  )
  .refine((headers) => Object.keys(headers).length <= 20, 'at most 20 headers')
  // HTTP header names are case-insensitive: two spellings of one name would be sent as one header.
  .superRefine((headers, ctx) => {
    const seen = new Map<string, string>();
    for (const name of Object.keys(headers)) {
      const first = seen.get(name.toLowerCase());
      if (first === undefined) seen.set(name.toLowerCase(), name);
      else ctx.addIssue({ code: 'custom', path: [name], message: `is the same header as ${first} (header names are case-insensitive)` });
    }
  });

const EventTypes = z.array(z.string().max(128).regex(SUBSCRIPTION_PATTERN, 'dotted lowercase segments, each may be *')).min(1).max(50);

const FieldMap = z
  .record(wellFormed().min(1).max(256), wellFormed().min(1).max(256))
  .refine((map) => Object.keys(map).length <= 100, 'at most 100 renamed fields');

const Method = z.enum(HTTP_METHODS);
const TimeoutMs = z.number().int().min(1000).max(60000);
const Description = wellFormed({ lines: true }).max(1000).nullable();

const RateLimit = z
  .strictObject({
    requests: z.number().int().min(RATE_LIMIT_BOUNDS.minRequests).max(RATE_LIMIT_BOUNDS.maxRequests),
    per: z.enum(RATE_LIMIT_PERIODS),
  })
  .openapi('RateLimit', {
    description:
      'At most `requests` attempts (first attempts and retries alike) in any window of length `per`, across every worker; a delivery over it waits for its slot.',
  });
const MaxInFlight = z.number().int().min(MAX_IN_FLIGHT_BOUNDS.min).max(MAX_IN_FLIGHT_BOUNDS.max).openapi({
  description:
    'At most this many attempts to this subscription are in flight at once, across every worker; one over it waits for a slot in acceptance order, using up none of its retry policy (docs/isolation.md).',
});
const Circuit = z
  .object({
    state: z.enum(CIRCUIT_STATES),
    consecutive_failures: z
      .number()
      .int()
      .openapi({ description: 'Attempts in a row that failed as if the receiver were down (timeouts, connection errors, 5xx).' }),
    next_probe_at: z.string().nullable().openapi({ description: 'While open: when one probe attempt may go; its success closes the circuit.' }),
    opened_at: z.string().nullable(),
  })
  .openapi('Circuit', {
    description:
      "The subscription's circuit breaker: `open` after consecutive failures as if down (attempts wait), `half_open` while one probe is in flight, `closed` otherwise.",
  });
const Ordering = z.enum(ORDERINGS).openapi({
  description: '`fifo`: one delivery at a time, in the order the events were accepted; a retrying delivery holds the ones behind it.',
});

const Signature = z.enum(SIGNATURE_SCHEMES).openapi({
  description:
    'How requests are signed (Standard Webhooks): `hmac-sha256` (`v1,` entries, a shared secret) or `ed25519` (`v1a,` entries; the receiver holds only the public key). Chosen at create; a PATCH may repeat it but not change it.',
});

/** What a subscription gets for each field it leaves out (create, and the category webhooks of PUT /v1/webhooks). */
export const SUBSCRIPTION_DEFAULTS = {
  method: 'POST',
  environment: DEFAULT_ENVIRONMENT,
  event_types: ['*'],
  headers: {},
  field_map: {},
  retry_policy: 'default',
  timeout_ms: 10000,
  enabled: true,
  rate_limit: null,
  ordering: DEFAULT_ORDERING,
  max_in_flight: MAX_IN_FLIGHT_BOUNDS.default,
  signature: DEFAULT_SIGNATURE_SCHEME,
} as const satisfies Record<string, unknown>;

export const SubscriptionCreate = z
  .strictObject({
    url: Url,
    method: Method.default(SUBSCRIPTION_DEFAULTS.method),
    environment: Environment.default(SUBSCRIPTION_DEFAULTS.environment),
    event_types: EventTypes.default([...SUBSCRIPTION_DEFAULTS.event_types]),
    headers: Headers.default({}),
    field_map: FieldMap.default({}),
    retry_policy: RetryPolicy.default(SUBSCRIPTION_DEFAULTS.retry_policy),
    timeout_ms: TimeoutMs.default(SUBSCRIPTION_DEFAULTS.timeout_ms),
    enabled: z.boolean().default(SUBSCRIPTION_DEFAULTS.enabled),
    description: Description.optional(),
    rate_limit: RateLimit.nullable().default(SUBSCRIPTION_DEFAULTS.rate_limit),
    ordering: Ordering.default(SUBSCRIPTION_DEFAULTS.ordering),
    max_in_flight: MaxInFlight.default(SUBSCRIPTION_DEFAULTS.max_in_flight),
    signature: Signature.default(SUBSCRIPTION_DEFAULTS.signature),
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
    rate_limit: RateLimit.nullable(),
    ordering: Ordering,
    max_in_flight: MaxInFlight,
    signature: Signature,
  })
  .partial()
  .openapi('SubscriptionPatch');
export type SubscriptionPatch = z.infer<typeof SubscriptionPatch>;

export const PreviousSecret = z
  .object({
    expires_at: z.string().openapi({ description: 'When this replaced secret stops signing: 24 h after the rotation that replaced it.' }),
  })
  .openapi('PreviousSecret', {
    description: 'A replaced signing secret that still signs beside the current one; its value is never shown again.',
  });

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
    disabled_reason: z.string().nullable().openapi({
      description:
        'Why it is disabled: `disabled by the tenant`, `receiver answered 410 Gone at …`, or `every attempt failed since …` (AUTO_DISABLE_AFTER of unbroken failure). Null while enabled.',
    }),
    failing_since: z.string().nullable().openapi({
      description:
        'When its current run of failures began: the start of the first failed attempt since its last success. Null when its last attempt succeeded (or none failed yet); cleared when it is enabled again.',
    }),
    description: z.string().nullable(),
    rate_limit: RateLimit.nullable(),
    ordering: Ordering,
    max_in_flight: z.number().int(),
    circuit: Circuit,
    category: z.string().nullable(),
    signature: Signature,
    public_key: z.string().nullable().openapi({
      description: 'For `ed25519`: the public key that verifies the `v1a,` signatures, `whpk_` + base64 of its 32 bytes. Null for `hmac-sha256`.',
    }),
    created_at: z.string(),
    updated_at: z.string(),
    previous_secrets: z.array(PreviousSecret).openapi({
      description:
        'The replaced secrets still signing beside the current one (each for 24 h from its own replacement, at most 3), newest first; their expiries only.',
    }),
    secret: z
      .string()
      .optional()
      .openapi({ description: 'The `hmac-sha256` signing secret (`whsec_…`): only in the response that creates the subscription.' }),
  })
  .openapi('Subscription');
export type Subscription = z.infer<typeof Subscription>;

export const SubscriptionPage = page(Subscription, 'SubscriptionPage');

export const RotatedSecret = z
  .object({
    secret: z.string().optional().openapi({
      description: 'For `hmac-sha256`: the new signing secret, shown this once. It signs every request from now on.',
    }),
    public_key: z.string().optional().openapi({
      description:
        'For `ed25519`: the public key of the new private key (`whpk_…`), which signs every request from now on; the private key is never shown.',
    }),
    previous_secrets: z.array(PreviousSecret).openapi({
      description:
        'The replaced secrets still signing beside the new one, newest first: the one just replaced (for 24 h from now) and those replaced earlier whose 24 h have not passed. At most 3.',
    }),
    dropped_previous_secrets: z.array(PreviousSecret).openapi({
      description:
        'Replaced secrets this rotation stopped before their 24 h were up, to keep at most 3 previous secrets: the oldest go first. Empty unless this is the fourth rotation within 24 h; `expires_at` is when each would have stopped.',
    }),
    warning: z.string().optional().openapi({
      description:
        'Present only when `dropped_previous_secrets` is not empty: says that a receiver still holding a dropped secret now fails verification.',
    }),
  })
  .openapi('RotatedSecret', {
    description: 'Every replaced secret keeps signing beside the new one for 24 h from its own replacement; at most 3 previous secrets sign at once.',
  });
export type RotatedSecret = z.infer<typeof RotatedSecret>;

export const SubscriptionListQuery = PageQuery.extend({ environment: Environment.optional() });
