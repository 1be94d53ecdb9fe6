import { Inject, Injectable } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';
import { Logger } from 'pino';
import { OPERATIONS_LOGGER } from './logger';
import { Metrics } from './metrics';
import { protocolOf } from './protocol';
import { runWithRequest } from './request-context';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id';

/** Requests that matched no route (or were refused before routing, as a bad body is). */
export const UNMATCHED_ROUTE = '(unmatched)';

// Load balancers and scrapers call these every few seconds: their successes would drown the log.
const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * The first middleware of every request: gives it an id (the caller's X-Request-Id when it is a
 * safe token), runs the rest of it inside that request's context, and when the answer is done,
 * counts it and writes its access log line. Mounted before the body parser so that a request the
 * parser refuses is counted and logged too.
 */
@Injectable()
export class AccessLogMiddleware {
  constructor(
    private readonly metrics: Metrics,
    @Inject(OPERATIONS_LOGGER) private readonly logger: Logger,
  ) {}

  readonly handle = (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    const requestId = requestIdFrom(req.headers['x-request-id']);
    const path = req.path;
    const protocol = protocolOf(path);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    this.metrics.inFlight.inc();
    // 'close' comes once for every response, finished or abandoned by the client.
    res.once('close', () => {
      this.metrics.inFlight.dec();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // Express keeps the matched route on the request: its pattern bounds the label's values.
      const route = req.route?.path !== undefined ? `${req.baseUrl ?? ''}${String(req.route.path)}` : UNMATCHED_ROUTE;
      const aborted = !res.writableFinished;
      const status = aborted ? 499 : res.statusCode;
      this.metrics.requests.inc({ protocol, method: req.method, route, status: String(status) });
      this.metrics.duration.observe({ protocol, method: req.method, route }, seconds);
      const level = status >= 500 ? 'error' : PROBES.has(path) ? 'debug' : 'info';
      const line: Record<string, unknown> = {
        requestId,
        protocol,
        method: req.method,
        route,
        path: req.originalUrl.split('?')[0],
        status,
        durationMs: Math.round(seconds * 10_000) / 10,
      };
      if (aborted) line.aborted = true;
      this.logger[level](line, 'request');
    });
    runWithRequest({ requestId, protocol }, next);
  };
}
