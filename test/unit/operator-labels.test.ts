// The labels the Temporal Web UI shows an operator (src/workflows/operator-labels.ts, docs/web-ui-runbook.md).
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { failureInBrief, formatDelay, outcomeDetails, retryWaitSummary } from '../../src/workflows/operator-labels.js';

const plan = { deliveryId: 'dlv_1', subscriptionId: 'sub_1' };

describe('operator labels', () => {
  it('formats a delay the way a person reads it', () => {
    expect(formatDelay(750)).toBe('750ms');
    expect(formatDelay(30_000)).toBe('30s');
    expect(formatDelay(150_000)).toBe('2m 30s');
    expect(formatDelay(120_000)).toBe('2m');
    expect(formatDelay(3_900_000)).toBe('1h 5m');
    expect(formatDelay(7_200_000)).toBe('2h');
  });

  it('names a failed attempt by its status, else by its failure type', () => {
    expect(failureInBrief(ApplicationFailure.create({ message: 'HTTP 503 from https://r/x after 12 ms (attempt 1)', type: 'HttpStatus' }))).toBe(
      'HTTP 503',
    );
    expect(failureInBrief(ApplicationFailure.create({ message: 'timeout: no complete response within 10000 ms', type: 'Timeout' }))).toBe('Timeout');
    expect(failureInBrief(new Error('something'))).toBe('a failed attempt');
    expect(failureInBrief(undefined)).toBe('a failed attempt');
  });

  it('labels a retry wait with the attempt, the delivery, the subscription, the delay and the reason', () => {
    const failure = ApplicationFailure.create({ message: 'HTTP 503 from https://r/x after 12 ms (attempt 2)', type: 'HttpStatus' });
    expect(retryWaitSummary(plan, 3, 30_000, failure)).toBe('attempt 3 of dlv_1 to sub_1 in 30s (after HTTP 503)');
  });

  it('puts the outcome first in the current details, then why deliveries did not succeed', () => {
    const failed = { ...plan, status: 'failed' as const, error: 'HTTP 503 from https://r/x after 12 ms (attempt 5)' };
    expect(outcomeDetails({ outcome: 'failed', deliveries: [failed] })).toBe(
      'failed: 0 of 1 deliveries succeeded; dlv_1 to sub_1 failed: HTTP 503 from https://r/x after 12 ms (attempt 5)',
    );
    const ok = { deliveryId: 'dlv_2', subscriptionId: 'sub_2', status: 'succeeded' as const, attempts: 1 };
    expect(outcomeDetails({ outcome: 'partial', deliveries: [ok, failed] })).toMatch(
      /^partial: 1 of 2 deliveries succeeded; dlv_1 to sub_1 failed: /,
    );
    expect(outcomeDetails({ outcome: 'partial', deliveries: [], counts: { succeeded: 7, failed: 3 } })).toBe('partial: 7 of 10 deliveries succeeded');
    expect(outcomeDetails({ outcome: 'suppressed', deliveries: [], suppressedBy: 'evt-1' })).toBe(
      'suppressed: event evt-1 was notified within the window',
    );
  });

  it('lists at most five failed deliveries and keeps the text short', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({
      deliveryId: `dlv_${i}`,
      subscriptionId: `sub_${i}`,
      status: 'failed' as const,
      error: 'x'.repeat(100),
    }));
    const text = outcomeDetails({ outcome: 'failed', deliveries: many });
    expect(text.length).toBeLessThanOrEqual(600);
    expect(text).not.toContain('dlv_5 ');
  });
});
