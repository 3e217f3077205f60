import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import {
  formatEncryptionKeys,
  Keyring,
  keyIdOf,
  newEncryptionKeyEntry,
  parseEncryptionKeys,
  requireKeyring,
  SealedValueError,
  type EncryptionKey,
} from '../../src/secrets/encryption-keys.js';
import { SignerCache } from '../../src/delivery/signer-cache.js';
import { sealSecret } from '../../src/secrets/subscription-fields.js';

const key = (id: string): EncryptionKey => ({ id, key: randomBytes(32) });

describe('HOOKRELAY_ENCRYPTION_KEYS', () => {
  it('reads id:base64key entries, newest first, and says what is wrong with a bad one', () => {
    const text = `${newEncryptionKeyEntry('k2')},${newEncryptionKeyEntry('k1')}`;
    const parsed = parseEncryptionKeys(text);
    expect('keys' in parsed && parsed.keys.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect('keys' in parsed && formatEncryptionKeys(parsed.keys)).toBe(text);
    expect(parseEncryptionKeys('k1')).toEqual({ problems: [expect.stringMatching(/^entry 1: expected <id>:<base64 key>/)] });
    expect(parseEncryptionKeys('k1:c2hvcnQ=')).toEqual({ problems: [expect.stringMatching(/^key "k1": must be 32 bytes/)] });
    expect(parseEncryptionKeys(`${newEncryptionKeyEntry('a')},${newEncryptionKeyEntry('a')}`)).toEqual({
      problems: ['entry 2: key id "a" appears twice'],
    });
    expect(() => requireKeyring(undefined, 'API')).toThrow(/^HOOKRELAY_ENCRYPTION_KEYS is required to run the API/);
  });

  it('seals under the newest key, opens under any listed one, and only for the purpose it was sealed for', () => {
    const [k1, k2] = [key('k1'), key('k2')];
    const old = new Keyring([k1]);
    const sealed = old.seal('whsec_abc', 'p');
    expect(sealed).toMatch(/^v1:k1:/);
    expect(sealed).not.toContain('abc');
    expect(old.seal('whsec_abc', 'p')).not.toBe(sealed);
    const rotated = new Keyring([k2, k1]);
    expect(rotated.open(sealed, 'p')).toBe('whsec_abc');
    expect(() => rotated.open(sealed, 'other')).toThrow(SealedValueError);
    const resealed = rotated.reseal(sealed, 'p');
    expect(keyIdOf(resealed)).toBe('k2');
    expect(rotated.reseal(resealed, 'p')).toBe(resealed);
    expect(() => new Keyring([k2]).open(sealed, 'p')).toThrow(/key id "k1", which HOOKRELAY_ENCRYPTION_KEYS does not hold/);
    expect(() => new Keyring([{ id: 'k1', key: randomBytes(32) }]).open(sealed, 'p')).toThrow(/a wrong key/);
    const tampered = sealed.slice(0, -4) + (sealed.endsWith('AAA=') ? 'BBB=' : 'AAA=');
    expect(() => old.open(tampered, 'p')).toThrow(SealedValueError);
  });
});

describe('the worker signer cache', () => {
  it('opens a sealed key once, and again after its time is up', () => {
    const keyring = new Keyring([key('k1')]);
    let now = 0;
    const cache = new SignerCache(keyring, 1_000, 10, () => now);
    const sealed = sealSecret(keyring, `whsec_${randomBytes(32).toString('base64')}`);
    const first = cache.signer(sealed);
    expect(cache.signer(sealed)).toBe(first);
    now = 1_001;
    const later = cache.signer(sealed);
    expect(later).not.toBe(first);
    expect(later('m')).toBe(first('m'));
  });
});
