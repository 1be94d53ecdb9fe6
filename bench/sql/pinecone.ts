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
 * Every call into src/ for the Pinecone workload is in this file; the workload sees PineconeTarget.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@nestjs/common';
import { Client, type Pool } from 'pg';
import { ALL_RECORD_INDEXES, type Collection, type NewCollection } from '../../src/core/collections/collection.model';
import { CollectionsRepository } from '../../src/core/collections/collections.repository';
import { RecordTableRepository, recordTableName } from '../../src/core/collections/record-table.repository';
import type { AppConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/load-config';
import { openEmbedded } from '../../src/database/embedded';
import { runMigrations } from '../../src/database/migrator';
import { ALL } from '../../src/core/filters/filter-ast';
import { parsePineconeFilter } from '../../src/protocols/pinecone/pinecone-filter.parser';
import { newIndex } from '../../src/protocols/pinecone/index-spec';
import { denseVector, recordFromVector, score } from '../../src/protocols/pinecone/vectors.mapper';
import type { Include, RecordWrite } from '../../src/core/records/record.model';
import type { RecordsRepository } from '../../src/core/records/records.repository';
import { TenantsRepository } from '../../src/core/tenants/tenants.repository';
import type { Match, PineconeFilter, PineconeTarget, PineconeVector } from '../clients/pinecone';
import { onePool, probe, serviceSearch, SessionSettings } from './connect';
import { RECORD_SCHEMA, tableShape } from './tables';

/** A batch already turned into the gateway's writes, so that timing covers the SQL only. */
export interface PreparedUpsert {
  records: RecordWrite[];
}

/** The gateway's settings that decide when and how an index is built (VECGATE_INDEX_*), from this process's environment. */
export function gatewayConfig(): AppConfig {
  return loadConfig(process.env);
}

// Nest's default logger writes to stdout, where the report goes.
const quiet = { log: () => {}, warn: () => {}, error: () => {} } as unknown as Logger;

/** A direct connection: to DATABASE_URL when given, else to a fresh in-process PGlite. */
export async function openDirectPinecone(databaseUrl: string | undefined, config: AppConfig) {
  let pool: Pool;
  let closeDb: () => Promise<void>;
  let backend: string;
  if (databaseUrl) {
    pool = onePool(databaseUrl);
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
    const { postgres, pgvector, repository } = await probe(pool);
    const session = new SessionSettings();
    return {
      info: { backend, postgres, pgvector },
      /** A new record table for a dense cosine index of `dimension`, made as the gateway makes one for createIndex. */
      async createIndex(name: string, dimension: number) {
        const { collection, spec } = pineconeIndex(name, dimension, config);
        const index = new DirectIndex(pool, repository, session, config, databaseUrl, collection, spec);
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
    vectors: [],
    textFields: [],
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

/**
 * The reference's index: the Pinecone workload's operations on a record table of its own, each
 * following PineconeVectorsService and RecordsService (src/protocols/pinecone, src/core/records).
 */
export class DirectIndex implements PineconeTarget<PreparedUpsert> {
  private readonly tables = new RecordTableRepository();
  /** Queries whose approximate search came back short and were searched again exactly. */
  exactRetries = 0;

  constructor(
    private readonly pool: Pool,
    private readonly repository: RecordsRepository,
    session: SessionSettings,
    private readonly config: AppConfig,
    private readonly databaseUrl: string | undefined,
    private readonly collection: Collection,
    private readonly spec: NewCollection,
  ) {
    this.conn = { pool, session };
  }
  private readonly conn: { pool: Pool; session: SessionSettings };

  /** The table, schema-qualified, to print. */
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

  prepare(vectors: PineconeVector[]): PreparedUpsert {
    return { records: vectors.map((v, k) => recordFromVector(this.collection, v, k)) };
  }

  /** Pinecone's upsert is a replace, then the record count; the gateway's transaction around them is left out. */
  async upsert(namespace: string, batch: PreparedUpsert): Promise<number> {
    const { written, inserted } = await this.repository.replace(this.pool, this.collection, namespace, batch.records);
    await this.repository.addToCount(this.pool, this.collection, namespace, inserted);
    return written;
  }

  /** As the service on an indexed table (the only kind queried here): see serviceSearch. */
  async query(namespace: string, vector: number[], topK: number, filter: PineconeFilter | undefined): Promise<Match[]> {
    const { list, retried } = await serviceSearch(this.repository, this.pool, this.collection, () => this.conn, {
      namespace,
      vectors: [denseVector(vector, 'vector')],
      n: topK,
      filter: filter === undefined ? ALL : parsePineconeFilter(filter),
      include: QUERY_INCLUDE,
    });
    if (retried) this.exactRetries++;
    return list.map((m) => ({ id: m.id, score: score(this.collection, m.distance), metadata: m.metadata ?? null }));
  }

  deleteWhere(namespace: string, filter: PineconeFilter): Promise<number> {
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
  async indexReady(): Promise<void> {
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
