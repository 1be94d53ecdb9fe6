/** An error in Qdrant's shape: `{"status": {"error": message}, "time": s}`, worded as Qdrant words it. */
export class QdrantHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }

  /** Qdrant's BadRequest: a request it understood but will not do. */
  static badRequest(description: string): QdrantHttpError {
    return new QdrantHttpError(400, `Bad request: ${description}`);
  }

  /** Qdrant's BadInput: a value that does not fit the collection (a name taken, a dimension). */
  static wrongInput(description: string): QdrantHttpError {
    return new QdrantHttpError(400, `Wrong input: ${description}`);
  }

  /** A body that does not have the shape of the request (Qdrant's deserialization error). */
  static format(description: string): QdrantHttpError {
    return new QdrantHttpError(400, `Format error in JSON body: ${description}`);
  }

  /** A value of the right type that Qdrant's validation refuses (its 422): `[field: why]`. */
  static validation(field: string, why: string): QdrantHttpError {
    return new QdrantHttpError(422, `Validation error in JSON body: [${field}: ${why}]`);
  }

  static notFound(description: string): QdrantHttpError {
    return new QdrantHttpError(404, `Not found: ${description}`);
  }

  static collectionNotFound(name: string): QdrantHttpError {
    return QdrantHttpError.notFound(`Collection \`${name}\` doesn't exist!`);
  }
}
