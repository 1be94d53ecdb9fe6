import { InvalidArgumentError } from '../errors';
import type { SqlParams } from '../filters/sql-params';
import { textColumn } from './text-fields.repository';
import {
  fuzzyEdits,
  MAX_FUZZY_EXPANSIONS,
  MAX_FUZZY_WORD_LENGTH,
  MAX_FUZZY_WORDS,
  type Lexeme,
  type TextLeaf,
} from './text-query';

/** An analysed word of a fuzzy leaf, with the edits it may be within. */
export interface FuzzyWord {
  leaf: TextLeaf;
  word: string;
  edits: number;
}

/** Characters as PostgreSQL's char_length counts them (code points). */
const length = (word: string) => [...word].length;

/**
 * The words of the query's fuzzy leaves that need the field's word list (those within one edit
 * or more), each leaf's in order; refuses a query with more than MAX_FUZZY_WORDS of them or one
 * longer than MAX_FUZZY_WORD_LENGTH, so that a query reads the list a bounded number of times.
 */
export function fuzzyWords(leaves: TextLeaf[], lexemes: Map<TextLeaf, Lexeme[]>): FuzzyWord[] {
  const words: FuzzyWord[] = [];
  for (const leaf of leaves) {
    if (leaf.kind !== 'fuzzy') continue;
    for (const { lexeme } of lexemes.get(leaf)!) {
      const edits = fuzzyEdits(leaf.edits, length(lexeme));
      if (edits === 0) continue;
      if (length(lexeme) > MAX_FUZZY_WORD_LENGTH)
        throw new InvalidArgumentError(
          `A fuzzy term may be at most ${MAX_FUZZY_WORD_LENGTH} characters long; ${JSON.stringify(lexeme.slice(0, 80))} is longer`,
        );
      words.push({ leaf, word: lexeme, edits });
    }
  }
  if (words.length > MAX_FUZZY_WORDS)
    throw new InvalidArgumentError(
      `A query may hold at most ${MAX_FUZZY_WORDS} fuzzy words across its fields, this one has ${words.length}`,
    );
  return words;
}

/**
 * One statement that finds, for each fuzzy word (`k`, in order), the words of its field in the
 * namespace (`$1`) within its edits: read from vecgate_text_terms by length (only words whose
 * length is within the edits can be), each compared by fuzzystrmatch's Levenshtein distance;
 * nearest first and then in byte order, MAX_FUZZY_EXPANSIONS at most. The list keeps the words of
 * records that are gone: when more words are within reach than can be kept, each is checked to be
 * held still (a probe of the GIN index, which for a common word reads its whole posting list), so
 * that a gone word takes no place; when all can be kept, a gone one merely matches nothing.
 */
export function fuzzyExpansionSql(table: string, collectionId: string, words: FuzzyWord[], params: SqlParams): string {
  const id = params.add(collectionId);
  return words
    .map(({ leaf, word, edits }, k) => {
      const w = params.add(word);
      const d = params.add(edits);
      const n = length(word);
      const c = params.alias('c');
      // A materialized CTE is read back in the order it was written: the probes stop at the 50th word held.
      return `(WITH ${c} AS MATERIALIZED (
          SELECT d.term, d.e FROM (
            SELECT v.term, levenshtein_less_equal(v.term, ${w}::text, ${d}::int) AS e FROM vecgate_text_terms v
            WHERE v.collection_id = ${id}::uuid AND v.position = ${params.add(leaf.position)}::int AND v.namespace = $1
              AND char_length(v.term) BETWEEN ${params.add(n - edits)}::int AND ${params.add(n + edits)}::int
            OFFSET 0) d
          WHERE d.e <= ${d}::int GROUP BY d.term, d.e ORDER BY d.e, d.term COLLATE "C")
        SELECT ${k} AS k, ${c}.term FROM ${c}
        WHERE (SELECT count(*) FROM ${c}) <= ${MAX_FUZZY_EXPANSIONS}
           OR EXISTS (SELECT 1 FROM ${table} r WHERE r.namespace = $1
                        AND r.${textColumn(leaf.position)} @@ vecgate_tsquery_quote(${c}.term)::tsquery)
        LIMIT ${MAX_FUZZY_EXPANSIONS})`;
    })
    .join(' UNION ALL ');
}

/**
 * Each fuzzy leaf's expansions: the words found for its words (`found`, by word index), and its
 * words that need no list (within no edit) as they are.
 */
export function fuzzyExpansions(
  leaves: TextLeaf[],
  lexemes: Map<TextLeaf, Lexeme[]>,
  words: FuzzyWord[],
  found: { k: number; term: string }[],
): Map<TextLeaf, string[]> {
  const out = new Map<TextLeaf, Set<string>>();
  for (const leaf of leaves) {
    if (leaf.kind !== 'fuzzy') continue;
    const exact = lexemes.get(leaf)!.filter((l) => fuzzyEdits(leaf.edits, length(l.lexeme)) === 0);
    out.set(leaf, new Set(exact.map((l) => l.lexeme)));
  }
  for (const { k, term } of found) out.get(words[k].leaf)!.add(term);
  return new Map([...out].map(([leaf, terms]) => [leaf, [...terms]]));
}
