import { createHash } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { Collection, VectorField } from '../collections/collection.model';
import { qualified } from '../collections/record-table.repository';
import {
  checkedColumn,
  HNSW_LIMITS,
  tokenPlan,
  tokenTableName,
  vectorColumn,
  vectorPlan,
} from '../collections/vector-index';
import { scoreSql, similaritySql, type ScoreNode } from '../search/similarity-score';
import { Database, Queryable } from '../../database/database';
import { compileEstimate, compileFilter } from '../filters/compile-filter';
import { ALL, FilterNode, MetadataKey } from '../filters/filter-ast';
import { SqlParams } from '../filters/sql-params';
import { DenseVector, vectorArrayParam } from './dense-vector';
import { sparsevecText } from './sparse-vector';
import { MultiVector, tokenSimilaritySql } from './multivector';
import { Include, MetadataEdit, Neighbour, RecordWrite, SparseText, StoredRecord } from './record.model';
import { filteredEfSearch, MatchEstimate } from './search-policy';
import { ANSWER_BYTES, DEFAULT_ANSWER_BYTES, rowSizeSql, rowsWithinBudget, withinBudget } from './answer-budget';
import { nameMap } from '../name-map';
import { InvalidArgumentError } from '../errors';
import { textConfig } from '../text/text-field';
import { hasPostings, textColumn } from '../text/text-fields.repository';
import { leavesOf, type Lexeme, type TextLeaf, type TextQuery } from '../text/text-query';
import { compilePostingsQuery, postingsBm25Sql } from '../text/text-search-sql';
import { fuzzyExpansions, fuzzyExpansionSql, fuzzyWords } from '../text/fuzzy-terms';

/** A written sparse vector; an empty one (a write that removed it) is stored as none. */
const sparseWritten = (value: string) => `CASE WHEN l2_norm(${value}) = 0 THEN NULL ELSE ${value} END`;

const SPARSE = sparseWritten('u.sparse');

/**
 * The rows of a write: one array per column, the named vectors' (`$8` on) after the default
 * ones, in the collection's order.
 */
function unnest(collection: Collection): string {
  // A multivector travels as its array's text, one per record (unnest would flatten an array of arrays).
  const named = collection.vectors.map(
    (f, i) => `, $${8 + i}::${f.multivector ? 'text' : f.kind === 'dense' ? 'vector' : 'sparsevec'}[]`,
  );
  const aliases = collection.vectors.map((f) => `, ${vectorColumn(f.position)}`);
  return `unnest($2::text[], $3::vector[], $4::text[], $5::text[], $6::jsonb[], $7::sparsevec[]${named.join('')})
    AS u(id, embedding, document, uri, metadata, sparse${aliases.join('')})`;
}

/** The named vectors' columns of a write, each preceded by a comma (or nothing, without any). */
const namedColumns = (collection: Collection) =>
  collection.vectors.map((f) => `, ${vectorColumn(f.position)}`).join('');

/**
 * A condition on the existing row `t` of a write: the filter compiled in a subquery over the same
 * row, where its unqualified columns mean that row's (in ON CONFLICT or UPDATE ... FROM they would
 * be ambiguous with the proposed row's). True without a filter.
 */
function existingMatches(collection: Collection, params: SqlParams, where: FilterNode | undefined): string {
  if (!where || where.kind === 'all') return 'true';
  return `EXISTS (SELECT 1 FROM ${qualified(collection.tableName)} x
    WHERE x.namespace = t.namespace AND x.id = t.id AND ${compileFilter(where, params)})`;
}

/** A named vector's value as sent, read from the unnest's row `u` (a multivector's text cast to its array). */
function namedInput(field: VectorField): string {
  const value = `u.${vectorColumn(field.position)}`;
  return field.multivector ? `${value}::${field.storage === 'float16' ? 'halfvec' : 'vector'}[]` : value;
}

/** A named vector's value as written, read from the unnest's row `u`. */
function namedValue(field: VectorField): string {
  const value = namedInput(field);
  return field.kind === 'sparse' ? sparseWritten(value) : value;
}

/** The named vectors' values of an insert, each preceded by a comma. */
const namedValues = (collection: Collection) => collection.vectors.map((f) => `, ${namedValue(f)}`).join('');

function columns(include: Include, collection: Collection, prefix = ''): string {
  const cols = [`${prefix}id`];
  if (include.embeddings) cols.push(`${prefix}embedding::text AS embedding`);
  if (include.sparse) cols.push(`${prefix}sparse_embedding::text AS sparse`);
  if (include.documents) cols.push(`${prefix}document`);
  if (include.uris) cols.push(`${prefix}uri`);
  if (include.metadatas) cols.push(`${prefix}metadata`);
  if (include.vectors)
    for (const f of collection.vectors) {
      const c = `${prefix}${vectorColumn(f.position)}`;
      // A multivector as JSON, a list of its tokens' lists (pgvector's text form is a JSON list).
      cols.push(
        f.multivector
          ? `'[' || array_to_string(${c}, ',') || ']' AS vg_${f.position}`
          : `${c}::text AS vg_${f.position}`,
      );
    }
  return cols.join(', ');
}

/** The size of a selected row (answer-budget.ts), named vectors included. */
const sizeOf = (include: Include, collection: Collection) =>
  rowSizeSql(include, collection.dimension, '', collection.vectors);

/** Moves the named vectors a row was selected with (`vg_<position>`) into its `vectors`. */
function withNamedVectors<R extends StoredRecord>(collection: Collection, include: Include, rows: R[]): R[] {
  if (!include.vectors || collection.vectors.length === 0) return rows;
  for (const row of rows) {
    const raw = row as unknown as Record<string, string | null>;
    const vectors = nameMap<string>();
    for (const f of collection.vectors) {
      const value = raw[`vg_${f.position}`];
      delete raw[`vg_${f.position}`];
      if (value !== null && value !== undefined) vectors[f.name] = value;
    }
    row.vectors = vectors;
  }
  return rows;
}

/** The arrays of a write (unnest's), records checked by RecordsService first (named vectors declared, of their kind and size). */
function writeParams(vectorOid: number, collection: Collection, namespace: string, records: RecordWrite[]): unknown[] {
  const named = collection.vectors.map((f) =>
    f.multivector
      ? records.map((r) => (r.vectors?.[f.name] as MultiVector | undefined)?.toArrayText() ?? null)
      : f.kind === 'dense'
        ? vectorArrayParam(
            vectorOid,
            records.map((r) => r.vectors?.[f.name] as DenseVector | undefined),
          )
        : records.map((r) => (r.vectors?.[f.name] as SparseText | undefined)?.text ?? null),
  );
  return [
    namespace,
    records.map((r) => r.id),
    vectorArrayParam(
      vectorOid,
      records.map((r) => r.embedding),
    ),
    records.map((r) => r.document ?? null),
    records.map((r) => r.uri ?? null),
    records.map((r) => (r.metadata ? JSON.stringify(r.metadata) : null)),
    records.map((r) => r.sparse?.text ?? null),
    ...named,
  ];
}

/**
 * Writers of the same ids serialise on advisory locks over a fixed number of id buckets, taken in
 * ascending order, so that two batches touching overlapping ids (in any order, from any replica)
 * wait for each other instead of deadlocking on row and unique-index locks. A bounded bucket count
 * keeps the shared lock table small however large the batch.
 */
const LOCK_BUCKETS = 64;

/** FNV-1a over the id's UTF-16 code units: cheap, stable, and spreads ids over the buckets. */
function bucketOf(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return (h >>> 0) % LOCK_BUCKETS;
}

/** Slots of vecgate_record_counts per namespace (see migrations/004_record_counts.sql). */
const COUNT_SLOTS = 16;

/** A write's slot: random, so that concurrent writers of one namespace rarely wait on one row. */
const randomSlot = () => Math.floor(Math.random() * COUNT_SLOTS);

/**
 * A CTE that subtracts the rows of `deleted` (a CTE over deleted rows) from the namespace's count,
 * in the same statement as the delete: one round trip, and the count's row lock is taken only
 * once every row is deleted. `$1` is the namespace.
 */
function countDeleted(params: SqlParams, collectionId: string): string {
  const id = params.add(collectionId);
  const slot = params.add(randomSlot());
  return `counted AS (
    INSERT INTO vecgate_record_counts (collection_id, namespace, slot, n)
    SELECT ${id}::uuid, $1, ${slot}::smallint, -count(*) FROM deleted HAVING count(*) > 0
    ON CONFLICT (collection_id, namespace, slot) DO UPDATE SET n = vecgate_record_counts.n + excluded.n)`;
}

/**
 * A search's distance column and order. Through the index: ordered by the distance itself. Exact:
 * by an expression of it that no index is built on, selected once and ordered by its name, so that
 * each row's distance is computed once, not once for the answer and again for the sort (an exact
 * search of 20,000 x 384 took 14.0 ms the first way, 12.3 ms this way).
 */
function distanceOrder(distance: string, exact: boolean): { select: string; orderBy: string } {
  return exact
    ? { select: `(${distance}) + 0 AS distance`, orderBy: 'distance' }
    : { select: `${distance} AS distance`, orderBy: distance };
}

/**
 * A vector column's value read whole once, for a statement that compares it many times: a vector
 * of a few thousand dimensions is stored out of line, and each comparison of the stored value would
 * fetch it again (a 300 x 300 matrix of 4,096 dimensions took 1.96 s that way, 1.08 s this way).
 */
function detoasted(column: string, dimension: number): string {
  return `subvector(${column}, 1, ${Math.trunc(dimension)})`;
}

/** The rows the planner expects a statement to return. */
async function plannedRows(db: Queryable, sql: string, values: unknown[]): Promise<number> {
  const { rows } = await db.query(`EXPLAIN (FORMAT JSON) ${sql}`, values);
  const plan = rows[0]['QUERY PLAN'];
  return (typeof plan === 'string' ? JSON.parse(plan) : plan)[0].Plan['Plan Rows'];
}

/** What a read of a collection's table selects: one namespace's records that match the filter, these columns. */
export interface RecordSelection {
  namespace: string;
  filter: FilterNode;
  include: Include;
}

/** An order by a metadata value: its key, its direction, and where it starts. */
export interface OrderBy {
  key: MetadataKey;
  descending: boolean;
  from?: number | string;
}

/** A keyset page in byte order of ids: after `afterId` (or from it, `inclusive`), at most `limit`. */
export interface KeysetPage extends RecordSelection {
  afterId: string | null;
  limit: number | null;
  inclusive?: boolean;
}

/** The n nearest to each query vector; `exact` reads every matching record instead of the HNSW index. */
export interface NearestQuery extends RecordSelection {
  vectors: DenseVector[];
  n: number;
  exact?: boolean;
  /** The bytes this statement's rows may hold, when it is part of an answer (VECGATE_MAX_ANSWER_MB's whole otherwise). */
  budget?: number;
}

/** The n best by sparse inner product, plus the dense one's for a hybrid query. */
export interface SparseQuery extends RecordSelection {
  dense: DenseVector | null;
  /** pgvector's sparsevec text. */
  sparse: string;
  n: number;
  /** A named sparse vector's position, to score that one instead of the default. */
  position?: number;
}

/** The n best by a score over each record's similarities to the query vectors (similarity-score.ts). */
export interface ScoredQuery extends RecordSelection {
  vectors: DenseVector[];
  score: ScoreNode;
  n: number;
}

/**
 * The n best by MaxSim over a multivector (multivector.ts): `candidates` null reads every matching
 * record's tokens; otherwise each query token's `candidates` nearest tokens (the token index's
 * walk) bound the MaxSim of the records they belong to, and the `rescored` records with the highest
 * bound (null: all of them) are scored, exactly, over all their tokens.
 */
export interface MaxSimQuery extends RecordSelection {
  tokens: DenseVector[];
  n: number;
  candidates: number | null;
  rescored?: number | null;
}

/**
 * The n best by a score over each record's MaxSim to several example multivectors (recommend,
 * discover and context through a multivector): `examples` each a list of tokens.
 */
export interface MultiScoredQuery extends RecordSelection {
  examples: DenseVector[][];
  score: ScoreNode;
  n: number;
}

/** The n best by BM25 under a full-text query (text-query.ts). */
export interface TextSearchQuery extends RecordSelection {
  query: TextQuery;
  n: number;
}

/** Session settings of a vector search (see Database.withSessionSettings). */
export type SearchSettings = Record<string, string>;

/** All SQL over record tables. Each method runs inside the caller's transaction. */
@Injectable()
export class RecordsRepository {
  /** The largest answer in bytes (VECGATE_MAX_ANSWER_MB). */
  readonly answerBytes: number;

  constructor(
    private readonly database: Database,
    @Optional() @Inject(ANSWER_BYTES) answerBytes?: number,
  ) {
    this.answerBytes = answerBytes ?? DEFAULT_ANSWER_BYTES;
  }

  private writeParams(collection: Collection, namespace: string, records: RecordWrite[]): unknown[] {
    return writeParams(this.database.vectorOid, collection, namespace, records);
  }

  async lockIds(db: Queryable, collection: Collection, namespace: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const buckets = [...new Set(ids.map(bucketOf))].sort((a, b) => a - b);
    const keys = buckets.map((b) =>
      createHash('sha1').update(`${collection.tableName}\0${namespace}\0${b}`).digest().readBigInt64BE(0).toString(),
    );
    await db.query('SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) WITH ORDINALITY AS t(k, o) ORDER BY o', [
      keys,
    ]);
  }

  /** Inserts the records whose ids are new; returns the ids it inserted (count them with addToCount). */
  async insertNew(
    db: Queryable,
    collection: Collection,
    namespace: string,
    records: RecordWrite[],
  ): Promise<Set<string>> {
    if (records.length === 0) return new Set();
    const { rows } = await db.query(
      `INSERT INTO ${qualified(collection.tableName)} (namespace, id, embedding, document, uri, metadata, sparse_embedding${namedColumns(collection)})
       SELECT $1, u.id, u.embedding, u.document, u.uri, nullif(jsonb_strip_nulls(u.metadata), '{}'::jsonb), ${SPARSE}${namedValues(collection)}
       FROM ${unnest(collection)}
       ON CONFLICT (namespace, id) DO NOTHING RETURNING id`,
      this.writeParams(collection, namespace, records),
    );
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Adds a write's net change to the namespace's record count. Called last in the write's
   * transaction: the count's row lock is then held only while committing, so two writers can
   * never each hold what the other waits for.
   */
  async addToCount(db: Queryable, collection: Collection, namespace: string, delta: number): Promise<void> {
    if (delta === 0) return;
    await db.query(
      `INSERT INTO vecgate_record_counts (collection_id, namespace, slot, n) VALUES ($1, $2, $3, $4)
       ON CONFLICT (collection_id, namespace, slot) DO UPDATE SET n = vecgate_record_counts.n + excluded.n`,
      [collection.id, namespace, randomSlot(), delta],
    );
  }

  /**
   * Inserts, or overwrites vector, sparse vector and metadata whole; returns how many it wrote and
   * how many of those were new. Metadata is stored as sent, null values included (a payload may hold them).
   */
  async replace(
    db: Queryable,
    collection: Collection,
    namespace: string,
    records: RecordWrite[],
    where?: FilterNode,
  ): Promise<{ written: number; inserted: number }> {
    if (records.length === 0) return { written: 0, inserted: 0 };
    const params = new SqlParams(this.writeParams(collection, namespace, records));
    const condition = existingMatches(collection, params, where);
    // xmax is 0 on a row this statement inserted, and set on one it updated.
    const { rows } = await db.query<{ written: number; inserted: number }>(
      `WITH written AS (
         INSERT INTO ${qualified(collection.tableName)} AS t (namespace, id, embedding, document, uri, metadata, sparse_embedding${namedColumns(collection)})
         SELECT $1, u.id, u.embedding, u.document, u.uri, nullif(u.metadata, '{}'::jsonb), ${SPARSE}${namedValues(collection)}
         FROM ${unnest(collection)}
         ON CONFLICT (namespace, id) DO UPDATE
           SET embedding = excluded.embedding, sparse_embedding = excluded.sparse_embedding, metadata = excluded.metadata${collection.vectors
             .map((f) => `, ${vectorColumn(f.position)} = excluded.${vectorColumn(f.position)}`)
             .join('')}
           WHERE ${condition}
         RETURNING (t.xmax = 0) AS inserted)
       SELECT count(*)::int AS written, count(*) FILTER (WHERE inserted)::int AS inserted FROM written`,
      params.values,
    );
    return rows[0];
  }

  /**
   * As replace, for records that exist only (and match `where`): their vectors, sparse vector,
   * named vectors and metadata overwritten whole. Returns how many it wrote.
   */
  async replaceExisting(
    db: Queryable,
    collection: Collection,
    namespace: string,
    records: RecordWrite[],
    where?: FilterNode,
  ): Promise<number> {
    if (records.length === 0) return 0;
    const params = new SqlParams(this.writeParams(collection, namespace, records));
    const condition = existingMatches(collection, params, where);
    const { rowCount } = await db.query(
      `UPDATE ${qualified(collection.tableName)} AS t SET
         embedding = u.embedding, sparse_embedding = ${SPARSE}, metadata = nullif(u.metadata, '{}'::jsonb)${collection.vectors
           .map((f) => `, ${vectorColumn(f.position)} = ${namedValue(f)}`)
           .join('')}
       FROM ${unnest(collection)} WHERE t.namespace = $1 AND t.id = u.id AND ${condition}`,
      params.values,
    );
    return rowCount ?? 0;
  }

  /**
   * Overwrites the fields that were sent and merges metadata key by key (a null value removes the
   * key) on the records that exist; ids that do not exist are ignored. Returns how many changed.
   */
  async mergeExisting(
    db: Queryable,
    collection: Collection,
    namespace: string,
    records: RecordWrite[],
    mergeMetadata = true,
    where?: FilterNode,
  ): Promise<number> {
    if (records.length === 0) return 0;
    const params = new SqlParams(this.writeParams(collection, namespace, records));
    const condition = existingMatches(collection, params, where);
    const metadata = mergeMetadata
      ? `nullif(jsonb_strip_nulls(coalesce(t.metadata, '{}'::jsonb) || u.metadata), '{}'::jsonb)`
      : `nullif(u.metadata, '{}'::jsonb)`;
    const { rowCount } = await db.query(
      `UPDATE ${qualified(collection.tableName)} AS t SET
         embedding = coalesce(u.embedding, t.embedding),
         sparse_embedding = CASE WHEN u.sparse IS NULL THEN t.sparse_embedding ELSE ${SPARSE} END,
         document = coalesce(u.document, t.document),
         uri = coalesce(u.uri, t.uri),
         metadata = CASE WHEN u.metadata IS NULL THEN t.metadata ELSE ${metadata} END${collection.vectors
           .map((f) => {
             const c = vectorColumn(f.position);
             return f.kind === 'dense'
               ? `, ${c} = coalesce(${namedInput(f)}, t.${c})`
               : `, ${c} = CASE WHEN u.${c} IS NULL THEN t.${c} ELSE ${sparseWritten(`u.${c}`)} END`;
           })
           .join('')}
       FROM ${unnest(collection)} WHERE t.namespace = $1 AND t.id = u.id AND ${condition}`,
      params.values,
    );
    return rowCount ?? 0;
  }

  /** Records matching the filter, in insertion order (or, `random`, drawn at random). */
  async find(
    db: Queryable,
    collection: Collection,
    {
      namespace,
      filter,
      include,
      limit,
      offset,
      random = false,
      byId,
    }: RecordSelection & { limit: number | null; offset: number; random?: boolean; byId?: 'asc' | 'desc' },
  ): Promise<StoredRecord[]> {
    const params = new SqlParams([namespace]);
    const where = compileFilter(filter, params);
    const { rows } = await db.query<StoredRecord>(
      withinBudget(
        `SELECT ${columns(include, collection)}, ${sizeOf(include, collection)} AS vg_size FROM ${qualified(collection.tableName)}
         WHERE namespace = $1 AND ${where} ORDER BY ${random ? 'random()' : byId ? `id ${byId === 'desc' ? 'DESC' : 'ASC'}` : 'seq'} LIMIT ${params.add(limit)} OFFSET ${params.add(offset)}`,
        params.add(this.answerBytes),
      ),
      params.values,
    );
    return withNamedVectors(collection, include, rowsWithinBudget(rows, this.answerBytes));
  }

  /**
   * Matching records that hold a number or a string at the key, in the order of that value (jsonb's:
   * numbers numerically), from `from` on when given, ties by id; each with its value as `orderValue`.
   */
  async findOrdered(
    db: Queryable,
    collection: Collection,
    { namespace, filter, include, limit, orderBy }: RecordSelection & { limit: number; orderBy: OrderBy },
  ): Promise<(StoredRecord & { orderValue: unknown })[]> {
    const params = new SqlParams([namespace]);
    const where = compileFilter(filter, params);
    const path = Array.isArray(orderBy.key) ? orderBy.key : [orderBy.key];
    const value = `(metadata #> ${params.add(path, 'text[]')})`;
    const direction = orderBy.descending ? 'DESC' : 'ASC';
    // Numbers come before strings (datetimes), whichever way: jsonb alone would put strings first.
    const isString = `(jsonb_typeof(${value}) = 'string')`;
    let from = '';
    if (orderBy.from !== undefined) {
      const bound = `${value} ${orderBy.descending ? '<=' : '>='} ${params.add(JSON.stringify(orderBy.from), 'jsonb')}`;
      const fromString = typeof orderBy.from === 'string';
      // Past the bound lie the same type's values beyond it and, one way, the other type's.
      from = orderBy.descending
        ? fromString
          ? ` AND (NOT ${isString} OR ${bound})`
          : ` AND NOT ${isString} AND ${bound}`
        : fromString
          ? ` AND ${isString} AND ${bound}`
          : ` AND (${isString} OR ${bound})`;
    }
    const { rows } = await db.query<StoredRecord & { orderValue: unknown }>(
      withinBudget(
        `SELECT ${columns(include, collection)}, ${value} AS "orderValue", ${sizeOf(include, collection)} AS vg_size FROM ${qualified(collection.tableName)}
         WHERE namespace = $1 AND jsonb_typeof(${value}) IN ('number', 'string')${from} AND ${where}
         ORDER BY ${isString} ${direction}, ${value} ${direction}, id COLLATE "C" LIMIT ${params.add(limit)}`,
        params.add(this.answerBytes),
      ),
      params.values,
    );
    return withNamedVectors(collection, include, rowsWithinBudget(rows, this.answerBytes));
  }

  /**
   * The most frequent values at the key among the matching records (an array's elements each
   * count once per record), with how many records hold each: most first, then by value.
   */
  async facet(
    db: Queryable,
    collection: Collection,
    { namespace, filter, key, limit }: { namespace: string; filter: FilterNode; key: MetadataKey; limit: number },
  ): Promise<{ value: unknown; count: number }[]> {
    const params = new SqlParams([namespace]);
    const where = compileFilter(filter, params);
    const value = `(metadata #> ${params.add(Array.isArray(key) ? key : [key], 'text[]')})`;
    const { rows } = await db.query<{ value: unknown; count: number }>(
      `SELECT x.v AS value, count(*)::int AS count FROM ${qualified(collection.tableName)}
       CROSS JOIN LATERAL (
         SELECT DISTINCT e FROM jsonb_array_elements(
           CASE WHEN jsonb_typeof(${value}) = 'array' THEN ${value} ELSE jsonb_build_array(${value}) END) AS e
       ) AS x(v)
       WHERE namespace = $1 AND ${value} IS NOT NULL AND jsonb_typeof(x.v) IN ('string', 'number', 'boolean') AND ${where}
       GROUP BY x.v ORDER BY count(*) DESC, x.v LIMIT ${params.add(limit)}`,
      params.values,
    );
    return rows;
  }

  /** Matching records in byte order of ids, after (or from) `afterId`: keyset pages. */
  async findAfterId(
    db: Queryable,
    collection: Collection,
    { namespace, filter, include, afterId, limit, inclusive = false }: KeysetPage,
  ): Promise<StoredRecord[]> {
    const params = new SqlParams([namespace, afterId]);
    const where = compileFilter(filter, params);
    const { rows } = await db.query<StoredRecord>(
      withinBudget(
        `SELECT ${columns(include, collection)}, ${sizeOf(include, collection)} AS vg_size FROM ${qualified(collection.tableName)}
         WHERE namespace = $1 AND ($2::text IS NULL OR id COLLATE "C" ${inclusive ? '>=' : '>'} $2::text COLLATE "C") AND ${where}
         ORDER BY id COLLATE "C" LIMIT ${params.add(limit)}`,
        params.add(this.answerBytes),
      ),
      params.values,
    );
    return withNamedVectors(collection, include, rowsWithinBudget(rows, this.answerBytes));
  }

  /**
   * The HNSW settings a search for n neighbours runs with: ef_search at least n (the index returns
   * at most ef_search candidates), and iterative scans, so that a filter that rejects most
   * candidates makes the index look further instead of returning fewer than n. The ef_search is
   * the search tuner's when it has measured the collection, else the configured one. A filtered
   * walk (`share`: the planner's estimate of the table it keeps) widens with its filter as the
   * tuner measured (filteredEfSearch), and never goes below the configured one: a narrower walk
   * under a filter resumed its iterative scan more often (10% filter on clustered 20,000 x 384
   * at 8 clients: 277 QPS at the tuned 64 against 444 at 100). A collection the tuner has not
   * measured at its size (`unmeasured`) walks at the widest ef_search until it has.
   */
  searchSettings(
    collection: Collection,
    n: number,
    { narrows = false, share, unmeasured = false }: { narrows?: boolean; share?: number; unmeasured?: boolean } = {},
  ): SearchSettings {
    const tuned = collection.tuning?.efSearch ?? collection.index.efSearch;
    const measured = collection.tuning?.filtered;
    const efSearch = unmeasured
      ? HNSW_LIMITS.efSearch.max
      : narrows
        ? Math.max(measured ? filteredEfSearch(tuned, measured.efSearch, share) : tuned, collection.index.efSearch)
        : tuned;
    return {
      'hnsw.ef_search': String(Math.min(HNSW_LIMITS.efSearch.max, Math.max(efSearch, n))),
      // Where the planner reads the table instead (a wide ef_search), one process per search: a
      // parallel scan planned once took 90 ms where a plain one takes 25, and it takes the cores
      // the other searches need.
      max_parallel_workers_per_gather: '0',
      'hnsw.iterative_scan': 'relaxed_order',
    };
  }

  /**
   * How many records a search's filter and namespace keep, and how many the collection's table
   * holds, as the planner estimates them (nothing read): what decides an exact search
   * (search-policy.ts). The filter goes in the form the planner estimates best (compileEstimate).
   * Two plans, each read at its top node: that node carries the statement's whole estimate, where
   * the branches of one parallel plan (a big table's) carry a worker's share.
   */
  async estimateMatches(
    db: Queryable,
    collection: Collection,
    namespace: string,
    filter: FilterNode,
  ): Promise<MatchEstimate> {
    const params = new SqlParams([namespace]);
    const where = compileEstimate(filter, params, collection.statisticsKeys);
    const table = qualified(collection.tableName);
    const [matching, total] = await Promise.all([
      plannedRows(db, `SELECT 1 FROM ${table} WHERE namespace = $1 AND ${where}`, params.values),
      plannedRows(db, `SELECT 1 FROM ${table}`, []),
    ]);
    return { matching, total };
  }

  /**
   * The n nearest records to each query vector, in one statement (LATERAL over the query vectors).
   * A single vector, the common call, gets the plain statement: Postgres plans it in about half
   * the time of the LATERAL form, and every call is planned for its values.
   * `exact` reads every matching record and sorts them: ordered by an expression the HNSW index
   * is not built on, the planner cannot choose the index, while the filter's own indexes still serve.
   * A record without the searched vector (a Qdrant point may leave any out) is no neighbour: the
   * index holds no NULL, and an exact read leaves those records out too.
   */
  async nearest(
    db: Queryable,
    collection: Collection,
    { namespace, vectors, n, filter, include, exact = false, budget = this.answerBytes }: NearestQuery,
  ): Promise<Neighbour[][]> {
    const plan = vectorPlan(collection.metric, collection.dimension!, collection.searchColumn);
    const table = qualified(collection.tableName);
    const held = `${checkedColumn(collection.searchColumn ?? 'embedding')} IS NOT NULL`;
    if (vectors.length === 1) {
      const params = new SqlParams([namespace, vectors[0].toBinary()]);
      const where = compileFilter(filter, params);
      const order = distanceOrder(`${plan.column} ${plan.operator} $2::vector::${plan.queryType}`, exact);
      const { rows } = await db.query<Neighbour>(
        withinBudget(
          `SELECT ${columns(include, collection)}, ${order.select}, ${sizeOf(include, collection)} AS vg_size FROM ${table}
           WHERE namespace = $1 AND ${held} AND ${where} ORDER BY ${order.orderBy} LIMIT ${params.add(n)}`,
          params.add(budget),
        ),
        params.values,
      );
      return [withNamedVectors(collection, include, rowsWithinBudget(rows, budget, this.answerBytes))];
    }
    const params = new SqlParams([namespace, vectorArrayParam(this.database.vectorOid, vectors)]);
    const where = compileFilter(filter, params);
    const order = distanceOrder(`${plan.column} ${plan.operator} q.vec::${plan.queryType}`, exact);
    const { rows } = await db.query<Neighbour & { ord: string }>(
      withinBudget(
        `SELECT q.ord, r.* FROM unnest($2::vector[]) WITH ORDINALITY AS q(vec, ord)
         CROSS JOIN LATERAL (
           SELECT ${columns(include, collection)}, ${order.select}, ${sizeOf(include, collection)} AS vg_size FROM ${table}
           WHERE namespace = $1 AND ${held} AND ${where} ORDER BY ${order.orderBy} LIMIT ${params.add(n)}
         ) AS r ORDER BY q.ord, r.distance`,
        params.add(budget),
      ),
      params.values,
    );
    const lists: Neighbour[][] = vectors.map(() => []);
    for (const row of withNamedVectors(collection, include, rowsWithinBudget(rows, budget, this.answerBytes))) {
      const { ord, ...neighbour } = row;
      lists[Number(ord) - 1].push(neighbour);
    }
    return lists;
  }

  /**
   * The n matching records with the highest score, each scored over its similarities to the query
   * vectors (computed once per record, as columns s1, s2, ...): an exact read of every matching
   * record that holds the searched vector, since no index orders by such a score.
   */
  async scoredBy(
    db: Queryable,
    collection: Collection,
    { namespace, vectors, score, n, filter, include }: ScoredQuery,
  ): Promise<(StoredRecord & { score: number })[]> {
    const plan = vectorPlan(collection.metric, collection.dimension!, collection.searchColumn);
    const params = new SqlParams([namespace]);
    const similarities = vectors.map(
      (v, i) =>
        `${similaritySql(collection.metric, `${plan.column} ${plan.operator} ${params.add(v.toBinary(), 'vector')}::${plan.queryType}`)} AS s${i + 1}`,
    );
    const column = checkedColumn(collection.searchColumn ?? 'embedding');
    const where = compileFilter(filter, params);
    const { rows } = await db.query<StoredRecord & { score: number }>(
      withinBudget(
        `SELECT ${columns(include, collection)}, ${scoreSql(score)} AS score, ${sizeOf(include, collection)} AS vg_size
         FROM (SELECT t.*, ${similarities.join(', ')} FROM ${qualified(collection.tableName)} t
               WHERE namespace = $1 AND ${column} IS NOT NULL AND ${where}) r
         ORDER BY score DESC, id COLLATE "C" LIMIT ${params.add(n)}`,
        params.add(this.answerBytes),
      ),
      params.values,
    );
    return withNamedVectors(collection, include, rowsWithinBudget(rows, this.answerBytes));
  }

  /**
   * The n matching records holding the multivector `field` with the highest MaxSim (Qdrant's
   * score_max_similarity): for each query token the best similarity among the record's tokens,
   * summed (`sum`, higher is better), in one statement. Without candidates every matching record's
   * tokens are read. With candidates, each query token first walks the token index (LATERAL,
   * `ORDER BY ... LIMIT candidates`, under the caller's hnsw.ef_search), and the walks themselves
   * bound each record's MaxSim: for each query token the best similarity among the record's tokens
   * the walk returned, or, where it returned none of them, the lowest similarity the walk returned
   * (had the walk been exact, none of the record's tokens is more similar than that), summed. The
   * `rescored` matching records with the highest bounds are scored exactly, over all their tokens,
   * then any other walked record whose bound reaches the n-th best of those scores: the answer is
   * the one scoring every walked record exactly would give, at the cost of a few dozen records
   * where the bounds separate them (clustered tokens, as real ones are).
   */
  async maxSim(
    db: Queryable,
    collection: Collection,
    field: VectorField,
    { namespace, tokens, n, filter, include, candidates, rescored }: MaxSimQuery,
  ): Promise<(StoredRecord & { sum: number })[]> {
    const plan = tokenPlan(field);
    const table = qualified(collection.tableName);
    const held = `vecgate_records."${tokenTableName(collection.tableName, field.position)}"`;
    const column = vectorColumn(field.position);
    const params = new SqlParams([namespace, vectorArrayParam(this.database.vectorOid, tokens)]);
    const where = compileFilter(filter, params);
    const similarity = tokenSimilaritySql(field.metric, `${plan.column} ${plan.operator} q.tok`);
    const queryTokens = `SELECT tok::${plan.queryType} AS tok, ord FROM unnest($2::vector[]) WITH ORDINALITY AS q(tok, ord)`;
    const matched = `r.namespace = $1 AND r.${column} IS NOT NULL AND ${where}`;
    // The exact MaxSim of the records `m` names, record by record (its tokens by the token table's
    // key, against every query token, grouped by query token in memory): grouped over all the
    // records at once, the pairs (with both vectors) were sorted on disk, tens of MB for a few
    // dozen records (docs/benchmarks.md, Multivectors).
    const exactOf = (m: string) => `SELECT m.seq, e.sum FROM ${m} m CROSS JOIN LATERAL (
        SELECT sum(x.best) AS sum FROM (
          SELECT max(${similarity}) AS best FROM ${held} t CROSS JOIN q WHERE t.seq = m.seq GROUP BY q.ord) x) e`;
    // The walked records are read one by one by their key (OFFSET 0 keeps the lookups nested: a
    // hash join read the whole record table, each time); the exact path's are all of them.
    const records =
      candidates === null
        ? `JOIN ${table} r ON r.namespace = $1 AND r.seq = s.seq`
        : `CROSS JOIN LATERAL (SELECT * FROM ${table} r WHERE r.namespace = $1 AND r.seq = s.seq OFFSET 0) r`;
    let scored: string;
    if (candidates === null) {
      scored = `m AS MATERIALIZED (SELECT r.seq FROM ${table} r WHERE ${matched}),
           s AS (${exactOf('m')})`;
    } else {
      const nth = params.add(n - 1);
      // The walks (w); each query token's lowest similarity returned (f); each walked record's
      // bound (a); the `rescored` matching records with the highest bounds (m1), scored exactly
      // (s1); the n-th best of those scores (cut); and the other walked records whose bound reaches
      // it (m2), scored exactly too (s2): none left out could have ranked in the n best, had the
      // walks been exact. Fewer than n in s1 (a filter keeping few): every walked record matching.
      scored = `w AS MATERIALIZED (SELECT q.ord, k.seq, k.sim FROM q CROSS JOIN LATERAL (
             SELECT t.seq, ${similarity} AS sim FROM ${held} t
             ORDER BY ${plan.column} ${plan.operator} q.tok LIMIT ${params.add(candidates)}) k),
           f AS (SELECT w.ord, min(w.sim) AS low FROM w GROUP BY w.ord),
           a AS MATERIALIZED (SELECT b.seq, (SELECT sum(f.low) FROM f) + sum(b.best - f.low) AS bound
                 FROM (SELECT w.seq, w.ord, max(w.sim) AS best FROM w GROUP BY w.seq, w.ord) b JOIN f ON f.ord = b.ord
                 GROUP BY b.seq),
           ma AS MATERIALIZED (SELECT a.seq, a.bound FROM a CROSS JOIN LATERAL (
                 SELECT 1 FROM ${table} r WHERE r.seq = a.seq AND ${matched} OFFSET 0) r),
           m1 AS MATERIALIZED (SELECT ma.seq FROM ma ORDER BY ma.bound DESC, ma.seq LIMIT ${params.add(rescored ?? null)}),
           s1 AS MATERIALIZED (${exactOf('m1')}),
           cut AS (SELECT s1.sum FROM s1 ORDER BY s1.sum DESC OFFSET ${nth} LIMIT 1),
           m2 AS MATERIALIZED (SELECT ma.seq FROM ma WHERE ma.seq NOT IN (SELECT m1.seq FROM m1)
                 AND ma.bound >= coalesce((SELECT cut.sum - 1e-6 * (1 + abs(cut.sum)) FROM cut), '-Infinity')),
           s AS (SELECT * FROM s1 UNION ALL (${exactOf('m2')}))`;
    }
    const { rows } = await db.query<StoredRecord & { sum: number }>(
      withinBudget(
        `WITH q AS MATERIALIZED (${queryTokens}),
           ${scored}
         SELECT ${columns(include, collection, 'r.')}, s.sum::float8 AS sum, ${rowSizeSql(include, collection.dimension, 'r.', collection.vectors)} AS vg_size
         FROM s ${records}
         ORDER BY s.sum DESC, r.id COLLATE "C" LIMIT ${params.add(n)}`,
        params.add(this.answerBytes),
      ),
      params.values,
    );
    return withNamedVectors(collection, include, rowsWithinBudget(rows, this.answerBytes));
  }

  /**
   * The n matching records holding the multivector `field` with the highest score over their
   * MaxSim to each example (Qdrant's MultiCustomQueryScorer: an example's similarity to a record is
   * score_max_similarity, the sum over the example's tokens of each one's best similarity among the
   * record's tokens, as the columns s1, s2, ...). Exact: every matching record's tokens are read,
   * each against every example token, once.
   */
  async multiScoredBy(
    db: Queryable,
    collection: Collection,
    field: VectorField,
    { namespace, examples, score, n, filter, include }: MultiScoredQuery,
  ): Promise<(StoredRecord & { score: number })[]> {
    const plan = tokenPlan(field);
    const table = qualified(collection.tableName);
    const held = `vecgate_records."${tokenTableName(collection.tableName, field.position)}"`;
    const column = vectorColumn(field.position);
    const tokens = examples.flat();
    const owner = examples.flatMap((e, i) => e.map(() => i + 1));
    const params = new SqlParams([namespace, vectorArrayParam(this.database.vectorOid, tokens), owner]);
    const where = compileFilter(filter, params);
    const similarity = tokenSimilaritySql(field.metric, `${plan.column} ${plan.operator} q.tok`);
    const sums = examples.map((_, i) => `sum(b.best) FILTER (WHERE b.ex = ${i + 1})::float8 AS s${i + 1}`);
    const { rows } = await db.query<StoredRecord & { score: number }>(
      withinBudget(
        `WITH q AS MATERIALIZED (
             SELECT tok::${plan.queryType} AS tok, ex, ord FROM unnest($2::vector[], $3::int[]) WITH ORDINALITY AS q(tok, ex, ord)),
           m AS MATERIALIZED (SELECT r.seq FROM ${table} r WHERE r.namespace = $1 AND r.${column} IS NOT NULL AND ${where}),
           e AS (SELECT m.seq, x.* FROM m CROSS JOIN LATERAL (
                   SELECT ${sums.join(', ')} FROM (
                     SELECT q.ex, max(${similarity}) AS best FROM ${held} t CROSS JOIN q WHERE t.seq = m.seq
                     GROUP BY q.ex, q.ord) b) x),
           p AS (SELECT e.seq, ${scoreSql(score)} AS score FROM e)
         SELECT ${columns(include, collection, 'r.')}, p.score::float8 AS score, ${rowSizeSql(include, collection.dimension, 'r.', collection.vectors)} AS vg_size
         FROM p JOIN ${table} r ON r.namespace = $1 AND r.seq = p.seq
         ORDER BY p.score DESC, r.id COLLATE "C" LIMIT ${params.add(n)}`,
        params.add(this.answerBytes),
      ),
      params.values,
    );
    return withNamedVectors(collection, include, rowsWithinBudget(rows, this.answerBytes)).map((r) => ({
      ...r,
      score: Number(r.score),
    }));
  }

  /**
   * The n matching records with the best BM25 score under a full-text query (text-search-sql.ts),
   * best first, ties by id; `*` (kind all) keeps records holding any text field, each scored 1, in
   * insertion order (Pinecone's match-all browse is in no particular order; this one is cheap).
   */
  async textSearch(
    db: Queryable,
    collection: Collection,
    { namespace, query, n, filter, include }: TextSearchQuery,
  ): Promise<(StoredRecord & { score: number })[]> {
    const table = qualified(collection.tableName);
    const params = new SqlParams([namespace]);
    let sql: string;
    if (query.kind === 'all') {
      const held = collection.textFields.map((f) => `${textColumn(f.position)} IS NOT NULL`).join(' OR ') || 'false';
      const where = compileFilter(filter, params);
      sql = `SELECT ${columns(include, collection)}, 1::float8 AS score, ${sizeOf(include, collection)} AS vg_size
        FROM ${table} WHERE namespace = $1 AND (${held}) AND ${where} ORDER BY seq LIMIT ${params.add(n)}`;
    } else {
      const leaves = leavesOf(query);
      const lexemes = await this.analyse(db, collection, leaves);
      const expansions = await this.expandFuzzy(db, collection, namespace, leaves, lexemes);
      const select = `${columns(include, collection, 'r.')}, ${rowSizeSql(include, collection.dimension, 'r.', collection.vectors)} AS vg_size`;
      this.checkPostings(collection, leaves);
      const compiled = compilePostingsQuery(query, lexemes, expansions);
      // No word left to score (stop words only, or must-nots only): nothing matches.
      if (compiled.terms.length === 0 && compiled.constants.length === 0) return [];
      const where = compileFilter(filter, params);
      sql = postingsBm25Sql(collection.tableName, table, compiled, where, params, collection.id, params.add(n), select);
    }
    const { rows } = await db.query<StoredRecord & { score: number }>(
      withinBudget(sql, params.add(this.answerBytes)),
      params.values,
    );
    return withNamedVectors(collection, include, rowsWithinBudget(rows, this.answerBytes)).map((r) => ({
      ...r,
      score: Number(r.score),
    }));
  }

  /** BM25 reads postings (migrations/027), which a token-by-token field (a Qdrant text index) has not: it matches, it does not rank. */
  private checkPostings(collection: Collection, leaves: TextLeaf[]): void {
    for (const l of leaves) {
      const field = collection.textFields.find((f) => f.position === l.position);
      if (field && !hasPostings(field))
        throw new InvalidArgumentError(
          `The text field ${JSON.stringify(field.path.join('.'))} is analysed token by token: it filters by words but does not rank`,
        );
    }
  }

  /** Each leaf's words as its field's analyser makes them, in one statement for all leaves. */
  private async analyse(db: Queryable, collection: Collection, leaves: TextLeaf[]): Promise<Map<TextLeaf, Lexeme[]>> {
    const fields = leaves.map((l) => {
      const field = collection.textFields.find((f) => f.position === l.position);
      if (!field) throw new Error(`no text field at position ${l.position}`);
      return field;
    });
    const out = new Map<TextLeaf, Lexeme[]>(leaves.map((l) => [l, []]));
    if (leaves.length === 0) return out;
    const { rows } = await db.query<{ i: string; lexeme: string; pos: number }>(
      `SELECT i, lexeme, pos FROM vecgate_text_query_analysis($1::regconfig[], $2::jsonb[], $3::text[])`,
      [
        fields.map((f) => textConfig(f.analyzer)),
        fields.map((f) => JSON.stringify(f.analyzer)),
        leaves.map((l) => l.text),
      ],
    );
    for (const r of rows) out.get(leaves[Number(r.i) - 1])!.push({ lexeme: r.lexeme, pos: r.pos });
    return out;
  }

  /** The words of their fields each fuzzy leaf matches (fuzzy-terms.ts), in one statement for all. */
  private async expandFuzzy(
    db: Queryable,
    collection: Collection,
    namespace: string,
    leaves: TextLeaf[],
    lexemes: Map<TextLeaf, Lexeme[]>,
  ): Promise<Map<TextLeaf, string[]>> {
    for (const leaf of leaves)
      if (leaf.kind === 'fuzzy' && collection.textFields.find((f) => f.position === leaf.position)?.analyzer.tokenizer)
        throw new InvalidArgumentError('Fuzzy terms match only fields analysed by words, not token by token');
    const words = fuzzyWords(leaves, lexemes);
    let found: { k: number; term: string }[] = [];
    if (words.length > 0) {
      const params = new SqlParams([namespace]);
      const sql = fuzzyExpansionSql(qualified(collection.tableName), collection.id, words, params);
      found = (await db.query<{ k: number; term: string }>(sql, params.values)).rows;
    }
    return fuzzyExpansions(leaves, lexemes, words, found);
  }

  /**
   * Qdrant's search matrix: `sample` matching records drawn at random that hold the searched
   * vector, in id order, and for each its `limit` most similar among them (itself left out), most
   * similar first. Computed here rather than in the gateway's one thread: 1,000 samples of 4,096
   * dimensions are four billion products.
   */
  async searchMatrix(
    db: Queryable,
    collection: Collection,
    { namespace, filter, sample, limit }: { namespace: string; filter: FilterNode; sample: number; limit: number },
  ): Promise<{ ids: string[]; pairs: { a: string; b: string; similarity: number }[] }> {
    const column = checkedColumn(collection.searchColumn ?? 'embedding');
    const operator = vectorPlan(collection.metric, collection.dimension!).operator;
    const params = new SqlParams([namespace]);
    const where = compileFilter(filter, params);
    const { rows } = await db.query<{ a: string; b: string | null; similarity: number | null }>(
      `WITH s AS MATERIALIZED (
         SELECT id, ${detoasted(column, collection.dimension!)} AS v FROM ${qualified(collection.tableName)}
          WHERE namespace = $1 AND ${column} IS NOT NULL AND ${where} ORDER BY random() LIMIT ${params.add(sample)})
       SELECT a.id AS a, n.id AS b, n.similarity FROM s a
         LEFT JOIN LATERAL (
           SELECT b.id, ${similaritySql(collection.metric, `a.v ${operator} b.v`)} AS similarity FROM s b
            WHERE b.id <> a.id ORDER BY similarity DESC, b.id COLLATE "C" LIMIT ${params.add(limit)}) n ON true
        ORDER BY a.id COLLATE "C", n.similarity DESC, n.id COLLATE "C"`,
      params.values,
    );
    const ids: string[] = [];
    const pairs: { a: string; b: string; similarity: number }[] = [];
    for (const r of rows) {
      if (ids[ids.length - 1] !== r.a) ids.push(r.a);
      if (r.b !== null) pairs.push({ a: r.a, b: r.b, similarity: Number(r.similarity) });
    }
    return { ids, pairs };
  }

  /**
   * The similarities among the candidates `ids` that hold the searched vector, and of each to
   * `query`: what Maximal Marginal Relevance weighs. `found` holds the indexes into `ids` of those
   * read, in their order; `among[i * found.length + j]` is the similarity of the i-th to the j-th.
   * Computed here, not in the gateway's one thread (a thousand candidates are a million
   * comparisons), and sent as float4 bytes: a million numbers as text took longer to read than to
   * compute.
   */
  async similaritiesAmong(
    db: Queryable,
    collection: Collection,
    { namespace, ids, query }: { namespace: string; ids: string[]; query: DenseVector },
  ): Promise<{ found: number[]; relevance: number[]; among: Float32Array }> {
    if (ids.length === 0) return { found: [], relevance: [], among: new Float32Array(0) };
    const column = checkedColumn(collection.searchColumn ?? 'embedding');
    const plan = vectorPlan(collection.metric, collection.dimension!);
    const params = new SqlParams([namespace]);
    const similarity = (a: string, b: string) => similaritySql(collection.metric, `${a} ${plan.operator} ${b}`);
    const q = `${params.add(query.toBinary(), 'vector')}::${plan.queryType}`;
    const { rows } = await db.query<{ o: number; relevance: number; similarities: Buffer }>(
      `WITH pool AS MATERIALIZED (
         SELECT (row_number() OVER (ORDER BY c.o))::int AS i, c.o::int AS o,
                ${detoasted(`t.${column}`, collection.dimension!)} AS v
           FROM unnest(${params.add(ids)}::text[]) WITH ORDINALITY AS c(id, o)
           JOIN ${qualified(collection.tableName)} t ON t.namespace = $1 AND t.id = c.id
          WHERE t.${column} IS NOT NULL)
       SELECT a.o, ${similarity('a.v', q)} AS relevance,
              (SELECT string_agg(float4send((${similarity('a.v', 'b.v')})::float4), ''::bytea ORDER BY b.i) FROM pool b)
                AS similarities
         FROM pool a ORDER BY a.i`,
      params.values,
    );
    const among = new Float32Array(rows.length * rows.length);
    rows.forEach((r, i) => {
      for (let j = 0; j < rows.length; j++) among[i * rows.length + j] = r.similarities.readFloatBE(j * 4);
    });
    return { found: rows.map((r) => Number(r.o) - 1), relevance: rows.map((r) => Number(r.relevance)), among };
  }

  /** Deletes the matching records and returns their ids. */
  async deleteReturningIds(
    db: Queryable,
    collection: Collection,
    namespace: string,
    filter: FilterNode,
  ): Promise<string[]> {
    const params = new SqlParams([namespace]);
    const where = compileFilter(filter, params);
    const { rows } = await db.query(
      `WITH deleted AS (DELETE FROM ${qualified(collection.tableName)} WHERE namespace = $1 AND ${where} RETURNING id),
       ${countDeleted(params, collection.id)}
       SELECT id FROM deleted`,
      params.values,
    );
    return rows.map((r) => r.id);
  }

  /** Deletes the matching records (the first `limit` of them in insertion order, when given). */
  async delete(
    db: Queryable,
    collection: Collection,
    namespace: string,
    filter: FilterNode,
    limit: number | null,
  ): Promise<number> {
    const params = new SqlParams([namespace]);
    const where = compileFilter(filter, params);
    const table = qualified(collection.tableName);
    const remove =
      limit === null
        ? `DELETE FROM ${table} WHERE namespace = $1 AND ${where} RETURNING 1`
        : `DELETE FROM ${table} WHERE (namespace, id) IN (
             SELECT namespace, id FROM ${table} WHERE namespace = $1 AND ${where} ORDER BY seq LIMIT ${params.add(limit)}) RETURNING 1`;
    const { rows } = await db.query(
      `WITH deleted AS (${remove}), ${countDeleted(params, collection.id)} SELECT count(*)::int AS n FROM deleted`,
      params.values,
    );
    return rows[0].n;
  }

  /** Ids in byte (C) order after `after`, starting with `prefix`: keyset pages for Pinecone's list. */
  async listIds(
    db: Queryable,
    collection: Collection,
    namespace: string,
    prefix: string,
    after: string | null,
    limit: number,
  ): Promise<string[]> {
    const { rows } = await db.query(
      `SELECT id FROM ${qualified(collection.tableName)}
       WHERE namespace = $1 AND starts_with(id, $2) AND ($3::text IS NULL OR id COLLATE "C" > $3::text COLLATE "C")
       ORDER BY id COLLATE "C" LIMIT $4`,
      [namespace, prefix, after, limit],
    );
    return rows.map((r) => r.id);
  }

  /** Merges `patch` into the metadata of every matching record; returns how many it changed. */
  async patchMetadata(
    db: Queryable,
    collection: Collection,
    namespace: string,
    filter: FilterNode,
    patch: Record<string, unknown>,
  ): Promise<number> {
    const params = new SqlParams([namespace, JSON.stringify(patch)]);
    const where = compileFilter(filter, params);
    const { rowCount } = await db.query(
      `UPDATE ${qualified(collection.tableName)} SET metadata = nullif(jsonb_strip_nulls(coalesce(metadata, '{}'::jsonb) || $2::jsonb), '{}'::jsonb)
       WHERE namespace = $1 AND ${where}`,
      params.values,
    );
    return rowCount ?? 0;
  }

  /** Removes the dense and/or sparse vector, and named ones, of what the filter matches; returns how many records it changed. */
  async clearVectors(
    db: Queryable,
    collection: Collection,
    namespace: string,
    filter: FilterNode,
    which: { dense: boolean; sparse: boolean; named?: string[] },
  ): Promise<number> {
    const params = new SqlParams([namespace]);
    const named = collection.vectors.filter((f) => which.named?.includes(f.name));
    const sets = [
      ...(which.dense ? ['embedding = NULL'] : []),
      ...(which.sparse ? ['sparse_embedding = NULL'] : []),
      ...named.map((f) => `${vectorColumn(f.position)} = NULL`),
    ];
    if (sets.length === 0) return 0;
    const where = compileFilter(filter, params);
    const { rowCount } = await db.query(
      `UPDATE ${qualified(collection.tableName)} SET ${sets.join(', ')} WHERE namespace = $1 AND ${where}`,
      params.values,
    );
    return rowCount ?? 0;
  }

  /** One statement over what the filter matches; returns how many records it changed. */
  async editMetadata(
    db: Queryable,
    collection: Collection,
    namespace: string,
    filter: FilterNode,
    edit: MetadataEdit,
  ): Promise<number> {
    const params = new SqlParams([namespace]);
    const current = `coalesce(metadata, '{}'::jsonb)`;
    let value: string;
    switch (edit.kind) {
      case 'merge': {
        const patch = params.add(JSON.stringify(edit.patch), 'jsonb');
        if (!edit.at || edit.at.length === 0) {
          value = `${current} || ${patch}`;
          break;
        }
        // The object at the path gets the keys (made where missing; a value that is no object is replaced).
        const path = params.add(edit.at, 'text[]');
        const inner = `CASE WHEN jsonb_typeof(${current} #> ${path}) = 'object' THEN ${current} #> ${path} ELSE '{}'::jsonb END`;
        value = `jsonb_set(${current}, ${path}, ${inner} || ${patch}, true)`;
        break;
      }
      case 'replace':
        value = params.add(JSON.stringify(edit.metadata), 'jsonb');
        break;
      case 'unset':
        value = edit.paths.reduce((v, p) => `(${v} #- ${params.add(p, 'text[]')})`, current);
        break;
      case 'clear':
        value = `NULL::jsonb`;
        break;
    }
    const where = compileFilter(filter, params);
    const { rowCount } = await db.query(
      `UPDATE ${qualified(collection.tableName)} SET metadata = nullif(${value}, '{}'::jsonb)
       WHERE namespace = $1 AND ${where}`,
      params.values,
    );
    return rowCount ?? 0;
  }

  async largestMergedMetadata(
    db: Queryable,
    collection: Collection,
    namespace: string,
    filter: FilterNode,
    patch: Record<string, unknown>,
  ): Promise<number> {
    const params = new SqlParams([namespace, JSON.stringify(patch)]);
    const where = compileFilter(filter, params);
    const { rows } = await db.query(
      `SELECT coalesce(max(octet_length((coalesce(metadata, '{}'::jsonb) || $2::jsonb)::text)), 0)::int AS n
       FROM ${qualified(collection.tableName)} WHERE namespace = $1 AND ${where}`,
      params.values,
    );
    return rows[0].n;
  }

  async countMatching(db: Queryable, collection: Collection, namespace: string, filter: FilterNode): Promise<number> {
    const params = new SqlParams([namespace]);
    const where = compileFilter(filter, params);
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM ${qualified(collection.tableName)} WHERE namespace = $1 AND ${where}`,
      params.values,
    );
    return rows[0].n;
  }

  /** Record counts (of those matching the filter) of every namespace that holds records. */
  async countByNamespace(
    db: Queryable,
    collection: Collection,
    filter: FilterNode = ALL,
  ): Promise<Map<string, number>> {
    if (filter.kind === 'all') {
      // Without a filter, from the counts the writes keep: a lookup however big the collection.
      const { rows } = await db.query(
        `SELECT namespace, sum(n)::int AS n FROM vecgate_record_counts WHERE collection_id = $1 GROUP BY namespace HAVING sum(n) > 0`,
        [collection.id],
      );
      return new Map(rows.map((r) => [r.namespace, r.n]));
    }
    const params = new SqlParams();
    const where = compileFilter(filter, params);
    const { rows } = await db.query(
      `SELECT namespace, count(*)::int AS n FROM ${qualified(collection.tableName)} WHERE ${where} GROUP BY namespace`,
      params.values,
    );
    return new Map(rows.map((r) => [r.namespace, r.n]));
  }

  /**
   * The n records with the highest inner product with a sparse query vector, plus a dense one for
   * hybrid search (a dot-product index scores dense·q + sparse·s). An exact scan: HNSW does not
   * serve sums of two distances.
   */
  async nearestSparse(
    db: Queryable,
    collection: Collection,
    { namespace, dense, sparse, n, filter, include, position }: SparseQuery,
  ): Promise<Neighbour[]> {
    const params = new SqlParams([namespace]);
    const column = position === undefined ? 'sparse_embedding' : vectorColumn(position);
    const sparseScore = `coalesce(${column} <#> ${params.add(sparse, 'sparsevec')}, 0)`;
    const distance = dense
      ? `${sparseScore} + coalesce(embedding <#> ${params.add(dense.toBinary(), 'vector')}, 0)`
      : sparseScore;
    const where = compileFilter(filter, params);
    const { rows } = await db.query<Neighbour>(
      withinBudget(
        `SELECT ${columns(include, collection)}, ${distance} AS distance, ${sizeOf(include, collection)} AS vg_size FROM ${qualified(collection.tableName)}
         WHERE namespace = $1 AND ${where} ORDER BY ${distance} LIMIT ${params.add(n)}`,
        params.add(this.answerBytes),
      ),
      params.values,
    );
    return withNamedVectors(collection, include, rowsWithinBudget(rows, this.answerBytes));
  }

  /**
   * For inverse document frequencies: how many records of the namespace hold the sparse vector (the
   * default one, or the named one at `position`), and how many of them have a value at each of
   * `indices` (0-based), in one read of the table; with `corpus`, of the records that filter keeps.
   */
  async documentFrequencies(
    db: Queryable,
    collection: Collection,
    {
      namespace,
      indices,
      position,
      corpus,
    }: { namespace: string; indices: number[]; position?: number; corpus?: FilterNode },
  ): Promise<{ n: number; df: number[] }> {
    const column = position === undefined ? 'sparse_embedding' : vectorColumn(position);
    const params = new SqlParams([namespace]);
    // A record has a value at i when its inner product with the vector of a 1 at i is not 0.
    const counts = indices.map(
      (i) =>
        `count(*) FILTER (WHERE (${column} <#> ${params.add(sparsevecText([i], [1]).text, 'sparsevec')}) <> 0)::float8`,
    );
    const within = corpus === undefined ? '' : ` AND ${compileFilter(corpus, params)}`;
    const { rows } = await db.query<{ n: number; df: number[] | null }>(
      `SELECT count(*)::float8 AS n, ARRAY[${counts.join(', ') || 'NULL::float8'}]::float8[] AS df
       FROM ${qualified(collection.tableName)} WHERE namespace = $1 AND ${column} IS NOT NULL${within}`,
      params.values,
    );
    return { n: rows[0].n, df: indices.length === 0 ? [] : (rows[0].df ?? []).map(Number) };
  }

  /** The bytes of the namespace's metadata as JSON text: a read of every record. */
  async metadataBytes(db: Queryable, collection: Collection, namespace: string): Promise<number> {
    const { rows } = await db.query(
      `SELECT coalesce(sum(octet_length(metadata::text)), 0)::float8 AS n FROM ${qualified(collection.tableName)} WHERE namespace = $1`,
      [namespace],
    );
    return Number(rows[0].n);
  }

  /** From the counts every write keeps (vecgate_record_counts): a lookup, however big the table. */
  async count(db: Queryable, collection: Collection, namespace: string): Promise<number> {
    const { rows } = await db.query(
      `SELECT coalesce(sum(n), 0)::int AS n FROM vecgate_record_counts WHERE collection_id = $1 AND namespace = $2`,
      [collection.id, namespace],
    );
    return rows[0].n;
  }
}
