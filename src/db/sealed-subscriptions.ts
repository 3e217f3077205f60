// The subscriptions' sealed columns as a whole: which keys they use, and sealing them under the newest key.
import type { Pool } from './pool.js';
import { inTransaction } from './transaction.js';
import { isSealed, sealedUnderPattern, type Keyring } from '../secrets/encryption-keys.js';
import { PURPOSE } from '../secrets/subscription-fields.js';

/** Every sealed value of the table with its purpose: current secrets, headers and previous secrets. */
const SEALED_VALUES = `
  SELECT secret_encrypted AS value, 'secret' AS purpose FROM subscriptions WHERE secret_encrypted IS NOT NULL
  UNION ALL
  SELECT headers_encrypted, 'headers' FROM subscriptions WHERE headers_encrypted IS NOT NULL
  UNION ALL
  SELECT p.entry ->> 'secret_encrypted', 'secret' FROM subscriptions, jsonb_array_elements(previous_secrets) AS p(entry)
  WHERE p.entry ? 'secret_encrypted'`;

export interface KeyUse {
  key_id: string;
  purpose: keyof typeof PURPOSE;
  /** One value sealed under the key, to try opening. */
  sample: string;
  count: number;
}

/** The key ids the stored values are sealed under, per purpose, each with a sample value. */
export async function keyUse(pool: Pool): Promise<KeyUse[]> {
  const { rows } = await pool.query<KeyUse>(
    `SELECT split_part(value, ':', 2) AS key_id, purpose, min(value) AS sample, count(*)::int AS count
     FROM (${SEALED_VALUES}) v GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  return rows;
}

/** A row with anything in plaintext: a secret, headers or a previous secret written before encryption at rest. */
const HAS_PLAINTEXT = `(secret IS NOT NULL OR headers <> '{}'::jsonb OR headers_encrypted IS NULL
  OR EXISTS (SELECT 1 FROM jsonb_array_elements(previous_secrets) e WHERE e ? 'secret'))`;
/** A row with a value sealed under another key than $3's pattern. */
const HAS_OLDER_KEY = `(secret_encrypted NOT LIKE $3 OR headers_encrypted NOT LIKE $3
  OR EXISTS (SELECT 1 FROM jsonb_array_elements(previous_secrets) e WHERE e ->> 'secret_encrypted' NOT LIKE $3))`;

interface StoredRow {
  id: string;
  secret: string | null;
  secret_encrypted: string | null;
  headers: Record<string, string>;
  headers_encrypted: string | null;
  previous_secrets: Array<{ secret?: string; secret_encrypted?: string; expires_at: string }>;
}

export interface ResealResult {
  /** Rows written: sealed from plaintext, or moved to the newest key. */
  rows: number;
}

/**
 * Seals every value of the subscriptions under the keyring's newest key: plaintext ones (`only: 'plaintext'`,
 * what each start does) or also those sealed under an older key (`'all'`, the re-encrypt command).
 * In batches of `batchSize` rows, each batch one transaction over rows locked FOR UPDATE, as
 * rotate-secret locks them: a concurrent rotation waits for the batch (or the batch for it, and then sees
 * its new key). A row already done is not written again, so running it twice, or from two processes at
 * once, is safe. updated_at is left as it is: the subscription did not change.
 */
export async function resealSubscriptions(
  pool: Pool,
  keyring: Keyring,
  options: { only: 'plaintext' | 'all'; batchSize?: number; onBatch?: (rows: number) => void },
): Promise<ResealResult> {
  const batchSize = options.batchSize ?? 200;
  const condition = options.only === 'plaintext' ? HAS_PLAINTEXT : `(${HAS_PLAINTEXT} OR ${HAS_OLDER_KEY})`;
  let after = '';
  let total = 0;
  for (;;) {
    const written = await inTransaction(pool, async (tx) => {
      const { rows } = await tx.query<StoredRow>(
        `SELECT id, secret, secret_encrypted, headers, headers_encrypted, previous_secrets FROM subscriptions
         WHERE id > $1 AND ${condition}
         ORDER BY id LIMIT $2 FOR UPDATE`,
        options.only === 'plaintext' ? [after, batchSize] : [after, batchSize, sealedUnderPattern(keyring.currentId)],
      );
      if (rows.length === 0) return undefined;
      const sealed = rows.map((row) => sealRow(keyring, row));
      await tx.query(
        `UPDATE subscriptions s
         SET secret = NULL, secret_encrypted = u.secret_encrypted, headers = '{}', headers_encrypted = u.headers_encrypted,
             previous_secrets = u.previous_secrets::jsonb
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS u(id, secret_encrypted, headers_encrypted, previous_secrets)
         WHERE s.id = u.id`,
        [
          sealed.map((r) => r.id),
          sealed.map((r) => r.secret_encrypted),
          sealed.map((r) => r.headers_encrypted),
          sealed.map((r) => JSON.stringify(r.previous_secrets)),
        ],
      );
      return rows;
    });
    if (!written) return { rows: total };
    total += written.length;
    after = written[written.length - 1]!.id;
    options.onBatch?.(written.length);
  }
}

function sealRow(keyring: Keyring, row: StoredRow) {
  const secret = (stored: string) => (isSealed(stored) ? keyring.reseal(stored, PURPOSE.secret) : keyring.seal(stored, PURPOSE.secret));
  return {
    id: row.id,
    secret_encrypted: secret(row.secret_encrypted ?? row.secret!),
    headers_encrypted:
      row.headers_encrypted === null
        ? keyring.seal(JSON.stringify(row.headers), PURPOSE.headers)
        : keyring.reseal(row.headers_encrypted, PURPOSE.headers),
    previous_secrets: row.previous_secrets.map((entry) => ({
      secret_encrypted: secret(entry.secret_encrypted ?? entry.secret!),
      expires_at: entry.expires_at,
    })),
  };
}
