// The names a failed attempt goes by, declared once. Pure: the workflow code imports it too.
//  - its error class: stored with the attempt and shown by the API (`error_class`);
//  - its failure type: the ApplicationFailure type that the workflow, the retry policy and the Web UI see.

export const ERROR_CLASSES = ['http_status', 'timeout', 'connection_refused', 'connection_reset', 'dns', 'tls', 'ssrf_blocked', 'network'] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

/** Failure types that end a delivery at once. */
export const FailureType = {
  /** The receiver answered 410 Gone; the attempt also disabled the subscription. */
  Gone: 'DeliveryGone',
  /** A status the subscription's policy lists in `non_retryable_statuses`. */
  NonRetryableStatus: 'NonRetryableStatus',
  /** The target is a private, loopback or otherwise forbidden address. */
  SsrfBlocked: 'SsrfBlocked',
  /** The delivery was cancelled, or its subscription disabled or deleted, before this attempt. */
  Cancelled: 'DeliveryCancelled',
  /** Every attempt failed for longer than the auto-disable window; this attempt disabled the subscription. */
  SubscriptionDisabled: 'SubscriptionDisabled',
} as const;
export type FinalFailureType = (typeof FailureType)[keyof typeof FailureType];

/**
 * An attempt was sent but could not be recorded after a few tries: the delivery ends (failed) instead of
 * sending the request again. Thrown non-retryable, so it is not in NON_RETRYABLE_ERROR_TYPES (which is
 * part of every delivery activity's options, and so of workflow histories).
 */
export const ATTEMPT_NOT_RECORDED = 'AttemptNotRecorded';

/**
 * An attempt that was not made: the bulkhead or the circuit breaker refused it (docs/isolation.md). Retried
 * after the wait it names (nextRetryDelay); it is not an attempt, so it uses up none of the retry policy.
 */
export const NOT_ADMITTED = 'NotAdmitted';

/** What Temporal must never retry: every final failure type. */
export const NON_RETRYABLE_ERROR_TYPES: FinalFailureType[] = Object.values(FailureType);

/** The failure type of a retryable attempt, named after its error class for the Web UI. */
export const RETRYABLE_FAILURE_TYPES: Readonly<Record<ErrorClass, string>> = {
  http_status: 'HttpStatus',
  timeout: 'Timeout',
  connection_refused: 'ConnectionRefused',
  connection_reset: 'ConnectionReset',
  dns: 'Dns',
  tls: 'Tls',
  ssrf_blocked: 'SsrfBlocked',
  network: 'Network',
};
