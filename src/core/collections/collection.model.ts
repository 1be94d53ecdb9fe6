import type { NewTextField, TextField } from '../text/text-field';

export type Metric = 'l2' | 'ip' | 'cosine' | 'l1';

/** HNSW build and search settings of a collection (pgvector's m, ef_construction, ef_search). */
export interface IndexSettings {
  m: number;
  efConstruction: number;
  efSearch: number;
  /**
   * Set when a client chose ef_search itself: searches then use it as given, and the search tuner
   * leaves the collection alone. Otherwise efSearch is only the start, until a measurement.
   */
  efSearchPinned?: boolean;
  /**
   * Whether a client chose m or ef_construction itself: the index is then built as asked and never
   * rebuilt with others (IndexGrower). Unset on a new collection's settings: the operator's
   * defaults apply (CollectionsService.create). Catalog rows from before it: see explicitBuild.
   */
  buildPinned?: boolean;
  /** How many times the tuner had the index rebuilt with larger settings (IndexGrower); unset: never. */
  grown?: number;
  /**
   * From how many inserted records the index builder builds the collection's HNSW indexes, when a
   * client chose it (Qdrant's indexing_threshold); unset: the operator's VECGATE_INDEX_MIN_ROWS.
   */
  buildFromRows?: number;
  /** A client turned the builds off (Qdrant's indexing_threshold 0): searches read the records. */
  noBuild?: boolean;
}

/** From how many inserted records a collection of these settings gets its HNSW indexes; null: never. */
export function buildFromRows(index: IndexSettings, minRows: number): number | null {
  if (index.noBuild) return null;
  return index.buildFromRows ?? minRows;
}

/** What the search tuner last measured of a collection's index (src/core/indexing/search-tuner.ts). */
export interface SearchTuning {
  /** The records the collection held then. */
  records: number;
  target: number;
  /** recall@10 of unfiltered searches the chosen way, on a sample of the collection's own records. */
  recall: number;
  /** The ef_search unfiltered searches run with. */
  efSearch: number;
  /** Unfiltered searches read every record: cheaper than any ef_search that met the target, or none did. */
  exact: boolean;
  msPerSearch: number;
  /**
   * Whether a walk met the target (judged on its lower bound), and the recall of the walk kept: the
   * cheapest that did, or the widest tried. Exact search may be chosen either way; a walk that
   * missed is what has the index rebuilt larger (IndexGrower). Unset: measured before these existed.
   */
  walkMet?: boolean;
  walkRecall?: number;
  /** Walks under a filter keeping one record in ten; null when measured before these existed. */
  filtered: FilteredTuning | null;
  /**
   * What the measurement queried with: queries it made near sampled records, or the collection's
   * own sampled searches (RecallSampler). Only the latter may choose an ef_search below the floor.
   */
  source: 'synthesized' | 'traffic';
  measuredAt: Date;
}

/**
 * What the tuner measured under a filter that keeps one record in ten: a walk ranks only the
 * candidates that pass, so it needs a wider ef_search than an unfiltered one for the same recall.
 */
export interface FilteredTuning {
  /** The least ef_search whose recall@10 met the target under that filter (the widest tried if none did). */
  efSearch: number;
  recall: number;
  /** Mean time of the walk at that ef_search, and of reading the matching records, under that filter. */
  walkMs: number;
  exactMs: number;
  /**
   * What efSearch and recall were measured on: the tuner's filter keeping a tenth, or the
   * collection's own sampled filtered searches, each under its filter (the times stay the former's).
   */
  source: 'synthesized' | 'traffic';
  /**
   * Not measured yet: the tuner saves its unfiltered choice first and measures filtered walks
   * after. Meanwhile efSearch is the widest, so that a filtered walk is at least as wide as any
   * measurement could make it, and recall and times are 0 (the search policy's own thresholds
   * decide an exact read, as before any measurement).
   */
  pending?: boolean;
}

export const DEFAULT_INDEX: IndexSettings = { m: 16, efConstruction: 100, efSearch: 100 };

/**
 * The filter indexes a record table gets besides its keys: one over every metadata key and one
 * for substring searches of documents. A protocol turns either off when its collection asks for
 * no such filters (Chroma's schema); writes then skip maintaining it.
 */
export interface RecordIndexes {
  metadata: boolean;
  document: boolean;
}

export const ALL_RECORD_INDEXES: RecordIndexes = { metadata: true, document: true };

/**
 * A vector the records of a collection hold besides the default dense `embedding` and sparse
 * `sparse_embedding` (Qdrant's named vectors): a column of the record table (vectorColumn), a
 * dense one with its own HNSW index built by IndexBuilder.
 */
export interface VectorField {
  /** 1, 2, ...: the column is named from it, never from `name`. */
  position: number;
  name: string;
  kind: 'dense' | 'sparse';
  /** Dense only, fixed when the vector is declared. */
  dimension: number | null;
  metric: Metric;
  index: IndexSettings;
  /** A dense vector's HNSW index was valid when the catalog was read. */
  indexed: boolean;
  /** The search tuner's last measurement of its index (as the collection's own, of the default vector). */
  tuning: SearchTuning | null;
  /**
   * Dense only: each record holds a list of token vectors of the dimension (ColBERT), scored by
   * MaxSim (src/core/records/multivector.ts); its tokens are a table of their own, indexed by HNSW.
   */
  multivector?: boolean;
  /** How a multivector's values are stored: float32 (`vector`) or half precision (`halfvec`). Unset: float32. */
  storage?: VectorStorage;
}

export type VectorStorage = 'float32' | 'float16';

export type NewVectorField = Omit<VectorField, 'position' | 'indexed' | 'tuning'>;

/**
 * A collection a record call works on: its id (the row then comes from the catalog cache), or the
 * row itself, read by the caller for this call (CollectionsService.getByNameForRead).
 */
export type CollectionRef = string | Collection;

export interface Collection {
  id: string;
  name: string;
  tenant: string;
  database: string;
  databaseId: string;
  /** Null until the first write fixes it. */
  dimension: number | null;
  metric: Metric;
  index: IndexSettings;
  metadata: Record<string, unknown> | null;
  /** Settings a protocol keeps to echo back (Chroma's embedding_function, resize_factor...). */
  extras: Record<string, unknown>;
  schema: unknown;
  recordIndexes: RecordIndexes;
  /** The record table, named from the collection's uuid; never from a request. */
  tableName: string;
  /**
   * Whether the record table had a valid HNSW index when the catalog was read. Without one a
   * search reads every matching record whatever the filter (IndexBuilder builds it later, or never
   * past HNSW's dimensions).
   */
  vectorIndexed: boolean;
  /**
   * Whether records had been written to a namespace other than the default one (Pinecone's) when
   * the catalog was read: then a search of the default namespace reads part of the table only.
   */
  namespaced: boolean;
  /** The search tuner's last measurement, when there is one and the client did not pin ef_search. */
  tuning: SearchTuning | null;
  /** The vectors its records hold besides the default ones, by position. */
  vectors: VectorField[];
  /** Metadata keys searched by their words (full-text search), by position. */
  textFields: TextField[];
  /**
   * Set on a collection seen through one of its named dense vectors (throughVector): searches
   * order by that column, with that vector's dimension, metric, index and HNSW state.
   */
  searchColumn?: string;
  /** With searchColumn: that vector's position (the default vector's is 0). */
  searchPosition?: number;
  /**
   * The records of all its namespaces when the catalog was read (the counts writes keep); unknown
   * for a collection not read from the catalog (a benchmark's reference table).
   */
  records?: number;
  /**
   * The catalog version of the row as read: bumped by every change of what writes and searches
   * are planned against (CollectionsService.hold); unknown for a collection not read from the catalog.
   */
  catalogVersion?: number;
  /**
   * Metadata keys (as paths) whose values have statistics (RangeIndexRepository's `values` kind,
   * gathered): the planner estimates a test of such a key's values well (compileEstimate).
   */
  statisticsKeys?: string[][];
  createdAt: Date;
}

export interface NewCollection {
  name: string;
  /** Known up front (Pinecone); otherwise fixed by the first write. */
  dimension?: number | null;
  metric: Metric;
  index: IndexSettings;
  metadata: Record<string, unknown> | null;
  extras: Record<string, unknown>;
  schema: unknown;
  /** All of them unless given. */
  recordIndexes?: RecordIndexes;
  /** Vectors besides the default ones (positions follow this order). */
  vectors?: NewVectorField[];
  /** Metadata keys searched by their words (positions follow this order). */
  textFields?: NewTextField[];
}

export interface CollectionChanges {
  name?: string;
  metadata?: Record<string, unknown> | null;
  index?: IndexSettings;
  extras?: Record<string, unknown>;
  /** New HNSW settings of named vectors, by name (their indexes are rebuilt). */
  vectorIndexes?: Record<string, IndexSettings>;
}
