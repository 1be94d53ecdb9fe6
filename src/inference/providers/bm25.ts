import { createHash } from 'node:crypto';
import type { SparseValues } from './provider';

/**
 * vecgate's own sparse model, `vecgate-bm25`: BM25 term weights computed in the gateway, without
 * a provider. Words are lowercased runs of letters and digits, English stop words dropped, no
 * stemming; each word's index is its MD5's first 32 bits modulo 10^9 (within every protocol's sparse range). A passage weighs each word
 * tf·(k1+1)/(tf + k1·(1 − b + b·len/avgLen)) (k1 1.2, b 0.75, avgLen 256, as Chroma's BM25
 * embedding function does); a query weighs each distinct word 1, so a dot product sums the
 * passage's weights of the query's words. There is no IDF: the weights do not depend on the
 * rest of the collection, so a record never changes when others are written.
 */
export const BM25_MODEL = 'vecgate-bm25';

const K1 = 1.2;
const B = 0.75;
const AVG_LEN = 256;
const MAX_WORD = 40;

const STOP_WORDS = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below between both ' +
    'but by can did do does doing down during each few for from further had has have having he her here hers herself ' +
    'him himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only ' +
    'or other our ours ourselves out over own same she should so some such than that the their theirs them themselves ' +
    'then there these they this those through to too under until up very was we were what when where which while who ' +
    'whom why will with you your yours yourself yourselves'
  ).split(' '),
);

export function words(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.length <= MAX_WORD && !STOP_WORDS.has(w));
}

function indexOf(word: string): number {
  return createHash('md5').update(word).digest().readUInt32BE(0) % 1_000_000_000;
}

function sorted(weights: Map<number, number>): SparseValues {
  const pairs = [...weights].sort((a, b) => a[0] - b[0]);
  return { indices: pairs.map((p) => p[0]), values: pairs.map((p) => p[1]) };
}

export function bm25(text: string, input: 'passage' | 'query'): SparseValues {
  const all = words(text);
  const counts = new Map<number, number>();
  for (const w of all) {
    const i = indexOf(w);
    counts.set(i, (counts.get(i) ?? 0) + 1);
  }
  if (input === 'query') return sorted(new Map([...counts.keys()].map((i) => [i, 1])));
  const norm = K1 * (1 - B + (B * all.length) / AVG_LEN);
  return sorted(new Map([...counts].map(([i, tf]) => [i, (tf * (K1 + 1)) / (tf + norm)])));
}
