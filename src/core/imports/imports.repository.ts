import { Injectable } from '@nestjs/common';
import type { Queryable } from '../../database/database';
import {
  ImportMovedOnError,
  type ImportCursor,
  type ImportErrorMode,
  type ImportJob,
  type ImportPage,
  type ImportPart,
  type ImportStatus,
} from './import.model';

interface ImportRow {
  id: string;
  collection_id: string;
  tenant: string;
  database: string;
  uri: string;
  status: ImportStatus;
  error_mode: ImportErrorMode;
  parts: ImportPart[];
  rows_total: string | number;
  rows_done: string | number;
  cursor_part: number;
  cursor_row: string | number;
  records_imported: string | number;
  records_skipped: string | number;
  percent_complete: number;
  error: string | null;
  created_at: Date;
  finished_at: Date | null;
}

function toJob(row: ImportRow): ImportJob {
  return {
    id: String(row.id),
    collectionId: row.collection_id,
    scope: { tenant: row.tenant, database: row.database },
    uri: row.uri,
    status: row.status,
    errorMode: row.error_mode,
    parts: row.parts,
    rowsTotal: Number(row.rows_total),
    rowsDone: Number(row.rows_done),
    cursor: { part: row.cursor_part, row: Number(row.cursor_row) },
    recordsImported: Number(row.records_imported),
    recordsSkipped: Number(row.records_skipped),
    percentComplete: row.percent_complete,
    error: row.error,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}

/** A job with its collection's tenant and database. */
const SELECT = `SELECT i.*, d.tenant, d.name AS database
  FROM vecgate_imports i
  JOIN vecgate_collections c ON c.id = i.collection_id
  JOIN vecgate_databases d ON d.id = c.database_id`;

const UNFINISHED = `('Pending', 'InProgress')`;

/** The catalog of bulk imports and their progress. */
@Injectable()
export class ImportsRepository {
  async insert(
    db: Queryable,
    job: { collectionId: string; uri: string; errorMode: ImportErrorMode; parts: ImportPart[] },
  ): Promise<string> {
    const rows = job.parts.reduce((sum, p) => sum + p.rows, 0);
    const { rows: inserted } = await db.query<{ id: string }>(
      `INSERT INTO vecgate_imports (collection_id, uri, status, error_mode, parts, rows_total)
       VALUES ($1, $2, 'Pending', $3, $4, $5) RETURNING id::text`,
      [job.collectionId, job.uri, job.errorMode, JSON.stringify(job.parts), rows],
    );
    return inserted[0].id;
  }

  async find(db: Queryable, collectionId: string, id: string): Promise<ImportJob | undefined> {
    const { rows } = await db.query<ImportRow>(`${SELECT} WHERE i.collection_id = $1 AND i.id = $2::bigint`, [
      collectionId,
      id,
    ]);
    return rows[0] && toJob(rows[0]);
  }

  async findById(db: Queryable, id: string): Promise<ImportJob | undefined> {
    const { rows } = await db.query<ImportRow>(`${SELECT} WHERE i.id = $1::bigint`, [id]);
    return rows[0] && toJob(rows[0]);
  }

  /** A collection's imports by id, one row more than asked telling whether a next page follows. */
  async list(db: Queryable, collectionId: string, after: string | null, limit: number): Promise<ImportPage> {
    const { rows } = await db.query<ImportRow>(
      `${SELECT} WHERE i.collection_id = $1 AND ($2::bigint IS NULL OR i.id > $2::bigint) ORDER BY i.id LIMIT $3`,
      [collectionId, after, limit + 1],
    );
    const items = rows.slice(0, limit).map(toJob);
    return { items, after: rows.length > limit ? items[items.length - 1].id : null };
  }

  /** Imports not finished, oldest first, from the one after `after` on: what a runner looks for. */
  async unfinished(db: Queryable, limit: number, after: string | null): Promise<ImportJob[]> {
    const { rows } = await db.query<ImportRow>(
      `${SELECT} WHERE i.status IN ${UNFINISHED} AND ($2::bigint IS NULL OR i.id > $2::bigint) ORDER BY i.id LIMIT $1`,
      [limit, after],
    );
    return rows.map(toJob);
  }

  /** Pending to InProgress, once a runner has taken the job; false when it is no longer to be run. */
  async begin(db: Queryable, id: string): Promise<boolean> {
    const { rowCount } = await db.query(
      `UPDATE vecgate_imports SET status = 'InProgress' WHERE id = $1::bigint AND status IN ${UNFINISHED}`,
      [id],
    );
    return (rowCount ?? 0) > 0;
  }

  /**
   * Moves the cursor past a batch, in the batch's transaction. Only from where the runner read it:
   * a job cancelled, deleted or moved on by another replica meanwhile throws ImportMovedOnError,
   * which rolls the batch back with it, so that no record is written twice or after a cancel.
   */
  async advance(
    db: Queryable,
    id: string,
    from: ImportCursor,
    to: ImportCursor,
    counts: { rows: number; imported: number; skipped: number; firstSkip?: string },
  ): Promise<void> {
    const { rowCount } = await db.query(
      `UPDATE vecgate_imports SET
         cursor_part = $4, cursor_row = $5,
         rows_done = rows_done + $6,
         records_imported = records_imported + $7,
         records_skipped = records_skipped + $8,
         error = coalesce(error, $9),
         percent_complete = CASE WHEN rows_total = 0 THEN 100
           ELSE least(100, round(((rows_done + $6) * 100.0 / rows_total)::numeric, 1)) END
       WHERE id = $1::bigint AND status = 'InProgress' AND cursor_part = $2 AND cursor_row = $3`,
      [
        id,
        from.part,
        from.row,
        to.part,
        to.row,
        counts.rows,
        counts.imported,
        counts.skipped,
        counts.firstSkip ?? null,
      ],
    );
    if (!rowCount) throw new ImportMovedOnError(`import ${id} is no longer in progress at this cursor`);
  }

  /** Ends an unfinished job: Completed, Failed (with why) or Cancelled. False when it had ended already. */
  async finish(
    db: Queryable,
    id: string,
    status: 'Completed' | 'Failed' | 'Cancelled',
    error: string | null = null,
    collectionId?: string,
  ): Promise<boolean> {
    const { rowCount } = await db.query(
      `UPDATE vecgate_imports SET status = $2, error = coalesce($3, error), finished_at = clock_timestamp(),
         percent_complete = CASE WHEN $2 = 'Completed' THEN 100 ELSE percent_complete END
       WHERE id = $1::bigint AND status IN ${UNFINISHED} AND ($4::uuid IS NULL OR collection_id = $4::uuid)`,
      [id, status, error, collectionId ?? null],
    );
    return (rowCount ?? 0) > 0;
  }
}
