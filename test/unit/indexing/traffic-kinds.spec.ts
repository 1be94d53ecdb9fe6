import { TRAFFIC_MIN_SAMPLES, trafficKinds } from '../../../src/core/indexing/search-tuner';

/** Sampled traffic splits into what came since the last measurement and what came before, once enough is new. */
describe('trafficKinds', () => {
  const samples = (recent: number, earlier: number) => [
    ...Array.from({ length: recent }, (_, i) => ({ vector: `[${i}]`, recent: true })),
    ...Array.from({ length: earlier }, (_, i) => ({ vector: `[-${i}]`, recent: false })),
  ];

  it('makes the new samples a kind of their own, which must meet the target apart from the older', () => {
    const kinds = trafficKinds(samples(TRAFFIC_MIN_SAMPLES, 30)).map((q) => q.kind);
    expect(kinds.filter((k) => k === 'recent')).toHaveLength(TRAFFIC_MIN_SAMPLES);
    expect(kinds.filter((k) => k === 'earlier')).toHaveLength(30);
  });

  it('keeps one kind while too few samples are new to measure apart, or when all are', () => {
    expect(trafficKinds(samples(TRAFFIC_MIN_SAMPLES - 1, 31)).every((q) => !('kind' in q))).toBe(true);
    expect(trafficKinds(samples(50, 0)).every((q) => !('kind' in q))).toBe(true);
  });
});
