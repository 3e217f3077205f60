// A keyring of HMAC keys with ids, as HOOKRELAY_CURSOR_KEYS gives it: `id:secret[,id:secret…]`. The first
// key signs; every key listed verifies. Rotation: put a new key first, keep the old one listed for as
// long as what it signed should stay valid, then drop it.
import { randomBytes } from 'node:crypto';

export interface SigningKey {
  id: string;
  secret: Buffer;
}

export interface Keyring {
  /** The key that signs. */
  current: SigningKey;
  byId: ReadonlyMap<string, SigningKey>;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
/** At least 32 characters: an HMAC key as long as SHA-256's output (e.g. `openssl rand -hex 32` gives 64). */
export const MIN_SECRET_LENGTH = 32;

/** The keyring written in `text`, or the problem with it (never quoting a secret). */
export function parseKeyring(text: string): Keyring | { problem: string } {
  const keys: SigningKey[] = [];
  for (const [i, entry] of text.split(',').entries()) {
    const at = entry.indexOf(':');
    const id = entry.slice(0, at).trim();
    const secret = entry.slice(at + 1).trim();
    if (at <= 0 || !KEY_ID.test(id)) return { problem: `entry ${i + 1}: expected id:secret, the id of 1-32 letters, digits, _ or -` };
    if (secret.length < MIN_SECRET_LENGTH) return { problem: `key ${id}: the secret must be at least ${MIN_SECRET_LENGTH} characters` };
    if (keys.some((k) => k.id === id)) return { problem: `key ${id} is listed twice` };
    keys.push({ id, secret: Buffer.from(secret, 'utf8') });
  }
  return { current: keys[0]!, byId: new Map(keys.map((k) => [k.id, k])) };
}

/** A new keyring entry (`id:` and 64 hex characters of randomness), e.g. for a development set-up or a test. */
export function newCursorKeyEntry(id: string): string {
  return `${id}:${randomBytes(32).toString('hex')}`;
}
