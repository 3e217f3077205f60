// Every request the portal makes goes to the service's HTTP API, with the session cookie (sent by the
// browser) and, on a state-changing request, the CSRF token the session handed over.
import type { Environment } from '../../domain/environment.js';
import type { ErrorDetail } from '../../api/errors.js';
import type { DeliveryStatus } from '../../domain/delivery-status.js';
import type { z } from 'zod';
import type { Ordering, RateLimit } from '../../domain/flow-control.js';
import type { RetryPolicy as RetryPolicySchema } from '../../api/schemas/retry-policy.js';
import type { RotatedSecret as RotatedSecretSchema, Subscription as SubscriptionSchema } from '../../api/schemas/subscription.js';
import type { DeliverySummary as DeliverySummarySchema } from '../../api/schemas/event.js';
import type { Attempt as AttemptSchema, Delivery as DeliverySchema } from '../../api/schemas/delivery.js';
import type {
  SubscriptionStats as SubscriptionStatsSchema,
  TestEventAccepted as TestEventAcceptedSchema,
} from '../../api/schemas/subscription-tools.js';
import type { EventType as EventTypeSchema } from '../../api/schemas/event-type.js';

export type { ErrorDetail };

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** The answer's whole body, for the few answers that carry more than the error (GET /portal/session's `ended`). */
    readonly body?: unknown,
  ) {
    super(message);
  }
}

/** The platform's look and the way back, as GET /portal/session gives them (src/domain/portal-branding.ts). */
export interface Look {
  return_url: string | null;
  branding: { name: string; logo_url: string | null; accent_color: string | null };
}

export interface Session extends Look {
  tenant: { id: string; name: string };
  environment: Environment | null;
  expires_at: string;
  csrf_token: string;
}

let csrfToken = '';
let onSessionEnded: (() => void) | undefined;

export function useCsrfToken(token: string): void {
  csrfToken = token;
}

/** Called when an API request answers 401: the session ended (expired, signed out elsewhere) while the page was open. */
export function whenSessionEnds(handler: () => void): void {
  onSessionEnded = handler;
}

export async function api<T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiFailure(0, 'network', 'the server did not answer; check your connection and try again');
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    if (response.status === 401 && path.startsWith('/v1/')) onSessionEnded?.();
    const error = (parsed as { error?: { code?: string; message?: string; details?: ErrorDetail[] } } | undefined)?.error;
    throw new ApiFailure(response.status, error?.code ?? 'http_error', error?.message ?? `HTTP ${response.status}`, error?.details ?? [], parsed);
  }
  return parsed as T;
}

/** A query string from the set values only. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

// The API's shapes: the types of the zod schemas that validate and document the API (type-only
// imports, erased from the bundle), so the portal cannot drift from what the API answers.
export type RetryPolicy = z.infer<typeof RetryPolicySchema>;
export type Subscription = z.infer<typeof SubscriptionSchema>;
export type RotatedSecret = z.infer<typeof RotatedSecretSchema>;
export type { DeliveryStatus };
export type DeliverySummary = z.infer<typeof DeliverySummarySchema> & { event_type?: string };
export type Attempt = z.infer<typeof AttemptSchema>;
export type Delivery = z.infer<typeof DeliverySchema>;
export type { Ordering, RateLimit };
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}
export type Stats = z.infer<typeof SubscriptionStatsSchema>;
export type TestEventAccepted = z.infer<typeof TestEventAcceptedSchema>;
/** A type of the catalog as GET /v1/event-types answers it. */
export type CatalogType = z.infer<typeof EventTypeSchema>;

export interface EventType {
  type?: string;
  name?: string;
  description?: string;
  deprecated?: boolean;
}
