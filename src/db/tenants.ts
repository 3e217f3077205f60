import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from './pool.js';
import { newId } from './ids.js';
import { TENANT_KEY_PREFIX } from '../domain/credentials.js';

/** API keys are 256-bit random, so an unsalted SHA-256 is enough to make the stored hash useless to a thief. */
export function hashKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

export interface CreatedTenant {
  id: string;
  name: string;
  api_key: string;
  created_at: string;
}

export async function createTenant(db: Queryable, name: string): Promise<CreatedTenant> {
  const id = newId('ten');
  const apiKey = `${TENANT_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const { rows } = await db.query<{ created_at: Date }>(
    `WITH tenant AS (INSERT INTO tenants (id, name) VALUES ($1, $2) RETURNING created_at),
          key AS (INSERT INTO api_keys (id, tenant_id, key_hash, prefix) SELECT $3, $1, $4, $5 FROM tenant)
     SELECT created_at FROM tenant`,
    [id, name, newId('key'), hashKey(apiKey), apiKey.slice(0, 7)],
  );
  return { id, name, api_key: apiKey, created_at: rows[0]!.created_at.toISOString() };
}

/** The tenant whose live key has this hash, and the key's id (the audit log names it). */
export async function tenantForKeyHash(db: Queryable, keyHash: Buffer): Promise<{ tenantId: string; keyId: string } | undefined> {
  const { rows } = await db.query<{ tenant_id: string; id: string }>(
    // A tenant being purged (DELETE /v1/tenants/:id) has no live key from the 202 on.
    `SELECT k.tenant_id, k.id FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
     WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND t.purging_at IS NULL`,
    [keyHash],
  );
  const row = rows[0];
  return row && { tenantId: row.tenant_id, keyId: row.id };
}
