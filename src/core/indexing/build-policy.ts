/**
 * When a collection that is due for an HNSW index gets it: the decision alone, so that it can be
 * reasoned about (and tested) apart from the sweeps that feed it.
 *
 * - Once inserts have been quiet for `quietMs`: a bulk load is over, build now.
 * - Under a steady stream of inserts, after `maxDeferMs`: a stream never pauses, and searches stay
 *   exact scans until the index exists.
 * - Except while the stream is a bulk load, adding more than BULK_ROWS_PER_SECOND: an index built
 *   then makes every later row pay its way into the graph (docs/hot-path.md), and the rows added
 *   while it is built concurrently are inserted one by one at its end. Building at the end is faster.
 * - But not past `maxDeferMs * BULK_DEFER_FACTOR`: a collection under an endless heavy load gets
 *   its index too.
 */
export const BULK_ROWS_PER_SECOND = 250;
export const BULK_DEFER_FACTOR = 10;

export interface BuildTimings {
  quietMs: number;
  maxDeferMs: number;
}

/** What one replica has seen of one collection due for an index. */
export interface LoadWatch {
  /** The table's insert sequence at the last sweep. */
  lastSeq: bigint;
  /** When lastSeq last moved. */
  changedAt: number;
  /** When this replica first saw the collection due. */
  dueSince: number;
  /** Start of the window the insert rate is being measured over, and the sequence then. */
  windowStart: number;
  windowSeq: bigint;
  /** Rows per second over the last whole window; undefined before one has passed. */
  rowsPerSecond?: number;
}

export function startWatch(seq: bigint, now: number): LoadWatch {
  return { lastSeq: seq, changedAt: now, dueSince: now, windowStart: now, windowSeq: seq };
}

/**
 * Records a sweep's reading of the insert sequence; the rate is measured over windows of quietMs
 * (at least 1 s).
 */
export function observe(watch: LoadWatch, seq: bigint, now: number, timings: BuildTimings): void {
  if (seq !== watch.lastSeq) {
    watch.lastSeq = seq;
    watch.changedAt = now;
  }
  const elapsed = now - watch.windowStart;
  if (elapsed >= Math.max(1000, timings.quietMs)) {
    watch.rowsPerSecond = (Number(seq - watch.windowSeq) * 1000) / elapsed;
    watch.windowStart = now;
    watch.windowSeq = seq;
  }
}

export function shouldBuild(watch: LoadWatch, now: number, timings: BuildTimings): boolean {
  if (now - watch.changedAt >= timings.quietMs) return true;
  const waited = now - watch.dueSince;
  if (waited >= timings.maxDeferMs * BULK_DEFER_FACTOR) return true;
  // Until a whole window has been measured, a load counts as bulk: the deferral waits one window at most.
  const bulk = watch.rowsPerSecond === undefined || watch.rowsPerSecond > BULK_ROWS_PER_SECOND;
  return waited >= timings.maxDeferMs && !bulk;
}
