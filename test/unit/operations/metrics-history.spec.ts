import { percentileOfBuckets } from '../../../src/operations/metrics-history';

describe('percentileOfBuckets', () => {
  // 10 requests: 4 under 5 ms, 4 between 5 and 10, 2 between 10 and 25.
  const buckets: [number, number][] = [
    [5, 4],
    [10, 8],
    [25, 10],
    [Infinity, 10],
  ];

  it('interpolates within the bucket that holds the rank', () => {
    expect(percentileOfBuckets(buckets, 10, 0.5)).toBeCloseTo(6.25);
    expect(percentileOfBuckets(buckets, 10, 0.2)).toBeCloseTo(2.5);
    expect(percentileOfBuckets(buckets, 10, 0.9)).toBeCloseTo(17.5);
  });

  it('answers the last finite bound for ranks in the open bucket, and null without requests', () => {
    expect(percentileOfBuckets([...buckets.slice(0, 3), [Infinity, 12]], 12, 0.99)).toBe(25);
    expect(percentileOfBuckets(buckets, 0, 0.5)).toBeNull();
  });
});
