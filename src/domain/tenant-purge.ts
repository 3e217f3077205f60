// What a tenant purge deletes, in order. Pure: the purge workflow walks this list.

/**
 * Events first: they take their deliveries and attempts with them (ON DELETE CASCADE; a redelivery and
 * its original belong to the same event, so they leave in the same statement). The tenant row last.
 */
export const PURGE_ORDER = [
  'events',
  'deliveries',
  'recoveries',
  'subscriptions',
  'notification_windows',
  'portal_sessions',
  'api_keys',
  'tenant',
] as const;
export type PurgePart = (typeof PURGE_ORDER)[number];
