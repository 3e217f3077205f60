import { Writable } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { pinoForTemporal } from '../../src/temporal/runtime.js';

describe("the SDK's log lines", () => {
  const capture = () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    return { lines, logger: pinoForTemporal(pino({ level: 'debug' }, stream)) };
  };
  const flush = () => new Promise((resolve) => setImmediate(resolve));

  it('logs an activity failure hookrelay throws on purpose (a recorded attempt, a wait at the gate) at debug, not as a warning', async () => {
    const { lines, logger } = capture();
    logger.warn('Activity failed', { error: ApplicationFailure.create({ message: 'waiting for an in-flight slot', type: 'NotAdmitted' }) });
    logger.warn('Activity failed', { error: ApplicationFailure.create({ message: 'HTTP 503', type: 'HttpStatus' }) });
    await flush();
    expect(lines.map((l) => l.level)).toEqual([20, 20]);
  });

  it('keeps every other warning a warning: an unexpected failure, or another message', async () => {
    const { lines, logger } = capture();
    logger.warn('Activity failed', { error: new Error('connect ECONNREFUSED 127.0.0.1:5432') });
    logger.warn('Activity failed', { error: ApplicationFailure.create({ message: 'x', type: 'SomethingElse' }) });
    logger.warn('Worker state changed', { error: ApplicationFailure.create({ message: 'x', type: 'NotAdmitted' }) });
    await flush();
    expect(lines.map((l) => l.level)).toEqual([40, 40, 40]);
  });
});
