/** The gateway's configuration, read once from the environment at boot. */
export interface AppConfig {
  port: number;
  host: string;
  /** Unset: embedded PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  /** Embedded data directory; `memory://` keeps everything in memory. */
  dataDir: string;
  chromaAllowReset: boolean;
  /** The base URL clients reach this gateway at (Pinecone index hosts); unset: from each request. */
  publicUrl: string | undefined;
  /** Where Pinecone indexes and Vectorizer collections live in the catalog (Chroma names its own). */
  defaultTenant: string;
  defaultDatabase: string;
  /**
   * `required`: every request but the open probes needs an API key bound to its tenant.
   * `auto` (the default): the same as soon as one active key exists; open while there is none.
   * `off`: no key is asked for or looked at.
   */
  auth: 'auto' | 'off' | 'required';
  /** Requests per second per API key (per client address without auth); 0: no limit. */
  rateLimitPerSecond: number;
  /** Where replicas share their rate-limit counters; unset: each process counts alone. */
  redisUrl: string | undefined;
  /**
   * On a real PostgreSQL, statements with parameters go as named prepared statements, parsed once
   * per connection. Off for a pooler that cannot carry them (PgBouncer before 1.21 in transaction mode).
   */
  preparedStatements: boolean;
  /** Largest accepted JSON body, in bytes. */
  bodyLimitBytes: number;
  /** When the HNSW index of a collection is built (see src/collections/index-builder.ts). */
  indexing: IndexingConfig;
}

export interface IndexingConfig {
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
}

export const APP_CONFIG = Symbol('APP_CONFIG');
