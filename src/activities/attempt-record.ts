// Recording an attempt whose request already went out. The record must not fail in a way that makes
// Temporal run the attempt again: a retried activity sends the request again, and a record that can
// never be written (a value the database refuses) would send it forever.
import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from 'pino';
import { isDataException, type Pool } from '../db/pool.js';
import { recordAttempt, type AttemptRecord } from '../db/attempts.js';
import { ATTEMPT_NOT_RECORDED } from '../domain/delivery-failures.js';
import type { WorkerMetrics } from '../metrics.js';
import type { CircuitSettings } from '../db/isolation.js';

/** Pauses between tries of a record the database did not take (connection lost, failover). */
const RETRY_PAUSES_MS = [200, 1_000, 3_000];

export interface RecordDeps {
  pool: Pool;
  metrics: WorkerMetrics;
  logger: Logger;
  /** Overrides the pauses (tests). */
  pausesMs?: number[];
  circuit: CircuitSettings;
}

export function makeAttemptRecorder(deps: RecordDeps) {
  const pauses = deps.pausesMs ?? RETRY_PAUSES_MS;

  /**
   * Records the attempt, trying again a few times. A value the database refuses is left out (the
   * receiver's body and error text are the only values from outside), so the attempt is still counted.
   * When nothing can be written, throws a non-retryable AttemptNotRecorded: the delivery ends failed,
   * saying why, and the request is not sent again. Either case is logged at error and counted.
   */
  return async function recordOnce(record: AttemptRecord, describe: string): Promise<{ failingSince: Date | null }> {
    let current = record;
    let lastError: unknown;
    for (let attempt = 0; attempt <= pauses.length; attempt++) {
      try {
        const recorded = await recordAttempt(deps.pool, current, deps.circuit);
        if (current !== record) {
          deps.metrics.attemptRecordFailures.inc({ outcome: 'recorded_without_response' });
          deps.logger.error(
            { err: lastError, deliveryId: record.deliveryId, attempt: record.number },
            "attempt recorded without the receiver's response: the database refused a value of it",
          );
        }
        return recorded;
      } catch (error) {
        lastError = error;
        if (isDataException(error) && current === record) {
          const code = String((error as { code?: unknown }).code);
          current = { ...record, responseBody: undefined, errorMessage: `the response could not be stored (PostgreSQL ${code})` };
          continue;
        }
        if (attempt < pauses.length) await sleep(pauses[attempt]);
      }
    }
    deps.metrics.attemptRecordFailures.inc({ outcome: 'not_recorded' });
    const reason = (lastError as Error | undefined)?.message ?? String(lastError);
    deps.logger.error(
      { err: lastError, deliveryId: record.deliveryId, attempt: record.number },
      'attempt sent but not recorded: the delivery ends failed instead of sending it again',
    );
    throw ApplicationFailure.create({
      type: ATTEMPT_NOT_RECORDED,
      nonRetryable: true,
      message: `attempt ${record.number} was sent (${describe}) but could not be recorded (${reason}); it is not sent again`,
    });
  };
}
