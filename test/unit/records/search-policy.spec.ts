import type { Collection, SearchTuning } from '../../../src/core/collections/collection.model';
import { DEFAULT_INDEX } from '../../../src/core/collections/collection.model';
import { HNSW_LIMITS } from '../../../src/core/collections/vector-index';
import { interimFiltered, PENDING_FILTERED } from '../../../src/core/indexing/search-tuner';
import {
  EXACT_SEARCH_MAX_ROWS,
  EXACT_SEARCH_MAX_SHARE,
  EXACT_WHILE_UNMEASURED_CELLS,
  exactWhileUnmeasured,
  filteredEfSearch,
  prefersExactSearch,
  unmeasured,
} from '../../../src/core/records/search-policy';

const measuredAt: SearchTuning = {
  records: 10_000,
  target: 0.95,
  recall: 0.97,
  efSearch: 40,
  exact: false,
  msPerSearch: 1,
  filtered: null,
  source: 'synthesized',
  measuredAt: new Date(),
};
type Measured = Pick<Collection, 'tuning' | 'index' | 'vectorIndexed' | 'records'>;
const indexed = (records: number, tuning: SearchTuning | null = measuredAt): Measured => ({
  tuning,
  index: DEFAULT_INDEX,
  vectorIndexed: true,
  records,
});

describe('unmeasured', () => {
  it('holds from the index build until the first measurement', () => {
    expect(unmeasured(indexed(10_000, null), 0.95)).toBe(true);
    expect(unmeasured(indexed(10_000), 0.95)).toBe(false);
  });

  it('holds again once the collection has grown or shrunk by a quarter, or the target changed', () => {
    expect(unmeasured(indexed(12_500), 0.95)).toBe(false);
    expect(unmeasured(indexed(12_501), 0.95)).toBe(true);
    expect(unmeasured(indexed(8_000), 0.95)).toBe(false);
    expect(unmeasured(indexed(7_999), 0.95)).toBe(true);
    expect(unmeasured(indexed(10_000), 0.99)).toBe(true);
    // A target stored as a real reads back as float4: still the same target.
    expect(unmeasured(indexed(10_000, { ...measuredAt, target: Math.fround(0.95) }), 0.95)).toBe(false);
  });

  it('never holds with tuning off, ef_search pinned, or no index (searches are exact)', () => {
    expect(unmeasured(indexed(10_000, null), 0)).toBe(false);
    expect(unmeasured({ ...indexed(10_000, null), index: { ...DEFAULT_INDEX, efSearchPinned: true } }, 0.95)).toBe(
      false,
    );
    expect(unmeasured({ ...indexed(10_000, null), vectorIndexed: false }, 0.95)).toBe(false);
  });
});

describe('exactWhileUnmeasured', () => {
  it('reads a collection whole up to a bound on rows times dimensions', () => {
    expect(exactWhileUnmeasured({ records: 40_000, dimension: 384 })).toBe(true);
    expect(exactWhileUnmeasured({ records: 20_000, dimension: 768 })).toBe(true);
    expect(exactWhileUnmeasured({ records: EXACT_WHILE_UNMEASURED_CELLS / 384 + 1, dimension: 384 })).toBe(false);
    expect(exactWhileUnmeasured({ records: 1_000_000, dimension: 128 })).toBe(false);
    // A count not known is not assumed small.
    expect(exactWhileUnmeasured({ records: undefined, dimension: 384 })).toBe(false);
  });
});

describe('prefersExactSearch', () => {
  it('searches exactly when the filter keeps a small share of a namespace, up to a bounded number of records', () => {
    expect(prefersExactSearch({ matching: 2_000, total: 200_000 })).toBe(true); // 1%: the planner would walk the graph
    expect(prefersExactSearch({ matching: 10, total: 20_000 })).toBe(true);
    expect(prefersExactSearch({ matching: 10_500, total: 1_000_000 })).toBe(true);
  });

  it('leaves a broad filter to the index', () => {
    expect(prefersExactSearch({ matching: 2_000, total: 20_000 })).toBe(false); // 10%
    expect(prefersExactSearch({ matching: 100_000, total: 200_000 })).toBe(false);
  });

  it('leaves a filter that keeps many records to the index however small their share', () => {
    expect(prefersExactSearch({ matching: EXACT_SEARCH_MAX_ROWS + 1, total: 10_000_000 })).toBe(false);
  });

  it('draws the line at the share', () => {
    const total = 100_000;
    expect(prefersExactSearch({ matching: total * EXACT_SEARCH_MAX_SHARE, total })).toBe(true);
    expect(prefersExactSearch({ matching: total * EXACT_SEARCH_MAX_SHARE + 1, total })).toBe(false);
  });
});

describe('prefersExactSearch, with what the search tuner measured under a filter keeping a tenth', () => {
  const measured = (walkMs: number, exactMs: number) => ({ efSearch: 400, recall: 0.96, walkMs, exactMs });

  it('reads the matching records past 5% where the walk under a tenth cost more than reading it', () => {
    // The walk cost three times the reading of a tenth: reading wins up to 30%.
    const slowWalk = measured(12, 4);
    expect(prefersExactSearch({ matching: 2_000, total: 20_000 }, slowWalk)).toBe(true);
    expect(prefersExactSearch({ matching: 6_000, total: 20_000 }, slowWalk)).toBe(true);
    expect(prefersExactSearch({ matching: 6_001, total: 20_000 }, slowWalk)).toBe(false);
    // Never past half the table, nor past the bound on records.
    expect(prefersExactSearch({ matching: 10_001, total: 20_000 }, measured(1000, 1))).toBe(false);
    expect(prefersExactSearch({ matching: EXACT_SEARCH_MAX_ROWS + 1, total: 100_000 }, slowWalk)).toBe(false);
  });

  it('keeps the 5% line where the walk was the cheaper', () => {
    const fastWalk = measured(7, 69);
    expect(prefersExactSearch({ matching: 10_000, total: 200_000 }, fastWalk)).toBe(true);
    expect(prefersExactSearch({ matching: 10_001, total: 200_000 }, fastWalk)).toBe(false);
  });
});

describe('filteredEfSearch', () => {
  it('runs through both measurements: the whole table and a tenth of it', () => {
    expect(filteredEfSearch(100, 250, 1)).toBe(100);
    expect(filteredEfSearch(100, 250, 0.1)).toBe(250);
  });

  it('widens geometrically as the filter narrows, between them and past a tenth', () => {
    const half = filteredEfSearch(100, 250, 0.5);
    const third = filteredEfSearch(100, 250, 0.3);
    expect(half).toBeGreaterThan(100);
    expect(third).toBeGreaterThan(half);
    expect(third).toBeLessThan(250);
    // 250 * 2.5^log10(2): a filter keeping 5%.
    expect(filteredEfSearch(100, 250, 0.05)).toBe(Math.ceil(100 * Math.pow(2.5, Math.log10(20))));
  });

  it('walks at least as wide while the filtered measurement is pending as any measurement could make it', () => {
    for (const unfiltered of [16, 100, 400])
      for (const share of [undefined, 0.9, 0.5, 0.1, 0.01, 0.0001])
        for (const measured of [unfiltered, 250, 640, HNSW_LIMITS.efSearch.max])
          expect(filteredEfSearch(unfiltered, PENDING_FILTERED.efSearch, share)).toBeGreaterThanOrEqual(
            filteredEfSearch(unfiltered, measured, share),
          );
    // And reads exactly where it would before any measurement: on the policy's own thresholds.
    for (const matching of [100, 4_000, 30_000])
      expect(prefersExactSearch({ matching, total: 100_000 }, PENDING_FILTERED)).toBe(
        prefersExactSearch({ matching, total: 100_000 }, null),
      );
  });

  it('keeps the last filtered measurement while the next is made only where it holds at this size', () => {
    const filtered = { efSearch: 160, recall: 0.97, walkMs: 1, exactMs: 3, source: 'synthesized' as const };
    const tuning = { ...measuredAt, filtered };
    expect(interimFiltered(indexed(10_000, tuning), 0.95)).toBe(filtered);
    // Grown past a quarter, never measured, measured for another target, or left pending.
    expect(interimFiltered(indexed(20_000, tuning), 0.95)).toBe(PENDING_FILTERED);
    expect(interimFiltered(indexed(10_000, null), 0.95)).toBe(PENDING_FILTERED);
    expect(interimFiltered(indexed(10_000, tuning), 0.9)).toBe(PENDING_FILTERED);
    expect(interimFiltered(indexed(10_000, { ...measuredAt, filtered: PENDING_FILTERED }), 0.95)).toBe(
      PENDING_FILTERED,
    );
  });

  it("takes the tenth's without an estimate, and never goes past pgvector's largest nor below the unfiltered one", () => {
    expect(filteredEfSearch(100, 250)).toBe(250);
    expect(filteredEfSearch(400, 1000, 0.01)).toBe(1000);
    expect(filteredEfSearch(100, 80, 0.05)).toBe(100);
  });
});
