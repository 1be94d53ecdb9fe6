/** Vectorizer's error body: `{"error_type", "message", "details"?, "status_code"}`. */
export class VectorizerHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  static validation(field: string, reason: string): VectorizerHttpError {
    return new VectorizerHttpError(400, 'validation_error', `Invalid ${field}: ${reason}`, { field, reason });
  }

  static parse(reason: string): VectorizerHttpError {
    return new VectorizerHttpError(400, 'parse_error', `Failed to parse filter: ${reason}`, {
      field: 'filter',
      reason,
    });
  }

  static collectionNotFound(name: string): VectorizerHttpError {
    return new VectorizerHttpError(404, 'collection_not_found', `Collection not found: ${name}`, {
      collection_name: name,
    });
  }

  static vectorNotFound(id: string): VectorizerHttpError {
    return new VectorizerHttpError(404, 'vector_not_found', `Vector not found: ${id}`, { vector_id: id });
  }
}
