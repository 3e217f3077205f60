// The activities as the workflows call them, with the options each kind of call needs.
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

// Database work is short and idempotent: local activities, retried until the database answers,
// so an accepted event waits out a database outage instead of being lost.
const UNTIL_THE_DATABASE_ANSWERS = { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '30s' } as const;

export const db = proxyLocalActivities<Activities>({ startToCloseTimeout: '30s', retry: UNTIL_THE_DATABASE_ANSWERS });

/** Attempts after the first: a regular activity, retried by Temporal under the subscription's policy. */
export const remote = proxyActivities<Activities>({ startToCloseTimeout: '1m' });

/** The first attempt, in the same workflow task as prepareDeliveries. */
export const local = proxyLocalActivities<Activities>({ startToCloseTimeout: '1m' });

/**
 * Planning and first attempts in one local activity (`dispatchEvent`): retried like `db` (only the
 * database failing throws), with time for the slowest first attempt (timeout_ms is at most 60 s).
 */
export const dispatch = proxyLocalActivities<Activities>({ startToCloseTimeout: '2m', retry: UNTIL_THE_DATABASE_ANSWERS });
