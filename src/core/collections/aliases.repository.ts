import { Injectable } from '@nestjs/common';
import type { Queryable } from '../../database/database';

export interface Alias {
  alias: string;
  collection: string;
}

/** Collection aliases of a database (vecgate_collection_aliases). */
@Injectable()
export class AliasesRepository {
  /** The id of the collection `alias` names, if any. */
  async find(db: Queryable, databaseId: string, alias: string): Promise<string | undefined> {
    const { rows } = await db.query<{ collection_id: string }>(
      'SELECT collection_id FROM vecgate_collection_aliases WHERE database_id = $1 AND alias = $2',
      [databaseId, alias],
    );
    return rows[0]?.collection_id;
  }

  /**
   * Whether an alias of the database has this name, for a collection about to take it. The
   * database's row is held (FOR SHARE) until the caller's transaction ends, so that no alias of
   * that name is made meanwhile: alias changes hold it FOR UPDATE.
   */
  async holdsName(db: Queryable, databaseId: string, name: string): Promise<boolean> {
    await db.query('SELECT 1 FROM vecgate_databases WHERE id = $1 FOR SHARE', [databaseId]);
    const { rows } = await db.query('SELECT 1 FROM vecgate_collection_aliases WHERE database_id = $1 AND alias = $2', [
      databaseId,
      name,
    ]);
    return rows.length > 0;
  }

  /** Every alias of the database, or of one collection, by alias name. */
  async list(db: Queryable, databaseId: string, collectionId?: string): Promise<Alias[]> {
    const { rows } = await db.query<Alias>(
      `SELECT a.alias, c.name AS collection FROM vecgate_collection_aliases a JOIN vecgate_collections c ON c.id = a.collection_id
       WHERE a.database_id = $1 AND ($2::uuid IS NULL OR a.collection_id = $2::uuid) ORDER BY a.alias COLLATE "C"`,
      [databaseId, collectionId ?? null],
    );
    return rows;
  }

  /** false when the alias is taken. */
  async insert(db: Queryable, databaseId: string, alias: string, collectionId: string): Promise<boolean> {
    const { rowCount } = await db.query(
      `INSERT INTO vecgate_collection_aliases (database_id, alias, collection_id) VALUES ($1, $2, $3)
       ON CONFLICT (database_id, alias) DO NOTHING`,
      [databaseId, alias, collectionId],
    );
    return rowCount === 1;
  }

  /** false when there was no such alias. */
  async delete(db: Queryable, databaseId: string, alias: string): Promise<boolean> {
    const { rowCount } = await db.query(
      'DELETE FROM vecgate_collection_aliases WHERE database_id = $1 AND alias = $2',
      [databaseId, alias],
    );
    return rowCount === 1;
  }
}
