import { HttpException } from '@nestjs/common';
import {
  DimensionMismatchError,
  ForbiddenError,
  InvalidArgumentError,
  InvalidRegexError,
  NotFoundError,
  AlreadyExistsError,
  RateLimitedError,
  UnauthenticatedError,
  UnavailableError,
  type CoreError,
} from '../core/errors';
import { translateDatabaseError } from '../common/pg-errors';
import {
  isBodyTooLarge,
  isMalformedJson,
  type ProtocolErrorRenderer,
  type RenderedError,
} from '../common/protocol-errors';
import { RequestShapeError } from '../common/request-validation.pipe';
import { ConsoleHttpError } from './console-error';
import { CONSOLE_API } from './console-prefix';

function fromCore(err: CoreError): ConsoleHttpError {
  if (err instanceof NotFoundError) return new ConsoleHttpError(404, 'not_found', err.message);
  if (err instanceof AlreadyExistsError) return new ConsoleHttpError(409, 'conflict', err.message);
  if (err instanceof DimensionMismatchError || err instanceof InvalidArgumentError || err instanceof InvalidRegexError)
    return ConsoleHttpError.badRequest(err.message);
  if (err instanceof UnauthenticatedError) return new ConsoleHttpError(401, 'unauthenticated', err.message);
  if (err instanceof ForbiddenError) return new ConsoleHttpError(403, 'forbidden', err.message);
  if (err instanceof RateLimitedError) return new ConsoleHttpError(429, 'rate_limited', err.message);
  if (err instanceof UnavailableError) return new ConsoleHttpError(503, 'unavailable', err.message);
  return new ConsoleHttpError(500, 'internal', 'Internal error: the server log has the details');
}

function toConsole(exception: unknown): ConsoleHttpError {
  if (exception instanceof ConsoleHttpError) return exception;
  if (exception instanceof RequestShapeError) return ConsoleHttpError.badRequest(exception.detail);
  if (isMalformedJson(exception))
    return ConsoleHttpError.badRequest(`The body is not JSON: ${(exception as Error).message}`);
  if (isBodyTooLarge(exception)) return new ConsoleHttpError(413, 'too_large', 'The body is larger than allowed');
  const core = translateDatabaseError(exception);
  if (core) return fromCore(core);
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return new ConsoleHttpError(
      status,
      status === 404 ? 'not_found' : 'http',
      status === 404 ? 'No such console route' : exception.message,
    );
  }
  return new ConsoleHttpError(500, 'internal', 'Internal error: the server log has the details');
}

/** Errors under /console/api, in the console's shape. */
export const consoleErrorRenderer: ProtocolErrorRenderer = {
  name: 'console',
  matches: (path) => path === CONSOLE_API || path.startsWith(`${CONSOLE_API}/`),
  render(exception: unknown): RenderedError {
    const err = toConsole(exception);
    return {
      status: err.status,
      body: { error: { code: err.code, message: err.message, ...(err.dialect ? { dialect: err.dialect } : {}) } },
    };
  },
};
