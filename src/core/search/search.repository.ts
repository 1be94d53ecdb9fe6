import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Collection, Metric } from '../collections/collection.model';
import { qualified } from '../collections/record-table.repository';
import { vectorPlan } from '../collections/vector-index';
import type { Queryable } from '../../database/database';
import { compileFilter } from '../filters/compile-filter';
import { SqlParams } from '../filters/sql-params';
import {
  ANSWER_BYTES,
  DEFAULT_ANSWER_BYTES,
  rowSizeSql,
  rowsWithinBudget,
  withinBudget,
} from '../records/answer-budget';
import { rankSql } from './rank-sql';
import { GroupOrderKey, HybridSearch, knnLeaves, ScoredRecord } from './search.model';

/**
 * A distance where lower is better, from pgvector's operator value: squared L2 (as Chroma and
 * Pinecone report euclidean), 1 − cos, and 1 − dot for inner product (`<#>` is −dot).
 */
function metricDistance(metric: Metric, raw: string): string {
  if (metric === 'l2') return `(${raw}) * (${raw})`;
  if (metric === 'ip') return `1 + (${raw})`;
  return raw;
}

/** How each dense knn list is read (the HNSW index, or every matching record exactly), and the bytes the answer may still take. */
export interface SearchPlan {
  exact: boolean;
  budget: number;
}

/** A search's records and the bytes they take in the answer. */
export interface SearchRows {
  rows: ScoredRecord[];
  bytes: number;
}

/** All SQL of the Search API: one statement per search, however many knn lists its rank holds. */
@Injectable()
export class SearchRepository {
  /** The whole answer's budget (VECGATE_MAX_ANSWER_MB), shared by the searches of a request. */
  readonly answerBytes: number;

  constructor(@Optional() @Inject(ANSWER_BYTES) answerBytes?: number) {
    this.answerBytes = answerBytes ?? DEFAULT_ANSWER_BYTES;
  }

  /**
   * Each knn leaf is a CTE: the `limit` best matching records and their measure and rank. The
   * candidates are every record of any list; each gets the rank expression's value over its lists,
   * and those it leaves NULL drop out. Then group_by keeps the k best per group, and the page is
   * cut from what remains, ordered by score, ties by insertion order. Without a rank, the
   * matching records in insertion order.
   */
  async search(
    db: Queryable,
    collection: Collection,
    namespace: string,
    search: HybridSearch,
    plan: SearchPlan,
  ): Promise<SearchRows> {
    const table = qualified(collection.tableName);
    const params = new SqlParams([namespace]);
    const where = compileFilter(search.filter, params);
    const { columns: want } = search;
    const include = { ...want, uris: false };
    const columns = ['t.id'];
    if (want.documents) columns.push('t.document');
    if (want.embeddings) columns.push('t.embedding::text AS embedding');
    if (want.metadatas) columns.push('t.metadata');
    if (want.sparse) columns.push('t.sparse_embedding::text AS sparse');
    const size = rowSizeSql(include, collection.dimension, 't.');
    if (search.rank === null) {
      const sql = `SELECT ${columns.join(', ')}, NULL::float8 AS score, ${size} AS vg_size FROM ${table} AS t
        WHERE t.namespace = $1 AND ${where} ORDER BY t.seq LIMIT ${params.add(search.limit)} OFFSET ${params.add(search.offset)}`;
      return this.run(db, sql, params, plan.budget);
    }
    const leaves = knnLeaves(search.rank);
    const lists = leaves.map((knn, i) => {
      let raw: string;
      let measure: string;
      let extra: string;
      if ('dense' in knn.query) {
        if (collection.dimension === null)
          return `k${i} AS (SELECT NULL::text AS id, NULL::bigint AS seq, NULL::float8 AS m, NULL::float8 AS r WHERE false)`;
        const p = vectorPlan(collection.metric, collection.dimension);
        raw = `${p.column} ${p.operator} ${params.add(knn.query.dense.toBinary(), 'vector')}::${p.queryType}`;
        measure = metricDistance(collection.metric, 'd');
        // A record without the dense vector is no neighbour (the index holds no NULL; an exact read skips it too).
        extra = ' AND embedding IS NOT NULL';
      } else {
        // Only records that share a term with the query: Chroma's sparse index finds no others.
        raw = `sparse_embedding <#> ${params.add(knn.query.sparse.text, 'sparsevec')}`;
        measure = '1 + d';
        extra = ' AND sparse_embedding IS NOT NULL';
      }
      // Exact: ordered by an expression no index is built on (see RecordsRepository.nearest).
      const order = plan.exact || !('dense' in knn.query) ? `(${raw}) + 0` : raw;
      return `k${i} AS MATERIALIZED (
        SELECT id, seq, ${measure} AS m, (row_number() OVER (ORDER BY d, seq) - 1)::float8 AS r FROM (
          SELECT id, seq, (${raw})::float8 AS d FROM ${table}
          WHERE namespace = $1 AND ${where}${extra} ORDER BY ${order} LIMIT ${params.add(knn.limit)}) AS s
        ${'sparse' in knn.query ? 'WHERE d <> 0' : ''})`;
    });
    const score = rankSql(search.rank, params, (i) => `k${i}.${leaves[i].returnRank ? 'r' : 'm'}`);
    const candidates = lists.map((_, i) => `SELECT id, seq FROM k${i}`).join(' UNION ');
    const joins = lists.map((_, i) => `LEFT JOIN k${i} ON k${i}.id = c.id`).join(' ');
    let ranked = `SELECT c.id, c.seq, (${score})::float8 AS score FROM (${candidates}) AS c ${joins}`;
    if (search.groupBy) {
      const g = search.groupBy;
      const partition = g.keys.map((k) => `t.metadata -> ${params.add(k)}`).join(', ');
      const direction = g.aggregate === 'min' ? 'ASC NULLS FIRST' : 'DESC NULLS LAST';
      const orderKey = (key: GroupOrderKey) =>
        'score' in key ? `s.score ${direction}` : `t.metadata -> ${params.add(key.metadata)} ${direction}`;
      ranked = `SELECT id, seq, score FROM (
          SELECT s.*, row_number() OVER (PARTITION BY ${partition} ORDER BY ${g.orderBy.map(orderKey).join(', ')}, s.score, s.seq) AS g
          FROM (${ranked}) AS s JOIN ${table} AS t ON t.namespace = $1 AND t.id = s.id WHERE s.score IS NOT NULL) AS grouped
        WHERE g <= ${params.add(g.k)}`;
    }
    const sql = `WITH ${lists.join(',\n')}
      SELECT ${columns.join(', ')}, s.score, ${size} AS vg_size
      FROM (${ranked}) AS s JOIN ${table} AS t ON t.namespace = $1 AND t.id = s.id
      WHERE s.score IS NOT NULL ORDER BY s.score, s.seq LIMIT ${params.add(search.limit)} OFFSET ${params.add(search.offset)}`;
    return this.run(db, sql, params, plan.budget);
  }

  private async run(db: Queryable, sql: string, params: SqlParams, budget: number): Promise<SearchRows> {
    const { rows } = await db.query<ScoredRecord & { vg_total?: string }>(
      withinBudget(sql, params.add(budget)),
      params.values,
    );
    const bytes = rows.length ? Number(rows[0].vg_total) : 0;
    return { rows: rowsWithinBudget(rows, budget, this.answerBytes), bytes };
  }
}
