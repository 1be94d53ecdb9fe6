import { Injectable } from '@nestjs/common';
import { Queryable } from '../../database/database';
import {
  ALL_RECORD_INDEXES,
  Collection,
  CollectionChanges,
  IndexSettings,
  Metric,
  NewCollection,
  RecordIndexes,
  NewVectorField,
  SearchTuning,
  VectorField,
} from './collection.model';
import { hasValidHnswIndexSql, hasValidVectorIndexSql } from './record-table.repository';
import type { TextField } from '../text/text-field';

const COLUMNS = `c.id, c.name, d.tenant, d.name AS database, c.database_id, c.dimension, c.metric, c.metadata,
  c.configuration, c.schema, c.table_name, c.created_at, c.catalog_version::float8 AS catalog_version,
  ${hasValidHnswIndexSql('c.table_name')} AS vector_indexed,
  EXISTS (SELECT 1 FROM vecgate_namespaces n WHERE n.collection_id = c.id AND n.name <> '') AS namespaced,
  (SELECT to_jsonb(s) FROM vecgate_search_tuning s WHERE s.collection_id = c.id AND s.position = 0) AS tuning,
  (SELECT coalesce(sum(rc.n), 0)::float8 FROM vecgate_record_counts rc WHERE rc.collection_id = c.id) AS records,
  (SELECT jsonb_agg(jsonb_build_object('position', v.position, 'name', v.name, 'kind', v.kind, 'dimension', v.dimension,
            'metric', v.metric, 'index', v.index, 'multivector', v.multivector, 'storage', v.storage, 'indexed', v.kind = 'dense' AND ${hasValidVectorIndexSql('c.table_name', 'v.position')},
            'tuning', (SELECT to_jsonb(s) FROM vecgate_search_tuning s WHERE s.collection_id = c.id AND s.position = v.position))
          ORDER BY v.position)
   FROM vecgate_collection_vectors v WHERE v.collection_id = c.id) AS vectors,
  (SELECT jsonb_agg(jsonb_build_object('position', f.position, 'path', f.path, 'analyzer', f.analyzer) ORDER BY f.position)
   FROM vecgate_text_fields f WHERE f.collection_id = c.id) AS text_fields,
  (SELECT jsonb_agg(k.key ORDER BY k.id) FROM vecgate_range_keys k
   WHERE k.collection_id = c.id AND k.kind = 'values' AND k.analyzed) AS statistics_keys`;

/** A catalog row as COLUMNS selects it. */
interface CollectionRow {
  id: string;
  name: string;
  tenant: string;
  database: string;
  database_id: string;
  dimension: number | null;
  metric: Metric;
  metadata: Record<string, unknown> | null;
  configuration: { index: IndexSettings; extras?: Record<string, unknown>; recordIndexes?: RecordIndexes };
  schema: unknown;
  table_name: string;
  created_at: Date;
  catalog_version: number;
  vector_indexed: boolean;
  namespaced: boolean;
  tuning: TuningRow | null;
  records: number;
  vectors: (Omit<VectorField, 'tuning'> & { tuning: TuningRow | null })[] | null;
  text_fields: TextField[] | null;
  statistics_keys: string[][] | null;
}

/** A vecgate_search_tuning row as to_jsonb gives it. */
interface TuningRow {
  records: number | string;
  target: number;
  recall: number;
  ef_search: number;
  exact: boolean;
  ms_per_search: number;
  filtered_ef_search: number | null;
  filtered_recall: number | null;
  filtered_walk_ms: number | null;
  filtered_exact_ms: number | null;
  source?: 'synthesized' | 'traffic';
  filtered_source?: 'synthesized' | 'traffic' | null;
  walk_met?: boolean | null;
  walk_recall?: number | null;
  measured_at: string;
}

function toTuning(row: TuningRow | null, index: IndexSettings): SearchTuning | null {
  if (!row || index.efSearchPinned) return null;
  return {
    records: Number(row.records),
    target: row.target,
    recall: row.recall,
    efSearch: row.ef_search,
    exact: row.exact,
    msPerSearch: row.ms_per_search,
    ...(row.walk_met !== null && row.walk_met !== undefined && { walkMet: row.walk_met }),
    ...(row.walk_recall !== null && row.walk_recall !== undefined && { walkRecall: row.walk_recall }),
    filtered:
      row.filtered_ef_search === null || row.filtered_ef_search === undefined
        ? null
        : {
            efSearch: row.filtered_ef_search,
            recall: row.filtered_recall ?? 0,
            walkMs: row.filtered_walk_ms ?? 0,
            exactMs: row.filtered_exact_ms ?? 0,
            source: row.filtered_source ?? 'synthesized',
            // Saved with an ef_search and no recall: the filtered part of the measurement is still running.
            ...(row.filtered_recall === null && { pending: true }),
          },
    source: row.source ?? 'synthesized',
    measuredAt: new Date(row.measured_at),
  };
}

function toCollection(row: CollectionRow): Collection {
  const configuration = row.configuration;
  return {
    id: row.id,
    name: row.name,
    tenant: row.tenant,
    database: row.database,
    databaseId: row.database_id,
    dimension: row.dimension,
    metric: row.metric,
    index: configuration.index,
    metadata: row.metadata,
    extras: configuration.extras ?? {},
    schema: row.schema,
    recordIndexes: configuration.recordIndexes ?? ALL_RECORD_INDEXES,
    tableName: row.table_name,
    vectorIndexed: row.vector_indexed,
    namespaced: row.namespaced,
    tuning: toTuning(row.tuning, configuration.index),
    vectors: (row.vectors ?? []).map((v) => ({ ...v, tuning: toTuning(v.tuning, v.index) })),
    textFields: row.text_fields ?? [],
    records: Number(row.records),
    catalogVersion: row.catalog_version,
    statisticsKeys: row.statistics_keys ?? [],
    createdAt: row.created_at,
  };
}

/** The catalog of collections. Record tables themselves are RecordTableRepository's. */
/**
 * How a transaction holds a catalog row until it ends. `change` (FOR NO KEY UPDATE) serialises
 * changes to the collection (first-write dimension, DDL) without blocking the key-share lock a
 * write's record count takes on the row (its foreign key), which would deadlock writers. `share`
 * (FOR SHARE) keeps the collection as read until the transaction ends, for what is planned on its
 * shape (writes, copies by fork or backup): holders go on side by side, a change waits for them
 * and they for it, and a racing delete waits, or has committed and the row is not found.
 */
export type RowLock = 'change' | 'share';
const ROW_LOCKS: Record<RowLock, string> = { change: 'FOR NO KEY UPDATE OF c', share: 'FOR SHARE OF c' };

/** Counts a change of what writes and searches of the collection are planned against (CollectionsService.hold). */
const BUMP = 'catalog_version = catalog_version + 1';

@Injectable()
export class CollectionsRepository {
  /** Inserts, or returns false when the name is taken in that database. */
  async insert(
    db: Queryable,
    id: string,
    databaseId: string,
    spec: NewCollection,
    tableName: string,
    forkedFrom: string | null = null,
  ): Promise<boolean> {
    const { rowCount } = await db.query(
      `INSERT INTO vecgate_collections (id, database_id, name, metric, metadata, configuration, schema, table_name, forked_from)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (database_id, name) DO NOTHING`,
      [
        id,
        databaseId,
        spec.name,
        spec.metric,
        json(spec.metadata),
        json({ index: spec.index, extras: spec.extras, recordIndexes: spec.recordIndexes ?? ALL_RECORD_INDEXES }),
        json(spec.schema),
        tableName,
        forkedFrom,
      ],
    );
    return rowCount === 1;
  }

  /**
   * Declares named vectors in the order given, each at a position no vector of the collection has
   * had (the next after last_vector_position): a column named from a removed vector's position is
   * never another vector's.
   */
  async insertVectors(db: Queryable, collectionId: string, fields: NewVectorField[]): Promise<VectorField[]> {
    if (fields.length === 0) return [];
    const { rows } = await db.query<{ last: number }>(
      `UPDATE vecgate_collections SET last_vector_position = last_vector_position + $2, ${BUMP} WHERE id = $1
       RETURNING last_vector_position AS last`,
      [collectionId, fields.length],
    );
    const first = rows[0].last - fields.length + 1;
    const placed = fields.map((f, i) => ({ ...f, position: first + i, indexed: false, tuning: null }));
    await this.insertVectorRows(db, collectionId, placed);
    return placed;
  }

  /** Declares named vectors at the positions they have in another collection (a fork's, as its source's). */
  async placeVectors(db: Queryable, collectionId: string, fields: VectorField[]): Promise<VectorField[]> {
    const placed = fields.map((f) => ({ ...f, indexed: false, tuning: null }));
    await db.query(
      `UPDATE vecgate_collections SET last_vector_position = greatest(last_vector_position, $2), ${BUMP} WHERE id = $1`,
      [collectionId, Math.max(0, ...fields.map((f) => f.position))],
    );
    await this.insertVectorRows(db, collectionId, placed);
    return placed;
  }

  private async insertVectorRows(db: Queryable, collectionId: string, fields: VectorField[]): Promise<void> {
    for (const f of fields)
      await db.query(
        `INSERT INTO vecgate_collection_vectors (collection_id, position, name, kind, dimension, metric, index, multivector, storage)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          collectionId,
          f.position,
          f.name,
          f.kind,
          f.kind === 'dense' ? f.dimension : null,
          f.metric,
          json(f.index),
          f.kind === 'dense' && !!f.multivector,
          f.storage ?? 'float32',
        ],
      );
  }

  async deleteVector(db: Queryable, collectionId: string, position: number): Promise<void> {
    await db.query('DELETE FROM vecgate_collection_vectors WHERE collection_id = $1 AND position = $2', [
      collectionId,
      position,
    ]);
    await db.query(`UPDATE vecgate_collections SET ${BUMP} WHERE id = $1`, [collectionId]);
  }

  /** Sets the index settings of the default vector (position 0) or of a named one. */
  async setIndex(db: Queryable, collectionId: string, position: number, index: IndexSettings): Promise<void> {
    if (position !== 0) return this.setVectorIndex(db, collectionId, position, index);
    await db.query(
      `UPDATE vecgate_collections SET configuration = jsonb_set(configuration, '{index}', $2::jsonb), ${BUMP} WHERE id = $1`,
      [collectionId, json(index)],
    );
  }

  async setVectorIndex(db: Queryable, collectionId: string, position: number, index: IndexSettings): Promise<void> {
    await db.query('UPDATE vecgate_collection_vectors SET index = $3 WHERE collection_id = $1 AND position = $2', [
      collectionId,
      position,
      json(index),
    ]);
    await db.query(`UPDATE vecgate_collections SET ${BUMP} WHERE id = $1`, [collectionId]);
  }

  /**
   * Holds the catalog row until the transaction ends (see RowLock) and returns its catalog
   * version, as it is once any change the lock waited for has committed; undefined when the
   * collection is gone.
   */
  async lockVersion(db: Queryable, id: string, lock: RowLock): Promise<number | undefined> {
    const { rows } = await db.query<{ version: number }>(
      `SELECT c.catalog_version::float8 AS version FROM vecgate_collections c WHERE c.id = $1 ${ROW_LOCKS[lock]}`,
      [id],
    );
    return rows[0]?.version;
  }

  /** With `lock`, holds the catalog row until the transaction ends (see RowLock and findById). */
  async findByName(
    db: Queryable,
    databaseId: string,
    name: string,
    lock: RowLock | false = false,
  ): Promise<Collection | undefined> {
    if (lock) {
      const { rows } = await db.query<{ id: string }>(
        `SELECT c.id FROM vecgate_collections c WHERE c.database_id = $1 AND c.name = $2 ${ROW_LOCKS[lock]}`,
        [databaseId, name],
      );
      return rows[0] && this.findById(db, rows[0].id);
    }
    const { rows } = await db.query<CollectionRow>(
      `SELECT ${COLUMNS} FROM vecgate_collections c JOIN vecgate_databases d ON d.id = c.database_id
       WHERE c.database_id = $1 AND c.name = $2`,
      [databaseId, name],
    );
    return rows[0] && toCollection(rows[0]);
  }

  /**
   * The collection `name` of the database `database` of `tenant`, and the target of its namespace
   * alias `alias` (null: not an alias, or no alias asked), in one statement. With `known`, only the
   * row's id and catalog version are read (no `collection`): the caller's row still holds when they
   * are the same.
   */
  async findForRead(
    db: Queryable,
    tenant: string,
    database: string,
    name: string,
    alias: string | null,
    known: boolean,
  ): Promise<{ id: string; version: number; aliasTarget: string | null; collection?: Collection } | undefined> {
    const { rows } = await db.query<CollectionRow & { alias_target: string | null }>(
      `SELECT ${known ? 'c.id, c.catalog_version::float8 AS catalog_version' : COLUMNS},
         (SELECT a.target FROM vecgate_namespace_aliases a WHERE a.collection_id = c.id AND a.name = $4) AS alias_target
       FROM vecgate_collections c JOIN vecgate_databases d ON d.id = c.database_id
       WHERE d.tenant = $1 AND d.name = $2 AND c.name = $3`,
      [tenant, database, name, alias],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      id: row.id,
      version: row.catalog_version,
      aliasTarget: row.alias_target,
      ...(known ? {} : { collection: toCollection(row) }),
    };
  }

  /**
   * With `lock`, holds the catalog row until the transaction ends (see RowLock). The row is locked
   * by one statement and read by the next: a statement that waited for the lock returns the row as
   * the change it waited for left it, but reads the named vectors, index states and counts with
   * the snapshot it took before waiting, which misses that change.
   */
  async findById(db: Queryable, id: string, lock: RowLock | false = false): Promise<Collection | undefined> {
    if (lock) {
      const { rowCount } = await db.query(`SELECT 1 FROM vecgate_collections c WHERE c.id = $1 ${ROW_LOCKS[lock]}`, [
        id,
      ]);
      if (!rowCount) return undefined;
    }
    const { rows } = await db.query<CollectionRow>(
      `SELECT ${COLUMNS} FROM vecgate_collections c JOIN vecgate_databases d ON d.id = c.database_id WHERE c.id = $1`,
      [id],
    );
    return rows[0] && toCollection(rows[0]);
  }

  async list(db: Queryable, databaseId: string, limit: number | null, offset: number): Promise<Collection[]> {
    const { rows } = await db.query<CollectionRow>(
      `SELECT ${COLUMNS} FROM vecgate_collections c JOIN vecgate_databases d ON d.id = c.database_id
       WHERE c.database_id = $1 ORDER BY c.seq LIMIT $2 OFFSET $3`,
      [databaseId, limit, offset],
    );
    return rows.map(toCollection);
  }

  /** The collections of several databases, in one read: by database (in the order given), then creation. */
  async listIn(db: Queryable, databaseIds: string[], limit: number): Promise<Collection[]> {
    const { rows } = await db.query<CollectionRow>(
      `SELECT ${COLUMNS} FROM vecgate_collections c JOIN vecgate_databases d ON d.id = c.database_id
       WHERE c.database_id = ANY($1::uuid[]) ORDER BY array_position($1::uuid[], c.database_id), c.seq LIMIT $2`,
      [databaseIds, limit],
    );
    return rows.map(toCollection);
  }

  /** Queues the record tables of a database's collections (of every collection, without one) to be dropped. */
  async queueTablesToDrop(db: Queryable, databaseId?: string): Promise<void> {
    await db.query(
      `INSERT INTO vecgate_tables_to_drop (table_name)
       SELECT table_name FROM vecgate_collections WHERE $1::uuid IS NULL OR database_id = $1::uuid
       UNION SELECT table_name FROM vecgate_backups WHERE $1::uuid IS NULL OR database_id = $1::uuid
       ON CONFLICT DO NOTHING`,
      [databaseId ?? null],
    );
  }

  /** Up to `limit` queued tables, locked for this transaction (another replica's drain skips them). */
  async takeTablesToDrop(db: Queryable, limit: number): Promise<string[]> {
    const { rows } = await db.query<{ table_name: string }>(
      `SELECT table_name FROM vecgate_tables_to_drop ORDER BY queued_at, table_name LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    return rows.map((r) => r.table_name);
  }

  async forgetDroppedTables(db: Queryable, tables: string[]): Promise<void> {
    await db.query('DELETE FROM vecgate_tables_to_drop WHERE table_name = ANY($1::text[])', [tables]);
  }

  async count(db: Queryable, databaseId: string): Promise<number> {
    const { rows } = await db.query('SELECT count(*)::int AS n FROM vecgate_collections WHERE database_id = $1', [
      databaseId,
    ]);
    return rows[0].n;
  }

  /** Returns false when the new name is taken. */
  async update(db: Queryable, collection: Collection, changes: CollectionChanges): Promise<boolean> {
    const configuration = {
      index: changes.index ?? collection.index,
      extras: changes.extras ?? collection.extras,
      recordIndexes: collection.recordIndexes,
    };
    const { rowCount } = await db.query(
      `UPDATE vecgate_collections SET name = $2, metadata = $3, configuration = $4,
         catalog_version = catalog_version + (configuration IS DISTINCT FROM $4::jsonb)::int
       WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM vecgate_collections o WHERE o.database_id = $5 AND o.name = $2 AND o.id <> $1)`,
      [
        collection.id,
        changes.name ?? collection.name,
        json(changes.metadata !== undefined ? changes.metadata : collection.metadata),
        json(configuration),
        collection.databaseId,
      ],
    );
    return rowCount === 1;
  }

  async countForks(db: Queryable, id: string): Promise<number> {
    const { rows } = await db.query('SELECT count(*)::int AS n FROM vecgate_collections WHERE forked_from = $1', [id]);
    return rows[0].n;
  }

  async setDimension(db: Queryable, id: string, dimension: number | null): Promise<void> {
    await db.query(`UPDATE vecgate_collections SET dimension = $2, ${BUMP} WHERE id = $1`, [id, dimension]);
  }

  async delete(db: Queryable, id: string): Promise<void> {
    await db.query('DELETE FROM vecgate_collections WHERE id = $1', [id]);
  }
}

function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}
