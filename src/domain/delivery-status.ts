// A delivery goes pending → succeeded | failed | cancelled (its subscription was disabled or deleted meanwhile).
// The database's CHECK constraint lists the same names (test/integration/pagination.test.ts compares them).
export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * What a delivery's last attempt got, for filtering the delivery log: the class of its HTTP status, or
 * `network` when no HTTP answer came (a timeout, a refused connection, DNS, TLS, an SSRF refusal).
 */
export const STATUS_CLASSES = ['2xx', '3xx', '4xx', '5xx', 'network'] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];
