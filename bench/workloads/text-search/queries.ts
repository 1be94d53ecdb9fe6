/**
 * The full-text benchmark's queries, chosen from the corpus's own document frequencies so that
 * "rare" and "common" mean the same share of the documents at every scale:
 *
 * - rare: in at most 0.05% of the documents (and in one at least);
 * - common: in 1% of the documents or more (the few stop-word-like words in most of them included);
 * - medium: between the two.
 *
 * A text query's terms are distinct words of its bands (mixed: common, rare, medium, common, rare in
 * turn); a phrase is two neighbouring tokens of a random document (so it matches one at least, and
 * its words are as frequent as tokens are: mostly common); the filtered query is two common words
 * within one category (10% of the documents). Query i of a kind comes from a generator seeded by
 * (seed, 'text-query', kind, i): the same on both targets and on every run of a seed.
 */
import { int, rng, type Rng } from '../../data';
import type { CorpusStatistics, TextCorpus } from './corpus';

export type Band = 'rare' | 'medium' | 'common';

export const RARE_MAX_SHARE = 0.0005;
export const COMMON_MIN_SHARE = 0.01;

export interface KindSpec {
  key: string;
  label: string;
  /** Text queries: each term's band. */
  bands?: Band[];
  phrase?: boolean;
  /** Text within one category. */
  filtered?: boolean;
  /** A word in no document: what a search costs before any document is read (not a goal). */
  floor?: boolean;
}

/** The floor's word: not a pseudo-word (every consonant of those is followed by a vowel). */
export const ABSENT_WORD = 'zzxq';

export const KINDS: KindSpec[] = [
  { key: 'text1-rare', label: 'text, 1 term, rare', bands: ['rare'] },
  { key: 'text1-common', label: 'text, 1 term, common', bands: ['common'] },
  { key: 'text2-rare', label: 'text, 2 terms, rare', bands: ['rare', 'rare'] },
  { key: 'text2-common', label: 'text, 2 terms, common', bands: ['common', 'common'] },
  { key: 'text2-mixed', label: 'text, 2 terms, mixed', bands: ['common', 'rare'] },
  { key: 'text5-rare', label: 'text, 5 terms, rare', bands: ['rare', 'rare', 'rare', 'rare', 'rare'] },
  { key: 'text5-common', label: 'text, 5 terms, common', bands: ['common', 'common', 'common', 'common', 'common'] },
  { key: 'text5-mixed', label: 'text, 5 terms, mixed', bands: ['common', 'rare', 'medium', 'common', 'rare'] },
  { key: 'phrase', label: 'query_string, a 2-word phrase', phrase: true },
  {
    key: 'filter',
    label: 'filter (category, 10%) + text, 2 common terms',
    bands: ['common', 'common'],
    filtered: true,
  },
  { key: 'floor', label: 'floor: text, 1 word in no document', floor: true },
];

/** One query: its words (by rank), and for a filtered one the category it keeps. */
export interface BenchQuery {
  kind: string;
  /** Word ranks: a text query's terms (any of them), or a phrase's words in order; none: ABSENT_WORD. */
  terms: number[];
  phrase: boolean;
  /** The category index kept, or -1. */
  category: number;
}

/** The ranks of each band, by document frequency. */
export function bands(stats: CorpusStatistics): Record<Band, number[]> {
  const out: Record<Band, number[]> = { rare: [], medium: [], common: [] };
  const n = stats.documents;
  stats.df.forEach((df, rank) => {
    if (df === 0) return;
    const share = df / n;
    out[share <= RARE_MAX_SHARE ? 'rare' : share >= COMMON_MIN_SHARE ? 'common' : 'medium'].push(rank);
  });
  return out;
}

function distinct(r: Rng, picks: Band[], byBand: Record<Band, number[]>, kind: string): number[] {
  const terms: number[] = [];
  for (const band of picks) {
    const pool = byBand[band];
    if (pool.length === 0) throw new Error(`${kind}: the corpus has no ${band} word (too few documents)`);
    for (let tries = 0; ; tries++) {
      const w = pool[int(r, pool.length)];
      if (!terms.includes(w)) {
        terms.push(w);
        break;
      }
      if (tries > 1000) throw new Error(`${kind}: cannot draw ${picks.length} distinct ${band} words`);
    }
  }
  return terms;
}

/** `count` queries of each kind. */
export function makeQueries(
  corpus: TextCorpus,
  stats: CorpusStatistics,
  count: number,
  seed: number,
): Map<string, BenchQuery[]> {
  const byBand = bands(stats);
  const out = new Map<string, BenchQuery[]>();
  for (const k of KINDS) {
    const list: BenchQuery[] = [];
    for (let i = 0; i < count; i++) {
      const r = rng(seed, 'text-query', k.key, i);
      if (k.floor) list.push({ kind: k.key, terms: [], phrase: false, category: -1 });
      else if (k.phrase) {
        for (;;) {
          const tokens = corpus.tokens(int(r, corpus.documents));
          const at = int(r, tokens.length - 1);
          if (tokens[at] === tokens[at + 1]) continue;
          list.push({ kind: k.key, terms: [tokens[at], tokens[at + 1]], phrase: true, category: -1 });
          break;
        }
      } else {
        const terms = distinct(r, k.bands!, byBand, k.key);
        const category = k.filtered ? int(r, corpus.settings.categories) : -1;
        list.push({ kind: k.key, terms, phrase: false, category });
      }
    }
    out.set(k.key, list);
  }
  return out;
}

/** The document frequencies of a kind's terms: min, median and max, as a share of the documents. */
export function termShares(
  queries: BenchQuery[],
  stats: CorpusStatistics,
): { min: number; median: number; max: number } {
  const shares = queries.flatMap((q) => q.terms.map((t) => stats.df[t] / stats.documents)).sort((a, b) => a - b);
  if (shares.length === 0) return { min: 0, median: 0, max: 0 };
  return { min: shares[0], median: shares[Math.floor(shares.length / 2)], max: shares[shares.length - 1] };
}
