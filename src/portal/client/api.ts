// Every request the portal makes goes to hookrelay's HTTP API, with the session cookie (sent by the
// browser) and, on a state-changing request, the CSRF token the session handed over.

export interface ErrorDetail { path: string; message: string }

export class ApiFailure extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details: ErrorDetail[] = []) {
    super(message);
  }
}

export interface Session {
  tenant: { id: string; name: string };
  environment: 'sandbox' | 'production' | null;
  expires_at: string;
  csrf_token: string;
}

let csrfToken = '';

export function useCsrfToken(token: string): void {
  csrfToken = token;
}

export async function api<T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method, headers, credentials: 'same-origin', cache: 'no-store', ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiFailure(0, 'network', 'hookrelay did not answer; check your connection and try again');
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
    const error = (parsed as { error?: { code?: string; message?: string; details?: ErrorDetail[] } } | undefined)?.error;
    throw new ApiFailure(response.status, error?.code ?? 'http_error', error?.message ?? `HTTP ${response.status}`, error?.details ?? []);
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

// The API's shapes, as far as the portal reads them.
import type { Ordering, RateLimit } from '../../domain/flow-control.js';

export type { Ordering, RateLimit };
export type RetryPolicy = 'default' | 'three_retries' | 'none' | {
  initial_interval?: string; backoff_coefficient?: number; maximum_interval?: string; maximum_attempts?: number;
  max_duration?: string; non_retryable_statuses?: number[];
};

export interface Subscription {
  id: string;
  environment: 'sandbox' | 'production';
  url: string;
  method: 'POST' | 'PUT';
  event_types: string[];
  headers: Record<string, string>;
  field_map: Record<string, string>;
  retry_policy: RetryPolicy;
  timeout_ms: number;
  enabled: boolean;
  disabled_reason: string | null;
  description: string | null;
  rate_limit: RateLimit | null;
  ordering: Ordering;
  created_at: string;
  updated_at: string;
  secret?: string;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed' | 'cancelled';

export interface DeliverySummary {
  id: string;
  event_id: string;
  event_type?: string;
  subscription_id: string;
  status: DeliveryStatus;
  attempt_count: number;
  last_status_code: number | null;
  last_error: string | null;
  redelivery_of: string | null;
  created_at: string;
  completed_at: string | null;
}

export interface Attempt {
  number: number;
  started_at: string;
  duration_ms: number;
  status_code: number | null;
  error_class: string | null;
  error_message: string | null;
  response_body: string | null;
}

export interface Delivery extends DeliverySummary { attempts: Attempt[] }

export interface Page<T> { data: T[]; next_cursor: string | null }

export interface Stats {
  window: string;
  attempts: number;
  successes: number;
  failures: number;
  success_rate: number | null;
  p50_duration_ms: number | null;
  p99_duration_ms: number | null;
}

export interface EventType { type?: string; name?: string; description?: string; deprecated?: boolean }
