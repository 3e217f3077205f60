// Producer keys (POST/GET/DELETE /v1/keys): stored as SHA-256 hashes, looked up by hash on every request
// that presents one, so a revoked or expired key is refused at once by every API process.
import { randomBytes } from 'node:crypto';
import type { Queryable } from './pool.js';
import { newId } from './ids.js';
import { pageOf } from './cursor.js';
import { hashKey } from './tenants.js';
import type { Scope } from '../domain/scopes.js';
import { PRODUCER_KEY_PREFIX } from '../domain/credentials.js';

export interface ProducerKeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  expires_at: Date | null;
  last_used_at: Date | null;
  created_by: string;
  created_at: Date;
  revoked_at: Date | null;
}

const COLUMNS = 'id, name, prefix, scopes, expires_at, last_used_at, created_by, created_at, revoked_at';

export async function insertProducerKey(
  db: Queryable,
  input: { name: string; scopes: Scope[]; expiresAt: Date | null; createdBy: string },
): Promise<{ row: ProducerKeyRow; key: string }> {
  const key = `${PRODUCER_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const { rows } = await db.query<ProducerKeyRow>(
    `INSERT INTO producer_keys (id, name, key_hash, prefix, scopes, expires_at, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
    [newId('prk'), input.name, hashKey(key), key.slice(0, 12), input.scopes, input.expiresAt, input.createdBy],
  );
  return { row: rows[0]!, key };
}

/** Newest first, revoked ones included (they say when); `after` is the seq the previous page ended at. */
export async function listProducerKeys(
  db: Queryable,
  query: { limit: number; after?: string },
): Promise<{ data: ProducerKeyRow[]; next: string | null }> {
  // seq is read as text (exact past 2^53) and ordered by the column, not by that text ('9' > '14').
  const { rows } = await db.query<ProducerKeyRow & { seq: string }>(
    `SELECT ${COLUMNS}, seq::text AS seq FROM producer_keys
     WHERE ($1::bigint IS NULL OR seq < $1) ORDER BY producer_keys.seq DESC LIMIT $2`,
    [query.after ?? null, query.limit + 1],
  );
  const page = pageOf(rows, query.limit);
  return { data: page.rows, next: page.next };
}

/** Revokes the key now: `revoked`, `already` (it keeps its first revocation time) or undefined when there is no such key. */
export async function revokeProducerKey(db: Queryable, id: string): Promise<'revoked' | 'already' | undefined> {
  const { rowCount } = await db.query('UPDATE producer_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id]);
  if (rowCount) return 'revoked';
  const { rows } = await db.query('SELECT 1 FROM producer_keys WHERE id = $1', [id]);
  return rows.length ? 'already' : undefined;
}

export interface LiveProducerKey {
  id: string;
  scopes: Scope[];
  expiresAt: Date | null;
  lastUsedAt: Date | null;
}

/**
 * The live keys (not revoked, not expired, by the database's clock) among these hashes, by the hex of
 * their hash; one statement for a batch of requests (src/api/key-lookups.ts).
 */
export async function producerKeysForHashes(db: Queryable, keyHashes: Buffer[]): Promise<Map<string, LiveProducerKey>> {
  const { rows } = await db.query<{ key_hash: Buffer; id: string; scopes: Scope[]; expires_at: Date | null; last_used_at: Date | null }>(
    `SELECT key_hash, id, scopes, expires_at, last_used_at FROM producer_keys
     WHERE key_hash = ANY($1::bytea[]) AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
    [keyHashes],
  );
  return new Map(
    rows.map((row) => [row.key_hash.toString('hex'), { id: row.id, scopes: row.scopes, expiresAt: row.expires_at, lastUsedAt: row.last_used_at }]),
  );
}

/** Sets last_used_at unless another process did within `withinMs`; one cheap UPDATE by primary key. */
export async function touchProducerKey(db: Queryable, id: string, withinMs: number): Promise<void> {
  await db.query(
    `UPDATE producer_keys SET last_used_at = now()
     WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2::double precision / 1000))`,
    [id, withinMs],
  );
}

/** Whether any live key carries `keys:manage`: without one, turning ADMIN_TOKEN off would lock the producer out. */
export async function liveKeyManagerExists(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM producer_keys
       WHERE 'keys:manage' = ANY(scopes) AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())) AS found`,
  );
  return rows[0]!.found;
}
