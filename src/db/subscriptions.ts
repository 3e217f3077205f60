// Subscriptions as their tenant manages them: create, read, list, change, delete; category webhooks.
import type { Queryable } from './pool.js';
import { pageOf } from './cursor.js';
import type { Subscription, SubscriptionCreate, SubscriptionPatch } from '../api/schemas/subscription.js';
import type { Environment } from '../domain/environment.js';
import { restartSlots } from './rate-limit.js';
import { openLane } from './fifo-lanes.js';
import { COLUMNS, INSERT_SUBSCRIPTION, jsonOrNull, newSubscriptionValues, toApi, type SubscriptionRow } from './subscription-rows.js';
import type { Keyring } from '../secrets/encryption-keys.js';
import { sealHeaders } from '../secrets/subscription-fields.js';
import type { NewSigningKey } from '../delivery/signature.js';

// The keyring seals the headers and the signing key written, and opens the headers read (docs/security.md).

export async function insertSubscription(
  db: Queryable,
  keyring: Keyring,
  tenantId: string,
  input: SubscriptionCreate,
  key: NewSigningKey,
  category: string | null = null,
): Promise<Subscription> {
  const { rows } = await db.query<SubscriptionRow>(
    `${INSERT_SUBSCRIPTION}
     RETURNING ${COLUMNS}`,
    newSubscriptionValues(keyring, tenantId, input, key, category, input.enabled),
  );
  if (input.ordering === 'fifo') await openLane(db, rows[0]!.id);
  return toApi(keyring, rows[0]!);
}

export async function getSubscription(db: Queryable, keyring: Keyring, tenantId: string, id: string): Promise<Subscription | undefined> {
  const { rows } = await db.query<SubscriptionRow>(`SELECT ${COLUMNS} FROM subscriptions WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL`, [
    tenantId,
    id,
  ]);
  return rows[0] && toApi(keyring, rows[0]);
}

/** Newest first; `after` is the seq of the last row of the previous page, `next` the one to ask after for the next page. */
export async function listSubscriptions(
  db: Queryable,
  keyring: Keyring,
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
  return { data: page.rows.map((row) => toApi(keyring, row)), next: page.next };
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
  'max_in_flight',
] as const;

export async function updateSubscription(
  db: Queryable,
  keyring: Keyring,
  tenantId: string,
  id: string,
  patch: SubscriptionPatch,
): Promise<Subscription | undefined> {
  const sets: string[] = [];
  const values: unknown[] = [tenantId, id];
  for (const field of PATCHABLE) {
    const value = patch[field];
    if (value === undefined) continue;
    if (field === 'headers') {
      values.push(sealHeaders(keyring, patch.headers!));
      sets.push(`headers_encrypted = $${values.length}`, `headers = '{}'`);
      continue;
    }
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
  return rows[0] && toApi(keyring, rows[0]);
}

export async function deleteSubscription(db: Queryable, tenantId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE subscriptions SET deleted_at = now(), enabled = false, updated_at = now()
     WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL`,
    [tenantId, id],
  );
  return (rowCount ?? 0) > 0;
}

/**
 * A category webhook: the tenant's one subscription of a category in an environment, created or replaced
 * in place. The category's event types are set again too: they are what makes it that category's webhook.
 */
export async function upsertCategorySubscription(
  db: Queryable,
  keyring: Keyring,
  tenantId: string,
  category: string,
  input: SubscriptionCreate,
  key: NewSigningKey,
): Promise<{ subscription: Subscription; created: boolean }> {
  // On conflict the existing row keeps its signing key and scheme: only a created row takes `key`.
  const { rows } = await db.query<SubscriptionRow & { inserted: boolean }>(
    `${INSERT_SUBSCRIPTION}
     ON CONFLICT (tenant_id, environment, category) WHERE category IS NOT NULL AND deleted_at IS NULL
     DO UPDATE SET url = EXCLUDED.url, method = EXCLUDED.method, headers_encrypted = EXCLUDED.headers_encrypted, headers = '{}',
       event_types = EXCLUDED.event_types, enabled = true, disabled_reason = NULL, failing_since = NULL, updated_at = now()
     RETURNING ${COLUMNS}, (xmax = 0) AS inserted`,
    newSubscriptionValues(keyring, tenantId, input, key, category, true),
  );
  const { inserted, ...row } = rows[0]!;
  return { subscription: toApi(keyring, row), created: inserted };
}
