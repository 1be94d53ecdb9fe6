import { Inject, Injectable, Optional } from '@nestjs/common';
import { Collection, CollectionRef, NewCollection, VectorField } from '../collections/collection.model';
import { CollectionsService } from '../collections/collections.service';
import { MAX_HALFVEC_VALUE, throughVector, vectorPlan } from '../collections/vector-index';
import {
  DimensionMismatchError,
  InvalidArgumentError,
  NamespaceAliasError,
  NotFoundError,
  UnknownVectorError,
} from '../errors';
import { Database, Queryable } from '../../database/database';
import { FilterNode, MetadataKey } from '../filters/filter-ast';
import { vectorPositions } from '../filters/vector-positions';
import { RECORD_METRICS, type RecordMetrics } from './record-metrics';
import { checkResultRows } from './answer-budget';
import { checkPairwiseWork } from './pairwise-work';
import { greedyMmr } from '../search/mmr';
import { DenseVector } from './dense-vector';
import {
  DEFAULT_MULTIVECTOR_CANDIDATES,
  MAX_MULTIVECTOR_CANDIDATES,
  MAX_QUERY_TOKENS,
  maxSimScore,
  MultiVector,
  MULTIVECTOR_EXACT_BELOW,
  indexedMaxSimPlan,
} from './multivector';
import { sparseFromText, sparsevecText } from './sparse-vector';
import {
  Include,
  Neighbour,
  RecordOperation,
  RecordWrite,
  StoredRecord,
  WriteConditions,
  WriteMode,
} from './record.model';
import { NamespacesRepository } from './namespaces.repository';
import { RangeKeyTracker } from './range-key-tracker';
import { RecordsRepository, type OrderBy } from './records.repository';
import { RecallSampler } from './recall-sampler';
import { positionsOf, type TextQuery } from '../text/text-query';
import {
  exactWhileUnmeasured,
  measuredMultivectorDepth,
  narrowsTheTable,
  prefersExactSearch,
  unmeasured,
} from './search-policy';
import { INDEXING_OPTIONS, type IndexingOptions } from '../indexing/indexing-options';
import { countNodes, MAX_SCORE_NODES, MAX_SCORE_VECTORS, type ScoreNode } from '../search/similarity-score';
import { DEFAULT_NAMESPACE, Scope } from '../scope';

/**
 * Ids are a primary key, and a btree entry holds at most ~2.7 kB; 2 kB leaves room for the namespace.
 * (Pinecone allows 512 characters, Chroma Cloud 128 bytes.)
 */
export const MAX_ID_BYTES = 2048;

/**
 * A query of several vectors runs as up to this many statements at once, each on a pooled
 * connection (on a real server: embedded, PGlite has one). 5 x 128-dimensional vectors over 5,000
 * records, three gateways on one database, calls interleaved: 28.7 ms as one statement, 21.9 over
 * 3 connections, 20.5 over 5 (exact), 27.8 / 23.2 / 22.2 walking the index.
 */
const QUERY_CONNECTIONS = 4;

function checkIds(records: RecordWrite[]): void {
  for (const r of records) {
    const bytes = Buffer.byteLength(r.id, 'utf8');
    if (bytes > MAX_ID_BYTES)
      throw new InvalidArgumentError(`ID is too long: ${bytes} bytes, at most ${MAX_ID_BYTES} are allowed`);
  }
}

export interface FindOptions {
  filter: FilterNode;
  include: Include;
  limit: number | null;
  offset: number;
  /** Keyset paging in byte order of ids, after this id (Pinecone); otherwise insertion order. */
  afterId?: string | null;
  /** With afterId: start at that id rather than after it (Qdrant's scroll offset). */
  fromIdInclusive?: boolean;
  /** Without afterId: in the order of ids (the console's table) rather than insertion order. */
  byId?: 'asc' | 'desc';
}

/** How a dense search reads the collection (RecordsService.vectorSearchPlan). */
export interface VectorSearchPlan {
  /** Every matching record is read and sorted: exact. */
  exact: boolean;
  /** Less than the whole table is searched (a filter, or one namespace of several). */
  narrows: boolean;
  /** The planner's estimate of the share of the table the filter keeps. */
  share?: number;
  /** The tuner has not measured the collection at its size: a walk goes as wide as it can. */
  unmeasured: boolean;
  /** Why the search reads the way it does, for a person (the console's explain). */
  reason: string;
}

/** What a nearest-neighbour search answered, and, for a dense one, how it read (its plan, and the walk's session settings). */
export interface NearestResult {
  collection: Collection;
  lists: Neighbour[][];
  plan?: VectorSearchPlan;
  settings?: Record<string, string>;
}

export interface NearestOptions {
  vectors: DenseVector[];
  /** A sparse query vector (sparsevec text): scores by inner product, plus the dense one if given. */
  sparse?: string;
  n: number;
  filter: FilterNode;
  include: Include;
  /** A named vector of the collection (VectorField) to search instead of the default one of the query's kind. */
  using?: string;
  /**
   * Weigh each term of the sparse query by its inverse document frequency over the namespace,
   * ln((N − df + 0.5) / (df + 0.5) + 1), as Qdrant's `modifier: idf` does.
   */
  idf?: boolean;
  /**
   * With `idf`: N and the document frequencies are counted over the records this filter keeps (a
   * corpus independent of `filter`), over every record of the namespace when not given.
   */
  idfCorpus?: FilterNode;
}

/** The most terms a sparse query weighed by IDF may hold: each is counted over the table. */
export const MAX_IDF_TERMS = 1024;

/**
 * Keeps one record per id, in request order (which is the order get returns them in): the first
 * for add (later ones would be ignored), the last otherwise.
 */
function uniqueById(records: RecordWrite[], mode: WriteMode): RecordWrite[] {
  const byId = new Map<string, RecordWrite>();
  for (const r of records) {
    if (mode === 'add' && byId.has(r.id)) continue;
    byId.delete(r.id);
    byId.set(r.id, r);
  }
  return [...byId.values()];
}

/**
 * A collection of 2,001 to 4,000 dimensions is indexed as halfvec (vector-index.ts): a value past
 * halfvec's range would be stored and then fail every search and every index build, so it is
 * refused at write time.
 */
function checkIndexableValues(collection: Collection, records: RecordWrite[]): void {
  const halfvec = (dimension: number | null) =>
    dimension !== null && vectorPlan(collection.metric, dimension).queryType.startsWith('halfvec');
  const named = collection.vectors.filter((f) => f.kind === 'dense' && halfvec(f.dimension));
  if (!halfvec(collection.dimension) && named.length === 0) return;
  for (const record of records) {
    const values: [string, DenseVector | undefined, number | null][] = [
      ['Embedding', halfvec(collection.dimension) ? record.embedding : undefined, collection.dimension],
      ...named.map((f): [string, DenseVector | undefined, number | null] => [
        `Vector ${JSON.stringify(f.name)}`,
        record.vectors?.[f.name] as DenseVector | undefined,
        f.dimension,
      ]),
    ];
    for (const [what, vector, dimension] of values) {
      const most = vector instanceof DenseVector ? vector.maxAbs() : 0;
      if (most > MAX_HALFVEC_VALUE)
        throw new InvalidArgumentError(
          `${what} of record ${JSON.stringify(record.id)} holds ${most}: a vector of ${dimension} dimensions is indexed at half precision, whose values must lie within ±${MAX_HALFVEC_VALUE}`,
        );
    }
  }
}

/** Refuses a write naming a vector the collection does not declare, or one of the wrong kind or dimension. */
function checkNamedVectors(collection: Collection, records: RecordWrite[]): void {
  for (const r of records) {
    for (const [name, value] of Object.entries(r.vectors ?? {})) {
      const field = collection.vectors.find((f) => f.name === name);
      if (!field) throw new UnknownVectorError(name);
      if (field.multivector) {
        if (!(value instanceof MultiVector))
          throw new InvalidArgumentError(
            `Vector ${JSON.stringify(name)} is a multivector, and record ${JSON.stringify(r.id)} sent it otherwise`,
          );
        if (value.dimension !== field.dimension) throw new DimensionMismatchError(field.dimension!, value.dimension);
        if (field.storage === 'float16' && value.maxAbs() > MAX_HALFVEC_VALUE)
          throw new InvalidArgumentError(
            `Vector ${JSON.stringify(name)} of record ${JSON.stringify(r.id)} holds ${value.maxAbs()}: it is stored at half precision, whose values must lie within ±${MAX_HALFVEC_VALUE}`,
          );
        continue;
      }
      const dense = value instanceof DenseVector;
      if (dense !== (field.kind === 'dense'))
        throw new InvalidArgumentError(
          `Vector ${JSON.stringify(name)} is ${field.kind}, and record ${JSON.stringify(r.id)} sent it otherwise`,
        );
      if (dense && value.dimension !== field.dimension)
        throw new DimensionMismatchError(field.dimension!, value.dimension);
    }
  }
}

/** The named vector a search asks for (none: the default one), which must be of the query's kind. */
function fieldNamed(
  collection: Collection,
  using: string | undefined,
  kind: 'dense' | 'sparse',
): VectorField | undefined {
  if (using === undefined) return undefined;
  const field = collection.vectors.find((f) => f.name === using);
  if (field?.kind !== kind) throw new UnknownVectorError(using, kind);
  if (field.multivector)
    throw new InvalidArgumentError(
      `Vector ${JSON.stringify(using)} is a multivector: it is searched by a multivector query (MaxSim)`,
    );
  return field;
}

/**
 * Refuses a filter testing a named vector the collection no longer has: the protocol parsed it
 * with an older catalog row (`earlier`, where the vector still has its name), and positions are
 * never reused, so its column is gone.
 */
function checkFilterVectors(filter: FilterNode | undefined, collection: Collection, earlier?: Collection): void {
  if (!filter) return;
  for (const position of vectorPositions(filter))
    if (!collection.vectors.some((f) => f.position === position))
      throw new UnknownVectorError(earlier?.vectors.find((f) => f.position === position)?.name ?? null);
}

/** Whether a write may fix the collection's dimension (as writeIn does): its catalog row is then held for a change. */
function mayFixDimension(collection: Collection, mode: WriteMode, records: RecordWrite[], insert = true): boolean {
  const updating = mode === 'update' || mode === 'overwrite' || !insert;
  return collection.dimension === null && !updating && records.some((r) => r.embedding);
}

/** A query never fixes a collection's dimension; it must match the one there is. */
function checkQueryDimension(collection: Collection, dimensions: number[]): void {
  if (dimensions.length > 1 && dimensions.some((d) => d !== dimensions[0]))
    throw new InvalidArgumentError('Inconsistent dimensions in provided embeddings');
  const wrong = dimensions.find((d) => collection.dimension !== null && d !== collection.dimension);
  if (wrong !== undefined) throw new DimensionMismatchError(collection.dimension!, wrong);
}

/** Why an unfiltered search of the whole table reads as it does (VectorSearchPlan.reason). */
function wholeTableReason(collection: Collection, readWhole: boolean, waiting: boolean): string {
  if (readWhole) return 'not yet measured at its size, and small enough to read whole meanwhile';
  if (!collection.vectorIndexed) return 'the collection has no HNSW index (yet): every record is read';
  if (collection.tuning?.exact)
    return 'the search tuner found reading every record cheaper than any walk that meets the recall target';
  if (waiting) return 'not yet measured at its size: the HNSW index is walked as wide as it goes';
  return collection.tuning
    ? `the HNSW index is walked at the ef_search the tuner measured (recall@10 ${collection.tuning.recall.toFixed(3)})`
    : 'the HNSW index is walked at the configured ef_search';
}

/** undefined_table: the collection's table was dropped (by another replica) after its catalog row was read. */
function isDroppedTable(err: unknown): boolean {
  return (err as { code?: unknown })?.code === '42P01';
}

/** undefined_column: a named vector's column was dropped (by another replica) after the catalog row was read. */
function isDroppedColumn(err: unknown): boolean {
  return (err as { code?: unknown })?.code === '42703';
}

@Injectable()
export class RecordsService {
  /** Told, after each committed write, which collection it wrote to (the index builder's to-do list). */
  private readonly writeListeners: ((collectionId: string) => void)[] = [];

  constructor(
    private readonly db: Database,
    private readonly collections: CollectionsService,
    private readonly repository: RecordsRepository,
    private readonly namespaces: NamespacesRepository,
    private readonly rangeKeys: RangeKeyTracker,
    private readonly sampler: RecallSampler,
    @Inject(INDEXING_OPTIONS) private readonly indexing: IndexingOptions,
    @Optional() @Inject(RECORD_METRICS) private readonly recordMetrics?: RecordMetrics,
  ) {}

  /**
   * Runs `work` on the collection from the catalog cache (or the row given). Reads of one statement need no
   * transaction (a statement sees one snapshot). A table dropped since the catalog row was cached
   * means the collection is gone. A column dropped since (a named vector removed) means the row
   * is stale: `work` runs once more on the row read afresh, where a write or a search naming that
   * vector is the caller's 400. The failed attempt wrote nothing: its transaction rolled back.
   * The second attempt's `work` gets the first's row too.
   */
  private async withCollection<T>(
    scope: Scope,
    ref: CollectionRef,
    work: (collection: Collection, earlier?: Collection) => Promise<T>,
  ): Promise<T> {
    const collectionId = typeof ref === 'string' ? ref : ref.id;
    let earlier: Collection | undefined;
    for (let attempt = 0; ; attempt++) {
      const collection =
        attempt === 0 && typeof ref !== 'string'
          ? this.collections.inScope(scope, ref)
          : await this.collections.getCached(scope, collectionId);
      try {
        return await work(collection, earlier);
      } catch (err) {
        if (isDroppedColumn(err) && attempt === 0) {
          this.collections.forget(collectionId);
          earlier = collection;
          continue;
        }
        if (!isDroppedTable(err)) throw err;
        this.collections.forget(collectionId);
        throw new NotFoundError('collection', collectionId, 'id');
      }
    }
  }

  /** As withCollection, for a call that runs `filter`: once it has succeeded, the filter's range keys are noted for an index. */
  private async withFilteredCollection<T>(
    scope: Scope,
    collectionId: CollectionRef,
    filter: FilterNode,
    work: (collection: Collection) => Promise<T>,
  ): Promise<T> {
    return this.withCollection(scope, collectionId, async (collection, earlier) => {
      checkFilterVectors(filter, collection, earlier);
      const result = await work(collection);
      this.rangeKeys.note(collection, filter);
      return result;
    });
  }

  /**
   * Writes a batch in one transaction: all of it or nothing. Returns how many records it wrote.
   * `andThen` runs last in that transaction (a bulk import's progress, committed with its batch, or
   * neither).
   */
  async write(
    scope: Scope,
    collectionId: string,
    mode: WriteMode,
    records: RecordWrite[],
    namespace = DEFAULT_NAMESPACE,
    andThen?: (tx: Queryable, written: number) => Promise<void>,
  ): Promise<number> {
    checkIds(records);
    const written = await this.withCollection(scope, collectionId, async (cached) => {
      const count = await this.db.transaction(async (tx) => {
        const lock = mayFixDimension(cached, mode, records) ? 'change' : 'share';
        const collection = await this.collections.hold(tx, cached, lock);
        const written = await this.writeIn(tx, collection, mode, records, namespace);
        await andThen?.(tx, written);
        return written;
      });
      // The cached row's `namespaced` decides how searches of the default namespace run: once records
      // are in another, this replica reads it anew (the others within the cache's second).
      if (namespace !== DEFAULT_NAMESPACE && !cached.namespaced) this.collections.forget(collectionId);
      return count;
    });
    this.recordMetrics?.written(mode, written); // counted once committed, so a retried transaction counts once
    if (written > 0) for (const listener of this.writeListeners) listener(collectionId);
    return written;
  }

  /**
   * One write, on `held`: the collection as its transaction holds it (CollectionsService.hold), or
   * one it created. `earlier`: the row the request was parsed with, when that may be older.
   */
  private async writeIn(
    tx: Queryable,
    held: Collection,
    mode: WriteMode,
    records: RecordWrite[],
    namespace: string,
    { where, insert = true }: WriteConditions = {},
    earlier?: Collection,
  ): Promise<number> {
    let collection = held;
    checkFilterVectors(where, collection, earlier);
    const dimensions = records.filter((r) => r.embedding).map((r) => r.embedding!.dimension);
    // An update never fixes a dimension: on a collection without one (empty, or sparse-only)
    // there is no dense vector to check it against.
    const updating = mode === 'update' || mode === 'overwrite' || !insert;
    if (!(updating && collection.dimension === null))
      collection = await this.collections.ensureDimension(tx, collection, dimensions);
    checkNamedVectors(collection, records);
    checkIndexableValues(collection, records);
    const batch = uniqueById(records, mode);
    await this.repository.lockIds(
      tx,
      collection,
      namespace,
      batch.map((r) => r.id),
    );
    if (mode === 'update' || (mode === 'merge' && !insert))
      return this.repository.mergeExisting(tx, collection, namespace, batch, true, where);
    if (mode === 'overwrite') return this.repository.mergeExisting(tx, collection, namespace, batch, false, where);
    if (mode === 'replace' && !insert) return this.repository.replaceExisting(tx, collection, namespace, batch, where);
    if (mode === 'add' && !insert) return 0;
    // A first write registers its namespace, which an alias's name may not be (the collection's row
    // lock, held since hold(), keeps an alias from taking the name meanwhile).
    if (batch.length > 0 && (await this.namespaces.register(tx, collection.id, namespace)) === 'alias')
      throw new NamespaceAliasError('name-is-alias', namespace);
    if (mode === 'replace') {
      const { written, inserted } = await this.repository.replace(tx, collection, namespace, batch, where);
      await this.repository.addToCount(tx, collection, namespace, inserted);
      return written;
    }
    const inserted = await this.repository.insertNew(tx, collection, namespace, batch);
    const existing = mode === 'add' ? [] : batch.filter((r) => !inserted.has(r.id));
    const merged = await this.repository.mergeExisting(tx, collection, namespace, existing, true, where);
    await this.repository.addToCount(tx, collection, namespace, inserted.size);
    return inserted.size + merged;
  }

  /**
   * Runs operations in order in one transaction: every one of them commits, or none. Returns how
   * many records each changed.
   */
  async batch(
    scope: Scope,
    collectionId: string,
    operations: RecordOperation[],
    namespace = DEFAULT_NAMESPACE,
  ): Promise<number[]> {
    for (const op of operations) if (op.kind === 'write') checkIds(op.records);
    const counts = await this.withCollection(scope, collectionId, (cached) =>
      this.db.transaction(async (tx) => {
        const fixes = operations.some(
          (op) => op.kind === 'write' && mayFixDimension(cached, op.mode, op.records, op.conditions?.insert),
        );
        let collection = await this.collections.hold(tx, cached, fixes ? 'change' : 'share');
        const out: number[] = [];
        for (const op of operations) {
          if (op.kind === 'write') {
            out.push(await this.writeIn(tx, collection, op.mode, op.records, namespace, op.conditions, cached));
            // A first write fixes the dimension: the operations after it see it.
            if (collection.dimension === null) collection = await this.collections.getById(scope, collectionId, tx);
            continue;
          }
          checkFilterVectors(op.filter, collection, cached);
          if (op.kind === 'delete') out.push(await this.repository.delete(tx, collection, namespace, op.filter, null));
          else if (op.kind === 'editMetadata')
            out.push(await this.repository.editMetadata(tx, collection, namespace, op.filter, op.edit));
          else {
            const gone = op.named?.find((name) => !collection.vectors.some((f) => f.name === name));
            if (gone !== undefined) throw new UnknownVectorError(gone);
            out.push(await this.repository.clearVectors(tx, collection, namespace, op.filter, op));
          }
        }
        return out;
      }),
    );
    operations.forEach((op, i) => {
      if (op.kind === 'write') this.recordMetrics?.written(op.mode, counts[i]);
      else if (op.kind === 'delete') this.recordMetrics?.deleted(counts[i]);
      else this.recordMetrics?.written('patch', counts[i]);
    });
    if (operations.some((op, i) => op.kind === 'write' && counts[i] > 0))
      for (const listener of this.writeListeners) listener(collectionId);
    return counts;
  }

  /**
   * Makes a collection whole from a stream of records, in one transaction: created by `spec`
   * (a collection of that name deleted first, with `replace`), then each batch `batches` yields for
   * it written as a replace. Nothing is left of it if any batch fails (a snapshot recovery).
   * Returns the collection and how many records it holds.
   */
  async load(
    scope: Scope,
    spec: NewCollection,
    batches: (collection: Collection) => AsyncIterable<RecordWrite[]>,
    { replace = false }: { replace?: boolean } = {},
  ): Promise<{ collection: Collection; written: number }> {
    const result = await this.db.transaction(async (tx) => {
      if (replace) await this.collections.deleteIn(tx, scope, spec.name, true);
      let collection = await this.collections.createIn(tx, scope, spec, false);
      let written = 0;
      for await (const batch of batches(collection)) {
        checkIds(batch);
        written += await this.writeIn(tx, collection, 'replace', batch, DEFAULT_NAMESPACE);
        if (collection.dimension === null) collection = await this.collections.getById(scope, collection.id, tx);
      }
      return { collection, written };
    });
    this.recordMetrics?.written('replace', result.written);
    this.announceWrite(result.collection.id);
    return result;
  }

  /** Tells the write listeners of records written other than by write() (a restore's copy), once committed. */
  announceWrite(collectionId: string): void {
    for (const listener of this.writeListeners) listener(collectionId);
  }

  /** Calls `listener` with a collection's id after each write to it commits. */
  onWrite(listener: (collectionId: string) => void): void {
    this.writeListeners.push(listener);
  }

  async find(
    scope: Scope,
    collectionId: CollectionRef,
    options: FindOptions,
    namespace = DEFAULT_NAMESPACE,
  ): Promise<StoredRecord[]> {
    const { filter, include, limit, offset, afterId, fromIdInclusive, byId } = options;
    return this.withFilteredCollection(scope, collectionId, filter, (collection) =>
      afterId !== undefined
        ? this.repository.findAfterId(this.db.reads, collection, {
            namespace,
            filter,
            include,
            afterId,
            limit,
            inclusive: !!fromIdInclusive,
          })
        : this.repository.find(
            // Records by id alone: read through the primary key whatever the ids (and the limit).
            filter.kind === 'idIn' ? this.db.readsPlannedOnce : this.db.reads,
            collection,
            { namespace, filter, include, limit, offset, byId },
          ),
    );
  }

  /** Up to n of the matching records, drawn at random. */
  async drawRandom(
    scope: Scope,
    collectionId: CollectionRef,
    options: { filter: FilterNode; include: Include; n: number },
    namespace = DEFAULT_NAMESPACE,
  ): Promise<StoredRecord[]> {
    return this.withFilteredCollection(scope, collectionId, options.filter, (collection) =>
      this.repository.find(this.db.reads, collection, {
        namespace,
        filter: options.filter,
        include: options.include,
        limit: options.n,
        offset: 0,
        random: true,
      }),
    );
  }

  /**
   * A search matrix: `sample` matching records drawn at random, in id order, each with its `limit`
   * most similar among them through the dense vector `using` names (the default one without).
   */
  async searchMatrix(
    scope: Scope,
    collectionId: string,
    options: { filter: FilterNode; sample: number; limit: number; using?: string },
    namespace = DEFAULT_NAMESPACE,
  ): Promise<{ collection: Collection; ids: string[]; pairs: { a: string; b: string; similarity: number }[] }> {
    const { filter, sample, limit, using } = options;
    checkResultRows(sample, limit);
    checkPairwiseWork(sample, sample);
    return this.withFilteredCollection(scope, collectionId, filter, async (stored) => {
      const field = fieldNamed(stored, using, 'dense');
      const collection = field ? throughVector(stored, field) : stored;
      if (collection.dimension === null || sample === 0) return { collection, ids: [], pairs: [] };
      checkPairwiseWork(sample, sample, collection.dimension);
      const found = await this.repository.searchMatrix(this.db.reads, collection, { namespace, filter, sample, limit });
      return { collection, ...found };
    });
  }

  /**
   * The order in which Maximal Marginal Relevance picks `n` of the candidates `ids` (indexes into
   * it), weighing similarity to `query` by 1 − diversity against similarity to those picked before.
   */
  async diversify(
    scope: Scope,
    collectionId: CollectionRef,
    options: { ids: string[]; query: DenseVector; diversity: number; n: number; using?: string },
    namespace = DEFAULT_NAMESPACE,
  ): Promise<number[]> {
    const { ids, query, diversity, n, using } = options;
    if (!(diversity >= 0 && diversity <= 1)) throw new InvalidArgumentError('diversity must lie between 0 and 1');
    checkResultRows(1, Math.max(ids.length, n));
    return this.withCollection(scope, collectionId, async (stored) => {
      const field = fieldNamed(stored, using, 'dense');
      const collection = field ? throughVector(stored, field) : stored;
      if (collection.dimension === null) return [];
      checkQueryDimension(collection, [query.dimension]);
      checkPairwiseWork(ids.length, ids.length, collection.dimension);
      const { found, relevance, among } = await this.repository.similaritiesAmong(this.db.reads, collection, {
        namespace,
        ids,
        query,
      });
      return greedyMmr(relevance, among, 1 - diversity, n).map((i) => found[i]);
    });
  }

  /** The most frequent values of a metadata key among the matching records, with their counts. */
  async facet(
    scope: Scope,
    collectionId: string,
    options: { filter: FilterNode; key: MetadataKey; limit: number },
    namespace = DEFAULT_NAMESPACE,
  ): Promise<{ value: unknown; count: number }[]> {
    return this.withFilteredCollection(scope, collectionId, options.filter, (collection) =>
      this.repository.facet(this.db.reads, collection, { namespace, ...options }),
    );
  }

  /** Matching records in the order of a metadata value (Qdrant's order_by), each with that value. */
  async findOrdered(
    scope: Scope,
    collectionId: CollectionRef,
    options: { filter: FilterNode; include: Include; limit: number; orderBy: OrderBy },
    namespace = DEFAULT_NAMESPACE,
  ): Promise<(StoredRecord & { orderValue: unknown })[]> {
    return this.withFilteredCollection(scope, collectionId, options.filter, (collection) =>
      this.repository.findOrdered(this.db.reads, collection, { namespace, ...options }),
    );
  }

  /**
   * The n nearest matching records for each query vector. A filter (or a namespace) that keeps few
   * of the table's records, as the planner estimates it, is searched exactly (search-policy.ts):
   * reading them is faster than walking the HNSW graph past everything else, and misses nothing.
   * Otherwise the approximate (HNSW) search, which may return fewer than n when a filter is
   * selective; those lists are searched again exactly, so a caller gets n results whenever n match.
   */
  async nearest(
    scope: Scope,
    collectionId: CollectionRef,
    options: NearestOptions,
    namespace = DEFAULT_NAMESPACE,
  ): Promise<NearestResult> {
    const { vectors, n, filter, include, using, idf, idfCorpus } = options;
    let sparse = options.sparse;
    const started = performance.now();
    checkResultRows(Math.max(1, vectors.length), n);
    return this.withFilteredCollection(scope, collectionId, filter, async (stored) => {
      const field = fieldNamed(stored, using, sparse !== undefined ? 'sparse' : 'dense');
      if (sparse !== undefined) {
        if (vectors.length > 0) checkQueryDimension(stored, [vectors[0].dimension]);
        if (idf) sparse = await this.weighByIdf(stored, namespace, sparse, field?.position, idfCorpus);
        const dense = vectors[0] ?? null;
        const list = await this.repository.nearestSparse(this.db.reads, stored, {
          namespace,
          dense,
          sparse,
          n,
          filter,
          include,
          position: field?.position,
        });
        return { collection: stored, lists: [list] };
      }
      // Through a named dense vector: its column, dimension, metric and index.
      const collection = field ? throughVector(stored, field) : stored;
      if (vectors.length === 0) return { collection, lists: [] };
      if (collection.dimension === null || n === 0) return { collection, lists: vectors.map(() => []) };
      checkQueryDimension(
        collection,
        vectors.map((v) => v.dimension),
      );
      const query = { namespace, vectors, n, filter, include };
      const plan = await this.vectorSearchPlan(collection, namespace, filter);
      if (plan.exact) {
        // Over the whole table an exact read's plan is the same whatever the query vector.
        const reads = plan.narrows ? this.db.reads : this.db.readsPlannedOnce;
        const lists = await this.spread(vectors, (part, budget) =>
          this.repository.nearest(reads, collection, { ...query, vectors: part, exact: true, budget }),
        );
        this.sample(collection, namespace, filter, plan, n, vectors, lists, null);
        this.recordMetrics?.searched?.(collection.id, performance.now() - started);
        return { collection, lists, plan, settings: {} };
      }
      const settings = this.repository.searchSettings(collection, n, plan);
      // Over the whole table the search walks the HNSW index whatever the query vector: planned once.
      const lists = await this.spread(vectors, (part, budget) =>
        this.db.withSessionSettings(
          settings,
          (db) => this.repository.nearest(db, collection, { ...query, vectors: part, budget }),
          { planOnce: !plan.narrows, read: true },
        ),
      );
      const short = lists.map((list, i) => (list.length < n ? i : -1)).filter((i) => i >= 0);
      if (short.length > 0) {
        const exact = await this.repository.nearest(this.db.reads, collection, {
          ...query,
          vectors: short.map((i) => vectors[i]),
          exact: true,
        });
        short.forEach((i, k) => (lists[i] = exact[k]));
      }
      const efSearch = Number(settings['hnsw.ef_search']);
      this.sample(collection, namespace, filter, plan, n, vectors, lists, (i) => (short.includes(i) ? null : efSearch));
      this.recordMetrics?.searched?.(collection.id, performance.now() - started);
      return { collection, lists, plan, settings };
    });
  }

  /**
   * The n matching records best by MaxSim (multivector.ts) over the multivector `using` names,
   * each with its score as maxSimScore reports it. Exact over every matching record's tokens for a
   * small collection, without a token index, or when asked; otherwise each query token's nearest
   * `candidates` tokens choose the records scored (exactly, over all their tokens), and a search
   * that finds fewer than n that way (a filter keeping few of them) is made exact.
   */
  async maxSim(
    scope: Scope,
    collectionId: CollectionRef,
    options: {
      tokens: DenseVector[];
      using: string;
      n: number;
      filter: FilterNode;
      include: Include;
      exact?: boolean;
      candidates?: number;
    },
    namespace = DEFAULT_NAMESPACE,
  ): Promise<{ metric: Collection['metric']; list: (StoredRecord & { score: number })[]; exact: boolean }> {
    const { tokens, using, n, filter, include } = options;
    checkResultRows(1, n);
    if (tokens.length === 0 || tokens.length > MAX_QUERY_TOKENS)
      throw new InvalidArgumentError(
        `A multivector query holds 1 to ${MAX_QUERY_TOKENS} token vectors, not ${tokens.length}`,
      );
    if (
      options.candidates !== undefined &&
      (!Number.isInteger(options.candidates) ||
        options.candidates < 1 ||
        options.candidates > MAX_MULTIVECTOR_CANDIDATES)
    )
      throw new InvalidArgumentError(
        `Multivector candidates must be 1 to ${MAX_MULTIVECTOR_CANDIDATES}, got ${options.candidates}`,
      );
    return this.withFilteredCollection(scope, collectionId, filter, async (collection) => {
      const field = collection.vectors.find((f) => f.name === using);
      if (!field?.multivector) throw new UnknownVectorError(using);
      for (const t of tokens)
        if (t.dimension !== field.dimension) throw new DimensionMismatchError(field.dimension!, t.dimension);
      const score = (rows: (StoredRecord & { sum: number })[]) =>
        rows.map(({ sum, ...r }) => ({ ...r, score: maxSimScore(field.metric, Number(sum)) }));
      const query = { namespace, tokens, n, filter, include };
      if (n === 0) return { metric: field.metric, list: [], exact: true };
      // The client's depth, else the one the search tuner measured to meet the target (or exact,
      // where that was cheaper), else the default until it has measured.
      const measured =
        options.candidates === undefined
          ? measuredMultivectorDepth(field, collection.records, this.indexing.recallTarget)
          : undefined;
      const candidates = options.candidates ?? measured?.depth ?? DEFAULT_MULTIVECTOR_CANDIDATES;
      const exact =
        options.exact === true ||
        measured?.exact === true ||
        !field.indexed ||
        (collection.records ?? Infinity) <= MULTIVECTOR_EXACT_BELOW;
      if (!exact) {
        const { efSearch, rescored } = indexedMaxSimPlan(candidates, n);
        const rows = await this.db.withSessionSettings(
          { 'hnsw.ef_search': String(efSearch) },
          (db) => this.repository.maxSim(db, collection, field, { ...query, candidates, rescored }),
          { read: true },
        );
        if (rows.length >= n) return { metric: field.metric, list: score(rows), exact: false };
      }
      const rows = await this.repository.maxSim(this.db.reads, collection, field, { ...query, candidates: null });
      return { metric: field.metric, list: score(rows), exact: true };
    });
  }

  /**
   * The n matching records best by `score` over their MaxSim (multivector.ts) to each of
   * `examples` (multivectors), through the multivector `using` names: Qdrant's recommend
   * strategies, discover and context on a multivector. Exact over every matching record's tokens;
   * the examples' tokens together are bounded as one query's are (MAX_QUERY_TOKENS).
   */
  async multiScoredBy(
    scope: Scope,
    collectionId: CollectionRef,
    options: {
      examples: DenseVector[][];
      score: ScoreNode;
      using: string;
      n: number;
      filter: FilterNode;
      include: Include;
    },
    namespace = DEFAULT_NAMESPACE,
  ): Promise<{ list: (StoredRecord & { score: number })[] }> {
    const { examples, score, using, n, filter, include } = options;
    checkResultRows(1, n);
    if (examples.length === 0 || examples.length > MAX_SCORE_VECTORS)
      throw new InvalidArgumentError(`A score takes 1 to ${MAX_SCORE_VECTORS} examples, got ${examples.length}`);
    const tokens = examples.reduce((sum, e) => sum + e.length, 0);
    if (examples.some((e) => e.length === 0) || tokens > MAX_QUERY_TOKENS)
      throw new InvalidArgumentError(
        `The examples of a multivector score hold 1 to ${MAX_QUERY_TOKENS} token vectors together, not ${tokens}`,
      );
    if (countNodes(score) > MAX_SCORE_NODES)
      throw new InvalidArgumentError(`A score may hold at most ${MAX_SCORE_NODES} terms`);
    return this.withFilteredCollection(scope, collectionId, filter, async (collection) => {
      const field = collection.vectors.find((f) => f.name === using);
      if (!field?.multivector) throw new UnknownVectorError(using);
      for (const t of examples.flat())
        if (t.dimension !== field.dimension) throw new DimensionMismatchError(field.dimension!, t.dimension);
      if (n === 0) return { list: [] };
      const list = await this.repository.multiScoredBy(this.db.reads, collection, field, {
        namespace,
        examples,
        score,
        n,
        filter,
        include,
      });
      return { list };
    });
  }

  /** The sparse query with each value times its term's inverse document frequency (NearestOptions.idf). */
  private async weighByIdf(
    collection: Collection,
    namespace: string,
    sparse: string,
    position?: number,
    corpus?: FilterNode,
  ): Promise<string> {
    const { indices, values } = sparseFromText(sparse);
    if (indices.length > MAX_IDF_TERMS)
      throw new InvalidArgumentError(
        `A sparse query weighed by IDF may hold at most ${MAX_IDF_TERMS} terms, got ${indices.length}`,
      );
    const { n, df } = await this.repository.documentFrequencies(this.db.reads, collection, {
      namespace,
      indices,
      position,
      corpus,
    });
    const weights = values.map((v, k) => v * Math.log((n - df[k] + 0.5) / (df[k] + 0.5) + 1));
    return sparsevecText(indices, weights).text;
  }

  /**
   * The n matching records with the highest `score` over their similarities to the query vectors
   * (Qdrant's discover, context and recommend strategies), through the default dense vector or the
   * named one `using` names: an exact read of the matching records.
   */
  async scoredBy(
    scope: Scope,
    collectionId: CollectionRef,
    options: {
      vectors: DenseVector[];
      score: ScoreNode;
      n: number;
      filter: FilterNode;
      include: Include;
      using?: string;
    },
    namespace = DEFAULT_NAMESPACE,
  ): Promise<{ collection: Collection; list: (StoredRecord & { score: number })[] }> {
    const { vectors, score, n, filter, include, using } = options;
    checkResultRows(1, n);
    if (vectors.length === 0 || vectors.length > MAX_SCORE_VECTORS)
      throw new InvalidArgumentError(`A score takes 1 to ${MAX_SCORE_VECTORS} query vectors, got ${vectors.length}`);
    if (countNodes(score) > MAX_SCORE_NODES)
      throw new InvalidArgumentError(`A score may hold at most ${MAX_SCORE_NODES} terms`);
    return this.withFilteredCollection(scope, collectionId, filter, async (stored) => {
      const field = fieldNamed(stored, using, 'dense');
      const collection = field ? throughVector(stored, field) : stored;
      if (collection.dimension === null || n === 0) return { collection, list: [] };
      checkQueryDimension(
        collection,
        vectors.map((v) => v.dimension),
      );
      const list = await this.repository.scoredBy(this.db.reads, collection, {
        namespace,
        vectors,
        score,
        n,
        filter,
        include,
      });
      return { collection, list };
    });
  }

  /**
   * The n records with the best BM25 score under a full-text query over the collection's text
   * fields (text-query.ts), best first; a field the collection does not have is refused.
   */
  async textSearch(
    scope: Scope,
    collectionId: CollectionRef,
    options: { query: TextQuery; n: number; filter: FilterNode; include: Include },
    namespace = DEFAULT_NAMESPACE,
  ): Promise<(StoredRecord & { score: number })[]> {
    const { query, n, filter, include } = options;
    checkResultRows(1, n);
    return this.withFilteredCollection(scope, collectionId, filter, async (collection) => {
      for (const position of positionsOf(query))
        if (!collection.textFields.some((f) => f.position === position))
          throw new InvalidArgumentError('The collection has no such text field');
      if (n === 0) return [];
      const search = (db: Queryable) =>
        this.repository.textSearch(db, collection, { namespace, query, n, filter, include });
      if (filter.kind !== 'all') return search(this.db.reads);
      // Unfiltered, the statement's plan is the same whatever its words (one index range per word,
      // merged by record), so it is planned once per connection: 0.7-1.8 ms of planning a call saved.
      return this.db.withSessionSettings({}, search, { planOnce: true, read: true });
    });
  }

  /**
   * Searches query vectors in up to QUERY_CONNECTIONS parts at once (see there), in order. Each
   * part may send its share of the answer budget, so that the answer as a whole stays within it.
   */
  private async spread(
    vectors: DenseVector[],
    search: (vectors: DenseVector[], budget?: number) => Promise<Neighbour[][]>,
  ): Promise<Neighbour[][]> {
    const ways = this.db.backend === 'postgres' ? Math.min(vectors.length, QUERY_CONNECTIONS) : 1;
    if (ways <= 1) return search(vectors);
    const size = Math.ceil(vectors.length / ways);
    const parts: DenseVector[][] = [];
    for (let i = 0; i < vectors.length; i += size) parts.push(vectors.slice(i, i + size));
    const budget = Math.floor(this.repository.answerBytes / parts.length);
    return (await Promise.all(parts.map((part) => search(part, budget)))).flat();
  }

  /**
   * Offers one of the query vectors of a served search to the recall sampler, when it takes this
   * one (a small share, a few a minute per collection). `efSearch`: how list i was searched (null: exactly).
   */
  private sample(
    collection: Collection,
    namespace: string,
    filter: FilterNode,
    plan: VectorSearchPlan,
    n: number,
    vectors: DenseVector[],
    lists: Neighbour[][],
    efSearch: ((i: number) => number | null) | null,
  ): void {
    if (!this.sampler.wants(collection)) return;
    const i = Math.floor(Math.random() * vectors.length);
    this.sampler.offer({
      collection,
      namespace,
      filter,
      filtered: plan.narrows,
      share: plan.share,
      vector: vectors[i],
      served: lists[i].map((r) => r.id),
      k: n,
      efSearch: efSearch ? efSearch(i) : null,
    });
  }

  /**
   * How a dense search of the collection under `filter` reads: exactly (every matching record), or
   * through the HNSW index; and whether it reads less than the whole table. Shared by every dense
   * search (query, and the Search API's knn lists).
   */
  async vectorSearchPlan(collection: Collection, namespace: string, filter: FilterNode): Promise<VectorSearchPlan> {
    // Until the tuner has measured the collection at its size (after a load), a small one is read
    // whole and a large one walked at the widest ef_search: never a quiet loss of recall.
    const waiting = unmeasured(collection, this.indexing.recallTarget);
    const readWhole = waiting && exactWhileUnmeasured(collection);
    // Without an HNSW index (a small collection, one still loading, one past HNSW's dimensions) a
    // filtered search reads the matching records whatever the planner estimates: asking it first
    // would be two statements for nothing. (A catalog row cached just before another replica built
    // the index, up to 1 s old, sends a filtered search the exact way too: exact either way.)
    const narrows = narrowsTheTable(filter, namespace, collection);
    // Unfiltered, the search tuner may have found reading every record cheaper than any walk that
    // meets the recall target (hard data, a small collection). Without an HNSW index the search
    // reads every record whatever it is called: called exact, it is planned for its values on a
    // connection that prices a sort as it costs, not on one that plans walks once and prices sorts
    // out (a 2 ms search of 300 records was priced past jit_above_cost there, issue 49).
    if (!narrows) {
      const exact = readWhole || !collection.vectorIndexed || !!collection.tuning?.exact;
      return { exact, narrows, unmeasured: waiting, reason: wholeTableReason(collection, readWhole, waiting) };
    }
    if (!collection.vectorIndexed || readWhole) {
      const reason = readWhole
        ? 'not yet measured at its size, and small enough to read whole meanwhile'
        : 'the collection has no HNSW index (yet): every matching record is read';
      return { exact: true, narrows, unmeasured: waiting, reason };
    }
    const estimate = await this.repository.estimateMatches(this.db.reads, collection, namespace, filter);
    const exact = prefersExactSearch(estimate, collection.tuning?.filtered);
    const kept = `the filter keeps about ${estimate.matching} of ${estimate.total} records (planner's estimate)`;
    return {
      exact,
      narrows,
      // The share of the table the filter keeps: how much wider than unfiltered a walk must be.
      share: estimate.total > 0 ? estimate.matching / estimate.total : undefined,
      unmeasured: waiting,
      reason: exact
        ? `${kept}: reading them is exact and cheaper than walking the graph past the rest`
        : `${kept}: too many to read, so the HNSW index is walked${waiting ? ' as wide as it goes (not yet measured at its size)' : ''}`,
    };
  }

  /** Deletes what matches; an `all` filter with no limit is refused by the protocols, not here. */
  async delete(
    scope: Scope,
    collectionId: string,
    filter: FilterNode,
    limit: number | null,
    namespace = DEFAULT_NAMESPACE,
  ): Promise<number> {
    // One statement: atomic without an explicit transaction.
    const deleted = await this.withFilteredCollection(scope, collectionId, filter, (collection) =>
      this.repository.delete(this.db, collection, namespace, filter, limit),
    );
    this.recordMetrics?.deleted(deleted);
    return deleted;
  }

  /** One page of ids in byte order (Pinecone's list). */
  async listIds(
    scope: Scope,
    collectionId: CollectionRef,
    namespace: string,
    prefix: string,
    after: string | null,
    limit: number,
  ): Promise<string[]> {
    return this.withCollection(scope, collectionId, (collection) =>
      this.repository.listIds(this.db.reads, collection, namespace, prefix, after, limit),
    );
  }

  /** Merges `patch` into the metadata of every record the filter matches; with dryRun only counts them. */
  async patchMetadata(
    scope: Scope,
    collectionId: string,
    namespace: string,
    filter: FilterNode,
    patch: Record<string, unknown>,
    dryRun: boolean,
  ): Promise<number> {
    const changed = await this.withFilteredCollection(scope, collectionId, filter, (collection) =>
      dryRun
        ? this.repository.countMatching(this.db, collection, namespace, filter)
        : this.repository.patchMetadata(this.db, collection, namespace, filter, patch),
    );
    if (!dryRun) this.recordMetrics?.written('patch', changed);
    return changed;
  }

  /** The size in bytes of the largest metadata among the matching records once `patch` is merged in. */
  async largestMergedMetadata(
    scope: Scope,
    collectionId: string,
    namespace: string,
    filter: FilterNode,
    patch: Record<string, unknown>,
  ): Promise<number> {
    return this.withCollection(scope, collectionId, (collection) =>
      this.repository.largestMergedMetadata(this.db, collection, namespace, filter, patch),
    );
  }

  /** Deletes what matches and says which ids went (Vectorizer reports them one by one). */
  async deleteReturningIds(
    scope: Scope,
    collectionId: string,
    filter: FilterNode,
    namespace = DEFAULT_NAMESPACE,
  ): Promise<string[]> {
    const ids = await this.withFilteredCollection(scope, collectionId, filter, (collection) =>
      this.repository.deleteReturningIds(this.db, collection, namespace, filter),
    );
    this.recordMetrics?.deleted(ids.length);
    return ids;
  }

  async countMatching(
    scope: Scope,
    collectionId: string,
    filter: FilterNode,
    namespace = DEFAULT_NAMESPACE,
  ): Promise<number> {
    return this.withFilteredCollection(scope, collectionId, filter, (collection) =>
      this.repository.countMatching(this.db.reads, collection, namespace, filter),
    );
  }

  /**
   * Runs `work` on the collection's table (a dropped table reads as the collection not found, a
   * dropped column as a stale row, read afresh once: withCollection).
   */
  withCollectionTable<T>(
    scope: Scope,
    collectionId: string,
    work: (db: Queryable, collection: Collection) => Promise<T>,
  ): Promise<T> {
    return this.withCollection(scope, collectionId, (collection) => work(this.db, collection));
  }

  /** The bytes the namespace's metadata holds as JSON text (a read of every record). */
  async metadataBytes(scope: Scope, collectionId: string, namespace = DEFAULT_NAMESPACE): Promise<number> {
    return this.withCollection(scope, collectionId, (collection) =>
      this.repository.metadataBytes(this.db.reads, collection, namespace),
    );
  }

  async count(scope: Scope, collectionId: string, namespace = DEFAULT_NAMESPACE): Promise<number> {
    return this.withCollection(scope, collectionId, (collection) =>
      this.repository.count(this.db.readsPlannedOnce, collection, namespace),
    );
  }
}
