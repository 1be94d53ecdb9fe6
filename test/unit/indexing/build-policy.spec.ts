import {
  BULK_DEFER_FACTOR,
  BULK_ROWS_PER_SECOND,
  observe,
  shouldBuild,
  startWatch,
  type LoadWatch,
} from '../../../src/core/indexing/build-policy';

const timings = { quietMs: 2000, maxDeferMs: 60_000 };
const SWEEP_MS = 1000;

/**
 * Feeds the policy one sweep a second for `seconds`, inserting `rowsPerSecond` meanwhile, and
 * returns the second of the first sweep that decides to build (undefined: none did).
 */
function sweepUntilBuilt(
  rowsPerSecond: number,
  seconds: number,
  watch: LoadWatch = startWatch(10_000n, 0),
): number | undefined {
  let seq = watch.lastSeq;
  for (let t = SWEEP_MS; t <= seconds * 1000; t += SWEEP_MS) {
    seq += BigInt(Math.round((rowsPerSecond * SWEEP_MS) / 1000));
    observe(watch, seq, t, timings);
    if (shouldBuild(watch, t, timings)) return t / 1000;
  }
  return undefined;
}

describe('index build policy: when a collection due for an HNSW index gets it', () => {
  it('builds once inserts have been quiet for the quiet period', () => {
    expect(sweepUntilBuilt(0, 10)).toBe(timings.quietMs / 1000);
  });

  it('builds a collection under a steady trickle of inserts (no quiet period) once the maximum deferral has passed', () => {
    expect(sweepUntilBuilt(20, 120)).toBe(timings.maxDeferMs / 1000);
    expect(sweepUntilBuilt(BULK_ROWS_PER_SECOND, 120)).toBe(timings.maxDeferMs / 1000);
  });

  it('lets a bulk load (more than BULK_ROWS_PER_SECOND) run past the maximum deferral, and builds once it stops', () => {
    const watch = startWatch(10_000n, 0);
    // A 5-minute load at 4,000 records/s: no build while it runs.
    expect(sweepUntilBuilt(4000, 300, watch)).toBeUndefined();
    // Then it stops: built one quiet period later.
    const stopped = watch.changedAt;
    observe(watch, watch.lastSeq, stopped + 1000, timings);
    expect(shouldBuild(watch, stopped + 1000, timings)).toBe(false);
    observe(watch, watch.lastSeq, stopped + timings.quietMs, timings);
    expect(shouldBuild(watch, stopped + timings.quietMs, timings)).toBe(true);
  });

  it('builds under an endless bulk load too, after BULK_DEFER_FACTOR times the maximum deferral', () => {
    expect(sweepUntilBuilt(4000, 3600)).toBe((timings.maxDeferMs * BULK_DEFER_FACTOR) / 1000);
  });

  it('builds after the maximum deferral once a bulk load slows to a trickle without pausing', () => {
    const watch = startWatch(10_000n, 0);
    expect(sweepUntilBuilt(4000, 90, watch)).toBeUndefined();
    // From second 90 on, 10 records/s: the next rate window sees the trickle, and the deferral (long past) applies.
    let seq = watch.lastSeq;
    let builtAt: number | undefined;
    for (let t = 91_000; t <= 100_000 && builtAt === undefined; t += SWEEP_MS) {
      seq += 10n;
      observe(watch, seq, t, timings);
      if (shouldBuild(watch, t, timings)) builtAt = t;
    }
    expect(builtAt).toBeDefined();
    expect(builtAt!).toBeLessThanOrEqual(90_000 + 2 * timings.quietMs);
  });

  it('measures the insert rate over windows of the quiet period (at least a second)', () => {
    const watch = startWatch(0n, 0);
    observe(watch, 500n, 500, timings);
    expect(watch.rowsPerSecond).toBeUndefined();
    observe(watch, 1000n, 2000, timings);
    expect(watch.rowsPerSecond).toBe(500);
    observe(watch, 1000n, 4000, timings);
    expect(watch.rowsPerSecond).toBe(0);
  });
});
