import { InvalidArgumentError } from '../errors';
import type { SqlParams } from '../filters/sql-params';
import { postingsTable, textColumn } from './text-fields.repository';
import {
  BM25_B,
  BM25_K1,
  leafTsquery,
  MAX_SCORED_TERMS,
  type Lexeme,
  type TextLeaf,
  type TextQuery,
} from './text-query';

/**
 * BM25 over a collection's postings (migrations/027): the postings of every word a query names are
 * read once, through the postings index; each record holding any of them becomes one row of its
 * words' frequencies, its fields' lengths and, per leaf, whether it holds the leaf's words. Words
 * and fuzzy leaves match from those alone; a phrase needs the words' positions, which only the
 * record's analysed value has, so a query with a phrase (or a metadata filter) reads the records
 * left after the conditions the postings decide: a phrase's records hold all its words.
 */

/** A scored word: the column of its frequency, and the sum of the boosts it is scored with. */
interface ScoredTerm {
  position: number;
  lexeme: string;
  weight: number;
  column: string;
}

/** A leaf's condition: `necessary`, over the postings' columns alone; `exact`, over those and the record `r`. */
interface Condition {
  necessary: string;
  exact: string;
  readsRecord: boolean;
}

/** A full-text query compiled for the postings: what compilePostingsQuery makes and postingsBm25Sql runs. */
export interface PostingsQuery {
  /** The words whose postings are read, per field. */
  words: Map<number, Set<string>>;
  terms: ScoredTerm[];
  /** Per-record columns over the postings read (aggregates), by name. */
  columns: Map<string, string>;
  /** Fuzzy leaves: the column saying a record holds one of the leaf's expansions, and its boost. */
  constants: { column: string; weight: number }[];
  condition: Condition;
}

const FALSE: Condition = { necessary: 'false', exact: 'false', readsRecord: false };
const TRUE: Condition = { necessary: 'true', exact: 'true', readsRecord: false };

export function compilePostingsQuery(
  query: TextQuery,
  lexemes: Map<TextLeaf, Lexeme[]>,
  params: SqlParams,
  expansions: Map<TextLeaf, string[]> = new Map(),
): PostingsQuery {
  const words = new Map<number, Set<string>>();
  const terms = new Map<string, ScoredTerm>();
  const columns = new Map<string, string>();
  const constants: PostingsQuery['constants'] = [];
  const read = (position: number, list: string[]) => {
    textColumn(position); // positions come from the catalog; checked again before they reach the SQL

    const set = words.get(position) ?? new Set<string>();
    for (const w of list) set.add(w);
    words.set(position, set);
  };
  const column = (sql: string): string => {
    const name = `vg_h${columns.size}`;
    columns.set(name, sql);
    return name;
  };
  const holdsAny = (position: number, list: string[]) => {
    read(position, list);
    return column(
      `coalesce(bool_or(true) FILTER (WHERE position = ${position} AND term = ANY(${params.add([...new Set(list)], 'text[]')})), false)`,
    );
  };
  const holdsAll = (position: number, list: string[]) => {
    const distinct = [...new Set(list)];
    read(position, distinct);
    return `${column(
      `count(DISTINCT term) FILTER (WHERE position = ${position} AND term = ANY(${params.add(distinct, 'text[]')}))`,
    )} = ${distinct.length}`;
  };
  const score = (leaf: TextLeaf, boost: number) => {
    const list = lexemes.get(leaf)!;
    const scored = leaf.kind === 'phrase' && leaf.prefix ? list.slice(0, -1) : list;
    for (const { lexeme } of scored) {
      const key = `${leaf.position}\0${lexeme}`;
      const term = terms.get(key) ?? { position: leaf.position, lexeme, weight: 0, column: `vg_f${terms.size}` };
      term.weight += boost;
      terms.set(key, term);
      read(leaf.position, [lexeme]);
    }
  };
  const compile = (q: TextQuery, boost: number, scoring: boolean): Condition => {
    if (q.kind === 'all') return TRUE;
    if (q.kind === 'fuzzy') {
      const expanded = expansions.get(q) ?? [];
      if (expanded.length === 0) return FALSE;
      const held = holdsAny(q.position, expanded);
      if (scoring) {
        // Pinecone's rule: a fuzzy match scores a constant, the exact word its BM25 on top.
        score(q, boost * q.boost);
        constants.push({ column: held, weight: boost * q.boost });
      }
      return { necessary: held, exact: held, readsRecord: false };
    }
    if (q.kind === 'words' || q.kind === 'phrase') {
      if (scoring) score(q, boost * q.boost);
      const list = lexemes.get(q)!;
      if (list.length === 0) return FALSE;
      if (q.kind === 'words' || (list.length === 1 && !q.prefix)) {
        const held = holdsAny(
          q.position,
          list.map((l) => l.lexeme),
        );
        return { necessary: held, exact: held, readsRecord: false };
      }
      const gate = (q.prefix ? list.slice(0, -1) : list).map((l) => l.lexeme);
      const necessary = gate.length > 0 ? holdsAll(q.position, gate) : 'true';
      const phrase = `r.${textColumn(q.position)} @@ ${params.add(leafTsquery(q, list))}::tsquery`;
      return { necessary, exact: `(${necessary} AND ${phrase})`, readsRecord: true };
    }
    const b = boost * q.boost;
    const must = q.must.map((c) => compile(c, b, scoring));
    const should = q.should.map((c) => compile(c, b, scoring));
    const mustNot = q.mustNot.map((c) => compile(c, b, false));
    // Lucene's rule: without a must, one should at least; a query of must-nots alone matches nothing.
    const join = (parts: Condition[], op: string, side: 'necessary' | 'exact') =>
      `(${parts.map((p) => p[side]).join(` ${op} `)})`;
    const necessary: string[] = must.map((c) => c.necessary);
    const exact: string[] = must.map((c) => c.exact);
    if (must.length === 0) {
      necessary.push(should.length > 0 ? join(should, 'OR', 'necessary') : 'false');
      exact.push(should.length > 0 ? join(should, 'OR', 'exact') : 'false');
    }
    for (const n of mustNot) {
      // A must-not decided by the postings rules records out early; a phrase's only with the record.
      if (!n.readsRecord) necessary.push(`NOT ${n.exact}`);
      exact.push(`NOT coalesce(${n.exact}, false)`);
    }
    return {
      necessary: `(${necessary.join(' AND ')})`,
      exact: `(${exact.join(' AND ')})`,
      readsRecord: [...must, ...should, ...mustNot].some((c) => c.readsRecord),
    };
  };
  const condition = compile(query, 1, true);
  if (terms.size > MAX_SCORED_TERMS)
    throw new InvalidArgumentError(
      `A text query may score at most ${MAX_SCORED_TERMS} distinct words across its fields, this one has ${terms.size}`,
    );
  for (const t of terms.values())
    columns.set(
      t.column,
      `coalesce(sum(tf) FILTER (WHERE position = ${t.position} AND term = ${params.add(t.lexeme, 'text')}), 0)::float8`,
    );
  for (const position of words.keys())
    columns.set(`vg_l${position}`, `max(len) FILTER (WHERE position = ${position})::float8`);
  return { words, terms: [...terms.values()], columns, constants, condition };
}

/**
 * One statement that scores the records matching a compiled query by BM25 and keeps the best `n`,
 * ties by id: the postings of its words (`$1` the namespace); each scored word's document
 * frequency, counted over them; the field's record count and mean length from vecgate_text_stats;
 * per record, its words' frequencies and its fields' lengths; the records that match (read from
 * the record table only when a phrase or `where` needs them); the sum of each word's idf x its
 * saturated frequency x its boost, and of each fuzzy leaf's boost where the record matches it.
 * `select` names the columns wanted of the record table `r`.
 */
export function postingsBm25Sql(
  table: string,
  recordTable: string,
  compiled: PostingsQuery,
  where: string,
  params: SqlParams,
  collectionId: string,
  n: string,
  select: string,
): string {
  const { terms, constants, condition } = compiled;
  const postings = [...compiled.words].map(
    ([position, list]) =>
      `SELECT position, term, seq, tf, len FROM ${postingsTable(table)}
       WHERE namespace = $1 AND position = ${position} AND term = ANY(${params.add([...list], 'text[]')})`,
  );
  const positions = [...new Set(terms.map((t) => t.position))];
  const df = terms.map(
    (t, k) =>
      `count(*) FILTER (WHERE position = ${t.position} AND term = ${params.add(t.lexeme, 'text')})::float8 AS vg_d${k}`,
  );
  const stats = positions.map(
    (p) =>
      `sum(docs) FILTER (WHERE position = ${p})::float8 AS vg_n${p},
       sum(tokens) FILTER (WHERE position = ${p})::float8 / nullif(sum(docs) FILTER (WHERE position = ${p}), 0) AS vg_a${p}`,
  );
  const sum = terms
    .map((t, k) => {
      const p = t.position;
      const f = `c.${t.column}`;
      const idf = `ln(1 + (s.vg_n${p} - d.vg_d${k} + 0.5) / (d.vg_d${k} + 0.5))`;
      const norm = `${BM25_K1} * (1 - ${BM25_B} + ${BM25_B} * c.vg_l${p} / s.vg_a${p})`;
      return `CASE WHEN ${f} > 0 THEN ${params.add(t.weight)}::float8 * ${idf} * ${f} * ${BM25_K1 + 1} / (${f} + ${norm}) ELSE 0 END`;
    })
    .concat(constants.map((k) => `CASE WHEN c.${k.column} THEN ${params.add(k.weight)}::float8 ELSE 0 END`))
    .join(' + ');
  const id = params.add(collectionId);
  const perRecord = [...compiled.columns].map(([name, sql]) => `${sql} AS ${name}`).join(', ');
  // The records' own rows, for a phrase's positions or the filter, after what the postings decide.
  // d and s are one row each, computed once: inlined, the planner may compute them per record.
  const matched =
    condition.readsRecord || where.toLowerCase() !== 'true'
      ? `g AS MATERIALIZED (SELECT * FROM c0 WHERE ${condition.necessary}),
    c AS (SELECT g.* FROM g JOIN ${recordTable} r ON r.namespace = $1 AND r.seq = g.vg_seq
          WHERE (${condition.exact}) AND (${where}))`
      : `c AS (SELECT * FROM c0 WHERE ${condition.exact})`;
  return `WITH p AS MATERIALIZED (${postings.join(' UNION ALL ')}),
    d AS MATERIALIZED (SELECT ${df.length ? df.join(', ') : 'count(*) AS vg_none'} FROM p),
    s AS MATERIALIZED (SELECT ${stats.length ? stats.join(', ') : 'count(*) AS vg_none'} FROM vecgate_text_stats WHERE collection_id = ${id}::uuid AND namespace = $1),
    c0 AS (SELECT seq AS vg_seq, ${perRecord} FROM p GROUP BY seq),
    ${matched},
    top AS (SELECT c.vg_seq, ${sum || '0'} AS vg_score FROM c, d, s ORDER BY vg_score DESC FETCH FIRST (${n}) ROWS WITH TIES)
    SELECT ${select}, top.vg_score AS score FROM top JOIN ${recordTable} r ON r.namespace = $1 AND r.seq = top.vg_seq
    ORDER BY top.vg_score DESC, r.id COLLATE "C" LIMIT ${n}`;
}
