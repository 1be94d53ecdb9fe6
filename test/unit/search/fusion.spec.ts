import { fuse, type Ranked } from '../../../src/core/search/fusion';

const list = (...entries: [string, number][]): Ranked[] => entries.map(([id, score]) => ({ id, score }));

describe('fuse: Reciprocal Rank Fusion', () => {
  const a = list(['x', 0.9], ['y', 0.8], ['z', 0.1]);
  const b = list(['z', 5], ['x', 4]);

  it('adds 1 / (rank + k - 1) from each list, ranks only (scores play no part)', () => {
    const fused = fuse([a, b], { kind: 'rrf', k: 2, weights: null });
    // x: 1/2 + 1/3; z: 1/4 + 1/2; y: 1/3.
    expect(fused.map((r) => r.id)).toEqual(['x', 'z', 'y']);
    expect(fused[0].score).toBeCloseTo(1 / 2 + 1 / 3, 12);
    expect(fused[1].score).toBeCloseTo(1 / 4 + 1 / 2, 12);
    expect(fused[2].score).toBeCloseTo(1 / 3, 12);
  });

  it('weighs each list: rank / weight in place of the rank, nothing from a list of weight 0', () => {
    const fused = fuse([a, b], { kind: 'rrf', k: 2, weights: [0, 2] });
    // Only b counts: z 1 / (1/2 + 1), x 1 / (2/2 + 1).
    expect(fused.map((r) => [r.id, r.score])).toEqual([
      ['z', 1 / 1.5],
      ['x', 1 / 2],
      ['y', 0],
    ]);
  });

  it('breaks ties by id, whatever the order of the lists', () => {
    const one = list(['b', 1]);
    const two = list(['a', 1]);
    expect(fuse([one, two], { kind: 'rrf', k: 60, weights: null }).map((r) => r.id)).toEqual(['a', 'b']);
    expect(fuse([two, one], { kind: 'rrf', k: 60, weights: null }).map((r) => r.id)).toEqual(['a', 'b']);
  });
});

describe('fuse: Distribution-Based Score Fusion', () => {
  it("maps each list's scores over its mean ± 3 sample deviations (Qdrant's distr_norm), then sums", () => {
    const a = list(['x', 3], ['y', 1]);
    const b = list(['y', 10], ['x', 10]);
    const fused = fuse([a, b], { kind: 'dbsf' });
    // a: mean 2, sample deviation √2, so 0 and 1 at 2 ∓ 3√2; b: one score, 0.5 each.
    const width = 6 * Math.SQRT2;
    expect(fused.map((r) => r.id)).toEqual(['x', 'y']);
    expect(fused[0].score).toBeCloseTo((1 + 3 * Math.SQRT2) / width + 0.5, 12);
    expect(fused[1].score).toBeCloseTo((-1 + 3 * Math.SQRT2) / width + 0.5, 12);
  });

  it('does not clamp a score past 3 deviations, as Qdrant does not', () => {
    const scores = [100, ...Array.from({ length: 20 }, () => 0)];
    const fused = fuse([list(...scores.map((s, i): [string, number] => [`p${i}`, s]))], { kind: 'dbsf' });
    expect(fused[0].score).toBeGreaterThan(1);
  });

  it('passes over an empty list and keeps ids found in one list only', () => {
    expect(fuse([[], list(['only', 7])], { kind: 'dbsf' })).toEqual([{ id: 'only', score: 0.5 }]);
  });
});
