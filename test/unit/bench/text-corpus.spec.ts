import { DEFAULT_CORPUS, TextCorpus, vocabulary } from '../../../bench/workloads/text-search/corpus';
import { exactRankings, fts5Idf, luceneIdf } from '../../../bench/workloads/text-search/exact';
import { bands, KINDS, makeQueries } from '../../../bench/workloads/text-search/queries';

/**
 * The full-text benchmark's corpus (bench/workloads/text-search/): the same seed makes the same
 * words, documents and queries, whatever order they are asked in, so the numbers recorded in
 * docs/benchmarks.md can be made again, and both targets load the same text.
 */
const settings = (seed: number, documents = 2000) => ({ ...DEFAULT_CORPUS, seed, documents });

describe('the full-text benchmark corpus', () => {
  // Each corpus draws its 50,000 words first: one of seed 42 serves the tests that only read it.
  let a: TextCorpus;
  beforeAll(() => {
    a = new TextCorpus(settings(42));
  });

  it('makes the same vocabulary and documents from the same seed, and others from another', () => {
    const b = new TextCorpus(settings(42));
    expect(b.words).toEqual(a.words);
    expect(b.batch(0, 50)).toEqual(a.batch(0, 50));
    const other = new TextCorpus(settings(43));
    expect(other.words.slice(0, 100)).not.toEqual(a.words.slice(0, 100));
    expect(other.document(0).body).not.toBe(a.document(0).body);
    // Pinned: a change of the generator changes every recorded result.
    expect(a.document(0)).toMatchObject({ id: 'd0000000', category: 'c4' });
    expect(a.document(0).body.slice(0, 40)).toBe('Zistaik ta de lu kek val. De de pis nek ');
  });

  it('makes a document the same alone, in any batch and in any order', () => {
    const corpus = new TextCorpus(settings(7));
    const late = corpus.document(1234);
    corpus.batch(0, 1000);
    expect(corpus.batch(1230, 10)[4]).toEqual(late);
    expect(new TextCorpus(settings(7)).document(1234)).toEqual(late);
  });

  it('draws distinct pronounceable words, shortest first, and 20 to 200 tokens a document', () => {
    const words = vocabulary(42, 50_000);
    expect(new Set(words).size).toBe(50_000);
    expect(words.every((w) => /^[a-z]{2,40}$/.test(w))).toBe(true);
    expect(words.every((w, i) => i === 0 || words[i - 1].length <= w.length)).toBe(true);
    const corpus = a;
    for (let i = 0; i < 200; i++) {
      const { tokens } = corpus.draw(i);
      expect(tokens.length).toBeGreaterThanOrEqual(20);
      expect(tokens.length).toBeLessThanOrEqual(200);
      // The text holds exactly the tokens, once lowercased and split on anything but letters.
      expect(
        corpus
          .document(i)
          .body.toLowerCase()
          .split(/[^a-z]+/)
          .filter(Boolean),
      ).toEqual([...tokens].map((t) => corpus.words[t]));
    }
  });

  it("follows Zipf's law: frequency falls with rank, about as 1 / rank", () => {
    const corpus = new TextCorpus(settings(42, 3000));
    const counts = new Map<number, number>();
    for (let i = 0; i < corpus.documents; i++)
      for (const t of corpus.tokens(i)) counts.set(t, (counts.get(t) ?? 0) + 1);
    const c = (rank: number) => counts.get(rank) ?? 0;
    expect(c(0)).toBeGreaterThan(c(1));
    expect(c(1)).toBeGreaterThan(c(9));
    expect(c(0) / c(9)).toBeGreaterThan(7);
    expect(c(0) / c(9)).toBeLessThan(13);
    const stats = corpus.statistics();
    let df0 = 0;
    for (let i = 0; i < corpus.documents; i++) if (corpus.tokens(i).includes(0)) df0++;
    expect(stats.df[0]).toBe(df0);
    expect(stats.tokens).toBe([...counts.values()].reduce((s, x) => s + x, 0));
  });

  it('chooses the same queries from the same seed, each term in its band', () => {
    const corpus = a;
    const stats = corpus.statistics();
    const q1 = makeQueries(corpus, stats, 5, 42);
    const q2 = makeQueries(new TextCorpus(settings(42)), stats, 5, 42);
    expect([...q2]).toEqual([...q1]);
    const byBand = bands(stats);
    for (const k of KINDS) {
      for (const q of q1.get(k.key)!) {
        expect(new Set(q.terms).size).toBe(q.terms.length);
        if (k.bands) k.bands.forEach((band, i) => expect(byBand[band]).toContain(q.terms[i]));
      }
    }
  });

  it('ranks exactly as BM25 computed document by document', () => {
    const corpus = new TextCorpus({ ...settings(3, 300), vocabulary: 200 });
    const stats = corpus.statistics();
    const queries = [
      { kind: 'text', terms: [5, 40, 120], phrase: false, category: -1 },
      { kind: 'filter', terms: [2, 3], phrase: false, category: 4 },
      { kind: 'phrase', terms: [...corpus.tokens(10).slice(3, 5)], phrase: true, category: -1 },
    ];
    const { vecgate, fts5 } = exactRankings(corpus, stats, queries, 10);
    const avgdl = stats.tokens / stats.documents;
    const bm25 = (tf: number, dl: number) => (tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * dl) / avgdl));
    const all = Array.from({ length: stats.documents }, (_, i) => corpus.draw(i));
    const phraseDocs = all
      .map(({ tokens }, doc) => ({ doc, tokens }))
      .filter(({ tokens }) =>
        tokens.some((t, p) => t === queries[2].terms[0] && tokens[p + 1] === queries[2].terms[1]),
      );
    queries.forEach((q, qi) => {
      const scored = all.flatMap(({ tokens, category }, doc) => {
        if (q.category >= 0 && category !== q.category) return [];
        const tf = (t: number) => tokens.filter((x) => x === t).length;
        if (q.phrase && !phraseDocs.some((d) => d.doc === doc)) return [];
        if (!q.terms.some((t) => tf(t) > 0)) return [];
        const score = q.terms.reduce(
          (s, t) => s + (tf(t) ? luceneIdf(stats.documents, stats.df[t]) * bm25(tf(t), tokens.length) : 0),
          0,
        );
        return [{ doc, score }];
      });
      scored.sort((a, b) => b.score - a.score || a.doc - b.doc);
      expect(vecgate[qi].docs).toEqual(scored.slice(0, 10).map((s) => s.doc));
      expect(vecgate[qi].scores).toEqual(scored.slice(0, 10).map((s) => expect.closeTo(s.score, 10)));
    });
    // FTS5 scores a phrase as one term: its occurrences, and the documents holding it.
    const [a, b] = queries[2].terms;
    const expected = phraseDocs
      .map(({ doc, tokens }) => {
        const occurrences = tokens.filter((t, p) => t === a && tokens[p + 1] === b).length;
        return { doc, score: fts5Idf(stats.documents, phraseDocs.length) * bm25(occurrences, tokens.length) };
      })
      .sort((x, y) => y.score - x.score || x.doc - y.doc);
    expect(fts5[2].docs).toEqual(expected.slice(0, 10).map((s) => s.doc));
  });
});
