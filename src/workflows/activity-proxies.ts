// The activities as the workflows call them, with the options each kind of call needs.
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

// Bookkeeping is short and idempotent: local activities, retried until the database answers,
// so an accepted event waits out a database outage instead of being lost.
const UNTIL_THE_DATABASE_ANSWERS = { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '30s' } as const;

/**
 * hookrelay's own records, read and written by the worker on the workflow's behalf (plans, outcomes, rate-limit
 * slots, FIFO lanes, notification windows): local activities, never a database call from workflow code.
 */
export const bookkeeping = proxyLocalActivities<Activities>({ startToCloseTimeout: '30s', retry: UNTIL_THE_DATABASE_ANSWERS });

/**
 * The event's first workflow task in one local activity (`dispatchEvent`): plans its deliveries and makes
 * their first attempts. Retried like `bookkeeping` (only the database failing throws), with time for the
 * slowest first attempt (timeout_ms is at most 60 s).
 */
export const dispatch = proxyLocalActivities<Activities>({ startToCloseTimeout: '2m', retry: UNTIL_THE_DATABASE_ANSWERS });

/** A first attempt the workflow makes itself (a redelivery, a lane's delivery, a rate-limited slot): one local activity. */
export const firstAttempt = proxyLocalActivities<Activities>({ startToCloseTimeout: '1m' });

/** Attempts after the first: a regular activity, retried by Temporal under the subscription's policy (shown pending in the Web UI). */
export const retries = proxyActivities<Activities>({ startToCloseTimeout: '1m' });
