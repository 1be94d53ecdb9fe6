import { DEFAULT_INDEX } from '../../../src/core/collections/collection.model';
import type { HnswBuild } from '../../../src/core/collections/hnsw-builds.repository';
import { withBuildDefaults } from '../../../src/core/collections/vector-index';
import { explicitBuild, nextStep, predictBuild, stepRefused } from '../../../src/core/indexing/growth-steps';
import { recallShortfall } from '../../../src/core/indexing/recall-shortfall';

describe('growth steps', () => {
  it('goes up from any settings to more neighbours and a build at least as wide, then stops', () => {
    expect(nextStep({ m: 4, efConstruction: 8 })).toEqual({ m: 16, efConstruction: 100 });
    expect(nextStep({ m: 16, efConstruction: 100 })).toEqual({ m: 24, efConstruction: 200 });
    expect(nextStep({ m: 16, efConstruction: 300 })).toEqual({ m: 24, efConstruction: 300 });
    expect(nextStep({ m: 32, efConstruction: 400 })).toEqual({ m: 48, efConstruction: 800 });
    expect(nextStep({ m: 48, efConstruction: 800 })).toBeNull();
    expect(nextStep({ m: 64, efConstruction: 200 })).toBeNull();
  });

  it("tells a client's own settings from the operator's", () => {
    expect(explicitBuild({ ...DEFAULT_INDEX, buildPinned: true })).toBe(true);
    expect(explicitBuild({ ...DEFAULT_INDEX, m: 4, efConstruction: 8, buildPinned: false })).toBe(false);
    // Catalog rows from before the choice was recorded: the defaults then were the operator's.
    expect(explicitBuild({ ...DEFAULT_INDEX })).toBe(false);
    expect(explicitBuild({ ...DEFAULT_INDEX, m: 32 })).toBe(true);
    expect(explicitBuild({ ...DEFAULT_INDEX, m: 32, grown: 2 })).toBe(false);
  });

  it("gives a new collection the operator's settings only where its client chose none", () => {
    const lean = { m: 4, efConstruction: 8 };
    expect(withBuildDefaults({ ...DEFAULT_INDEX }, lean)).toEqual({ ...DEFAULT_INDEX, ...lean, buildPinned: false });
    const chosen = { ...DEFAULT_INDEX, m: 24, buildPinned: true };
    expect(withBuildDefaults(chosen, lean)).toBe(chosen);
    const copied = { ...DEFAULT_INDEX, m: 24, efConstruction: 200, buildPinned: false, grown: 1 };
    expect(withBuildDefaults(copied, lean)).toBe(copied);
  });

  it('predicts a step from the last build, per record, and refuses one past the bounds', () => {
    const first = { m: 16, efConstruction: 100, records: 10_000, ms: 60_000, bytes: 10_000 * 400 };
    const predicted = predictBuild(first, { m: 24, efConstruction: 200 }, 20_000);
    // Twice the records, three times the work per record.
    expect(predicted.ms).toBeCloseTo(60_000 * 2 * 3);
    // The vectors stay; the neighbour lists grow with m.
    expect(predicted.bytes).toBeCloseTo((400 + 13 * 8) * 20_000);
    expect(stepRefused(first, predicted, 20_000, { maxMinutes: 30, maxSize: 4 })).toBeNull();
    expect(stepRefused(first, predicted, 20_000, { maxMinutes: 5, maxSize: 4 })).toBe('too slow');
    expect(stepRefused(first, predicted, 20_000, { maxMinutes: 30, maxSize: 1 })).toBe('too large');
    // An index built before builds were timed: only the size bounds it.
    const untimed = predictBuild({ ...first, ms: null }, { m: 24, efConstruction: 200 }, 20_000);
    expect(untimed.ms).toBeNull();
    expect(stepRefused(first, untimed, 20_000, { maxMinutes: 1, maxSize: 4 })).toBeNull();
  });
});

describe('the shortfall in words, with the rebuilds tried', () => {
  const tuning = {
    records: 100_000,
    target: 0.95,
    recall: 0.62,
    efSearch: 1000,
    exact: false,
    msPerSearch: 40,
    filtered: null,
    source: 'traffic' as const,
    measuredAt: new Date(),
    walkMet: false,
    walkRecall: 0.62,
  };
  const options = { exactIfMissedWithin: 2, rebuildMaxMinutes: 30, rebuildMaxSize: 4 };
  const build = (m: number, efConstruction: number, outcome: HnswBuild['outcome'], ms = 1000): HnswBuild => ({
    m,
    efConstruction,
    records: 100_000,
    ms,
    bytes: 1,
    outcome,
    builtAt: new Date(),
  });
  const grown = { ...DEFAULT_INDEX, m: 24, efConstruction: 200, buildPinned: false, grown: 1 };

  it('names the steps built and the one that took too long', () => {
    const words = recallShortfall(tuning, grown, options, [
      build(16, 100, 'built'),
      build(24, 200, 'built'),
      build(32, 400, 'too slow', 45 * 60_000),
    ])!;
    expect(words).toContain('rebuilt the index larger (m 24 and ef_construction 200; built first with m 16');
    expect(words).toContain('m 32 and ef_construction 400 takes longer than VECGATE_REBUILD_MAX_MINUTES (30)');
    expect(words).toContain('about 45 minutes');
  });

  it('names the size bound, the step to come, and rebuilds turned off', () => {
    expect(
      recallShortfall(tuning, grown, options, [
        build(16, 100, 'built'),
        build(24, 200, 'built'),
        build(32, 400, 'too large'),
      ]),
    ).toContain('VECGATE_REBUILD_MAX_SIZE (4) times the size of the first index');
    expect(recallShortfall(tuning, grown, options, [build(16, 100, 'built'), build(24, 200, 'built')])).toContain(
      'A rebuild with m 32 and ef_construction 400 comes next',
    );
    expect(recallShortfall(tuning, grown, { ...options, rebuildMaxMinutes: 0 }, [])).toContain(
      'VECGATE_REBUILD_MAX_MINUTES=0',
    );
  });

  it("says a client's own settings are kept", () => {
    const words = recallShortfall(tuning, { ...DEFAULT_INDEX, m: 8, efConstruction: 32, buildPinned: true }, options)!;
    expect(words).toContain("the collection's own m 8 and ef_construction 32, which the gateway keeps");
  });

  it('says nothing when a walk or exact search meets the target', () => {
    expect(recallShortfall({ ...tuning, exact: true, recall: 1 }, grown, options)).toBeNull();
    expect(recallShortfall({ ...tuning, recall: 0.97, walkMet: true }, grown, options)).toBeNull();
  });
});
