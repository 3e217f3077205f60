import { createHmac, createPrivateKey, generateKeyPairSync, randomBytes, sign as signWith, type KeyObject } from 'node:crypto';
import type { SignatureScheme } from '../domain/signature-scheme.js';

const SECRET_PREFIX = 'whsec_';
/** An ed25519 signing key as hookrelay stores it (sealed, never shown): `whsk_` + base64 of the 32-byte seed and the 32-byte public key. */
const PRIVATE_KEY_PREFIX = 'whsk_';
/** Standard Webhooks' form of an ed25519 public key: `whpk_` + base64 of its 32 raw bytes. */
export const PUBLIC_KEY_PREFIX = 'whpk_';

export function generateSecret(bytes = 32): string {
  return SECRET_PREFIX + randomBytes(bytes).toString('base64');
}

/** A new signing key: `secret` is what signs (stored sealed); `shown` is what the API answers with, once. */
export interface NewSigningKey {
  secret: string;
  /** The ed25519 public key (`whpk_…`); null for HMAC, whose secret is the only key. */
  publicKey: string | null;
  shown: { secret: string } | { public_key: string };
}

export function generateSigningKey(scheme: SignatureScheme): NewSigningKey {
  if (scheme === 'hmac-sha256') {
    const secret = generateSecret();
    return { secret, publicKey: null, shown: { secret } };
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d!, 'base64url');
  const raw = Buffer.from(jwk.x!, 'base64url');
  const publicKeyText = PUBLIC_KEY_PREFIX + raw.toString('base64');
  return {
    secret: PRIVATE_KEY_PREFIX + Buffer.concat([seed, raw]).toString('base64'),
    publicKey: publicKeyText,
    shown: { public_key: publicKeyText },
  };
}

/** One `webhook-signature` entry for a message `{id}.{timestamp}.{body}`. */
export type Signer = (message: string) => string;

/**
 * The signer of a stored signing key: `v1,` + base64 HMAC-SHA256 keyed by a `whsec_` secret's decoded
 * bytes, or `v1a,` + base64 ed25519 signature for a `whsk_` key (Standard Webhooks). Building one
 * imports the key once; signing with it is the per-request cost.
 */
export function signerFor(secret: string): Signer {
  if (secret.startsWith(PRIVATE_KEY_PREFIX)) {
    const key = ed25519PrivateKey(secret);
    return (message) => `v1a,${signWith(null, Buffer.from(message), key).toString('base64')}`;
  }
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
  return (message) => `v1,${createHmac('sha256', key).update(message).digest('base64')}`;
}

function ed25519PrivateKey(secret: string): KeyObject {
  const bytes = Buffer.from(secret.slice(PRIVATE_KEY_PREFIX.length), 'base64');
  // The JWK form with both halves: importing the seed alone would recompute the public key each time.
  return createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', d: bytes.subarray(0, 32).toString('base64url'), x: bytes.subarray(32, 64).toString('base64url') },
    format: 'jwk',
  });
}

export const signedMessage = (id: string, timestampSeconds: number, body: string) => `${id}.${timestampSeconds}.${body}`;

/** Standard Webhooks: `v1,` + base64 HMAC-SHA256 over "{id}.{timestamp}.{body}" (or `v1a,` + ed25519 for a `whsk_` key). */
export function sign(secret: string, id: string, timestampSeconds: number, body: string): string {
  return signerFor(secret)(signedMessage(id, timestampSeconds, body));
}

/** One space-separated entry per active secret (current and previous), so a receiver holding any one of them verifies during rotation. */
export function signatureHeader(secrets: readonly string[], id: string, timestampSeconds: number, body: string): string {
  return secrets.map((secret) => sign(secret, id, timestampSeconds, body)).join(' ');
}
