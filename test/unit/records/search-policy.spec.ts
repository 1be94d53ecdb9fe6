import {
  EXACT_SEARCH_MAX_ROWS,
  EXACT_SEARCH_MAX_SHARE,
  prefersExactSearch,
} from '../../../src/core/records/search-policy';

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
