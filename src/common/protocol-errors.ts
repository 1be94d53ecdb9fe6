import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';
import { RateLimitedError } from './errors';

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

function send(renderers: ProtocolErrorRenderer[], req: Request, res: Response, exception: unknown): void {
  const renderer = renderers.find((r) => r.matches(req.path));
  const rendered: RenderedError = renderer
    ? renderer.render(exception, req.path)
    : { status: (exception as any)?.getStatus?.() ?? (exception as any)?.status ?? 500, body: { error: String((exception as any)?.message ?? exception) } };
  if (exception instanceof RateLimitedError) res.setHeader('Retry-After', String(exception.retryAfterSeconds));
  if (rendered.status >= 500) logger.error(`${req.method} ${req.path}: ${exception instanceof Error ? exception.stack : String(exception)}`);
  if (rendered.body === undefined) {
    res.status(rendered.status).end();
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
    send(this.renderers, ctx.getRequest<Request>(), ctx.getResponse<Response>(), exception);
  }
}

/** The same for errors of the body parser, which run before any route (bad JSON, too large). */
export function bodyParserErrors(renderers: ProtocolErrorRenderer[]) {
  return (err: any, req: Request, res: Response, next: NextFunction): void => {
    if (!err) return next();
    send(renderers, req, res, err);
  };
}

/** Body-parser failures are tagged with a `type`; these helpers keep that knowledge here. */
export function isMalformedJson(err: any): boolean {
  return err?.type === 'entity.parse.failed';
}

export function isBodyTooLarge(err: any): boolean {
  return err?.type === 'entity.too.large';
}
