/** When indexes are built (IndexBuilder) and how many range keys get one; read from the environment by config/. */
export interface IndexingOptions {
  /** Below this many inserted records a collection is searched exactly and gets no HNSW index. */
  minRows: number;
  /** The index is built once no record has been inserted for this long (a bulk load is over)... */
  quietMs: number;
  /** ...or, under a steady stream of inserts, at the latest this long after it became due. */
  maxDeferMs: number;
  /** maintenance_work_mem for a build, in MB: an HNSW graph that does not fit builds far slower. */
  buildMemoryMb: number;
  /** How many metadata keys of a collection get an index for numeric range filters (0: none). */
  rangeKeys: number;
  /** The recall@10 unfiltered searches are tuned to (SearchTuner); 0 turns the tuning off. */
  recallTarget: number;
  /** How many of a collection's records a recall measurement queries with. */
  recallSample: number;
  /** How often the tuner looks for a collection to measure (new index, grown or shrunk by a quarter). */
  recallCheckMs: number;
  /**
   * The share of a collection's searches whose recall is checked against an exact search in the
   * background (RecallSampler); 0 turns it off. At most `trafficPerMinute` a minute per collection.
   */
  trafficShare: number;
  trafficPerMinute: number;
  /**
   * The least ef_search the tuner chooses from its own synthesized queries: only a measurement on
   * the collection's sampled traffic may go below it (queries unlike the records need wider walks).
   */
  synthesizedFloor: number;
  /**
   * When no ef_search meets the recall target, searches read every record instead while that costs
   * at most this many times the widest walk (VECGATE_EXACT_IF_MISSED_WITHIN, default 2); 0: never,
   * the widest walk is kept and the shortfall reported.
   */
  exactIfMissedWithin: number;
  /**
   * The HNSW build settings of collections whose client chose none (VECGATE_HNSW_M,
   * VECGATE_HNSW_EF_CONSTRUCTION): where the tuner's rebuilds start from.
   */
  hnsw: { m: number; efConstruction: number };
  /**
   * When no walk reaches the recall target, the index is rebuilt with more neighbours and a wider
   * build (IndexGrower), each step's build cancelled past this many minutes and not begun when the
   * last one predicts it would take longer (VECGATE_REBUILD_MAX_MINUTES, 30; 0: never rebuilt)...
   */
  rebuildMaxMinutes: number;
  /** ...or that it would be more than this many times the size of the collection's first index (VECGATE_REBUILD_MAX_SIZE, 4). */
  rebuildMaxSize: number;
}

export const INDEXING_OPTIONS = Symbol('INDEXING_OPTIONS');
