import { Injectable } from '@nestjs/common';
import { Queryable } from '../../database/database';
import { ALL_RECORD_INDEXES, IndexSettings, Metric, RecordIndexes, VectorField } from './collection.model';
import {
  checkedColumn,
  MAX_HALFVEC_INDEX_DIMENSION,
  tokenPlan,
  tokenTableName,
  tokenType,
  vectorColumn,
  vectorPlan,
} from './vector-index';

/** Histogram entries of a record table's metadata statistics (see analyze). */
const METADATA_STATISTICS = 1000;

/** A named vector's values copied from the column of one position in a table to that of another in a copy. */
export interface VectorCopy {
  from: number;
  to: number;
}

/** Each vector's column copied into the column of the same position (a copy made with the same positions). */
export function sameColumns(fields: { position: number }[]): VectorCopy[] {
  return fields.map((f) => ({ from: f.position, to: f.position }));
}

/** `vecgate_records.r_<hex>`, from a uuid the gateway generated itself. */
export function recordTableName(collectionId: string): string {
  const hex = collectionId.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error(`not a uuid: ${collectionId}`);
  return `r_${hex}`;
}

export function qualified(table: string): string {
  if (!/^r_[0-9a-f]{32}$/.test(table)) throw new Error(`not a record table: ${table}`);
  return `vecgate_records."${table}"`;
}

/** A record table's HNSW index is the table's name and this; a named vector's, `_v<position>` before it. */
const HNSW_SUFFIX = '_hnsw';
/** An HNSW index built beside the one searches use, to take its place (swapIndex), is named as it is and this. */
const NEXT_SUFFIX = '_next';

/** The unqualified name of the HNSW index over `column` (`embedding`, or a named vector's). */
function indexRelname(table: string, column = 'embedding'): string {
  qualified(table);
  return column === 'embedding' ? `${table}${HNSW_SUFFIX}` : `${table}_${checkedColumn(column)}${HNSW_SUFFIX}`;
}

function indexName(table: string, column = 'embedding'): string {
  return `vecgate_records."${indexRelname(table, column)}"`;
}

/**
 * SQL that is true when the record table named by the SQL expression `tableName` (a catalog
 * column, never a request's value) has a valid HNSW index: a concurrent build that failed leaves an
 * invalid one. For catalog reads that want to know without another statement.
 */
export function hasValidHnswIndexSql(tableName: string): string {
  return `EXISTS (SELECT 1 FROM pg_index i
    WHERE i.indexrelid = to_regclass('vecgate_records.' || quote_ident(${tableName} || '${HNSW_SUFFIX}')) AND i.indisvalid)`;
}

/**
 * As hasValidHnswIndexSql, for the index of the named vector at the SQL expression `position`
 * (an integer catalog column).
 */
export function hasValidVectorIndexSql(tableName: string, position: string): string {
  return `EXISTS (SELECT 1 FROM pg_index i
    WHERE i.indexrelid = to_regclass('vecgate_records.' || quote_ident(${tableName} || '_v' || ${position} || '${HNSW_SUFFIX}')) AND i.indisvalid)`;
}

/** The application_name of the connection that builds a table's index. */
export function indexBuilderName(table: string): string {
  return `vecgate-index:${table}`;
}

/**
 * The DDL of record tables. Table names come from the catalog only (recordTableName), and are
 * checked again before they are spliced into SQL.
 */
@Injectable()
export class RecordTableRepository {
  /**
   * The embedding column is an untyped `vector` until the first write fixes the dimension
   * (setDimension). `seq` keeps insertion order, which Chroma's get returns records in.
   * `sparse_embedding` holds Pinecone's sparse values (sparse and hybrid indexes). The filter
   * indexes are left out when the collection asked for no such filters.
   */
  async create(db: Queryable, table: string, indexes: RecordIndexes = ALL_RECORD_INDEXES): Promise<void> {
    const t = qualified(table);
    await db.query(`CREATE TABLE ${t} (
      seq bigint GENERATED ALWAYS AS IDENTITY,
      namespace text NOT NULL DEFAULT '',
      id text NOT NULL,
      embedding vector,
      sparse_embedding sparsevec,
      document text,
      uri text,
      metadata jsonb,
      PRIMARY KEY (namespace, id)
    )`);
    await db.query(`CREATE INDEX "${table}_seq" ON ${t} (namespace, seq)`);
    if (indexes.metadata)
      await db.query(`CREATE INDEX "${table}_metadata" ON ${t} USING gin (metadata jsonb_path_ops)`);
    if (indexes.document) await db.query(`CREATE INDEX "${table}_document" ON ${t} USING gin (document gin_trgm_ops)`);
  }

  /**
   * Types the embedding column; the table holds no vector yet. The HNSW index comes later, built
   * in one go once the collection is big enough (IndexBuilder): building it after a bulk load is
   * several times faster than maintaining it record by record during the load.
   */
  async setDimension(db: Queryable, table: string, dimension: number): Promise<void> {
    await db.query(`ALTER TABLE ${qualified(table)} ALTER COLUMN embedding TYPE vector(${dimension})`);
  }

  /**
   * Clears the default dense vector of every record: its HNSW index (and one built beside it) is
   * dropped and the column made an untyped `vector` again, as a new table's, until a write fixes a
   * dimension anew (setDimension).
   */
  async clearEmbedding(db: Queryable, table: string): Promise<void> {
    const t = qualified(table);
    await db.query(`DROP INDEX IF EXISTS ${indexName(table)}`);
    await this.dropIndexBeside(db, table, false);
    await db.query(`UPDATE ${t} SET embedding = NULL WHERE embedding IS NOT NULL`);
    await db.query(`ALTER TABLE ${t} ALTER COLUMN embedding TYPE vector`);
  }

  /** Clears the default sparse vector of every record. */
  async clearSparseEmbedding(db: Queryable, table: string): Promise<void> {
    await db.query(`UPDATE ${qualified(table)} SET sparse_embedding = NULL WHERE sparse_embedding IS NOT NULL`);
  }

  /**
   * Adds the columns of named vectors: `vector(dimension)` for a dense one, `sparsevec` for a
   * sparse one, a list of tokens for a multivector (with `tokens`, its token table and the triggers
   * that keep it: migrations/028; a backup's bare copy has none). Their HNSW indexes come later, as
   * the default vector's (IndexBuilder).
   */
  async addVectorColumns(db: Queryable, table: string, fields: VectorField[], tokens = true): Promise<void> {
    for (const field of fields) {
      const type = field.multivector
        ? `${field.storage === 'float16' ? 'halfvec' : 'vector'}[]`
        : field.kind === 'dense'
          ? `vector(${Math.trunc(field.dimension!)})`
          : 'sparsevec';
      const column = vectorColumn(field.position);
      await db.query(`ALTER TABLE ${qualified(table)} ADD COLUMN ${column} ${type}`);
      if (!field.multivector || !tokens) continue;
      const held = tokenTableName(table, field.position);
      await db.query(`CREATE TABLE vecgate_records."${held}" (
        seq bigint NOT NULL, ord integer NOT NULL, embedding ${tokenType(field)} NOT NULL, PRIMARY KEY (seq, ord))`);
      for (const [op, tables] of [
        ['INSERT', 'NEW TABLE AS new_rows'],
        ['UPDATE', 'OLD TABLE AS old_rows NEW TABLE AS new_rows'],
        ['DELETE', 'OLD TABLE AS old_rows'],
      ])
        await db.query(
          `CREATE TRIGGER "${column}_tokens_${op.toLowerCase()}" AFTER ${op} ON ${qualified(table)} REFERENCING ${tables}
           FOR EACH STATEMENT EXECUTE FUNCTION vecgate_multivector_sync('${held}', '${column}')`,
        );
    }
  }

  /** Drops a named vector's column, and with it its HNSW index (and a multivector's token table and triggers). */
  async dropVectorColumn(db: Queryable, table: string, position: number): Promise<void> {
    const column = vectorColumn(position);
    for (const op of ['insert', 'update', 'delete'])
      await db.query(`DROP TRIGGER IF EXISTS "${column}_tokens_${op}" ON ${qualified(table)}`);
    await db.query(`ALTER TABLE ${qualified(table)} DROP COLUMN IF EXISTS ${column}`);
    await db.query(`DROP TABLE IF EXISTS vecgate_records."${tokenTableName(table, position)}"`);
  }

  /**
   * Builds the HNSW index of a multivector's tokens (named as a dense named vector's index, so that
   * the catalog's `indexed` and the builder's checks read it alike), or a second one beside it.
   */
  async buildTokenIndex(
    db: Queryable,
    table: string,
    field: Pick<VectorField, 'position' | 'dimension' | 'storage' | 'metric'>,
    index: Pick<IndexSettings, 'm' | 'efConstruction'>,
    concurrently = false,
  ): Promise<void> {
    const plan = tokenPlan(field);
    if (!plan.opclass) return;
    const m = Math.trunc(index.m);
    const ef = Math.trunc(index.efConstruction);
    const mode = concurrently ? 'CONCURRENTLY' : '';
    const name = indexRelname(table, vectorColumn(field.position));
    if (concurrently) await db.query(`DROP INDEX CONCURRENTLY IF EXISTS vecgate_records."${name}"`);
    await db.query(
      `CREATE INDEX ${mode} IF NOT EXISTS "${name}" ON vecgate_records."${tokenTableName(table, field.position)}" USING hnsw (${plan.column} ${plan.opclass}) WITH (m = ${m}, ef_construction = ${ef})`,
    );
  }

  /** Drops a multivector's HNSW index (new settings: the index builder builds it again). */
  async dropTokenIndex(db: Queryable, table: string, position: number): Promise<void> {
    await db.query(`DROP INDEX IF EXISTS ${indexName(table, vectorColumn(position))}`);
  }

  /** Fresh planner statistics of a multivector's token table (before its index is built). */
  async analyzeTokens(db: Queryable, table: string, position: number): Promise<void> {
    await db.query(`ANALYZE vecgate_records."${tokenTableName(table, position)}"`);
  }

  /** Rebuilds an existing HNSW index with new settings (none yet: the builder will use them). */
  async rebuildIndex(
    db: Queryable,
    table: string,
    dimension: number,
    metric: Metric,
    index: IndexSettings,
    column = 'embedding',
  ): Promise<void> {
    const { rows } = await db.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [indexName(table, column)]);
    if (!rows[0].present) return;
    await db.query(`DROP INDEX ${indexName(table, column)}`);
    await this.buildIndex(db, table, dimension, metric, index, false, column);
  }

  /**
   * Builds the HNSW index. `concurrently` (a real server, outside a transaction) lets writes go
   * on during the build; an interrupted concurrent build leaves an invalid index, dropped first.
   */
  async buildIndex(
    db: Queryable,
    table: string,
    dimension: number,
    metric: Metric,
    index: Pick<IndexSettings, 'm' | 'efConstruction'>,
    concurrently = false,
    column = 'embedding',
    suffix = '',
  ): Promise<void> {
    const plan = vectorPlan(metric, dimension, column);
    if (!plan.opclass) return; // past HNSW's limits: searches are exact scans
    const m = Math.trunc(index.m);
    const ef = Math.trunc(index.efConstruction);
    const mode = concurrently ? 'CONCURRENTLY' : '';
    const name = indexRelname(table, column) + suffix;
    if (concurrently) await db.query(`DROP INDEX CONCURRENTLY IF EXISTS vecgate_records."${name}"`);
    await db.query(
      `CREATE INDEX ${mode} IF NOT EXISTS "${name}" ON ${qualified(table)} USING hnsw (${plan.column} ${plan.opclass}) WITH (m = ${m}, ef_construction = ${ef})`,
    );
  }

  /**
   * Builds a second HNSW index over `column` with other settings, beside the one searches use
   * (IndexGrower), concurrently on a real server; swapIndex puts it in the first one's place.
   */
  async buildIndexBeside(
    db: Queryable,
    table: string,
    dimension: number,
    metric: Metric,
    index: Pick<IndexSettings, 'm' | 'efConstruction'>,
    concurrently: boolean,
    column = 'embedding',
  ): Promise<void> {
    await this.buildIndex(db, table, dimension, metric, index, concurrently, column, NEXT_SUFFIX);
  }

  /**
   * Drops the HNSW index over `column` and gives the one built beside it its name, in the caller's
   * transaction: searches see the old index or the new one, never neither. The drop waits for the
   * statements reading the table (each bounded by its timeout) and holds the others meanwhile.
   */
  async swapIndex(tx: Queryable, table: string, column = 'embedding'): Promise<void> {
    await tx.query(`DROP INDEX ${indexName(table, column)}`);
    await tx.query(
      `ALTER INDEX vecgate_records."${indexRelname(table, column)}${NEXT_SUFFIX}" RENAME TO "${indexRelname(table, column)}"`,
    );
  }

  /** Bounds each statement of the session from now on (0: unbounded), as a rebuild's build is (IndexGrower). */
  async limitStatements(db: Queryable, ms: number): Promise<void> {
    await db.query(`SELECT set_config('statement_timeout', $1, false)`, [String(Math.trunc(ms))]);
  }

  /** Bounds each wait for a lock in the caller's transaction: a swap does not hold a busy table's readers for long. */
  async limitLockWaits(tx: Queryable, ms: number): Promise<void> {
    await tx.query(`SELECT set_config('lock_timeout', $1, true)`, [String(Math.trunc(ms))]);
  }

  /** Drops an index built beside the one searches use (a rebuild cancelled or refused), if any. */
  async dropIndexBeside(db: Queryable, table: string, concurrently: boolean, column = 'embedding'): Promise<void> {
    await db.query(
      `DROP INDEX ${concurrently ? 'CONCURRENTLY' : ''} IF EXISTS vecgate_records."${indexRelname(table, column)}${NEXT_SUFFIX}"`,
    );
  }

  /** The size on disk of the HNSW index over `column`; null when there is none. */
  async indexBytes(db: Queryable, table: string, column = 'embedding'): Promise<number | null> {
    const { rows } = await db.query<{ bytes: string | null }>(
      `SELECT pg_relation_size(to_regclass($1))::text AS bytes`,
      [indexName(table, column)],
    );
    return rows[0].bytes === null ? null : Number(rows[0].bytes);
  }

  /**
   * Names the connection after the table (so that a delete can cancel the build) and gives it the
   * memory to hold the graph; `local` keeps both to the caller's transaction.
   */
  async prepareBuildSession(db: Queryable, table: string, memoryMb: number, local = false): Promise<void> {
    await db.query(`SELECT set_config('application_name', $1, $3), set_config('maintenance_work_mem', $2, $3)`, [
      indexBuilderName(table),
      `${memoryMb}MB`,
      local,
    ]);
  }

  /** Whether the table has a usable (valid) HNSW index over `column`. */
  async hasIndex(db: Queryable, table: string, column = 'embedding'): Promise<boolean> {
    const { rows } = await db.query(
      `SELECT EXISTS (SELECT 1 FROM pg_index WHERE indexrelid = to_regclass($1) AND indisvalid) AS present`,
      [indexName(table, column)],
    );
    return rows[0].present;
  }

  /**
   * Collections with a dimension HNSW can index and no valid index (of the default vector, or of
   * a named dense one), and at least `minRows` records ever inserted (the identity sequence's last
   * value: one lookup however big the table is), or the number the collection's own settings name
   * (IndexSettings.buildFromRows; none with noBuild).
   */
  async unindexed(
    db: Queryable,
    minRows: number,
    collectionIds: string[] | null = null,
  ): Promise<{ id: string; table: string; lastSeq: string }[]> {
    // Per collection, lookups by name (to_regclass, the index's relname): a join of the catalog with
    // pg_class was planned as a nested loop over both (no statistics on PGlite), and 200 collections
    // took seconds.
    const { rows } = await db.query<{ id: string; table: string; lastSeq: string }>(
      `SELECT id, table_name AS table, last_seq::text AS "lastSeq" FROM (
         SELECT c.id, c.table_name,
                pg_sequence_last_value(pg_get_serial_sequence('vecgate_records.' || quote_ident(c.table_name), 'seq')) AS last_seq,
                CASE WHEN (c.configuration -> 'index' ->> 'noBuild')::boolean IS TRUE THEN NULL
                     ELSE coalesce((c.configuration -> 'index' ->> 'buildFromRows')::bigint, $1) END AS min_rows
         FROM vecgate_collections c
         WHERE ($3::uuid[] IS NULL OR c.id = ANY($3::uuid[]))
           AND to_regclass('vecgate_records.' || quote_ident(c.table_name)) IS NOT NULL
           AND ((c.dimension IS NOT NULL AND c.dimension <= $2 AND NOT ${hasValidHnswIndexSql('c.table_name')})
             OR EXISTS (SELECT 1 FROM vecgate_collection_vectors v
                        WHERE v.collection_id = c.id AND v.kind = 'dense' AND v.dimension <= $2
                          AND NOT ${hasValidVectorIndexSql('c.table_name', 'v.position')}))
         OFFSET 0
       ) t WHERE last_seq >= min_rows`,
      [minRows, MAX_HALFVEC_INDEX_DIMENSION, collectionIds],
    );
    return rows;
  }

  /** How many records were ever inserted into the table (deletes do not lower it). */
  async insertedEver(db: Queryable, table: string): Promise<number> {
    const { rows } = await db.query(
      `SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence($1, 'seq')), 0)::float8 AS n`,
      [qualified(table)],
    );
    return rows[0].n;
  }

  /**
   * Fresh planner statistics after a bulk load, taken before the HNSW index is built, so that a
   * collection reported indexed is also one the planner knows (its size, and how selective a filter
   * is: what decides an exact search, src/core/records/search-policy.ts). The metadata column gets
   * 10 times the default statistics: Postgres estimates a containment filter on the column's
   * sample, and with 100 entries it estimated in steps of 1% of the table (docs/hot-path.md).
   */
  async analyze(db: Queryable, table: string): Promise<void> {
    await db.query(`ALTER TABLE ${qualified(table)} ALTER COLUMN metadata SET STATISTICS ${METADATA_STATISTICS}`);
    await db.query(`ANALYZE ${qualified(table)}`);
  }

  /** Whether the table has never been analyzed (nor vacuumed): the planner then guesses its size from its pages. */
  async neverAnalyzed(db: Queryable, table: string): Promise<boolean> {
    const { rows } = await db.query(`SELECT reltuples < 0 AS never FROM pg_class WHERE oid = to_regclass($1)`, [
      qualified(table),
    ]);
    return rows[0]?.never === true;
  }

  /**
   * The visibility map after a bulk load (count and id lookups read the index only). After the
   * HNSW build, not before: it reads the whole table, and the index is what a loader waits for.
   * Not in a transaction block.
   */
  async vacuum(db: Queryable, table: string): Promise<void> {
    await db.query(`VACUUM ${qualified(table)}`);
  }

  /** Compacts a table's document frequencies, vacuums and analyzes them and its text postings (migrations/027, 033), when it has them. */
  async vacuumPostings(db: Queryable, table: string): Promise<boolean> {
    qualified(table); // checked as every table name spliced into SQL; the postings are named from it
    const postings = `vecgate_records."${table}_tp"`;
    const { rows } = await db.query(`SELECT to_regclass($1) IS NOT NULL AS held`, [postings]);
    if (!rows[0]?.held) return false;
    // Their document frequencies (migrations/033) folded to one row a word, the words gone dropped.
    await db.query(`SELECT vecgate_text_df_compact($1)`, [table]);
    await db.query(`VACUUM (ANALYZE) ${postings}, vecgate_records."${table}_tdf"`);
    return true;
  }

  /**
   * Cancels a build of the table's index running on any replica (a dropped table would otherwise
   * wait for the build to finish). Builders name their connection after the table.
   */
  async cancelIndexBuild(db: Queryable, table: string): Promise<void> {
    await db.query(
      `SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()`,
      [indexBuilderName(table)],
    );
  }

  /**
   * Copies every record of one table into another (created with create(), and given the named
   * vectors' columns `vectors` copies into), keeping their order.
   */
  async copyRecords(db: Queryable, from: string, to: string, vectors: VectorCopy[] = []): Promise<void> {
    const source = vectors.map((v) => `, ${vectorColumn(v.from)}`).join('');
    const target = vectors.map((v) => `, ${vectorColumn(v.to)}`).join('');
    await db.query(
      `INSERT INTO ${qualified(to)} (namespace, id, embedding, sparse_embedding, document, uri, metadata${target})
       SELECT namespace, id, embedding, sparse_embedding, document, uri, metadata${source} FROM ${qualified(from)} ORDER BY seq`,
    );
  }

  /** copyRecords, and counts the copies for the collection that owns the new table. */
  async copyRows(
    db: Queryable,
    from: string,
    to: string,
    toCollectionId: string,
    vectors: VectorCopy[] = [],
  ): Promise<void> {
    await this.copyRecords(db, from, to, vectors);
    await db.query(
      `INSERT INTO vecgate_record_counts (collection_id, namespace, slot, n) SELECT $1, namespace, 0, count(*) FROM ${qualified(to)} GROUP BY namespace`,
      [toCollectionId],
    );
  }

  async drop(db: Queryable, table: string): Promise<void> {
    await this.cancelIndexBuild(db, table);
    await db.query(`DROP TABLE IF EXISTS ${qualified(table)}`);
    // Its text postings (migrations/027), named from it as qualified() checks it.
    await db.query(`DROP TABLE IF EXISTS vecgate_records."${table}_tp", vecgate_records."${table}_tdf"`);
    // Its multivectors' token tables (migrations/028), `<table>_mv<position>`.
    const { rows } = await db.query<{ name: string }>(
      `SELECT relname AS name FROM pg_class WHERE relnamespace = 'vecgate_records'::regnamespace AND relkind = 'r'
         AND relname LIKE $1 || '\\_mv%'`,
      [table],
    );
    for (const { name } of rows)
      if (/^r_[0-9a-f]{32}_mv[0-9]+$/.test(name)) await db.query(`DROP TABLE IF EXISTS vecgate_records."${name}"`);
    // A table with text fields has trigger functions beside it (TextFieldsRepository); they outlive the table otherwise.
    for (const suffix of ['_text', '_text_stats'])
      await db.query(`DROP FUNCTION IF EXISTS vecgate_records."${table}${suffix}"()`);
  }
}
