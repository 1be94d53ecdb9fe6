import { HttpException } from '@nestjs/common';
import {
  isBodyTooLarge,
  isMalformedJson,
  type ProtocolErrorRenderer,
  type RenderedError,
} from '../../common/protocol-errors';
import {
  AlreadyExistsError,
  DimensionMismatchError,
  ForbiddenError,
  InvalidArgumentError,
  InvalidRegexError,
  NotFoundError,
  RateLimitedError,
  TooManyValuesError,
  UnauthenticatedError,
  UnavailableError,
  type CoreError,
} from '../../core/errors';
import { translateDatabaseError } from '../../common/pg-errors';
import { RequestShapeError } from '../../common/request-validation.pipe';
import { ChromaHttpError } from './chroma-error';

const CAPITAL: Record<string, string> = {
  tenant: 'Tenant',
  database: 'Database',
  collection: 'Collection',
  alias: 'Alias',
  namespace: 'Namespace',
};

function fromCore(err: CoreError): ChromaHttpError {
  if (err instanceof NotFoundError) {
    if (err.entity === 'collection') {
      // Chroma's by-id message ends with a period; its by-name one does not.
      return ChromaHttpError.notFound(`Collection [${err.key}] does not exists${err.by === 'id' ? '.' : ''}`);
    }
    if (err.entity === 'database')
      return ChromaHttpError.notFound(`Database [${err.key}] not found. Are you sure it exists?`);
    return ChromaHttpError.notFound(`${CAPITAL[err.entity]} [${err.key}] not found`);
  }
  if (err instanceof AlreadyExistsError)
    return new ChromaHttpError(409, 'ChromaError', `${CAPITAL[err.entity]} [${err.key}] already exists`);
  if (err instanceof DimensionMismatchError) {
    return ChromaHttpError.invalidArgument(
      `Collection expecting embedding with dimension of ${err.expected}, got ${err.got}`,
    );
  }
  if (err instanceof InvalidRegexError) return ChromaHttpError.invalidArgument(`Regex syntax errror: ${err.message}`);
  if (err instanceof TooManyValuesError)
    return ChromaHttpError.invalidArgument(
      `Filter is too large: it would bind more than ${err.limit} values in one query. Match many values of one key with $in, or send fewer conditions`,
    );
  if (err instanceof InvalidArgumentError) return ChromaHttpError.invalidArgument(err.message);
  if (err instanceof ForbiddenError) return new ChromaHttpError(403, 'ChromaError', err.message);
  if (err instanceof UnauthenticatedError) return new ChromaHttpError(401, 'ChromaError', err.message);
  if (err instanceof RateLimitedError) return new ChromaHttpError(429, 'ChromaError', err.message);
  if (err instanceof UnavailableError) return new ChromaHttpError(503, 'ChromaError', err.message);
  return internal();
}

/** Details of a server fault go to the log, not to the client (they can name internal tables). */
function internal(): ChromaHttpError {
  return new ChromaHttpError(500, 'InternalError', 'Internal error; the server log has the details');
}

/** Chroma's wording for every error under /api/v2. */
export const chromaErrorRenderer: ProtocolErrorRenderer = {
  name: 'chroma',
  matches: (path) => path.startsWith('/api/'),
  render(exception: unknown): RenderedError {
    if (exception instanceof HttpException && exception.getStatus() === 404) return { status: 404 }; // unknown route: empty body, as Chroma
    const err = toChroma(exception);
    return { status: err.status, body: { error: err.error, message: err.message } };
  },
};

function toChroma(exception: unknown): ChromaHttpError {
  if (exception instanceof ChromaHttpError) return exception;
  if (exception instanceof RequestShapeError) return ChromaHttpError.unprocessable(exception.detail);
  if (isMalformedJson(exception))
    return ChromaHttpError.invalidArgument(`Failed to parse the request body as JSON: ${(exception as Error).message}`);
  if (isBodyTooLarge(exception)) return new ChromaHttpError(413, 'ChromaError', 'Request body is too large');
  const core = translateDatabaseError(exception);
  if (core) return fromCore(core);
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const body = exception.getResponse() as string | { message?: unknown };
    const message =
      typeof body === 'string'
        ? body
        : Array.isArray(body.message)
          ? body.message.join('; ')
          : typeof body.message === 'string'
            ? body.message
            : exception.message;
    return status === 400
      ? ChromaHttpError.invalidArgument(message)
      : new ChromaHttpError(status, 'ChromaError', message);
  }
  return internal();
}
