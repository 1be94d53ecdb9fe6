/** An error of the console's API, in its own shape: `{"error": {"code", "message", "dialect"?}}`. */
export class ConsoleHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** A filter's parse error: the protocol whose dialect it was written in (the message is in its words). */
    readonly dialect?: string,
  ) {
    super(message);
  }

  static badRequest(message: string): ConsoleHttpError {
    return new ConsoleHttpError(400, 'bad_request', message);
  }
}
