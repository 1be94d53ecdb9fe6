import type { TextField } from '../text/text-field';
import { Injectable } from '@nestjs/common';
import type { Queryable } from '../../database/database';
import {
  ALL_RECORD_INDEXES,
  type Collection,
  type IndexSettings,
  type Metric,
  type RecordIndexes,
  type VectorField,
} from '../collections/collection.model';
import { qualified } from '../collections/record-table.repository';
import type { Backup, BackupSet, Page, PageStart, RestoreJob } from './backup.model';

interface BackupRow {
  id: string;
  database_id: string;
  name: string | null;
  description: string | null;
  source_id: string;
  source_name: string;
  dimension: number | null;
  metric: Metric;
  configuration: {
    index: IndexSettings;
    extras?: Record<string, unknown>;
    recordIndexes?: RecordIndexes;
    vectors?: VectorField[];
    textFields?: TextField[];
  };
  metadata: Record<string, unknown> | null;
  schema: unknown;
  namespaces: string[];
  namespace_filterable: Record<string, string[]>;
  namespace_aliases: Record<string, string>;
  record_count: string | number;
  size_bytes: string | number;
  table_name: string;
  file_checksum: string | null;
  file_size: string | number | null;
  set_id: string | null;
  created_at: Date;
}

interface BackupSetRow {
  id: string;
  database_id: string;
  description: string | null;
  file_checksum: string | null;
  file_size: string | number | null;
  created_at: Date;
}

function toBackupSet(row: BackupSetRow): BackupSet {
  return {
    id: row.id,
    databaseId: row.database_id,
    description: row.description,
    fileChecksum: row.file_checksum,
    fileSize: row.file_size === null ? null : Number(row.file_size),
    createdAt: row.created_at,
  };
}

interface RestoreJobRow {
  id: string;
  backup_id: string;
  target_name: string;
  target_id: string;
  status: 'Completed';
  percent_complete: number;
  created_at: Date;
  completed_at: Date | null;
}

function toBackup(row: BackupRow): Backup {
  return {
    id: row.id,
    databaseId: row.database_id,
    name: row.name,
    description: row.description,
    sourceId: row.source_id,
    sourceName: row.source_name,
    dimension: row.dimension,
    metric: row.metric,
    index: row.configuration.index,
    extras: row.configuration.extras ?? {},
    recordIndexes: row.configuration.recordIndexes ?? ALL_RECORD_INDEXES,
    vectors: (row.configuration.vectors ?? []).map((v) => ({ ...v, indexed: false, tuning: null })),
    textFields: row.configuration.textFields ?? [],
    metadata: row.metadata,
    schema: row.schema,
    namespaces: row.namespaces,
    namespaceFilterable: row.namespace_filterable,
    namespaceAliases: row.namespace_aliases ?? {},
    recordCount: Number(row.record_count),
    sizeBytes: Number(row.size_bytes),
    tableName: row.table_name,
    fileChecksum: row.file_checksum,
    fileSize: row.file_size === null ? null : Number(row.file_size),
    setId: row.set_id,
    createdAt: row.created_at,
  };
}

function toRestoreJob(row: RestoreJobRow): RestoreJob {
  return {
    id: row.id,
    backupId: row.backup_id,
    targetName: row.target_name,
    targetId: row.target_id,
    status: row.status,
    percentComplete: row.percent_complete,
    createdAt: row.created_at,
    completedAt: row.completed_at,
  };
}

/** Pages ordered by (created_at, id): one row more than asked tells whether there is a next page. */
function paged<T extends { createdAt: Date; id: string }>(items: T[], limit: number): Page<T> {
  const more = items.length > limit;
  const page = more ? items.slice(0, limit) : items;
  const last = page[page.length - 1];
  return { items: page, after: more && last ? { createdAt: last.createdAt, id: last.id } : null };
}

/** The catalog of backups and restore jobs, and the copies of record tables they are made of. */
@Injectable()
export class BackupsRepository {
  /**
   * Writes the backup's row once its table holds the copy, counting what the copy holds: in the
   * transaction that made the copy, the counts and the namespace list are of its snapshot.
   */
  async insert(
    db: Queryable,
    backup: { id: string; name: string | null; description: string | null; tableName: string; setId?: string },
    collection: Collection,
  ): Promise<Backup> {
    const { rows } = await db.query<BackupRow>(
      `INSERT INTO vecgate_backups (id, database_id, name, description, source_id, source_name, dimension, metric,
         configuration, metadata, schema, namespaces, namespace_filterable, namespace_aliases, record_count, size_bytes,
         table_name, set_id)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
         ARRAY(SELECT name FROM vecgate_namespaces WHERE collection_id = $5
               UNION SELECT DISTINCT namespace FROM ${qualified(backup.tableName)} ORDER BY 1),
         (SELECT coalesce(jsonb_object_agg(name, filterable), '{}') FROM vecgate_namespaces
           WHERE collection_id = $5 AND filterable IS NOT NULL),
         (SELECT coalesce(jsonb_object_agg(name, target), '{}') FROM vecgate_namespace_aliases WHERE collection_id = $5),
         (SELECT count(*) FROM ${qualified(backup.tableName)}),
         pg_total_relation_size(to_regclass($12)),
         $13, $14
       RETURNING *`,
      [
        backup.id,
        collection.databaseId,
        backup.name,
        backup.description,
        collection.id,
        collection.name,
        collection.dimension,
        collection.metric,
        JSON.stringify({
          index: collection.index,
          extras: collection.extras,
          recordIndexes: collection.recordIndexes,
          vectors: collection.vectors.map(
            ({ position, name, kind, dimension, metric, index, multivector, storage }) => ({
              position,
              name,
              kind,
              dimension,
              metric,
              index,
              ...(multivector ? { multivector, storage: storage ?? 'float32' } : {}),
            }),
          ),
          textFields: collection.textFields,
        }),
        collection.metadata === null ? null : JSON.stringify(collection.metadata),
        collection.schema === null || collection.schema === undefined ? null : JSON.stringify(collection.schema),
        qualified(backup.tableName),
        backup.tableName,
        backup.setId ?? null,
      ],
    );
    return toBackup(rows[0]);
  }

  /**
   * A backup of its own (one of a set is the set's). With `lock`, holds the row against a delete until the transaction ends (FOR KEY SHARE, which
   * a DELETE waits for): a restore then copies a table that a racing delete cannot drop under it,
   * or, once the delete has committed, finds no backup.
   */
  async find(db: Queryable, databaseId: string, id: string, lock = false): Promise<Backup | undefined> {
    const { rows } = await db.query<BackupRow>(
      `SELECT * FROM vecgate_backups WHERE database_id = $1 AND id = $2 AND set_id IS NULL ${lock ? 'FOR KEY SHARE' : ''}`,
      [databaseId, id],
    );
    return rows[0] && toBackup(rows[0]);
  }

  /**
   * How many backups were taken of the collection (by the id it has), counted under a lock of its
   * own that the transaction holds until it ends: of two takers at once, the second counts the
   * first's.
   */
  async countTakenOf(db: Queryable, sourceId: string): Promise<number> {
    await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`vecgate_backups:${sourceId}`]);
    const { rows } = await db.query<{ n: string }>(
      'SELECT count(*) AS n FROM vecgate_backups WHERE source_id = $1 AND set_id IS NULL',
      [sourceId],
    );
    return Number(rows[0].n);
  }

  /** The database's backups, or one collection's (by the id it had), oldest first; those of a set are the set's. */
  async list(db: Queryable, databaseId: string, sourceId: string | null, start: PageStart): Promise<Page<Backup>> {
    const { rows } = await db.query<BackupRow>(
      `SELECT * FROM vecgate_backups
       WHERE database_id = $1 AND ($2::uuid IS NULL OR source_id = $2::uuid) AND set_id IS NULL
         AND ($3::timestamptz IS NULL OR (created_at, id) > ($3::timestamptz, $4::uuid))
       ORDER BY created_at, id LIMIT $5`,
      [databaseId, sourceId, start.after?.createdAt ?? null, start.after?.id ?? null, start.limit + 1],
    );
    return paged(rows.map(toBackup), start.limit);
  }

  /** Deletes the row; the caller drops the table in the same transaction. */
  async delete(db: Queryable, databaseId: string, id: string): Promise<Backup | undefined> {
    const { rows } = await db.query<BackupRow>(
      'DELETE FROM vecgate_backups WHERE database_id = $1 AND id = $2 AND set_id IS NULL RETURNING *',
      [databaseId, id],
    );
    return rows[0] && toBackup(rows[0]);
  }

  /**
   * The database's own backups (not a set's) taken of collections of that name, whichever
   * collection of the name it was (one recovered or made again since), oldest first.
   */
  async listOfName(db: Queryable, databaseId: string, sourceName: string, start: PageStart): Promise<Page<Backup>> {
    const { rows } = await db.query<BackupRow>(
      `SELECT * FROM vecgate_backups
       WHERE database_id = $1 AND source_name = $2 AND set_id IS NULL
         AND ($3::timestamptz IS NULL OR (created_at, id) > ($3::timestamptz, $4::uuid))
       ORDER BY created_at, id LIMIT $5`,
      [databaseId, sourceName, start.after?.createdAt ?? null, start.after?.id ?? null, start.limit + 1],
    );
    return paged(rows.map(toBackup), start.limit);
  }

  /** Records the size and SHA-256 of a backup's file, once written out and counted. */
  async setFile(db: Queryable, id: string, file: { checksum: string; size: number }): Promise<void> {
    await db.query('UPDATE vecgate_backups SET file_checksum = $2, file_size = $3 WHERE id = $1', [
      id,
      file.checksum,
      file.size,
    ]);
  }

  /** How many sets the database holds, counted under a lock of its own held until the transaction ends. */
  async countSets(db: Queryable, databaseId: string): Promise<number> {
    await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`vecgate_backup_sets:${databaseId}`]);
    const { rows } = await db.query<{ n: string }>(
      'SELECT count(*) AS n FROM vecgate_backup_sets WHERE database_id = $1',
      [databaseId],
    );
    return Number(rows[0].n);
  }

  async insertSet(
    db: Queryable,
    set: { id: string; databaseId: string; description: string | null },
  ): Promise<BackupSet> {
    const { rows } = await db.query<BackupSetRow>(
      'INSERT INTO vecgate_backup_sets (id, database_id, description) VALUES ($1, $2, $3) RETURNING *',
      [set.id, set.databaseId, set.description],
    );
    return toBackupSet(rows[0]);
  }

  async findSet(db: Queryable, databaseId: string, id: string): Promise<BackupSet | undefined> {
    const { rows } = await db.query<BackupSetRow>(
      'SELECT * FROM vecgate_backup_sets WHERE database_id = $1 AND id = $2',
      [databaseId, id],
    );
    return rows[0] && toBackupSet(rows[0]);
  }

  /** The database's sets, oldest first. */
  async listSets(db: Queryable, databaseId: string): Promise<BackupSet[]> {
    const { rows } = await db.query<BackupSetRow>(
      'SELECT * FROM vecgate_backup_sets WHERE database_id = $1 ORDER BY created_at, id',
      [databaseId],
    );
    return rows.map(toBackupSet);
  }

  /** The backups of a set, by the name of their collection. */
  async setMembers(db: Queryable, setId: string): Promise<Backup[]> {
    const { rows } = await db.query<BackupRow>(
      'SELECT * FROM vecgate_backups WHERE set_id = $1 ORDER BY source_name COLLATE "C", id',
      [setId],
    );
    return rows.map(toBackup);
  }

  async setSetFile(db: Queryable, id: string, file: { checksum: string; size: number }): Promise<void> {
    await db.query('UPDATE vecgate_backup_sets SET file_checksum = $2, file_size = $3 WHERE id = $1', [
      id,
      file.checksum,
      file.size,
    ]);
  }

  /** Deletes the set and its backups' rows, answering the tables the caller drops in the same transaction. */
  async deleteSet(db: Queryable, databaseId: string, id: string): Promise<string[] | undefined> {
    const { rows } = await db.query<{ id: string }>(
      'SELECT id FROM vecgate_backup_sets WHERE database_id = $1 AND id = $2 FOR UPDATE',
      [databaseId, id],
    );
    if (rows.length === 0) return undefined;
    const tables = await db.query<{ table_name: string }>(
      'DELETE FROM vecgate_backups WHERE set_id = $1 RETURNING table_name',
      [id],
    );
    await db.query('DELETE FROM vecgate_backup_sets WHERE id = $1', [id]);
    return tables.rows.map((r) => r.table_name);
  }

  /** Registers a backup's namespaces (with their filterable keys) and namespace aliases for the collection restored from it. */
  async registerNamespaces(db: Queryable, backup: Backup, collectionId: string): Promise<void> {
    await db.query(
      `INSERT INTO vecgate_namespaces (collection_id, name, filterable)
       SELECT $1, n, CASE WHEN $3::jsonb ? n THEN ARRAY(SELECT jsonb_array_elements_text($3::jsonb -> n)) END
       FROM unnest($2::text[]) AS n ON CONFLICT DO NOTHING`,
      [collectionId, backup.namespaces, JSON.stringify(backup.namespaceFilterable)],
    );
    // Their aliases too, after the namespaces they name; created and updated at the restore.
    await db.query(
      `INSERT INTO vecgate_namespace_aliases (collection_id, name, target, created_at, updated_at)
       SELECT $1, key, value, t, t FROM jsonb_each_text($2::jsonb), (SELECT date_trunc('milliseconds', clock_timestamp()) AS t) now
       ON CONFLICT DO NOTHING`,
      [collectionId, JSON.stringify(backup.namespaceAliases)],
    );
  }

  async insertRestoreJob(
    db: Queryable,
    job: { id: string; databaseId: string; backupId: string; targetName: string; targetId: string; createdAt: Date },
  ): Promise<RestoreJob> {
    const { rows } = await db.query<RestoreJobRow>(
      `INSERT INTO vecgate_restore_jobs (id, database_id, backup_id, target_name, target_id, status, percent_complete, created_at, completed_at)
       VALUES ($1, $2, $3, $4, $5, 'Completed', 100, $6, date_trunc('milliseconds', clock_timestamp())) RETURNING *`,
      [job.id, job.databaseId, job.backupId, job.targetName, job.targetId, job.createdAt],
    );
    return toRestoreJob(rows[0]);
  }

  async findRestoreJob(db: Queryable, databaseId: string, id: string): Promise<RestoreJob | undefined> {
    const { rows } = await db.query<RestoreJobRow>(
      'SELECT * FROM vecgate_restore_jobs WHERE database_id = $1 AND id = $2',
      [databaseId, id],
    );
    return rows[0] && toRestoreJob(rows[0]);
  }

  async listRestoreJobs(db: Queryable, databaseId: string, start: PageStart): Promise<Page<RestoreJob>> {
    const { rows } = await db.query<RestoreJobRow>(
      `SELECT * FROM vecgate_restore_jobs
       WHERE database_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) > ($2::timestamptz, $3::uuid))
       ORDER BY created_at, id LIMIT $4`,
      [databaseId, start.after?.createdAt ?? null, start.after?.id ?? null, start.limit + 1],
    );
    return paged(rows.map(toRestoreJob), start.limit);
  }
}
