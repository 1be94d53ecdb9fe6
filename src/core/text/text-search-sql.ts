import { InvalidArgumentError } from '../errors';
import type { SqlParams } from '../filters/sql-params';
import { textColumn, textLengthColumn } from './text-fields.repository';
import {
  anyOfTsquery,
  BM25_B,
  BM25_K1,
  leafTsquery,
  MAX_SCORED_TERMS,
  NO_MATCH,
  type Lexeme,
  type TextLeaf,
  type TextQuery,
} from './text-query';

/** A word of a field the query scores points by, with the sum of the boosts it is scored with. */
interface ScoredTerm {
  position: number;
  lexeme: string;
  weight: number;
}

/** A condition that adds a constant to a point's score where it holds (a fuzzy term's match). */
interface ScoredCondition {
  condition: string;
  weight: number;
}

/** A full-text query as SQL: what compileTextQuery makes and bm25Sql runs. */
export interface CompiledTextQuery {
  match: string;
  terms: ScoredTerm[];
  constants: ScoredCondition[];
  candidates: string;
}

/**
 * The SQL of a full-text query whose leaves are analysed (`lexemes`, by leaf in leavesOf order)
 * and whose fuzzy leaves are expanded (`expansions`: the field's words within reach of the leaf's):
 * `match`, the condition a matching point meets; `terms`, the words it is scored by (each
 * leaf's words under its boosts; a must-not clause's and a phrase prefix's last word score
 * nothing); `constants`, the fuzzy leaves' conditions, each scoring its boost where it holds;
 * `candidates`, a condition every point holding any scored word or fuzzy expansion meets, which
 * the GIN indexes answer, and over which BM25's document frequencies are counted.
 */
export function compileTextQuery(
  query: TextQuery,
  lexemes: Map<TextLeaf, Lexeme[]>,
  params: SqlParams,
  expansions: Map<TextLeaf, string[]> = new Map(),
): CompiledTextQuery {
  const terms = new Map<string, ScoredTerm>();
  const constants: ScoredCondition[] = [];
  const expanded = new Map<number, string[]>();
  const score = (leaf: TextLeaf, boost: number) => {
    const words = lexemes.get(leaf)!;
    const scored = leaf.kind === 'phrase' && leaf.prefix ? words.slice(0, -1) : words;
    for (const { lexeme } of scored) {
      const key = `${leaf.position}\0${lexeme}`;
      const term = terms.get(key) ?? { position: leaf.position, lexeme, weight: 0 };
      term.weight += boost;
      terms.set(key, term);
    }
  };
  const compile = (q: TextQuery, boost: number, scoring: boolean): string => {
    if (q.kind === 'all') return 'true';
    if (q.kind === 'fuzzy') {
      const words = expansions.get(q) ?? [];
      if (words.length === 0) return 'false';
      const condition = `${textColumn(q.position)} @@ ${params.add(anyOfTsquery(words))}::tsquery`;
      if (scoring) {
        // Pinecone's rule: a fuzzy match scores a constant, the exact word its BM25 on top.
        score(q, boost * q.boost);
        constants.push({ condition, weight: boost * q.boost });
        expanded.set(q.position, [...(expanded.get(q.position) ?? []), ...words]);
      }
      return condition;
    }
    if (q.kind === 'words' || q.kind === 'phrase') {
      if (scoring) score(q, boost * q.boost);
      const tsquery = leafTsquery(q, lexemes.get(q)!);
      if (tsquery === NO_MATCH) return 'false';
      return `${textColumn(q.position)} @@ ${params.add(tsquery)}::tsquery`;
    }
    const b = boost * q.boost;
    const must = q.must.map((c) => compile(c, b, scoring));
    const should = q.should.map((c) => compile(c, b, scoring));
    const mustNot = q.mustNot.map((c) => compile(c, b, false));
    // Lucene's rule: without a must, one should at least; a query of must-nots alone matches nothing.
    const parts = [...must];
    if (must.length === 0) parts.push(should.length > 0 ? `(${should.join(' OR ')})` : 'false');
    for (const n of mustNot) parts.push(`NOT coalesce(${n}, false)`);
    return `(${parts.join(' AND ')})`;
  };
  const match = compile(query, 1, true);
  if (terms.size > MAX_SCORED_TERMS)
    throw new InvalidArgumentError(
      `A text query may score at most ${MAX_SCORED_TERMS} distinct words across its fields, this one has ${terms.size}`,
    );
  const byField = new Map<number, string[]>(expanded);
  for (const t of terms.values()) byField.set(t.position, [...(byField.get(t.position) ?? []), t.lexeme]);
  const candidates = [...byField].map(
    ([position, words]) => `${textColumn(position)} @@ ${params.add(anyOfTsquery(words))}::tsquery`,
  );
  return {
    match,
    terms: [...terms.values()],
    constants,
    candidates: candidates.length ? `(${candidates.join(' OR ')})` : 'false',
  };
}

/**
 * One statement that scores the points matching a compiled query by BM25 and keeps the best `n`:
 * the candidates (every point holding a scored word, `$1` the namespace) with each word's
 * frequency and their fields' lengths, read once; each word's document frequency counted over
 * them; the field's record count and mean length from vecgate_text_stats; then, over the points
 * that match and pass `where`, the sum of each word's idf x its saturated frequency x its boost,
 * and of the boost of each fuzzy term the point matches.
 * `select` names the columns wanted of the table `r`, `collectionId` the bound collection id.
 */
export function bm25Sql(
  table: string,
  compiled: CompiledTextQuery,
  where: string,
  params: SqlParams,
  collectionId: string,
  n: string,
  select: string,
): string {
  const { terms, constants } = compiled;
  const positions = [...new Set(terms.map((t) => t.position))];
  const tf = terms.map(
    (t, k) => `vecgate_text_tf(${textColumn(t.position)}, ${params.add(anyOfTsquery([t.lexeme]))}::tsquery) AS f${k}`,
  );
  const held = constants.map((c, k) => `coalesce(${c.condition}, false) AS c${k}`);
  const lengths = positions.map((p) => `${textLengthColumn(p)} AS l${p}`);
  const df = terms.map((_, k) => `count(*) FILTER (WHERE f${k} > 0)::float8 AS d${k}`);
  const stats = positions.map(
    (p) =>
      `sum(docs) FILTER (WHERE position = ${p})::float8 AS n${p},
       sum(tokens) FILTER (WHERE position = ${p})::float8 / nullif(sum(docs) FILTER (WHERE position = ${p}), 0) AS a${p}`,
  );
  const sum = terms
    .map((t, k) => {
      const p = t.position;
      const idf = `ln(1 + (s.n${p} - d.d${k} + 0.5) / (d.d${k} + 0.5))`;
      const norm = `${BM25_K1} * (1 - ${BM25_B} + ${BM25_B} * m.l${p} / s.a${p})`;
      return `CASE WHEN m.f${k} > 0 THEN ${params.add(t.weight)}::float8 * ${idf} * m.f${k} * ${BM25_K1 + 1} / (m.f${k} + ${norm}) ELSE 0 END`;
    })
    .concat(constants.map((c, k) => `CASE WHEN m.c${k} THEN ${params.add(c.weight)}::float8 ELSE 0 END`))
    .join(' + ');
  const id = params.add(collectionId);
  return `WITH m AS MATERIALIZED (
      SELECT id, (${compiled.match}) AND (${where}) AS hit, ${[...tf, ...lengths, ...held].join(', ')}
      FROM ${table} WHERE namespace = $1 AND ${compiled.candidates}),
    d AS (SELECT ${df.join(', ')} FROM m),
    s AS (SELECT ${stats.join(', ')} FROM vecgate_text_stats WHERE collection_id = ${id}::uuid AND namespace = $1),
    top AS (SELECT m.id, ${sum} AS score FROM m, d, s WHERE m.hit ORDER BY score DESC, m.id COLLATE "C" LIMIT ${n})
    SELECT ${select}, top.score FROM top JOIN ${table} r ON r.namespace = $1 AND r.id = top.id
    ORDER BY top.score DESC, top.id COLLATE "C"`;
}
