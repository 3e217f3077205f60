import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { isDataException } from '../db/pool.js';

export interface ErrorDetail {
  path: string;
  message: string;
}

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

type Issue = z.core.$ZodIssue;

/**
 * The union branch the caller meant, whose issues then name the nested fields
 * (`retry_policy.maximum_attempts`) rather than the union. A branch failing at the value itself on its
 * kind (an object given to the preset names, a string given to the policy object) was not meant; a
 * value of no branch's kind at all (`"fast"`) is then matched on type alone, to name the preset names.
 */
function meantBranch(issue: Extract<Issue, { code: 'invalid_union' }>): Issue[] | undefined {
  const failsAtRoot = (codes: string[]) => (branch: Issue[]) => branch.some((i) => i.path.length === 0 && codes.includes(i.code));
  for (const codes of [['invalid_type', 'invalid_value'], ['invalid_type']]) {
    const candidates = issue.errors.filter((branch) => !failsAtRoot(codes)(branch));
    if (candidates.length === 1) return candidates[0];
  }
  return undefined;
}

/** Every invalid field, each named by its path; unknown keys are named one by one. */
export function zodDetails(error: { issues: Issue[] }, prefix: PropertyKey[] = []): ErrorDetail[] {
  const join = (parts: PropertyKey[]) => [...prefix, ...parts].map(String).filter(Boolean).join('.');
  return error.issues.flatMap((issue): ErrorDetail[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: join([...issue.path, key]), message: 'unknown field' }));
    }
    if (issue.code === 'invalid_union' && issue.path.length > 0) {
      const branch = meantBranch(issue);
      if (branch) return zodDetails({ issues: branch }, [...prefix, ...issue.path]);
      return [{ path: join(issue.path), message: 'must be a preset name or a valid object' }];
    }
    if (issue.code === 'invalid_key') {
      return issue.issues.map((inner) => ({ path: join(issue.path), message: `key ${inner.message}` }));
    }
    return [{ path: join(issue.path), message: issue.message }];
  });
}

/** Postgres or Temporal not answering, as opposed to a bug. */
export function isDependencyDown(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  const message = String((error as { message?: unknown }).message ?? '');
  if (
    typeof code === 'string' &&
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', '57P01', '57P03', '53300', '08006', '08001'].includes(code)
  )
    return true;
  return (
    /Connection terminated|timeout exceeded when trying to connect|Failed to connect|UNAVAILABLE|DEADLINE_EXCEEDED|ServiceError/i.test(message) ||
    (error as { name?: string }).name === 'ServiceError'
  );
}

/**
 * What each unique index of migrations/ means to a caller, for the 409 that a write colliding with
 * it answers. Indexes a request cannot reach are listed too, with why, so the audit is written down:
 * - tenants, api_keys, subscriptions, deliveries primary keys and api_keys.key_hash: random ids and keys.
 * - events (tenant_id, id): POST /v1/events checks first and inserts with ON CONFLICT DO NOTHING.
 * - deliveries_first, attempts (delivery_id, number), notification_windows: written by the worker with ON CONFLICT.
 */
const UNIQUE_CONFLICTS: Record<string, ErrorDetail> = {
  subscriptions_category: {
    path: 'environment',
    message: 'the tenant already has a webhook of this category in that environment (PUT /v1/webhooks/:category manages it)',
  },
  events_pkey: { path: 'id', message: 'the tenant already has an event with this id' },
};

/** A PostgreSQL error a request caused (as opposed to one it met): a 409 or 400, never a 500. */
function fromPostgres(error: { code?: unknown; constraint?: unknown }, logger: Logger): ApiError | undefined {
  const code = typeof error.code === 'string' ? error.code : '';
  if (code === '23505') {
    const detail = UNIQUE_CONFLICTS[String(error.constraint)] ?? {
      path: '',
      message: `conflicts with an existing record (${String(error.constraint)})`,
    };
    return new ApiError(409, 'conflict', detail.message, [detail]);
  }
  if (code === '23503') {
    return new ApiError(409, 'conflict', 'refers to a record that no longer exists');
  }
  // Class 22 (data exception): input the validators should have refused; answered as bad input, logged as a gap.
  if (isDataException(error)) {
    logger.error({ err: error }, 'the database refused a value the validators let through');
    return new ApiError(400, 'refused_by_database', 'a value was refused by the database');
  }
  return undefined;
}

export const unmatchedRoute: RequestHandler = (req) => {
  throw new ApiError(404, 'not_found', `no route for ${req.method} ${req.path}`);
};

/** Errors of Express and its body parser (http-errors) carry the 4xx they mean: bad percent-encoding, corrupt gzip... */
function clientStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown; statusCode?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, _req, res, _next) => {
    let apiError: ApiError;
    const status = clientStatus(error);
    if (error instanceof ApiError) apiError = error;
    else if (error instanceof z.ZodError) apiError = invalid(zodDetails(error));
    else if (error?.type === 'entity.too.large') apiError = new ApiError(413, 'too_large', 'request body too large');
    else if (error?.type === 'entity.parse.failed')
      apiError = new ApiError(400, 'invalid_json', 'request body is not valid JSON', [{ path: 'body', message: String(error.message) }]);
    else if (error?.type === 'charset.unsupported' || error?.type === 'encoding.unsupported') {
      apiError = new ApiError(415, 'unsupported_media_type', error.message);
    } else if (error instanceof URIError && status === 400) {
      apiError = new ApiError(400, 'invalid_path', 'the path is not valid percent-encoded UTF-8', [
        { path: 'path', message: 'malformed percent-encoding' },
      ]);
    } else if (status === 400 && error?.type === undefined) {
      // body-parser's errors of its own carry a `type`; one without is the decompressor's (zlib, brotli).
      apiError = new ApiError(400, 'invalid_body', 'the body is not valid for its Content-Encoding', [{ path: 'body', message: error.message }]);
    } else if (status !== undefined) {
      apiError = new ApiError(status, 'bad_request', error.expose === false ? 'bad request' : String(error.message));
    } else {
      const fromDb = fromPostgres(error ?? {}, logger);
      if (fromDb) apiError = fromDb;
      else if (isDependencyDown(error)) {
        logger.warn({ err: error }, 'dependency unavailable');
        apiError = unavailable('a dependency');
      } else {
        logger.error({ err: error }, 'unhandled error');
        apiError = new ApiError(500, 'internal', 'internal error');
      }
    }
    if (apiError.retryAfterSeconds) res.setHeader('Retry-After', String(apiError.retryAfterSeconds));
    const body: { code: string; message: string; details?: ErrorDetail[] } = { code: apiError.code, message: apiError.message };
    if (apiError.details) body.details = apiError.details;
    res.status(apiError.status).json({ error: body });
  };
}
