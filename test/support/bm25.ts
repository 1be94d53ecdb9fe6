/** BM25 as Lucene defines it (k1 1.2, b 0.75, idf ln(1 + (N - df + 0.5) / (df + 0.5))), over given tokens. */
export function bm25(docs: Map<string, string[]>, query: string[]): [string, number][] {
  const n = docs.size;
  const avgdl = [...docs.values()].reduce((s, d) => s + d.length, 0) / n;
  const terms = [...new Set(query)];
  const df = new Map(terms.map((t) => [t, [...docs.values()].filter((d) => d.includes(t)).length]));
  const scored: [string, number][] = [];
  for (const [id, tokens] of docs) {
    let score = 0;
    let matched = false;
    for (const t of terms) {
      const tf = tokens.filter((x) => x === t).length;
      if (tf === 0) continue;
      matched = true;
      const idf = Math.log(1 + (n - df.get(t)! + 0.5) / (df.get(t)! + 0.5));
      score += (idf * tf * 2.2) / (tf + 1.2 * (1 - 0.75 + (0.75 * tokens.length) / avgdl));
    }
    if (matched) scored.push([id, score]);
  }
  return scored.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** Scores rounded to six decimals, for comparing rankings. */
export const round = (pairs: [string, number][]) => pairs.map(([id, s]) => [id, Math.round(s * 1e6) / 1e6]);

/**
 * Levenshtein's distance from its definition: the fewest inserted, deleted or substituted
 * characters (code points) that turn `a` into `b`; a swap of two neighbours is two.
 */
export function levenshtein(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++)
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[y.length];
}
