import { HttpException } from '@nestjs/common';
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
import {
  isBodyTooLarge,
  isMalformedJson,
  type ProtocolErrorRenderer,
  type RenderedError,
} from '../../common/protocol-errors';
import { RequestShapeError } from '../../common/request-validation.pipe';
import { VectorizerHttpError } from './vectorizer-error';

const TOP_LEVEL = new Set([
  '/insert_vectors',
  '/insert',
  '/insert_texts',
  '/batch_insert',
  '/batch_update',
  '/batch_delete',
  '/batch_search',
  '/search',
]);

function fromCore(err: CoreError): VectorizerHttpError {
  if (err instanceof NotFoundError) {
    return err.entity === 'collection'
      ? VectorizerHttpError.collectionNotFound(err.key)
      : new VectorizerHttpError(404, 'not_found', err.message);
  }
  if (err instanceof AlreadyExistsError)
    return new VectorizerHttpError(409, 'collection_already_exists', `Collection already exists: ${err.key}`);
  if (err instanceof DimensionMismatchError) {
    return VectorizerHttpError.validation(
      'vector',
      `vector dimension ${err.got} does not match collection dimension ${err.expected}`,
    );
  }
  if (err instanceof TooManyValuesError)
    return VectorizerHttpError.validation(
      'filter',
      `too large: it would bind more than ${err.limit} values in one query; match many values of one key with $in, or send fewer conditions`,
    );
  if (err instanceof InvalidArgumentError || err instanceof InvalidRegexError)
    return new VectorizerHttpError(400, 'validation_error', err.message);
  if (err instanceof UnavailableError) return new VectorizerHttpError(503, 'service_unavailable', err.message);
  if (err instanceof ForbiddenError) return new VectorizerHttpError(403, 'forbidden', err.message);
  if (err instanceof RateLimitedError) return new VectorizerHttpError(429, 'rate_limited', err.message);
  if (err instanceof UnauthenticatedError)
    return new VectorizerHttpError(
      401,
      'unauthorized',
      `Authentication required. Provide a valid API key. (${err.message})`,
    );
  return new VectorizerHttpError(500, 'internal_error', 'Internal error; the server log has the details');
}

function toVectorizer(exception: unknown): VectorizerHttpError {
  if (exception instanceof VectorizerHttpError) return exception;
  if (exception instanceof RequestShapeError)
    return new VectorizerHttpError(400, 'validation_error', `Invalid request: ${exception.detail}`);
  if (isMalformedJson(exception))
    return new VectorizerHttpError(400, 'bad_request', `Invalid JSON: ${(exception as Error).message}`);
  if (isBodyTooLarge(exception)) return new VectorizerHttpError(413, 'payload_too_large', 'Request body is too large');
  const core = translateDatabaseError(exception);
  if (core) return fromCore(core);
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return new VectorizerHttpError(
      status,
      status === 404 ? 'not_found' : 'bad_request',
      status === 404 ? 'Not found' : exception.message,
    );
  }
  return new VectorizerHttpError(500, 'internal_error', 'Internal error; the server log has the details');
}

/** Vectorizer's routes (native and Qdrant-compatible) answer errors in its flat JSON shape. */
export const vectorizerErrorRenderer: ProtocolErrorRenderer = {
  name: 'vectorizer',
  matches: (path) =>
    TOP_LEVEL.has(path) ||
    path === '/collections' ||
    path.startsWith('/collections/') ||
    path === '/qdrant' ||
    path.startsWith('/qdrant/'),
  render(exception: unknown): RenderedError {
    const err = toVectorizer(exception);
    const body: Record<string, unknown> = { error_type: err.errorType, message: err.message };
    if (err.details) body.details = err.details;
    body.status_code = err.status;
    return { status: err.status, body };
  },
};
