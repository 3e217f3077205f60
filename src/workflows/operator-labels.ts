// What an operator reads in the Temporal Web UI without opening an activity: the summaries of the timers a
// delivery waits on, and the event workflow's current details once it knows its outcome
// (docs/web-ui-runbook.md). Pure: labels are metadata, never commands, so they do not alter history.
import { ApplicationFailure } from '@temporalio/common';
import type { DeliveryResult, EventOutcome, OutcomeCounts } from './outcomes.js';

/** Longest current-details text: the Web UI shows it whole, and a fan-out's failures are in the API anyway. */
const DETAILS_MAX_CHARS = 600;
/** Failed deliveries listed one by one in the current details; the rest are counted. */
const DETAILS_MAX_FAILURES = 5;

/** A delay as an operator reads it: `750ms`, `30s`, `2m 30s`, `1h 5m`. */
export function formatDelay(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  const seconds = Math.round(ms / 1_000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 ? `${minutes}m ${seconds % 60}s` : `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours}h ${minutes % 60}m` : `${hours}h`;
}

/**
 * What an attempt failed with, in a few words: `HTTP 503` for a status, else its failure type
 * (`Timeout`, `ConnectionRefused`, … from RETRYABLE_FAILURE_TYPES); the full message stays in the history.
 */
export function failureInBrief(failure: Error | undefined): string {
  if (!failure) return 'a failed attempt';
  const status = /^HTTP \d{3}/.exec(failure.message);
  if (status) return status[0];
  return failure instanceof ApplicationFailure && failure.type ? failure.type : 'a failed attempt';
}

/** The summary of the timer before a retry: `attempt 2 of dlv_… to sub_… in 30s (after HTTP 503)`. */
export function retryWaitSummary(
  plan: { deliveryId: string; subscriptionId: string },
  nextAttempt: number,
  delayMs: number,
  failure: Error | undefined,
): string {
  return `attempt ${nextAttempt} of ${plan.deliveryId} to ${plan.subscriptionId} in ${formatDelay(delayMs)} (after ${failureInBrief(failure)})`;
}

/**
 * The event workflow's current details when it ends: its outcome first (the word HookrelayOutcome holds),
 * then how its deliveries ended and why the others did not succeed, e.g.
 * `failed: 0 of 1 deliveries succeeded; dlv_… to sub_… failed: HTTP 503 from … (attempt 5)`.
 */
export function outcomeDetails(result: {
  outcome: EventOutcome;
  deliveries: DeliveryResult[];
  counts?: OutcomeCounts;
  suppressedBy?: string;
}): string {
  const { outcome, deliveries } = result;
  if (result.suppressedBy !== undefined) return `${outcome}: event ${result.suppressedBy} was notified within the window`;
  const tally = result.counts ?? deliveries.reduce<OutcomeCounts>((acc, d) => ({ ...acc, [d.status]: (acc[d.status] ?? 0) + 1 }), {});
  const total = Object.values(tally).reduce((sum, n) => sum + (n ?? 0), 0);
  const parts = [`${outcome}: ${tally.succeeded ?? 0} of ${total} deliveries succeeded`];
  const notSucceeded = deliveries.filter((d) => d.status !== 'succeeded');
  for (const d of notSucceeded.slice(0, DETAILS_MAX_FAILURES)) {
    parts.push(`${d.deliveryId} to ${d.subscriptionId} ${d.status}${d.error ? `: ${d.error}` : ''}`);
  }
  if (notSucceeded.length > DETAILS_MAX_FAILURES) parts.push(`${notSucceeded.length - DETAILS_MAX_FAILURES} more not delivered`);
  const text = parts.join('; ');
  return text.length > DETAILS_MAX_CHARS ? `${text.slice(0, DETAILS_MAX_CHARS - 1)}…` : text;
}
