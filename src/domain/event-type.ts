// Event types and subscription patterns. Pure: imported by workflow code too.

export const EVENT_TYPE_PATTERN = /^[a-z0-9_]+(\.[a-z0-9_]+)*$/;
export const EVENT_TYPE_MAX_LENGTH = 128;
/** The type of a test event (`POST /v1/subscriptions/:id/test`); the portal calls it "Test event". */
export const TEST_EVENT_TYPE = 'hookrelay.test';
/** A subscription pattern: dotted segments where any segment may be `*`. */
export const SUBSCRIPTION_PATTERN = /^(\*|[a-z0-9_]+)(\.(\*|[a-z0-9_]+))*$/;

/**
 * `*` matches exactly one segment; a trailing `.*` (or a lone `*`) matches one or more
 * segments below, so `user.*` matches `user.created` and `user.profile.updated` but not `user`.
 */
export function matchesEventType(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  const want = pattern.split('.');
  const have = type.split('.');
  const trailingWildcard = want[want.length - 1] === '*';
  if (trailingWildcard ? have.length < want.length : have.length !== want.length) return false;
  for (let i = 0; i < want.length; i++) {
    const segment = want[i];
    if (segment !== '*' && segment !== have[i]) return false;
  }
  return true;
}

export function matchesAny(patterns: readonly string[], type: string): boolean {
  return patterns.some((pattern) => matchesEventType(pattern, type));
}
