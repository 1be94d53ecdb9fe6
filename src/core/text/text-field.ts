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
  /**
   * Token by token, as Qdrant's text index makes tokens (migrations/024), instead of the words
   * above: split, then each token folded to ASCII, lowercased, dropped as a stop word (stopList),
   * stemmed (language, stemming) and dropped outside minLength..maxLength. Unset (Pinecone's
   * fields): lowercased words cut to `cap`, through PostgreSQL's parser. `cap` and `ngram` are
   * not read on this path, and `stopWords` (PostgreSQL's lists) is not taken.
   */
  tokenizer?: Tokenizer;
  /** Tokens lowercased (the default); `multilingual` lowercases whatever this says, as Qdrant's does. */
  lowercase?: boolean;
  /** Accented and other Latin letters folded to ASCII (Lucene's table: `ação` → `acao`). */
  asciiFolding?: boolean;
  /** Tokens shorter (in characters, after stemming) are dropped. */
  minLength?: number | null;
  /** Tokens longer are dropped; a `prefix` field's prefixes stop at this length, and a query's words are cut to it. */
  maxLength?: number | null;
  /** Tokens dropped as stop words, compared after folding and lowercasing (so lowercase them when lowercasing). */
  stopList?: string[];
}

/**
 * How a token-by-token analyser splits a text (migrations/024): `word` on anything but letters and
 * digits, `whitespace` on white space only (tokens keep their punctuation), `prefix` as `word`
 * with every prefix of each word held (a query's words match as prefixes), `multilingual` as
 * `word` with each kana and Han character a token.
 */
export type Tokenizer = 'word' | 'whitespace' | 'prefix' | 'multilingual';

export const TOKENIZERS: readonly Tokenizer[] = ['word', 'whitespace', 'prefix', 'multilingual'];

/** The longest token a token-by-token analyser keeps; a longer one is cut (migrations/024). */
export const MAX_TOKEN_CHARS = 255;

/** The most stop words one analyser holds (every list Qdrant has, together, is about 11,000). */
export const MAX_STOP_WORDS = 20_000;

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
  // The token-by-token path stems with ts_lexize and drops its own stop words: the configuration is unused.
  if (a.tokenizer !== undefined || !a.language || !a.stemming) return 'simple';
  return a.stopWords ? a.language : `vecgate_${a.language}_stem`;
}

/** Refuses an analyser no configuration implements (a protocol words its own refusal first). */
export function checkAnalyzer(a: TextAnalyzer): void {
  if (a.language !== null && !Object.values(SNOWBALL_LANGUAGES).includes(a.language))
    throw new InvalidArgumentError(`No stemmer for the language ${JSON.stringify(a.language)}`);
  if (a.tokenizer !== undefined) return checkTokenRules(a);
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

/** The token-by-token analyser's own rules (TextAnalyzer.tokenizer). */
function checkTokenRules(a: TextAnalyzer): void {
  if (!TOKENIZERS.includes(a.tokenizer!))
    throw new InvalidArgumentError(`Unknown tokenizer ${JSON.stringify(a.tokenizer)}`);
  if (a.stopWords || a.ngram) throw new InvalidArgumentError('A tokenizer takes a stop-word list, and no n-grams');
  if (a.stemming && !a.language) throw new InvalidArgumentError('Stemming needs a language');
  for (const [name, bound] of [
    ['minLength', a.minLength],
    ['maxLength', a.maxLength],
  ] as const)
    if (bound !== undefined && bound !== null && (!Number.isInteger(bound) || bound < 0 || bound > 2 ** 31 - 1))
      throw new InvalidArgumentError(`${name} must be an integer from 0 to ${2 ** 31 - 1}`);
  const stop = a.stopList ?? [];
  if (!Array.isArray(stop) || !stop.every((w) => typeof w === 'string'))
    throw new InvalidArgumentError('A stop-word list is a list of strings');
  if (stop.length > MAX_STOP_WORDS)
    throw new InvalidArgumentError(`A stop-word list holds at most ${MAX_STOP_WORDS} words, this one ${stop.length}`);
}
