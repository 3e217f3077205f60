import type { HttpMethod } from '../domain/http-method.js';
import type { Queryable } from './pool.js';
import { newId } from './ids.js';
import { pageOf } from './cursor.js';
import type { Subscription, SubscriptionCreate, SubscriptionPatch } from '../api/schemas/subscription.js';
import type { RetryPolicySpec } from '../domain/retry-policy.js';
import type { Environment } from '../domain/environment.js';
import type { Ordering, RateLimit } from '../domain/flow-control.js';
import { restartSlots } from './rate-limit.js';
import { openLane } from './fifo-lanes.js';

interface SubscriptionRow {
  id: string;
  environment: Environment;
  url: string;
  method: HttpMethod;
  event_types: string[];
  headers: Record<string, string>;
  field_map: Record<string, string>;
  retry_policy: RetryPolicySpec;
  timeout_ms: number;
  enabled: boolean;
  disabled_reason: string | null;
  description: string | null;
  rate_limit: RateLimit | null;
  ordering: Ordering;
  category: string | null;
  created_at: Date;
  updated_at: Date;
  previous_secret_expiries: Date[];
}

/**
 * An SQL array of `value` (an expression over `p.entry`, one `{secret, expires_at}` of the jsonb array
 * `column`) for each replaced secret still signing, newest first. An entry past its `expires_at` stops
 * counting at once, whether or not a later rotation has removed it yet.
 */
export function activePreviousSecrets(column: string, value: string): string {
  return `ARRAY(SELECT ${value} FROM jsonb_array_elements(${column}) WITH ORDINALITY AS p(entry, n)
    WHERE (p.entry ->> 'expires_at')::timestamptz > now() ORDER BY p.n)`;
}

const COLUMNS = `id, environment, url, method, event_types, headers, field_map, retry_policy, timeout_ms,
  enabled, disabled_reason, description, rate_limit, ordering, category, created_at, updated_at,
  ${activePreviousSecrets('previous_secrets', "(p.entry ->> 'expires_at')::timestamptz")} AS previous_secret_expiries`;

const expiries = (dates: Date[]) => dates.map((date) => ({ expires_at: date.toISOString() }));

/** A subscription as the API shows it: the previous secrets by their expiry only, never their value. */
function toApi({ previous_secret_expiries, ...row }: SubscriptionRow): Subscription {
  return {
    ...row,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    previous_secrets: expiries(previous_secret_expiries),
  };
}

/** A new subscription row: the INSERT both creating paths share, and its values in order. */
const INSERT_SUBSCRIPTION = `INSERT INTO subscriptions (id, tenant_id, environment, url, method, event_types, headers, field_map,
       retry_policy, timeout_ms, enabled, description, category, secret, rate_limit, ordering)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`;

function newSubscriptionValues(tenantId: string, input: SubscriptionCreate, secret: string, category: string | null, enabled: boolean): unknown[] {
  return [
    newId('sub'),
    tenantId,
    input.environment,
    input.url,
    input.method,
    input.event_types,
    input.headers,
    input.field_map,
    JSON.stringify(input.retry_policy),
    input.timeout_ms,
    enabled,
    input.description ?? null,
    category,
    secret,
    jsonOrNull(input.rate_limit),
    input.ordering,
  ];
}

export async function insertSubscription(
  db: Queryable,
  tenantId: string,
  input: SubscriptionCreate,
  secret: string,
  category: string | null = null,
): Promise<Subscription> {
  const { rows } = await db.query<SubscriptionRow>(
    `${INSERT_SUBSCRIPTION}
     RETURNING ${COLUMNS}`,
    newSubscriptionValues(tenantId, input, secret, category, input.enabled),
  );
  if (input.ordering === 'fifo') await openLane(db, rows[0]!.id);
  return toApi(rows[0]!);
}

export async function getSubscription(db: Queryable, tenantId: string, id: string): Promise<Subscription | undefined> {
  const { rows } = await db.query<SubscriptionRow>(`SELECT ${COLUMNS} FROM subscriptions WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL`, [
    tenantId,
    id,
  ]);
  return rows[0] && toApi(rows[0]);
}

/** Newest first; `after` is the seq of the last row of the previous page, `next` the one to ask after for the next page. */
export async function listSubscriptions(
  db: Queryable,
  tenantId: string,
  query: { environment?: Environment; limit: number; after?: string },
): Promise<{ data: Subscription[]; next: string | null }> {
  const { rows } = await db.query<SubscriptionRow & { seq: string }>(
    `SELECT ${COLUMNS}, seq FROM subscriptions
     WHERE tenant_id = $1 AND deleted_at IS NULL
       AND ($2::text IS NULL OR environment = $2)
       AND ($3::bigint IS NULL OR seq < $3)
     ORDER BY seq DESC
     LIMIT $4`,
    [tenantId, query.environment ?? null, query.after ?? null, query.limit + 1],
  );
  const page = pageOf(rows, query.limit);
  return { data: page.rows.map(toApi), next: page.next };
}

const PATCHABLE = [
  'url',
  'method',
  'environment',
  'event_types',
  'headers',
  'field_map',
  'retry_policy',
  'timeout_ms',
  'enabled',
  'description',
  'rate_limit',
  'ordering',
] as const;

/** A jsonb parameter: node-postgres would send a JS array as a PostgreSQL array, so objects go as text. */
function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

export async function updateSubscription(db: Queryable, tenantId: string, id: string, patch: SubscriptionPatch): Promise<Subscription | undefined> {
  const sets: string[] = [];
  const values: unknown[] = [tenantId, id];
  for (const field of PATCHABLE) {
    const value = patch[field];
    if (value === undefined) continue;
    values.push(field === 'retry_policy' || field === 'rate_limit' ? jsonOrNull(value) : value);
    sets.push(`${field} = $${values.length}`);
  }
  // Re-enabling by hand clears the reason it was disabled and restarts the failure clock.
  if (patch.enabled === true) sets.push('disabled_reason = NULL', 'failing_since = NULL');
  if (patch.enabled === false) sets.push(`disabled_reason = 'disabled by the tenant'`);
  sets.push('updated_at = now()');
  const { rows } = await db.query<SubscriptionRow>(
    `UPDATE subscriptions SET ${sets.join(', ')} WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING ${COLUMNS}`,
    values,
  );
  if (rows[0] && patch.rate_limit !== undefined) await restartSlots(db, id);
  if (rows[0] && patch.ordering === 'fifo') await openLane(db, id);
  return rows[0] && toApi(rows[0]);
}

export async function deleteSubscription(db: Queryable, tenantId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE subscriptions SET deleted_at = now(), enabled = false, updated_at = now()
     WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL`,
    [tenantId, id],
  );
  return (rowCount ?? 0) > 0;
}

export interface Rotation {
  /** The replaced secrets still signing, newest first (the one just replaced first). */
  previous_secrets: Array<{ expires_at: string }>;
  /** Replaced secrets still within their grace that this rotation stopped, to keep at most `maxPrevious`; oldest last. */
  dropped_previous_secrets: Array<{ expires_at: string }>;
}

/**
 * The new secret signs from now on; the one it replaces keeps signing beside it until `graceMs` has
 * passed, and so does each secret replaced before it whose own grace has not ended, newest first,
 * at most `maxPrevious` of them: beyond that the oldest stop now and are returned as dropped.
 * Expired entries are removed. The row is locked first, so concurrent rotations each keep the other's secret.
 * Undefined when the subscription is not the tenant's.
 */
export async function rotateSecret(
  db: Queryable,
  tenantId: string,
  id: string,
  secret: string,
  graceMs: number,
  maxPrevious: number,
): Promise<Rotation | undefined> {
  const { rows } = await db.query<{ kept: Date[]; dropped: Date[] }>(
    `WITH old AS (
       SELECT id, secret, previous_secrets FROM subscriptions
       WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL
       FOR UPDATE
     ), replaced AS (
       SELECT row_number() OVER (ORDER BY rank) AS n, entry
       FROM (
         SELECT 0::bigint AS rank,
                jsonb_build_object('secret', old.secret, 'expires_at', now() + make_interval(secs => $4::double precision / 1000)) AS entry
         FROM old
         UNION ALL
         SELECT p.n, p.entry FROM old, jsonb_array_elements(old.previous_secrets) WITH ORDINALITY AS p(entry, n)
         WHERE (p.entry ->> 'expires_at')::timestamptz > now()
       ) candidates
     ), updated AS (
       UPDATE subscriptions s
       SET secret = $3, updated_at = now(),
           previous_secrets = COALESCE((SELECT jsonb_agg(entry ORDER BY n) FROM replaced WHERE n <= $5), '[]')
       FROM old WHERE s.id = old.id
     )
     SELECT ARRAY(SELECT (entry ->> 'expires_at')::timestamptz FROM replaced WHERE n <= $5 ORDER BY n) AS kept,
            ARRAY(SELECT (entry ->> 'expires_at')::timestamptz FROM replaced WHERE n > $5 ORDER BY n) AS dropped
     FROM old`,
    [tenantId, id, secret, graceMs, maxPrevious],
  );
  const row = rows[0];
  return row && { previous_secrets: expiries(row.kept), dropped_previous_secrets: expiries(row.dropped) };
}

/**
 * A category webhook: the tenant's one subscription of a category in an environment, created or replaced
 * in place. The category's event types are set again too: they are what makes it that category's webhook.
 */
export async function upsertCategorySubscription(
  db: Queryable,
  tenantId: string,
  category: string,
  input: SubscriptionCreate,
  secret: string,
): Promise<{ subscription: Subscription; created: boolean }> {
  const { rows } = await db.query<SubscriptionRow & { inserted: boolean }>(
    `${INSERT_SUBSCRIPTION}
     ON CONFLICT (tenant_id, environment, category) WHERE category IS NOT NULL AND deleted_at IS NULL
     DO UPDATE SET url = EXCLUDED.url, method = EXCLUDED.method, headers = EXCLUDED.headers, event_types = EXCLUDED.event_types,
       enabled = true, disabled_reason = NULL, failing_since = NULL, updated_at = now()
     RETURNING ${COLUMNS}, (xmax = 0) AS inserted`,
    newSubscriptionValues(tenantId, input, secret, category, true),
  );
  const { inserted, ...row } = rows[0]!;
  return { subscription: toApi(row), created: inserted };
}

// The subscriptions as the delivery activities read and change them.

export interface CandidateSubscription {
  id: string;
  url: string;
  event_types: string[];
  retry_policy: unknown;
  timeout_ms: number;
}

export async function enabledSubscriptions(db: Queryable, tenantId: string, environment: string): Promise<CandidateSubscription[]> {
  const { rows } = await db.query<CandidateSubscription>(
    `SELECT id, url, event_types, retry_policy, timeout_ms FROM subscriptions
     WHERE tenant_id = $1 AND environment = $2 AND enabled AND deleted_at IS NULL`,
    [tenantId, environment],
  );
  return rows;
}

export async function disableSubscription(db: Queryable, subscriptionId: string, reason: string): Promise<boolean> {
  const result = await db.query(
    `UPDATE subscriptions SET enabled = false, disabled_reason = $2, updated_at = now()
     WHERE id = $1 AND enabled`,
    [subscriptionId, reason],
  );
  return (result.rowCount ?? 0) > 0;
}
