import type { AdmissionOptions } from '../limits/admission';
import type { IndexingOptions } from '../core/indexing/indexing-options';
import type { ImportOptions } from '../transfer/bulk-import/import-options';
import type { InferenceOptions } from '../inference/inference-options';

/** The gateway's configuration, read once from the environment at boot. */
export interface AppConfig {
  port: number;
  host: string;
  /**
   * Where the Qdrant REST API listens (QDRANT_PORT, 6333 by default; 0 in the environment turns
   * it off, null here). 0 here asks the system for any free port (the tests).
   */
  qdrantPort: number | null;
  /** Unset: embedded PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  /**
   * Streaming replicas (DATABASE_READ_URLS) that serve queries, gets and counts; writes go to the
   * primary. A read that must see a write waits up to `readWaitMs` for a replica that has
   * replayed it, then reads from the primary.
   */
  databaseReadUrls: string[];
  readWaitMs: number;
  /** How far behind the primary, in time, a replica may be and still serve reads; 0: no bound. */
  readMaxLagMs: number;
  /** Embedded data directory; `memory://` keeps everything in memory. */
  dataDir: string;
  chromaAllowReset: boolean;
  /** The base URL clients reach this gateway at (Pinecone index hosts); unset: from each request. */
  publicUrl: string | undefined;
  /**
   * Addresses or CIDR ranges of the proxies in front (`loopback` for one on this host): only their
   * X-Forwarded-For/-Host/-Proto are believed. Empty: nobody's are.
   */
  trustedProxies: string[];
  /** Where Pinecone indexes and Vectorizer collections live in the catalog (Chroma names its own). */
  defaultTenant: string;
  defaultDatabase: string;
  /**
   * `required`: every request but the open probes needs an API key bound to its tenant.
   * `auto` (the default): open until the first key is created, then the same as `required` for good
   *   (revoking every key does not open it again; only `off` does).
   * `off`: no key is asked for or looked at.
   */
  auth: 'auto' | 'off' | 'required';
  /** Requests per second per API key (per client address without auth); 0: no limit. */
  rateLimitPerSecond: number;
  /**
   * Requests without a valid key per client address and second, past which that address is
   * refused (429) before its key is looked up or its body read, for the rest of the second; 0: no limit.
   */
  authFailuresPerSecond: number;
  /** Where replicas share their rate-limit counters; unset: each process counts alone. */
  redisUrl: string | undefined;
  /**
   * On a real PostgreSQL, statements with parameters go as named prepared statements, parsed once
   * per connection. Off for a pooler that cannot carry them (PgBouncer before 1.21 in transaction mode).
   */
  preparedStatements: boolean;
  /**
   * On a real PostgreSQL, the longest one statement of a request may run before it is cancelled
   * (the request then fails with a 503); 0: no limit. Index builds and migrations are not bound.
   */
  statementTimeoutMs: number;
  /** How long a request may take from its headers until its body is read whole, a streamed one's too (408 and closed past it). */
  requestTimeoutMs: number;
  /** Connections one client address may hold open at once (trusted proxies excepted); past it a new one is closed. */
  maxConnectionsPerClient: number;
  /**
   * Connections to each PostgreSQL server (the primary, each read replica), per gateway process,
   * and half as many more planned once for unfiltered searches (src/database/server-pools.ts).
   */
  poolSize: number;
  /** Gateway processes serving the port (node:cluster, src/operations/workers.ts); 1: this process alone. */
  workers: number;
  /** Requests served at once, and those waiting their turn (src/limits/admission.ts). */
  admission: AdmissionOptions;
  /** Largest answer a read sends (documents, metadata, vectors), in bytes; past it a 400 says to ask for less. */
  maxAnswerBytes: number;
  /** Largest accepted JSON body, in bytes. */
  bodyLimitBytes: number;
  /** Largest snapshot file an upload may send (Qdrant's snapshots/upload), in bytes. */
  snapshotUploadBytes: number;
  /** Whether Qdrant's snapshot recovery fetches an http(s) `location` (VECGATE_SNAPSHOT_URL_RECOVERY, Qdrant's enable_snapshot_url_recovery). */
  snapshotUrlRecovery: boolean;
  /** Backups one collection holds at most, Qdrant snapshots and Pinecone backups together (each a copy of its table). */
  maxBackupsPerCollection: number;
  /** When the HNSW index of a collection is built (see src/core/indexing/index-builder.ts). */
  indexing: IndexingOptions;
  /** Bulk imports (Pinecone's bulk import API): what they may read, and how they run. */
  imports: ImportOptions;
  /** The models text is embedded and reranked with, and their providers (VECGATE_INFERENCE_CONFIG; docs/inference.md). */
  inference: InferenceOptions;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
