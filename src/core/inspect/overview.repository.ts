import { Injectable } from '@nestjs/common';
import type { Queryable } from '../../database/queryable';
import { keyObjectValid, type KeyIndexKind } from '../collections/range-index.repository';
import type { Scope } from '../scope';

export interface DatabaseEntry {
  tenant: string;
  name: string;
  id: string;
}

export interface RangeKeyState {
  key: string[];
  kind: KeyIndexKind;
  /** Its index is built and valid. */
  ready: boolean;
}

/** An index build under way, as Postgres reports it (pg_stat_progress_create_index). */
export interface IndexBuild {
  table: string;
  phase: string;
  /** Of the phase, when Postgres counts it. */
  progress: number | null;
}

export interface JobRow {
  kind: 'import' | 'backup' | 'restore';
  id: string;
  tenant: string;
  database: string;
  /** The collection it reads or writes. */
  collection: string;
  /** The backup's name; null for others. */
  name: string | null;
  state: string;
  percent: number | null;
  records: number | null;
  error: string | null;
  createdAt: Date;
}

/** Jobs the console lists at most, of each kind, newest first. */
export const OVERVIEW_MAX_JOBS = 100;

/** How many tenants and databases the console lists at most (each with its collections). */
export const OVERVIEW_MAX_DATABASES = 200;

/** Catalog reads for the console's overview: what exists, its size on disk, builds under way. */
@Injectable()
export class OverviewRepository {
  /** Tenants (a key's only, when given) with their databases (a key's only, when it names them). */
  async tenants(
    db: Queryable,
    tenant: string | null,
    databases: string[] | null,
  ): Promise<{ tenants: string[]; databases: DatabaseEntry[] }> {
    const tenants = await db.query<{ name: string }>(
      `SELECT name FROM vecgate_tenants WHERE $1::text IS NULL OR name = $1 ORDER BY name LIMIT $2`,
      [tenant, OVERVIEW_MAX_DATABASES],
    );
    const { rows } = await db.query<DatabaseEntry>(
      `SELECT tenant, name, id FROM vecgate_databases
        WHERE ($1::text IS NULL OR tenant = $1) AND ($2::text[] IS NULL OR name = ANY($2::text[]))
        ORDER BY tenant, name LIMIT $3`,
      [tenant, databases, OVERVIEW_MAX_DATABASES],
    );
    return { tenants: tenants.rows.map((r) => r.name), databases: rows };
  }

  /** The tenant and database of a collection, by id (the caller checked it is a uuid). */
  async scopeOf(db: Queryable, collectionId: string): Promise<Scope | undefined> {
    const { rows } = await db.query<Scope>(
      `SELECT d.tenant, d.name AS database FROM vecgate_collections c JOIN vecgate_databases d ON d.id = c.database_id
        WHERE c.id = $1::uuid`,
      [collectionId],
    );
    return rows[0];
  }

  /** Bytes on disk of each record table, its indexes and TOAST included. */
  async sizes(db: Queryable, tables: string[]): Promise<Map<string, number>> {
    const { rows } = await db.query<{ t: string; bytes: number }>(
      `SELECT t, coalesce(pg_total_relation_size(to_regclass('vecgate_records.' || quote_ident(t))), 0)::float8 AS bytes
         FROM unnest($1::text[]) AS t`,
      [tables],
    );
    return new Map(rows.map((r) => [r.t, r.bytes]));
  }

  /** Records of each namespace that holds any, from the counts the writes keep (no table is read). */
  async namespaces(db: Queryable, collectionIds: string[]): Promise<Map<string, { name: string; records: number }[]>> {
    const { rows } = await db.query<{ collection_id: string; namespace: string; n: number }>(
      `SELECT collection_id, namespace, sum(n)::float8 AS n FROM vecgate_record_counts
        WHERE collection_id = ANY($1::uuid[]) GROUP BY collection_id, namespace HAVING sum(n) > 0
        ORDER BY collection_id, namespace COLLATE "C"`,
      [collectionIds],
    );
    const byCollection = new Map<string, { name: string; records: number }[]>();
    for (const r of rows) {
      const list = byCollection.get(r.collection_id) ?? [];
      list.push({ name: r.namespace, records: r.n });
      byCollection.set(r.collection_id, list);
    }
    return byCollection;
  }

  /** The keys noted for an index, by collection, with whether that index is ready. */
  async rangeKeys(db: Queryable, collectionIds: string[]): Promise<Map<string, RangeKeyState[]>> {
    const { rows } = await db.query<{ collection_id: string; key: string[]; kind: KeyIndexKind; ready: boolean }>(
      `SELECT k.collection_id, k.key, k.kind,
              coalesce(${keyObjectValid('k', 'c')}, false) AS ready
         FROM vecgate_range_keys k JOIN vecgate_collections c ON c.id = k.collection_id
        WHERE k.collection_id = ANY($1::uuid[]) ORDER BY k.id`,
      [collectionIds],
    );
    const byCollection = new Map<string, RangeKeyState[]>();
    for (const r of rows) {
      const list = byCollection.get(r.collection_id) ?? [];
      list.push({ key: r.key, kind: r.kind, ready: r.ready });
      byCollection.set(r.collection_id, list);
    }
    return byCollection;
  }

  /** Index builds under way on record tables, by table (Postgres only: PGlite builds in one statement, unobserved). */
  async builds(db: Queryable): Promise<Map<string, IndexBuild>> {
    const { rows } = await db.query<{
      t: string;
      phase: string;
      blocks_done: string;
      blocks_total: string;
      tuples_done: string;
      tuples_total: string;
    }>(
      `SELECT c.relname AS t, p.phase, p.blocks_done, p.blocks_total, p.tuples_done, p.tuples_total
         FROM pg_stat_progress_create_index p JOIN pg_class c ON c.oid = p.relid
        WHERE c.relnamespace = 'vecgate_records'::regnamespace`,
    );
    const builds = new Map<string, IndexBuild>();
    for (const r of rows) {
      const [done, total] =
        Number(r.tuples_total) > 0
          ? [Number(r.tuples_done), Number(r.tuples_total)]
          : [Number(r.blocks_done), Number(r.blocks_total)];
      builds.set(r.t, { table: r.t, phase: r.phase, progress: total > 0 ? Math.min(1, done / total) : null });
    }
    return builds;
  }

  /**
   * Bulk imports, backups and restores (a key's tenant and databases only), newest first. An
   * import's source URI is left out: it may carry credentials.
   */
  async jobs(db: Queryable, tenant: string | null, databases: string[] | null): Promise<JobRow[]> {
    const { rows } = await db.query<JobRow>(
      `WITH scope AS (
         SELECT id, tenant, name FROM vecgate_databases
          WHERE ($1::text IS NULL OR tenant = $1) AND ($2::text[] IS NULL OR name = ANY($2::text[])))
       (SELECT 'import' AS kind, i.id::text AS id, s.tenant, s.name AS database, c.name AS collection, NULL AS name,
               i.status AS state, i.percent_complete::float8 AS percent, i.records_imported::float8 AS records,
               i.error, i.created_at AS "createdAt"
          FROM vecgate_imports i JOIN vecgate_collections c ON c.id = i.collection_id JOIN scope s ON s.id = c.database_id
         ORDER BY i.created_at DESC LIMIT $3)
       UNION ALL
       (SELECT 'backup', b.id::text, s.tenant, s.name, b.source_name, b.name, 'Ready', 100, b.record_count::float8,
               NULL, b.created_at
          FROM vecgate_backups b JOIN scope s ON s.id = b.database_id
         ORDER BY b.created_at DESC LIMIT $3)
       UNION ALL
       (SELECT 'restore', r.id::text, s.tenant, s.name, r.target_name, NULL, r.status, r.percent_complete::float8, NULL,
               NULL, r.created_at
          FROM vecgate_restore_jobs r JOIN scope s ON s.id = r.database_id
         ORDER BY r.created_at DESC LIMIT $3)`,
      [tenant, databases, OVERVIEW_MAX_JOBS],
    );
    return rows;
  }
}
