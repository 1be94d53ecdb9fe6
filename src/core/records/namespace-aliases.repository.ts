import { Injectable } from '@nestjs/common';
import { Queryable } from '../../database/database';
import type { NamespaceAlias, NamespaceAliasQuery } from './namespace-alias.model';

interface AliasRow {
  name: string;
  target: string;
  created_at: Date;
  updated_at: Date;
}

function toAlias(row: AliasRow): NamespaceAlias {
  return { name: row.name, target: row.target, createdAt: row.created_at, updatedAt: row.updated_at };
}

/** Now, to the millisecond (as the API shows it). */
const NOW = "date_trunc('milliseconds', clock_timestamp())";

/** A collection's namespace aliases (vecgate_namespace_aliases; names sort bytewise by their column's collation). */
@Injectable()
export class NamespaceAliasesRepository {
  async get(db: Queryable, collectionId: string, name: string): Promise<NamespaceAlias | undefined> {
    const { rows } = await db.query<AliasRow>(
      'SELECT name, target, created_at, updated_at FROM vecgate_namespace_aliases WHERE collection_id = $1 AND name = $2',
      [collectionId, name],
    );
    return rows[0] && toAlias(rows[0]);
  }

  /** The target of the alias `name`, or null when no alias has that name. */
  async target(db: Queryable, collectionId: string, name: string): Promise<string | null> {
    const { rows } = await db.query<{ target: string }>(
      'SELECT target FROM vecgate_namespace_aliases WHERE collection_id = $1 AND name = $2',
      [collectionId, name],
    );
    return rows[0]?.target ?? null;
  }

  async list(db: Queryable, collectionId: string, q: NamespaceAliasQuery): Promise<NamespaceAlias[]> {
    const { rows } = await db.query<AliasRow>(
      `SELECT name, target, created_at, updated_at FROM vecgate_namespace_aliases
       WHERE collection_id = $1 AND starts_with(name, $2) AND ($3::text IS NULL OR target = $3)
         AND ($4::text IS NULL OR name > $4)
       ORDER BY name LIMIT $5`,
      [collectionId, q.prefix, q.target, q.after, q.limit],
    );
    return rows.map(toAlias);
  }

  async count(db: Queryable, collectionId: string, prefix = '', target: string | null = null): Promise<number> {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM vecgate_namespace_aliases
       WHERE collection_id = $1 AND starts_with(name, $2) AND ($3::text IS NULL OR target = $3)`,
      [collectionId, prefix, target],
    );
    return rows[0].n;
  }

  /** Whether some alias names `namespace` as its target. */
  async targeted(db: Queryable, collectionId: string, namespace: string): Promise<boolean> {
    const { rowCount } = await db.query(
      'SELECT 1 FROM vecgate_namespace_aliases WHERE collection_id = $1 AND target = $2 LIMIT 1',
      [collectionId, namespace],
    );
    return rowCount === 1;
  }

  async insert(db: Queryable, collectionId: string, name: string, target: string): Promise<NamespaceAlias> {
    const { rows } = await db.query<AliasRow>(
      `INSERT INTO vecgate_namespace_aliases (collection_id, name, target, created_at, updated_at)
       SELECT $1, $2, $3, t, t FROM (SELECT ${NOW} AS t) now
       RETURNING name, target, created_at, updated_at`,
      [collectionId, name, target],
    );
    return toAlias(rows[0]);
  }

  /** Points the alias at `target`; its updated_at advances on every call, to the same target too. */
  async repoint(
    db: Queryable,
    collectionId: string,
    name: string,
    target: string,
  ): Promise<NamespaceAlias | undefined> {
    const { rows } = await db.query<AliasRow>(
      `UPDATE vecgate_namespace_aliases
       SET target = $3, updated_at = greatest(${NOW}, updated_at + interval '1 millisecond')
       WHERE collection_id = $1 AND name = $2
       RETURNING name, target, created_at, updated_at`,
      [collectionId, name, target],
    );
    return rows[0] && toAlias(rows[0]);
  }

  async delete(db: Queryable, collectionId: string, name: string): Promise<boolean> {
    const { rowCount } = await db.query(
      'DELETE FROM vecgate_namespace_aliases WHERE collection_id = $1 AND name = $2',
      [collectionId, name],
    );
    return rowCount === 1;
  }
}
