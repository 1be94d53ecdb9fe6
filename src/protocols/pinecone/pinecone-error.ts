/** gRPC status codes, which Pinecone's data plane puts in its error bodies. */
export const GRPC = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
};

/** A data-plane error: `{"code": <grpc>, "message": ..., "details": []}`. */
export class PineconeDataError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }

  static invalid(message: string): PineconeDataError {
    return new PineconeDataError(400, GRPC.INVALID_ARGUMENT, message);
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
