import { ScopedValue } from './scoped-value';

/**
 * What one request needs of the server it reads from, and what its writes committed: a read sent
 * to a streaming replica (DATABASE_READ_URLS) must see the WAL position `atLeast()` answers, and
 * each write the request commits reports the primary's position after it.
 */
export interface ReadConsistency {
  /** The position a read must see (the client's token, or its own last write), if any. */
  atLeast(): bigint | undefined;
  /** The primary's WAL position after a write of this request committed. */
  committed(lsn: bigint): void;
}

const current = new ScopedValue<ReadConsistency>('read consistency');

/** Runs `work` (and every statement it starts) under `consistency`. */
export function runWithConsistency<T>(consistency: ReadConsistency, work: () => T): T {
  return current.run(consistency, work);
}

/** The consistency of the request being served, if any (background work has none). */
export function currentConsistency(): ReadConsistency | undefined {
  return current.get();
}
