import type { Client } from 'pg';
import { progress } from './cli';
import type { Dataset } from './data';

/**
 * For the SQL-only benches (walk-cost, filtered-walk): a schema of their own, made afresh, holding
 * a table `t` of the shape of a record table (record-table.repository.ts), so that a row is as wide
 * as vecgate's, filled with `data` in batches of 500. The session searches the schema first and
 * runs without parallel workers, as vecgate's searches do. The caller drops the schema.
 */
export async function scratchRecordTable(db: Client, schema: string, data: Dataset, label: string): Promise<void> {
  await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await db.query(`CREATE SCHEMA ${schema}`);
  await db.query(`SET search_path = ${schema}, public`);
  await db.query(`SET max_parallel_workers_per_gather = 0`);
  await db.query(`SET maintenance_work_mem = '1GB'`);
  await db.query(`CREATE TABLE t (seq bigint GENERATED ALWAYS AS IDENTITY, namespace text NOT NULL DEFAULT '',
    id text NOT NULL, embedding vector(${data.dim}), sparse_embedding sparsevec, document text, uri text, metadata jsonb,
    PRIMARY KEY (namespace, id))`);
  progress(`loading ${data.records} ${label} records x ${data.dim}`);
  for (let start = 0; start < data.records; start += 500) {
    const batch = Array.from({ length: Math.min(500, data.records - start) }, (_, k) => data.record(start + k));
    await db.query(
      `INSERT INTO t (id, embedding, document, metadata)
       SELECT * FROM unnest($1::text[], $2::vector[], $3::text[], $4::jsonb[])`,
      [
        batch.map((r) => r.id),
        batch.map((r) => `[${r.embedding.join(',')}]`),
        batch.map((r) => r.document),
        batch.map((r) => JSON.stringify(r.metadata)),
      ],
    );
  }
}
