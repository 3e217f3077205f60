import { Writable } from 'node:stream';
import { PinoPretty } from 'pino-pretty';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { chooseLogFormat, logDestination } from '../../src/log-format.js';
import { createLogger } from '../../src/logger.js';

describe('log format', () => {
  it('is pretty on a terminal and JSON anywhere else, unless LOG_FORMAT says', () => {
    expect(chooseLogFormat(undefined, true)).toBe('pretty');
    expect(chooseLogFormat(undefined, false)).toBe('json');
    expect(chooseLogFormat('json', true)).toBe('json');
    expect(chooseLogFormat('pretty', false)).toBe('pretty');
  });

  it("leaves pino's JSON on stdout for json, and gives a pretty stream otherwise", () => {
    expect(logDestination(undefined, { isTTY: undefined })).toBeUndefined();
    expect(logDestination('json', { isTTY: true })).toBeUndefined();
    expect(logDestination(undefined, { isTTY: true })).toBeDefined();
    expect(logDestination('pretty', {})).toBeDefined();
  });

  it('reads LOG_FORMAT from the environment: unset or empty is automatic, anything but json or pretty refused', () => {
    expect(loadConfig({}).logFormat).toBeUndefined();
    expect(loadConfig({ LOG_FORMAT: '' }).logFormat).toBeUndefined();
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(() => loadConfig({ LOG_FORMAT: 'yaml' })).toThrow(/LOG_FORMAT/);
  });

  it('writes a pretty line a person reads, still without secrets', async () => {
    let text = '';
    const out = new Writable({
      write(chunk, _enc, done) {
        text += String(chunk);
        done();
      },
    });
    const logger = createLogger('info', PinoPretty({ destination: out, colorize: false, sync: true, ignore: 'pid,hostname' }));
    logger.info({ deliveryId: 'dlv_1', secret: 'whsec_sekret' }, 'delivered');
    await new Promise((resolve) => setImmediate(resolve));
    expect(text).toMatch(/INFO.*\(hookrelay\): delivered\n/);
    expect(text).toContain('deliveryId: "dlv_1"');
    expect(text).not.toContain('whsec_sekret');
    expect(() => JSON.parse(text)).toThrow();
  });
});
