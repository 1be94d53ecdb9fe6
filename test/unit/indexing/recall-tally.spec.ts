import { RECALL_CONFIDENCE_Z, RecallTally, recallLowerBound } from '../../../src/core/indexing/recall-tally';

/** A seeded generator, so that the simulation below is the same on every run. */
function prng(seed: number): () => number {
  return () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
}

describe('recallLowerBound', () => {
  it('is the mean less z standard errors of the queries’ recalls', () => {
    const recalls = [1, 0.9, 1, 0.8, 1, 0.9];
    const mean = recalls.reduce((a, b) => a + b) / recalls.length;
    const sd = Math.sqrt(recalls.reduce((a, r) => a + (r - mean) ** 2, 0) / (recalls.length - 1));
    expect(recallLowerBound(recalls)).toBeCloseTo(mean - (RECALL_CONFIDENCE_Z * sd) / Math.sqrt(recalls.length), 12);
  });

  it('is the mean itself for one query or queries that all agree, and 1 for none', () => {
    expect(recallLowerBound([0.7])).toBe(0.7);
    expect(recallLowerBound([1, 1, 1])).toBe(1);
    expect(recallLowerBound([])).toBe(1);
  });

  it('keeps a walk whose true recall is below the target from passing for one that meets it, where the point estimate does not', () => {
    // 40 queries of recall@10, each neighbour found with probability 0.93: a walk 0.02 short of 0.95.
    const random = prng(49);
    let byPoint = 0;
    let byBound = 0;
    const runs = 2000;
    for (let run = 0; run < runs; run++) {
      const recalls = Array.from({ length: 40 }, () => {
        let hits = 0;
        for (let k = 0; k < 10; k++) if (random() < 0.93) hits++;
        return hits / 10;
      });
      const mean = recalls.reduce((a, b) => a + b) / recalls.length;
      if (mean >= 0.95) byPoint++;
      if (recallLowerBound(recalls) >= 0.95) byBound++;
    }
    expect(byBound / runs).toBeLessThan(0.05);
    expect(byPoint / runs).toBeGreaterThan(byBound / runs);
  });
});

describe('RecallTally', () => {
  it('reports the worst kind’s recall and judges on the worst kind’s bound', () => {
    const tally = new RecallTally();
    for (let i = 0; i < 20; i++) tally.add('near', 10, 10);
    for (let i = 0; i < 20; i++) tally.add('between', i % 2 === 0 ? 10 : 9, 10);
    expect(tally.recall()).toBeCloseTo(0.95, 12);
    expect(tally.bound()).toBeLessThan(0.95);
    expect(tally.bound()).toBeGreaterThan(0.9);
  });

  it('leaves out a query with no neighbour to find', () => {
    const tally = new RecallTally();
    tally.add('', 0, 0);
    tally.add('', 10, 10);
    expect(tally.recall()).toBe(1);
    expect(tally.bound()).toBe(1);
  });
});
