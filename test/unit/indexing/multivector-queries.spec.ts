import { multivectorQueries, QUERY_TOKENS } from '../../../src/core/indexing/multivector-queries';

function seeded(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

describe('multivectorQueries', () => {
  const random = seeded(5);
  const record = (n: number, dim: number) => Array.from({ length: n }, () => Array.from({ length: dim }, random));
  const dist = (a: number[], b: number[]) => Math.hypot(...a.map((x, k) => x - b[k]));

  it('makes half the queries near one record and half between two, none a stored token', () => {
    const sample = [record(40, 6), record(5, 6), record(1, 6), record(12, 6)];
    const queries = multivectorQueries(sample, seeded(9));
    expect(queries.map((q) => q.kind)).toEqual(['near', 'near', 'between', 'between']);
    // At most 32 tokens, all of the vectors' dimension; a record of 40 gives 32, one of 5 its 5.
    expect(queries[0].tokens).toHaveLength(QUERY_TOKENS);
    expect(queries[1].tokens).toHaveLength(5);
    for (const q of queries) for (const t of q.tokens) expect(t).toHaveLength(6);
    const stored = sample.flat();
    for (const q of queries)
      for (const t of q.tokens) expect(Math.min(...stored.map((s) => dist(s, t)))).toBeGreaterThan(0);
    // A near query's token lies closer to a token of its own record than to any other record's
    // nearest token would need: each moved by half its distance to the nearest other token.
    for (const t of queries[1].tokens) {
      const own = Math.min(...sample[1].map((s) => dist(s, t)));
      const spread = Math.min(
        ...sample[1].flatMap((a, i) => sample[1].filter((_, j) => j !== i).map((b) => dist(a, b))),
      );
      expect(own).toBeLessThanOrEqual(spread);
    }
  });

  it('takes the tokens of a between query from two records, half each', () => {
    const small = multivectorQueries([record(3, 4), record(3, 4), record(3, 4), record(3, 4)], seeded(3));
    expect(small.slice(2).map((q) => q.tokens.length)).toEqual([6, 6]);
    const large = multivectorQueries([record(20, 4), record(20, 4), record(20, 4), record(20, 4)], seeded(3));
    expect(large.slice(2).map((q) => q.tokens.length)).toEqual([QUERY_TOKENS, QUERY_TOKENS]);
  });

  it('makes nothing of no sample, and a near query of a sample of one', () => {
    expect(multivectorQueries([])).toEqual([]);
    const one = multivectorQueries([record(2, 3)], seeded(1));
    expect(one.map((q) => q.kind)).toEqual(['near']);
  });
});
