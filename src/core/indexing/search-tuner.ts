import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { recallShortfall } from './recall-shortfall';
import { RecallTally } from './recall-tally';
import type { Collection, FilteredTuning, SearchTuning, VectorField } from '../collections/collection.model';
import { CollectionsRepository } from '../collections/collections.repository';
import { CollectionsService } from '../collections/collections.service';
import { HnswBuildsRepository } from '../collections/hnsw-builds.repository';
import { type SampledQuery, RecallSamplesRepository } from '../collections/recall-samples.repository';
import { RECALL_AT, type SampledRecord, SearchTuningRepository } from '../collections/search-tuning.repository';
import { HNSW_LIMITS, throughVector } from '../collections/vector-index';
import { Database, type Queryable } from '../../database/database';
import type { FilterNode } from '../filters/filter-ast';
import { filteredEfSearch, unmeasured } from '../records/search-policy';
import { DenseVector } from '../records/dense-vector';
import { indexedMaxSimPlan, MAX_MULTIVECTOR_CANDIDATES } from '../records/multivector';
import { RecordsRepository } from '../records/records.repository';
import { ALL } from '../filters/filter-ast';
import { DEFAULT_NAMESPACE } from '../scope';
import { INDEXING_OPTIONS, IndexingOptions } from './indexing-options';
import { multivectorQueries, QUERY_TOKENS } from './multivector-queries';
import { euclidean, gaussian } from './query-geometry';

/** The ef_search values tried, cheapest first; pgvector's largest is 1000. */
export const EF_SEARCH_LADDER = [16, 25, 40, 64, 100, 160, 250, 400, 640, HNSW_LIMITS.efSearch.max];
/** A multivector's candidate depths tried (nearest tokens per query token), cheapest first. */
export const MULTIVECTOR_DEPTH_LADDER = [10, 16, 25, 40, 64, 100, 160, 250, 400, 640, MAX_MULTIVECTOR_CANDIDATES];
/**
 * A multivector's measurement makes at most this many queries: each needs an exact MaxSim over
 * every point's tokens for its truth (3.8 s at 10,000 points of 32 tokens of 128 dimensions).
 */
export const MULTIVECTOR_QUERIES = 20;
/**
 * ...unless their truths take longer than this: then the queries answered so far (at least
 * MULTIVECTOR_MIN_QUERIES) are the measurement's. Fewer queries give a lower bound further below
 * the recall measured, so the depth chosen errs deeper. (Exact MaxSim took about 2 minutes a query
 * at 100,000 points of 32 tokens of 128 dimensions.)
 */
export const MULTIVECTOR_TRUTH_BUDGET_MS = 120_000;
export const MULTIVECTOR_MIN_QUERIES = 5;
/**
 * On the embedded backend (one connection: each statement holds the database) a multivector is
 * measured only while an exact MaxSim compares at most this many token pairs (query tokens × the
 * vector's tokens); larger ones keep the default depth.
 */
export const EMBEDDED_MULTIVECTOR_PAIRS = 2_000_000;
/**
 * Exact search is chosen over a walk that meets the target unless the walk is clearly cheaper:
 * exact search misses nothing, and a walk wide enough to cost about as much gains nothing over it.
 */
const WALK_IF_CHEAPER_BY = 0.9;
/**
 * The ladder stops at a walk dearer than this many exact searches: a wider one cannot be the
 * cheaper way. (Whether exact search is kept when no walk meets the target is the operator's
 * VECGATE_EXACT_IF_MISSED_WITHIN.)
 */
const EXACT_IF_MISSED_WITHIN = 2;
/**
 * Sampled searches of a kind (RecallSampler) that a measurement needs before it measures with
 * them instead of its own queries, and that must have been checked since a measurement before
 * their recall asks for another.
 */
export const TRAFFIC_MIN_SAMPLES = 20;
/** Walks this close to a perfect recall (of the gap above the target) may be narrower... */
const FAR_ABOVE_GAP = 0.5;
/** ...once the measurement is this many check intervals old (a few minutes by default). */
const NARROW_AFTER_CHECKS = 10;
/** The filtered part of a measurement saved before it is made (FilteredTuning.pending). */
export const PENDING_FILTERED: FilteredTuning = Object.freeze({
  efSearch: HNSW_LIMITS.efSearch.max,
  recall: 0,
  walkMs: 0,
  exactMs: 0,
  source: 'synthesized',
  pending: true,
});
/**
 * What filtered searches run with while a measurement's filtered part is made: the last filtered
 * measurement where it still holds (same size, same target: a re-measurement on traffic), else
 * pending, as wide as any measurement could make them (a first one, or after growth, when
 * filtered searches walked at the widest until then).
 */
export function interimFiltered(
  collection: Pick<Collection, 'tuning' | 'index' | 'vectorIndexed' | 'records'>,
  target: number,
): FilteredTuning {
  const previous = collection.tuning?.filtered;
  return previous && !previous.pending && !unmeasured(collection, target) ? previous : PENDING_FILTERED;
}

/** The same items, taken from the front and the back half in turn (near and between queries interleaved). */
function alternate<T>(items: T[]): T[] {
  const half = Math.ceil(items.length / 2);
  return items.slice(0, half).flatMap((x, i) => (i + half < items.length ? [x, items[i + half]] : [x]));
}

/** The advisory lock under which one replica measures a collection's vector (0: its default one). */
const tuningLock = (collectionId: string, position: number) =>
  position === 0 ? `search-tuning:${collectionId}` : `search-tuning:${collectionId}:${position}`;

/**
 * How one measurement ended, for /metrics: met by a walk, met by exact search, missed, or failed
 * (an error: the collection stays unmeasured, its searches exact or at the widest walk).
 */
export type TuningOutcome = 'walk' | 'exact' | 'missed' | 'failed';

/** A query of a measurement: a vector, and for the collection's own filtered searches their filter. */
interface MeasureQuery {
  vector: string;
  /**
   * Each kind must meet the target. The tuner's own queries come in two (near and between
   * records); sampled traffic in two once enough of it is new since the last measurement
   * (trafficKinds).
   */
  kind?: 'near' | 'between' | 'recent' | 'earlier';
  namespace?: string;
  filter?: FilterNode | null;
  share?: number | null;
}

/**
 * One way of searching, as measured: its recall@10, the lower confidence bound of that recall
 * (what meeting the target is judged on: RecallTally), and mean time per search.
 */
interface Trial {
  efSearch: number | null;
  recall: number;
  bound: number;
  ms: number;
}

/**
 * Sampled traffic in two kinds, each of which must meet the target, once at least
 * TRAFFIC_MIN_SAMPLES of it came since the last measurement and some before: after traffic moves
 * (from questions near the records to questions between them, say), a walk that meets the target
 * on the newest samples as a whole still counts the older, easier ones, and the new traffic alone
 * got 0.895 against 0.95 (chroma/traffic-recall.spec). Fewer recent samples stay one kind.
 */
export function trafficKinds<Q extends { recent: boolean }>(samples: Q[]): (Q & Pick<MeasureQuery, 'kind'>)[] {
  const recent = samples.filter((q) => q.recent).length;
  if (recent < TRAFFIC_MIN_SAMPLES || recent === samples.length) return samples;
  return samples.map((q) => ({ ...q, kind: q.recent ? ('recent' as const) : ('earlier' as const) }));
}

/**
 * A query near each sampled record, not the record itself: a record's own vector is a node of the
 * graph, whose neighbours the graph links to directly, and measured that way a walk looked far
 * better than on new queries (0.995 against 0.61 on uniform data). Each query is as far from the
 * record and from its nearest neighbour in the collection (found by the index) as they are from
 * each other, off the line between them in a random direction: among the data, as close to its
 * nearest records as a new query is. Moving the record by the distance to the nearest other
 * record of the sample, as before, overshot on large clustered collections, where 50 records of
 * 1M span the clusters: recall 0.78 measured at ef_search 1000 where the benchmark's queries,
 * drawn as the records are, found 0.98. At 300,000 it now chooses 250 (0.98 on the benchmark's
 * queries), where it chose 1000 (docs/benchmarks.md). Without a neighbour (a collection of one),
 * the nearest other record of the sample stands in.
 */
export function queriesNear(sample: SampledRecord[], random: () => number = Math.random): string[] {
  const vectors = sample.map((r) => JSON.parse(r.vector) as number[]);
  return vectors.map((v, i) => {
    const direction = v.map(() => gaussian(random));
    const neighbour = sample[i].neighbour ? (JSON.parse(sample[i].neighbour!) as number[]) : undefined;
    if (neighbour) {
      const d = euclidean(v, neighbour);
      if (d === 0) return `[${v.join(',')}]`;
      // The direction without its component along the pair, so that both are exactly d away.
      const along = neighbour.map((y, k) => (y - v[k]) / d);
      const dot = direction.reduce((sum, x, k) => sum + x * along[k], 0);
      const off = direction.map((x, k) => x - dot * along[k]);
      const norm = Math.hypot(...off) || 1;
      const r = (Math.sqrt(3) / 2) * d;
      return `[${v.map((x, k) => (x + neighbour[k]) / 2 + (off[k] / norm) * r).join(',')}]`;
    }
    let nearest = Infinity;
    for (const [j, w] of vectors.entries()) if (j !== i) nearest = Math.min(nearest, euclidean(v, w));
    const norm = Math.hypot(...direction) || 1;
    const step = Number.isFinite(nearest) ? nearest : 0;
    return `[${v.map((x, k) => x + (direction[k] / norm) * step).join(',')}]`;
  });
}

/**
 * A query between two sampled records, as a question lies between the topics of the passages that
 * answer it: a point on the segment between a record and another drawn at random (30-70% of the
 * way), moved off the segment in a random direction by the record's distance to its nearest
 * neighbour. On clustered records these fall between clusters, where a walk must be wider than
 * near the records: on 20,000 x 384 clustered records queried between topics, ef_search 100-250
 * found 0.74-0.79 of the ten nearest and 400 found 0.99, while queries near the records met the
 * target at 16 (docs/benchmarks.md, "Recall on queries from elsewhere"). With fewer than two
 * records there is no pair: the query is made near the record.
 */
export function queriesBetween(sample: SampledRecord[], random: () => number = Math.random): string[] {
  if (sample.length < 2) return queriesNear(sample, random);
  const vectors = sample.map((r) => JSON.parse(r.vector) as number[]);
  return vectors.map((v, i) => {
    const other = vectors[(i + 1 + Math.floor(random() * (vectors.length - 1))) % vectors.length];
    const t = 0.3 + 0.4 * random();
    const neighbour = sample[i].neighbour ? (JSON.parse(sample[i].neighbour!) as number[]) : undefined;
    const step = neighbour ? euclidean(v, neighbour) : 0;
    const direction = v.map(() => gaussian(random));
    const norm = Math.hypot(...direction) || 1;
    return `[${v.map((x, k) => (1 - t) * x + t * other[k] + (direction[k] / norm) * step).join(',')}]`;
  });
}

/**
 * The tuner's own queries, before it has sampled the collection's traffic: half near the
 * records, half between them, and a walk must meet the target on each half. Queries near the
 * records alone chose walks that queries from elsewhere found too narrow; a walk that also serves
 * queries between the records is the conservative first guess, and only measured traffic narrows it.
 */
export function synthesizedQueries(
  sample: SampledRecord[],
  random: () => number = Math.random,
): { vector: string; kind: 'near' | 'between' }[] {
  const half = Math.ceil(sample.length / 2);
  return [
    ...queriesNear(sample.slice(0, half), random).map((vector) => ({ vector, kind: 'near' as const })),
    ...queriesBetween(sample.slice(half), random).map((vector) => ({ vector, kind: 'between' as const })),
  ];
}

/**
 * Gives each collection a recall target instead of an ef_search knob. In the background, one
 * collection at a time (one replica per collection, under an advisory lock), after its HNSW index
 * is built and again when it has grown or shrunk by a quarter, it queries the collection exactly
 * and through the index at rising ef_search, and keeps the cheapest way that meets the target:
 * the least ef_search that does, or exact search when that is cheaper or no ef_search does
 * (uniform high-dimensional data). It queries with the collection's own sampled searches once
 * there are enough (RecallSampler), and measures again when their recall asks for it; before
 * that, with queries it makes near and between sampled records (synthesizedQueries), from which
 * it never chooses a walk below the floor.
 * A client's own ef_search is left alone.
 */
@Injectable()
export class SearchTuner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SearchTuner');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  /** Measurements finished by this replica, by outcome. */
  readonly outcomes: Record<TuningOutcome, number> = { walk: 0, exact: 0, missed: 0, failed: 0 };

  /** The collections' vectors whose searches miss the recall target (from the catalog: every replica's measurements), at most `limit`. */
  belowTarget(limit: number) {
    return this.repository.belowTarget(this.db, limit);
  }

  constructor(
    @Inject(INDEXING_OPTIONS) private readonly options: IndexingOptions,
    private readonly db: Database,
    private readonly catalog: CollectionsRepository,
    private readonly repository: SearchTuningRepository,
    private readonly samples: RecallSamplesRepository,
    private readonly collections: CollectionsService,
    private readonly builds: HnswBuildsRepository,
    private readonly records: RecordsRepository,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.recallTarget <= 0) return;
    this.timer = setInterval(() => this.tick(), this.options.recallCheckMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  private readonly missedListeners: (() => void)[] = [];

  /** Calls `listener` after each measurement whose walks missed the target (IndexBuilder looks for an index to rebuild larger). */
  onMissedWalk(listener: () => void): void {
    this.missedListeners.push(listener);
  }

  /** Looks for a collection to measure now (an index was just built), rather than at the next tick. */
  soon(): void {
    if (this.options.recallTarget > 0) setImmediate(() => this.tick());
  }

  private tick(): void {
    if (this.running || this.stopped || !this.db.vectorOid) return;
    this.running = this.next()
      .catch((err) => {
        if (this.stopped) return;
        this.outcomes.failed++;
        this.logger.warn(`search tuning failed: ${(err as Error)?.message ?? err}`);
      })
      .finally(() => (this.running = undefined));
  }

  /**
   * Measures the first due collection another replica is not measuring: one never measured, or
   * grown or shrunk since; else one whose sampled traffic asks for it.
   */
  private async next(): Promise<void> {
    const { recallTarget, minRows, recallCheckMs } = this.options;
    const bySize = await this.repository.due(this.db, minRows, recallTarget, 5);
    const byTraffic = await this.samples.due(
      this.db,
      {
        target: recallTarget,
        minSamples: TRAFFIC_MIN_SAMPLES,
        farAbove: recallTarget + (1 - recallTarget) * FAR_ABOVE_GAP,
        narrowAfterMs: recallCheckMs * NARROW_AFTER_CHECKS,
      },
      5,
    );
    const candidates = [
      ...bySize.map((c) => ({ id: c.id, position: c.position })),
      ...byTraffic.filter((t) => !bySize.some((c) => c.id === t.id && c.position === t.position)),
    ];
    for (const { id, position } of candidates) {
      if (this.stopped) return;
      const measured =
        this.db.backend === 'postgres'
          ? await this.db.withOwnConnection(async (conn) =>
              (await this.db.tryAdvisoryLock(conn, tuningLock(id, position))) ? this.measure(id, position) : false,
            )
          : await this.measure(id, position);
      if (measured) return;
    }
  }

  /**
   * Measures one collection's default vector (position 0), or one of its named dense vectors (the
   * collection seen through it: throughVector), on that vector's sampled traffic once there is
   * enough, and saves what it chose; false when there was nothing to measure.
   */
  private async measure(collectionId: string, position = 0): Promise<boolean> {
    const stored = await this.catalog.findById(this.db, collectionId);
    const field = stored?.vectors.find((f) => f.position === position && f.kind === 'dense');
    if (!stored || (position !== 0 && !field)) return false;
    if (field?.multivector) return this.measureMultivector(stored, field);
    const collection = field ? throughVector(stored, field) : stored;
    if (!collection.dimension || !collection.vectorIndexed || collection.index.efSearchPinned) return false;
    const records = collection.records ?? 0;
    const started = Date.now();
    const { recallSample, synthesizedFloor } = this.options;
    const vector = { position, dimension: collection.dimension };
    const traffic = await this.samples.queries(this.db, collection.id, false, recallSample, vector);
    const filteredTraffic = await this.samples.queries(this.db, collection.id, true, recallSample, vector);
    let queries: MeasureQuery[];
    let source: 'traffic' | 'synthesized';
    if (traffic.length >= TRAFFIC_MIN_SAMPLES) {
      queries = trafficKinds(traffic).map((q) => ({ vector: q.vector, kind: q.kind }));
      source = 'traffic';
    } else {
      const sample = await this.repository.sample(this.db, collection, records, recallSample);
      if (sample.length < Math.min(5, recallSample)) return false;
      queries = synthesizedQueries(sample);
      source = 'synthesized';
    }
    // Queries made from the records cannot vouch for queries from elsewhere (questions against
    // passages): on their own they never choose a walk narrower than the floor.
    const from = source === 'traffic' ? EF_SEARCH_LADDER[0] : synthesizedFloor;
    const tuning = await this.tune(collection, queries, records, from);
    if (!tuning) return false;
    // Unfiltered searches take their walk now, not once the filtered walks are measured too (about
    // half of an 11 s measurement at 20,000 x 128, timed by hand): right after a load they read
    // every record until then. Filtered ones keep the last filtered measurement where it holds at
    // this size, else walk as wide as any measurement could make them meanwhile.
    const interim = { ...tuning, filtered: interimFiltered(collection, this.options.recallTarget), source };
    await this.repository.save(this.db, collection.id, interim, position, { interim: true });
    this.collections.forget(collection.id);
    const synthesizedFiltered = await this.tuneFiltered(collection, queries, tuning.efSearch);
    if (synthesizedFiltered === undefined) return false;
    tuning.filtered = synthesizedFiltered;
    if (filteredTraffic.length >= TRAFFIC_MIN_SAMPLES) {
      const filtered = await this.tuneOnFilteredTraffic(collection, trafficKinds(filteredTraffic), tuning.efSearch);
      if (filtered === undefined) return false;
      if (filtered)
        tuning.filtered = { ...(tuning.filtered ?? { walkMs: 0, exactMs: 0 }), ...filtered, source: 'traffic' };
    }
    await this.repository.save(this.db, collection.id, { ...tuning, source }, position);
    this.collections.forget(collection.id);
    if (!tuning.walkMet) for (const listener of this.missedListeners) listener();
    const outcome: TuningOutcome = tuning.recall < tuning.target ? 'missed' : tuning.exact ? 'exact' : 'walk';
    this.outcomes[outcome]++;
    const how = tuning.exact ? 'exact search' : `ef_search ${tuning.efSearch}`;
    const f = tuning.filtered;
    const filtered = f
      ? `; filtered ef_search ${f.efSearch}, recall@${RECALL_AT} ${f.recall.toFixed(3)}, ` +
        `${f.walkMs.toFixed(2)} ms a walk against ${f.exactMs.toFixed(2)} ms exact under a 10% filter`
      : '';
    // One warning when searches stop reaching the target, one line when they reach it again.
    const which = `collection ${collection.id}${field ? ` vector ${JSON.stringify(field.name)}` : ''}`;
    const missedBefore = recallShortfall(collection.tuning, collection.index, this.options) !== null;
    const shortfall = recallShortfall(
      { ...tuning, source, measuredAt: new Date() },
      collection.index,
      this.options,
      await this.builds.history(this.db, collection.id, position),
    );
    if (shortfall && !missedBefore) this.logger.warn(`${which}: ${shortfall}`);
    else if (!shortfall && missedBefore) this.logger.log(`${which}: searches reach the recall target again`);
    this.logger.log(
      `${which} (${records} records), on ${queries.length} ${source === 'traffic' ? 'sampled searches' : 'queries near and between its records'}: ` +
        `${how}, recall@${RECALL_AT} ${tuning.recall.toFixed(3)} (target ${tuning.target}), ` +
        `${tuning.msPerSearch.toFixed(2)} ms a search${filtered}` +
        (tuning.walkMet
          ? ''
          : `; no walk reached the target (ef_search ${tuning.efSearch}: recall@${RECALL_AT} ${tuning.walkRecall?.toFixed(3)}) ` +
            `on the index built with m ${collection.index.m} and ef_construction ${collection.index.efConstruction}`) +
        `; measured in ${Date.now() - started} ms`,
    );
    return true;
  }

  /**
   * Measures a multivector's candidate depth: queries made near and between sampled points
   * (multivectorQueries), each answered by exact MaxSim over every point (the truth) and through
   * the token index at rising depths, as searches run them (RecordsService.maxSim); keeps the least
   * depth whose recall@10 meets the target on each kind (judged on its lower bound), or exact when
   * that is cheaper or no depth does. Multivector searches are not sampled, so only these queries
   * measure it. Runs on a connection of its own, without the statement limit: the truth is an
   * exact MaxSim. False when there was nothing to measure.
   */
  private async measureMultivector(stored: Collection, field: VectorField): Promise<boolean> {
    if (!field.indexed || field.index.efSearchPinned) return false;
    const records = stored.records ?? 0;
    const started = Date.now();
    const tokenRows = await this.repository.tokenRows(this.db, stored, field);
    if (this.db.backend !== 'postgres' && tokenRows * QUERY_TOKENS > EMBEDDED_MULTIVECTOR_PAIRS) return false;
    const n = Math.min(this.options.recallSample, MULTIVECTOR_QUERIES);
    const sample = await this.repository.sampleMultivectors(this.db, stored, field, records, n, DEFAULT_NAMESPACE);
    if (sample.length < Math.min(5, n)) return false;
    const queries = multivectorQueries(sample.map((tokens) => tokens.map((t) => JSON.parse(t) as number[])));
    const target = this.options.recallTarget;
    // PostgreSQL: one connection of its own for the whole measurement. Embedded (one connection in
    // all): each statement takes it in turn, so that requests run between them.
    let own: Queryable | undefined;
    const on = <T>(work: (conn: Queryable) => Promise<T>): Promise<T> =>
      own ? work(own) : this.db.withOwnConnection(work);
    const run = (tokens: DenseVector[], depth: number | null) =>
      on(async (conn) => {
        await conn.query('BEGIN');
        try {
          const plan = depth === null ? null : indexedMaxSimPlan(depth, RECALL_AT);
          if (plan) await conn.query(`SELECT set_config('hnsw.ef_search', $1, true)`, [String(plan.efSearch)]);
          const t0 = performance.now();
          const rows = await this.records.maxSim(conn, stored, field, {
            namespace: DEFAULT_NAMESPACE,
            tokens,
            n: RECALL_AT,
            filter: ALL,
            include: { embeddings: false, documents: false, metadatas: false, uris: false },
            candidates: depth,
            rescored: plan?.rescored ?? null,
          });
          return { ids: rows.map((r) => r.id), ms: performance.now() - t0 };
        } finally {
          await conn.query('COMMIT');
        }
      });
    const asked = queries.map((q) => ({ ...q, vectors: q.tokens.map((t) => DenseVector.fromNumbers(t)) }));
    const measured =
      this.db.backend === 'postgres'
        ? await this.db.withOwnConnection((conn) => ((own = conn), this.depthTrials(asked, run)))
        : await this.depthTrials(asked, run);
    if (!measured) return false;
    const { walk, met, exactMs, queries: used } = measured;
    const exactWins = met
      ? walk.ms >= exactMs * WALK_IF_CHEAPER_BY
      : exactMs <= walk.ms * this.options.exactIfMissedWithin;
    await this.repository.save(
      this.db,
      stored.id,
      {
        records,
        target,
        recall: exactWins ? 1 : walk.recall,
        efSearch: walk.efSearch!,
        exact: exactWins,
        msPerSearch: exactWins ? exactMs : walk.ms,
        walkMet: met !== null,
        walkRecall: walk.recall,
        filtered: null,
        source: 'synthesized',
      },
      field.position,
    );
    this.collections.forget(stored.id);
    const outcome: TuningOutcome = !met && !exactWins ? 'missed' : exactWins ? 'exact' : 'walk';
    this.outcomes[outcome]++;
    this.logger.log(
      `collection ${stored.id} multivector ${JSON.stringify(field.name)} (${records} records), on ${used} queries ` +
        `near and between its records: ${exactWins ? 'exact MaxSim' : `${walk.efSearch} nearest tokens per query token`}, ` +
        `recall@${RECALL_AT} ${(exactWins ? 1 : walk.recall).toFixed(3)} (target ${target}), ` +
        `${(exactWins ? exactMs : walk.ms).toFixed(2)} ms a search against ${exactMs.toFixed(2)} ms exact; ` +
        `measured in ${Date.now() - started} ms`,
    );
    return true;
  }

  /**
   * The exact MaxSim of each query (the truth, and its mean time; within the truth's time budget),
   * then the depths of the ladder until one meets the target on each kind; the depth kept (the
   * least that met it, or the widest tried) and how many queries measured it, null when stopped
   * midway.
   */
  private async depthTrials(
    queries: { kind: string; vectors: DenseVector[] }[],
    run: (tokens: DenseVector[], depth: number | null) => Promise<{ ids: string[]; ms: number }>,
  ): Promise<{ walk: Trial; met: Trial | null; exactMs: number; queries: number } | null> {
    const target = this.options.recallTarget;
    // Near and between queries alternate, so that a measurement cut short keeps both kinds.
    let asked = alternate(queries);
    const truth: string[][] = [];
    let spent = 0;
    for (const q of asked) {
      if (this.stopped) return null;
      if (truth.length >= MULTIVECTOR_MIN_QUERIES && spent > MULTIVECTOR_TRUTH_BUDGET_MS) break;
      const { ids, ms } = await run(q.vectors, null);
      truth.push(ids);
      spent += ms;
    }
    asked = asked.slice(0, truth.length);
    const exactMs = spent / asked.length;
    let met: Trial | null = null;
    let widest: Trial | null = null;
    for (const depth of MULTIVECTOR_DEPTH_LADDER) {
      const tally = new RecallTally();
      let ms = 0;
      for (const [i, q] of asked.entries()) {
        if (this.stopped) return null;
        const found = await run(q.vectors, depth);
        ms += found.ms / asked.length;
        const hit = new Set(found.ids);
        tally.add(q.kind, truth[i].filter((id) => hit.has(id)).length, truth[i].length);
      }
      widest = { efSearch: depth, recall: tally.recall(), bound: tally.bound(), ms };
      if (widest.bound >= target) {
        met = widest;
        break;
      }
      // Past the cost of exact MaxSim a deeper walk cannot be the cheaper way (as for dense walks).
      if (this.options.exactIfMissedWithin > 0 && ms > exactMs * EXACT_IF_MISSED_WITHIN) break;
    }
    return { walk: (met ?? widest)!, met, exactMs, queries: asked.length };
  }

  /**
   * The least filtered ef_search (the one a filter keeping a tenth walks at: filteredEfSearch)
   * whose walks meet the target on the collection's own filtered searches, each under its own
   * filter and namespace at the ef_search its share gives, as searches run. A list shorter than
   * the truth counts as found: searches search such a list again exactly. Null when no sampled
   * search has an answer any more; undefined when stopped midway.
   */
  private async tuneOnFilteredTraffic(
    collection: Collection,
    samples: (SampledQuery & Pick<MeasureQuery, 'kind'>)[],
    unfiltered: number,
  ): Promise<{ efSearch: number; recall: number } | null | undefined> {
    const truth: string[][] = [];
    for (const q of samples) {
      if (this.stopped) return undefined;
      truth.push((await this.search(collection, { ...q }, null)).ids);
    }
    if (truth.every((ids) => ids.length === 0)) return null;
    let last: { efSearch: number; recall: number } | null = null;
    for (const ladder of EF_SEARCH_LADDER.filter((ef) => ef >= unfiltered)) {
      const tally = new RecallTally();
      for (const [i, q] of samples.entries()) {
        if (this.stopped) return undefined;
        const ef = Math.max(filteredEfSearch(unfiltered, ladder, q.share ?? undefined), collection.index.efSearch);
        const { ids } = await this.search(collection, q, Math.min(ef, HNSW_LIMITS.efSearch.max));
        const found = new Set(ids);
        const hits = ids.length < truth[i].length ? truth[i].length : truth[i].filter((id) => found.has(id)).length;
        tally.add(q.kind ?? '', hits, truth[i].length);
      }
      last = { efSearch: ladder, recall: tally.recall() };
      if (tally.bound() >= this.options.recallTarget) break;
    }
    return last;
  }

  /** The cheapest way to search unfiltered that meets the target, its filtered part pending; null when stopped midway. */
  private async tune(
    collection: Collection,
    queries: MeasureQuery[],
    records: number,
    from: number,
  ): Promise<Omit<SearchTuning, 'measuredAt' | 'source'> | null> {
    const target = this.options.recallTarget;
    const exact = await this.trial(collection, queries, null, null);
    if (!exact) return null;
    let widest: Trial | null = null;
    let met: Trial | null = null;
    for (const efSearch of EF_SEARCH_LADDER.filter((ef) => ef >= Math.min(from, HNSW_LIMITS.efSearch.max))) {
      const trial = await this.trial(collection, queries, efSearch, exact.truth);
      if (!trial) return null;
      widest = trial;
      if (trial.bound >= target) {
        met = trial;
        break;
      }
      // Past the cost of reading everything, a wider walk cannot be the cheaper way; unless reading
      // everything is never kept in place of a walk that misses (VECGATE_EXACT_IF_MISSED_WITHIN=0):
      // then the widest walk is the nearest to the target there is.
      if (this.options.exactIfMissedWithin > 0 && trial.ms > exact.ms * EXACT_IF_MISSED_WITHIN) break;
    }
    const walk = (met ?? widest)!;
    // The trials ran one after the other, under whatever else the server was doing meanwhile (a
    // bulk load's first queries, typically): the two candidates are timed again, query by query
    // in turn, so that both run under the same load.
    const duel = await this.duel(collection, queries, walk.efSearch!);
    if (!duel) return null;
    const exactWins = met
      ? duel.walkMs >= duel.exactMs * WALK_IF_CHEAPER_BY
      : duel.exactMs <= duel.walkMs * this.options.exactIfMissedWithin;
    return {
      records,
      target,
      recall: exactWins ? 1 : walk.recall,
      efSearch: walk.efSearch!,
      exact: exactWins,
      msPerSearch: exactWins ? duel.exactMs : duel.walkMs,
      walkMet: met !== null,
      walkRecall: walk.recall,
      filtered: PENDING_FILTERED,
    };
  }

  /**
   * The least ef_search that meets the target under a filter keeping one record in ten, from the
   * unfiltered walk's up: with relaxed iterative scans a walk returns its ef_search nearest
   * candidates and the filter keeps a tenth of them, so it ranks fewer than an unfiltered walk
   * does (200,000 x 384 clustered, a 10% category filter: recall@10 0.91 at ef_search 100, 0.98
   * at 250; docs/benchmarks.md). Null when no record passes the filter (every exact answer empty);
   * undefined when stopped midway.
   */
  private async tuneFiltered(
    collection: Collection,
    queries: MeasureQuery[],
    from: number,
  ): Promise<FilteredTuning | null | undefined> {
    const exact = await this.trial(collection, queries, null, null, true);
    if (!exact) return undefined;
    if (exact.truth.every((ids) => ids.length === 0)) return null;
    let last: Trial | null = null;
    for (const efSearch of EF_SEARCH_LADDER.filter((ef) => ef >= from)) {
      const trial = await this.trial(collection, queries, efSearch, exact.truth, true);
      if (!trial) return undefined;
      last = trial;
      if (trial.bound >= this.options.recallTarget) break;
    }
    if (!last) return null;
    // Timed again in turns, as the unfiltered pair is: the search policy weighs one against the
    // other (prefersExactSearch), and a load that began between the trials made a walk look five
    // times dearer than it is.
    const duel = await this.duel(collection, queries, last.efSearch!, true);
    if (!duel) return undefined;
    return { efSearch: last.efSearch!, recall: last.recall, ...duel, source: 'synthesized' };
  }

  /**
   * Mean time of one search each way, the two ways taking turns query by query, over the whole
   * table or under the filter keeping a tenth (`filtered`); null when stopped midway.
   */
  private async duel(
    collection: Collection,
    queries: MeasureQuery[],
    efSearch: number,
    filtered = false,
  ): Promise<{ walkMs: number; exactMs: number } | null> {
    let walk = 0;
    let exact = 0;
    const time = async (query: MeasureQuery, ef: number | null) =>
      (await this.search(collection, query, ef, filtered)).ms;
    for (const [i, query] of queries.entries()) {
      if (this.stopped) return null;
      // Alternating which goes first, so that neither always finds the pages the other just read.
      if (i % 2 === 0) {
        walk += await time(query, efSearch);
        exact += await time(query, null);
      } else {
        exact += await time(query, null);
        walk += await time(query, efSearch);
      }
    }
    return { walkMs: walk / queries.length, exactMs: exact / queries.length };
  }

  /**
   * One search of the measurement (a walk at this ef_search, or exact when null), timed: over the
   * whole table, under the filter keeping a tenth (`filtered`), or under a sampled search's own
   * filter and namespace.
   */
  private async search(
    collection: Collection,
    query: MeasureQuery,
    efSearch: number | null,
    filtered = false,
  ): Promise<{ ids: string[]; ms: number }> {
    const started = performance.now();
    const ids = await this.db.transaction((tx) =>
      query.namespace !== undefined
        ? this.repository.nearestIdsWhere(tx, collection, query.vector, efSearch, query.namespace, query.filter ?? null)
        : this.repository.nearestIds(tx, collection, query.vector, efSearch, filtered),
    );
    return { ids, ms: performance.now() - started };
  }

  /**
   * Searches each query's neighbours one way and times it; each answer is compared with the
   * exact one (`truth`; null: this is the exact search, which is its own truth). `filtered`: under
   * the filter keeping one record in ten.
   */
  private async trial(
    collection: Collection,
    queries: MeasureQuery[],
    efSearch: number | null,
    truth: string[][] | null,
    filtered = false,
  ): Promise<(Trial & { truth: string[][] }) | null> {
    const answers: string[][] = [];
    // Hits and expected ids by kind of query: the recall is the worst kind's.
    const tally = new RecallTally();
    let elapsed = 0;
    for (const [i, query] of queries.entries()) {
      if (this.stopped) return null;
      const { ids, ms } = await this.search(collection, query, efSearch, filtered);
      elapsed += ms;
      answers.push(ids);
      const exact = truth?.[i] ?? ids;
      const found = new Set(ids);
      tally.add(query.kind ?? '', exact.filter((id) => found.has(id)).length, exact.length);
    }
    return {
      efSearch,
      recall: tally.recall(),
      bound: tally.bound(),
      ms: elapsed / queries.length,
      truth: truth ?? answers,
    };
  }
}
