import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ApiKeysService } from '../core/auth/api-keys.service';
import type { ApiKeyRow, KeyManager } from '../core/auth/principal';
import type { Collection } from '../core/collections/collection.model';
import { layoutOf } from '../protocols/qdrant/qdrant-layout';
import { currentPrincipal } from '../core/auth/request-context';
import { ForbiddenError, NotFoundError } from '../core/errors';
import type { FilterNode } from '../core/filters/filter-ast';
import { ExplainService, searchPath } from '../core/inspect/explain.service';
import type { ExplainedOperation } from '../core/inspect/explain.model';
import { type CollectionOverview, OverviewService } from '../core/inspect/overview.service';
import { DenseVector } from '../core/records/dense-vector';
import { RecordsService } from '../core/records/records.service';
import type { StoredRecord } from '../core/records/record.model';
import { DEFAULT_NAMESPACE, type Scope } from '../core/scope';
import { Metrics } from '../operations/metrics';
import { MetricsHistory, type RatePoint } from '../operations/metrics-history';
import { ConsoleHttpError } from './console-error';
import { type Dialect, isDialect, parseDialectFilter, protocolOfCollection } from './dialect-filters';

/** Bounds of what one console call asks for. */
export const CONSOLE_LIMITS = {
  page: 100,
  neighbours: 100,
  projection: 2000,
  /** Numbers a projection answer carries at most (points x dimensions). */
  projectionNumbers: 2_000_000,
  previewValues: 8,
  documentChars: 200,
};

/** The tenant and database names a key is created for here: plain names only. */
const KEY_SCOPE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Body = Record<string, unknown>;

/** A filter as the console sends it: the dialect, and the text typed in the boxes. */
interface FilterInput {
  dialect?: unknown;
  filter?: unknown;
  whereDocument?: unknown;
  namespace?: unknown;
}

function text(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw ConsoleHttpError.badRequest(`${field} must be a string`);
  return value;
}

function integer(value: unknown, field: string, min: number, max: number, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max)
    throw ConsoleHttpError.badRequest(`${field} must be an integer from ${min} to ${max}`);
  return n;
}

function vectorOf(value: unknown): DenseVector {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'number' && Number.isFinite(v)))
    throw ConsoleHttpError.badRequest('vector must be a non-empty array of finite numbers');
  return DenseVector.fromNumbers(value as number[]);
}

/** pgvector's text form to numbers (the first `limit` of them). */
function numbersOf(embedding: string | null | undefined, limit = Infinity): number[] {
  if (!embedding) return [];
  const inner = embedding.slice(1, -1);
  if (inner === '') return [];
  const parts = inner.split(',', limit === Infinity ? undefined : limit);
  return parts.map(Number);
}

function shortened(document: string | null | undefined): string | null {
  if (document === undefined || document === null) return null;
  return document.length > CONSOLE_LIMITS.documentChars
    ? `${document.slice(0, CONSOLE_LIMITS.documentChars)}…`
    : document;
}

function points(series: RatePoint[]) {
  return series.map((p) => ({
    at: p.at.toISOString(),
    count: p.count,
    rate: p.rate,
    p50: p.p50,
    p95: p.p95,
    p99: p.p99,
  }));
}

/**
 * The web console's API: the catalog with what the core knows of each collection, records read,
 * searched, explained and deleted under a filter in any protocol's dialect, a sample for a 2-D
 * projection, search quality, this replica's metrics, jobs, and API keys for an admin key.
 */
@Injectable()
export class ConsoleService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly overview: OverviewService,
    private readonly store: RecordsService,
    private readonly explainer: ExplainService,
    private readonly keys: ApiKeysService,
    private readonly history: MetricsHistory,
  ) {}

  async session() {
    const principal = currentPrincipal();
    const auth = this.config.auth === 'required' || (this.config.auth === 'auto' && (await this.keys.authTurnedOn()));
    return {
      auth,
      principal: principal
        ? { keyId: principal.keyId, tenant: principal.tenant, databases: principal.databases, admin: principal.admin }
        : null,
    };
  }

  async tenants() {
    const { tenants, databases } = await this.overview.tenants();
    return tenants.map((tenant) => ({
      name: tenant,
      databases: databases
        .filter((d) => d.tenant === tenant)
        .map((d) => ({ name: d.name, collections: d.collections.map((c) => this.summary(c)) })),
    }));
  }

  async collection(id: string) {
    const scope = await this.scopeOf(id);
    return this.summary(await this.overview.collection(scope, id));
  }

  async records(id: string, body: Body) {
    const { scope, collection, filter, namespace } = await this.filtered(id, body);
    const limit = integer(body.limit, 'limit', 1, CONSOLE_LIMITS.page, 20);
    const offset = integer(body.offset, 'offset', 0, 1_000_000, 0);
    const order = body.order === undefined ? 'asc' : body.order;
    if (order !== 'asc' && order !== 'desc') throw ConsoleHttpError.badRequest("order must be 'asc' or 'desc'");
    const include = { embeddings: true, documents: true, metadatas: true, uris: false };
    const [rows, total] = await Promise.all([
      this.store.find(scope, collection.id, { filter, include, limit, offset, byId: order }, namespace),
      this.store.countMatching(scope, collection.id, filter, namespace),
    ]);
    return {
      records: rows.map((r) => ({
        id: r.id,
        document: r.document ?? null,
        metadata: r.metadata ?? null,
        vector: numbersOf(r.embedding, CONSOLE_LIMITS.previewValues),
        dimension: r.embedding ? collection.dimension : null,
      })),
      total,
      limit,
      offset,
    };
  }

  async search(id: string, body: Body) {
    const { scope, collection, filter, namespace } = await this.filtered(id, body);
    const k = integer(body.k, 'k', 1, CONSOLE_LIMITS.neighbours, 10);
    const vector = await this.queryVector(scope, collection.id, namespace, body);
    const include = { embeddings: false, documents: true, metadatas: true, uris: false };
    const searched = await this.store.nearest(
      scope,
      collection.id,
      { vectors: [vector], n: k, filter, include },
      namespace,
    );
    const { lists, plan, settings = {} } = searched;
    return {
      neighbours: (lists[0] ?? []).map((n) => ({
        id: n.id,
        distance: n.distance,
        document: n.document ?? null,
        metadata: n.metadata ?? null,
      })),
      // The path this search took: its own plan, not a second look at the policy.
      path: collection.dimension === null ? null : searchPath(plan, settings, searched.collection.vectorIndexed),
    };
  }

  async explain(id: string, body: Body) {
    const { scope, collection, filter, namespace } = await this.filtered(id, body);
    const operation = body.operation ?? 'find';
    if (operation !== 'find' && operation !== 'search' && operation !== 'delete')
      throw ConsoleHttpError.badRequest("operation must be 'find', 'search' or 'delete'");
    if (body.analyze !== undefined && typeof body.analyze !== 'boolean')
      throw ConsoleHttpError.badRequest('analyze must be true or false');
    const n = integer(body.k, 'k', 1, CONSOLE_LIMITS.neighbours, operation === 'find' ? 20 : 10);
    const vector = operation === 'search' ? await this.queryVector(scope, collection.id, namespace, body) : undefined;
    const explanation = await this.explainer.explain(scope, collection.id, {
      operation: operation as ExplainedOperation,
      namespace,
      filter,
      vector,
      n,
      analyze: body.analyze === true,
    });
    return { ...explanation, params: explanation.params.map((p) => shownParam(p, vector)) };
  }

  async deleteMatching(id: string, body: Body) {
    const { scope, collection, filter, namespace } = await this.filtered(id, body);
    if (typeof body.dryRun !== 'boolean') throw ConsoleHttpError.badRequest('dryRun must be true or false');
    if (body.dryRun) return { matched: await this.store.countMatching(scope, collection.id, filter, namespace) };
    if (filter.kind === 'all')
      throw ConsoleHttpError.badRequest('A delete needs a filter: the console does not empty a whole collection');
    return { deleted: await this.store.delete(scope, collection.id, filter, null, namespace) };
  }

  async projection(id: string, query: Body) {
    const scope = await this.scopeOf(id);
    const collection = await this.overview.cached(scope, id);
    const namespace = text(query.namespace, 'namespace') ?? DEFAULT_NAMESPACE;
    const color = text(query.color, 'color');
    const asked = integer(query.limit, 'limit', 1, CONSOLE_LIMITS.projection, 1000);
    const dimension = collection.dimension ?? 0;
    if (dimension === 0) return { dimension: null, points: [] };
    const n = Math.max(1, Math.min(asked, Math.floor(CONSOLE_LIMITS.projectionNumbers / dimension)));
    const include = { embeddings: true, documents: true, metadatas: true, uris: false };
    const sample = await this.store.drawRandom(
      scope,
      id,
      { filter: { kind: 'hasVector', vector: 'dense' }, include, n },
      namespace,
    );
    return {
      dimension,
      points: sample.map((r: StoredRecord) => {
        const value = color && r.metadata ? r.metadata[color] : undefined;
        return {
          id: r.id,
          document: shortened(r.document),
          color:
            value === undefined || value === null ? null : typeof value === 'string' ? value : JSON.stringify(value),
          vector: numbersOf(r.embedding),
        };
      }),
    };
  }

  async quality(id: string) {
    const scope = await this.scopeOf(id);
    const quality = await this.overview.quality(scope, id);
    return {
      recallTarget: quality.recallTarget,
      vectors: quality.vectors,
      traffic: {
        samples: quality.traffic.samples + quality.traffic.filteredSamples,
        recall: quality.traffic.recall,
        filteredRecall: quality.traffic.filteredRecall,
      },
      latency: points(this.history.collectionSeries(id)),
    };
  }

  async metrics() {
    const series = await this.history.protocolSeries();
    return {
      intervalSeconds: 10,
      // Percentiles come from the request histogram: placed within a bucket, they are as exact as it is wide.
      latencyBucketsMs: Metrics.DURATION_BUCKETS.map((s) => Math.round(s * 1000)),
      protocols: [...series]
        .filter(([protocol]) => protocol !== 'other')
        .map(([protocol, list]) => ({ protocol, series: points(list) })),
    };
  }

  async jobs() {
    const jobs = await this.overview.jobs();
    const of = (kind: string) => jobs.filter((j) => j.kind === kind);
    return {
      imports: of('import').map((j) => ({
        id: j.id,
        collection: j.collection,
        tenant: j.tenant,
        database: j.database,
        state: j.state,
        percent: j.percent,
        records: j.records,
        error: j.error,
        createdAt: j.createdAt,
      })),
      backups: [...of('backup'), ...of('restore')].map((j) => ({
        id: j.id,
        kind: j.kind,
        name: j.name,
        collection: j.collection,
        tenant: j.tenant,
        database: j.database,
        state: j.state,
        percent: j.percent,
        records: j.records,
        createdAt: j.createdAt,
      })),
    };
  }

  async listKeys() {
    return (await this.keys.list(this.keyManager())).map(shownKey);
  }

  async createKey(body: Body) {
    const own = this.keyManager()?.tenant ?? null;
    const tenant = text(body.tenant, 'tenant') ?? own;
    if (!tenant) throw ConsoleHttpError.badRequest('tenant is required');
    if (!KEY_SCOPE_NAME.test(tenant))
      throw ConsoleHttpError.badRequest('tenant: 1 to 63 letters, digits, ".", "_" or "-"');
    if (own !== null && tenant !== own)
      throw new ForbiddenError(`An admin key of tenant ${own} creates keys of that tenant only`);
    let databases: string[] | null = null;
    if (body.databases !== undefined && body.databases !== null) {
      if (
        !Array.isArray(body.databases) ||
        body.databases.length > 100 ||
        !body.databases.every((d) => typeof d === 'string' && KEY_SCOPE_NAME.test(d))
      )
        throw ConsoleHttpError.badRequest('databases must be a list of database names');
      databases = body.databases.length ? (body.databases as string[]) : null;
    }
    const principal = currentPrincipal();
    if (principal?.databases && (databases === null || databases.some((d) => !principal.databases!.includes(d))))
      throw new ForbiddenError('An admin key creates keys for its own databases only');
    if (body.admin !== undefined && typeof body.admin !== 'boolean')
      throw ConsoleHttpError.badRequest('admin must be true or false');
    return this.keys.create(tenant, databases, body.admin === true);
  }

  /** Revokes a key; the caller's own only when `self` says the caller knows it signs them out. */
  async revokeKey(id: string, self = false) {
    const manager = this.keyManager();
    if (currentPrincipal()?.keyId === id && !self)
      throw new ConsoleHttpError(
        409,
        'own_key',
        `Key ${id} is the key this request is signed in with: revoking it signs you out (send self=true to revoke it anyway)`,
      );
    if (!(await this.keys.revoke(id, manager))) throw new ConsoleHttpError(404, 'not_found', `No live key ${id}`);
    return { revoked: true };
  }

  /** Whose keys the request may manage (null: every tenant's, without a key); a plain key may not. */
  private keyManager(): KeyManager {
    const principal = currentPrincipal();
    if (!principal) return null;
    if (!principal.admin)
      throw new ForbiddenError(
        `Managing API keys needs an admin key: sign in with one. An admin key of tenant ${principal.tenant} makes one ` +
          `(Keys, "admin" ticked), or on the gateway's machine: npm run keys -- create --tenant ${principal.tenant} --admin`,
      );
    return { tenant: principal.tenant, databases: principal.databases };
  }

  private async scopeOf(id: string): Promise<Scope> {
    if (!UUID.test(id)) throw new NotFoundError('collection', id, 'id');
    return this.overview.scopeOf(id);
  }

  /** The collection, the filter parsed in its dialect, and the namespace. */
  private async filtered(id: string, body: FilterInput) {
    const scope = await this.scopeOf(id);
    const collection = await this.overview.cached(scope, id);
    const dialect: Dialect = body.dialect === undefined ? protocolOfCollection(collection) : (body.dialect as Dialect);
    if (!isDialect(dialect))
      throw ConsoleHttpError.badRequest('dialect must be chroma, pinecone, vectorizer or qdrant');
    const filter = parseDialectFilter(
      dialect,
      collection,
      text(body.filter, 'filter'),
      text(body.whereDocument, 'whereDocument'),
    );
    const namespace = text(body.namespace, 'namespace') ?? DEFAULT_NAMESPACE;
    return { scope, collection, filter, namespace };
  }

  /** A pasted vector, or the vector of a record named by id. */
  private async queryVector(scope: Scope, collectionId: string, namespace: string, body: Body): Promise<DenseVector> {
    if (body.vector !== undefined && body.vector !== null) return vectorOf(body.vector);
    const id = text(body.id, 'id');
    if (id === undefined || id === '') throw ConsoleHttpError.badRequest('A search needs a record id or a vector');
    const include = { embeddings: true, documents: false, metadatas: false, uris: false };
    const filter: FilterNode = { kind: 'idIn', ids: [id] };
    const [record] = await this.store.find(scope, collectionId, { filter, include, limit: 1, offset: 0 }, namespace);
    if (!record) throw new ConsoleHttpError(404, 'not_found', `No record ${JSON.stringify(id)} in this namespace`);
    if (!record.embedding) throw ConsoleHttpError.badRequest(`Record ${JSON.stringify(id)} holds no dense vector`);
    return DenseVector.fromText(record.embedding);
  }

  private summary({ collection: c, namespaces, rangeKeys, sizeBytes, index }: CollectionOverview) {
    return {
      id: c.id,
      name: c.name,
      tenant: c.tenant,
      database: c.database,
      protocol: protocolOfCollection(c),
      dimension: c.dimension,
      metric: c.metric,
      records: c.records ?? 0,
      namespaces,
      index,
      rangeIndexes: rangeKeys.map((k) => ({ key: k.key.join('.'), kind: k.kind, ready: k.ready })),
      vectors: vectorsOf(c),
      sizeBytes,
      createdAt: c.createdAt,
    };
  }
}

/**
 * Every vector of a collection, the default one first: its name is Qdrant's name for it (a
 * collection of named vectors keeps its first in the default columns), '' elsewhere.
 */
function vectorsOf(c: Collection) {
  const defaultName = protocolOfCollection(c) === 'qdrant' ? layoutOf(c).dense : '';
  const first =
    defaultName === null
      ? []
      : [{ name: defaultName, kind: 'dense', dimension: c.dimension, metric: c.metric, indexed: c.vectorIndexed }];
  return [
    ...first,
    ...c.vectors.map((v) => ({
      name: v.name,
      kind: v.kind,
      dimension: v.dimension,
      metric: v.metric,
      indexed: v.indexed,
    })),
  ];
}

function shownKey(k: ApiKeyRow) {
  return {
    id: k.id,
    tenant: k.tenant,
    databases: k.databases,
    admin: k.admin,
    createdAt: k.createdAt,
    revokedAt: k.revokedAt,
  };
}

/** A bind value as text: the query vector (sent as bytes) shown as its first numbers. */
function shownParam(value: unknown, vector: DenseVector | undefined): string {
  if (Buffer.isBuffer(value)) {
    if (vector) {
      const head = [...vector.values.slice(0, 4)].map((v) => Number(v.toFixed(4)));
      return `vector(${vector.dimension}) [${head.join(', ')}${vector.dimension > 4 ? ', …' : ''}]`;
    }
    return `<${value.length} bytes>`;
  }
  if (value === null || value === undefined) return 'NULL';
  if (value === '') return "'' (empty)";
  if (typeof value === 'string') return value.length > 500 ? `${value.slice(0, 500)}…` : value;
  return JSON.stringify(value);
}
