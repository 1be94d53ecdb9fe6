import { type FastifyReply, type FastifyRequest, type HookHandlerDoneFunction } from 'fastify';
import { type Logger } from 'pino';
import { pathOf, PROBE_PATHS } from '../common/request-path';
import { type Metrics } from './metrics';
import { type RequestInfo, runWithRequest } from './request-context';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id';

/** Requests that matched no route (a refused body is counted under the route it was sent to). */
export const UNMATCHED_ROUTE = '(unmatched)';

const INFO = Symbol('vecgate request info');
type Tagged = FastifyRequest & { [INFO]?: RequestInfo };

/**
 * The first hooks of every request: onRequest gives it an id (the caller's X-Request-Id when it
 * is a safe token) and, when the answer is done, counts it and writes its access log line; it
 * runs before the body is read, so a request whose body is refused is counted and logged too.
 * preHandler runs the route inside that request's context (not onRequest: reading the body
 * leaves the async context it was started in). `protocolOf` names the protocol a path belongs to:
 * the app factory hands it over, so that operations imports no protocol.
 */
export class AccessLogHooks {
  constructor(
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly protocolOf: (path: string) => string,
  ) {}

  readonly onRequest = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    const started = process.hrtime.bigint();
    const requestId = requestIdFrom(request.headers['x-request-id']);
    const path = pathOf(request.url);
    const protocol = this.protocolOf(path);
    (request as Tagged)[INFO] = { requestId, protocol };
    reply.header(REQUEST_ID_HEADER, requestId);
    this.metrics.inFlight.inc();
    const res = reply.raw;
    // 'close' comes once for every response, finished or abandoned by the client.
    res.once('close', () => {
      this.metrics.inFlight.dec();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // The matched route's pattern bounds the label's values; a request that matched none has no pattern.
      const pattern = request.is404 ? undefined : request.routeOptions?.url;
      const route = pattern ?? UNMATCHED_ROUTE;
      const aborted = !res.writableFinished;
      const status = aborted ? 499 : res.statusCode;
      this.metrics.requests.inc({ protocol, method: request.method, route, status: String(status) });
      this.metrics.duration.observe({ protocol, method: request.method, route }, seconds);
      // Probes come every few seconds: their successes would drown the log.
      const level = status >= 500 ? 'error' : PROBE_PATHS.has(path) ? 'debug' : 'info';
      const line: Record<string, unknown> = {
        requestId,
        protocol,
        method: request.method,
        route,
        // The client's path: a protocol port's requests are routed under an internal prefix.
        path: pathOf(request.originalUrl ?? request.url),
        status,
        durationMs: Math.round(seconds * 10_000) / 10,
      };
      if (aborted) line.aborted = true;
      this.logger[level](line, 'request');
    });
    done();
  };

  readonly preHandler = (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    const info = (request as Tagged)[INFO];
    if (info) runWithRequest(info, done);
    else done();
  };
}
