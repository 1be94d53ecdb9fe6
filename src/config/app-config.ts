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
  /** Largest accepted JSON body, in bytes. */
  bodyLimitBytes: number;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
