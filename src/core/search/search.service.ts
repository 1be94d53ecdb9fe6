import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Collection } from '../collections/collection.model';
import { Database } from '../../database/database';
import { DimensionMismatchError, InvalidArgumentError } from '../errors';
import { RangeKeyTracker } from '../records/range-key-tracker';
import { RecordsRepository } from '../records/records.repository';
import { RecallSampler } from '../records/recall-sampler';
import { RECORD_METRICS, type RecordMetrics } from '../records/record-metrics';
import { RecordsService, type VectorSearchPlan } from '../records/records.service';
import { DEFAULT_NAMESPACE, Scope } from '../scope';
import { HybridSearch, knnLeaves, rankShape, ScoredRecord } from './search.model';
import { SearchRepository, type SearchRows } from './search.repository';
import { MAX_RESULTS, MAX_SEARCHES } from './plan-budget';

/** The most records one knn list may hold (Chroma's default is 16, its clients' 128): the plans' budget. */
export const MAX_KNN_LIMIT = MAX_RESULTS;
/** The most knn lists one rank expression may combine: a plan's searches. */
export const MAX_KNN_LEAVES = MAX_SEARCHES;
/**
 * The most nodes (operators, values and knns) of one rank expression, and how deep it may nest.
 * Each node is computed once per candidate record (up to 16 lists of 10,000): a Reciprocal Rank
 * Fusion of 16 lists takes about 100 nodes.
 */
export const MAX_RANK_NODES = 256;
export const MAX_RANK_DEPTH = 128;

/** The answer to a rank expression past MAX_RANK_NODES (a parser that counts as it goes gives it too). */
export const tooManyRankNodes = () =>
  new InvalidArgumentError(
    `A rank expression may hold at most ${MAX_RANK_NODES} operators, values and $knn; this one has more`,
  );
/** The most metadata keys a group_by may group by, and order each group by. */
export const MAX_GROUP_BY_KEYS = 32;

/** SQLSTATEs of float arithmetic gone out of range: a rank expression's overflow, not the server's fault. */
const OUT_OF_RANGE = new Set(['22003', '22012', '2201E', '2201F']);

/**
 * The Search API's core: each search is one statement (SearchRepository). Dense knn lists walk the
 * HNSW index, or read every matching record where the filter keeps few (the policy of nearest
 * searches, search-policy.ts); sparse lists are always read exactly (there is no sparse index).
 */
@Injectable()
export class SearchService {
  constructor(
    private readonly db: Database,
    private readonly repository: SearchRepository,
    private readonly records: RecordsRepository,
    private readonly plans: RecordsService,
    private readonly rangeKeys: RangeKeyTracker,
    private readonly sampler: RecallSampler,
    @Optional() @Inject(RECORD_METRICS) private readonly recordMetrics?: RecordMetrics,
  ) {}

  async search(
    scope: Scope,
    collectionId: string,
    searches: HybridSearch[],
    namespace = DEFAULT_NAMESPACE,
  ): Promise<{ collection: Collection; results: ScoredRecord[][] }> {
    const started = performance.now();
    try {
      // On the cached catalog row, as every record call: a table or column dropped since it was
      // cached (another replica) is handled there (RecordsService.withCollectionTable).
      return await this.plans.withCollectionTable(scope, collectionId, async (_db, collection) => {
        const results = await this.run(collection, namespace, searches);
        for (const search of searches) this.rangeKeys.note(collection, search.filter);
        if (searches.some((search) => search.rank !== null))
          this.recordMetrics?.searched?.(collection.id, performance.now() - started);
        return { collection, results };
      });
    } catch (err) {
      const code = (err as { code?: unknown })?.code;
      if (typeof code === 'string' && OUT_OF_RANGE.has(code))
        throw new InvalidArgumentError(`The rank expression's arithmetic went out of range: ${(err as Error).message}`);
      throw err;
    }
  }

  /** Every search of a request on one catalog row, sharing one answer's size budget. */
  private async run(collection: Collection, namespace: string, searches: HybridSearch[]): Promise<ScoredRecord[][]> {
    for (const search of searches) this.check(collection, search);
    const results: ScoredRecord[][] = [];
    // One answer carries every search: they share its size budget, each taking what the last left.
    let budget = this.repository.answerBytes;
    for (const search of searches) {
      const { rows, bytes } = await this.one(collection, namespace, search, budget);
      results.push(rows);
      budget -= bytes;
    }
    return results;
  }

  private check(collection: Collection, search: HybridSearch): void {
    if (search.groupBy) {
      const { keys, orderBy } = search.groupBy;
      if (keys.length > MAX_GROUP_BY_KEYS || orderBy.length > MAX_GROUP_BY_KEYS)
        throw new InvalidArgumentError(
          `A group_by may name at most ${MAX_GROUP_BY_KEYS} keys and ${MAX_GROUP_BY_KEYS} aggregate keys, this one has ${keys.length} and ${orderBy.length}`,
        );
    }
    if (search.rank === null) return;
    const { nodes, depth } = rankShape(search.rank, MAX_RANK_NODES);
    if (nodes > MAX_RANK_NODES) throw tooManyRankNodes();
    if (depth > MAX_RANK_DEPTH)
      throw new InvalidArgumentError(`A rank expression may nest at most ${MAX_RANK_DEPTH} deep, this one ${depth}`);
    const leaves = knnLeaves(search.rank);
    if (leaves.length > MAX_KNN_LEAVES)
      throw new InvalidArgumentError(
        `A rank expression may combine at most ${MAX_KNN_LEAVES} $knn, this one has ${leaves.length}`,
      );
    for (const knn of leaves) {
      if (knn.limit > MAX_KNN_LIMIT)
        throw new InvalidArgumentError(`A $knn limit may be at most ${MAX_KNN_LIMIT}, got ${knn.limit}`);
      if ('dense' in knn.query && collection.dimension !== null && knn.query.dense.dimension !== collection.dimension)
        throw new DimensionMismatchError(collection.dimension, knn.query.dense.dimension);
    }
  }

  private async one(
    collection: Collection,
    namespace: string,
    search: HybridSearch,
    budget: number,
  ): Promise<SearchRows> {
    // A rank without a $knn scores no record (Chroma's rank domain is then empty).
    if (search.rank && knnLeaves(search.rank).length === 0) return { rows: [], bytes: 0 };
    const dense = search.rank ? knnLeaves(search.rank).filter((k) => 'dense' in k.query) : [];
    if (dense.length === 0 || collection.dimension === null)
      return this.repository.search(this.db.reads, collection, namespace, search, { exact: true, budget });
    const plan = await this.plans.vectorSearchPlan(collection, namespace, search.filter);
    if (plan.exact) {
      const answer = await this.repository.search(this.db.reads, collection, namespace, search, {
        exact: true,
        budget,
      });
      this.sample(collection, namespace, search, plan, answer.rows, null);
      return answer;
    }
    const most = Math.max(...dense.map((k) => k.limit));
    const settings = this.records.searchSettings(collection, most, plan);
    const answer = await this.db.withSessionSettings(
      settings,
      (db) => this.repository.search(db, collection, namespace, search, { exact: false, budget }),
      { read: true },
    );
    this.sample(collection, namespace, search, plan, answer.rows, Number(settings['hnsw.ef_search']));
    return answer;
  }

  /**
   * Offers a search ranked by one dense $knn alone (the Search API's nearest-neighbour search) to
   * the recall sampler: its first rows are that knn's nearest. Fused, grouped, paged or
   * defaulted ranks are not: their rows are not a list of nearest neighbours to check.
   */
  private sample(
    collection: Collection,
    namespace: string,
    search: HybridSearch,
    plan: VectorSearchPlan,
    rows: ScoredRecord[],
    efSearch: number | null,
  ): void {
    const knn = search.rank;
    if (knn?.kind !== 'knn' || !('dense' in knn.query) || knn.default !== null || knn.returnRank) return;
    if (search.groupBy || search.offset > 0 || !this.sampler.wants(collection)) return;
    const k = Math.min(knn.limit, search.limit ?? knn.limit);
    this.sampler.offer({
      collection,
      namespace,
      filter: search.filter,
      filtered: plan.narrows,
      share: plan.share,
      vector: knn.query.dense,
      served: rows.slice(0, k).map((r) => r.id),
      k,
      efSearch,
    });
  }
}
