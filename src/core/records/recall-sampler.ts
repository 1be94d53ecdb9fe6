import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { Collection } from '../collections/collection.model';
import { RecallSamplesRepository } from '../collections/recall-samples.repository';
import { Database } from '../../database/database';
import type { FilterNode } from '../filters/filter-ast';
import { INDEXING_OPTIONS, IndexingOptions } from '../indexing/indexing-options';
import type { DenseVector } from './dense-vector';
import { RecordsRepository } from './records.repository';

/** A search as it was served: what it asked, how it read, and the ids it answered. */
export interface ServedSearch {
  /** As searched: seen through a named vector (throughVector) when it searched one. */
  collection: Collection;
  namespace: string;
  filter: FilterNode;
  /** It read less than the whole table (a filter, or one namespace of several). */
  filtered: boolean;
  share?: number;
  vector: DenseVector;
  served: string[];
  k: number;
  /** The walk's ef_search; null: it read every matching record. */
  efSearch: number | null;
}

export type SampleKind = 'unfiltered' | 'filtered';

/** Samples kept per collection in the database: what the tuner measures with, and the rolling recall. */
export const SAMPLES_KEPT = 200;
/** Searches waiting for their check, at most: past it a sample is dropped, never a search delayed. */
const MAX_WAITING = 16;
/** Recalls per collection and kind that /metrics averages over (this replica's checks). */
const WINDOW = 100;
/** Collections whose traffic this replica counts, at most: past it the least searched are forgotten. */
const MAX_TRACKED = 5_000;
/** How much more often a collection searched on the tuner's own guess is sampled (RecallSampler.wants). */
export const EAGER_FACTOR = 10;
/** Deepest k checked: a search for more is checked on its first this many. */
const MAX_K = 100;
/**
 * A filter longer than this (as JSON) is not sampled: a list of 10,000 long ids, 200 times over,
 * would make the samples of one collection gigabytes.
 */
export const MAX_SAMPLED_FILTER_BYTES = 16 * 1024;

const NO_COLUMNS = { embeddings: false, documents: false, metadatas: false, uris: false };

/** One collection's searches and checked recalls, on this replica, for /metrics. */
export interface TrafficStats {
  searches: number;
  recalls: Record<SampleKind, number[]>;
}

/**
 * Samples a small share of the searches served (VECGATE_RECALL_TRAFFIC_SHARE, at most
 * VECGATE_RECALL_TRAFFIC_PER_MINUTE a minute per collection) and checks each in the background
 * against an exact search of the same query, filter and namespace: one at a time, on a read
 * connection (a replica when there is one) without parallel workers and under the statement
 * limit. The checked samples are stored (vecgate_recall_samples): their recall is what the
 * collection's own traffic gets, and their vectors are what the search tuner measures with next.
 * Records written between a search and its check can count as misses.
 */
@Injectable()
export class RecallSampler implements OnModuleDestroy {
  private readonly logger = new Logger('RecallSampler');
  private readonly waiting: ServedSearch[] = [];
  /** When each collection's last samples were taken, within the last minute. */
  private readonly taken = new Map<string, number[]>();
  readonly traffic = new Map<string, TrafficStats>();
  /** Samples checked by this replica, by kind. */
  readonly checked: Record<SampleKind, number> = { unfiltered: 0, filtered: 0 };
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    @Inject(INDEXING_OPTIONS) private readonly options: IndexingOptions,
    private readonly db: Database,
    private readonly records: RecordsRepository,
    private readonly samples: RecallSamplesRepository,
  ) {}

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.waiting.length = 0;
    await this.running;
  }

  /**
   * Counts a search of the collection and says whether to sample it (cheap: no allocation when
   * not). A collection searched on the tuner's own guess (`eager`: its measurement used no traffic
   * yet) is sampled EAGER_FACTOR times as often, so that its own queries decide within its first
   * few hundred searches rather than thousands: the guess is a conservative one, and only they
   * may narrow it.
   */
  wants(collection: Pick<Collection, 'id' | 'tuning' | 'searchPosition'>): boolean {
    this.count(collection.id);
    // Each vector of a collection is measured on its own samples, so each has its own quota.
    const key = collection.searchPosition ? `${collection.id}/${collection.searchPosition}` : collection.id;
    const eager = collection.tuning?.source === 'synthesized' ? EAGER_FACTOR : 1;
    const share = Math.min(1, this.options.trafficShare * eager);
    const perMinute = this.options.trafficPerMinute * eager;
    if (this.stopped || share <= 0 || this.waiting.length >= MAX_WAITING) return false;
    if (share < 1 && Math.random() >= share) return false;
    const now = Date.now();
    const recent = (this.taken.get(key) ?? []).filter((t) => t > now - 60_000);
    if (recent.length >= perMinute) return false;
    recent.push(now);
    this.taken.set(key, recent);
    if (this.taken.size > MAX_TRACKED) this.forgetOld(now);
    return true;
  }

  /** Queues a served search for its check. */
  offer(search: ServedSearch): void {
    if (this.stopped || this.waiting.length >= MAX_WAITING) return;
    if (search.filtered && JSON.stringify(search.filter).length > MAX_SAMPLED_FILTER_BYTES) return;
    this.waiting.push(search);
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  /** Resolves once every queued check is done (tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    for (let search = this.waiting.shift(); search && !this.stopped; search = this.waiting.shift()) {
      try {
        await this.check(search);
      } catch (err) {
        // A collection deleted meanwhile, a statement cancelled by the limit: the sample is lost, nothing else.
        if (!this.stopped) this.logger.warn(`recall check failed: ${(err as Error)?.message ?? err}`);
      }
    }
  }

  private async check(search: ServedSearch): Promise<void> {
    const k = Math.min(search.k, MAX_K);
    const served = search.served.slice(0, k);
    let recall = 1;
    if (search.efSearch !== null) {
      const truth = await this.db.withSessionSettings(
        { max_parallel_workers_per_gather: '0' },
        (db) =>
          this.records.nearest(db, search.collection, {
            namespace: search.namespace,
            vectors: [search.vector],
            n: k,
            filter: search.filter,
            include: NO_COLUMNS,
            exact: true,
          }),
        { read: true },
      );
      const exact = truth[0].map((r) => r.id);
      if (exact.length === 0) return;
      const found = new Set(served);
      recall = exact.filter((id) => found.has(id)).length / exact.length;
    }
    await this.samples.add(
      this.db,
      {
        collectionId: search.collection.id,
        position: search.collection.searchPosition ?? 0,
        filtered: search.filtered,
        namespace: search.namespace,
        filter: search.filtered ? search.filter : null,
        share: search.share ?? null,
        vector: search.vector.toBinary(),
        k,
        efSearch: search.efSearch,
        recall,
      },
      SAMPLES_KEPT,
    );
    const kind: SampleKind = search.filtered ? 'filtered' : 'unfiltered';
    this.checked[kind]++;
    const window = this.count(search.collection.id, 0).recalls[kind];
    window.push(recall);
    if (window.length > WINDOW) window.shift();
  }

  private count(collectionId: string, searches = 1): TrafficStats {
    let stats = this.traffic.get(collectionId);
    if (!stats) {
      if (this.traffic.size >= MAX_TRACKED) this.forgetLeastSearched();
      this.traffic.set(collectionId, (stats = { searches: 0, recalls: { unfiltered: [], filtered: [] } }));
    }
    stats.searches += searches;
    return stats;
  }

  private forgetLeastSearched(): void {
    const least = [...this.traffic.entries()].sort((a, b) => a[1].searches - b[1].searches);
    for (const [id] of least.slice(0, least.length / 2)) this.traffic.delete(id);
  }

  private forgetOld(now: number): void {
    for (const [id, times] of this.taken) if (times.every((t) => t <= now - 60_000)) this.taken.delete(id);
  }
}
