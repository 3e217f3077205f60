// The subscription form's values: read from a subscription, and turned into the API's SubscriptionCreate.
import { MAX_IN_FLIGHT_BOUNDS, type RateLimitPeriod } from '../../domain/flow-control.js';
import type { HttpMethod } from '../../domain/http-method.js';
import type { Environment } from '../../domain/environment.js';
import type { SignatureScheme } from '../../domain/signature-scheme.js';
import type { Ordering, RetryPolicy, Session, Subscription } from './api.js';

export interface Pair {
  key: string;
  value: string;
}
export interface Custom {
  initial_interval: string;
  backoff_coefficient: string;
  maximum_interval: string;
  maximum_attempts: string;
  max_duration: string;
  non_retryable_statuses: string;
}

export interface Form {
  url: string;
  method: HttpMethod;
  environment: Environment;
  description: string;
  /** "All events" (the pattern `*`), a choice of its own: never implied by the other fields. */
  all: boolean;
  types: string[];
  patterns: string;
  preset: string;
  custom: Custom;
  timeout_ms: string;
  headers: Pair[];
  field_map: Pair[];
  enabled: boolean;
  /** Empty: no rate limit. */
  rate_requests: string;
  rate_per: RateLimitPeriod;
  ordering: Ordering;
  /** Attempts in flight at once (the bulkhead, docs/isolation.md). */
  max_in_flight: string;
  /** Chosen at create; an edit sends the subscription's own back (the API refuses a change). */
  signature: SignatureScheme;
}

/** Sets one field of the form. */
export type SetField = <K extends keyof Form>(key: K, value: Form[K]) => void;

const emptyCustom: Custom = {
  initial_interval: '5s',
  backoff_coefficient: '2',
  maximum_interval: '1h',
  maximum_attempts: '10',
  max_duration: '',
  non_retryable_statuses: '',
};

export function fromSubscription(s: Subscription | undefined, session: Session): Form {
  const policy = s?.retry_policy ?? 'default';
  const custom =
    typeof policy === 'object'
      ? {
          initial_interval: policy.initial_interval ?? '',
          backoff_coefficient: policy.backoff_coefficient?.toString() ?? '',
          maximum_interval: policy.maximum_interval ?? '',
          maximum_attempts: policy.maximum_attempts?.toString() ?? '',
          max_duration: policy.max_duration ?? '',
          non_retryable_statuses: (policy.non_retryable_statuses ?? []).join(', '),
        }
      : emptyCustom;
  // A new subscription starts with nothing chosen: whatever it receives, the tenant ticked or typed.
  const eventTypes = s?.event_types ?? [];
  return {
    url: s?.url ?? '',
    method: s?.method ?? 'POST',
    environment: s?.environment ?? session.environment ?? 'production',
    description: s?.description ?? '',
    all: eventTypes.includes('*'),
    types: [],
    patterns: eventTypes.filter((t) => t !== '*').join('\n'),
    preset: typeof policy === 'object' ? 'custom' : policy,
    custom,
    timeout_ms: String(s?.timeout_ms ?? 10000),
    headers: Object.entries(s?.headers ?? {}).map(([key, value]) => ({ key, value })),
    field_map: Object.entries(s?.field_map ?? {}).map(([key, value]) => ({ key, value })),
    enabled: s?.enabled ?? true,
    rate_requests: s?.rate_limit ? String(s.rate_limit.requests) : '',
    rate_per: s?.rate_limit?.per ?? '1s',
    ordering: s?.ordering ?? 'none',
    max_in_flight: String(s?.max_in_flight ?? MAX_IN_FLIGHT_BOUNDS.default),
    signature: s?.signature ?? 'hmac-sha256',
  };
}

export function toBody(f: Form) {
  const patterns = f.patterns
    .split(/[\s,]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  const event_types = [...new Set([...(f.all ? ['*'] : []), ...f.types, ...patterns])];
  let retry_policy: RetryPolicy;
  if (f.preset === 'custom') {
    const c = f.custom;
    retry_policy = {
      ...(c.initial_interval ? { initial_interval: c.initial_interval } : {}),
      ...(c.backoff_coefficient ? { backoff_coefficient: Number(c.backoff_coefficient) } : {}),
      ...(c.maximum_interval ? { maximum_interval: c.maximum_interval } : {}),
      ...(c.maximum_attempts ? { maximum_attempts: Number(c.maximum_attempts) } : {}),
      ...(c.max_duration ? { max_duration: c.max_duration } : {}),
      ...(c.non_retryable_statuses.trim()
        ? {
            non_retryable_statuses: c.non_retryable_statuses
              .split(/[\s,]+/)
              .filter(Boolean)
              .map(Number),
          }
        : {}),
    };
  } else {
    retry_policy = f.preset as RetryPolicy;
  }
  const pairs = (list: Pair[]) => Object.fromEntries(list.filter((p) => p.key.trim()).map((p) => [p.key.trim(), p.value]));
  return {
    url: f.url.trim(),
    method: f.method,
    environment: f.environment,
    description: f.description.trim() || null,
    event_types,
    retry_policy,
    timeout_ms: Number(f.timeout_ms),
    headers: pairs(f.headers),
    field_map: pairs(f.field_map),
    enabled: f.enabled,
    rate_limit: f.rate_requests.trim() ? { requests: Number(f.rate_requests), per: f.rate_per } : null,
    ordering: f.ordering,
    // Empty is sent as null, so that the API names the field rather than reading it as 0.
    max_in_flight: f.max_in_flight.trim() ? Number(f.max_in_flight) : null,
    signature: f.signature,
  };
}
