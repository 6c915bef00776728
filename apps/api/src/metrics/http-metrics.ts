import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request } from 'express';
import type { ApiMetrics } from './api-metrics.js';

/**
 * Express middleware, mounted first: times every request, refused ones included, into
 * `http_request_duration_seconds` by method, route pattern and status. The pattern is the matched
 * route's (`/api/authorities/:authorityCode/summary`), so that the series stay few whatever the URLs;
 * a request no route of the app matched (404, 405, a body refused before routing) is `unmatched`.
 * Routes are registered on the app's own router; the not-found handler's live in a sub-router.
 */
export function httpMetrics(metrics: ApiMetrics) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const stop = metrics.httpRequestDuration.startTimer();
    res.once('finish', () => {
      const { route, baseUrl } = req as Request;
      const pattern = route !== undefined && baseUrl === '' && typeof route.path === 'string' ? route.path : 'unmatched';
      stop({ method: req.method ?? 'UNKNOWN', route: pattern, status_code: String(res.statusCode) });
    });
    next();
  };
}
