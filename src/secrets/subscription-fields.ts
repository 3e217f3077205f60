// Which subscription columns are sealed, and how each is sealed and opened.
import { isSealed, type Keyring } from './encryption-keys.js';

/**
 * Authenticated data of each sealed column: a value opens only in the column it was sealed for.
 * A previous secret is a former current secret, moved as it is, so both share one purpose.
 */
export const PURPOSE = {
  secret: 'hookrelay subscriptions.secret',
  headers: 'hookrelay subscriptions.headers',
} as const;

/** A signing key as stored: sealed, or a plaintext one written before encryption at rest (until a start seals it). */
export function openSecret(keyring: Keyring, stored: string): string {
  return isSealed(stored) ? keyring.open(stored, PURPOSE.secret) : stored;
}

export const sealSecret = (keyring: Keyring, secret: string) => keyring.seal(secret, PURPOSE.secret);

/** Custom headers may carry the receiver's credentials (Authorization, API keys): the whole object is sealed. */
export const sealHeaders = (keyring: Keyring, headers: Record<string, string>) => keyring.seal(JSON.stringify(headers), PURPOSE.headers);

/** The headers of a row: the sealed column, else the plaintext one of a row not sealed yet. */
export function openHeaders(keyring: Keyring, sealed: string | null, plaintext: Record<string, string>): Record<string, string> {
  return sealed === null ? plaintext : (JSON.parse(keyring.open(sealed, PURPOSE.headers)) as Record<string, string>);
}
