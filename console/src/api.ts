// The console API client. The API key lives in sessionStorage and travels only in the
// Authorization header: never in a URL, never in a log.

export type Protocol = 'chroma' | 'pinecone' | 'vectorizer' | 'qdrant';
export const DIALECTS: Protocol[] = ['chroma', 'pinecone', 'vectorizer', 'qdrant'];

export interface Principal {
  keyId: string;
  tenant: string;
  databases: string[] | null;
  admin: boolean;
}

export interface Session {
  auth: boolean;
  principal: Principal | null;
}

export interface CollectionSummary {
  id: string;
  name: string;
  tenant: string;
  database: string;
  protocol: Protocol | null;
  dimension: number | null;
  metric: string;
  records: number;
  namespaces: { name: string; records: number }[];
  index: { state: 'built' | 'building' | 'not-needed' | 'none'; progress: number | null; detail: string };
  rangeIndexes: { key: string; kind: string; ready: boolean }[];
  vectors: { name: string; kind: string; dimension: number; metric: string; indexed: boolean }[];
  sizeBytes: number;
  createdAt: string;
}

export interface Tenant {
  name: string;
  databases: { name: string; collections: CollectionSummary[] }[];
}

export type Metadata = Record<string, unknown>;

export interface RecordRow {
  id: string;
  document: string | null;
  metadata: Metadata | null;
  vector: number[];
  dimension: number | null;
}

export interface RecordsPage {
  records: RecordRow[];
  total: number;
  limit: number;
  offset: number;
}

export interface Path {
  kind: 'exact' | 'hnsw' | 'scan';
  reason: string;
  efSearch: number | null;
  iterativeScan: string | null;
}

export interface Neighbour {
  id: string;
  distance: number;
  document: string | null;
  metadata: Metadata | null;
}

export interface SearchAnswer {
  neighbours: Neighbour[];
  path: Path;
}

export interface ExplainAnswer {
  operation: 'find' | 'search' | 'delete';
  sql: string;
  params: string[];
  plan: string;
  analyzed: boolean;
  path: Path;
  estimatedRows: number | null;
  actualRows: number;
  totalRows: number;
  steps: { name: string; ms: number }[];
  totalMs: number;
}

export interface ProjectionAnswer {
  dimension: number | null;
  points: { id: string; document: string | null; color: string | null; vector: number[] }[];
}

export interface LatencyPoint {
  at: string;
  count: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface QualityAnswer {
  recallTarget: number;
  vectors: {
    name: string;
    tuning: null | {
      recall: number;
      efSearch: number | null;
      exact: boolean;
      msPerSearch: number;
      source: string;
      records: number;
      measuredAt: string;
      filtered: null | {
        efSearch: number | null;
        recall: number;
        walkMs: number;
        exactMs: number;
        source: string;
        pending?: boolean;
      };
    };
    /** Why searches through this vector miss the recall target, and what to do; null when they meet it. */
    shortfall: string | null;
    /** The HNSW index's build settings now, and each build of it made or tried (rebuilt larger when no walk met the target). */
    index: { m: number; efConstruction: number };
    builds: {
      m: number;
      efConstruction: number;
      records: number;
      ms: number | null;
      bytes: number | null;
      outcome: 'built' | 'too slow' | 'too large' | 'failed';
      builtAt: string;
    }[];
    /** This vector's sampled searches (a named vector's are sampled apart from the default one's). */
    traffic: { samples: number; recall: number | null; filteredSamples: number; filteredRecall: number | null };
  }[];
  traffic: null | { samples: number; recall: number | null; filteredRecall: number | null };
  latency: LatencyPoint[];
}

export interface MetricsAnswer {
  intervalSeconds: number;
  /** The request histogram's bucket bounds (ms): the percentiles' resolution. */
  latencyBucketsMs: number[];
  protocols: { protocol: string; series: { at: string; rate: number; p50: number; p95: number; p99: number }[] }[];
}

export interface JobsAnswer {
  imports: {
    id: string;
    collection: string;
    tenant: string;
    state: string;
    percent: number | null;
    records: number | null;
    error: string | null;
    createdAt: string;
  }[];
  backups: {
    id: string;
    name: string;
    collection: string;
    tenant: string;
    state: string;
    percent: number | null;
    records: number | null;
    createdAt: string;
  }[];
}

export interface ApiKeyRow {
  id: string;
  tenant: string;
  databases: string[] | null;
  admin: boolean;
  createdAt: string;
  revokedAt: string | null;
}

/** The filter part every collection query shares. */
export interface Scope {
  dialect: Protocol;
  filter?: string;
  whereDocument?: string;
  namespace?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly dialect?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const KEY_ITEM = 'vecgate.console.key';
const BASE = '/console/api';

export function storedKey(): string | null {
  try {
    return sessionStorage.getItem(KEY_ITEM);
  } catch {
    return null;
  }
}

export function storeKey(key: string | null): void {
  try {
    if (key === null) sessionStorage.removeItem(KEY_ITEM);
    else sessionStorage.setItem(KEY_ITEM, key);
  } catch {
    // sessionStorage unavailable: the key then lasts for this page only.
  }
}

let unauthorized: (message: string) => void = () => {};

/** Called on every 401 (other than the sign-in check): the app goes back to sign-in. */
export function onUnauthorized(handler: (message: string) => void): void {
  unauthorized = handler;
}

interface RequestOptions {
  /** The key to send instead of the stored one (the sign-in check). */
  key?: string | null;
  /** Leave a 401 to the caller instead of signing out. */
  quiet401?: boolean;
}

async function request<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
  const key = options.key !== undefined ? options.key : storedKey();
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(BASE + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'network', 'The gateway could not be reached.');
  }
  const text = await response.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  if (!response.ok) {
    const error = (parsed as { error?: { code?: unknown; message?: unknown; dialect?: unknown } } | null)?.error;
    const message =
      typeof error?.message === 'string' && error.message
        ? error.message
        : `${response.status} ${response.statusText || 'error'}`;
    const failure = new ApiError(
      response.status,
      typeof error?.code === 'string' ? error.code : 'error',
      message,
      typeof error?.dialect === 'string' ? error.dialect : undefined,
    );
    if (response.status === 401 && !options.quiet401) unauthorized(message);
    throw failure;
  }
  return parsed as T;
}

const enc = encodeURIComponent;

export const api = {
  session: (key?: string | null) => request<Session>('GET', '/session', undefined, { key, quiet401: true }),
  tenants: () => request<Tenant[]>('GET', '/tenants'),
  collection: (id: string) => request<CollectionSummary>('GET', `/collections/${enc(id)}`),
  records: (id: string, body: Scope & { limit: number; offset: number; order: 'asc' | 'desc' }) =>
    request<RecordsPage>('POST', `/collections/${enc(id)}/records`, body),
  search: (id: string, body: Scope & { id?: string; vector?: number[]; k: number }) =>
    request<SearchAnswer>('POST', `/collections/${enc(id)}/search`, body),
  explain: (
    id: string,
    body: Scope & {
      operation: 'find' | 'search' | 'delete';
      id?: string;
      vector?: number[];
      k?: number;
      analyze: boolean;
    },
  ) => request<ExplainAnswer>('POST', `/collections/${enc(id)}/explain`, body),
  projection: (id: string, query: { limit: number; color?: string; namespace?: string }) => {
    const params = new URLSearchParams({ limit: String(query.limit) });
    if (query.color) params.set('color', query.color);
    if (query.namespace !== undefined) params.set('namespace', query.namespace);
    return request<ProjectionAnswer>('GET', `/collections/${enc(id)}/projection?${params.toString()}`);
  },
  quality: (id: string) => request<QualityAnswer>('GET', `/collections/${enc(id)}/quality`),
  deleteRecords: (id: string, body: Scope & { dryRun: boolean }) =>
    request<{ matched?: number; deleted?: number }>('POST', `/collections/${enc(id)}/delete`, body),
  metrics: () => request<MetricsAnswer>('GET', '/metrics'),
  jobs: () => request<JobsAnswer>('GET', '/jobs'),
  keys: (options: RequestOptions = {}) => request<ApiKeyRow[]>('GET', '/keys', undefined, options),
  createKey: (body: { tenant: string; databases?: string[]; admin?: boolean }) =>
    request<{ id: string; key: string }>('POST', '/keys', body),
  /** `self`: the key this console is signed in with (the gateway refuses it otherwise: it signs the console out). */
  revokeKey: (id: string, self = false) =>
    request<{ revoked: true }>('DELETE', `/keys/${enc(id)}${self ? '?self=true' : ''}`),
};

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
