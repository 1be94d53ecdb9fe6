import { InvalidArgumentError } from '../errors';

/**
 * How a text field's values become words (docs/full-text-search.md): lowercased and split on
 * anything but letters and digits, each word cut to `cap` characters, or each word's character
 * n-grams; then, under a language, stemmed with its Snowball stemmer and/or stop words dropped.
 * The same analyser makes the words of a query, so a query matches what the values hold.
 */
export interface TextAnalyzer {
  /** A Snowball language as PostgreSQL names it (`english`), or null: no stemming, no stop words. */
  language: string | null;
  stemming: boolean;
  stopWords: boolean;
  /** The longest word kept whole (Pinecone: 40); a longer one is cut. At most MAX_WORD_CAP. */
  cap: number;
  /** Character n-grams of each word instead of words (Pinecone's `ngram`), from its start only with prefixOnly. */
  ngram: { min: number; max: number; prefixOnly: boolean } | null;
}

/** A metadata key of a collection's records searched by its words: the record table's `t<position>` and `tl<position>`. */
export interface TextField {
  /** 1, 2, ...: the columns are named from it, never from `path`. */
  position: number;
  /** The metadata key (a path into nested objects). */
  path: string[];
  analyzer: TextAnalyzer;
}

export type NewTextField = Omit<TextField, 'position'>;

/** A regular expression's largest repetition count: the word cap is applied by one (migrations/024). */
export const MAX_WORD_CAP = 255;

/** The longest n-gram (Pinecone's limit, 1 <= min <= max <= 10). */
export const MAX_NGRAM = 10;

/** Snowball stemmers PostgreSQL has, by the two-letter codes Pinecone accepts. */
export const SNOWBALL_LANGUAGES: Readonly<Record<string, string>> = {
  ar: 'arabic',
  da: 'danish',
  de: 'german',
  el: 'greek',
  en: 'english',
  es: 'spanish',
  fi: 'finnish',
  fr: 'french',
  hu: 'hungarian',
  it: 'italian',
  nl: 'dutch',
  no: 'norwegian',
  pt: 'portuguese',
  ro: 'romanian',
  ru: 'russian',
  sv: 'swedish',
  ta: 'tamil',
  tr: 'turkish',
};

/** Languages PostgreSQL has a stop-word list for (its `<language>.stop` files). */
export const STOP_WORD_LANGUAGES: ReadonlySet<string> = new Set([
  'danish',
  'dutch',
  'english',
  'finnish',
  'french',
  'german',
  'hungarian',
  'italian',
  'norwegian',
  'portuguese',
  'russian',
  'spanish',
  'swedish',
  'turkish',
]);

/** A language given as a two-letter code or an English name (`en`, `english`, `English`), as PostgreSQL names it. */
export function snowballLanguage(value: string): string | null {
  const lower = value.toLowerCase();
  if (SNOWBALL_LANGUAGES[lower]) return SNOWBALL_LANGUAGES[lower];
  return Object.values(SNOWBALL_LANGUAGES).includes(lower) ? lower : null;
}

/**
 * The text search configuration the analyser stems and drops stop words with: the built-in one of
 * its language (both), vecgate's stemmer without stop words (migrations/024), or `simple` (neither).
 * Stop words without stemming exist in no configuration; the analyser refuses them (checkAnalyzer).
 */
export function textConfig(a: TextAnalyzer): string {
  if (!a.language || !a.stemming) return 'simple';
  return a.stopWords ? a.language : `vecgate_${a.language}_stem`;
}

/** Refuses an analyser no configuration implements (a protocol words its own refusal first). */
export function checkAnalyzer(a: TextAnalyzer): void {
  if (a.language !== null && !Object.values(SNOWBALL_LANGUAGES).includes(a.language))
    throw new InvalidArgumentError(`No stemmer for the language ${JSON.stringify(a.language)}`);
  if (a.stopWords && (!a.language || !a.stemming))
    throw new InvalidArgumentError('Stop words are dropped only together with stemming');
  if (a.stopWords && !STOP_WORD_LANGUAGES.has(a.language!))
    throw new InvalidArgumentError(`There is no stop-word list for ${a.language}`);
  if (!Number.isInteger(a.cap) || a.cap < 1 || a.cap > MAX_WORD_CAP)
    throw new InvalidArgumentError(`A word cap must be an integer from 1 to ${MAX_WORD_CAP}`);
  if (a.ngram) {
    const { min, max } = a.ngram;
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max < min || max > MAX_NGRAM)
      throw new InvalidArgumentError(`n-grams need 1 <= min_gram <= max_gram <= ${MAX_NGRAM}`);
    if (a.stemming || a.stopWords) throw new InvalidArgumentError('n-grams are neither stemmed nor stop-worded');
  }
}
