import { CoreError, InvalidArgumentError, InvalidRegexError, UnavailableError } from './errors';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
]);

/**
 * Sorts a database error into what the client did wrong and what the server did. Class 22 (data
 * exception: bad vector text, NUL bytes, out-of-range numbers) comes from the request's values,
 * so it is the client's mistake; an unreachable server is a 503; anything else stays a 500.
 */
export function translateDatabaseError(err: any): CoreError | undefined {
  if (err instanceof CoreError) return err;
  const code: unknown = err?.code;
  if (typeof code !== 'string') {
    if (
      typeof err?.message === 'string' &&
      /Connection terminated|connect ECONNREFUSED|Client has encountered a connection error/.test(err.message)
    ) {
      return new UnavailableError('The database is unavailable; try again shortly.');
    }
    return undefined;
  }
  if (code === '2201B') return new InvalidRegexError(err.message);
  if (code.startsWith('22')) return new InvalidArgumentError(err.message);
  if (CONNECTION_CODES.has(code)) return new UnavailableError('The database is unavailable; try again shortly.');
  return undefined;
}
