import { describe, expect, it } from 'vitest';
import { DEFAULT_RECOVERY_PACE, recoveryPace } from '../../src/domain/recovery-pace.js';

describe('recoveryPace (the rate_limit seam)', () => {
  it('is 10 a second without a rate_limit, or with one it cannot read', () => {
    for (const limit of [null, undefined, {}, { requests: 'x', per: '1s' }, { requests: 5, per: 'soon' }, { requests: 0, per: '1s' }]) {
      expect(recoveryPace(limit)).toEqual(DEFAULT_RECOVERY_PACE);
    }
  });
  it('follows the limit when it is slower, never goes faster than the default', () => {
    expect(recoveryPace({ requests: 100, per: '1m' })).toEqual({ batch: 10, intervalMs: 6_000 });
    expect(recoveryPace({ requests: 2, per: '1s' })).toEqual({ batch: 2, intervalMs: 1_000 });
    expect(recoveryPace({ requests: 1, per: '1h' })).toEqual({ batch: 1, intervalMs: 3_600_000 });
    expect(recoveryPace({ requests: 100_000, per: '1s' })).toEqual({ batch: 10, intervalMs: 1_000 });
  });
});
