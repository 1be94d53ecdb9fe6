/**
 * The full-text benchmark's corpus (issue 51), made by the bench and the same on every run of a
 * seed: a vocabulary of pronounceable pseudo-words, ranked, and documents whose tokens are drawn
 * from it by Zipf's law (rank r has weight 1 / r^s), 20 to 200 tokens each. A document is drawn
 * from a generator of its own, seeded by (seed, 'doc', i), so any batch can be made on its own, in
 * any order, and every target (the gateway, FTS5, the exact reference) receives the same text.
 *
 * Tokens are words of ASCII letters; the text adds what both tokenizers undo alike (a capital at
 * the start of a sentence, full stops, commas), so FTS5's unicode61 and vecgate's default analyser
 * (lowercase, split on anything but letters and digits, no stemming) see the same tokens in the
 * same positions.
 */
import { int, rng, type Rng } from '../../data';

export interface CorpusSettings {
  seed: number;
  documents: number;
  /** Distinct words (at most 65,535: a token is kept as a Uint16). */
  vocabulary: number;
  /** Zipf's exponent s. */
  zipf: number;
  minTokens: number;
  maxTokens: number;
  /** Values of the `category` field (c0, c1, ...): the filter's column. */
  categories: number;
}

export const DEFAULT_CORPUS: Omit<CorpusSettings, 'documents' | 'seed'> = {
  vocabulary: 50_000,
  zipf: 1,
  minTokens: 20,
  maxTokens: 200,
  categories: 10,
};

const ONSETS = [
  'b',
  'd',
  'f',
  'g',
  'k',
  'l',
  'm',
  'n',
  'p',
  'r',
  's',
  't',
  'v',
  'z',
  'br',
  'st',
  'tr',
  'pl',
  'gr',
  'sk',
];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'a', 'e', 'o', 'ai', 'ou'];
const CODAS = ['n', 'r', 's', 'l', 'm', 'k', 't'];

/** One pseudo-word: 1 to 4 syllables of onset, vowel and (sometimes) a coda. */
function pseudoWord(r: Rng): string {
  const syllables = 1 + int(r, 4);
  let w = '';
  for (let s = 0; s < syllables; s++) {
    w += ONSETS[int(r, ONSETS.length)] + VOWELS[int(r, VOWELS.length)];
    if (r() < 0.3) w += CODAS[int(r, CODAS.length)];
  }
  return w;
}

/**
 * `size` distinct pseudo-words in rank order: shorter words first (frequent words are short), ties
 * in the order they were drawn.
 */
export function vocabulary(seed: number, size: number): string[] {
  const r = rng(seed, 'vocabulary');
  const seen = new Set<string>();
  const words: string[] = [];
  while (words.length < size) {
    const w = pseudoWord(r);
    if (seen.has(w)) continue;
    seen.add(w);
    words.push(w);
  }
  return words
    .map((w, i) => [w, i] as const)
    .sort((a, b) => a[0].length - b[0].length || a[1] - b[1])
    .map(([w]) => w);
}

/** A document as the targets receive it. */
export interface TextDocument {
  /** Zero-padded, so that ids sort as the documents' numbers (FTS5's rowid = the number). */
  id: string;
  body: string;
  category: string;
}

export const documentId = (i: number) => `d${String(i).padStart(7, '0')}`;

export class TextCorpus {
  readonly words: string[];
  /** Zipf's cumulative distribution over the ranks: cdf[r] = P(rank <= r). */
  private readonly cdf: Float64Array;

  constructor(readonly settings: CorpusSettings) {
    const { vocabulary: v, zipf, minTokens, maxTokens } = settings;
    if (v < 2 || v > 65_535) throw new Error(`vocabulary must be from 2 to 65535 words, got ${v}`);
    if (minTokens < 1 || maxTokens < minTokens) throw new Error(`bad token range ${minTokens}..${maxTokens}`);
    this.words = vocabulary(settings.seed, v);
    this.cdf = new Float64Array(v);
    let sum = 0;
    for (let r = 0; r < v; r++) this.cdf[r] = sum += 1 / (r + 1) ** zipf;
    for (let r = 0; r < v; r++) this.cdf[r] /= sum;
  }

  get documents(): number {
    return this.settings.documents;
  }

  /** The rank drawn for a uniform u in [0, 1): the first rank whose cumulative weight passes u. */
  private rank(u: number): number {
    let lo = 0;
    let hi = this.cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cdf[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Document i's tokens as ranks (0 is the most frequent word), its category, and its sentence breaks. */
  draw(i: number): { tokens: Uint16Array; category: number; r: Rng } {
    const r = rng(this.settings.seed, 'doc', i);
    const { minTokens, maxTokens, categories } = this.settings;
    const tokens = new Uint16Array(minTokens + int(r, maxTokens - minTokens + 1));
    for (let k = 0; k < tokens.length; k++) tokens[k] = this.rank(r());
    return { tokens, category: int(r, categories), r };
  }

  /** Document i's token ranks alone. */
  tokens(i: number): Uint16Array {
    return this.draw(i).tokens;
  }

  /** Document i: its words in sentences of 6 to 20 (capitalised first word, a full stop, now and then a comma). */
  document(i: number): TextDocument {
    const { tokens, category, r } = this.draw(i);
    let body = '';
    let left = 0;
    for (let k = 0; k < tokens.length; k++) {
      let w = this.words[tokens[k]];
      if (left === 0) {
        left = 6 + int(r, 15);
        w = w[0].toUpperCase() + w.slice(1);
        if (k > 0) body += '. ';
      } else body += r() < 0.08 ? ', ' : ' ';
      body += w;
      left--;
    }
    return { id: documentId(i), body: `${body}.`, category: `c${category}` };
  }

  /** Documents [start, start + size). */
  batch(start: number, size: number): TextDocument[] {
    const end = Math.min(this.documents, start + size);
    return Array.from({ length: end - start }, (_, k) => this.document(start + k));
  }

  /** Every word's document frequency (by rank), every document's length, and the total of tokens. */
  statistics(report?: (done: number) => void): CorpusStatistics {
    const n = this.documents;
    const df = new Int32Array(this.words.length);
    const seenIn = new Int32Array(this.words.length).fill(-1);
    const lengths = new Uint16Array(n);
    let tokens = 0;
    for (let i = 0; i < n; i++) {
      const t = this.tokens(i);
      lengths[i] = t.length;
      tokens += t.length;
      for (const w of t)
        if (seenIn[w] !== i) {
          seenIn[w] = i;
          df[w]++;
        }
      if (report && (i + 1) % 100_000 === 0) report(i + 1);
    }
    return { documents: n, df, lengths, tokens };
  }
}

export interface CorpusStatistics {
  documents: number;
  /** Document frequency by rank. */
  df: Int32Array;
  /** Tokens by document. */
  lengths: Uint16Array;
  tokens: number;
}
