import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { Collection } from '../../core/collections/collection.model';
import { currentPrincipal } from '../../core/auth/request-context';
import type { FilterNode } from '../../core/filters/filter-ast';
import { RecordsService } from '../../core/records/records.service';
import { isObject, type JsonObject } from '../json-guards';
import { QdrantCollectionsService } from './qdrant-collections.service';
import { QdrantHttpError } from './qdrant-error';
import { configShown, layoutOf, type QdrantLayout } from './qdrant-layout';
import { durationStatistics, QdrantRequestStats, type Responses, scopeKey } from './qdrant-request-stats';
import { QDRANT_VERSION } from './qdrant-version';

/** Telemetry's and metrics' query parameters, checked as Qdrant's TelemetryParam and MetricsParam. */
export interface TelemetryQuery {
  details_level?: string;
  anonymize?: string;
  per_collection?: string;
  timeout?: string;
}

/** What one collection holds, read once for telemetry and metrics. */
interface CollectionFacts {
  c: Collection;
  layout: QdrantLayout;
  points: number;
  status: 'green' | 'yellow';
  vectorsByName: Record<string, number>;
  /** Read at details level 4 only (its payload indexes' points are counted). */
  payloadSchema: JsonObject;
  /** Read at details level 3 and more only (a read of every point's payload). */
  payloadBytes: number;
}

/** Qdrant's REST endpoints whose answers /metrics reports (its REST_ENDPOINT_WHITELIST). */
const METRICS_ENDPOINTS = new Set([
  '/collections/{collection_name}/index',
  '/collections/{collection_name}/points',
  '/collections/{collection_name}/points/batch',
  '/collections/{collection_name}/points/count',
  '/collections/{collection_name}/points/delete',
  '/collections/{collection_name}/points/discover',
  '/collections/{collection_name}/points/discover/batch',
  '/collections/{collection_name}/points/facet',
  '/collections/{collection_name}/points/payload',
  '/collections/{collection_name}/points/payload/clear',
  '/collections/{collection_name}/points/payload/delete',
  '/collections/{collection_name}/points/query',
  '/collections/{collection_name}/points/query/batch',
  '/collections/{collection_name}/points/query/groups',
  '/collections/{collection_name}/points/recommend',
  '/collections/{collection_name}/points/recommend/batch',
  '/collections/{collection_name}/points/recommend/groups',
  '/collections/{collection_name}/points/scroll',
  '/collections/{collection_name}/points/search',
  '/collections/{collection_name}/points/search/batch',
  '/collections/{collection_name}/points/search/groups',
  '/collections/{collection_name}/points/search/matrix/offsets',
  '/collections/{collection_name}/points/search/matrix/pairs',
  '/collections/{collection_name}/points/vectors',
  '/collections/{collection_name}/points/vectors/delete',
  '/collections/{collection_name}/vectors/{vector_name}',
]);

/** A boolean query parameter as serde reads one. */
function flag(value: string | undefined, field: string): boolean {
  if (value === undefined) return false;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new QdrantHttpError(
    400,
    `Deserialize error in query parameters: ${field}: provided string was not \`true\` or \`false\``,
  );
}

/** An unsigned integer query parameter as serde reads one. */
function unsignedParam(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new QdrantHttpError(400, `Deserialize error in query parameters: ${field}: invalid digit found in string`);
  return Number(value);
}

/** The parameters of /telemetry and /metrics: serde's 400s, then validation's 422 (`timeout` from 1). */
export function telemetryParams(q: TelemetryQuery) {
  const anonymize = flag(q.anonymize, 'anonymize');
  const perCollection = flag(q.per_collection, 'per_collection');
  const level = unsignedParam(q.details_level, 'details_level') ?? 0;
  const timeout = unsignedParam(q.timeout, 'timeout');
  if (timeout === 0)
    throw new QdrantHttpError(
      422,
      'Validation error in query parameters: [timeout: value 0 invalid, must be 1 or larger]',
    );
  return { anonymize, perCollection, level };
}

/** A name as Qdrant's anonymized telemetry shows one: a hash, the same for the same name. */
function anonymized(name: string): string {
  return createHash('sha256').update(name).digest('hex').slice(0, 16);
}

/** Prometheus' text format for one label value. */
function labelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** One metric family in Prometheus' text format, as Qdrant writes it (none when it has no samples). */
function family(name: string, help: string, type: string, samples: [Record<string, string>, number][]): string {
  if (samples.length === 0) return '';
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  for (const [labels, value] of samples) {
    const l = Object.entries(labels).map(([k, v]) => `${k}="${labelValue(v)}"`);
    lines.push(`${name}${l.length ? `{${l.join(',')}}` : ''} ${value}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Qdrant's /telemetry and /metrics over what vecgate knows: the caller's collections (those its
 * key reaches), their points and vectors counted in the database, and the answers of the Qdrant
 * routes this process gave in the caller's scope. What has no counterpart here (peers, Raft,
 * shards' replicas, optimizers, a thread pool) is given the value it honestly has: one local shard
 * per collection, its table reported as its one segment, no transfers, nothing running.
 */
@Injectable()
export class QdrantTelemetryService {
  /** Qdrant's process id: one per gateway process. */
  private readonly processId = randomUUID();
  private readonly startedAt = new Date();

  constructor(
    private readonly collections: QdrantCollectionsService,
    private readonly records: RecordsService,
    private readonly stats: QdrantRequestStats,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** What telemetry at `level` reports of a collection, counted in the database. */
  private async facts(c: Collection, level: number): Promise<CollectionFacts> {
    const layout = layoutOf(c);
    const scope = this.collections.scope;
    const points = await this.records.count(scope, c.id);
    const vectorsByName: Record<string, number> = {};
    for (const [name, node] of vectorNodes(c, layout))
      vectorsByName[name] = await this.records.countMatching(scope, c.id, node);
    return {
      c,
      layout,
      points,
      status: this.collections.statusOf(c, points).status,
      vectorsByName,
      payloadSchema: level >= 4 ? await this.collections.payloadSchemaOf(c, layout) : {},
      payloadBytes: level >= 3 ? await this.records.metadataBytes(scope, c.id) : 0,
    };
  }

  /** GET /telemetry, at `details_level` (0 to 4; more is 4), as Qdrant 1.19 shapes it. */
  async telemetry(q: TelemetryQuery): Promise<JsonObject> {
    const { anonymize, perCollection, level } = telemetryParams(q);
    const found = await this.collections.inScope();
    const name = (n: string) => (anonymize ? anonymized(n) : n);
    // Keys reach one tenant: what Qdrant gives a token with global access only (the node's
    // memory, its quota) is given when no key is in play.
    const global = currentPrincipal() === undefined;
    const collections: JsonObject = { number_of_collections: found.length };
    if (level >= 1) {
      const facts: CollectionFacts[] = [];
      for (const c of found) facts.push(await this.facts(c, level));
      collections.collections = facts.map((f) => this.collectionTelemetry(f, level, name));
      collections.snapshots = facts.map((f) => ({ id: name(f.c.name) }));
    }
    const result: JsonObject = {
      id: this.processId,
      app: {
        name: 'qdrant',
        version: QDRANT_VERSION,
        ...(level >= 1
          ? {
              features: {
                debug: false,
                service_debug_feature: false,
                recovery_mode: false,
                gpu: false,
                rocksdb: false,
                staging: false,
              },
              jwt_rbac: false,
            }
          : {}),
        startup: this.startedAt.toISOString(),
      },
      collections,
      cluster: { enabled: false },
      requests: this.requests(perCollection, name),
    };
    if (level >= 1) {
      if (global) {
        const m = process.memoryUsage();
        result.memory = {
          active_bytes: m.heapUsed,
          allocated_bytes: m.heapTotal + m.external,
          metadata_bytes: 0,
          resident_bytes: m.rss,
          retained_bytes: 0,
        };
      }
      result.hardware = { collection_data: {} };
      result.search_pool = { mode: 'database', high_cpu_threads: 0, high_io_threads: 0 };
    }
    result.quota = { config: { enabled: false }, exceeded: {} };
    return result;
  }

  private requests(perCollection: boolean, name: (n: string) => string): JsonObject {
    const own = this.stats.of(scopeKey(this.config));
    const rest: JsonObject = { responses: shownResponses(own.responses) };
    if (perCollection)
      rest.per_collection_responses = Object.fromEntries(
        [...own.perCollection].map(([c, r]) => [name(c), shownResponses(r)] as const),
      );
    const grpc: JsonObject = { responses: {} };
    if (perCollection) grpc.per_collection_responses = {};
    return { rest, grpc };
  }

  private collectionTelemetry(f: CollectionFacts, level: number, name: (n: string) => string): JsonObject {
    const config = configShown(f.c, f.layout);
    const vectors = Object.values(f.vectorsByName).reduce((a, b) => a + b, 0);
    if (level === 1) return { vectors, optimizers_status: 'ok', params: config.params ?? {} };
    const out: JsonObject = { id: name(f.c.name), init_time_ms: null, config };
    if (level < 3) return out;
    const vectorsBytes = vectorBytes(f);
    const local: JsonObject = {
      variant_name: 'local_shard',
      status: f.status,
      total_optimized_points: 0,
      vectors_size_bytes: vectorsBytes,
      payloads_size_bytes: f.payloadBytes,
      num_points: f.points,
      num_vectors: vectors,
      num_vectors_by_name: f.vectorsByName,
      optimizations: { status: 'ok', optimizations: { count: 0 } },
      async_scorer: false,
      update_queue: { length: 0 },
    };
    if (level >= 4) {
      local.segments = [segmentOf(f, vectors, vectorsBytes)];
      local.indexed_only_excluded_vectors = {};
    }
    out.shards = [{ id: 0, key: null, local, remote: [], replicate_states: {}, partial_snapshot: null }];
    out.transfers = [];
    out.resharding = [];
    return out;
  }

  /** GET /metrics on the Qdrant port: Qdrant's Prometheus text over the same numbers. */
  async metrics(q: TelemetryQuery): Promise<string> {
    const { anonymize, perCollection } = telemetryParams(q);
    const name = (n: string) => (anonymize ? anonymized(n) : n);
    const found = await this.collections.inScope();
    const facts: CollectionFacts[] = [];
    for (const c of found) facts.push(await this.facts(c, 1));
    const out: string[] = [
      family('app_info', 'information about qdrant server', 'gauge', [
        [{ name: 'qdrant', version: QDRANT_VERSION }, 1],
      ]),
      family('app_status_recovery_mode', 'features enabled in qdrant server', 'gauge', [[{}, 0]]),
      family('collections_total', 'number of collections', 'gauge', [[{}, found.length]]),
    ];
    const vectorSamples: [Record<string, string>, number][] = [];
    let allVectors = 0;
    for (const f of facts)
      for (const [vector, n] of Object.entries(f.vectorsByName)) {
        vectorSamples.push([{ collection: name(f.c.name), vector }, n]);
        allVectors += n;
      }
    out.push(
      family('collections_vector_total', 'total number of vectors in all collections', 'gauge', [[{}, allVectors]]),
      family('collection_vectors', 'amount of vectors grouped by vector name', 'gauge', vectorSamples),
      family(
        'collection_points',
        'approximate amount of points per collection',
        'gauge',
        facts.map((f) => [{ id: name(f.c.name) }, f.points]),
      ),
    );
    const own = this.stats.of(scopeKey(this.config));
    const groups: [Responses, Record<string, string>][] = perCollection
      ? [...own.perCollection].map(([c, r]) => [r, { collection: name(c) }])
      : [[own.responses, {}]];
    const total: [Record<string, string>, number][] = [];
    const avg: [Record<string, string>, number][] = [];
    const min: [Record<string, string>, number][] = [];
    const max: [Record<string, string>, number][] = [];
    for (const [responses, extra] of groups)
      for (const [endpoint, byStatus] of responses) {
        const space = endpoint.indexOf(' ');
        const path = endpoint.slice(space + 1);
        if (!METRICS_ENDPOINTS.has(path)) continue;
        for (const [status, s] of byStatus) {
          const labels = { method: endpoint.slice(0, space), endpoint: path, status: String(status), ...extra };
          total.push([labels, s.count]);
          // Qdrant reports the timings of its 200s only.
          if (status !== 200) continue;
          avg.push([labels, s.totalMicros / s.count / 1e6]);
          min.push([labels, s.minMicros / 1e6]);
          max.push([labels, s.maxMicros / 1e6]);
        }
      }
    out.push(
      family('rest_responses_total', 'total number of responses', 'counter', total),
      family('rest_responses_avg_duration_seconds', 'average response duration', 'gauge', avg),
      family('rest_responses_min_duration_seconds', 'minimum response duration', 'gauge', min),
      family('rest_responses_max_duration_seconds', 'maximum response duration', 'gauge', max),
    );
    return out.join('');
  }
}

/** Each vector of a collection by its Qdrant name, with the filter that finds the points holding it. */
function vectorNodes(c: Collection, layout: QdrantLayout): [string, FilterNode][] {
  const out: [string, FilterNode][] = [];
  const seen = new Set<string>();
  if (layout.dense !== null) {
    out.push([layout.dense, { kind: 'hasVector', vector: 'dense' }]);
    seen.add(layout.dense);
  }
  if (layout.sparse) {
    out.push([layout.sparse.name, { kind: 'hasVector', vector: 'sparse' }]);
    seen.add(layout.sparse.name);
  }
  for (const f of c.vectors)
    if (!seen.has(f.name)) {
      seen.add(f.name);
      out.push([f.name, { kind: 'hasVector', vector: f.position }]);
    }
  return out;
}

/** The dense vectors' bytes as float32, as strict mode counts them (multivectors' tokens not counted). */
function vectorBytes(f: CollectionFacts): number {
  let bytes = 0;
  if (f.layout.dense !== null) bytes += (f.vectorsByName[f.layout.dense] ?? 0) * (f.c.dimension ?? 0) * 4;
  for (const v of f.c.vectors)
    if (v.kind === 'dense' && v.name !== f.layout.dense)
      bytes += (f.vectorsByName[v.name] ?? 0) * (v.dimension ?? 0) * 4;
  return bytes;
}

/** The collection's table, reported as the one segment that holds its points. */
function segmentOf(f: CollectionFacts, vectors: number, vectorsBytes: number): JsonObject {
  const params = (configShown(f.c, f.layout).params ?? {}) as JsonObject;
  const dense = isObject(params.vectors) ? params.vectors : {};
  const vectorData: JsonObject = {};
  const shownDense: JsonObject = 'size' in dense ? { '': dense } : dense;
  for (const [name, v] of Object.entries(shownDense))
    if (isObject(v))
      vectorData[name] = {
        size: v.size,
        distance: v.distance,
        storage_type: 'ChunkedMmap',
        index: f.c.vectorIndexed ? { type: 'hnsw', options: {} } : { type: 'plain', options: {} },
        ...(v.multivector_config ? { multivector_config: v.multivector_config } : {}),
      };
  const info: JsonObject = {
    uuid: f.c.id,
    segment_type: 'indexed',
    num_vectors: vectors,
    num_points: f.points,
    num_indexed_vectors: vectors,
    num_deleted_vectors: 0,
    vectors_size_bytes: vectorsBytes,
    payloads_size_bytes: f.payloadBytes,
    ram_usage_bytes: 0,
    disk_usage_bytes: vectorsBytes + f.payloadBytes,
    is_appendable: true,
    index_schema: f.payloadSchema,
    vector_data: Object.fromEntries(
      Object.entries(f.vectorsByName).map(([n, count]) => [
        n,
        { num_vectors: count, num_indexed_vectors: count, num_deleted_vectors: 0 },
      ]),
    ),
  };
  return {
    info,
    config: { vector_data: vectorData, payload_storage_type: { type: 'mmap' } },
    vector_index_searches: [],
    payload_field_indices: Object.entries(f.payloadSchema).map(([field, s]) => ({
      field_name: field,
      index_type: isObject(s) && typeof s.data_type === 'string' ? s.data_type : 'unknown',
      points_values_count: isObject(s) && typeof s.points === 'number' ? s.points : 0,
      points_count: isObject(s) && typeof s.points === 'number' ? s.points : 0,
    })),
  };
}

/** A scope's answers by endpoint as telemetry shows them: status → OperationDurationStatistics. */
function shownResponses(responses: Responses): JsonObject {
  const out: JsonObject = {};
  for (const [endpoint, byStatus] of responses)
    out[endpoint] = Object.fromEntries([...byStatus].map(([status, s]) => [String(status), durationStatistics(s)]));
  return out;
}
