import { InvalidArgumentError } from '../errors';

/**
 * A full-text query over a collection's text fields (text-field.ts), as every protocol's lexical
 * search parses into it: Pinecone's `text` and `query_string` scoring, Qdrant's text match. Leaves
 * hold raw text; the field's analyser makes their words in the database, as it made the values'.
 */
export type TextQuery =
  /** Any of the text's words in the field. */
  | { kind: 'words'; position: number; text: string; boost: number }
  /**
   * The text's words in the field in order, at the distances the text has them; up to `slop`
   * more words between them in all; with `prefix`, the last word as a prefix of a word.
   */
  | { kind: 'phrase'; position: number; text: string; slop: number; prefix: boolean; boost: number }
  /**
   * The words of the field within `edits` edits (Levenshtein: an inserted, deleted or substituted
   * character) of any of the text's words, at most MAX_FUZZY_EXPANSIONS of them per word, the
   * nearest first; `auto`, by each word's length (fuzzyEdits). A point holding any scores the
   * boost (a constant), plus the BM25 of the text's words themselves where it holds them.
   */
  | { kind: 'fuzzy'; position: number; text: string; edits: number | 'auto'; boost: number }
  /**
   * Every `must` matches, no `mustNot` does, and, without a `must`, at least one `should` does
   * (Lucene's Boolean query). A point's score is the sum of its matching must and should clauses'.
   */
  | { kind: 'bool'; must: TextQuery[]; should: TextQuery[]; mustNot: TextQuery[]; boost: number }
  /** Every point that holds any of the collection's text fields, each scored 1. */
  | { kind: 'all' };

/** BM25's parameters (Lucene's and Tantivy's defaults; Pinecone documents none of its own). */
export const BM25_K1 = 1.2;
export const BM25_B = 0.75;

/** The most distinct (field, word) pairs one query scores: each is a term of the statement's sum. */
export const MAX_SCORED_TERMS = 256;

/** The most phrase shapes one slop may stand for (each gap widened, in all ways that fit the slop). */
export const MAX_PHRASE_VARIANTS = 256;

/** The most edits a fuzzy word may be within (Lucene's and Pinecone's limit). */
export const MAX_FUZZY_EDITS = 2;
/** The most words of the field one fuzzy word expands to (Lucene's default maxExpansions). */
export const MAX_FUZZY_EXPANSIONS = 50;
/**
 * The most analysed words one query may hold in fuzzy terms, each a read of its field's word list:
 * enough for one unqualified fuzzy term in an index of Pinecone's most full-text fields (100).
 */
export const MAX_FUZZY_WORDS = 100;
/** The longest fuzzy word, in characters (Pinecone cuts a word at 40). */
export const MAX_FUZZY_WORD_LENGTH = 64;

/**
 * The edits a fuzzy word of `length` characters may be within under `auto` (Pinecone's rule:
 * shorter than 4 characters, none; 4 to 7, one; 8 or more, two), or the given number.
 */
export function fuzzyEdits(edits: number | 'auto', length: number): number {
  if (edits !== 'auto') return edits;
  return length < 4 ? 0 : length < 8 ? 1 : 2;
}

/** A leaf of a query (words, phrase or fuzzy), in the order leavesOf finds them. */
export type TextLeaf = Extract<TextQuery, { kind: 'words' | 'phrase' | 'fuzzy' }>;

export function leavesOf(q: TextQuery): TextLeaf[] {
  if (q.kind === 'words' || q.kind === 'phrase' || q.kind === 'fuzzy') return [q];
  if (q.kind === 'all') return [];
  return [...q.must, ...q.should, ...q.mustNot].flatMap(leavesOf);
}

/** The text fields a query names, each once. */
export function positionsOf(q: TextQuery): number[] {
  return [...new Set(leavesOf(q).map((l) => l.position))];
}

/** A leaf's words as its field's analyser made them, in order, with their positions (a stop word leaves a gap). */
export interface Lexeme {
  lexeme: string;
  pos: number;
}

/** A lexeme as tsquery input reads it (as vecgate_tsquery_quote in SQL). */
function quote(lexeme: string): string {
  return `'${lexeme.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** A tsquery no analysed text matches (a lexeme of one space; the analyser keeps letters and digits only). */
export const NO_MATCH = "' '";

/** A tsquery of any of the lexemes, as text. */
export function anyOfTsquery(lexemes: string[]): string {
  return lexemes.length === 0 ? NO_MATCH : [...new Set(lexemes)].map(quote).join(' | ');
}

/**
 * The tsquery of a leaf, as text (bound as a parameter): any of its words, or its phrase with
 * each gap widened by up to the slop in all (in order: PostgreSQL's `<n>` is an exact distance).
 */
export function leafTsquery(leaf: TextLeaf, lexemes: Lexeme[]): string {
  if (lexemes.length === 0) return NO_MATCH;
  if (leaf.kind !== 'phrase') return anyOfTsquery(lexemes.map((l) => l.lexeme));
  const words = lexemes.map((l, i) => quote(l.lexeme) + (leaf.prefix && i === lexemes.length - 1 ? ':*' : ''));
  if (words.length === 1) return words[0];
  const gaps = lexemes.slice(1).map((l, i) => l.pos - lexemes[i].pos);
  const variants: number[][] = [];
  const widen = (i: number, left: number, chosen: number[]) => {
    if (variants.length > MAX_PHRASE_VARIANTS)
      throw new InvalidArgumentError(
        `A phrase slop of ${leaf.slop} over ${lexemes.length} words is too wide; use a smaller slop`,
      );
    if (i === gaps.length) return void variants.push(chosen);
    for (let extra = 0; extra <= left; extra++) widen(i + 1, left - extra, [...chosen, gaps[i] + extra]);
  };
  widen(0, leaf.slop, []);
  const phrase = (distances: number[]) => words.map((w, i) => (i === 0 ? w : ` <${distances[i - 1]}> ${w}`)).join('');
  return variants.length === 1 ? phrase(variants[0]) : variants.map((v) => `(${phrase(v)})`).join(' | ');
}
