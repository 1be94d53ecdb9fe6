import { loadConfig } from '../../../src/config/load-config';
import type { Collection } from '../../../src/core/collections/collection.model';
import { EAGER_FACTOR, RecallSampler } from '../../../src/core/records/recall-sampler';

/** Which searches the sampler takes: a share, at most so many a minute per collection; more while on the tuner's guess. */
describe('RecallSampler.wants', () => {
  // wants() decides from its options and its own counts alone: no database is reached.
  const sampler = (trafficShare: number, trafficPerMinute: number) =>
    new RecallSampler(
      { ...loadConfig({}).indexing, trafficShare, trafficPerMinute },
      undefined as never,
      undefined as never,
      undefined as never,
    );
  const collection = (id: string, source: 'synthesized' | 'traffic' | null) =>
    ({ id, tuning: source === null ? null : { source } }) as Pick<Collection, 'id' | 'tuning'>;
  const taken = (s: RecallSampler, c: Pick<Collection, 'id' | 'tuning'>, searches: number) =>
    Array.from({ length: searches }, () => s.wants(c)).filter(Boolean).length;

  it('takes at most the per-minute limit of a measured collection', () => {
    const s = sampler(0.01, 6);
    // 10,000 searches at 1%: about 100 pass the share, 6 the minute's limit.
    expect(taken(s, collection('measured', 'traffic'), 10_000)).toBe(6);
    expect(taken(s, collection('unmeasured', null), 10_000)).toBe(6);
    expect(s.traffic.get('measured')?.searches).toBe(10_000);
  });

  it('gives each named vector of a collection a quota of its own, measured apart from the default', () => {
    const s = sampler(1, 6);
    const named = { ...collection('c', 'traffic'), searchPosition: 2 } as Pick<Collection, 'id' | 'tuning'>;
    expect(taken(s, collection('c', 'traffic'), 100)).toBe(6);
    expect(taken(s, named, 100)).toBe(6);
    expect(taken(s, { ...named, searchPosition: 3 } as typeof named, 100)).toBe(6);
    expect(s.traffic.get('c')?.searches).toBe(300);
  });

  it('samples a collection searched on the tuner’s own guess ten times as often', () => {
    const s = sampler(0.01, 6);
    expect(taken(s, collection('guessed', 'synthesized'), 10_000)).toBe(6 * EAGER_FACTOR);
    // The share is raised too: of 200 searches at 10%, some are taken, where 1% would often take none.
    const fresh = sampler(0.01, 6);
    const counts = Array.from({ length: 20 }, (_, i) => taken(fresh, collection(`g${i}`, 'synthesized'), 200));
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(20 * 200 * 0.05);
  });

  it('takes nothing when sampling is off, whatever the tuning', () => {
    const s = sampler(0, 6);
    expect(taken(s, collection('a', 'synthesized'), 1_000)).toBe(0);
    expect(taken(s, collection('b', 'traffic'), 1_000)).toBe(0);
  });
});
