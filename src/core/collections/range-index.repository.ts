import { Injectable } from '@nestjs/common';
import { Queryable } from '../../database/database';
import { geoLatitude, metadataTextAt, metadataValueAt, numberGuard } from '../filters/compile-filter';
import { qualified } from './record-table.repository';

/**
 * What a key's index serves: numeric ranges (a btree on its numbers), string ranges such as
 * datetimes (a btree on its strings in byte order), substring matches (a trigram index on its
 * strings), or geo filters (a btree on the latitude of its points).
 */
export type KeyIndexKind = 'number' | 'string' | 'text' | 'geo';

/** A metadata key that has been range-filtered on, and the record table whose index it wants. */
export interface RangeKey {
  id: string;
  collectionId: string;
  /** The key's path (one element for a top-level key). */
  key: string[];
  table: string;
  kind: KeyIndexKind;
}

/** `<table>_range_<id>`: the table's name and the catalog row's id, never the key itself. */
export function rangeIndexName(table: string, id: string): string {
  if (!/^[1-9][0-9]{0,17}$/.test(id)) throw new Error(`not a range key id: ${id}`);
  qualified(table); // checks the table's name
  return `${table}_range_${id}`;
}

/**
 * The btree indexes that serve numeric range filters ($gt, $gte, $lt, $lte) on metadata keys.
 * Which keys users range over is only known from the filters they send: a key is noted the first
 * time one arrives (up to a number of keys per collection), and IndexBuilder builds its index.
 * jsonb orders numbers numerically, so an index on the key's jsonb value serves
 * `value >= $lo AND value < $hi`. The index holds numbers only (a partial index whose predicate is
 * the filter's own type guard): a btree entry has a size limit, and a long string at the key would
 * otherwise make the build, and every later write of such a record, fail.
 */
@Injectable()
export class RangeIndexRepository {
  /**
   * Notes a range-filtered key unless the collection already has `max` keys. The count is read
   * without a lock: replicas noting different keys at once may pass `max` by a few.
   */
  async note(
    db: Queryable,
    collectionId: string,
    key: string[],
    max: number,
    kind: KeyIndexKind = 'number',
  ): Promise<void> {
    await db.query(
      `INSERT INTO vecgate_range_keys (collection_id, key, kind)
       SELECT $1, $2::text[], $4 WHERE (SELECT count(*) FROM vecgate_range_keys WHERE collection_id = $1) < $3
       ON CONFLICT (collection_id, key, kind) DO NOTHING`,
      [collectionId, key, max, kind],
    );
  }

  /**
   * Forgets a noted key of a kind and drops its index (a Qdrant field index deleted). A build of it
   * running on another connection is waited for by the DROP.
   */
  async forget(db: Queryable, collectionId: string, key: string[], kind: KeyIndexKind): Promise<void> {
    const { rows } = await db.query<{ id: string; table: string }>(
      `DELETE FROM vecgate_range_keys k USING vecgate_collections c
       WHERE k.collection_id = $1 AND k.key = $2::text[] AND k.kind = $3 AND c.id = k.collection_id
       RETURNING k.id::text AS id, c.table_name AS table`,
      [collectionId, key, kind],
    );
    for (const { id, table } of rows)
      await db.query(`DROP INDEX IF EXISTS vecgate_records."${rangeIndexName(table, id)}"`);
  }

  /** Noted keys with no valid index yet, on collections that have had `minRows` records inserted (one collection's, or all). */
  pending(db: Queryable, minRows: number, collectionId: string | null = null): Promise<RangeKey[]> {
    return this.select(
      db,
      `r.indisvalid IS NOT TRUE
       AND coalesce(pg_sequence_last_value(pg_get_serial_sequence('vecgate_records.' || quote_ident(r.table), 'seq')), 0) >= $2`,
      collectionId,
      [minRows],
    );
  }

  /** Noted keys whose index is valid but whose table has not been ANALYZEd since it was built (one collection's, or all). */
  unanalyzed(db: Queryable, collectionId: string | null = null): Promise<RangeKey[]> {
    return this.select(db, `r.indisvalid AND NOT r.analyzed`, collectionId);
  }

  /** Keys that are not ready for searches yet: no valid index, or no statistics since it was built. What indexing_status counts as due. */
  unready(db: Queryable, collectionId: string): Promise<RangeKey[]> {
    return this.select(db, `(r.indisvalid IS NOT TRUE OR NOT r.analyzed)`, collectionId);
  }

  /** `condition` is one of the texts above, never a request's: values go in `values` ($2 on). */
  private async select(
    db: Queryable,
    condition: string,
    collectionId: string | null,
    values: unknown[] = [],
  ): Promise<RangeKey[]> {
    // Catalog lookups by name per key (to_regclass), not joins with pg_class: PGlite keeps no
    // statistics on it, and a join was planned as a nested loop over both.
    const { rows } = await db.query<RangeKey>(
      `SELECT r.id, r."collectionId", r.key, r.table, r.kind FROM (
         SELECT k.id AS kid, k.id::text AS id, k.collection_id AS "collectionId", k.key, c.table_name AS table, k.analyzed, k.kind,
                (SELECT x.indisvalid FROM pg_index x
                 WHERE x.indexrelid = to_regclass('vecgate_records.' || quote_ident(c.table_name || '_range_' || k.id))) AS indisvalid
         FROM vecgate_range_keys k
         JOIN vecgate_collections c ON c.id = k.collection_id
         WHERE ($1::uuid IS NULL OR c.id = $1) AND to_regclass('vecgate_records.' || quote_ident(c.table_name)) IS NOT NULL
         OFFSET 0
       ) AS r
       WHERE ${condition}
       ORDER BY r.kid`,
      [collectionId, ...values],
    );
    return rows;
  }

  /** Marks keys' indexes as having (or, before a build, not having) their table's statistics. */
  async markAnalyzed(db: Queryable, ids: string[], analyzed: boolean): Promise<void> {
    await db.query(`UPDATE vecgate_range_keys SET analyzed = $2 WHERE id = ANY($1::bigint[])`, [ids, analyzed]);
  }

  /**
   * Builds the index of a noted key. The key is user input, and DDL takes no bind parameters:
   * Postgres itself quotes it (format's %L) from a bound value. The expression and the predicate
   * are what filters compile to (compileFilter), or the planner would not use the index.
   * `concurrently` as for the HNSW index: an interrupted concurrent build leaves an invalid index,
   * dropped first.
   */
  async build(
    db: Queryable,
    { id, key, table, kind = 'number' }: Pick<RangeKey, 'id' | 'key' | 'table'> & { kind?: KeyIndexKind },
    concurrently = false,
  ): Promise<void> {
    const name = rangeIndexName(table, id);
    const path = key.length > 1;
    const ref = path ? '%1$L::text[]' : '%1$L::text';
    const value = metadataValueAt(ref, path);
    const text = metadataTextAt(ref, path);
    // Each is the expression and type guard the filters compile to (compileFilter's range and textMatch).
    const on = {
      number: `((${value})) WHERE ${numberGuard(value)}`,
      string: `((${text}) COLLATE "C") WHERE jsonb_typeof(${value}) = 'string'`,
      text: `USING gin ((${text}) gin_trgm_ops) WHERE jsonb_typeof(${value}) = 'string'`,
      // geo_radius and geo_bounding_box first keep a band of latitudes.
      geo: `((${geoLatitude(value)})) WHERE jsonb_typeof(${value} -> 'lat') = 'number'`,
    }[kind];
    if (concurrently) await db.query(`DROP INDEX CONCURRENTLY IF EXISTS vecgate_records."${name}"`);
    const template = `CREATE INDEX ${concurrently ? 'CONCURRENTLY' : ''} IF NOT EXISTS "${name}" ON ${qualified(table)} ${on}`;
    const { rows } = await db.query(`SELECT format($1, $2::${path ? 'text[]' : 'text'}) AS ddl`, [
      template,
      path ? key : key[0],
    ]);
    await db.query(rows[0].ddl);
  }

  /**
   * Fresh statistics of the table and of the new index's expression, so that the planner knows how
   * selective a range is: only an ANALYZE after the build gathers the expression's.
   */
  async analyze(db: Queryable, table: string): Promise<void> {
    await db.query(`ANALYZE ${qualified(table)}`);
  }
}
