import { Injectable } from '@nestjs/common';
import { Queryable } from '../../database/database';
import type { Collection, SearchTuning, VectorField } from './collection.model';
import { hasValidHnswIndexSql, hasValidVectorIndexSql, qualified } from './record-table.repository';
import { checkedColumn, tokenTableName, vectorColumn, vectorPlan } from './vector-index';
import { compileFilter } from '../filters/compile-filter';
import { ALL, type FilterNode } from '../filters/filter-ast';
import { SqlParams } from '../filters/sql-params';

/** A collection the tuner should measure, the vector (0: the default one, else a named one's position), and the records it holds now. */
export interface TuningCandidate {
  id: string;
  position: number;
  records: number;
}

/**
 * A sampled record: its id, its vector and that of its nearest other record in the collection (by
 * the index), as pgvector's text; no neighbour in a collection of one.
 */
export interface SampledRecord {
  id: string;
  vector: string;
  neighbour?: string | null;
}

/** The records a measurement's answers are compared on: recall@10, as the benchmarks measure it. */
export const RECALL_AT = 10;
/** The measured size a collection may grow or shrink to before it is measured again. */
export const REMEASURE_ABOVE = 1.25;
export const REMEASURE_BELOW = 0.8;

/** The filtered measurement's filter keeps one record in this many. */
export const FILTER_KEEPS_ONE_IN = 10;

/** The statements of the search tuner (src/core/indexing/search-tuner.ts). */
@Injectable()
export class SearchTuningRepository {
  /**
   * Collections with a valid HNSW index whose ef_search the client did not pin: with at least
   * `minRows` records and never measured, or measured for another target, or grown or shrunk by a
   * quarter since (even below `minRows`: until measured again, searches read them exactly or at the
   * widest walk), or rebuilt since (IndexGrower). Records are counted from the namespace counts (a lookup, not a count(*)). Each
   * named dense vector's index is a candidate of its own, as the default vector's, a multivector's
   * token index too (its candidate depth is measured against exact MaxSim).
   */
  async due(db: Queryable, minRows: number, target: number, limit: number): Promise<TuningCandidate[]> {
    const { rows } = await db.query<{ id: string; position: number; records: string }>(
      `SELECT id, position, records::text AS records FROM (
         SELECT c.id, v.position, s.records AS measured, s.target, s.stale,
                CASE WHEN v.position = 0 THEN ${hasValidHnswIndexSql('c.table_name')}
                     ELSE ${hasValidVectorIndexSql('c.table_name', 'v.position')} END AS indexed,
                (SELECT coalesce(sum(n), 0) FROM vecgate_record_counts rc WHERE rc.collection_id = c.id) AS records
         FROM vecgate_collections c
         CROSS JOIN LATERAL (
           SELECT 0 AS position WHERE c.dimension IS NOT NULL
             AND coalesce((c.configuration->'index'->>'efSearchPinned')::boolean, false) = false
           UNION ALL
           SELECT n.position FROM vecgate_collection_vectors n WHERE n.collection_id = c.id AND n.kind = 'dense'
             AND coalesce((n.index->>'efSearchPinned')::boolean, false) = false
         ) v
         LEFT JOIN vecgate_search_tuning s ON s.collection_id = c.id AND s.position = v.position
         OFFSET 0
       ) t
       WHERE (records >= $1 OR measured IS NOT NULL)
         AND (measured IS NULL OR stale OR target <> $2::real OR records > measured * $4::float8 OR records < measured * $5::float8)
         AND indexed
       ORDER BY measured IS NULL DESC, records DESC, position LIMIT $3`,
      [minRows, target, limit, REMEASURE_ABOVE, REMEASURE_BELOW],
    );
    return rows.map((r) => ({ id: r.id, position: r.position, records: Number(r.records) }));
  }

  /**
   * About `n` records picked at random across the table (a page sample: cheap at any size), each
   * with its nearest other record found by an HNSW walk (one per sampled record).
   */
  async sample(db: Queryable, collection: Collection, records: number, n: number): Promise<SampledRecord[]> {
    const percent = Math.min(100, (100 * 3 * n) / Math.max(1, records));
    // The default vector's column, or the named one's the collection is seen through.
    const column = checkedColumn(collection.searchColumn ?? 'embedding');
    const plan = vectorPlan(collection.metric, collection.dimension!, column);
    const table = qualified(collection.tableName);
    const { rows } = await db.query<SampledRecord>(
      `SELECT s.id, s.v::text AS vector, n.v::text AS neighbour
       FROM (SELECT id, ${column} AS v FROM ${table} TABLESAMPLE BERNOULLI ($1)
             WHERE ${column} IS NOT NULL ORDER BY random() LIMIT $2) s
       LEFT JOIN LATERAL (
         SELECT o.${column} AS v FROM ${table} o WHERE o.id <> s.id AND o.${column} IS NOT NULL
         ORDER BY ${plan.column} ${plan.operator} s.v::vector::${plan.queryType} LIMIT 1
       ) n ON true`,
      [percent, n],
    );
    return rows;
  }

  /**
   * About `n` records holding the multivector `field`, picked at random across the table (a page
   * sample), each as its list of token vectors in order (pgvector's text of each token).
   */
  async sampleMultivectors(
    db: Queryable,
    collection: Collection,
    field: VectorField,
    records: number,
    n: number,
    namespace: string,
  ): Promise<string[][]> {
    const percent = Math.min(100, (100 * 3 * n) / Math.max(1, records));
    const column = vectorColumn(field.position);
    const held = `vecgate_records."${tokenTableName(collection.tableName, field.position)}"`;
    const { rows } = await db.query<{ tokens: string[] }>(
      `SELECT (SELECT array_agg(t.embedding::text ORDER BY t.ord) FROM ${held} t WHERE t.seq = s.seq) AS tokens
       FROM (SELECT seq FROM ${qualified(collection.tableName)} TABLESAMPLE BERNOULLI ($1)
             WHERE namespace = $3 AND ${column} IS NOT NULL ORDER BY random() LIMIT $2) s`,
      [percent, n, namespace],
    );
    return rows.map((r) => r.tokens).filter((t) => t && t.length > 0);
  }

  /** The planner's estimate of a multivector's token rows (pg_class.reltuples): a lookup, for the cost of an exact MaxSim. */
  async tokenRows(db: Queryable, collection: Collection, field: VectorField): Promise<number> {
    const { rows } = await db.query<{ n: number }>(
      `SELECT greatest(reltuples, 0)::float8 AS n FROM pg_class WHERE oid = to_regclass($1)`,
      [`vecgate_records."${tokenTableName(collection.tableName, field.position)}"`],
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * The ids of the RECALL_AT records nearest to `vector` over the whole table: by the HNSW index
   * at this ef_search (as searches run: relaxed iterative scan), or exactly (efSearch null: ordered
   * by an expression the index is not built on). `filtered`: under a filter keeping one record in
   * ten, by insertion order (as independent of the vectors as a category). Runs in the caller's
   * transaction, which the settings last for.
   */
  async nearestIds(
    tx: Queryable,
    collection: Collection,
    vector: string,
    efSearch: number | null,
    filtered = false,
  ): Promise<string[]> {
    // A walk is kept on the index. Unfiltered searches walk on connections that price a sort out
    // (PLAN_ONCE), where the planner would read the table from ef_search ~400: measured here as a
    // scan, a walk would claim the scan's recall. And this filter's estimate (0.5%, the default
    // for an expression) could tempt the planner to a scan where a metadata filter keeping a
    // tenth walks.
    const where = filtered ? `seq % ${FILTER_KEEPS_ONE_IN} = 0` : 'true';
    return this.nearestWhere(tx, collection, efSearch, new SqlParams([vector]), where, true);
  }

  /**
   * As nearestIds, under a sampled search's own namespace and filter, the way searches run: the
   * planner chooses between the index and the filter's own (a narrow filter reads the rows).
   */
  async nearestIdsWhere(
    tx: Queryable,
    collection: Collection,
    vector: string,
    efSearch: number | null,
    namespace: string,
    filter: FilterNode | null,
  ): Promise<string[]> {
    const params = new SqlParams([vector, namespace]);
    const where = `namespace = $2 AND ${compileFilter(filter ?? ALL, params)}`;
    return this.nearestWhere(tx, collection, efSearch, params, where, false);
  }

  /** The measurement's search: `$1` of `params` is the vector; `where` is over the record table. */
  private async nearestWhere(
    tx: Queryable,
    collection: Collection,
    efSearch: number | null,
    params: SqlParams,
    where: string,
    keepOnIndex: boolean,
  ): Promise<string[]> {
    const plan = vectorPlan(collection.metric, collection.dimension!, collection.searchColumn);
    const distance = `${plan.column} ${plan.operator} $1::vector::${plan.queryType}`;
    // Records without the vector are no neighbours (the index holds no NULL): the exact answer key leaves them out too.
    const held = `${checkedColumn(collection.searchColumn ?? 'embedding')} IS NOT NULL`;
    // Without parallel workers, as searches run (RecordsRepository.searchSettings): a trial timed
    // with them would price exact search by the cores it borrowed. Embedded, PGlite has none.
    const walk =
      efSearch === null
        ? ''
        : `, set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'relaxed_order', true)`;
    const scan =
      keepOnIndex && efSearch !== null
        ? `, set_config('enable_seqscan', 'off', true), set_config('enable_sort', 'off', true)`
        : '';
    await tx.query(
      `SELECT set_config('max_parallel_workers_per_gather', '0', true)${walk}${scan}`,
      efSearch === null ? [] : [String(efSearch)],
    );
    const { rows } = await tx.query<{ id: string }>(
      `SELECT id FROM ${qualified(collection.tableName)} WHERE ${held} AND ${where}
       ORDER BY ${efSearch === null ? `(${distance}) + 0` : distance} LIMIT ${RECALL_AT}`,
      params.values,
    );
    return rows.map((r) => r.id);
  }

  /**
   * Saves the measurement of the collection's default vector (position 0) or of a named one. An
   * `interim` one (its unfiltered part, saved before the filtered part is measured) is saved
   * stale: should the tuner stop before it finishes, the next one measures again. The whole one
   * saved over it keeps its time: the searches sampled since the unfiltered part was saved are
   * traffic that measurement has not seen.
   */
  async save(
    db: Queryable,
    collectionId: string,
    tuning: Omit<SearchTuning, 'measuredAt'>,
    position = 0,
    { interim = false }: { interim?: boolean } = {},
  ): Promise<void> {
    const f = tuning.filtered;
    const pending = f?.pending === true;
    // The collection may have been deleted meanwhile: then there is nothing to save.
    await db.query(
      `INSERT INTO vecgate_search_tuning (collection_id, records, target, recall, ef_search, exact, ms_per_search,
         filtered_ef_search, filtered_recall, filtered_walk_ms, filtered_exact_ms, source, filtered_source, position,
         walk_met, walk_recall, stale)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17
       WHERE EXISTS (SELECT 1 FROM vecgate_collections WHERE id = $1)
       ON CONFLICT (collection_id, position) DO UPDATE SET records = excluded.records, target = excluded.target,
         recall = excluded.recall, ef_search = excluded.ef_search, exact = excluded.exact,
         ms_per_search = excluded.ms_per_search, filtered_ef_search = excluded.filtered_ef_search,
         filtered_recall = excluded.filtered_recall, filtered_walk_ms = excluded.filtered_walk_ms,
         filtered_exact_ms = excluded.filtered_exact_ms, source = excluded.source,
         filtered_source = excluded.filtered_source, walk_met = excluded.walk_met,
         walk_recall = excluded.walk_recall, stale = excluded.stale,
         measured_at = CASE WHEN NOT excluded.stale AND vecgate_search_tuning.stale
                            THEN vecgate_search_tuning.measured_at ELSE now() END`,
      [
        collectionId,
        tuning.records,
        tuning.target,
        tuning.recall,
        tuning.efSearch,
        tuning.exact,
        tuning.msPerSearch,
        f?.efSearch ?? null,
        pending ? null : (f?.recall ?? null),
        pending ? null : (f?.walkMs ?? null),
        pending ? null : (f?.exactMs ?? null),
        tuning.source,
        f?.source ?? null,
        position,
        tuning.walkMet ?? null,
        tuning.walkRecall ?? null,
        interim,
      ],
    );
  }

  /**
   * The measurements whose searches miss the recall target (the widest walk fell short and reading
   * every record costs more), furthest below it first, at most `limit`.
   */
  async belowTarget(
    db: Queryable,
    limit: number,
  ): Promise<{ collectionId: string; position: number; target: number; recall: number }[]> {
    const { rows } = await db.query<{ collectionId: string; position: number; target: number; recall: number }>(
      `SELECT collection_id AS "collectionId", position, target::float8 AS target, recall::float8 AS recall
       FROM vecgate_search_tuning WHERE NOT exact AND recall < target
       ORDER BY target - recall DESC, collection_id, position LIMIT $1`,
      [limit],
    );
    return rows;
  }

  /**
   * Marks a measurement as of an index since rebuilt (IndexGrower): the tuner measures again, and
   * searches run as it chose until then.
   */
  async markStale(db: Queryable, collectionId: string, position = 0): Promise<void> {
    await db.query('UPDATE vecgate_search_tuning SET stale = true WHERE collection_id = $1 AND position = $2', [
      collectionId,
      position,
    ]);
  }

  /** Forgets a measurement of the default vector, or of a named one (the index was rebuilt with other settings). */
  async forget(db: Queryable, collectionId: string, position = 0): Promise<void> {
    await db.query('DELETE FROM vecgate_search_tuning WHERE collection_id = $1 AND position = $2', [
      collectionId,
      position,
    ]);
  }
}
