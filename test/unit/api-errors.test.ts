// The error handler answers every error a request can cause with its 4xx, never a 500.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { errorHandler, zodDetails } from '../../src/api/errors.js';
import { createLogger } from '../../src/logger.js';
import { RetryPolicy } from '../../src/api/schemas/retry-policy.js';

function answer(error: unknown): { status: number; body: any } {
  const out = { status: 0, body: undefined as any, headers: {} as Record<string, string> };
  const res = {
    setHeader: (k: string, v: string) => {
      out.headers[k] = v;
    },
    status(code: number) {
      out.status = code;
      return this;
    },
    json(body: unknown) {
      out.body = body;
      return this;
    },
  };
  errorHandler(createLogger('silent'))(error, {} as never, res as never, () => {});
  return out;
}

describe('the error handler', () => {
  it('answers a ZodError thrown anywhere with 400 naming each field', () => {
    const result = z.object({ a: z.string(), b: z.number() }).safeParse({ a: 1, b: 'x' });
    const { status, body } = answer(result.error);
    expect(status).toBe(400);
    expect(body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['a', 'b']);
  });

  it("honours the 400 of Express's percent-decoder", () => {
    const decoderError = Object.assign(new URIError('URI malformed'), { status: 400 });
    expect(answer(decoderError)).toMatchObject({ status: 400, body: { error: { code: 'invalid_path' } } });
  });

  it('honours the 400 of a corrupt gzip or deflate body, and other 4xx of http-errors', () => {
    // As body-parser hands them on (http-errors' createError(400, error)): the zlib error with status 400 set on it.
    const zlib = Object.assign(new Error('incorrect header check'), { code: 'Z_DATA_ERROR', errno: -3, status: 400, statusCode: 400, expose: true });
    expect(answer(zlib)).toMatchObject({ status: 400, body: { error: { code: 'invalid_body', details: [{ path: 'body' }] } } });
    expect(answer(Object.assign(new Error('request aborted'), { status: 400, type: 'request.aborted' })).status).toBe(400);
    expect(answer(Object.assign(new Error('stream encoding should not be set'), { status: 500 })).status).toBe(500);
  });

  it('answers a unique-index conflict with 409 naming it, and other database refusals of a value with 400', () => {
    const conflict = Object.assign(new Error('duplicate key'), { code: '23505', constraint: 'subscriptions_category' });
    expect(answer(conflict)).toMatchObject({ status: 409, body: { error: { code: 'conflict', details: [{ path: 'environment' }] } } });
    const other = Object.assign(new Error('duplicate key'), { code: '23505', constraint: 'some_index' });
    expect(answer(other)).toMatchObject({ status: 409, body: { error: { message: expect.stringContaining('some_index') } } });
    expect(answer(Object.assign(new Error('invalid byte sequence'), { code: '22021' })).status).toBe(400);
    expect(answer(Object.assign(new Error('bug'), {})).status).toBe(500);
  });

  it('names the nested field of a union instead of the union (retry_policy.maximum_attempts)', () => {
    const Holder = z.object({ retry_policy: RetryPolicy });
    for (const maximum_attempts of [1.5, '3', Infinity]) {
      const details = zodDetails(Holder.safeParse({ retry_policy: { maximum_attempts } }).error!);
      expect(details.map((d) => d.path)).toEqual(['retry_policy.maximum_attempts']);
    }
    expect(zodDetails(Holder.safeParse({ retry_policy: 'fast' }).error!)).toEqual([
      { path: 'retry_policy', message: expect.stringContaining('three_retries') },
    ]);
    expect(zodDetails(Holder.safeParse({ retry_policy: 5 }).error!).map((d) => d.path)).toEqual(['retry_policy']);
  });
});
