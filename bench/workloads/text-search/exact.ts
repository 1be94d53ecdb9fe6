/**
 * The exact top k of every query under two definitions of BM25 (k1 1.2, b 0.75, over the whole
 * namespace's statistics whatever the filter), computed in the bench from the corpus itself:
 *
 * - vecgate's (Lucene's idf, ln(1 + (N - df + 0.5) / (df + 0.5))); a phrase matches the documents
 *   holding its words next to each other, each scored by the sum of its words' BM25 scores;
 * - FTS5's bm25() (idf ln((N - df + 0.5) / (df + 0.5)), 1e-6 where that is not positive); a phrase
 *   is one term whose frequency is its occurrences and whose df the documents holding it.
 *
 * Both break ties by document number, as both targets are asked to. One pass over the corpus: a
 * text query is scored as its documents go by (each query keeps its best k), a phrase's matches are
 * kept until its df is known.
 */
import type { CorpusStatistics, TextCorpus } from './corpus';
import type { BenchQuery } from './queries';

export const K1 = 1.2;
export const B = 0.75;

export const luceneIdf = (n: number, df: number) => Math.log(1 + (n - df + 0.5) / (df + 0.5));
export const fts5Idf = (n: number, df: number) => {
  const idf = Math.log((n - df + 0.5) / (df + 0.5));
  return idf <= 0 ? 1e-6 : idf;
};

/** A ranking: document numbers, best first, and their scores. */
export interface Ranked {
  docs: number[];
  scores: number[];
}

/** The best k of (score, doc) pairs offered, by score descending then doc ascending. */
class Best {
  readonly docs: number[] = [];
  readonly scores: number[] = [];

  constructor(private readonly k: number) {}

  offer(doc: number, score: number): void {
    const { docs, scores, k } = this;
    const n = docs.length;
    if (n === k && (score < scores[n - 1] || (score === scores[n - 1] && doc > docs[n - 1]))) return;
    let at = n;
    while (at > 0 && (scores[at - 1] < score || (scores[at - 1] === score && docs[at - 1] > doc))) at--;
    docs.splice(at, 0, doc);
    scores.splice(at, 0, score);
    if (docs.length > k) {
      docs.pop();
      scores.pop();
    }
  }

  ranked(): Ranked {
    return { docs: [...this.docs], scores: [...this.scores] };
  }
}

const saturated = (tf: number, norm: number) => (tf * (K1 + 1)) / (tf + K1 * norm);

/** The exact top k of each query (in the order given) under vecgate's and FTS5's BM25. */
export function exactRankings(
  corpus: TextCorpus,
  stats: CorpusStatistics,
  queries: BenchQuery[],
  k: number,
  report?: (done: number) => void,
): { vecgate: Ranked[]; fts5: Ranked[] } {
  const n = stats.documents;
  const avgdl = stats.tokens / n;
  const lucene = queries.map(() => new Best(k));
  const fts5 = queries.map(() => new Best(k));
  /** Queries by the words they hold. */
  const byWord = new Map<number, number[]>();
  queries.forEach((q, qi) => {
    for (const t of new Set(q.terms)) byWord.set(t, [...(byWord.get(t) ?? []), qi]);
  });
  /** A phrase's matches: [doc, occurrences, vecgate's score] triples, scored by FTS5 at the end. */
  const phraseHits = queries.map(() => [] as number[]);
  const tf = new Map<number, number>();
  const touched = new Set<number>();
  for (let doc = 0; doc < n; doc++) {
    const { tokens, category } = corpus.draw(doc);
    tf.clear();
    touched.clear();
    for (const t of tokens) {
      const qs = byWord.get(t);
      if (!qs) continue;
      tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const qi of qs) touched.add(qi);
    }
    if (touched.size === 0) continue;
    const norm = 1 - B + (B * tokens.length) / avgdl;
    for (const qi of touched) {
      const q = queries[qi];
      if (q.category >= 0 && q.category !== category) continue;
      let sumLucene = 0;
      let sumFts5 = 0;
      for (const t of q.terms) {
        const f = tf.get(t);
        if (!f) continue;
        const s = saturated(f, norm);
        sumLucene += luceneIdf(n, stats.df[t]) * s;
        sumFts5 += fts5Idf(n, stats.df[t]) * s;
      }
      if (!q.phrase) {
        lucene[qi].offer(doc, sumLucene);
        fts5[qi].offer(doc, sumFts5);
        continue;
      }
      const [a, b] = q.terms;
      let occurrences = 0;
      for (let p = 0; p + 1 < tokens.length; p++) if (tokens[p] === a && tokens[p + 1] === b) occurrences++;
      if (occurrences === 0) continue;
      lucene[qi].offer(doc, sumLucene);
      phraseHits[qi].push(doc, occurrences, norm);
    }
    if (report && (doc + 1) % 100_000 === 0) report(doc + 1);
  }
  queries.forEach((q, qi) => {
    if (!q.phrase) return;
    const hits = phraseHits[qi];
    const idf = fts5Idf(n, hits.length / 3);
    for (let h = 0; h < hits.length; h += 3) fts5[qi].offer(hits[h], idf * saturated(hits[h + 1], hits[h + 2]));
  });
  return { vecgate: lucene.map((b) => b.ranked()), fts5: fts5.map((b) => b.ranked()) };
}

/**
 * Whether a target's answer is the exact ranking: as many results, each rank's score within 1e-6
 * (relative) of the exact one, and the same documents but where the last rank's score is shared
 * with documents left out (a tie at the cut, broken either way).
 */
export function sameRanking(got: Ranked, exact: Ranked): boolean {
  if (got.docs.length !== exact.docs.length) return false;
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
  if (!got.scores.every((s, i) => close(s, exact.scores[i]))) return false;
  const last = exact.scores[exact.scores.length - 1];
  const firm = (r: Ranked) =>
    r.docs
      .filter((_, i) => !close(r.scores[i], last))
      .sort((a, b) => a - b)
      .join();
  return firm(got) === firm(exact);
}

/** The share of `a`'s documents that `b` returned too (1 when both are empty). */
export function overlap(a: number[], b: number[]): number {
  const size = Math.max(a.length, b.length);
  if (size === 0) return 1;
  const other = new Set(b);
  return a.filter((d) => other.has(d)).length / size;
}
