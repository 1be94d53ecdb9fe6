import { availableParallelism } from 'node:os';
import { isAbsolute } from 'node:path';
import { compile } from '@fastify/proxy-addr';
import type { AppConfig } from './app-config';
import { DEFAULT_MAX_BACKUPS_PER_COLLECTION } from '../core/backups/backup.model';
import { DEFAULT_INDEX } from '../core/collections/collection.model';
import { HNSW_LIMITS } from '../core/collections/vector-index';
import { DEFAULT_DATABASE, DEFAULT_TENANT } from '../core/scope';
import { hostUrls } from '../database/primary-hosts';
import { decodedPath } from '../transfer/bulk-import/import-locations';
import { InferenceConfigError, loadInferenceOptions, type InferenceOptions } from '../inference/inference-options';

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim()))
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max)
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  return value;
}

/** The HNSW build settings of collections that choose none; pgvector wants ef_construction at least twice m. */
function hnswDefaults(env: Env): { m: number; efConstruction: number } {
  const { m: mLimits, efConstruction: efLimits } = HNSW_LIMITS;
  const m = integer(env, 'VECGATE_HNSW_M', DEFAULT_INDEX.m, mLimits.min, mLimits.max);
  const efConstruction = integer(
    env,
    'VECGATE_HNSW_EF_CONSTRUCTION',
    DEFAULT_INDEX.efConstruction,
    efLimits.min,
    efLimits.max,
  );
  if (efConstruction < 2 * m)
    throw new ConfigError(
      `VECGATE_HNSW_EF_CONSTRUCTION (${efConstruction}) must be at least twice VECGATE_HNSW_M (${m}) for pgvector's HNSW index`,
    );
  return { m, efConstruction };
}

/** A fraction from 0 to 1, as a decimal ("0.95"). */
function fraction(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.trim());
  if (!/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(raw.trim()) || !(value >= 0 && value <= 1))
    throw new ConfigError(`${name} must be a number from 0 to 1, got "${raw}"`);
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

/** A postgres:// URL; `several` admits libpq's several hosts (`db1:5432,db2:5432`). */
function postgresUrl(name: string, raw: string, several: boolean): string {
  const hosts = several ? hostUrls(raw) : [raw];
  for (const one of hosts) {
    let url: URL;
    try {
      url = new URL(one);
    } catch {
      throw new ConfigError(`${name} must be a URL such as postgres://user:password@host:5432/database`);
    }
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
      throw new ConfigError(`${name} must start with postgres:// or postgresql://, got "${url.protocol}//"`);
    }
  }
  return raw;
}

function databaseUrl(env: Env): string | undefined {
  const raw = env.DATABASE_URL;
  if (raw === undefined || raw.trim() === '') return undefined;
  return postgresUrl('DATABASE_URL', raw, true);
}

/** Streaming replicas that serve reads, comma-separated; only beside a DATABASE_URL. */
function databaseReadUrls(env: Env, primary: string | undefined): string[] {
  const list = (env.DATABASE_READ_URLS ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length > 0 && !primary)
    throw new ConfigError('DATABASE_READ_URLS needs DATABASE_URL: the embedded database has no replicas');
  return list.map((url) => postgresUrl('each of DATABASE_READ_URLS', url, false));
}

function publicUrl(env: Env): string | undefined {
  const raw = (env.PUBLIC_URL ?? '').trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`PUBLIC_URL must be an absolute URL such as https://vectors.example.com, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError(`PUBLIC_URL must start with http:// or https://, got "${raw}"`);
  return raw.replace(/\/+$/, '');
}

function trustedProxies(env: Env): string[] {
  const list = (env.VECGATE_TRUSTED_PROXIES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  try {
    compile(list);
  } catch (err) {
    throw new ConfigError(
      `VECGATE_TRUSTED_PROXIES must be addresses or CIDR ranges (or loopback, linklocal, uniquelocal), comma-separated: ${(err as Error).message}`,
    );
  }
  return list;
}

function authMode(env: Env): 'auto' | 'off' | 'required' {
  const raw = (env.VECGATE_AUTH ?? '').trim().toLowerCase();
  if (raw === '' || raw === 'auto') return 'auto';
  if (raw === 'off' || raw === 'required') return raw;
  throw new ConfigError(`VECGATE_AUTH must be "required", "auto" or "off", got "${env.VECGATE_AUTH}"`);
}

function redisUrl(env: Env): string | undefined {
  const raw = (env.REDIS_URL ?? '').trim();
  if (!raw) return undefined;
  if (!/^rediss?:\/\//.test(raw))
    throw new ConfigError(`REDIS_URL must start with redis:// or rediss://, got "${raw}"`);
  return raw;
}

/** Absolute directories `file://` imports may read below, comma-separated; none by default. */
function importRoots(env: Env): string[] {
  const list = (env.VECGATE_IMPORT_ROOTS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const root of list)
    if (!isAbsolute(root))
      throw new ConfigError(`each of VECGATE_IMPORT_ROOTS must be an absolute path, got "${root}"`);
  return list;
}

/** URL prefixes `http(s)://` imports may read from, comma-separated; none by default. */
function importUrls(env: Env): string[] {
  const list = (env.VECGATE_IMPORT_URLS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const raw of list) {
    let url: URL | undefined;
    try {
      url = new URL(raw);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash || url.username)
      throw new ConfigError(
        `each of VECGATE_IMPORT_URLS must be an http(s) URL prefix such as https://data.example.com/exports/, got "${raw}"`,
      );
    // Import URLs are compared with it decoded: a prefix that cannot be decoded safely would match nothing.
    try {
      decodedPath(url);
    } catch (err) {
      throw new ConfigError(`each of VECGATE_IMPORT_URLS must be a plain URL prefix: ${(err as Error).message}`);
    }
  }
  return list;
}

/**
 * Gateway processes (node:cluster). One by default: on 2 cores shared with PostgreSQL, two workers
 * served 30-45% fewer queries and gets than one (docs/scaling.md); `auto` is one per core. Embedded,
 * PGlite lives in one process.
 */
function workers(env: Env, databaseUrl: string | undefined): number {
  const count =
    (env.VECGATE_WORKERS ?? '').trim() === 'auto'
      ? availableParallelism()
      : integer(env, 'VECGATE_WORKERS', 1, 1, 1024);
  if (count > 1 && !databaseUrl)
    throw new ConfigError(
      'VECGATE_WORKERS above 1 needs DATABASE_URL: the embedded database lives in one process (leave it unset, or 1)',
    );
  return count;
}

/** Qdrant's own port, 6333 unless told; 0 turns the Qdrant API off (null). */
function qdrantPort(env: Env): number | null {
  const port = integer(env, 'QDRANT_PORT', 6333, 0, 65535);
  if (port !== 0 && port === integer(env, 'PORT', 8000, 0, 65535))
    throw new ConfigError(`QDRANT_PORT must differ from PORT (both are ${port}); 0 turns the Qdrant API off`);
  return port === 0 ? null : port;
}

/** The operator's model mapping; a mistake in it stops the boot with its place named. */
function inferenceOptions(env: Env): InferenceOptions {
  try {
    return loadInferenceOptions(env);
  } catch (err) {
    if (err instanceof InferenceConfigError) throw new ConfigError(`VECGATE_INFERENCE_CONFIG: ${err.message}`);
    throw err;
  }
}

/** Reads and validates the environment; throws ConfigError with a message meant for the operator. */
export function loadConfig(env: Env = process.env): AppConfig {
  // Loopback unless told otherwise: with auth off until the first key, listening beyond this
  // machine by default would serve every collection to whoever reaches the port.
  const host = (env.HOST ?? '').trim() || '127.0.0.1';
  const url = databaseUrl(env);
  return {
    port: integer(env, 'PORT', 8000, 0, 65535),
    qdrantPort: qdrantPort(env),
    host,
    databaseUrl: url,
    databaseReadUrls: databaseReadUrls(env, url),
    readWaitMs: integer(env, 'VECGATE_READ_WAIT_MS', 1000, 0, 60_000),
    readMaxLagMs: integer(env, 'VECGATE_READ_MAX_LAG_MS', 10_000, 0, 86_400_000),
    workers: workers(env, url),
    poolSize: integer(env, 'VECGATE_DB_POOL_SIZE', 10, 1, 1000),
    dataDir: (env.VECGATE_DATA_DIR ?? '').trim() || './data',
    chromaAllowReset: boolean(env, 'CHROMA_ALLOW_RESET', false),
    auth: authMode(env),
    rateLimitPerSecond: integer(env, 'VECGATE_RATE_LIMIT', 0, 0, 1_000_000),
    authFailuresPerSecond: integer(env, 'VECGATE_AUTH_FAILURES_PER_SECOND', 10, 0, 1_000_000),
    redisUrl: redisUrl(env),
    publicUrl: publicUrl(env),
    trustedProxies: trustedProxies(env),
    defaultTenant: (env.VECGATE_TENANT ?? '').trim() || DEFAULT_TENANT,
    defaultDatabase: (env.VECGATE_DATABASE ?? '').trim() || DEFAULT_DATABASE,
    preparedStatements: boolean(env, 'VECGATE_PREPARED_STATEMENTS', true),
    statementTimeoutMs: integer(env, 'VECGATE_STATEMENT_TIMEOUT_MS', 30_000, 0, 86_400_000),
    requestTimeoutMs: integer(env, 'VECGATE_REQUEST_TIMEOUT_MS', 120_000, 1_000, 3_600_000),
    maxConnectionsPerClient: integer(env, 'VECGATE_MAX_CONNECTIONS_PER_CLIENT', 256, 1, 1_000_000),
    admission: {
      maxActive: integer(env, 'VECGATE_MAX_ACTIVE_REQUESTS', 32, 0, 100_000),
      maxQueued: integer(env, 'VECGATE_MAX_QUEUED_REQUESTS', 1000, 0, 1_000_000),
      queueTimeoutMs: integer(env, 'VECGATE_QUEUE_TIMEOUT_MS', 30_000, 1, 3_600_000),
    },
    maxAnswerBytes: integer(env, 'VECGATE_MAX_ANSWER_MB', 128, 1, 4096) * 1024 * 1024,
    bodyLimitBytes: integer(env, 'VECGATE_BODY_LIMIT_MB', 64, 1, 1024) * 1024 * 1024,
    snapshotUploadBytes: integer(env, 'VECGATE_SNAPSHOT_UPLOAD_MB', 1024, 1, 1024 * 1024) * 1024 * 1024,
    snapshotUrlRecovery: boolean(env, 'VECGATE_SNAPSHOT_URL_RECOVERY', false),
    maxBackupsPerCollection: integer(
      env,
      'VECGATE_MAX_BACKUPS_PER_COLLECTION',
      DEFAULT_MAX_BACKUPS_PER_COLLECTION,
      1,
      10_000,
    ),
    indexing: {
      minRows: integer(env, 'VECGATE_INDEX_MIN_ROWS', 1000, 1, 1_000_000_000),
      quietMs: integer(env, 'VECGATE_INDEX_QUIET_MS', 2000, 10, 3_600_000),
      maxDeferMs: integer(env, 'VECGATE_INDEX_MAX_DEFER_MS', 60_000, 10, 86_400_000),
      buildMemoryMb: integer(env, 'VECGATE_INDEX_BUILD_MEMORY_MB', 1024, 64, 1_048_576),
      rangeKeys: integer(env, 'VECGATE_RANGE_INDEX_KEYS', 8, 0, 64),
      recallTarget: fraction(env, 'VECGATE_RECALL_TARGET', 0.95),
      recallSample: integer(env, 'VECGATE_RECALL_SAMPLE', 50, 5, 1000),
      recallCheckMs: integer(env, 'VECGATE_RECALL_CHECK_MS', 30_000, 10, 86_400_000),
      trafficShare: fraction(env, 'VECGATE_RECALL_TRAFFIC_SHARE', 0.01),
      trafficPerMinute: integer(env, 'VECGATE_RECALL_TRAFFIC_PER_MINUTE', 6, 1, 60_000),
      synthesizedFloor: integer(env, 'VECGATE_RECALL_FLOOR', 100, 1, 1000),
      exactIfMissedWithin: integer(env, 'VECGATE_EXACT_IF_MISSED_WITHIN', 2, 0, 100),
      hnsw: hnswDefaults(env),
      rebuildMaxMinutes: integer(env, 'VECGATE_REBUILD_MAX_MINUTES', 30, 0, 1440),
      rebuildMaxSize: integer(env, 'VECGATE_REBUILD_MAX_SIZE', 4, 1, 100),
    },
    imports: {
      roots: importRoots(env),
      urls: importUrls(env),
      batch: integer(env, 'VECGATE_IMPORT_BATCH', 1000, 1, 100_000),
      run: boolean(env, 'VECGATE_IMPORT_RUNNER', true),
      maxRowGroupRows: integer(env, 'VECGATE_IMPORT_MAX_ROW_GROUP_ROWS', 100_000, 1, 100_000_000),
      maxRowGroupBytes: integer(env, 'VECGATE_IMPORT_MAX_ROW_GROUP_MB', 128, 1, 65_536) * 1024 * 1024,
    },
    inference: inferenceOptions(env),
  };
}
