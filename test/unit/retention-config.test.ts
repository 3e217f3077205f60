import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('RETENTION and RETENTION_INTERVAL', () => {
  it('default to 30 days and one hour', () => {
    const config = loadConfig({});
    expect(config.retentionMs).toBe(30 * 86_400_000);
    expect(config.retentionIntervalMs).toBe(3_600_000);
  });
  it('take durations', () => {
    expect(loadConfig({ RETENTION: '72h', RETENTION_INTERVAL: '5s' })).toMatchObject({ retentionMs: 72 * 3_600_000, retentionIntervalMs: 5_000 });
  });
  it('refuse what is not a duration, or too short, naming the variable', () => {
    expect(() => loadConfig({ RETENTION: '30 days' })).toThrow(/RETENTION: a duration/);
    expect(() => loadConfig({ RETENTION: '10s' })).toThrow(/RETENTION: at least 1m/);
    expect(() => loadConfig({ RETENTION_INTERVAL: '0s' })).toThrow(/RETENTION_INTERVAL: at least 1s/);
  });
});
