/**
 * The gateway's own record tables and catalog, read from DATABASE_URL with connections of the
 * harness's own: whether an index is built, a table's shape and size, and exact answers.
 */
import type { Client } from 'pg';
import type { AppConfig } from '../../src/config/app-config';
import { CollectionsRepository } from '../../src/core/collections/collections.repository';
import { RecordTableRepository } from '../../src/core/collections/record-table.repository';
import { TenantsRepository } from '../../src/core/tenants/tenants.repository';
import type { Queryable } from '../../src/database/database';
import { onePool } from './connect';

/** The schema of record tables (qualified() in record-table.repository.ts puts every table there). */
export const RECORD_SCHEMA = 'vecgate_records';
const MIB = 1024 * 1024;

/**
 * The record table the gateway made for a Pinecone index, read from its catalog on DATABASE_URL
 * through one connection of the bench's own: whether its HNSW index is built, and its shape.
 */
export interface GatewayTable {
  readonly table: string;
  /** Whether the table has a valid `<table>_hnsw` index (RecordTableRepository.hasIndex). */
  hasIndex(): Promise<boolean>;
  shape(): Promise<string[]>;
  close(): Promise<void>;
}

export async function openGatewayTable(
  databaseUrl: string,
  config: AppConfig,
  indexName: string,
): Promise<GatewayTable> {
  const pool = onePool(databaseUrl);
  try {
    const database = await new TenantsRepository().findDatabase(pool, config.defaultTenant, config.defaultDatabase);
    const collection = database && (await new CollectionsRepository().findByName(pool, database.id, indexName));
    if (!collection)
      throw new Error(
        `index ${indexName} is not in DATABASE_URL's catalog (${config.defaultTenant}/${config.defaultDatabase})`,
      );
    const tables = new RecordTableRepository();
    const table = collection.tableName;
    return {
      table: `${RECORD_SCHEMA}."${table}"`,
      hasIndex: () => tables.hasIndex(pool, table),
      shape: () => tableShape(pool, table),
      close: () => pool.end(),
    };
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
}

/**
 * The columns and index definitions of a record table, with its own name taken out, so that two
 * record tables can be compared: `format_type` of each column and `indexdef` from pg_indexes.
 */
export async function tableShape(db: Queryable, table: string): Promise<string[]> {
  const columns = await db.query(
    `SELECT a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END AS c
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [RECORD_SCHEMA, table],
  );
  const indexes = await db.query(
    `SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY indexname`,
    [RECORD_SCHEMA, table],
  );
  const strip = (s: string) => s.split(table).join('<table>');
  return [...columns.rows.map((r) => `column ${r.c}`), ...indexes.rows.map((r) => strip(String(r.indexdef)))];
}

export type Space = 'l2' | 'cosine' | 'ip';
const OPERATOR: Record<Space, string> = { l2: '<->', cosine: '<=>', ip: '<#>' };

/**
 * The exact top K of each query vector, from the record table itself with index scans turned off
 * (the HNSW index can only be read by an index scan, so the planner must scan and sort).
 * `buckets[i]`, when given, filters query i on metadata.bucket as the gateway's where does.
 */
export async function exactTopK(
  pg: Client,
  table: string,
  o: { space: Space; dim: number },
  k: number,
  vectors: number[][],
  buckets?: number[],
): Promise<string[][]> {
  if (!/^r_[0-9a-f]{32}$/.test(table)) throw new Error(`not a record table: ${table}`);
  const where = buckets ? `WHERE metadata @> jsonb_build_object('bucket', $2::int)` : '';
  const sql = `SELECT id FROM ${RECORD_SCHEMA}."${table}" ${where} ORDER BY embedding ${OPERATOR[o.space]} $1::vector(${o.dim}) LIMIT ${k}`;
  const out: string[][] = [];
  await pg.query('BEGIN');
  try {
    await pg.query('SET LOCAL enable_indexscan = off');
    for (let i = 0; i < vectors.length; i++) {
      const args = [`[${vectors[i].join(',')}]`, ...(buckets ? [buckets[i]] : [])];
      out.push((await pg.query(sql, args)).rows.map((r) => String(r.id)));
    }
  } finally {
    await pg.query('COMMIT');
  }
  return out;
}

/** What a record table takes on disk, in MiB (hnswMiB: absent when it has no HNSW index). */
export async function tableSizes(pg: Client, table: string) {
  const { rows } = await pg.query(
    `SELECT pg_table_size(c.oid) AS t, pg_indexes_size(c.oid) AS i,
          (SELECT pg_relation_size(x.indexrelid) FROM pg_index x JOIN pg_class xc ON xc.oid = x.indexrelid JOIN pg_am am ON am.oid = xc.relam
            WHERE x.indrelid = c.oid AND am.amname = 'hnsw' LIMIT 1) AS h
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $2 AND c.relname = $1`,
    [table, RECORD_SCHEMA],
  );
  if (!rows[0]) return undefined;
  const hnswMiB = rows[0].h === null ? undefined : Number(rows[0].h) / MIB;
  return { tableMiB: Number(rows[0].t) / MIB, indexesMiB: Number(rows[0].i) / MIB, hnswMiB };
}
