import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Collection, IndexSettings } from '../collections/collection.model';
import { CollectionsRepository } from '../collections/collections.repository';
import { CollectionsService } from '../collections/collections.service';
import { HnswBuildsRepository } from '../collections/hnsw-builds.repository';
import { RecordTableRepository } from '../collections/record-table.repository';
import { SearchTuningRepository } from '../collections/search-tuning.repository';
import { vectorColumn, vectorPlan } from '../collections/vector-index';
import { Database, Queryable } from '../../database/database';
import { explicitBuild, nextStep, predictBuild, stepRefused, type BuildSettings } from './growth-steps';
import { INDEXING_OPTIONS, IndexingOptions } from './indexing-options';

/** Runs a build on `table` under its HNSW build lock (IndexBuilder.buildOnce); false when another replica holds it. */
export type LockedBuild = (
  table: string,
  work: (conn: Queryable, concurrently: boolean) => Promise<boolean>,
) => Promise<boolean>;

/** How often the swap waits for the table's readers (lock_timeout each) before it gives up for now. */
const SWAP_ATTEMPTS = 5;
const SWAP_LOCK_TIMEOUT_MS = 5_000;
/** PostgreSQL's SQLSTATEs for a statement cancelled by statement_timeout and a lock not had within lock_timeout. */
const QUERY_CANCELED = '57014';
const LOCK_NOT_AVAILABLE = '55P03';

/** A vector whose walks missed the target, with what a rebuild needs to know of it. */
interface Candidate {
  collection: Collection;
  position: number;
  column: string;
  dimension: number;
  metric: Collection['metric'];
  index: IndexSettings;
}

/**
 * Rebuilds a collection's HNSW index with more neighbours and a wider build (GROWTH_STEPS) when no
 * walk reached the recall target on its measured queries, as a DBA would: beside the old index
 * (concurrently on a real server, reads and writes go on) and swapped in, one step at a time; the
 * tuner measures the new one and, still short, asks for the next. Each step is bounded by
 * VECGATE_REBUILD_MAX_MINUTES (predicted from the last build before it begins, and cancelled
 * past it) and VECGATE_REBUILD_MAX_SIZE; a client's own m or ef_construction is never changed.
 * Until a walk reaches the target, searches read exactly where the operator allows it
 * (VECGATE_EXACT_IF_MISSED_WITHIN), else at the widest walk, and the shortfall says what was tried.
 */
@Injectable()
export class IndexGrower {
  private readonly logger = new Logger('IndexGrower');

  constructor(
    @Inject(INDEXING_OPTIONS) private readonly options: IndexingOptions,
    private readonly db: Database,
    private readonly catalog: CollectionsRepository,
    private readonly tables: RecordTableRepository,
    private readonly builds: HnswBuildsRepository,
    private readonly tuning: SearchTuningRepository,
    private readonly collections: CollectionsService,
  ) {}

  /** The builds of a collection's vector (0: the default one), oldest first. */
  history(db: Queryable, collectionId: string, position: number) {
    return this.builds.history(db, collectionId, position);
  }

  /** Records an index IndexBuilder just built: the first of its vector is what rebuilds are bounded against. */
  async built(
    db: Queryable,
    collection: Collection,
    position: number,
    index: BuildSettings,
    ms: number,
  ): Promise<void> {
    const column = position === 0 ? 'embedding' : vectorColumn(position);
    const bytes = await this.tables.indexBytes(db, collection.tableName, column);
    const records = collection.records ?? 0;
    await this.builds.record(db, collection.id, position, { ...index, records, ms, bytes, outcome: 'built' });
  }

  /**
   * Rebuilds the first index whose walks missed the target and may grow; true when it did
   * something (built, or recorded why not). `locked` runs the build under the table's lock.
   */
  async next(locked: LockedBuild, stopped: () => boolean): Promise<boolean> {
    if (this.options.rebuildMaxMinutes === 0 || this.options.recallTarget <= 0) return false;
    for (const missed of await this.builds.missedWalks(this.db, this.options.recallTarget, 5)) {
      if (stopped()) return false;
      const candidate = await this.candidate(this.db, missed.collectionId, missed.position);
      if (!candidate) continue;
      const step = nextStep(candidate.index);
      if (!step) continue;
      const history = await this.builds.history(this.db, missed.collectionId, missed.position);
      // A step tried before and not finished is not tried again (what ended it is in the shortfall).
      if (history.some((b) => b.m === step.m && b.efConstruction === step.efConstruction && b.outcome !== 'built'))
        continue;
      if (
        await locked(candidate.collection.tableName, (conn, concurrently) =>
          this.grow(conn, concurrently, missed, step),
        )
      )
        return true;
    }
    return false;
  }

  /** The vector at `position` of a collection, when its index may be rebuilt: built, settings not the client's, searches not pinned. */
  private async candidate(db: Queryable, collectionId: string, position: number): Promise<Candidate | null> {
    const collection = await this.catalog.findById(db, collectionId);
    if (!collection) return null;
    const field =
      position === 0
        ? null
        : collection.vectors.find((f) => f.position === position && f.kind === 'dense' && !f.multivector);
    if (position !== 0 && !field) return null;
    const index = field ? field.index : collection.index;
    const dimension = field ? field.dimension : collection.dimension;
    const indexed = field ? field.indexed : collection.vectorIndexed;
    if (!dimension || !indexed || index.efSearchPinned || explicitBuild(index)) return null;
    const column = position === 0 ? 'embedding' : vectorColumn(position);
    const metric = field ? field.metric : collection.metric;
    if (!vectorPlan(metric, dimension, column).opclass) return null;
    return { collection, position, column, dimension, metric, index };
  }

  /** One step, under the table's build lock: predicted, built beside, swapped in, recorded. */
  private async grow(
    conn: Queryable,
    concurrently: boolean,
    missed: { collectionId: string; position: number },
    step: BuildSettings,
  ): Promise<boolean> {
    // Read again under the lock: another replica may have rebuilt it, or a client changed its settings.
    const candidate = await this.candidate(conn, missed.collectionId, missed.position);
    if (!candidate || nextStep(candidate.index)?.m !== step.m) return false;
    const { collection, position, column, dimension, metric, index } = candidate;
    const table = collection.tableName;
    const which = `collection ${collection.id}${position ? ` vector ${position}` : ''}`;
    // Counted with the catalog row just read under the lock (its namespace counts).
    const records = collection.records ?? 0;
    let history = await this.builds.history(conn, collection.id, position);
    if (!history.some((b) => b.outcome === 'built')) {
      // Built before builds were recorded: its size stands for the first build's, untimed.
      const bytes = await this.tables.indexBytes(conn, table, column);
      const first = { m: index.m, efConstruction: index.efConstruction, records, ms: null, bytes };
      await this.builds.record(conn, collection.id, position, { ...first, outcome: 'built' });
      history = await this.builds.history(conn, collection.id, position);
    }
    const builtOnes = history.filter((b) => b.outcome === 'built');
    const first = builtOnes[0];
    const last =
      builtOnes.find((b) => b.m === index.m && b.efConstruction === index.efConstruction) ?? builtOnes.at(-1)!;
    const predicted = predictBuild(last, step, records);
    const bounds = { maxMinutes: this.options.rebuildMaxMinutes, maxSize: this.options.rebuildMaxSize };
    const refused = stepRefused(first, predicted, records, bounds);
    if (refused) {
      await this.builds.record(conn, collection.id, position, { ...step, records, ...predicted, outcome: refused });
      this.logger.warn(
        `${which}: no rebuild with m ${step.m} and ef_construction ${step.efConstruction}: ${describePrediction(predicted, refused, bounds)}`,
      );
      return true;
    }
    const started = Date.now();
    try {
      if (concurrently) await this.tables.limitStatements(conn, bounds.maxMinutes * 60_000);
      await this.tables.buildIndexBeside(conn, table, dimension, metric, step, concurrently, column);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== QUERY_CANCELED || Date.now() - started < bounds.maxMinutes * 60_000) throw err;
      await this.tables.dropIndexBeside(conn, table, concurrently, column).catch(() => {});
      await this.builds.record(conn, collection.id, position, {
        ...step,
        records,
        ms: Date.now() - started,
        bytes: null,
        outcome: 'too slow',
      });
      this.logger.warn(`${which}: the rebuild with m ${step.m} was cancelled after ${bounds.maxMinutes} minutes`);
      return true;
    } finally {
      if (concurrently) await this.tables.limitStatements(conn, 0).catch(() => {});
    }
    const ms = Date.now() - started;
    if (!(await this.swap(conn, concurrently, candidate, step))) return true;
    const bytes = await this.tables.indexBytes(conn, table, column);
    await this.builds.record(conn, collection.id, position, { ...step, records, ms, bytes, outcome: 'built' });
    this.collections.forget(collection.id);
    this.logger.log(
      `${which}: rebuilt its HNSW index with m ${step.m} and ef_construction ${step.efConstruction} ` +
        `(was ${index.m} and ${index.efConstruction}) in ${ms} ms, ${bytes ?? 0} bytes, as no walk reached the recall target; measuring it again`,
    );
    return true;
  }

  /**
   * Puts the index built beside in the old one's place and the new settings in the catalog, in one
   * transaction with the catalog row held; the measurement is marked for the tuner to repeat.
   * False when the settings changed meanwhile (the new index is dropped) or the table stayed busy.
   */
  private async swap(
    conn: Queryable,
    concurrently: boolean,
    candidate: Candidate,
    step: BuildSettings,
  ): Promise<boolean> {
    const { collection, position, column, index } = candidate;
    const table = collection.tableName;
    const settings: IndexSettings = {
      ...index,
      m: step.m,
      efConstruction: step.efConstruction,
      buildPinned: false,
      grown: (index.grown ?? 0) + 1,
    };
    const change = async (tx: Queryable): Promise<boolean> => {
      const now = await this.candidate(tx, collection.id, position);
      if (!now || now.index.m !== index.m || now.index.efConstruction !== index.efConstruction) return false;
      await this.tables.swapIndex(tx, table, column);
      await this.catalog.setIndex(tx, collection.id, position, settings);
      await this.tuning.markStale(tx, collection.id, position);
      return true;
    };
    // Embedded, the build ran in this very transaction: the swap joins it.
    const swapped = concurrently ? await this.swapWhenFree(collection.id, change) : await change(conn);
    if (swapped !== true) {
      await this.tables.dropIndexBeside(conn, table, concurrently, column).catch(() => {});
      if (swapped === 'busy')
        throw new Error(`the table stayed busy ${SWAP_ATTEMPTS} times; the rebuild is tried again later`);
    }
    return swapped === true;
  }

  /**
   * Runs `change` in a transaction of its own that takes the catalog row first (writes in flight
   * hold it), each lock waited for at most SWAP_LOCK_TIMEOUT, a few times over.
   */
  private async swapWhenFree(
    collectionId: string,
    change: (tx: Queryable) => Promise<boolean>,
  ): Promise<boolean | 'busy'> {
    for (let attempt = 1; attempt <= SWAP_ATTEMPTS; attempt++) {
      try {
        return await this.db.transaction(async (tx) => {
          await this.tables.limitLockWaits(tx, SWAP_LOCK_TIMEOUT_MS);
          if (!(await this.catalog.lockVersion(tx, collectionId, 'change'))) return false;
          // A change that finds the settings changed returns false: nothing of it was done.
          return change(tx);
        });
      } catch (err) {
        if ((err as { code?: string }).code !== LOCK_NOT_AVAILABLE) throw err;
      }
    }
    return 'busy';
  }
}

/** Why a step is not begun, in words for the log. */
function describePrediction(
  predicted: { ms: number | null; bytes: number | null },
  refused: 'too slow' | 'too large',
  bounds: { maxMinutes: number; maxSize: number },
): string {
  return refused === 'too slow'
    ? `it would take about ${Math.round((predicted.ms ?? 0) / 60_000)} minutes, past VECGATE_REBUILD_MAX_MINUTES (${bounds.maxMinutes})`
    : `it would be more than ${bounds.maxSize} times the size of the first index (VECGATE_REBUILD_MAX_SIZE)`;
}
