import { Injectable } from '@nestjs/common';
import { Queryable } from '../../database/database';
import {
  geoLatitude,
  metadataTextAt,
  metadataValueAt,
  numberAt,
  stringAt,
  valuesCountAt,
} from '../filters/compile-filter';
import { qualified } from './record-table.repository';

/**
 * What a key's index serves: numeric ranges (a btree on its numbers), string ranges such as
 * datetimes (a btree on its strings in byte order), substring matches (a trigram index on its
 * strings), or geo filters (a btree on the latitude of its points). `values` is no index but
 * statistics of the value at the key (CREATE STATISTICS on the expression, VALUES_STATISTICS), from
 * which the planner estimates an equality, an `$in`, `$exists`, a null or emptiness test, a count
 * of values, a nested filter, and a string range or text match on a key without an index of its own
 * (compileEstimate).
 */
export type KeyIndexKind = 'number' | 'string' | 'text' | 'geo' | 'values';

/** A metadata key that has been range-filtered on, and the record table whose index it wants. */
export interface RangeKey {
  id: string;
  collectionId: string;
  /** The key's path (one element for a top-level key). */
  key: string[];
  table: string;
  kind: KeyIndexKind;
}

/** Histogram entries of a key index's statistics: a range is then priced in steps of 0.1% of the table. */
export const KEY_STATISTICS = 1000;

/**
 * The statistics objects of a `values` key, each named as the key's (rangeIndexName) and a suffix:
 * the value at the key, which prices equalities, `$in`, `$exists`, null tests and nested filters;
 * the string at it (stringAt, which string ranges and text matches compare), which prices those on
 * a key with no string or text index; and its count of values (valuesCountAt), which prices
 * `values_count` and `is_empty`. The string's are in the database's collation, as a text index's:
 * a range in byte order is then priced by the share of the histogram's entries it keeps, where
 * statistics in byte order would be interpolated within an entry, which PostgreSQL does poorly for
 * strings (13 records for 100 at 0.1% of a table, docs/storage-and-search.md). One object an
 * expression: an object on several gathers their joint statistics too, which no filter reads, in
 * 2 to 4 times the ANALYZE.
 */
const VALUES_STATISTICS: readonly { suffix: string; on: (value: string, text: string) => string }[] = [
  { suffix: '', on: (value) => `(${value})` },
  { suffix: '_s', on: (value, text) => `(${stringAt(value, text)})` },
  { suffix: '_c', on: (value) => valuesCountAt(value) },
];

/**
 * SQL for whether a noted key's index is valid (all its statistics objects exist, for `values`),
 * NULL while it has none: `k` a vecgate_range_keys row, `c` its vecgate_collections row (aliases of
 * the caller's statement). A `values` key gathered before it had all of VALUES_STATISTICS is built
 * again, its missing objects added.
 */
export function keyObjectValid(k: string, c: string): string {
  const name = `${c}.table_name || '_range_' || ${k}.id`;
  const names = VALUES_STATISTICS.map(({ suffix }) => (suffix ? `${name} || '${suffix}'` : name)).join(', ');
  return `CASE WHEN ${k}.kind = 'values' THEN
      (SELECT TRUE FROM pg_statistic_ext s WHERE s.stxname IN (${names}) AND s.stxnamespace = 'vecgate_records'::regnamespace
       HAVING count(*) = ${VALUES_STATISTICS.length})
    ELSE
      (SELECT x.indisvalid FROM pg_index x WHERE x.indexrelid = to_regclass('vecgate_records.' || quote_ident(${name})))
    END`;
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
 * The index is on the key's number as numeric, NULL where the key holds anything else (numberAt),
 * so that it serves `value >= $lo AND value < $hi` and its statistics price such a range; a long
 * string at the key is never an entry (a btree entry has a size limit, and such a string would
 * otherwise make the build, and every later write of its record, fail).
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
    // Keys with statistics only count apart from those with an index: neither crowds the other out.
    await db.query(
      `INSERT INTO vecgate_range_keys (collection_id, key, kind)
       SELECT $1, $2::text[], $4
       WHERE (SELECT count(*) FROM vecgate_range_keys WHERE collection_id = $1 AND (kind = 'values') = ($4 = 'values')) < $3
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
    for (const { id, table } of rows) {
      const name = rangeIndexName(table, id);
      if (kind !== 'values') await db.query(`DROP INDEX IF EXISTS vecgate_records."${name}"`);
      else
        for (const { suffix } of VALUES_STATISTICS)
          await db.query(`DROP STATISTICS IF EXISTS vecgate_records."${name}${suffix}"`);
    }
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

  /**
   * Keys whose index is not ready for searches yet: no valid index, or no statistics since it was
   * built. What indexing_status counts as due. Keys with statistics only (`values`) are left out:
   * no search waits on them, and a Chroma client polling the progress would see a collection
   * unindexed again after every filter on a key new to it.
   */
  unready(db: Queryable, collectionId: string): Promise<RangeKey[]> {
    return this.select(db, `r.kind <> 'values' AND (r.indisvalid IS NOT TRUE OR NOT r.analyzed)`, collectionId);
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
${keyObjectValid('k', 'c')} AS indisvalid
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
    const ddl = async (template: string) => {
      const { rows } = await db.query(`SELECT format($1, $2::${path ? 'text[]' : 'text'}) AS ddl`, [
        template,
        path ? key : key[0],
      ]);
      await db.query(rows[0].ddl);
    };
    if (kind === 'values') {
      // Statistics take no lock that writes wait on, and are made at once: nothing to do concurrently.
      for (const { suffix, on } of VALUES_STATISTICS) {
        const object = `vecgate_records."${name}${suffix}"`;
        await ddl(`CREATE STATISTICS IF NOT EXISTS ${object} ON ${on(value, text)} FROM ${qualified(table)}`);
        await db.query(`ALTER STATISTICS ${object} SET STATISTICS ${KEY_STATISTICS}`);
      }
      return;
    }
    // Each is the expression the filters compile to (compileFilter's range, textMatch and geo
    // band), NULL where the key holds another type. Not partial: the planner reads the statistics
    // of an expression index only when it has no predicate, and they are what prices a range.
    const on = {
      number: `((${numberAt(value)}))`,
      string: `((${stringAt(value, text)}) COLLATE "C")`,
      text: `USING gin ((${stringAt(value, text)}) gin_trgm_ops)`,
      // geo_radius and geo_bounding_box first keep a band of latitudes.
      geo: `((${geoLatitude(value)}))`,
    }[kind];
    if (concurrently) await db.query(`DROP INDEX CONCURRENTLY IF EXISTS vecgate_records."${name}"`);
    await ddl(
      `CREATE INDEX ${concurrently ? 'CONCURRENTLY' : ''} IF NOT EXISTS "${name}" ON ${qualified(table)} ${on}`,
    );
    // As many histogram entries as the metadata column has (RecordTableRepository.analyze): the
    // default 100 priced a range in steps of 1% of the table.
    await db.query(`ALTER INDEX vecgate_records."${name}" ALTER COLUMN 1 SET STATISTICS ${KEY_STATISTICS}`);
  }

  /**
   * Fresh statistics of the table and of the new index's expression, so that the planner knows how
   * selective a range is: only an ANALYZE after the build gathers the expression's.
   */
  async analyze(db: Queryable, table: string): Promise<void> {
    await db.query(`ANALYZE ${qualified(table)}`);
  }
}
