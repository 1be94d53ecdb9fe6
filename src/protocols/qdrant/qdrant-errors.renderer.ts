import { HttpException } from '@nestjs/common';
import {
  AlreadyExistsError,
  DimensionMismatchError,
  ForbiddenError,
  InvalidArgumentError,
  InvalidRegexError,
  LimitReachedError,
  NotFoundError,
  RateLimitedError,
  TooManyValuesError,
  UnauthenticatedError,
  UnavailableError,
  UnknownVectorError,
  VectorExistsError,
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
import { QdrantHttpError } from './qdrant-error';
import { QDRANT_PREFIX } from './qdrant-prefix';

function fromCore(err: CoreError): QdrantHttpError {
  if (err instanceof NotFoundError)
    return err.entity === 'collection'
      ? QdrantHttpError.collectionNotFound(err.key)
      : QdrantHttpError.notFound(err.message);
  if (err instanceof AlreadyExistsError)
    return err.entity === 'alias'
      ? // A collection's name that an alias holds (alias changes word their own conflicts).
        QdrantHttpError.wrongInput(
          `Can't create collection with name ${err.key}. Alias with the same name already exists`,
        )
      : new QdrantHttpError(409, `Wrong input: Collection \`${err.key}\` already exists!`);
  if (err instanceof DimensionMismatchError)
    return QdrantHttpError.wrongInput(`Vector dimension error: expected dim: ${err.expected}, got ${err.got}`);
  // Worded as Qdrant's strict mode words its bounds.
  if (err instanceof LimitReachedError && err.entity === 'backup')
    return QdrantHttpError.badRequest(
      `Collection already has the maximum number of snapshots (${err.limit}, its Pinecone backups included). Help: Please delete an existing snapshot before creating a new one.`,
    );
  if (err instanceof TooManyValuesError)
    return QdrantHttpError.badRequest(
      `Filter is too large: it would bind more than ${err.limit} values in one query. Match many values of one key with match any, or send fewer conditions`,
    );
  // A name the request's catalog row still had, gone by the time the core held the collection.
  if (err instanceof UnknownVectorError)
    return QdrantHttpError.wrongInput(`Not existing vector name error: ${err.vector ?? ''}`);
  // Added meanwhile through another replica, otherwise than this request asks.
  if (err instanceof VectorExistsError)
    return QdrantHttpError.wrongInput(
      err.sameKind
        ? `Vector \`${err.vector}\` already exists with a different configuration`
        : `Vector \`${err.vector}\` already exists as a ${err.existing} vector`,
    );
  if (err instanceof InvalidArgumentError || err instanceof InvalidRegexError)
    return QdrantHttpError.badRequest(err.message);
  if (err instanceof UnauthenticatedError)
    return new QdrantHttpError(
      401,
      err.message === 'An API key is required'
        ? 'Must provide an API key or an Authorization bearer token'
        : 'Invalid API key or JWT',
    );
  if (err instanceof ForbiddenError) return new QdrantHttpError(403, `Forbidden: ${err.message}`);
  if (err instanceof RateLimitedError) return new QdrantHttpError(429, `Rate limiting exceeded: ${err.message}`);
  if (err instanceof UnavailableError) return new QdrantHttpError(503, `Service unavailable: ${err.message}`);
  return new QdrantHttpError(500, 'Service internal error: the server log has the details');
}

function toQdrant(exception: unknown): QdrantHttpError {
  if (exception instanceof QdrantHttpError) return exception;
  if (exception instanceof RequestShapeError) return QdrantHttpError.format(exception.detail);
  if (isMalformedJson(exception))
    return new QdrantHttpError(400, `Json deserialize error: ${(exception as Error).message}`);
  if (isBodyTooLarge(exception)) return new QdrantHttpError(413, 'JSON payload is larger than allowed');
  const core = translateDatabaseError(exception);
  if (core) return fromCore(core);
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return new QdrantHttpError(status, status === 404 ? 'Not found: no such route' : exception.message);
  }
  return new QdrantHttpError(500, 'Service internal error: the server log has the details');
}

/** Qdrant's routes (its own port, routed under QDRANT_PREFIX) answer errors in its envelope. */
export const qdrantErrorRenderer: ProtocolErrorRenderer = {
  name: 'qdrant',
  matches: (path) => path === QDRANT_PREFIX || path.startsWith(`${QDRANT_PREFIX}/`),
  render(exception: unknown): RenderedError {
    const err = toQdrant(exception);
    return { status: err.status, body: { status: { error: err.message }, time: 0 } };
  },
};
