import { AnswerTooLargeError } from '../errors';
import type { Include } from './record.model';
import type { VectorField } from '../collections/collection.model';
import { vectorColumn } from '../collections/vector-index';

/**
 * What one answer may hold. A Chroma query of 100 embeddings × 1,000 results × 20 KB documents
 * made a 2 GB answer: a 500 (`Invalid string length`) alone, and out of memory three at once.
 */
export const MAX_RESULT_ROWS = 100_000;

/** The largest answer in bytes (VECGATE_MAX_ANSWER_MB), as the app configures it. */
export const ANSWER_BYTES = Symbol('ANSWER_BYTES');
export const DEFAULT_ANSWER_BYTES = 128 * 1024 * 1024;
/** What a row costs beyond its documents, metadata and vectors (its id, distance, JSON and object overhead). */
const ROW_OVERHEAD_BYTES = 100;

/** Refuses, before anything runs, a search for more results than an answer may hold. */
export function checkResultRows(queries: number, n: number): void {
  if (queries * n > MAX_RESULT_ROWS)
    throw new AnswerTooLargeError(
      `The request asks for ${queries * n} results (${queries} × ${n}); at most ${MAX_RESULT_ROWS} are answered at once: ask for fewer, or page`,
    );
}

/** The SQL expression of one row's size in an answer: the columns `include` sends, read from the record table. */
export function rowSizeSql(
  include: Include,
  dimension: number | null,
  prefix = '',
  fields: readonly VectorField[] = [],
): string {
  const parts = [`${ROW_OVERHEAD_BYTES}`, `octet_length(${prefix}id)`];
  if (include.documents) parts.push(`coalesce(octet_length(${prefix}document), 0)`);
  if (include.metadatas) parts.push(`coalesce(pg_column_size(${prefix}metadata), 0)`);
  if (include.uris) parts.push(`coalesce(octet_length(${prefix}uri), 0)`);
  // As decimal text, about a dozen characters a value.
  if (include.embeddings && dimension) parts.push(`${dimension * 12}`);
  if (include.sparse) parts.push(`coalesce(pg_column_size(${prefix}sparse_embedding), 0) * 3`);
  if (include.vectors)
    for (const f of fields)
      parts.push(
        f.kind === 'dense' && !f.multivector
          ? `${f.dimension! * 12}`
          : `coalesce(pg_column_size(${prefix}${vectorColumn(f.position)}), 0) * 3`,
      );
  return parts.join(' + ');
}

/**
 * Wraps a row-returning statement whose rows carry `vg_size`: Postgres sums the sizes of the
 * whole answer and sends its rows only when they fit `budget` (a parameter placeholder); past it,
 * the first row alone, whose total tells the caller to refuse. Nothing past the budget reaches
 * this process. (A WindowAgg with an empty window keeps its input's order.)
 */
export function withinBudget(sql: string, budget: string): string {
  return `SELECT * FROM (
    SELECT b.*, sum(b.vg_size) OVER () AS vg_total, row_number() OVER () AS vg_row FROM (${sql}) AS b
  ) AS w WHERE w.vg_total <= ${budget} OR w.vg_row = 1`;
}

/** The rows of a withinBudget statement without its bookkeeping, or AnswerTooLargeError past `budget` bytes. */
export function rowsWithinBudget<R>(
  rows: (R & { vg_size?: unknown; vg_total?: unknown; vg_row?: unknown })[],
  budget: number,
  /** The whole answer's budget, when `budget` is what an earlier part of the answer left of it. */
  wholeBudget = budget,
): R[] {
  if (rows.length === 0) return [];
  const total = Number(rows[0].vg_total);
  if (total > budget)
    throw new AnswerTooLargeError(
      `The answer would hold about ${((total + wholeBudget - budget) / 1024 / 1024).toFixed(1)} MB; at most ${(wholeBudget / 1024 / 1024).toFixed(1)} MB are sent at once (VECGATE_MAX_ANSWER_MB): ask for fewer results, leave out documents or embeddings, or page`,
    );
  return rows.map((row) => {
    const { vg_size: _size, vg_total: _total, vg_row: _row, ...rest } = row;
    return rest as R;
  });
}
