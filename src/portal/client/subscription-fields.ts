// Every input of the subscription form, by the API field it sets (SubscriptionCreate's paths): its element
// id and its label, used by the form and by the error summary that links each field the API named.
import type { FormField } from './form-fields.js';

export const FIELDS = {
  url: { id: 'f-url', label: 'Endpoint URL' },
  method: { id: 'f-method', label: 'Method' },
  environment: { id: 'f-env', label: 'Environment' },
  signature: { id: 'f-signature', label: 'Signature' },
  timeout_ms: { id: 'f-timeout', label: 'Timeout (ms)' },
  description: { id: 'f-desc', label: 'Description' },
  event_types: { id: 'f-patterns', label: 'Event types' },
  'retry_policy.initial_interval': { id: 'p-initial', label: 'First retry after' },
  'retry_policy.backoff_coefficient': { id: 'p-coef', label: 'Backoff coefficient' },
  'retry_policy.maximum_interval': { id: 'p-max-int', label: 'Longest wait' },
  'retry_policy.maximum_attempts': { id: 'p-attempts', label: 'Maximum attempts' },
  'retry_policy.max_duration': { id: 'p-duration', label: 'Give up after' },
  'retry_policy.non_retryable_statuses': { id: 'p-final', label: 'Final statuses' },
  rate_limit: { id: 'f-rate', label: 'Rate limit: at most' },
  max_in_flight: { id: 'f-max-in-flight', label: 'Max in flight' },
  headers: { id: 'h-k-0', label: 'Headers' },
  field_map: { id: 'm-k-0', label: 'Field map' },
} as const satisfies Record<string, FormField>;

/** The input for an API path, or for the nearest field above it (`rate_limit.requests` is the rate limit's input). */
export function fieldFor(path: string): FormField | undefined {
  for (let parts = path.split('.'); parts.length; parts.pop()) {
    const found = (FIELDS as Record<string, FormField>)[parts.join('.')];
    if (found) return found;
  }
  return undefined;
}
