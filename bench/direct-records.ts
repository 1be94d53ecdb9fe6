/**
 * "Direct SQL" for the Chroma workload: the gateway's own record SQL, sent straight to Postgres with
 * pg from the bench process. The statements come from the gateway's repository classes and the
 * request values from its own Chroma mappers (filters, include lists, vectors, add payloads), so
 * they are the statements the gateway runs; what is left out is what the gateway adds around them:
 * HTTP and JSON, validation, the catalog lookup of each call, and on add the transaction with its
 * advisory id locks and namespace registration.
 *
 * Every call into src/ is in this file (the repository's signatures change with the gateway);
 * chroma-workload.ts sees only the DirectRecords interface.
 */
import { Pool } from 'pg';
import type { Collection } from '../src/core/collections/collection.model';
import { CollectionsRepository } from '../src/core/collections/collections.repository';
import type { Database, Queryable } from '../src/database/database';
import { preparedStatementsPoolConfig, type Planning } from '../src/database/prepared-statements';
import type { RecordSetDto } from '../src/protocols/chroma/dto/records.dto';
import {
  DEFAULT_GET_INCLUDE,
  DEFAULT_QUERY_INCLUDE,
  filterFrom,
  parseInclude,
  queryVectors,
  recordsFromPayload,
} from '../src/protocols/chroma/records.mapper';
import { type RecordWrite } from '../src/core/records/record.model';
import { RecordsRepository } from '../src/core/records/records.repository';
import { narrowsTheTable, prefersExactSearch } from '../src/core/records/search-policy';
import { DEFAULT_NAMESPACE } from '../src/core/scope';

/** ids and a Chroma `where`, AND-ed as in a Chroma request. */
export interface Selection {
  ids?: string[];
  where?: Record<string, unknown>;
}

export interface DirectRow {
  id: string;
  metadata?: Record<string, unknown> | null;
}

/** One add batch in Chroma's column form. */
export interface AddColumns {
  ids: string[];
  embeddings: number[][];
  documents?: string[];
  metadatas?: Record<string, unknown>[];
}

/** A batch already turned into the gateway's writes, so that timing covers the SQL only. */
export interface PreparedAdd {
  records: RecordWrite[];
}

/** The operations of the Chroma workload on one collection, each what the gateway's service does minus its extras. */
export interface DirectRecords {
  get(selection: Selection, include: string[]): Promise<DirectRow[]>;
  query(
    vector: number[],
    n: number,
    where: Record<string, unknown> | undefined,
    include: string[],
  ): Promise<DirectRow[]>;
  delete(selection: Selection): Promise<number>;
  count(): Promise<number>;
  prepareAdd(batch: AddColumns): PreparedAdd;
  add(batch: PreparedAdd): Promise<number>;
}

export interface DirectSql {
  /** What to print about the connection. */
  info: Record<string, string>;
  /** The collection the gateway created, read from its catalog once. */
  records(collectionId: string): Promise<DirectRecords>;
  close(): Promise<void>;
}

export async function openDirectSql(databaseUrl: string): Promise<DirectSql> {
  // One connection, kept open: calls are sequential, and session settings and prepared statements
  // stay on it as they do on a gateway connection. A second one plans once, as the gateway's
  // connections for unfiltered searches do (Database.withSessionSettings).
  const connect = (planning: Planning) => {
    const pool = new Pool({
      connectionString: databaseUrl,
      max: 1,
      idleTimeoutMillis: 0,
      connectionTimeoutMillis: 10_000,
      ...preparedStatementsPoolConfig(true, planning),
    });
    pool.on('error', () => {}); // an idle connection's error surfaces on its next query
    return pool;
  };
  const pool = connect('per-call');
  const planOncePool = connect('once');
  try {
    const { rows } = await pool.query(
      `SELECT current_setting('server_version') AS pg, (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS vector, 'vector'::regtype::oid::int AS oid`,
    );
    // The repository reads only the vector type's oid from Database (binary vector parameters).
    const repository = new RecordsRepository({ vectorOid: rows[0].oid } as Database);
    const catalog = new CollectionsRepository();
    return {
      info: {
        backend: 'postgres, the gateway repository SQL over pg (one connection)',
        postgres: String(rows[0].pg),
        pgvector: String(rows[0].vector),
      },
      async records(collectionId) {
        const collection = await catalog.findById(pool, collectionId);
        if (!collection)
          throw new Error(
            `collection ${collectionId} is not in DATABASE_URL's catalog (is vecgate running on another database?)`,
          );
        return new Records(pool, { pool: planOncePool, session: new SessionSettings() }, repository, collection);
      },
      close: async () => void (await Promise.all([pool.end(), planOncePool.end()])),
    };
  } catch (err) {
    await Promise.all([pool.end(), planOncePool.end()]).catch(() => {});
    throw err;
  }
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

/** Each method follows RecordsService's method of the same job (src/core/records/records.service.ts). */
class Records implements DirectRecords {
  constructor(
    private readonly pool: Pool,
    /** The connection for unfiltered searches, planning once. */
    private readonly planOnce: { pool: Pool; session: SessionSettings },
    private readonly repository: RecordsRepository,
    private readonly collection: Collection,
  ) {}
  private readonly session = new SessionSettings();

  get(selection: Selection, include: string[]): Promise<DirectRow[]> {
    const filter = filterFrom(selection);
    return this.repository.find(this.pool, this.collection, {
      namespace: DEFAULT_NAMESPACE,
      filter,
      include: parseInclude(include, DEFAULT_GET_INCLUDE).include,
      limit: null,
      offset: 0,
    });
  }

  /** As the service on an indexed table (the only kind timed here): exact when the filter keeps few records, else the approximate search, then the exact one when it came back short. */
  async query(
    vector: number[],
    n: number,
    where: Record<string, unknown> | undefined,
    include: string[],
  ): Promise<DirectRow[]> {
    const vectors = queryVectors([vector]);
    const filter = filterFrom({ where });
    const wanted = parseInclude(include, DEFAULT_QUERY_INCLUDE).include;
    const exactSearch = async (client: Queryable) =>
      (
        await this.repository.nearest(client, this.collection, {
          namespace: DEFAULT_NAMESPACE,
          vectors,
          n,
          filter,
          include: wanted,
          exact: true,
        })
      )[0];
    const narrows = narrowsTheTable(filter, DEFAULT_NAMESPACE, this.collection);
    if (
      narrows &&
      prefersExactSearch(await this.repository.estimateMatches(this.pool, this.collection, DEFAULT_NAMESPACE, filter))
    ) {
      return exactSearch(this.pool);
    }
    const { pool, session } = narrows ? { pool: this.pool, session: this.session } : this.planOnce;
    const client = await pool.connect();
    try {
      await session.apply(client, this.repository.searchSettings(this.collection, n));
      const [list] = await this.repository.nearest(client, this.collection, {
        namespace: DEFAULT_NAMESPACE,
        vectors,
        n,
        filter,
        include: wanted,
      });
      return list.length >= n ? list : await exactSearch(client);
    } finally {
      client.release();
    }
  }

  delete(selection: Selection): Promise<number> {
    return this.repository.delete(this.pool, this.collection, DEFAULT_NAMESPACE, filterFrom(selection), null);
  }

  count(): Promise<number> {
    return this.repository.count(this.pool, this.collection, DEFAULT_NAMESPACE);
  }

  prepareAdd(batch: AddColumns): PreparedAdd {
    return { records: recordsFromPayload(batch as RecordSetDto, 'add') };
  }

  /** Chroma's add is insertNew, then the record count; the gateway's transaction around them is left out. */
  async add(batch: PreparedAdd): Promise<number> {
    const inserted = await this.repository.insertNew(this.pool, this.collection, DEFAULT_NAMESPACE, batch.records);
    await this.repository.addToCount(this.pool, this.collection, DEFAULT_NAMESPACE, inserted.size);
    return inserted.size;
  }
}
