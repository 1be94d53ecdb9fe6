import { InvalidArgumentError } from '../errors';
import type { SqlParams } from '../filters/sql-params';
import { frequenciesTable, postingsTable, textColumn } from './text-fields.repository';
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
 * BM25 over a collection's postings (migrations/027). Each word a query reads is one index range
 * of the postings, in record order; the ranges are merged by record (a merge, not a hash of every
 * record holding a word) and each posting brings its own term of the sum: its word's idf x its
 * saturated frequency x its boost, with bits saying which of the query's conditions it serves.
 * Per record, the sum is the score and the OR of the bits says which words it holds. Words and
 * fuzzy leaves match from those alone; a phrase from its words' positions, which their postings
 * carry (migrations/031) and the merge gathers per record. A phrase whose last word is a prefix
 * (or a metadata filter) reads the records left after the conditions the postings decide.
 */

/**
 * A scored word of one score group, and the sum of the boosts it is scored with there. Group 0
 * always counts; another counts where its condition holds (a phrase or a nested clause that a
 * record may hold words of without matching it, as Lucene counts only matching clauses).
 */
interface ScoredTerm {
  position: number;
  lexeme: string;
  weight: number;
  group: number;
  /** The index of its word's document frequency. */
  word: number;
}

/**
 * What probing a record's postings of a word costs, in postings read in order: a phrase or the
 * words a record must all hold are read from the rarest word's postings when that costs less.
 */
const PROBE_COST = 4;

/** Required words a statement may be driven from (the rarest is chosen in it). */
const MAX_DRIVERS = 8;

/** A set of condition bits, by mask column (64 bits a column). */
type Bits = Map<number, bigint>;

/** One index range of the postings: words of one field with one weight (a scored word alone) and one set of bits. */
interface Range {
  position: number;
  lexemes: string[];
  /** The scored word's index in `terms`, or none (a word that only decides conditions). */
  scored?: number;
  bits: Bits;
}

/** A leaf's condition: `necessary`, over the per-record aggregates alone; `exact`, over those and the record `r`. */
interface Condition {
  necessary: string;
  exact: string;
  readsRecord: boolean;
  /** Whether `exact` tests a phrase's positions (more than `necessary`, and dearer: tested last). */
  positional: boolean;
  /** The (field, word)s every record that holds it holds (keys `position\0lexeme`). */
  requires: Set<string>;
}

/** A full-text query compiled for the postings: what compilePostingsQuery makes and postingsBm25Sql runs. */
export interface PostingsQuery {
  /** The distinct scored words, whose document frequencies are counted. */
  words: { position: number; lexeme: string }[];
  terms: ScoredTerm[];
  /** Each score group's condition past the first (which always counts), over the aggregates and `r`. */
  groups: string[];
  ranges: Range[];
  /** How many mask columns the bits take. */
  maskColumns: number;
  /** Fuzzy leaves: where a record scores the leaf's boost as a constant, and the boost. */
  constants: { held: string; weight: number }[];
  condition: Condition;
  /** Each prefix phrase's tsquery, which the conditions name by phraseMarker. */
  phrases: string[];
  /** The (field, word)s whose positions phrases read: column vg_p<k> holds the k-th's, per record. */
  positions: { position: number; lexeme: string }[];
  /** The (field, word)s every matching record holds: a search may read only the records of the rarest. */
  required: { position: number; lexeme: string }[];
}

/**
 * Where a phrase's tsquery goes in a condition: bound when the statement is made, and only if the
 * condition is used (a phrase among the should clauses of a must-not decides nothing), since
 * PostgreSQL refuses a statement with a parameter it cannot type.
 */
const phraseMarker = (k: number) => `vg_phrase_${k}_`;

const FALSE: Condition = {
  necessary: 'false',
  exact: 'false',
  readsRecord: false,
  positional: false,
  requires: new Set(),
};
const TRUE: Condition = {
  necessary: 'true',
  exact: 'true',
  readsRecord: false,
  positional: false,
  requires: new Set(),
};

/** A mask as an int8 literal (two's complement past 2^63). */
const int8 = (mask: bigint) => `(${BigInt.asIntN(64, mask)})::int8`;

/**
 * A query's conditions over a record's condition bits (one per words or fuzzy leaf, one per word
 * of a phrase), its scored words by score group, and the index ranges to read: the first pass
 * decides each node's condition, the second registers what scores where.
 */
export function compilePostingsQuery(
  query: TextQuery,
  lexemes: Map<TextLeaf, Lexeme[]>,
  expansions: Map<TextLeaf, string[]> = new Map(),
): PostingsQuery {
  const key = (position: number, lexeme: string) => `${position}\0${lexeme}`;
  /** The bits each (field, word) carries. */
  const carried = new Map<string, Bits>();
  let nextBit = 0;
  const newBit = (): Bits => {
    const bit = nextBit++;
    return new Map([[Math.floor(bit / 64), 1n << BigInt(bit % 64)]]);
  };
  const carry = (position: number, lexeme: string, bits: Bits) => {
    textColumn(position); // positions come from the catalog; checked again before they reach the SQL
    const held = carried.get(key(position, lexeme)) ?? new Map<number, bigint>();
    for (const [column, mask] of bits) held.set(column, (held.get(column) ?? 0n) | mask);
    carried.set(key(position, lexeme), held);
  };
  const test = (bits: Bits, all: boolean) =>
    `(${[...bits]
      .map(([column, mask]) => `(vg_m${column} & ${int8(mask)}) ${all ? `= ${int8(mask)}` : '<> 0'}`)
      .join(all ? ' AND ' : ' OR ')})`;
  const holdsAny = (position: number, list: string[]) => {
    const bits = newBit();
    for (const w of new Set(list)) carry(position, w, bits);
    return test(bits, false);
  };
  const holdsAll = (position: number, list: string[]) => {
    const all = new Map<number, bigint>();
    for (const w of new Set(list)) {
      const bits = newBit();
      carry(position, w, bits);
      for (const [column, mask] of bits) all.set(column, (all.get(column) ?? 0n) | mask);
    }
    return test(all, true);
  };

  /** A leaf of these words requires its word when it has one word only (any of several it does not). */
  const only = (position: number, list: string[]) => new Set(new Set(list).size === 1 ? [key(position, list[0])] : []);

  const phrases: string[] = [];
  /** The (field, word)s whose positions a phrase reads, by their column's index (vg_p<k>). */
  const positioned = new Map<string, number>();
  const positionColumn = (position: number, lexeme: string) => {
    const k = key(position, lexeme);
    if (!positioned.has(k)) positioned.set(k, positioned.size);
    return `vg_p${positioned.get(k)!}`;
  };
  const conditions = new Map<TextQuery, Condition>();
  const condition = (q: TextQuery): Condition => {
    const known = conditions.get(q);
    if (known) return known;
    const made = decide(q);
    conditions.set(q, made);
    return made;
  };
  const decide = (q: TextQuery): Condition => {
    if (q.kind === 'all') return TRUE;
    if (q.kind === 'fuzzy') {
      const expanded = expansions.get(q) ?? [];
      if (expanded.length === 0) return FALSE;
      const held = holdsAny(q.position, expanded);
      return {
        necessary: held,
        exact: held,
        readsRecord: false,
        positional: false,
        requires: only(q.position, expanded),
      };
    }
    if (q.kind === 'words' || q.kind === 'phrase') {
      const list = lexemes.get(q)!;
      if (list.length === 0) return FALSE;
      if (q.kind === 'words' || (list.length === 1 && !q.prefix)) {
        const any = list.map((l) => l.lexeme);
        const held = holdsAny(q.position, any);
        return { necessary: held, exact: held, readsRecord: false, positional: false, requires: only(q.position, any) };
      }
      const gate = (q.prefix ? list.slice(0, -1) : list).map((l) => l.lexeme);
      const necessary = gate.length > 0 ? holdsAll(q.position, gate) : 'true';
      const requires = new Set(gate.map((w) => key(q.position, w)));
      // Its tsquery, made even where unused: a slop too wide for it is refused either way.
      const tsquery = leafTsquery(q, list);
      if (!q.prefix) {
        const phrase = `(${necessary} AND ${phraseOverPositions(
          list.map((l) => positionColumn(q.position, l.lexeme)),
          list.map((l) => l.pos),
          q.slop,
        )})`;
        return { necessary, exact: phrase, readsRecord: false, positional: true, requires };
      }
      // The last word a prefix: its words are any of the field's that start with it, which no one
      // range of the postings reads in record order. Decided on the record's analysed value.
      const phrase = `r.${textColumn(q.position)} @@ ${phraseMarker(phrases.push(tsquery) - 1)}`;
      return { necessary, exact: `(${necessary} AND ${phrase})`, readsRecord: true, positional: false, requires };
    }
    const must = q.must.map(condition);
    const should = q.should.map(condition);
    const mustNot = q.mustNot.map(condition);
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
      // A must-not decided by the bits rules records out early; a phrase's only with the positions or the record.
      if (!n.readsRecord && !n.positional) necessary.push(`NOT ${n.exact}`);
      exact.push(`NOT coalesce(${n.exact}, false)`);
    }
    // What each must requires; without a must, what every should requires (one must match).
    const requires = new Set(must.flatMap((c) => [...c.requires]));
    if (must.length === 0 && should.length > 0)
      for (const w of should[0].requires) if (should.every((c) => c.requires.has(w))) requires.add(w);
    return {
      necessary: `(${necessary.join(' AND ')})`,
      exact: `(${exact.join(' AND ')})`,
      readsRecord: [...must, ...should, ...mustNot].some((c) => c.readsRecord),
      positional: [...must, ...should, ...mustNot].some((c) => c.positional),
      requires,
    };
  };
  const matched = condition(query);

  const words = new Map<string, number>();
  const terms = new Map<string, ScoredTerm>();
  const groups = new Map<string, number>([['', 0]]);
  const constants: PostingsQuery['constants'] = [];
  const groupOf = (gate: string[]) => {
    const text = gate.join(' AND ');
    if (!groups.has(text)) groups.set(text, groups.size);
    return groups.get(text)!;
  };
  const score = (leaf: TextLeaf, boost: number, gate: string[]) => {
    const list = lexemes.get(leaf)!;
    const scored = leaf.kind === 'phrase' && leaf.prefix ? list.slice(0, -1) : list;
    const group = groupOf(gate);
    for (const { lexeme } of scored) {
      const word = key(leaf.position, lexeme);
      if (!words.has(word)) words.set(word, words.size);
      const k = `${group}\0${word}`;
      const term = terms.get(k) ?? { position: leaf.position, lexeme, weight: 0, group, word: words.get(word)! };
      term.weight += boost;
      terms.set(k, term);
      carry(leaf.position, lexeme, new Map());
    }
  };
  /** Registers what `q` scores: `gate`, the conditions its score counts under (none: always, once the record matches). */
  const scoreOf = (q: TextQuery, boost: number, gate: string[]) => {
    if (q.kind === 'all') return;
    if (q.kind === 'fuzzy') {
      if ((expansions.get(q) ?? []).length === 0) return;
      // Pinecone's rule: a fuzzy match scores a constant, the exact word its BM25 on top.
      score(q, boost * q.boost, gate);
      constants.push({ held: [...gate, condition(q).exact].join(' AND '), weight: boost * q.boost });
      return;
    }
    if (q.kind === 'words' || q.kind === 'phrase') return score(q, boost * q.boost, gate);
    const b = boost * q.boost;
    for (const c of q.must) scoreOf(c, b, gate);
    // A should clause counts where it matches: a words or fuzzy leaf (or a phrase of one word)
    // scores nothing where it does not; a phrase's words may be held without the phrase.
    for (const c of q.should) {
      // The one should of a clause without a must holds wherever the clause does.
      const implied =
        (q.must.length === 0 && q.should.length === 1) ||
        c.kind === 'words' ||
        c.kind === 'fuzzy' ||
        (c.kind === 'phrase' && !c.prefix && lexemes.get(c)!.length <= 1);
      scoreOf(c, b, implied ? gate : [...gate, condition(c).exact]);
    }
  };
  scoreOf(query, 1, []);
  if (words.size > MAX_SCORED_TERMS)
    throw new InvalidArgumentError(
      `A text query may score at most ${MAX_SCORED_TERMS} distinct words across its fields, this one has ${words.size}`,
    );
  // A scored word is a range of its own in each group; the other words of a field that carry the same bits share one.
  const list = [...terms.values()];
  const ranges: Range[] = list.map((t, i) => ({
    position: t.position,
    lexemes: [t.lexeme],
    scored: i,
    bits: carried.get(key(t.position, t.lexeme))!,
  }));
  const shared = new Map<string, Range>();
  for (const [k, bits] of carried) {
    if (words.has(k)) continue;
    const [p, lexeme] = k.split('\0');
    const group = `${p}\0${[...bits].map(([c, m]) => `${c}:${m}`).join(',')}`;
    const range = shared.get(group);
    if (range) range.lexemes.push(lexeme);
    else {
      const made = { position: Number(p), lexemes: [lexeme], bits };
      shared.set(group, made);
      ranges.push(made);
    }
  }
  return {
    words: [...words.keys()].map((w) => {
      const [p, lexeme] = w.split('\0');
      return { position: Number(p), lexeme };
    }),
    terms: list,
    groups: [...groups.keys()].slice(1),
    ranges,
    maskColumns: Math.ceil(nextBit / 64),
    constants,
    condition: matched,
    phrases,
    positions: [...positioned.keys()].map((w) => {
      const [p, lexeme] = w.split('\0');
      return { position: Number(p), lexeme };
    }),
    required: [...matched.requires].map((w) => {
      const [p, lexeme] = w.split('\0');
      return { position: Number(p), lexeme };
    }),
  };
}

/**
 * Whether a record holds a phrase, from its words' positions (`columns[k]`, the k-th word's
 * positions in the record as its posting carries them, those of the record's tsvector) and the
 * query's positions of its words (`at`: a stop word leaves a gap). PostgreSQL's `a <n> b` holds
 * where b is exactly n positions after a, and a chain of them where some start has each word k at
 * start + (at[k] - at[0]): with no slop, that. With a slop, today's tsquery is every way of
 * widening the gaps by up to the slop in all, which holds exactly where words k = 1.. can be found
 * each at least its gap after the one before and the last within the phrase's width plus the slop
 * of the first: taking each word's nearest position past the least it may have (a later one only
 * pushes the rest later) decides it.
 */
function phraseOverPositions(columns: string[], at: number[], slop: number): string {
  if (slop === 0) {
    const tests = columns
      .slice(1)
      .map((c, k) => `s.p + ${at[k + 1] - at[0]} = ANY(${c})`)
      .join(' AND ');
    return `EXISTS (SELECT FROM unnest(${columns[0]}) AS s(p) WHERE ${tests})`;
  }
  const steps = columns
    .slice(1)
    .map(
      (c, k) =>
        ` CROSS JOIN LATERAL (SELECT min(x) AS p FROM unnest(${c}) AS x WHERE x >= ${k === 0 ? 's' : `s${k}`}.p + ${at[k + 1] - at[k]}) AS s${k + 1}`,
    )
    .join('');
  const last = `s${columns.length - 1}`;
  return `EXISTS (SELECT FROM unnest(${columns[0]}) AS s(p)${steps} WHERE ${last}.p - s.p <= ${at[at.length - 1] - at[0] + slop})`;
}

/**
 * One statement that scores the records matching a compiled query by BM25 and keeps the best `n`,
 * ties by id: each scored word's document frequency (kept, migrations/033; `$1` the namespace),
 * the field's record count and mean length from vecgate_text_stats, and from them each scored
 * word's weight (boost x idf); the postings of every word read, merged by record (or, where the
 * query requires a word and that costs less, the rarest such word's postings, each record's
 * others probed), each bringing its weight x its saturated frequency to its score group and its
 * condition bits; per record the groups' sums and the bits; the records that match (read from the
 * record table only when a phrase or `where` needs them), scored by the groups whose conditions
 * hold, plus each fuzzy leaf's boost where it matches. `select` names the columns wanted of the record table `r`.
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
  const { words, terms, ranges, maskColumns, constants } = compiled;
  const tp = postingsTable(table);
  const bound = new Map<string, string>();
  const resolve = (sql: string) =>
    sql.replace(/vg_phrase_(\d+)_/g, (_, k: string) => {
      if (!bound.has(k)) bound.set(k, `${params.add(compiled.phrases[Number(k)])}::tsquery`);
      return bound.get(k)!;
    });
  const groups = compiled.groups.map(resolve);
  const condition = {
    ...compiled.condition,
    necessary: resolve(compiled.condition.necessary),
    exact: resolve(compiled.condition.exact),
  };
  const positions = [...new Set(words.map((w) => w.position))];
  // d, s and w are one row each, computed once: inlined, the planner may compute them per posting.
  const tdf = frequenciesTable(table);
  // A word's document frequency: the sum of its slots of the frequencies kept (migrations/033).
  const frequency = (position: number, held: string) =>
    `(SELECT coalesce(sum(df), 0) FROM ${tdf} WHERE namespace = $1 AND position = ${position} AND ${held})::float8`;
  const df = words.map((w, k) => `${frequency(w.position, `term = ${params.add(w.lexeme, 'text')}`)} AS vg_d${k}`);
  const stats = positions.map(
    (p) =>
      `sum(docs) FILTER (WHERE position = ${p})::float8 AS vg_n${p},
       sum(tokens) FILTER (WHERE position = ${p})::float8 / nullif(sum(docs) FILTER (WHERE position = ${p}), 0) AS vg_a${p}`,
  );
  // A scored word's factor of its saturated frequency: boost x idf, in the order BM25 is written.
  const weights = terms
    .map(
      (t, k) =>
        `${params.add(t.weight)}::float8 * ln(1 + (s.vg_n${t.position} - d.vg_d${t.word} + 0.5) / (d.vg_d${t.word} + 0.5)) AS vg_w${k}`,
    )
    .concat(positions.map((p) => `s.vg_a${p}`));
  const masks = Array.from({ length: maskColumns }, (_, c) => c);
  const sums = Array.from({ length: groups.length + 1 }, (_, g) => g);
  // Each phrase word's positions come from one range that reads the word (its posting is one
  // row of each range that reads it), NULL from the others.
  const carriers = compiled.positions.map(({ position, lexeme }) => {
    const at = ranges.findIndex((r) => r.position === position && r.lexemes.includes(lexeme));
    if (at < 0) throw new Error(`no range reads the phrase word ${lexeme} at ${position}`);
    return { at, lexeme };
  });
  /** Range i's postings: all of them in record order, or (`probe`) those of the record `probe` names. */
  const readRange = (r: Range, i: number, probe?: string) => {
    const t = r.scored === undefined ? undefined : terms[r.scored];
    const part =
      t === undefined
        ? '0::float8'
        : `(SELECT vg_w${r.scored} FROM w) * tf::float8 * ${BM25_K1 + 1} / (tf::float8 + ${BM25_K1} * (1 - ${BM25_B} + ${BM25_B} * len::float8 / (SELECT vg_a${t.position} FROM w)))`;
    const columns = sums
      .map((g) => `${t?.group === g ? part : '0::float8'} AS vg_s${g}`)
      .concat(masks.map((c) => `${int8(r.bits.get(c) ?? 0n)} AS vg_m${c}`))
      .concat(
        carriers.map(({ at, lexeme }, k) =>
          at !== i
            ? `NULL::int2[] AS vg_p${k}`
            : r.lexemes.length === 1
              ? `pos AS vg_p${k}`
              : `CASE WHEN term = ${params.add(lexeme, 'text')} THEN pos END AS vg_p${k}`,
        ),
      );
    const held =
      r.lexemes.length === 1
        ? `term = ${params.add(r.lexemes[0], 'text')}`
        : `term = ANY(${params.add(r.lexemes, 'text[]')})`;
    return `(SELECT seq, ${columns.join(', ')}
       FROM ${tp} WHERE namespace = $1 AND position = ${r.position} AND ${held}${probe ? ` AND seq = ${probe}` : ' ORDER BY seq'})`;
  };
  const read = ranges.map((r, i) => readRange(r, i));
  // The ranges come in record order, so records are summed as they pass (a group aggregate over a
  // merge). Hashing every record instead took twice as long for 94,000 postings of two words; the
  // planner, which cannot count the records of a union, would hash: a group key of a type that has
  // no hash (a constant tsvector) leaves it only the merge.
  const perRecordOf = (p: string) =>
    sums
      .map((g) => `sum(${p}vg_s${g}) AS vg_s${g}`)
      .concat(masks.map((c) => `bit_or(${p}vg_m${c}) AS vg_m${c}`))
      // One row a record carries a word's positions: max() keeps them.
      .concat(carriers.map((_, k) => `max(${p}vg_p${k}) AS vg_p${k}`))
      .join(', ');
  const perRecord = perRecordOf('');
  // Where every matching record holds a word (a phrase's, a required one's) that is a range of its
  // own, the records may be read from that word's postings alone, each probing the other ranges
  // for its own postings (by namespace, field, word and record: one index descent each), instead of
  // merging every posting of every range. Which way, is decided in the statement from the kept
  // document frequencies: a merge reads each range whole, a drive from word i reads its df(i)
  // postings and probes the others df(i) times each, a probe costing PROBE_COST postings read.
  const drivers = [
    ...new Set(
      compiled.required
        .map((w) =>
          ranges.findIndex((r) => r.position === w.position && r.lexemes.length === 1 && r.lexemes[0] === w.lexeme),
        )
        .filter((i) => i >= 0),
    ),
  ].slice(0, MAX_DRIVERS);
  const driven = drivers.length > 0 && ranges.length > 1;
  // Each range's postings: its scored word's frequency, or its words' read here.
  const rangeDf = ranges.map((r, i) => (r.scored !== undefined ? `d.vg_d${terms[r.scored].word}` : `d.vg_r${i}`));
  if (driven)
    ranges.forEach((r, i) => {
      if (r.scored === undefined)
        df.push(`${frequency(r.position, `term = ANY(${params.add(r.lexemes, 'text[]')})`)} AS vg_r${i}`);
    });
  const via = `(SELECT vg_via FROM vg_x)`;
  const merged = `SELECT seq AS vg_seq, ${perRecord} FROM (${read.join(' UNION ALL ')}) p${driven ? ` WHERE ${via} = -1` : ''} GROUP BY seq, ''::tsvector`;
  const drives = (driven ? drivers : []).map((i) => {
    const probes = ranges.flatMap((r, j) => (j === i ? [] : [readRange(r, j, 'v.seq')]));
    return `SELECT v.seq AS vg_seq, ${perRecordOf('p.')} FROM ${read[i]} v
      CROSS JOIN LATERAL (SELECT v.* UNION ALL ${probes.join(' UNION ALL ')}) p
      WHERE ${via} = ${i} GROUP BY v.seq, ''::tsvector`;
  });
  const costs = [`(-1, ${rangeDf.join(' + ')})`].concat(
    drivers.map((i) => `(${i}, ${rangeDf[i]} * ${1 + PROBE_COST * (ranges.length - 1)})`),
  );
  const chooser = driven
    ? `vg_x AS MATERIALIZED (SELECT (SELECT k FROM (VALUES ${costs.join(', ')}) AS t(k, cost) ORDER BY cost, k LIMIT 1) AS vg_via FROM d),`
    : '';
  const id = params.add(collectionId);
  const score = ['vg_s0']
    .concat(groups.map((gate, g) => `CASE WHEN ${gate} THEN vg_s${g + 1} ELSE 0 END`))
    .concat(constants.map((k) => `CASE WHEN ${resolve(k.held)} THEN ${params.add(k.weight)}::float8 ELSE 0 END`))
    .join(' + ');
  // The records' own rows, for a phrase's positions or the filter, after what the postings decide.
  const readsRecord = condition.readsRecord || where.toLowerCase() !== 'true';
  const positionalScore = [...groups, ...constants.map((k) => k.held)].some((g) => /\bvg_p\d+\b/.test(g));
  const lazy = !readsRecord && condition.positional && !positionalScore;
  const matched = readsRecord
    ? `g AS MATERIALIZED (SELECT * FROM c0 WHERE ${condition.necessary}),
    c AS (SELECT g.vg_seq, ${score} AS vg_score FROM g JOIN ${recordTable} r ON r.namespace = $1 AND r.seq = g.vg_seq
          WHERE (${condition.exact}) AND (${where}))`
    : `c AS (SELECT ${lazy ? '*' : 'vg_seq'}, ${score} AS vg_score FROM c0 WHERE ${lazy ? condition.necessary : condition.exact})`;
  // A phrase's positions are tested last, on the records its words' bits leave, best first, until
  // the top is full: where the score does not hang on them, most records holding a common phrase's
  // words are never tested (OFFSET 0 keeps the test above the sort).
  const top = lazy
    ? `SELECT vg_seq, vg_score FROM (SELECT * FROM c ORDER BY vg_score DESC OFFSET 0) x WHERE ${condition.exact}
       ORDER BY vg_score DESC FETCH FIRST (${n}) ROWS WITH TIES`
    : `SELECT vg_seq, vg_score FROM c ORDER BY vg_score DESC FETCH FIRST (${n}) ROWS WITH TIES`;
  return `WITH d AS MATERIALIZED (SELECT ${df.length ? df.join(', ') : '0 AS vg_none'}),
    s AS MATERIALIZED (SELECT ${stats.length ? stats.join(', ') : 'count(*) AS vg_none'} FROM vecgate_text_stats WHERE collection_id = ${id}::uuid AND namespace = $1),
    w AS MATERIALIZED (SELECT ${weights.length ? weights.join(', ') : '0 AS vg_none'} FROM d, s),
    ${chooser}
    c0 AS (${[merged, ...drives].join(' UNION ALL ')}),
    ${matched},
    top AS (${top})
    SELECT ${select}, top.vg_score AS score FROM top JOIN ${recordTable} r ON r.namespace = $1 AND r.seq = top.vg_seq
    ORDER BY top.vg_score DESC, r.id COLLATE "C" LIMIT ${n}`;
}
