/**
 * "Direct SQL" for the Chroma workload: the gateway's own record SQL, sent straight to Postgres with
 * pg from the bench process. The statements come from the gateway's repository classes and the
 * request values from its own Chroma mappers (filters, include lists, vectors, add payloads), so
 * they are the statements the gateway runs; what is left out is what the gateway adds around them:
 * HTTP and JSON, validation, the catalog lookup of each call, and on add the transaction with its
 * advisory id locks and namespace registration.
 *
 * Every call into src/ for the Chroma workloads is in this file (the repository's signatures change
 * with the gateway).
 */
import type { Pool } from 'pg';
import type { Collection } from '../../src/core/collections/collection.model';
import { CollectionsRepository } from '../../src/core/collections/collections.repository';
import type { RecordSetDto } from '../../src/protocols/chroma/dto/records.dto';
import {
  DEFAULT_GET_INCLUDE,
  DEFAULT_QUERY_INCLUDE,
  filterFrom,
  parseInclude,
  queryVectors,
  recordsFromPayload,
} from '../../src/protocols/chroma/records.mapper';
import type { RecordWrite } from '../../src/core/records/record.model';
import type { RecordsRepository } from '../../src/core/records/records.repository';
import { DEFAULT_NAMESPACE } from '../../src/core/scope';
import type { AddBatch } from '../data';
import { onePool, probe, serviceSearch, SessionSettings } from './connect';

/** ids and a Chroma `where`, AND-ed as in a Chroma request. */
export type Selection = { ids?: string[]; where?: Record<string, unknown> };

/** A batch already turned into the gateway's writes, so that timing covers the SQL only. */
export type PreparedAdd = { records: RecordWrite[] };

export type DirectSql = Awaited<ReturnType<typeof openDirectSql>>;

/** One connection to DATABASE_URL and a second that plans once; `records` reads the collection from the gateway's catalog. */
export async function openDirectSql(databaseUrl: string) {
  const pool = onePool(databaseUrl, 'per-call');
  const planOncePool = onePool(databaseUrl, 'once');
  const close = async () => void (await Promise.all([pool.end(), planOncePool.end()]));
  try {
    const { postgres, pgvector, repository } = await probe(pool);
    const catalog = new CollectionsRepository();
    return {
      info: { backend: 'postgres, the gateway repository SQL over pg (one connection)', postgres, pgvector },
      async records(collectionId: string) {
        const collection = await catalog.findById(pool, collectionId);
        if (!collection)
          throw new Error(
            `collection ${collectionId} is not in DATABASE_URL's catalog (is vecgate running on another database?)`,
          );
        return new DirectRecords(pool, { pool: planOncePool, session: new SessionSettings() }, repository, collection);
      },
      /** Index builds running in this database now (the gateway's own, or a rebuild larger), which indexing_status does not show. */
      async buildsRunning(): Promise<number> {
        const { rows } = await pool.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM pg_stat_progress_create_index WHERE datname = current_database()',
        );
        return rows[0].n;
      },
      close,
    };
  } catch (err) {
    await close().catch(() => {});
    throw err;
  }
}

/**
 * The operations of the Chroma workloads on one collection, each following RecordsService's method
 * of the same job (src/core/records/records.service.ts) minus its extras.
 */
export class DirectRecords {
  constructor(
    private readonly pool: Pool,
    /** The connection for unfiltered searches, planning once. */
    private readonly planOnce: { pool: Pool; session: SessionSettings },
    private readonly repository: RecordsRepository,
    private readonly collection: Collection,
  ) {}
  private readonly session = new SessionSettings();

  get(selection: Selection, include: string[]) {
    const filter = filterFrom(selection);
    return this.repository.find(this.pool, this.collection, {
      namespace: DEFAULT_NAMESPACE,
      filter,
      include: parseInclude(include, DEFAULT_GET_INCLUDE).include,
      limit: null,
      offset: 0,
    });
  }

  /** As the service on an indexed table: see serviceSearch; unfiltered searches on the connection that plans once. */
  async query(vector: number[], n: number, where: Record<string, unknown> | undefined, include: string[]) {
    const search = {
      namespace: DEFAULT_NAMESPACE,
      vectors: queryVectors([vector]),
      n,
      filter: filterFrom({ where }),
      include: parseInclude(include, DEFAULT_QUERY_INCLUDE).include,
    };
    const conn = (narrows: boolean) => (narrows ? { pool: this.pool, session: this.session } : this.planOnce);
    return (await serviceSearch(this.repository, this.pool, this.collection, conn, search)).list;
  }

  delete(selection: Selection): Promise<number> {
    return this.repository.delete(this.pool, this.collection, DEFAULT_NAMESPACE, filterFrom(selection), null);
  }

  count(): Promise<number> {
    return this.repository.count(this.pool, this.collection, DEFAULT_NAMESPACE);
  }

  prepareAdd(batch: AddBatch): PreparedAdd {
    return { records: recordsFromPayload(batch as unknown as RecordSetDto, 'add') };
  }

  /** Chroma's add is insertNew, then the record count; the gateway's transaction around them is left out. */
  async add(batch: PreparedAdd): Promise<number> {
    const inserted = await this.repository.insertNew(this.pool, this.collection, DEFAULT_NAMESPACE, batch.records);
    await this.repository.addToCount(this.pool, this.collection, DEFAULT_NAMESPACE, inserted.size);
    return inserted.size;
  }
}
