// The headers of a delivery's request: declared once for the attempt that sends them (activities/deliver.ts)
// and for the delivery's page that shows them (GET /v1/deliveries/:id), where credentials are masked.
import { USER_AGENT } from '../version.js';

export interface AttemptHeaderValues {
  eventId: string;
  eventType: string;
  attempt: number;
  /** Unix seconds of the attempt. */
  timestamp: number;
  signature: string;
}

export const SIGNATURE_HEADER = 'webhook-signature';
export const TIMESTAMP_HEADER = 'webhook-timestamp';

/** The subscription's own headers, then the ones hookrelay sets on every attempt (reserved names, so they never clash). */
export function requestHeaders(custom: Record<string, string>, v: AttemptHeaderValues): Record<string, string> {
  return {
    ...custom,
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'webhook-id': v.eventId,
    [TIMESTAMP_HEADER]: String(v.timestamp),
    [SIGNATURE_HEADER]: v.signature,
    'x-hookrelay-event-type': v.eventType,
    'x-hookrelay-attempt': String(v.attempt),
  };
}

/** A custom header whose name says it carries a credential: its value is not shown back. */
const CREDENTIAL_NAME = /auth|token|secret|key|pass|cookie|session|signature|credential/i;

export const MASK = '••••••••';

export function isMaskedHeader(name: string): boolean {
  return name === SIGNATURE_HEADER || CREDENTIAL_NAME.test(name);
}
