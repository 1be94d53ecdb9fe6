import { sparseFromText, sparsevecText } from '../../../src/core/records/sparse-vector';

describe('sparsevecText', () => {
  it('writes sorted 1-based pairs over pgvector’s whole range', () => {
    expect(sparsevecText([9, 2], [0.5, 1.5]).text).toBe('{3:1.5,10:0.5}/1000000000');
    expect(sparseFromText('{3:1.5,10:0.5}/1000000000')).toEqual({ indices: [2, 9], values: [1.5, 0.5] });
  });

  it('folds indices past pgvector’s range into it, summing what lands on one index', () => {
    expect(sparsevecText([3_000_000_007], [2]).text).toBe('{8:2}/1000000000');
    expect(sparsevecText([7, 1_000_000_007], [1, 2]).text).toBe('{8:3}/1000000000');
  });

  it('leaves out values that are zero in float32, so nothing stores an explicit zero', () => {
    expect(sparsevecText([1, 2], [1e-50, 0]).text).toBe('{}/1000000000');
    expect(sparsevecText([1, 1_000_000_001], [1, -1]).text).toBe('{}/1000000000');
  });
});
