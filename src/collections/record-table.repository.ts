import { Injectable } from '@nestjs/common';
import { Queryable } from '../database/database';
import { IndexSettings, Metric } from './collection.model';
import { vectorPlan } from './vector-index';

/** `vecgate_records.r_<hex>`, from a uuid the gateway generated itself. */
export function recordTableName(collectionId: string): string {
  const hex = collectionId.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error(`not a uuid: ${collectionId}`);
  return `r_${hex}`;
}

export function qualified(table: string): string {
  if (!/^r_[0-9a-f]{32}$/.test(table)) throw new Error(`not a record table: ${table}`);
  return `vecgate_records."${table}"`;
}

/**
 * The DDL of record tables. Table names come from the catalog only (recordTableName), and are
 * checked again before they are spliced into SQL.
 */
@Injectable()
export class RecordTableRepository {
  /**
   * The embedding column is an untyped `vector` until the first write fixes the dimension
   * (setDimension). `seq` keeps insertion order, which Chroma's get returns records in.
   * `sparse_embedding` holds Pinecone's sparse values (sparse and hybrid indexes).
   */
  async create(db: Queryable, table: string): Promise<void> {
    const t = qualified(table);
    await db.query(`CREATE TABLE ${t} (
      seq bigint GENERATED ALWAYS AS IDENTITY,
      namespace text NOT NULL DEFAULT '',
      id text NOT NULL,
      embedding vector,
      sparse_embedding sparsevec,
      document text,
      uri text,
      metadata jsonb,
      PRIMARY KEY (namespace, id)
    )`);
    await db.query(`CREATE INDEX "${table}_seq" ON ${t} (namespace, seq)`);
    await db.query(`CREATE INDEX "${table}_metadata" ON ${t} USING gin (metadata jsonb_path_ops)`);
    await db.query(`CREATE INDEX "${table}_document" ON ${t} USING gin (document gin_trgm_ops)`);
  }

  /** Types the embedding column and builds the HNSW index; the table holds no vector yet. */
  async setDimension(db: Queryable, table: string, dimension: number, metric: Metric, index: IndexSettings): Promise<void> {
    await db.query(`ALTER TABLE ${qualified(table)} ALTER COLUMN embedding TYPE vector(${dimension})`);
    await this.buildIndex(db, table, dimension, metric, index);
  }

  async rebuildIndex(db: Queryable, table: string, dimension: number, metric: Metric, index: IndexSettings): Promise<void> {
    await db.query(`DROP INDEX IF EXISTS vecgate_records."${table}_hnsw"`);
    await this.buildIndex(db, table, dimension, metric, index);
  }

  private async buildIndex(db: Queryable, table: string, dimension: number, metric: Metric, index: IndexSettings): Promise<void> {
    const plan = vectorPlan(metric, dimension);
    if (!plan.opclass) return; // past HNSW's limits: searches are exact scans
    const m = Math.trunc(index.m);
    const ef = Math.trunc(index.efConstruction);
    await db.query(
      `CREATE INDEX "${table}_hnsw" ON ${qualified(table)} USING hnsw (${plan.column} ${plan.opclass}) WITH (m = ${m}, ef_construction = ${ef})`,
    );
  }

  /** Copies every record of one table into another (created with create()), keeping their order. */
  async copyRows(db: Queryable, from: string, to: string): Promise<void> {
    await db.query(
      `INSERT INTO ${qualified(to)} (namespace, id, embedding, sparse_embedding, document, uri, metadata)
       SELECT namespace, id, embedding, sparse_embedding, document, uri, metadata FROM ${qualified(from)} ORDER BY seq`,
    );
  }

  async drop(db: Queryable, table: string): Promise<void> {
    await db.query(`DROP TABLE IF EXISTS ${qualified(table)}`);
  }
}
