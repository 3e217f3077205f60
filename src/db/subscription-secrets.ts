// The replaced secrets of a subscription that still sign beside its current one, and rotation.
import type { Queryable } from './pool.js';
import type { SignatureScheme } from '../domain/signature-scheme.js';

/**
 * An entry's signing key as stored: sealed (`secret_encrypted`), or plaintext (`secret`) in an entry
 * written before encryption at rest, until a start seals it (src/db/sealed-subscriptions.ts).
 */
export const STORED_PREVIOUS_SECRET = "COALESCE(p.entry ->> 'secret_encrypted', p.entry ->> 'secret')";

/**
 * An SQL array of `value` (an expression over `p.entry`, one `{secret_encrypted, expires_at}` of the jsonb array
 * `column`) for each replaced secret still signing, newest first. An entry past its `expires_at` stops
 * counting at once, whether or not a later rotation has removed it yet.
 */
export function activePreviousSecrets(column: string, value: string): string {
  return `ARRAY(SELECT ${value} FROM jsonb_array_elements(${column}) WITH ORDINALITY AS p(entry, n)
    WHERE (p.entry ->> 'expires_at')::timestamptz > now() ORDER BY p.n)`;
}

/** The API's view of replaced secrets: their expiry only, never their value. */
export const expiries = (dates: Date[]) => dates.map((date) => ({ expires_at: date.toISOString() }));

export interface Rotation {
  /** The replaced secrets still signing, newest first (the one just replaced first). */
  previous_secrets: Array<{ expires_at: string }>;
  /** Replaced secrets still within their grace that this rotation stopped, to keep at most `maxPrevious`; oldest last. */
  dropped_previous_secrets: Array<{ expires_at: string }>;
}

/** The subscription's signature scheme; undefined when it is not the tenant's. */
export async function signatureScheme(db: Queryable, tenantId: string, id: string): Promise<SignatureScheme | undefined> {
  const { rows } = await db.query<{ signature: SignatureScheme }>(
    'SELECT signature FROM subscriptions WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL',
    [tenantId, id],
  );
  return rows[0]?.signature;
}

/**
 * The new secret (sealed; with its public key for ed25519) signs from now on; the one it replaces keeps signing beside it until `graceMs` has
 * passed, and so does each secret replaced before it whose own grace has not ended, newest first,
 * at most `maxPrevious` of them: beyond that the oldest stop now and are returned as dropped.
 * Expired entries are removed. The row is locked first, so concurrent rotations each keep the other's secret.
 * Undefined when the subscription is not the tenant's.
 */
export async function rotateSecret(
  db: Queryable,
  tenantId: string,
  id: string,
  sealedSecret: string,
  publicKey: string | null,
  graceMs: number,
  maxPrevious: number,
): Promise<Rotation | undefined> {
  // The replaced key moves into previous_secrets as stored (sealed: nothing is opened here); a plaintext
  // one of a row not sealed yet moves as `secret`, and the next start seals it.
  const { rows } = await db.query<{ kept: Date[]; dropped: Date[] }>(
    `WITH old AS (
       SELECT id, secret, secret_encrypted, previous_secrets FROM subscriptions
       WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL
       FOR UPDATE
     ), replaced AS (
       SELECT row_number() OVER (ORDER BY rank) AS n, entry
       FROM (
         SELECT 0::bigint AS rank,
                jsonb_strip_nulls(jsonb_build_object('secret_encrypted', old.secret_encrypted, 'secret', old.secret,
                  'expires_at', now() + make_interval(secs => $4::double precision / 1000))) AS entry
         FROM old
         UNION ALL
         SELECT p.n, p.entry FROM old, jsonb_array_elements(old.previous_secrets) WITH ORDINALITY AS p(entry, n)
         WHERE (p.entry ->> 'expires_at')::timestamptz > now()
       ) candidates
     ), updated AS (
       UPDATE subscriptions s
       SET secret_encrypted = $3, secret = NULL, public_key = $6, updated_at = now(),
           previous_secrets = COALESCE((SELECT jsonb_agg(entry ORDER BY n) FROM replaced WHERE n <= $5), '[]')
       FROM old WHERE s.id = old.id
     )
     SELECT ARRAY(SELECT (entry ->> 'expires_at')::timestamptz FROM replaced WHERE n <= $5 ORDER BY n) AS kept,
            ARRAY(SELECT (entry ->> 'expires_at')::timestamptz FROM replaced WHERE n > $5 ORDER BY n) AS dropped
     FROM old`,
    [tenantId, id, sealedSecret, graceMs, maxPrevious, publicKey],
  );
  const row = rows[0];
  return row && { previous_secrets: expiries(row.kept), dropped_previous_secrets: expiries(row.dropped) };
}
