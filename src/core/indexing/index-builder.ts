import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { recallShortfall } from './recall-shortfall';
import { buildFromRows, Collection, VectorField } from '../collections/collection.model';
import { CollectionsRepository } from '../collections/collections.repository';
import { RangeIndexRepository, RangeKey } from '../collections/range-index.repository';
import { CollectionsService } from '../collections/collections.service';
import { RecordTableRepository } from '../collections/record-table.repository';
import { tokenPlan, vectorColumn, vectorPlan } from '../collections/vector-index';
import { Database, Queryable } from '../../database/database';
import { RecordsService } from '../records/records.service';
import { hasPostings } from '../text/text-fields.repository';
import { BuildBackoff } from './build-backoff';
import { LoadWatch, observe, shouldBuild, startWatch } from './build-policy';
import { INDEXING_OPTIONS, IndexingOptions } from './indexing-options';
import { Scope } from '../scope';
import { SearchTuner } from './search-tuner';
import { IndexGrower } from './index-grower';
import type { HnswBuild } from '../collections/hnsw-builds.repository';
import type { SearchTuning } from '../collections/collection.model';
import { RecallSamplesRepository, type TrafficRecallByKind } from '../collections/recall-samples.repository';

/**
 * The advisory lock under which one replica builds, or analyzes, a key's index; one for all of a
 * table's key statistics, which are made together.
 */
const rangeKeyLock = (key: RangeKey) => `range-index:${key.table}:${key.kind === 'values' ? 'values' : key.id}`;
/** How often a sweep looks at every collection of the catalog, not only those written through this replica. */
const FULL_SWEEP_MS = 60_000;
/** The advisory lock under which one replica builds a table's HNSW index. */
const hnswLock = (table: string) => `index:${table}`;
/** The advisory lock every build or ANALYZE of a table takes besides its own (buildOnce). */
const tableLock = (table: string) => `table-builds:${table}`;
/** The advisory lock of a table's first statistics (analyzeEarly). */
const statisticsLock = (table: string) => `statistics:${table}`;
/** The advisory lock of a vacuum of a table's text postings (vacuumQuietPostings). */
const postingsLock = (table: string) => `postings:${table}`;

/**
 * The vector columns of a collection that get an HNSW index: the default one once it has a
 * dimension, and each named dense vector, where HNSW can index their dimension.
 */
function indexedColumns(collection: Collection): {
  position: number;
  column: string;
  dimension: number;
  metric: Collection['metric'];
  index: Collection['index'];
  field?: VectorField;
}[] {
  const all = [
    ...(collection.dimension !== null
      ? [
          {
            position: 0,
            column: 'embedding',
            dimension: collection.dimension,
            metric: collection.metric,
            index: collection.index,
          },
        ]
      : []),
    ...collection.vectors
      .filter((f) => f.kind === 'dense')
      .map((f) => ({
        position: f.position,
        column: vectorColumn(f.position),
        dimension: f.dimension!,
        metric: f.metric,
        index: f.index,
        ...(f.multivector ? { field: f } : {}),
      })),
  ];
  return all.filter((c) =>
    c.field ? !!tokenPlan(c.field).opclass : !!vectorPlan(c.metric, c.dimension, c.column).opclass,
  );
}

/** What a collection's index is doing, for Chroma's indexing_status. */
export interface IndexingStatus {
  /** Records ever inserted (Chroma counts operations, not records): read in O(1), polled often. */
  inserted: number;
  /** False while an index is due and not built yet: the HNSW index (searches are exact meanwhile) or a range index. */
  indexed: boolean;
  /** The search tuner's last measurement of the collection (null before one, or with ef_search pinned). */
  tuning: SearchTuning | null;
  /**
   * The recall of the collection's sampled searches (RecallSampler) checked since that
   * measurement (all of them before one), by kind.
   */
  traffic: TrafficRecallByKind;
  /** Why searches miss the recall target and what to do, in words (recallShortfall); null when they meet it. */
  shortfall: string | null;
  /** The HNSW index's build settings now, and every build of it and rebuild tried (IndexGrower), oldest first. */
  index: { m: number; efConstruction: number };
  builds: HnswBuild[];
}

/**
 * Builds a collection's HNSW index once a bulk load is over (build-policy.ts decides when), on one
 * replica under an advisory lock, concurrently on a real server; until then searches are exact.
 * The same sweep builds the btree of each metadata key that range filters were sent on, then
 * ANALYZEs its table (the planner estimates a range from the index's statistics). A build is never
 * cancelled because inserts resumed: dropping a half-built index under writers deadlocked them.
 */
@Injectable()
export class IndexBuilder implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('IndexBuilder');
  private readonly watching = new Map<string, LoadWatch>();
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;
  private draining?: Promise<void>;
  private stopped = false;
  private buildingTable?: string;
  /** Aborted at shutdown: stops an embedded build, which has no time limit. */
  private readonly stopping = new AbortController();
  private readonly backoff = new BuildBackoff();
  /** Collections this replica wrote to since the last sweep, and those the last sweep found due. */
  private written = new Set<string>();
  /** Collections written through this replica, by when last: their text postings are vacuumed once quiet. */
  private readonly textWritten = new Map<string, number>();
  private stillDue = new Set<string>();
  /** When the next sweep looks at every collection (writes through other replicas, or before this one started). */
  private nextFullSweep = 0;
  /** A measurement's walks missed the target since the last look for an index to rebuild larger (IndexGrower). */
  private growSoon = false;

  constructor(
    @Inject(INDEXING_OPTIONS) private readonly options: IndexingOptions,
    private readonly db: Database,
    private readonly catalog: CollectionsRepository,
    private readonly tables: RecordTableRepository,
    private readonly rangeIndexes: RangeIndexRepository,
    private readonly records: RecordsService,
    private readonly collections: CollectionsService,
    private readonly tuner: SearchTuner,
    private readonly samples: RecallSamplesRepository,
    private readonly grower: IndexGrower,
  ) {}

  onApplicationBootstrap(): void {
    // Tables a delete queued and did not get to drop (it was interrupted) are dropped now.
    this.draining = this.collections
      .dropQueuedTables()
      .catch((err) => this.logger.warn(`dropping queued record tables failed: ${(err as Error)?.message ?? err}`));
    this.records.onWrite((id) => {
      this.written.add(id);
      this.textWritten.set(id, Date.now());
    });
    this.collections.onBuildSettingsChange((id) => this.written.add(id));
    this.tuner.onMissedWalk(() => (this.growSoon = true));
    // Each sweep is one catalog query per replica; a bulk load is over when two sweeps see no insert.
    const every = Math.max(20, Math.min(1000, Math.floor(this.options.quietMs / 2)));
    this.timer = setInterval(() => this.tick(), every);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    clearInterval(this.timer);
    // A build holds a connection for minutes: cancel it (the next replica to look rebuilds it).
    if (this.buildingTable && this.db.backend === 'postgres')
      await this.tables.cancelIndexBuild(this.db, this.buildingTable).catch(() => {});
    await this.sweeping;
    await this.draining;
  }

  async status(scope: Scope, collectionId: string): Promise<IndexingStatus> {
    // A status poll must stay cheap while a build runs: no count(*) of a table being indexed.
    return this.records.withCollectionTable(scope, collectionId, async (db, collection) => {
      const inserted = await this.tables.insertedEver(db, collection.tableName);
      // Before the builds: an embedded build commits its index and its record together, so a
      // status that saw the index also sees the build (read after, a build could land between).
      const indexed = !(await this.due(collection, inserted));
      // The row may be this replica's cached one, read before the build made its index valid (the
      // builder forgets it only after its vacuum): a client told "indexed" searches next, through the index.
      if (indexed) this.collections.forget(collection.id);
      const traffic = await this.samples.recall(db, collection.id, collection.tuning?.measuredAt ?? null);
      const builds = await this.grower.history(db, collection.id, 0);
      const shortfall = recallShortfall(collection.tuning, collection.index, this.options, builds);
      return {
        inserted,
        indexed,
        tuning: collection.tuning,
        index: { m: collection.index.m, efConstruction: collection.index.efConstruction },
        builds,
        traffic,
        shortfall,
      };
    });
  }

  /** Whether the collection should have an index it has not got yet: its HNSW index, or one of a noted range key. */
  private async due(collection: Collection, inserted: number): Promise<boolean> {
    const threshold = buildFromRows(collection.index, this.options.minRows);
    if (threshold === null || inserted < threshold) return false;
    for (const { column } of indexedColumns(collection))
      if (!(await this.tables.hasIndex(this.db, collection.tableName, column))) return true;
    return this.options.rangeKeys > 0 && (await this.rangeIndexes.unready(this.db, collection.id)).length > 0;
  }

  private tick(): void {
    if (this.sweeping || this.stopped || !this.db.vectorOid) return;
    this.sweeping = this.sweep()
      .catch((err) => this.logger.warn(`index sweep failed: ${(err as Error)?.message ?? err}`))
      .finally(() => (this.sweeping = undefined));
  }

  /**
   * Most sweeps look only at the collections written through this replica since the last one and
   * those still due, so that a sweep costs what is due, not the size of the catalog (every
   * collection's, each second, stopped an embedded gateway at a few hundred collections). Every
   * FULL_SWEEP_MS one looks at all: another replica's writes, or a load before this one started.
   */
  private async sweep(): Promise<void> {
    const timings = this.options;
    const started = Date.now();
    const full = started >= this.nextFullSweep;
    const candidates = full ? null : [...new Set([...this.written, ...this.stillDue])];
    this.written = new Set();
    if (full) this.nextFullSweep = started + FULL_SWEEP_MS;
    const due =
      candidates && candidates.length === 0 ? [] : await this.tables.unindexed(this.db, timings.minRows, candidates);
    this.stillDue = new Set(due.map((d) => d.id));
    const now = Date.now();
    const seen = new Set<string>();
    let ready: string | undefined;
    const fresh: string[] = [];
    for (const { id, table, lastSeq } of due) {
      seen.add(table);
      const seq = BigInt(lastSeq);
      const watch = this.watching.get(table);
      if (!watch) {
        this.watching.set(table, startWatch(seq, now));
        fresh.push(table);
        continue;
      }
      observe(watch, seq, now, timings);
      if (!ready && shouldBuild(watch, now, timings) && this.backoff.ready(hnswLock(table), now)) ready = id;
    }
    for (const table of this.watching.keys()) if (!seen.has(table)) this.watching.delete(table);
    this.backoff.prune((key) => !key.startsWith('index:') || seen.has(key.slice('index:'.length)));
    for (const table of fresh) if (!this.stopped) await this.analyzeEarly(table);
    await this.vacuumQuietPostings(now);
    if (this.stopped) return;
    if (ready) return this.build(ready);
    if (timings.rangeKeys > 0) {
      // A table still due for its HNSW index is probably being loaded: its range indexes come after.
      const next = (await this.rangeIndexes.pending(this.db, timings.minRows)).find(
        (k) => !seen.has(k.table) && this.backoff.ready(rangeKeyLock(k), now),
      );
      if (next && !this.stopped) return this.buildRangeIndex(next);
      // Left without its statistics by a replica that stopped between build and ANALYZE, or built
      // before keys were marked at all.
      const leftover = (await this.rangeIndexes.unanalyzed(this.db))[0];
      if (leftover && !this.stopped) return this.analyzeRangeKey(leftover);
    }
    // Last, as it may take longest: an index whose walks missed the recall target, rebuilt larger.
    if ((full || this.growSoon) && !this.stopped) {
      this.growSoon = false;
      await this.grower
        .next(
          (table, work) => this.buildOnce(table, hnswLock(table), work),
          () => this.stopped,
        )
        // Rebuilt (or a step refused): measured again now, not at the tuner's next look.
        .then((grew) => grew && this.tuner.soon())
        .catch((err) => {
          if (!this.stopped) this.logger.warn(`index rebuild stopped: ${(err as Error)?.message ?? err}`);
        });
    }
  }

  private async buildRangeIndex(key: RangeKey): Promise<void> {
    const started = Date.now();
    let keys: RangeKey[] = [key];
    try {
      const built = await this.buildOnce(key.table, rangeKeyLock(key), async (conn, concurrently) => {
        // Built by another replica since the sweep read it?
        const pending = await this.rangeIndexes.pending(conn, 0, key.collectionId);
        if (!pending.some((k) => k.id === key.id)) return false;
        // Statistics objects are made at once: all of the table's pending ones, then one ANALYZE.
        if (key.kind === 'values') keys = pending.filter((k) => k.kind === 'values');
        const ids = keys.map((k) => k.id);
        await this.rangeIndexes.markAnalyzed(conn, ids, false); // a rebuild of an index left invalid needs them again
        for (const k of keys) await this.rangeIndexes.build(conn, k, concurrently);
        // Under the build's lock, so that no other replica takes this key for a leftover meanwhile;
        // indexing_status counts the key as due until it is marked.
        await this.rangeIndexes.analyze(conn, key.table);
        await this.rangeIndexes.markAnalyzed(conn, ids, true);
        return true;
      });
      if (!built) return;
      const what =
        key.kind === 'values'
          ? `statistics of metadata keys ${keys.map((k) => JSON.stringify(k.key)).join(', ')}`
          : `the ${key.kind} index of metadata key ${JSON.stringify(key.key)}`;
      this.logger.log(`built ${what} on table ${key.table} in ${Date.now() - started} ms`);
    } catch (err) {
      if (!this.stopped)
        this.logger.warn(`key index build for table ${key.table} stopped: ${(err as Error)?.message ?? err}`);
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
    } catch (err) {
      if (!this.stopped)
        this.logger.warn(
          `statistics for the range index of table ${key.table} stopped: ${(err as Error)?.message ?? err}`,
        );
    }
  }

  /**
   * A table's first statistics, as soon as a load makes it due rather than once the load is over
   * and its index is built. Without any, the planner took the 5,000 records loaded a second ago
   * for 55 and read them through the namespace index: an exact search took 2.5-4.6 ms where a
   * sequential scan takes 1.8. Once per table: later, the planner scales them to its size.
   */
  private async analyzeEarly(table: string): Promise<void> {
    try {
      // Looked at on the shared pool first: after a restart every due table is new to the sweep,
      // and most have statistics; a connection of its own is opened only for one that has none.
      if (!(await this.tables.neverAnalyzed(this.db, table))) return;
      await this.buildOnce(table, statisticsLock(table), async (conn) => {
        if (!(await this.tables.neverAnalyzed(conn, table))) return false;
        await this.tables.analyze(conn, table);
        return true;
      });
    } catch (err) {
      if (!this.stopped)
        this.logger.warn(`first statistics of table ${table} stopped: ${(err as Error)?.message ?? err}`);
    }
  }

  /**
   * The text postings (migrations/027) of each collection written through this replica, vacuumed
   * and analyzed once its writes have been quiet for quietMs. A BM25 search reads postings by an
   * index-only scan, which visits the table for every posting not yet marked all-visible: right
   * after loading 100,000 documents that was 14 us a posting, most of a search (phrase: 540 ms
   * against 133 vacuumed). PGlite runs no autovacuum at all; PostgreSQL's comes minutes later.
   */
  private async vacuumQuietPostings(now: number): Promise<void> {
    for (const [id, at] of this.textWritten) {
      if (this.stopped) return;
      if (now - at < this.options.quietMs) continue;
      this.textWritten.delete(id);
      const collection = await this.catalog.findById(this.db, id);
      if (!collection || !collection.textFields.some(hasPostings)) continue;
      const table = collection.tableName;
      const started = Date.now();
      try {
        const done =
          this.db.backend === 'embedded'
            ? await this.tables.vacuumPostings(this.db, table)
            : await this.buildOnce(table, postingsLock(table), (conn) => this.tables.vacuumPostings(conn, table));
        if (done)
          this.logger.log(
            `vacuumed the text postings of collection ${collection.id} (${collection.name}) in ${Date.now() - started} ms`,
          );
      } catch (err) {
        if (!this.stopped)
          this.logger.warn(
            `vacuum of the text postings of ${collection.id} stopped: ${(err as Error)?.message ?? err}`,
          );
      }
    }
  }

  /** Builds the collection's missing HNSW indexes: the default vector's, then its named dense vectors'. */
  private async build(collectionId: string): Promise<void> {
    const collection = await this.catalog.findById(this.db, collectionId);
    if (!collection) return;
    const { tableName: table } = collection;
    const started = Date.now();
    try {
      const built = await this.buildOnce(table, hnswLock(table), async (conn, concurrently) => {
        const missing = [];
        for (const c of indexedColumns(collection))
          if (!(await this.tables.hasIndex(conn, table, c.column))) missing.push(c);
        if (missing.length === 0) return false;
        // Statistics first: once the index is valid, indexing_status reports the collection indexed,
        // and a client that waited for that searches next (the planner's estimates decide exact
        // searches; PGlite runs no autovacuum, so without this it would never have any). On the
        // build's own connection, so that a delete of the collection cancels it too.
        await this.tables.analyze(conn, table);
        for (const { position, column, dimension, metric, index, field } of missing) {
          const began = Date.now();
          if (field) {
            // A multivector's tokens: a table of their own (migrations/028), never grown larger by the tuner.
            await this.tables.analyzeTokens(conn, table, position);
            await this.tables.buildTokenIndex(conn, table, field, index, concurrently);
            continue;
          }
          await this.tables.buildIndex(conn, table, dimension, metric, index, concurrently, column);
          await this.grower.built(conn, collection, position, index, Date.now() - began);
        }
        if (concurrently) await this.tables.vacuum(conn, table);
        return true;
      });
      if (!built) return;
      // This replica's searches take the index from the next call on, not once its cached catalog row expires.
      this.collections.forget(collection.id);
      this.tuner.soon();
      // Embedded builds run in a transaction block, where VACUUM cannot.
      if (this.db.backend === 'embedded') await this.tables.vacuum(this.db, table);
      this.logger.log(
        `built the HNSW index of collection ${collection.id} (${collection.name}) in ${Date.now() - started} ms`,
      );
    } catch (err) {
      // Dropped meanwhile, cancelled by a delete or a shutdown: the next sweep decides again.
      if (!this.stopped)
        this.logger.warn(`index build for collection ${collection.id} stopped: ${(err as Error)?.message ?? err}`);
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
    const memoryMb = this.options.buildMemoryMb;
    this.buildingTable = table;
    try {
      const built =
        this.db.backend === 'postgres'
          ? await this.db.withOwnConnection(async (conn) => {
              if (!(await this.db.tryAdvisoryLock(conn, lock))) return false;
              // One build or ANALYZE of a table at a time, across replicas: an ANALYZE of a key's
              // statistics on one replica waited for its lock on a CREATE INDEX CONCURRENTLY on
              // another, which waited for the ANALYZE's transaction to end: a deadlock (CI).
              if (!(await this.db.tryAdvisoryLock(conn, tableLock(table)))) return false;
              await this.tables.prepareBuildSession(conn, table, memoryMb);
              return work(conn, true);
            })
          : // A connection without the statement time limit, as on PostgreSQL: PGlite builds 100,000
            // x 128 in minutes, and under the limit every attempt was stopped and none ever ended.
            await this.db.withOwnConnection(async (conn) => {
              await conn.query('BEGIN');
              try {
                await this.tables.prepareBuildSession(conn, table, Math.min(memoryMb, 512), true);
                const built = await work(conn, false);
                await conn.query('COMMIT');
                return built;
              } catch (err) {
                await conn.query('ROLLBACK').catch(() => undefined);
                throw err;
              }
            }, this.stopping.signal);
      this.backoff.succeeded(lock);
      return built;
    } catch (err) {
      if (!this.stopped) {
        const message = (err as Error)?.message ?? String(err);
        const failure = this.backoff.failed(lock, Date.now(), message);
        this.logger.warn(
          `build ${lock} failed ${failure.attempts} time(s), next attempt in ${Math.round((failure.retryAt - Date.now()) / 1000)} s: ${message}`,
        );
      }
      throw err;
    } finally {
      this.buildingTable = undefined;
    }
  }
}
