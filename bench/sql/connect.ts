/** The harness's own connections to Postgres: one-connection pools, scratch tables and databases. */
import { Client, Pool } from 'pg';
import type { Database, Queryable } from '../../src/database/database';
import { preparedStatementsPoolConfig, type Planning } from '../../src/database/prepared-statements';
import { withoutJit } from '../../src/database/server-pools';
import type { Collection } from '../../src/core/collections/collection.model';
import type { Neighbour } from '../../src/core/records/record.model';
import { RecordsRepository } from '../../src/core/records/records.repository';
import { narrowsTheTable, prefersExactSearch } from '../../src/core/records/search-policy';
import type { Dataset } from '../data';
import { progress } from '../report';

/**
 * One connection, kept open: calls are sequential, and session settings and prepared statements
 * stay on it as they do on a gateway connection (`planning` as the gateway's pools plan, JIT off).
 */
export function onePool(databaseUrl: string, planning?: Planning): Pool {
  const pool = new Pool({
    connectionString: databaseUrl,
    max: 1,
    idleTimeoutMillis: 0,
    connectionTimeoutMillis: 10_000,
    ...withoutJit(preparedStatementsPoolConfig(true, planning)),
  });
  pool.on('error', () => {}); // an idle connection's error surfaces on its next query
  return pool;
}

/** The server's versions to print, and the gateway's RecordsRepository for it (it reads only the vector type's oid). */
export async function probe(
  db: Queryable,
): Promise<{ postgres: string; pgvector: string; repository: RecordsRepository }> {
  const { rows } = await db.query(
    `SELECT current_setting('server_version') AS pg, (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS vector, 'vector'::regtype::oid::int AS oid`,
  );
  return {
    postgres: String(rows[0].pg),
    pgvector: String(rows[0].vector),
    repository: new RecordsRepository({ vectorOid: rows[0].oid } as Database),
  };
}

/**
 * As Database.withSessionSettings: a set_config round trip only when the settings change. One per
 * connection (or per PGlite database, which is one session whatever the pool hands out).
 */
export class SessionSettings {
  private readonly current = new Map<string, string>();

  async apply(client: Queryable, settings: Record<string, string>): Promise<void> {
    const changed = Object.entries(settings).filter(([name, value]) => this.current.get(name) !== value);
    if (changed.length === 0) return;
    const calls = changed.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, false)`).join(', ');
    await client.query(`SELECT ${calls}`, changed.flat());
    for (const [name, value] of changed) this.current.set(name, value);
  }
}

type Search = Parameters<RecordsRepository['nearest']>[2];

/**
 * A search as RecordsService runs it on an indexed table (the only kind timed here): exact when the
 * filter keeps few records, else the approximate search with the collection's session settings on
 * the connection `conn` gives (by whether the filter narrows the table), then the exact one when
 * it came back short (`retried`).
 */
export async function serviceSearch(
  repository: RecordsRepository,
  pool: Pool,
  collection: Collection,
  conn: (narrows: boolean) => { pool: Pool; session: SessionSettings },
  search: Omit<Search, 'exact'>,
): Promise<{ list: Neighbour[]; retried: boolean }> {
  const exact = async (db: Queryable) => (await repository.nearest(db, collection, { ...search, exact: true }))[0];
  const narrows = narrowsTheTable(search.filter, search.namespace, collection);
  if (
    narrows &&
    prefersExactSearch(await repository.estimateMatches(pool, collection, search.namespace, search.filter))
  ) {
    return { list: await exact(pool), retried: false };
  }
  const { pool: own, session } = conn(narrows);
  const client = await own.connect();
  try {
    await session.apply(client, repository.searchSettings(collection, search.n));
    const [list] = await repository.nearest(client, collection, search);
    return list.length >= search.n ? { list, retried: false } : { list: await exact(client), retried: true };
  } finally {
    client.release();
  }
}

/**
 * For the SQL-only workloads (walk, filtered-walk): a schema of their own, made afresh, holding a
 * table `t` of the shape of a record table (record-table.repository.ts), so that a row is as wide
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
    const batch = data.batch(start, 500);
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

/** A fresh database on the DATABASE_URL server, and its dropper. */
export async function scratchDatabase(base: string, name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = async (sql: string[]) => {
    const c = new Client({ connectionString: base });
    await c.connect();
    for (const statement of sql) await c.query(statement);
    await c.end();
  };
  await admin([`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, `CREATE DATABASE ${name}`]);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin([`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]) };
}
