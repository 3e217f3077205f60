// A delivery goes pending → succeeded | failed | cancelled (its subscription was disabled or deleted meanwhile).
// The database's CHECK constraint lists the same names (test/integration/pagination.test.ts compares them).
export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
