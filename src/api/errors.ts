import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';

export interface ErrorDetail { path: string; message: string }

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} not found`);

export const invalid = (details: ErrorDetail[]) =>
  new ApiError(400, 'invalid_request', `invalid input: ${details.map((d) => d.path || '(body)').join(', ')}`, details);

export const unavailable = (what: string, retryAfterSeconds = 5) =>
  new ApiError(503, 'unavailable', `${what} is unavailable; try again shortly`, undefined, retryAfterSeconds);

/** Every invalid field, each named by its path; unknown keys are named one by one. */
export function zodDetails(error: z.ZodError, prefix = ''): ErrorDetail[] {
  const join = (parts: PropertyKey[]) => [prefix, ...parts.map(String)].filter(Boolean).join('.');
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: join([...issue.path, key]), message: 'unknown field' }));
    }
    if (issue.code === 'invalid_union' && issue.path.length > 0) {
      return [{ path: join(issue.path), message: 'must be a preset name or a valid object' }];
    }
    return [{ path: join(issue.path), message: issue.message }];
  });
}

export function parse<T extends z.ZodTypeAny>(schema: T, value: unknown, prefix = ''): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw invalid(zodDetails(result.error, prefix));
  return result.data;
}

/** Postgres or Temporal not answering, as opposed to a bug. */
export function isDependencyDown(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  const message = String((error as { message?: unknown }).message ?? '');
  if (typeof code === 'string' && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', '57P01', '57P03', '53300', '08006', '08001'].includes(code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Failed to connect|UNAVAILABLE|DEADLINE_EXCEEDED|ServiceError/i.test(message)
    || (error as { name?: string }).name === 'ServiceError';
}

export const unmatchedRoute: RequestHandler = (req) => {
  throw new ApiError(404, 'not_found', `no route for ${req.method} ${req.path}`);
};

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, _req, res, _next) => {
    let apiError: ApiError;
    if (error instanceof ApiError) apiError = error;
    else if (error?.type === 'entity.too.large') apiError = new ApiError(413, 'too_large', 'request body too large');
    else if (error?.type === 'entity.parse.failed') apiError = new ApiError(400, 'invalid_json', 'request body is not valid JSON');
    else if (error?.type === 'charset.unsupported' || error?.type === 'encoding.unsupported') {
      apiError = new ApiError(415, 'unsupported_media_type', error.message);
    } else if (isDependencyDown(error)) {
      logger.warn({ err: error }, 'dependency unavailable');
      apiError = unavailable('a dependency');
    } else {
      logger.error({ err: error }, 'unhandled error');
      apiError = new ApiError(500, 'internal', 'internal error');
    }
    if (apiError.retryAfterSeconds) res.setHeader('Retry-After', String(apiError.retryAfterSeconds));
    const body: { code: string; message: string; details?: ErrorDetail[] } = { code: apiError.code, message: apiError.message };
    if (apiError.details) body.details = apiError.details;
    res.status(apiError.status).json({ error: body });
  };
}
