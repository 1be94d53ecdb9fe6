/** gRPC status codes, which Pinecone's data plane puts in its error bodies. */
export const GRPC = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
};

/**
 * One entry of a data-plane error's `details`: a google.rpc.ErrorInfo as Pinecone's gateway writes
 * it in JSON, whose `reason` names the cause (the namespace-alias routes document theirs).
 */
export interface ErrorInfo {
  '@type': 'type.googleapis.com/google.rpc.ErrorInfo';
  reason: string;
  domain: 'pinecone.io';
  metadata?: Record<string, string>;
}

export function errorInfo(reason: string, metadata?: Record<string, string>): ErrorInfo {
  return {
    '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
    reason,
    domain: 'pinecone.io',
    ...(metadata ? { metadata } : {}),
  };
}

/** A data-plane error: `{"code": <grpc>, "message": ..., "details": [...]}`. */
export class PineconeDataError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly details: ErrorInfo[] = [],
  ) {
    super(message);
  }

  static invalid(message: string, reason?: string): PineconeDataError {
    return new PineconeDataError(400, GRPC.INVALID_ARGUMENT, message, reason ? [errorInfo(reason)] : []);
  }
}

/** A control-plane error: `{"error": {"code": <ENUM>, "message": ...}, "status": n}`. */
export class PineconeControlError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  static invalid(message: string): PineconeControlError {
    return new PineconeControlError(400, 'INVALID_ARGUMENT', message);
  }
}
