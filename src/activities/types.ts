// The activities' contract with the workflows: every activity input and result is stored in workflow
// histories, so a change here must keep old histories readable (db/ depends on these types, not the reverse).
import type { ResolvedRetryPolicy } from '../domain/retry-policy.js';

/**
 * The event whose deliveries to plan. An event posted by the producer is already stored and the input
 * carries its identity only; a notification's payload (hookrelay makes it) comes here and is stored first.
 */
export interface PrepareInput {
  tenantId: string;
  eventId: string;
  environment: string;
  type: string;
  payload?: Record<string, unknown>;
  workflowId: string;
}

/** What the workflow needs to schedule one delivery: ids and policy only, never secrets or payloads. */
export interface DeliveryPlan {
  deliveryId: string;
  subscriptionId: string;
  url: string;
  retryPolicy: ResolvedRetryPolicy;
  timeoutMs: number;
  /** The subscription had a rate limit when the delivery was planned: its attempts take slots (workflows/rate-limited.ts). */
  rateLimited?: true;
  /** The subscription's ordering is fifo: its lane makes the delivery (workflows/fifo-handoff.ts, fifo-lane-workflow.ts). */
  fifo?: true;
}

/** The event's first workflow task in one local activity: plan its deliveries and make their first attempts. */
export interface DispatchInput extends PrepareInput {
  timeScale: number;
  /** Deliveries already cancelled by a signal (sent with the start): planned, never attempted. */
  cancelled?: string[];
  /** The workflow handles first attempts left in flight or refused at the gate (set by workflows since the isolation patch). */
  isolation?: true;
}

/**
 * How a first attempt made by `dispatchEvent` went. A failure is data here, not a thrown ActivityFailure
 * (one activity makes the first attempts of every delivery); the workflow rebuilds the same
 * ApplicationFailure from it, so what follows (retries, notifications) is what a failed `deliver` gives.
 */
export type FirstAttempt =
  | { delivered: DeliverResult }
  | { failed: { message: string; type: string | null; nonRetryable: boolean; details: Array<SubscriptionDisabledDetail | RetryAfterDetail> } }
  /** Still running when dispatchEvent's inline budget ran out: the next `deliver` waits for its record. */
  | { inFlight: { attempt: number } }
  /** Not admitted by the gate (docs/isolation.md): the delivery waits this long before asking again. */
  | { waiting: { reason: string; waitMs: number; message: string } };

export interface DispatchResult {
  /** A fan-out larger than a slice: the child workflows (ids) that make its deliveries; plans and first are empty. */
  slices?: string[];
  plans: DeliveryPlan[];
  /** By delivery id; none for a rate-limited or FIFO delivery, whose first attempt waits for its slot or its lane. */
  first: Record<string, FirstAttempt>;
}

export interface DeliverInput {
  deliveryId: string;
  /** Attempts already made before this activity (1 when the first ran as a local activity). */
  attemptOffset?: number;
  retryPolicy: ResolvedRetryPolicy;
  /** Scales a receiver's Retry-After the same way the policy's intervals are scaled. */
  timeScale: number;
  /** One attempt of a rate-limited delivery: admitted against the subscription's limit before it is sent. */
  rateLimited?: boolean;
  /** dispatchEvent left this attempt running past its inline budget: wait for its outcome before going on. */
  inFlightAttempt?: number;
}

export interface DeliverResult {
  statusCode: number;
  attempts: number;
  durationMs: number;
  /** A rate-limited attempt that was not admitted (and not made): the workflow waits this long for a new slot. */
  notAdmittedForMs?: number;
}

export interface SlotInput {
  subscriptionId: string;
  deliveryId: string;
  timeScale: number;
}

export interface FinishInput {
  deliveryId: string;
  status: 'failed' | 'cancelled';
  reason: string | null;
}

/** What a failure.delivery notification reports about the delivery that gave up. */
export interface FinishedDeliverySummary {
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  firstAttemptAt: string | null;
  lastAttemptAt: string | null;
}

/** A failure.extraction event, already stored: its notification key is read from its payload. */
export interface ClaimInput {
  tenantId: string;
  eventId: string;
}

/** Attached to a delivery failure when that attempt disabled the subscription (410 Gone, or failing too long). */
export interface SubscriptionDisabledDetail {
  subscriptionDisabled: { subscriptionId: string; url: string; reason: string };
}

/** Attached to a retryable failure when the receiver's Retry-After set the next delay (already bounded and scaled). */
export interface RetryAfterDetail {
  retryAfterMs: number;
}

export interface QueueInput {
  subscriptionId: string;
  deliveryId: string;
  timeScale: number;
}

/** Where a delivery handed to its lane stands: ended already (the lane was quicker than this workflow), or queued. */
export type QueuedResult = { ended: true; status: 'succeeded' | 'failed' | 'cancelled'; attempts: number; error: string | null } | { ended: false };

export type LaneNext =
  { kind: 'deliver'; plan: DeliveryPlan; workflowId: string; eventId: string; seq: string } | { kind: 'wait'; ms: number } | { kind: 'idle' };
