/**
 * An error in Chroma's wire shape: `{"error": <name>, "message": <text>}`. Chroma names 400s
 * InvalidArgumentError, 404s NotFoundError, 500s InternalError and everything else ChromaError.
 */
export class ChromaHttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
  ) {
    super(message);
  }

  static invalidArgument(message: string): ChromaHttpError {
    return new ChromaHttpError(400, 'InvalidArgumentError', message);
  }

  /** JSON that parsed but does not fit the request's types (serde's message in Chroma). */
  static unprocessable(detail: string): ChromaHttpError {
    return new ChromaHttpError(
      422,
      'ChromaError',
      `Failed to deserialize the JSON body into the target type: ${detail}`,
    );
  }

  static notFound(message: string): ChromaHttpError {
    return new ChromaHttpError(404, 'NotFoundError', message);
  }
}

export const INVALID_WHERE = 'Invalid where clause';
export const INVALID_WHERE_DOCUMENT = 'Invalid where document clause';
