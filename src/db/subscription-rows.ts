// A subscription row: the columns read back, the API's view of them, and the INSERT of a new one.
import type { HttpMethod } from '../domain/http-method.js';
import type { Subscription, SubscriptionCreate } from '../api/schemas/subscription.js';
import type { RetryPolicySpec } from '../domain/retry-policy.js';
import type { Environment } from '../domain/environment.js';
import type { CircuitState, Ordering, RateLimit } from '../domain/flow-control.js';
import { CLOSED_CIRCUIT } from './isolation.js';
import { newId } from './ids.js';
import { activePreviousSecrets, expiries } from './subscription-secrets.js';
import type { Keyring } from '../secrets/encryption-keys.js';
import { openHeaders, sealHeaders, sealSecret } from '../secrets/subscription-fields.js';
import type { NewSigningKey } from '../delivery/signature.js';
import type { SignatureScheme } from '../domain/signature-scheme.js';

export interface SubscriptionRow {
  id: string;
  environment: Environment;
  url: string;
  method: HttpMethod;
  event_types: string[];
  /** Plaintext headers of a row not sealed yet; `{}` once `headers_encrypted` holds them. */
  headers: Record<string, string>;
  headers_encrypted: string | null;
  field_map: Record<string, string>;
  retry_policy: RetryPolicySpec;
  timeout_ms: number;
  enabled: boolean;
  disabled_reason: string | null;
  /** Start of the first failed attempt since the last success (the auto-disable clock); null after a success. */
  failing_since: Date | null;
  description: string | null;
  rate_limit: RateLimit | null;
  ordering: Ordering;
  max_in_flight: number;
  category: string | null;
  signature: SignatureScheme;
  public_key: string | null;
  created_at: Date;
  updated_at: Date;
  previous_secret_expiries: Date[];
  /** Its circuits row, when its receiver has been failing (docs/isolation.md). */
  circuit: { state: CircuitState; consecutive_failures: number; open_until: string | null; opened_at: string | null } | null;
}

export const COLUMNS = `id, environment, url, method, event_types, headers, headers_encrypted, field_map, retry_policy, timeout_ms,
  enabled, disabled_reason, failing_since, description, rate_limit, ordering, max_in_flight, category, signature, public_key, created_at, updated_at,
  ${activePreviousSecrets('previous_secrets', "(p.entry ->> 'expires_at')::timestamptz")} AS previous_secret_expiries,
  (SELECT jsonb_build_object('state', c.state, 'consecutive_failures', c.consecutive_failures, 'open_until', c.open_until, 'opened_at', c.opened_at)
   FROM circuits c WHERE c.subscription_id = id) AS circuit`;

/** A subscription as the API shows it: its headers opened, the previous secrets by their expiry only, never their value. */
export function toApi(keyring: Keyring, { previous_secret_expiries, circuit, headers, headers_encrypted, ...row }: SubscriptionRow): Subscription {
  const iso = (at: string | null) => (at === null ? null : new Date(at).toISOString());
  return {
    ...row,
    headers: openHeaders(keyring, headers_encrypted, headers),
    circuit:
      circuit === null
        ? CLOSED_CIRCUIT
        : {
            state: circuit.state,
            consecutive_failures: circuit.consecutive_failures,
            next_probe_at: circuit.state === 'closed' ? null : iso(circuit.open_until),
            opened_at: circuit.state === 'closed' ? null : iso(circuit.opened_at),
          },
    failing_since: row.failing_since?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    previous_secrets: expiries(previous_secret_expiries),
  };
}

/**
 * A new subscription row: the INSERT both creating paths share, and its values in order. The signing key
 * and the headers go in sealed; the plaintext `headers` column keeps its empty default.
 */
export const INSERT_SUBSCRIPTION = `INSERT INTO subscriptions (id, tenant_id, environment, url, method, event_types, headers_encrypted, field_map,
       retry_policy, timeout_ms, enabled, description, category, secret_encrypted, rate_limit, ordering, max_in_flight, signature, public_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`;

export function newSubscriptionValues(
  keyring: Keyring,
  tenantId: string,
  input: SubscriptionCreate,
  key: NewSigningKey,
  category: string | null,
  enabled: boolean,
): unknown[] {
  return [
    newId('sub'),
    tenantId,
    input.environment,
    input.url,
    input.method,
    input.event_types,
    sealHeaders(keyring, input.headers),
    input.field_map,
    JSON.stringify(input.retry_policy),
    input.timeout_ms,
    enabled,
    input.description ?? null,
    category,
    sealSecret(keyring, key.secret),
    jsonOrNull(input.rate_limit),
    input.ordering,
    input.max_in_flight,
    input.signature,
    key.publicKey,
  ];
}

/** A jsonb parameter: node-postgres would send a JS array as a PostgreSQL array, so objects go as text. */
export function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}
