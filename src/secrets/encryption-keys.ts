// The keys that encrypt hookrelay's stored secrets (HOOKRELAY_ENCRYPTION_KEYS), and sealing with them.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** The variable that holds the keys; every error about them names it. */
export const ENCRYPTION_KEYS_VARIABLE = 'HOOKRELAY_ENCRYPTION_KEYS';

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Sealed values start with this version tag, then the key id: `v1:<key id>:<base64 of iv, ciphertext, tag>`. */
const VERSION = 'v1';

/**
 * `id1:base64key,id2:base64key`, newest first. Each key is 32 random bytes (AES-256); ids are short
 * names (letters, digits, `_`, `-`) stored beside every ciphertext, so a key can be retired once no
 * value is sealed under it. Returns the reasons it is not such a list, or the keys.
 */
export function parseEncryptionKeys(value: string): { keys: EncryptionKey[] } | { problems: string[] } {
  const problems: string[] = [];
  const keys: EncryptionKey[] = [];
  const entries = value.split(',').map((entry) => entry.trim());
  entries.forEach((entry, i) => {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon);
    const encoded = colon < 0 ? '' : entry.slice(colon + 1);
    if (!KEY_ID.test(id)) {
      problems.push(`entry ${i + 1}: expected <id>:<base64 key> with an id of 1-32 letters, digits, _ or -`);
      return;
    }
    if (keys.some((k) => k.id === id)) problems.push(`entry ${i + 1}: key id "${id}" appears twice`);
    const key = Buffer.from(encoded, 'base64');
    // Buffer.from ignores characters that are not base64: compare to the canonical form to catch a typo.
    if (key.length !== KEY_BYTES || key.toString('base64').replace(/=+$/, '') !== encoded.replace(/=+$/, '')) {
      problems.push(`key "${id}": must be ${KEY_BYTES} bytes in base64 (openssl rand -base64 ${KEY_BYTES})`);
      return;
    }
    keys.push({ id, key });
  });
  return problems.length > 0 ? { problems } : { keys };
}

/** A new key entry for the variable: `<id>:<32 random bytes in base64>`. */
export function newEncryptionKeyEntry(id: string): string {
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

/** A sealed value that does not open: an unknown key id, a wrong key, or a value changed in the database. */
export class SealedValueError extends Error {}

/**
 * AES-256-GCM under the newest key, the others kept to open what was sealed before a rotation. Each
 * value gets a fresh random IV; the `purpose` (which column it belongs to) is authenticated data, so
 * a value copied into another column does not open there.
 */
export class Keyring {
  private readonly byId: Map<string, Buffer>;
  readonly currentId: string;

  constructor(keys: readonly EncryptionKey[]) {
    if (keys.length === 0) throw new Error(`${ENCRYPTION_KEYS_VARIABLE} holds no key`);
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
    this.currentId = keys[0]!.id;
  }

  get ids(): string[] {
    return [...this.byId.keys()];
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  seal(plaintext: string, purpose: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.byId.get(this.currentId)!, iv);
    cipher.setAAD(Buffer.from(purpose));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${VERSION}:${this.currentId}:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64')}`;
  }

  open(sealed: string, purpose: string): string {
    const { keyId, bytes } = parseSealed(sealed);
    const key = this.byId.get(keyId);
    if (!key) throw new SealedValueError(`a stored secret is sealed under key id "${keyId}", which ${ENCRYPTION_KEYS_VARIABLE} does not hold`);
    if (bytes.length < IV_BYTES + TAG_BYTES) throw new SealedValueError('a stored secret is truncated');
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(purpose));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SealedValueError(`key "${keyId}" of ${ENCRYPTION_KEYS_VARIABLE} does not open a secret sealed under that id (a wrong key)`);
    }
  }

  /** The value sealed under the newest key: unchanged when it already is. */
  reseal(sealed: string, purpose: string): string {
    return keyIdOf(sealed) === this.currentId ? sealed : this.seal(this.open(sealed, purpose), purpose);
  }
}

/** True for a value in the sealed format; false for a legacy plaintext (a `whsec_…` secret). */
export const isSealed = (value: string) => value.startsWith(`${VERSION}:`);

export function keyIdOf(sealed: string): string {
  return parseSealed(sealed).keyId;
}

/** The SQL LIKE pattern of values sealed under `keyId`. */
export const sealedUnderPattern = (keyId: string) => `${VERSION}:${keyId}:%`;

function parseSealed(sealed: string): { keyId: string; bytes: Buffer } {
  const [version, keyId, encoded, ...rest] = sealed.split(':');
  if (version !== VERSION || !keyId || encoded === undefined || rest.length > 0)
    throw new SealedValueError('a stored secret is not in the sealed format');
  return { keyId, bytes: Buffer.from(encoded, 'base64') };
}

/** The keyring of a process that reads or writes secrets (the API, the worker); without keys it does not start. */
export function requireKeyring(keys: readonly EncryptionKey[] | undefined, who: string): Keyring {
  if (!keys || keys.length === 0) {
    throw new Error(
      `${ENCRYPTION_KEYS_VARIABLE} is required to run the ${who}: id:base64key[,id:base64key…], newest first ` +
        `(a key: openssl rand -base64 32; docs/security.md, "Secrets at rest")`,
    );
  }
  return new Keyring(keys);
}

/** The variable's text for `keys` (what parseEncryptionKeys reads back). */
export const formatEncryptionKeys = (keys: readonly EncryptionKey[]) => keys.map((k) => `${k.id}:${k.key.toString('base64')}`).join(',');
