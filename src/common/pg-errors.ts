import {
  CoreError,
  InvalidArgumentError,
  InvalidRegexError,
  StatementTimeoutError,
  UnavailableError,
} from '../core/errors';
import { POOL_CLOSING } from '../database/closing-pool';

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
  // read_only_sql_transaction: a write reached a server that is a standby now (a failover under way).
  '25006',
]);

/**
 * Sorts a database error into what the client did wrong and what the server did. Class 22 (data
 * exception: bad vector text, NUL bytes, out-of-range numbers) comes from the request's values,
 * so it is the client's mistake; an unreachable server is a 503; anything else stays a 500.
 */
export function translateDatabaseError(thrown: unknown): CoreError | undefined {
  if (thrown instanceof CoreError) return thrown;
  const err = thrown as { code?: unknown; message?: unknown } | undefined;
  const code = err?.code;
  if (typeof code !== 'string') {
    if (
      typeof err?.message === 'string' &&
      (/Connection terminated|connect ECONNREFUSED|Client has encountered a connection error/.test(err.message) ||
        err.message === POOL_CLOSING)
    ) {
      return new UnavailableError('The database is unavailable; try again shortly.');
    }
    return undefined;
  }
  if (code === '2201B') return new InvalidRegexError(String(err?.message));
  if (code === '57014')
    return new StatementTimeoutError(
      'The request ran past the statement time limit (VECGATE_STATEMENT_TIMEOUT_MS) and was cancelled; narrow it (a filter, fewer results) or try again later.',
    );
  if (code.startsWith('22')) return new InvalidArgumentError(String(err?.message));
  if (CONNECTION_CODES.has(code)) return new UnavailableError('The database is unavailable; try again shortly.');
  return undefined;
}
