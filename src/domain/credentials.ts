// What each kind of key starts with: the API tells a producer key from a tenant key before any lookup, and
// the CLI tells a tenant key from a producer credential (a producer key or the admin token) before any request.
export const TENANT_KEY_PREFIX = 'hr_';
export const PRODUCER_KEY_PREFIX = 'hrp_';

/** A tenant's API key, as opposed to a producer credential (a producer key, or the admin token, which has no prefix). */
export const isTenantKey = (token: string): boolean => token.startsWith(TENANT_KEY_PREFIX);
