// How a route reads its request body. Each route reads it itself, after Express matched it, rather than
// one middleware ahead of routing: a body refused while reading (too large, not JSON, malformed) is then
// answered by a request that has its route, so the access line and the request metric name that route
// instead of `unmatched`, and a path no route serves is a 404 without its body being read.
import express, { type RequestHandler } from 'express';
import { ApiError } from './errors.js';
import { keepRawBody } from './json-body.js';

const JSON_TYPES = ['application/json', 'application/*+json'];

/** The one route that carries up to 500 payloads, each still held to 256 KiB: its own, larger limit. */
const BATCH_PATH = '/v1/events/batch';

// Bodies are JSON only: a body of any other type is refused rather than misread.
const requireJson: RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !req.is(JSON_TYPES)) {
    throw new ApiError(415, 'unsupported_media_type', 'send the body as application/json');
  }
  next();
};

// Larger than the 256 KiB payload limit so an oversized payload gets its own 413 naming the field.
const readJson = express.json({ limit: '1mb', type: JSON_TYPES, verify: keepRawBody });
const readBatch = express.json({ limit: '16mb', type: JSON_TYPES, verify: keepRawBody });

/** The handlers that read the body of a request to `path` (an Express route pattern), first in its chain. */
export function bodyReaders(path: string): RequestHandler[] {
  return [requireJson, path === BATCH_PATH ? readBatch : readJson];
}
