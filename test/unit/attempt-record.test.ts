// Recording an attempt that was sent: a value the database refuses is left out, and a record that cannot
// be written ends the delivery (non-retryable) after a bounded number of tries instead of a resend.
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { ApplicationFailure } from '@temporalio/common';
import { makeAttemptRecorder } from '../../src/activities/attempt-record.js';
import { createWorkerMetrics } from '../../src/metrics.js';
import type { Pool } from '../../src/db/pool.js';
import type { AttemptRecord } from '../../src/db/attempts.js';

const record: AttemptRecord = {
  deliveryId: 'dlv_1',
  subscriptionId: 'sub_1',
  number: 2,
  startedAt: new Date(),
  durationMs: 5,
  ok: true,
  statusCode: 200,
  responseBody: { text: 'ok', raw: undefined },
  circuit: 'up',
};
const circuit = { failureThreshold: 5, cooldownMs: 30_000, maxCooldownMs: 600_000 };

function fakePool(answers: Array<Error | { failing_since: Date | null }>) {
  const calls: unknown[][] = [];
  const pool = {
    async query(_sql: string, params: unknown[]) {
      calls.push(params);
      const answer = answers.shift() ?? new Error('no more answers');
      if (answer instanceof Error) throw answer;
      return { rows: [answer] };
    },
  } as unknown as Pool;
  return { pool, calls };
}

const failures = async (metrics: ReturnType<typeof createWorkerMetrics>, outcome: string) =>
  (await metrics.attemptRecordFailures.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;

describe('recording a sent attempt', () => {
  it('records it once when the database takes it', async () => {
    const { pool, calls } = fakePool([{ failing_since: null }]);
    const metrics = createWorkerMetrics(false);
    await makeAttemptRecorder({ pool, metrics, logger: pino({ level: 'silent' }), circuit, pausesMs: [1] })(record, 'HTTP 200');
    expect(calls).toHaveLength(1);
  });

  it("leaves out the receiver's values when the database refuses them (class 22), and counts it", async () => {
    const refused = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' });
    const { pool, calls } = fakePool([refused, { failing_since: null }]);
    const metrics = createWorkerMetrics(false);
    await makeAttemptRecorder({ pool, metrics, logger: pino({ level: 'silent' }), circuit, pausesMs: [1] })(record, 'HTTP 200');
    expect(calls).toHaveLength(2);
    // response_body and error_message are the 8th and 7th parameters of the record statement.
    expect(calls[1]![7]).toBeNull();
    expect(calls[1]![6]).toBe('the response could not be stored (PostgreSQL 22021)');
    expect(await failures(metrics, 'recorded_without_response')).toBe(1);
  });

  it('after a bounded number of tries throws a non-retryable AttemptNotRecorded saying why, and counts it', async () => {
    const down = Object.assign(new Error('Connection terminated unexpectedly'), {});
    const { pool, calls } = fakePool([down, down, down, down, down, down]);
    const metrics = createWorkerMetrics(false);
    const recordOnce = makeAttemptRecorder({ pool, metrics, logger: pino({ level: 'silent' }), circuit, pausesMs: [1, 1, 1] });
    const error = await recordOnce(record, 'HTTP 200 from https://x after 5 ms').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ type: 'AttemptNotRecorded', nonRetryable: true });
    expect((error as Error).message).toBe(
      'attempt 2 was sent (HTTP 200 from https://x after 5 ms) but could not be recorded (Connection terminated unexpectedly); it is not sent again',
    );
    expect(calls).toHaveLength(4);
    expect(await failures(metrics, 'not_recorded')).toBe(1);
  });
});
