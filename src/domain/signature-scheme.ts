/** How a subscription's requests are signed (Standard Webhooks): `v1,` HMAC-SHA256 entries, or `v1a,` ed25519 ones. */
export const SIGNATURE_SCHEMES = ['hmac-sha256', 'ed25519'] as const;
export type SignatureScheme = (typeof SIGNATURE_SCHEMES)[number];
export const DEFAULT_SIGNATURE_SCHEME: SignatureScheme = 'hmac-sha256';
