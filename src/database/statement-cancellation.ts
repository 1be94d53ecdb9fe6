import { ScopedValue } from './scoped-value';

/**
 * The signal of the request whose statements run in this async context: it aborts when the client
 * goes away before its answer, and the database then cancels the statement that request is
 * running, so that a client that gives up frees its connection at once.
 */
const current = new ScopedValue<AbortSignal>('cancellation');

/** Runs `work` (and every statement it starts) under `signal`. */
export function runCancellable<T>(signal: AbortSignal, work: () => T): T {
  return current.run(signal, work);
}

/** The signal of the request being served, if any. */
export function currentCancellation(): AbortSignal | undefined {
  return current.get();
}
