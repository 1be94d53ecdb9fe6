import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Collection } from '../collections/collection.model';
import { CollectionsRepository } from '../collections/collections.repository';
import { RangeIndexRepository, RangeKey } from '../collections/range-index.repository';
import { CollectionsService, Scope } from '../collections/collections.service';
import { RecordTableRepository } from '../collections/record-table.repository';
import { vectorPlan } from '../collections/vector-index';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { Database, Queryable } from '../database/database';
import { RecordsService } from '../records/records.service';
import { LoadWatch, observe, shouldBuild, startWatch } from './build-policy';

/** The advisory lock under which one replica builds, or analyzes, a range key's index. */
const rangeKeyLock = (key: RangeKey) => `range-index:${key.table}:${key.id}`;

/** What a collection's index is doing, for Chroma's indexing_status. */
export interface IndexingStatus {
  /** Records ever inserted (Chroma counts operations, not records): read in O(1), polled often. */
  inserted: number;
  /** False while an index is due and not built yet: the HNSW index (searches are exact meanwhile) or a range index. */
  indexed: boolean;
}

/**
 * Builds HNSW indexes after bulk loads. A record table starts without one (small collections are
 * searched exactly, which is fast and exact). Once a collection has VECGATE_INDEX_MIN_ROWS records
 * and inserts have stopped for VECGATE_INDEX_QUIET_MS (or, under a steady stream that is not a
 * bulk load, VECGATE_INDEX_MAX_DEFER_MS have passed: build-policy.ts), a replica builds its index
 * in one go: on a real server with CREATE INDEX CONCURRENTLY, so reads and writes go on meanwhile;
 * every replica watches, a session advisory lock lets one build. From then on inserts maintain the
 * index record by record. Until it exists, searches scan exactly.
 * The same sweep builds the btree indexes of metadata keys that numeric range filters were sent
 * on (RangeKeyTracker notes them), one per sweep, on collections past VECGATE_INDEX_MIN_ROWS
 * whose HNSW index is not waiting for a bulk load to end, each followed by an ANALYZE of its table
 * (the planner's estimate of a range comes from the index's expression statistics).
 * A build is not cancelled when inserts resume: cancelling and dropping the half-built index while
 * writers run queued their locks behind the DDL and deadlocked them (seen under a racing workload).
 */
@Injectable()
export class IndexBuilder implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('IndexBuilder');
  private readonly watching = new Map<string, LoadWatch>();
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;
  private stopped = false;
  private buildingTable?: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: Database,
    private readonly catalog: CollectionsRepository,
    private readonly tables: RecordTableRepository,
    private readonly rangeIndexes: RangeIndexRepository,
    private readonly records: RecordsService,
    private readonly collections: CollectionsService,
  ) {}

  onApplicationBootstrap(): void {
    // Each sweep is one catalog query per replica; a bulk load is over when two sweeps see no insert.
    const every = Math.max(20, Math.min(1000, Math.floor(this.config.indexing.quietMs / 2)));
    this.timer = setInterval(() => this.tick(), every);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    // A build holds a connection for minutes: cancel it (the next replica to look rebuilds it).
    if (this.buildingTable && this.db.backend === 'postgres')
      await this.tables.cancelIndexBuild(this.db, this.buildingTable).catch(() => {});
    await this.sweeping;
  }

  async status(scope: Scope, collectionId: string): Promise<IndexingStatus> {
    // A status poll must stay cheap while a build runs: no count(*) of a table being indexed.
    return this.records.onTable(scope, collectionId, async (db, collection) => {
      const inserted = await this.tables.insertedEver(db, collection.tableName);
      return { inserted, indexed: !(await this.due(collection, inserted)) };
    });
  }

  /** Whether the collection should have an index it has not got yet: its HNSW index, or one of a noted range key. */
  private async due(collection: Collection, inserted: number): Promise<boolean> {
    if (inserted < this.config.indexing.minRows) return false;
    const vectors = collection.dimension !== null && !!vectorPlan(collection.metric, collection.dimension).opclass;
    if (vectors && !(await this.tables.hasIndex(this.db, collection.tableName))) return true;
    return this.config.indexing.rangeKeys > 0 && (await this.rangeIndexes.unready(this.db, collection.id)).length > 0;
  }

  private tick(): void {
    if (this.sweeping || this.stopped || !this.db.vectorOid) return;
    this.sweeping = this.sweep()
      .catch((err) => this.logger.warn(`index sweep failed: ${err?.message ?? err}`))
      .finally(() => (this.sweeping = undefined));
  }

  private async sweep(): Promise<void> {
    const timings = this.config.indexing;
    const due = await this.tables.unindexed(this.db, timings.minRows);
    const now = Date.now();
    const seen = new Set<string>();
    let ready: string | undefined;
    for (const { id, table, lastSeq } of due) {
      seen.add(table);
      const seq = BigInt(lastSeq);
      const watch = this.watching.get(table);
      if (!watch) {
        this.watching.set(table, startWatch(seq, now));
        continue;
      }
      observe(watch, seq, now, timings);
      if (!ready && shouldBuild(watch, now, timings)) ready = id;
    }
    for (const table of this.watching.keys()) if (!seen.has(table)) this.watching.delete(table);
    if (this.stopped) return;
    if (ready) return this.build(ready);
    if (timings.rangeKeys > 0) {
      // A table still due for its HNSW index is probably being loaded: its range indexes come after.
      const next = (await this.rangeIndexes.pending(this.db, timings.minRows)).find((k) => !seen.has(k.table));
      if (next && !this.stopped) return this.buildRangeIndex(next);
      // Left without its statistics by a replica that stopped between build and ANALYZE, or built
      // before keys were marked at all.
      const leftover = (await this.rangeIndexes.unanalyzed(this.db))[0];
      if (leftover && !this.stopped) await this.analyzeRangeKey(leftover);
    }
  }

  private async buildRangeIndex(key: RangeKey): Promise<void> {
    const started = Date.now();
    try {
      const built = await this.buildOnce(key.table, rangeKeyLock(key), async (conn, concurrently) => {
        // Built by another replica since the sweep read it?
        if (!(await this.rangeIndexes.pending(conn, 0, key.collectionId)).some((k) => k.id === key.id)) return false;
        await this.rangeIndexes.markAnalyzed(conn, [key.id], false); // a rebuild of an index left invalid needs them again
        await this.rangeIndexes.build(conn, key, concurrently);
        // Under the build's lock, so that no other replica takes this key for a leftover meanwhile;
        // indexing_status counts the key as due until it is marked.
        await this.rangeIndexes.analyze(conn, key.table);
        await this.rangeIndexes.markAnalyzed(conn, [key.id], true);
        return true;
      });
      if (!built) return;
      this.logger.log(
        `built the range index of metadata key ${JSON.stringify(key.key)} on table ${key.table} in ${Date.now() - started} ms`,
      );
    } catch (err: any) {
      if (!this.stopped) this.logger.warn(`range index build for table ${key.table} stopped: ${err?.message ?? err}`);
    }
  }

  /** ANALYZEs the table of a key left without statistics, and marks every key of the table whose index was valid before it began. */
  private async analyzeRangeKey(key: RangeKey): Promise<void> {
    try {
      await this.buildOnce(key.table, rangeKeyLock(key), async (conn) => {
        const keys = await this.rangeIndexes.unanalyzed(conn, key.collectionId);
        if (!keys.some((k) => k.id === key.id)) return false;
        await this.rangeIndexes.analyze(conn, key.table);
        await this.rangeIndexes.markAnalyzed(
          conn,
          keys.map((k) => k.id),
          true,
        );
        return true;
      });
    } catch (err: any) {
      if (!this.stopped)
        this.logger.warn(`statistics for the range index of table ${key.table} stopped: ${err?.message ?? err}`);
    }
  }

  private async build(collectionId: string): Promise<void> {
    const collection = await this.catalog.findById(this.db, collectionId);
    if (!collection?.dimension) return;
    const { tableName: table, dimension, metric, index } = collection;
    const started = Date.now();
    try {
      const built = await this.buildOnce(table, `index:${table}`, async (conn, concurrently) => {
        if (await this.tables.hasIndex(conn, table)) return false;
        // Statistics first: once the index is valid, indexing_status reports the collection indexed,
        // and a client that waited for that searches next (the planner's estimates decide exact
        // searches; PGlite runs no autovacuum, so without this it would never have any). On the
        // build's own connection, so that a delete of the collection cancels it too.
        await this.tables.analyze(conn, table);
        await this.tables.buildIndex(conn, table, dimension, metric, index, concurrently);
        if (concurrently) await this.tables.vacuum(conn, table);
        return true;
      });
      if (!built) return;
      // This replica's searches take the index from the next call on, not once its cached catalog row expires.
      this.collections.forget(collection.id);
      // Embedded builds run in a transaction block, where VACUUM cannot.
      if (this.db.backend === 'embedded') await this.tables.vacuum(this.db, table);
      this.logger.log(
        `built the HNSW index of collection ${collection.id} (${collection.name}) in ${Date.now() - started} ms`,
      );
    } catch (err: any) {
      // Dropped meanwhile, cancelled by a delete or a shutdown: the next sweep decides again.
      if (!this.stopped)
        this.logger.warn(`index build for collection ${collection.id} stopped: ${err?.message ?? err}`);
    } finally {
      this.watching.delete(table);
    }
  }

  /**
   * Runs one index build on `table`. On a real server: on a connection of its own, named after the
   * table (a delete cancels it), concurrently (reads and writes go on), under a session advisory
   * lock on `lock` so that one replica builds it (false when another holds it). Embedded: in a
   * transaction on the one connection there is, which holds the database while it runs.
   */
  private async buildOnce(
    table: string,
    lock: string,
    work: (conn: Queryable, concurrently: boolean) => Promise<boolean>,
  ): Promise<boolean> {
    const memoryMb = this.config.indexing.buildMemoryMb;
    this.buildingTable = table;
    try {
      if (this.db.backend === 'postgres') {
        return await this.db.withOwnConnection(async (conn) => {
          if (!(await this.db.tryAdvisoryLock(conn, lock))) return false;
          await this.tables.prepareBuildSession(conn, table, memoryMb);
          return work(conn, true);
        });
      }
      return await this.db.transaction(async (tx) => {
        await this.tables.prepareBuildSession(tx, table, Math.min(memoryMb, 512), true);
        return work(tx, false);
      });
    } finally {
      this.buildingTable = undefined;
    }
  }
}
