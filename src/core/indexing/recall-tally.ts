/**
 * z of a one-sided 95% bound: a way of searching is taken as meeting the recall target when the
 * target is below the recall it reached less this many standard errors. Chosen on the point
 * estimate, the tuner took ef_search 160 on 50,000 x 64 uniform records where it measured 0.952,
 * and fresh queries of the same kind got 0.905 (issue 49): a measurement on some dozens of
 * queries is itself a sample.
 */
export const RECALL_CONFIDENCE_Z = 1.645;

/**
 * The lower confidence bound of a mean recall, from each query's recall: the mean less
 * RECALL_CONFIDENCE_Z standard errors (the queries' own spread over the square root of their
 * number). With fewer than two queries, the mean.
 */
export function recallLowerBound(recalls: number[]): number {
  const n = recalls.length;
  if (n === 0) return 1;
  const mean = recalls.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return mean;
  const variance = recalls.reduce((a, r) => a + (r - mean) ** 2, 0) / (n - 1);
  return Math.max(0, mean - RECALL_CONFIDENCE_Z * Math.sqrt(variance / n));
}

/**
 * A measurement's hits by kind of query (each kind must meet the target: the tuner's near and
 * between queries, recent and earlier traffic). `recall` is the worst kind's share of neighbours
 * found, what is reported; `bound` the worst kind's lower confidence bound, what a choice is
 * made on.
 */
export class RecallTally {
  private readonly kinds = new Map<string, { hits: number; expected: number; recalls: number[] }>();

  add(kind: string, hits: number, expected: number): void {
    const tally = this.kinds.get(kind) ?? { hits: 0, expected: 0, recalls: [] };
    tally.hits += hits;
    tally.expected += expected;
    // A query with no neighbour to find says nothing of the walk.
    if (expected > 0) tally.recalls.push(hits / expected);
    this.kinds.set(kind, tally);
  }

  recall(): number {
    return Math.min(1, ...[...this.kinds.values()].map((t) => (t.expected === 0 ? 1 : t.hits / t.expected)));
  }

  bound(): number {
    return Math.min(1, ...[...this.kinds.values()].map((t) => recallLowerBound(t.recalls)));
  }
}
