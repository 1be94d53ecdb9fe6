/**
 * "Direct SQL" for the Pinecone workload: the gateway's own record-table DDL and record SQL, called
 * from the bench process on a table of its own that receives a copy of the data. The DDL comes from
 * RecordTableRepository (create, setDimension, then analyze, buildIndex and vacuum once the load is
 * in, as IndexBuilder does), the statements from RecordsRepository, and the values from the
 * gateway's Pinecone mappers (index spec, upserted vectors, query vectors, filters, scores), so
 * they are the statements the gateway runs. What is left out is what the gateway adds around them:
 * HTTP and JSON, validation of the request, the catalog lookup of each call, and on upsert the
 * transaction with its advisory id locks and namespace registration.
 *
 * - With DATABASE_URL: one `pg` connection to that server (vecgate's database: the gateway's
 *   migrations are applied, a no-op when it has run there); the table is vecgate_records.r_<random
 *   uuid hex>, which no catalog row points to, dropped at the end.
 * - Otherwise: PGlite opened in this process as vecgate opens it (openEmbedded, then its
 *   migrations) in a fresh temporary directory, removed at the end.
 *
 * Every call into src/ is in this file; pinecone-workload.ts sees only the interfaces below.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@nestjs/common';
import { Client, Pool } from 'pg';
import { ALL_RECORD_INDEXES, type Collection, type NewCollection } from '../src/core/collections/collection.model';
import { CollectionsRepository } from '../src/core/collections/collections.repository';
import { RecordTableRepository, recordTableName } from '../src/core/collections/record-table.repository';
import type { AppConfig } from '../src/config/app-config';
import { loadConfig } from '../src/config/load-config';
import type { Database, Queryable } from '../src/database/database';
import { preparedStatementsPoolConfig } from '../src/database/prepared-statements';
import { openEmbedded } from '../src/database/embedded';
import { runMigrations } from '../src/database/migrator';
import { ALL } from '../src/core/filters/filter-ast';
import { parsePineconeFilter } from '../src/protocols/pinecone/pinecone-filter.parser';
import { newIndex } from '../src/protocols/pinecone/index-spec';
import { denseVector, recordFromVector, score } from '../src/protocols/pinecone/vectors.mapper';
import type { Include, Neighbour, RecordWrite } from '../src/core/records/record.model';
import { RecordsRepository } from '../src/core/records/records.repository';
import { narrowsTheTable, prefersExactSearch } from '../src/core/records/search-policy';
import { TenantsRepository } from '../src/core/tenants/tenants.repository';
import { SessionSettings } from './direct-records';

/** The schema of record tables (qualified() in record-table.repository.ts puts every table there). */
const RECORD_SCHEMA = 'vecgate_records';

/** What a Pinecone client sends: one vector of an upsert. */
export interface PineconeVector {
  id: string;
  values: number[];
  metadata: Record<string, unknown>;
}

export interface DirectMatch {
  id: string;
  score: number;
  metadata: Record<string, unknown> | null;
}

/** A batch already turned into the gateway's writes, so that timing covers the SQL only. */
export interface PreparedUpsert {
  records: RecordWrite[];
}

/** The gateway's settings that decide when and how an index is built (VECGATE_INDEX_*), from this process's environment. */
export function gatewayConfig(): AppConfig {
  return loadConfig(process.env);
}

/** The operations of the Pinecone workload on one index table, each what the gateway's service does minus its extras. */
export interface DirectIndex {
  /** The table, schema-qualified, to print. */
  readonly table: string;
  /** Queries whose approximate search came back short and were searched again exactly. */
  readonly exactRetries: number;
  prepareUpsert(vectors: PineconeVector[]): PreparedUpsert;
  upsert(namespace: string, batch: PreparedUpsert): Promise<number>;
  /** `filter`: a Pinecone filter, as the client sends it. */
  query(
    namespace: string,
    vector: number[],
    topK: number,
    filter: Record<string, unknown> | undefined,
  ): Promise<DirectMatch[]>;
  deleteWhere(namespace: string, filter: Record<string, unknown>): Promise<number>;
  deleteAll(namespace: string): Promise<number>;
  count(namespace: string): Promise<number>;
  /** Builds the HNSW index as IndexBuilder.build does on this backend. */
  buildIndex(): Promise<void>;
  /** Columns and index definitions (see tableShape). */
  shape(): Promise<string[]>;
  drop(): Promise<void>;
}

export interface DirectPinecone {
  /** What to print about the connection. */
  info: Record<string, string>;
  /** A new record table for a dense cosine index of `dimension`, made as the gateway makes one for createIndex. */
  createIndex(name: string, dimension: number): Promise<DirectIndex>;
  close(): Promise<void>;
}

// Nest's default logger writes to stdout, where the report goes.
const quiet = { log: () => {}, warn: () => {}, error: () => {} } as unknown as Logger;

/** A direct connection: to DATABASE_URL when given, else to a fresh in-process PGlite. */
export async function openDirectPinecone(databaseUrl: string | undefined, config: AppConfig): Promise<DirectPinecone> {
  let pool: Pool;
  let closeDb: () => Promise<void>;
  let backend: string;
  if (databaseUrl) {
    // One connection, kept open: calls are sequential, and session settings stay on it as they do
    // on a gateway connection.
    pool = new Pool({
      connectionString: databaseUrl,
      max: 1,
      idleTimeoutMillis: 0,
      connectionTimeoutMillis: 10_000,
      ...preparedStatementsPoolConfig(true),
    });
    pool.on('error', () => {}); // an idle connection's error surfaces on its next query
    closeDb = () => pool.end();
    backend = 'postgres, the gateway repository SQL over pg (one connection)';
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'vecgate-bench-ref-'));
    const embedded = await openEmbedded(dir);
    pool = embedded.pool;
    closeDb = async () => {
      await pool.end().catch(() => {});
      await embedded.close();
      rmSync(dir, { recursive: true, force: true });
    };
    backend = `PGlite in the bench process (${dir}), the gateway repository SQL`;
  }
  try {
    await runMigrations(pool, quiet);
    const { rows } = await pool.query(
      `SELECT current_setting('server_version') AS pg, (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS vector, 'vector'::regtype::oid::int AS oid`,
    );
    // The repository reads only the vector type's oid from Database (binary vector parameters).
    const records = new RecordsRepository({ vectorOid: rows[0].oid } as Database);
    const session = new SessionSettings();
    return {
      info: { backend, postgres: String(rows[0].pg), pgvector: String(rows[0].vector) },
      async createIndex(name, dimension) {
        const { collection, spec } = pineconeIndex(name, dimension, config);
        const index = new Index(pool, records, session, config, databaseUrl, collection, spec);
        await index.create();
        return index;
      },
      close: closeDb,
    };
  } catch (err) {
    await closeDb().catch(() => {});
    throw err;
  }
}

/**
 * The catalog entry the gateway would make for a serverless dense cosine index. It lives in a
 * database of its own (record counts are kept per catalog entry), with no dimension in the catalog
 * so that no gateway's index builder takes it up: the bench builds its index itself.
 */
function pineconeIndex(
  name: string,
  dimension: number,
  config: AppConfig,
): { collection: Collection; spec: NewCollection } {
  const spec = newIndex({
    name,
    dimension,
    metric: 'cosine',
    spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
  });
  const id = randomUUID();
  const collection: Collection = {
    id,
    name: spec.name,
    tenant: config.defaultTenant,
    database: `vecgate-bench-reference-${id}`,
    databaseId: randomUUID(),
    dimension: spec.dimension ?? null,
    metric: spec.metric,
    index: spec.index,
    metadata: spec.metadata,
    extras: spec.extras,
    schema: spec.schema,
    recordIndexes: ALL_RECORD_INDEXES,
    tableName: recordTableName(id),
    // Queried only once the bench has built its index.
    vectorIndexed: true,
    // The bench writes two namespaces (the second emptied by deleteAll), as its gateway index holds.
    namespaced: true,
    tuning: null,
    createdAt: new Date(),
  };
  return { collection, spec };
}

/** A Pinecone query with includeMetadata and without includeValues. */
const QUERY_INCLUDE: Include = { embeddings: false, sparse: false, metadatas: true, documents: false, uris: false };

/** Each method follows PineconeVectorsService and RecordsService (src/protocols/pinecone, src/records). */
class Index implements DirectIndex {
  private readonly tables = new RecordTableRepository();
  exactRetries = 0;

  constructor(
    private readonly pool: Pool,
    private readonly repository: RecordsRepository,
    private readonly session: SessionSettings,
    private readonly config: AppConfig,
    private readonly databaseUrl: string | undefined,
    private readonly collection: Collection,
    private readonly spec: NewCollection,
  ) {}

  get table(): string {
    return `${RECORD_SCHEMA}."${this.collection.tableName}"`;
  }

  /** As CollectionsService.create for an index whose dimension is known: the table, then its typed column. */
  async create(): Promise<void> {
    const { id, tenant, database, databaseId, tableName } = this.collection;
    await new TenantsRepository().insertDatabase(this.pool, databaseId, tenant, database);
    await new CollectionsRepository().insert(this.pool, id, databaseId, { ...this.spec, dimension: null }, tableName);
    await this.tables.create(this.pool, this.collection.tableName);
    await this.tables.setDimension(this.pool, this.collection.tableName, this.collection.dimension!);
  }

  prepareUpsert(vectors: PineconeVector[]): PreparedUpsert {
    return { records: vectors.map((v, k) => recordFromVector(this.collection, v, k)) };
  }

  /** Pinecone's upsert is a replace, then the record count; the gateway's transaction around them is left out. */
  async upsert(namespace: string, batch: PreparedUpsert): Promise<number> {
    const { written, inserted } = await this.repository.replace(this.pool, this.collection, namespace, batch.records);
    await this.repository.addToCount(this.pool, this.collection, namespace, inserted);
    return written;
  }

  /** As the service on an indexed table (the only kind queried here): exact when the filter and namespace keep few records, else the approximate search with its session settings, then the exact one when it came back short. */
  async query(
    namespace: string,
    vector: number[],
    topK: number,
    filter: Record<string, unknown> | undefined,
  ): Promise<DirectMatch[]> {
    const vectors = [denseVector(vector, 'vector')];
    const where = filter === undefined ? ALL : parsePineconeFilter(filter);
    const exactSearch = async (client: Queryable) =>
      (
        await this.repository.nearest(client, this.collection, {
          namespace,
          vectors,
          n: topK,
          filter: where,
          include: QUERY_INCLUDE,
          exact: true,
        })
      )[0];
    let list: Neighbour[];
    if (
      narrowsTheTable(where, namespace, this.collection) &&
      prefersExactSearch(await this.repository.estimateMatches(this.pool, this.collection, namespace, where))
    ) {
      list = await exactSearch(this.pool);
    } else {
      const client = await this.pool.connect();
      try {
        await this.session.apply(client, this.repository.searchSettings(this.collection, topK));
        [list] = await this.repository.nearest(client, this.collection, {
          namespace,
          vectors,
          n: topK,
          filter: where,
          include: QUERY_INCLUDE,
        });
        if (list.length < topK) {
          this.exactRetries++;
          list = await exactSearch(client);
        }
      } finally {
        client.release();
      }
    }
    return list.map((m) => ({ id: m.id, score: score(this.collection, m.distance), metadata: m.metadata ?? null }));
  }

  deleteWhere(namespace: string, filter: Record<string, unknown>): Promise<number> {
    return this.repository.delete(this.pool, this.collection, namespace, parsePineconeFilter(filter), null);
  }

  deleteAll(namespace: string): Promise<number> {
    return this.repository.delete(this.pool, this.collection, namespace, ALL, null);
  }

  count(namespace: string): Promise<number> {
    return this.repository.count(this.pool, this.collection, namespace);
  }

  /**
   * As IndexBuilder.build. On a real server: a connection of its own, named and with
   * maintenance_work_mem as the builder's, CREATE INDEX CONCURRENTLY. Embedded: in a transaction
   * with maintenance_work_mem capped at 512 MB, a plain CREATE INDEX. ANALYZE before the build and
   * VACUUM after it on both.
   */
  async buildIndex(): Promise<void> {
    const { tableName: table, dimension, metric, index } = this.collection;
    const memoryMb = this.config.indexing.buildMemoryMb;
    if (this.databaseUrl) {
      const conn = new Client({ connectionString: this.databaseUrl, connectionTimeoutMillis: 10_000 });
      await conn.connect();
      try {
        await this.tables.prepareBuildSession(conn, table, memoryMb);
        await this.tables.analyze(conn, table);
        await this.tables.buildIndex(conn, table, dimension!, metric, index, true);
        await this.tables.vacuum(conn, table);
      } finally {
        await conn.end().catch(() => {});
      }
      return;
    }
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await this.tables.prepareBuildSession(client, table, Math.min(memoryMb, 512), true);
      await this.tables.analyze(client, table);
      await this.tables.buildIndex(client, table, dimension!, metric, index);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
    await this.tables.vacuum(this.pool, table);
  }

  shape(): Promise<string[]> {
    return tableShape(this.pool, this.collection.tableName);
  }

  async drop(): Promise<void> {
    await this.tables.drop(this.pool, this.collection.tableName);
    await new TenantsRepository().deleteDatabase(this.pool, this.collection.databaseId);
  }
}

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
  const pool = new Pool({
    connectionString: databaseUrl,
    max: 1,
    idleTimeoutMillis: 0,
    connectionTimeoutMillis: 10_000,
    ...preparedStatementsPoolConfig(true),
  });
  pool.on('error', () => {});
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
async function tableShape(db: Queryable, table: string): Promise<string[]> {
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
