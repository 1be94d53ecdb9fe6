import { HttpException } from '@nestjs/common';
import {
  AlreadyExistsError,
  DimensionMismatchError,
  ForbiddenError,
  InvalidArgumentError,
  InvalidRegexError,
  LimitReachedError,
  NamespaceAliasError,
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
import { GRPC, PineconeControlError, PineconeDataError, type ErrorInfo } from './pinecone-error';
import { namespaceAliasFailure } from './namespace-alias-errors';

const CONTROL_PLANE =
  /^\/(indexes(\/[^/]+(\/backups|\/backup-schedules)?)?|backups(\/[^/]+(\/create-index)?)?|backup-schedules(\/[^/]+(\/history)?)?|restore-jobs(\/[^/]+)?|embed|rerank|models(\/[^/]+)?)\/?$/;

/** The Documents API (2026-07) answers errors in the control plane's shape, as the records API does in its spec. */
const DOCUMENTS = /^\/indexes\/[^/]+\/namespaces\/[^/]+\/documents\/[a-z]+\/?$/;

/** Status, gRPC code and ENUM name of each kind of failure, and Pinecone's wording where it has one. */
interface Classified {
  status: number;
  grpc: number;
  name: string;
  message: string;
  /** The data plane's `details` (its ErrorInfo reasons); the control plane's shape has none. */
  details?: ErrorInfo[];
}

function classify(exception: unknown): Classified {
  if (exception instanceof PineconeDataError)
    return {
      status: exception.status,
      grpc: exception.code,
      name: enumOf(exception.status),
      message: exception.message,
      details: exception.details,
    };
  if (exception instanceof PineconeControlError)
    return {
      status: exception.status,
      grpc: grpcOf(exception.status),
      name: exception.code,
      message: exception.message,
    };
  if (exception instanceof RequestShapeError) return bad(`Invalid request body: ${exception.detail}`);
  if (isMalformedJson(exception)) return bad(`Invalid JSON in the request body: ${(exception as Error).message}`);
  if (isBodyTooLarge(exception))
    return { status: 413, grpc: GRPC.INVALID_ARGUMENT, name: 'OUT_OF_RANGE', message: 'Request body is too large' };
  const core = translateDatabaseError(exception);
  if (core) return fromCore(core);
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return {
      status,
      grpc: grpcOf(status),
      name: enumOf(status),
      message: status === 404 ? 'Not Found' : exception.message,
    };
  }
  return {
    status: 500,
    grpc: GRPC.INTERNAL,
    name: 'INTERNAL',
    message: 'Internal error; the server log has the details',
  };
}

function bad(message: string) {
  return { status: 400, grpc: GRPC.INVALID_ARGUMENT, name: 'INVALID_ARGUMENT', message };
}

function fromCore(err: CoreError): Classified {
  if (err instanceof NamespaceAliasError || (err instanceof LimitReachedError && err.entity === 'namespace alias'))
    return namespaceAliasFailure(err);
  if (err instanceof NotFoundError) {
    const message =
      err.entity === 'collection'
        ? `Index ${err.key} not found.`
        : err.entity === 'namespace'
          ? `Namespace ${err.key} not found`
          : err.entity === 'backup'
            ? `Backup ${err.key} not found.`
            : err.entity === 'restore job'
              ? `Restore job ${err.key} not found.`
              : err.entity === 'import'
                ? `Import ${err.key} not found`
                : err.entity === 'namespace alias'
                  ? `Namespace alias ${err.key} not found`
                  : `${err.entity} ${err.key} not found`;
    return { status: 404, grpc: GRPC.NOT_FOUND, name: 'NOT_FOUND', message };
  }
  if (err instanceof AlreadyExistsError) {
    return {
      status: 409,
      grpc: GRPC.ALREADY_EXISTS,
      name: 'ALREADY_EXISTS',
      message: err.entity === 'namespace' ? `Namespace ${err.key} already exists` : 'Resource already exists.',
    };
  }
  if (err instanceof DimensionMismatchError)
    return bad(`Vector dimension ${err.got} does not match the dimension of the index ${err.expected}`);
  // Worded as Pinecone words its project quotas.
  if (err instanceof LimitReachedError && err.entity === 'backup')
    return {
      status: 403,
      grpc: GRPC.PERMISSION_DENIED,
      name: 'FORBIDDEN',
      message: `Request failed. You've reached the max backups allowed for index ${err.parent} (${err.limit}, its Qdrant snapshots included). To add more backups, delete an existing one.`,
    };
  if (err instanceof TooManyValuesError)
    return bad(
      `The filter is too large: it would bind more than ${err.limit} values in one query. Match many values of one field with $in, or send fewer conditions.`,
    );
  if (err instanceof InvalidRegexError || err instanceof InvalidArgumentError) return bad(err.message);
  if (err instanceof ForbiddenError)
    return { status: 403, grpc: GRPC.PERMISSION_DENIED, name: 'FORBIDDEN', message: err.message };
  if (err instanceof UnauthenticatedError)
    return { status: 401, grpc: GRPC.UNAUTHENTICATED, name: 'UNAUTHENTICATED', message: err.message };
  if (err instanceof RateLimitedError)
    return { status: 429, grpc: GRPC.RESOURCE_EXHAUSTED, name: 'RESOURCE_EXHAUSTED', message: err.message };
  if (err instanceof UnavailableError)
    return { status: 503, grpc: GRPC.UNAVAILABLE, name: 'UNAVAILABLE', message: err.message };
  return {
    status: 500,
    grpc: GRPC.INTERNAL,
    name: 'INTERNAL',
    message: 'Internal error; the server log has the details',
  };
}

function grpcOf(status: number): number {
  return status === 404
    ? GRPC.NOT_FOUND
    : status === 412
      ? GRPC.FAILED_PRECONDITION
      : status === 409
        ? GRPC.ALREADY_EXISTS
        : status === 403
          ? GRPC.PERMISSION_DENIED
          : status >= 500
            ? GRPC.INTERNAL
            : GRPC.INVALID_ARGUMENT;
}

function enumOf(status: number): string {
  return (
    {
      400: 'INVALID_ARGUMENT',
      401: 'UNAUTHENTICATED',
      403: 'FORBIDDEN',
      404: 'NOT_FOUND',
      409: 'ALREADY_EXISTS',
      412: 'FAILED_PRECONDITION',
      422: 'UNPROCESSABLE_ENTITY',
      503: 'UNAVAILABLE',
    }[status] ?? 'INTERNAL'
  );
}

/**
 * Pinecone's two error shapes: the control plane (`/indexes`, `/indexes/{name}`) answers
 * `{"error": {"code", "message"}, "status"}`; an index's data plane (`/indexes/{name}/...`)
 * answers `{"code", "message", "details"}`. Client mistakes are never 5xx: the official client
 * retries every 5xx three times.
 */
export const pineconeErrorRenderer: ProtocolErrorRenderer = {
  name: 'pinecone',
  matches: (path) =>
    path === '/indexes' ||
    path.startsWith('/indexes/') ||
    /^\/(backups|backup-schedules|restore-jobs)(\/|$)/.test(path) ||
    /^\/(embed|rerank|models)(\/[^/]*)?$/.test(path),
  render(exception: unknown, path?: string): RenderedError {
    const c = classify(exception);
    if (path !== undefined && (CONTROL_PLANE.test(path) || DOCUMENTS.test(path)))
      return { status: c.status, body: { error: { code: c.name, message: c.message }, status: c.status } };
    return { status: c.status, body: { code: c.grpc, message: c.message, details: c.details ?? [] } };
  },
};
