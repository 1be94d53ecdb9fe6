import { Injectable } from '@nestjs/common';
import { Queryable } from '../../database/database';

/** The registry of a collection's namespaces (records carry their namespace in their own table). */
@Injectable()
export class NamespacesRepository {
  /**
   * Registers a namespace unless it is registered already or an alias holds its name (one
   * statement, so a first write pays one round trip). `filterable` names the metadata keys it
   * indexes for filters (null: every key).
   */
  async register(
    db: Queryable,
    collectionId: string,
    name: string,
    filterable: string[] | null = null,
  ): Promise<'new' | 'registered' | 'alias'> {
    const { rows } = await db.query<{ aliased: boolean; inserted: boolean }>(
      `WITH alias AS (SELECT 1 FROM vecgate_namespace_aliases WHERE collection_id = $1 AND name = $2),
       inserted AS (
         INSERT INTO vecgate_namespaces (collection_id, name, filterable)
         SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM alias)
         ON CONFLICT DO NOTHING RETURNING 1)
       SELECT EXISTS (SELECT 1 FROM alias) AS aliased, EXISTS (SELECT 1 FROM inserted) AS inserted`,
      [collectionId, name, filterable],
    );
    return rows[0].aliased ? 'alias' : rows[0].inserted ? 'new' : 'registered';
  }

  /** A registered namespace's filterable keys (null: every key), or undefined when it is not registered. */
  async filterable(db: Queryable, collectionId: string, name: string): Promise<string[] | null | undefined> {
    const { rows } = await db.query(
      'SELECT filterable FROM vecgate_namespaces WHERE collection_id = $1 AND name = $2',
      [collectionId, name],
    );
    return rows.length === 0 ? undefined : rows[0].filterable;
  }

  /** The record table's size with its indexes, over the records of all its namespaces (0 when empty). */
  async bytesPerRecord(db: Queryable, collectionId: string, table: string): Promise<number> {
    const { rows } = await db.query<{ bytes: string; records: string }>(
      `SELECT pg_total_relation_size(to_regclass('vecgate_records.' || quote_ident($2))) AS bytes,
         (SELECT coalesce(sum(n), 0) FROM vecgate_record_counts WHERE collection_id = $1) AS records`,
      [collectionId, table],
    );
    const records = Number(rows[0].records);
    return records > 0 ? Number(rows[0].bytes) / records : 0;
  }

  /** The namespaces that index only some keys, with those keys. */
  async withFilterable(db: Queryable, collectionId: string): Promise<Map<string, string[]>> {
    const { rows } = await db.query(
      'SELECT name, filterable FROM vecgate_namespaces WHERE collection_id = $1 AND filterable IS NOT NULL',
      [collectionId],
    );
    return new Map(rows.map((r) => [r.name, r.filterable]));
  }

  /** Names in byte order after `after`, starting with `prefix`. */
  async list(
    db: Queryable,
    collectionId: string,
    prefix: string,
    after: string | null,
    limit: number | null,
  ): Promise<string[]> {
    const { rows } = await db.query(
      `SELECT name FROM vecgate_namespaces
       WHERE collection_id = $1 AND starts_with(name, $2) AND ($3::text IS NULL OR name COLLATE "C" > $3::text COLLATE "C")
       ORDER BY name COLLATE "C" LIMIT $4`,
      [collectionId, prefix, after, limit],
    );
    return rows.map((r) => r.name);
  }

  async count(db: Queryable, collectionId: string, prefix: string): Promise<number> {
    const { rows } = await db.query(
      'SELECT count(*)::int AS n FROM vecgate_namespaces WHERE collection_id = $1 AND starts_with(name, $2)',
      [collectionId, prefix],
    );
    return rows[0].n;
  }

  async delete(db: Queryable, collectionId: string, name: string): Promise<boolean> {
    const { rowCount } = await db.query('DELETE FROM vecgate_namespaces WHERE collection_id = $1 AND name = $2', [
      collectionId,
      name,
    ]);
    return rowCount === 1;
  }
}
