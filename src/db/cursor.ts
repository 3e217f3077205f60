// Keyset pagination, newest first, on each table's `seq` (an identity column: strictly increasing,
// unique, and exact, unlike a timestamp read back at millisecond precision, which skipped rows that
// shared a millisecond). A page asks for rows below the last seq it saw, so rows created while a
// client pages land above its cursor and every row present when paging began comes exactly once.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Keyring } from '../cursor-keys.js';

/** A cursor names the list it came from and whose it is, so one issued elsewhere is refused, not misread. */
export type CursorScope = 'subscriptions' | 'deliveries' | 'keys' | 'audit';

const MAC_BYTES = 16;
const TOKEN = /^[A-Za-z0-9_-]{35,80}$/; // base64url of the key id's length and bytes, 8 bytes of seq, 16 bytes of MAC
const MAX_SEQ = 2n ** 63n - 1n;

/**
 * Cursors are opaque to clients: the id of the key that signed it, the row's seq and an HMAC over
 * (scope, tenant, seq) under that key (HOOKRELAY_CURSOR_KEYS: the first key signs, every key listed is
 * accepted, so the keys rotate). Anything this API did not issue (edited, forged, from another tenant
 * or list, or signed by a key no longer listed) fails the check and is a 400.
 */
export class CursorCodec {
  constructor(private readonly keys: Keyring) {}

  private mac(secret: Buffer, scope: CursorScope, tenantId: string, seq: bigint): Buffer {
    return createHmac('sha256', secret).update(`${scope}\n${tenantId}\n${seq}`).digest().subarray(0, MAC_BYTES);
  }

  encode(scope: CursorScope, tenantId: string, seq: string): string {
    const { id, secret } = this.keys.current;
    const value = BigInt(seq);
    const kid = Buffer.from(id, 'utf8');
    const bytes = Buffer.alloc(8);
    bytes.writeBigInt64BE(value);
    return Buffer.concat([Buffer.from([kid.length]), kid, bytes, this.mac(secret, scope, tenantId, value)]).toString('base64url');
  }

  /** The seq the cursor carries, or null when it was not issued by this API for this list and tenant. */
  decode(scope: CursorScope, tenantId: string, text: string): string | null {
    if (!TOKEN.test(text)) return null;
    const bytes = Buffer.from(text, 'base64url');
    const kidLength = bytes[0]!;
    if (kidLength < 1 || bytes.length !== 1 + kidLength + 8 + MAC_BYTES) return null;
    const key = this.keys.byId.get(bytes.subarray(1, 1 + kidLength).toString('utf8'));
    if (!key) return null;
    const seq = bytes.readBigInt64BE(1 + kidLength);
    if (seq < 1n || seq > MAX_SEQ) return null;
    return timingSafeEqual(bytes.subarray(1 + kidLength + 8), this.mac(key.secret, scope, tenantId, seq)) ? seq.toString() : null;
  }
}

/** Fetches limit+1 rows; the extra one only tells whether there is a next page, whose cursor is the last kept row's seq. */
export function pageOf<T extends { seq: string }>(rows: T[], limit: number): { rows: Array<Omit<T, 'seq'>>; next: string | null } {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  return { rows: kept.map(({ seq: _seq, ...row }) => row), next: more ? kept[kept.length - 1]!.seq : null };
}
