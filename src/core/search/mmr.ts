/**
 * Maximal Marginal Relevance, greedily: first the candidate most similar to the query, then one
 * at a time the candidate that best trades its similarity to the query (weight `lambda`) against
 * its greatest similarity to those chosen before, until `n` are chosen. `among` holds the
 * candidates' similarities to each other (row i, column j at i * m + j). Returns candidate
 * indexes in the order chosen; ties go to the earlier candidate. n × m steps, on numbers the
 * database computed.
 */
export function greedyMmr(relevance: number[], among: Float32Array, lambda: number, n: number): number[] {
  const m = relevance.length;
  const chosen: number[] = [];
  const taken = new Uint8Array(m);
  // Each candidate's greatest similarity to those chosen so far.
  const redundancy = new Float64Array(m).fill(-Infinity);
  while (chosen.length < Math.min(n, m)) {
    let best = -1;
    let bestScore = -Infinity;
    for (let i = 0; i < m; i++) {
      if (taken[i]) continue;
      const score = chosen.length === 0 ? relevance[i] : lambda * relevance[i] - (1 - lambda) * redundancy[i];
      if (best < 0 || score > bestScore) [best, bestScore] = [i, score];
    }
    chosen.push(best);
    taken[best] = 1;
    for (let i = 0; i < m; i++) if (!taken[i]) redundancy[i] = Math.max(redundancy[i], among[i * m + best]);
  }
  return chosen;
}
