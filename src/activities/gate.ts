// The gate before every attempt, as the delivery activities ask it (docs/isolation.md): what an admission
// needs from the attempt's context, and a refusal as the failure Temporal retries after the wait.
import { ApplicationFailure } from '@temporalio/common';
import type { AttemptContext } from '../db/attempts.js';
import type { AdmissionRequest } from '../db/isolation.js';
import { NOT_ADMITTED } from '../domain/delivery-failures.js';
import { describeWait, type GateReason } from '../domain/flow-control.js';
import { ACTIVITY_OVERHEAD_MS } from '../domain/retry-policy.js';
import type { WorkerMetrics } from '../metrics.js';

/** A refused attempt asks again after about this long (more when older attempts wait before it). */
const GATE_POLL_MS = 500;

export function makeGate(deps: { clock: () => Date; metrics: WorkerMetrics; isolation: { originMaxInFlight: number; slowStartInFlight: number } }) {
  return {
    /** The attempt's request to the gate (the bulkhead and the circuit breaker). */
    request(ctx: AttemptContext, deliveryId: string): AdmissionRequest {
      return {
        deliveryId,
        subscriptionId: ctx.subscription_id,
        origin: originOf(ctx.url),
        maxInFlight: ctx.max_in_flight,
        originMaxInFlight: deps.isolation.originMaxInFlight,
        slowStart: deps.isolation.slowStartInFlight,
        leaseMs: ctx.timeout_ms + ACTIVITY_OVERHEAD_MS,
        seq: ctx.accepted_seq,
        pollMs: GATE_POLL_MS,
      };
    },
    /** Counts a refusal and says why, as the Web UI shows it. */
    refused(reason: GateReason, waitMs: number, ctx: AttemptContext): string {
      deps.metrics.gateRefusals.inc({ reason });
      return describeWait(reason, waitMs, deps.clock().getTime(), ctx.max_in_flight);
    },
  };
}

/** A refused attempt, as the failure Temporal retries after the wait (it is not an attempt: nothing was sent). */
export function notAdmitted(reason: GateReason, waitMs: number, message: string): ApplicationFailure {
  return ApplicationFailure.create({
    message,
    type: NOT_ADMITTED,
    nonRetryable: false,
    details: [{ waiting: { reason, waitMs } }],
    nextRetryDelay: waitMs,
  });
}

/** scheme://host:port, the unit of the per-origin bound; a URL that does not parse is its own origin. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
