import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { OverloadedError, RateLimitedError, UnavailableError } from '../core/errors';
import { pathOf } from './request-path';

export interface RenderedError {
  status: number;
  /** Serialised as JSON; undefined sends an empty body. */
  body?: unknown;
}

/** How one protocol words errors, for the requests under its paths. */
export interface ProtocolErrorRenderer {
  name: string;
  matches(path: string): boolean;
  render(exception: unknown, path?: string): RenderedError;
}

const logger = new Logger('Errors');

/**
 * Fastify's own refusals (a path it cannot decode, a bad Content-Length) carry a 4xx statusCode:
 * rendered as the HttpException of that status, as a client's mistake and not a server error.
 */
function fromFramework(exception: unknown): unknown {
  const status = (exception as { statusCode?: unknown })?.statusCode;
  if (
    exception instanceof HttpException ||
    isBodyTooLarge(exception) ||
    typeof status !== 'number' ||
    status < 400 ||
    status >= 500
  )
    return exception;
  return new HttpException((exception as Error).message, status);
}

/** The status an error outside every protocol's paths carries, or 500. */
function statusOf(exception: unknown): number {
  if (exception instanceof HttpException) return exception.getStatus();
  const status = (exception as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : 500;
}

/** Answers `exception` in the shape of the protocol the request's path belongs to. */
export function sendProtocolError(
  renderers: ProtocolErrorRenderer[],
  req: FastifyRequest,
  res: FastifyReply,
  thrown: unknown,
): void {
  const exception = fromFramework(thrown);
  const path = pathOf(req.url);
  const renderer = renderers.find((r) => r.matches(path));
  const rendered: RenderedError = renderer
    ? renderer.render(exception, path)
    : {
        status: statusOf(exception),
        body: { error: exception instanceof Error ? exception.message : String(exception) },
      };
  if (exception instanceof RateLimitedError || exception instanceof OverloadedError)
    res.header('Retry-After', String(exception.retryAfterSeconds));
  // A refusal under load is counted in /metrics; a stack per refused request would flood the log.
  // A dependency known to be away (an inference provider down, the database unreachable, a
  // statement past its limit) is one line of warning: its stack says nothing of the cause.
  if (exception instanceof UnavailableError && !(exception instanceof OverloadedError))
    logger.warn(`${req.method} ${path}: ${rendered.status} ${exception.message}`);
  else if (rendered.status >= 500 && !(exception instanceof OverloadedError))
    logger.error(`${req.method} ${path}: ${exception instanceof Error ? exception.stack : String(exception)}`);
  if (rendered.body === undefined) {
    res.status(rendered.status).send();
  } else {
    res.status(rendered.status).type('application/json').send(JSON.stringify(rendered.body));
  }
}

/** Every error a route throws, in the shape of the protocol that route belongs to. */
@Catch()
export class ProtocolExceptionFilter implements ExceptionFilter {
  constructor(private readonly renderers: ProtocolErrorRenderer[]) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    sendProtocolError(this.renderers, ctx.getRequest<FastifyRequest>(), ctx.getResponse<FastifyReply>(), exception);
  }
}

/**
 * Body failures: the JSON parser's (common/json-text.ts) are tagged with a `type`; Fastify's own
 * (too large) reach the filters through Nest's error handler; these helpers keep that knowledge here.
 */
export function isMalformedJson(err: unknown): boolean {
  return (err as { type?: unknown } | undefined)?.type === 'entity.parse.failed';
}

export function isBodyTooLarge(err: unknown): boolean {
  // Nest hands Fastify's errors to the filters as the HttpException of their status.
  return (
    (err as { code?: unknown } | undefined)?.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ||
    (err instanceof HttpException && err.getStatus() === 413)
  );
}
