// The worker's opened signing keys, so a busy subscription's key is not opened and imported on every attempt.
import type { Keyring } from '../secrets/encryption-keys.js';
import { openSecret } from '../secrets/subscription-fields.js';
import { signerFor, type Signer } from './signature.js';

/**
 * Signers by the stored (sealed) value of their key. A rotation or a re-encryption stores a new value,
 * so an entry never outlives its key's use; entries also expire after `ttlMs`, so an opened key does not
 * stay in memory long after its subscription went quiet, and the map holds at most `maxEntries`.
 * Opening an ed25519 key costs a key import, several times the signature itself; an HMAC key is cheap
 * either way.
 */
export class SignerCache {
  private readonly entries = new Map<string, { signer: Signer; until: number }>();

  constructor(
    private readonly keyring: Keyring,
    private readonly ttlMs = 5 * 60_000,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  signer(stored: string): Signer {
    const at = this.now();
    const hit = this.entries.get(stored);
    if (hit && hit.until > at) return hit.signer;
    if (hit) this.entries.delete(stored);
    const signer = signerFor(openSecret(this.keyring, stored));
    // Map keeps insertion order: the first entry is the oldest.
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(stored, { signer, until: at + this.ttlMs });
    return signer;
  }
}
