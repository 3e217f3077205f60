// One middleware per request for what every request gets: its id, its duration in the metrics, and its
// access line. It replaces pino-http, which made a child logger (with its serializers) for every request
// whether or not the line would be written, a visible share of a small request's cost.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { ApiMetrics } from '../metrics.js';

/** A caller's x-request-id is kept (for tracing across services) when it looks like an id. */
const CALLER_REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * 5xx at error, 4xx at warn, the rest at debug: like a delivery that succeeded, a request that did is
 * counted in the metrics (hookrelay_http_request_duration_seconds) rather than written at the default
 * level, where ingest would write a line per event.
 */
const levelFor = (status: number) => (status >= 500 ? 'error' : status >= 400 ? 'warn' : 'debug');

export function accessLog(logger: Logger, metrics: ApiMetrics): RequestHandler {
  return (req, res, next) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && CALLER_REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', id);
    const started = performance.now();
    res.once('finish', () => {
      const seconds = (performance.now() - started) / 1000;
      // The route's pattern, not the path: ids in paths would make a label value per resource.
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      metrics.httpRequests.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
      const level = levelFor(res.statusCode);
      // Built only when written: no headers (they carry bearer tokens and portal cookies), no bodies.
      if (logger.isLevelEnabled(level)) {
        logger[level](
          {
            reqId: id,
            method: req.method,
            url: req.originalUrl,
            route,
            statusCode: res.statusCode,
            responseTimeMs: Math.round(seconds * 1e4) / 10,
          },
          'request completed',
        );
      }
    });
    next();
  };
}
