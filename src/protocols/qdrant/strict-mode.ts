import { isObject, type JsonObject } from '../json-guards';
import { RateLimitedError } from '../../core/errors';
import { QdrantHttpError } from './qdrant-error';

/**
 * Strict mode's rule on unindexed filtering (`unindexed_filtering_retrieve` for reads,
 * `unindexed_filtering_update` for filtered writes, set to false on an enabled strict_mode_config):
 * every key a filter tests must have a payload index that serves the test, as Qdrant 1.19 infers
 * it (lib/collection/src/problems/unindexed_field.rs), else a 400 in Qdrant's words. vecgate
 * serves every filter without an index; this is Qdrant's contract, kept for clients that rely on it.
 */

/** What a payload index serves (Qdrant's FieldIndexType), by the schema Qdrant names for it. */
type Capability =
  | 'integer match'
  | 'integer range'
  | 'keyword'
  | 'keyword prefix'
  | 'float'
  | 'text'
  | 'text phrase'
  | 'bool'
  | 'uuid match'
  | 'uuid range'
  | 'datetime'
  | 'geo';

const ALL: Capability[] = [
  'integer match',
  'integer range',
  'keyword',
  'keyword prefix',
  'float',
  'text',
  'text phrase',
  'bool',
  'uuid match',
  'uuid range',
  'datetime',
  'geo',
];

/** The schema an error names for each (Qdrant's Display of the PayloadFieldSchema it stands for). */
const SCHEMA_NAME: Readonly<Record<Capability, string>> = {
  'integer match': 'integer',
  'integer range': 'integer',
  keyword: 'keyword',
  'keyword prefix': 'keyword (with prefix: true)',
  float: 'float',
  text: 'text',
  'text phrase': 'text (with phrase_matching: true)',
  bool: 'bool',
  'uuid match': 'uuid',
  'uuid range': 'uuid',
  datetime: 'datetime',
  geo: 'geo',
};

/** The forms Rust's Uuid::parse_str takes: hyphenated, simple, URN and braced. */
const HYPHENATED = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const UUID = new RegExp(`^(?:${HYPHENATED}|[0-9a-f]{32}|urn:uuid:${HYPHENATED}|\\{${HYPHENATED}\\})$`, 'i');

/** What a payload index on the key serves. */
function capabilities(schema: unknown): Set<Capability> {
  const type = typeof schema === 'string' ? schema : isObject(schema) ? schema.type : undefined;
  const params = isObject(schema) ? schema : {};
  switch (type) {
    case 'keyword':
      return new Set<Capability>(params.prefix === true ? ['keyword', 'keyword prefix'] : ['keyword']);
    case 'integer': {
      const caps = new Set<Capability>();
      if (params.lookup !== false) caps.add('integer match');
      if (params.range !== false) caps.add('integer range');
      return caps;
    }
    case 'uuid':
      return new Set<Capability>(['uuid match', 'uuid range']);
    case 'bool':
      return new Set<Capability>(['bool']);
    case 'float':
      return new Set<Capability>(['float']);
    case 'geo':
      return new Set<Capability>(['geo']);
    case 'datetime':
      return new Set<Capability>(['datetime']);
    case 'text':
      return new Set<Capability>(params.phrase_matching === true ? ['text', 'text phrase'] : ['text']);
    default:
      return new Set();
  }
}

/** The strings of a match.any or match.except list: keyword (and uuid when all are), integers: integer. */
function forValues(values: unknown): Capability[] {
  if (!Array.isArray(values) || values.length === 0) return [];
  if (values.every((v) => typeof v === 'string'))
    return values.every((v) => UUID.test(v as string)) ? ['uuid match', 'keyword'] : ['keyword'];
  return ['integer match'];
}

/** The indexes that would serve a field condition (any one of them does). */
function required(c: JsonObject): Capability[] {
  const needs: Capability[] = [];
  const m = c.match;
  if (isObject(m)) {
    if ('value' in m) {
      const v = m.value;
      if (typeof v === 'string') needs.push(...(UUID.test(v) ? (['uuid match'] as const) : []), 'keyword');
      else if (typeof v === 'boolean') needs.push('bool');
      else if (typeof v === 'number') needs.push('integer match');
    } else if ('text' in m || 'text_any' in m) needs.push('text');
    else if ('phrase' in m) needs.push('text phrase');
    else if ('prefix' in m) needs.push('keyword prefix');
    else if ('any' in m) needs.push(...forValues(m.any));
    else if ('except' in m) needs.push(...forValues(m.except));
  }
  if (isObject(c.range)) {
    const bounds = Object.values(c.range).filter((v) => v !== null && v !== undefined);
    needs.push(
      ...(bounds.some((v) => typeof v === 'string') ? (['datetime'] as const) : (['float', 'integer range'] as const)),
    );
  }
  if (present(c.geo_bounding_box) || present(c.geo_radius) || present(c.geo_polygon)) needs.push('geo');
  if (present(c.values_count) || present(c.is_empty) || present(c.is_null)) needs.push(...ALL);
  return needs;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** A clause's conditions: one condition or a list of them. */
function conditionsOf(filter: JsonObject): unknown[] {
  const listed = (v: unknown) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
  const minShould = isObject(filter.min_should) ? listed(filter.min_should.conditions) : [];
  return [...listed(filter.must), ...listed(filter.must_not), ...listed(filter.should), ...minShould];
}

/** The first key the filter tests that no payload index serves, with the indexes that would; null when none. */
function unindexed(
  filter: JsonObject,
  indexes: Record<string, unknown>,
  prefix: string,
): { key: string; schemas: Capability[] } | null {
  for (const c of conditionsOf(filter)) {
    if (!isObject(c)) continue;
    let key: unknown;
    let needs: Capability[];
    if ('key' in c) {
      key = c.key;
      needs = required(c);
    } else if (isObject(c.is_empty) || isObject(c.is_null)) {
      key = ((c.is_empty ?? c.is_null) as JsonObject).key;
      needs = ALL;
    } else if (isObject(c.nested)) {
      const inner = isObject(c.nested.filter) ? c.nested.filter : {};
      const found = unindexed(inner, indexes, `${prefix}${String(c.nested.key)}[].`);
      if (found) return found;
      continue;
    } else if ('must' in c || 'should' in c || 'must_not' in c || 'min_should' in c) {
      const found = unindexed(c, indexes, prefix);
      if (found) return found;
      continue;
    } else continue;
    if (typeof key !== 'string' || needs.length === 0) continue;
    const full = `${prefix}${key}`;
    const caps = Object.hasOwn(indexes, full) ? capabilities(indexes[full]) : new Set<Capability>();
    if (!needs.some((n) => caps.has(n))) return { key: full, schemas: needs };
  }
  return null;
}

/**
 * Refuses a filter (already parsed, so well formed) that tests a key without a serving index, when
 * the collection's strict mode asks for indexes on reads (`use` read) or on filtered writes, and
 * one past `filter_max_conditions` or `condition_max_size`.
 */
export function checkIndexedFilter(
  filter: unknown,
  strictMode: unknown,
  indexes: Record<string, unknown>,
  use: 'read' | 'write',
): void {
  if (!isObject(filter) || !isObject(strictMode) || strictMode.enabled !== true) return;
  const allowed = use === 'read' ? strictMode.unindexed_filtering_retrieve : strictMode.unindexed_filtering_update;
  const found = allowed === false ? unindexed(filter, indexes, '') : null;
  if (found) {
    const names = [...new Set(found.schemas.map((s) => SCHEMA_NAME[s]))].sort();
    throw strictModeError(
      `Index required but not found for "${found.key}" of one of the following types: [${names.join(', ')}]`,
      'Create an index for this key or use a different filter.',
    );
  }
  checkFilterLimits(filter, strictMode);
}

/** The collection's strict mode settings when it is enabled, else null (Qdrant checks none then). */
export function enabledStrictMode(settings: JsonObject): JsonObject | null {
  const s = settings.strict_mode_config;
  return isObject(s) && s.enabled === true ? s : null;
}

/** Qdrant's CollectionError::strict_mode: a 400 `Strict mode error: <error>. Help: <help>`. */
export function strictModeError(error: string, help: string): QdrantHttpError {
  return new QdrantHttpError(400, `Strict mode error: ${error}. Help: ${help}`);
}

function numeric(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Qdrant's check_limit_opt: a value above the setting is refused, named as Qdrant names it. */
export function checkLimit(value: number | null, limit: unknown, name: string): void {
  const bound = numeric(limit);
  if (bound === null || value === null || value <= bound) return;
  throw strictModeError(
    `Limit exceeded ${value} > ${bound} for "${name}"`,
    `Reduce the "${name}" parameter to or below ${bound}.`,
  );
}

/** `search_allow_exact: false` refuses a request asking for an exact search. */
export function checkExact(exact: unknown, strict: JsonObject): void {
  if (strict.search_allow_exact === false && exact === true)
    throw strictModeError('Exact search disabled!', 'Set exact=false.');
}

/** A request's search `params`: oversampling, hnsw_ef and exact against their settings. */
export function checkSearchParams(params: unknown, strict: JsonObject): void {
  if (!isObject(params)) return;
  const quantization = isObject(params.quantization) ? params.quantization : {};
  checkLimit(numeric(quantization.oversampling), strict.search_max_oversampling, 'oversampling');
  checkLimit(numeric(params.hnsw_ef), strict.search_max_hnsw_ef, 'hnsw_ef');
  checkExact(params.exact, strict);
}

/** The `timeout` query parameter (seconds) against `max_timeout`. */
export function checkTimeout(timeout: unknown, strict: JsonObject | null): void {
  if (!strict || timeout === undefined || timeout === null || timeout === '') return;
  const seconds = Number(timeout);
  if (Number.isFinite(seconds)) checkLimit(seconds, strict.max_timeout, 'timeout');
}

/** How many conditions a filter holds, those of nested filters included (Qdrant's total_conditions_count). */
function conditionCount(filter: JsonObject): number {
  let n = 0;
  for (const c of conditionsOf(filter)) {
    if (!isObject(c)) n += 1;
    else if (isObject(c.nested)) n += isObject(c.nested.filter) ? conditionCount(c.nested.filter) : 0;
    else if ('must' in c || 'should' in c || 'must_not' in c || 'min_should' in c) n += conditionCount(c);
    else n += 1;
  }
  return n;
}

/** The largest input of one condition: the values of a match any or except, the ids of has_id. */
function largestCondition(filter: JsonObject): number {
  let max = 0;
  for (const c of conditionsOf(filter)) {
    if (!isObject(c)) continue;
    let size = 0;
    if (isObject(c.nested)) size = isObject(c.nested.filter) ? largestCondition(c.nested.filter) : 0;
    else if ('must' in c || 'should' in c || 'must_not' in c || 'min_should' in c) size = largestCondition(c);
    else if (Array.isArray(c.has_id)) size = c.has_id.length;
    else if (isObject(c.match)) {
      const m = c.match;
      size = Array.isArray(m.any) ? m.any.length : Array.isArray(m.except) ? m.except.length : 0;
    }
    max = Math.max(max, size);
  }
  return max;
}

/** `filter_max_conditions` and `condition_max_size` over a read or write filter, worded as Qdrant's. */
function checkFilterLimits(filter: JsonObject, strict: JsonObject): void {
  const maxConditions = numeric(strict.filter_max_conditions);
  if (maxConditions !== null) {
    const n = conditionCount(filter);
    if (n > maxConditions)
      throw strictModeError(
        `Filter condition limit reached (${n} > ${maxConditions})`,
        'Reduce the amount of conditions of your filter.',
      );
  }
  const maxSize = numeric(strict.condition_max_size);
  if (maxSize !== null) {
    const size = largestCondition(filter);
    if (size > maxSize)
      throw strictModeError(
        `Condition size limit reached (${size} > ${maxSize})`,
        'Reduce the size of your condition.',
      );
  }
}

/** A limit as sent, or its default when left out (a value of another type is the parser's to refuse). */
function limitOf(value: unknown, fallback: number | null): number | null {
  return value === undefined || value === null ? fallback : numeric(value);
}

/** A Query API request or prefetch: its limit, its search params and those of its prefetches, nested ones included. */
export function checkQueryStrict(body: JsonObject, strict: JsonObject): void {
  const prefetches = body.prefetch === undefined || body.prefetch === null ? [] : [body.prefetch].flat();
  for (const p of prefetches) if (isObject(p)) checkQueryStrict(p, strict);
  checkLimit(limitOf(body.limit, 10), strict.max_query_limit, 'limit');
  checkSearchParams(body.params, strict);
}

/** What the full-scan check needs of a vector: whether it is sparse, and its own hnsw_config as sent. */
export type VectorIndexing = (using: string) => { sparse: boolean; hnsw: unknown };

/** The payload keys a filter's conditions name, at any depth (walked without recursion). */
function filterKeys(filter: unknown): string[] {
  const keys: string[] = [];
  const stack: unknown[] = [filter];
  while (stack.length > 0 && keys.length < 10_000) {
    const node = stack.pop();
    if (Array.isArray(node)) stack.push(...node);
    else if (isObject(node)) {
      if (typeof node.key === 'string') keys.push(node.key);
      for (const part of ['must', 'should', 'must_not']) if (part in node) stack.push(node[part]);
      if (isObject(node.min_should)) stack.push(node.min_should.conditions);
      if (isObject(node.filter)) stack.push(node.filter);
    }
  }
  return keys;
}

/**
 * Qdrant's check_fullscan: with `search_allow_exact: false`, a vector search (a prefetch's, or the
 * top query's when it has no prefetch to re-score) through a dense vector whose `hnsw_config.m` is
 * 0 is refused, unless its filter names a tenant-indexed key and `payload_m` is not 0.
 */
export function checkFullScan(
  body: JsonObject,
  strict: JsonObject,
  settings: JsonObject,
  payloadIndexes: Record<string, unknown>,
  vector: VectorIndexing,
  rescoring = false,
): void {
  if (strict.search_allow_exact !== false) return;
  const prefetches = body.prefetch === undefined || body.prefetch === null ? [] : [body.prefetch].flat();
  for (const p of prefetches) if (isObject(p)) checkFullScan(p, strict, settings, payloadIndexes, vector, true);
  const q = body.query;
  if (q === undefined || q === null || (prefetches.length > 0 && !rescoring)) return;
  if (isObject(q) && ['fusion', 'rrf', 'order_by', 'formula', 'sample'].some((k) => k in q)) return;
  const using = typeof body.using === 'string' ? body.using : '';
  const { sparse, hnsw } = vector(using);
  if (sparse) return;
  const collectionHnsw = isObject(settings.hnsw_config) ? settings.hnsw_config : {};
  const own = isObject(hnsw) ? hnsw : {};
  const m = numeric(own.m) ?? numeric(collectionHnsw.m) ?? 16;
  const payloadM = numeric(own.payload_m) ?? numeric(collectionHnsw.payload_m) ?? m;
  if (m > 0) return;
  const label = using === '' ? '' : ` on '${using}'`;
  const tenant = filterKeys(body.filter).some((key) => {
    const schema = Object.hasOwn(payloadIndexes, key) ? payloadIndexes[key] : undefined;
    return isObject(schema) && schema.is_tenant === true;
  });
  if (!tenant)
    throw strictModeError(
      `Request is forbidden${label} because global vector indexing is disabled (hnsw_config.m = 0)`,
      'Use tenant-specific filter, enable global vector indexing or enable strict mode `search_allow_exact` option',
    );
  if (payloadM === 0)
    throw strictModeError(
      `Request is forbidden${label} because vector indexing is disabled (hnsw_config.m = 0 and hnsw_config.payload_m = 0)`,
      'Enable vector indexing, use a prefetch query with indexed vectors or enable strict mode `search_allow_exact` option',
    );
}

/** A legacy search, recommend or discover: its limit (`top` too) and search params. */
export function checkSearchStrict(body: JsonObject, strict: JsonObject): void {
  checkLimit(limitOf(body.limit ?? body.top, 10), strict.max_query_limit, 'limit');
  checkSearchParams(body.params, strict);
}

/** A grouped search: `limit` × `group_size` as its limit, and a `group_by` key whose index serves a match. */
export function checkGroupsStrict(body: JsonObject, strict: JsonObject, indexes: Record<string, unknown>): void {
  if (Array.isArray(body.prefetch) || isObject(body.prefetch))
    for (const p of [body.prefetch].flat()) if (isObject(p)) checkQueryStrict(p, strict);
  const limit = limitOf(body.limit, 10);
  const size = limitOf(body.group_size, 3);
  checkLimit(limit === null || size === null ? null : limit * size, strict.max_query_limit, 'limit');
  checkSearchParams(body.params, strict);
  if (strict.unindexed_filtering_retrieve !== false || typeof body.group_by !== 'string') return;
  const key = body.group_by;
  if (!Object.hasOwn(indexes, key))
    throw strictModeError(
      `Index required but not found for "${key}"`,
      'Create an index supporting `match` for this key.',
    );
  const schema = indexes[key];
  const type = typeof schema === 'string' ? schema : isObject(schema) ? String(schema.type) : '';
  const serves =
    ['keyword', 'uuid', 'bool'].includes(type) ||
    (type === 'integer' && (typeof schema === 'string' || (isObject(schema) && schema.lookup === true)));
  if (!serves)
    throw strictModeError(
      `Index of type "${type.charAt(0).toUpperCase()}${type.slice(1)}" found for "${key}"`,
      'Create an index supporting `match` for this key.',
    );
}

/** The search matrix: `sample` × `limit` as its limit. */
export function checkMatrixStrict(body: JsonObject, strict: JsonObject): void {
  const sample = limitOf(body.sample, 10);
  const limit = limitOf(body.limit, 3);
  checkLimit(sample === null || limit === null ? null : sample * limit, strict.max_query_limit, 'limit');
}

/** A batch of searches: their number against `search_max_batchsize`. */
export function checkBatchStrict(size: number, strict: JsonObject): void {
  checkLimit(size, strict.search_max_batchsize, 'search batch size');
}

/** Scroll, count and facet: a limit when they send one, and `exact` (a count is exact unless it says not). */
export function checkReadStrict(body: JsonObject, strict: JsonObject, kind: 'scroll' | 'count' | 'facet'): void {
  if (kind !== 'count') checkLimit(limitOf(body.limit, null), strict.max_query_limit, 'limit');
  if (kind === 'count') checkExact(body.exact ?? true, strict);
  if (kind === 'facet') checkExact(body.exact, strict);
}

/**
 * A write adding points or vectors: their number against `upsert_max_batchsize` (named `upsert
 * limit` for an upsert, `update limit` for update_vectors, as Qdrant names them), each sparse
 * vector's length against its `sparse_config` `max_length` and each multivector's tokens against
 * its `multivector_config` `max_vectors`.
 */
export function checkUpsertStrict(
  count: number,
  sparse: { name: string; length: number }[],
  strict: JsonObject,
  kind: 'upsert' | 'update',
  multi: { name: string; length: number }[] = [],
): void {
  checkLimit(count, strict.upsert_max_batchsize, `${kind} limit`);
  const multiLimits = isObject(strict.multivector_config) ? strict.multivector_config : {};
  for (const v of multi) {
    const settings = Object.hasOwn(multiLimits, v.name) ? multiLimits[v.name] : undefined;
    const max = isObject(settings) ? numeric(settings.max_vectors) : null;
    if (max !== null && v.length > max)
      throw QdrantHttpError.badRequest(
        `Multivector '${v.name}' has a limit of ${max} vectors, but ${v.length} were provided!`,
      );
  }
  const limits = isObject(strict.sparse_config) ? strict.sparse_config : {};
  for (const v of sparse) {
    const settings = Object.hasOwn(limits, v.name) ? limits[v.name] : undefined;
    const max = isObject(settings) ? numeric(settings.max_length) : null;
    if (max !== null && v.length > max)
      throw QdrantHttpError.badRequest(
        `Sparse vector '${v.name}' has a limit of ${max} indices, but ${v.length} were provided!`,
      );
  }
}

/**
 * The collection's size against `max_points_count`, `max_collection_vector_size_bytes` and
 * `max_collection_payload_size_bytes`, before a write that adds: refused once reached, as Qdrant.
 */
export function checkCollectionSize(
  size: { points: number; vectorBytes: number; payloadBytes: number },
  strict: JsonObject,
): void {
  const points = numeric(strict.max_points_count);
  if (points !== null && size.points >= points)
    throw QdrantHttpError.badRequest(`Max points count limit of ${points} reached!`);
  const mb = (bytes: number) => String(bytes / (1024 * 1024));
  const vectors = numeric(strict.max_collection_vector_size_bytes);
  if (vectors !== null && size.vectorBytes >= vectors)
    throw QdrantHttpError.badRequest(`Max vector storage size limit of ${mb(vectors)}MB reached!`);
  const payload = numeric(strict.max_collection_payload_size_bytes);
  if (payload !== null && size.payloadBytes >= payload)
    throw QdrantHttpError.badRequest(`Max payload storage size limit of ${mb(payload)}MB reached!`);
}

/** Whether the settings bound the collection's size (then a write reads it first). */
export function boundsSize(strict: JsonObject | null): boolean {
  return (
    strict !== null &&
    (numeric(strict.max_points_count) !== null ||
      numeric(strict.max_collection_vector_size_bytes) !== null ||
      numeric(strict.max_collection_payload_size_bytes) !== null)
  );
}

/** A token bucket of `perMinute` tokens, full at first, refilled evenly over a minute (Qdrant's RateLimiter). */
class TokenBucket {
  private tokens: number;
  private last = performance.now();

  constructor(
    readonly settings: string,
    private readonly perMinute: number,
  ) {
    this.tokens = perMinute;
  }

  take(cost: number, kind: 'Read' | 'Write'): void {
    if (cost > this.perMinute)
      throw new RateLimitedError(
        0,
        `${kind} rate limit exceeded, request larger than rate limiter capacity, please try to split your request`,
      );
    const now = performance.now();
    this.tokens = Math.min(this.perMinute, this.tokens + ((now - this.last) / 1000) * (this.perMinute / 60));
    this.last = now;
    if (this.tokens >= cost) {
      this.tokens -= cost;
      return;
    }
    const retryAfter = Math.ceil((cost - this.tokens) / (this.perMinute / 60));
    throw new RateLimitedError(
      retryAfter,
      `${kind} rate limit exceeded: Operation requires ${cost} tokens but only ${this.tokens.toFixed(1)} were available. Retry after ${retryAfter}s`,
    );
  }
}

/**
 * The read and write rate limits of strict mode (`read_rate_limit`, `write_rate_limit`: tokens a
 * minute), by collection, in this process: a bucket starts full and starts again when the
 * collection's strict mode settings change, as Qdrant's.
 */
const buckets = new Map<string, TokenBucket>();

export function takeTokens(
  collectionId: string,
  strict: JsonObject | null,
  kind: 'Read' | 'Write',
  cost: number,
): void {
  const perMinute = strict ? numeric(kind === 'Read' ? strict.read_rate_limit : strict.write_rate_limit) : null;
  const key = `${kind}:${collectionId}`;
  if (perMinute === null || perMinute <= 0) {
    buckets.delete(key);
    return;
  }
  const settings = JSON.stringify(strict);
  let bucket = buckets.get(key);
  if (!bucket || bucket.settings !== settings) buckets.set(key, (bucket = new TokenBucket(settings, perMinute)));
  bucket.take(Math.max(1, cost), kind);
}

/** What a filter adds to a read's cost: its conditions (Qdrant's filter_rate_cost). */
export function filterCost(filter: unknown): number {
  return isObject(filter) ? conditionCount(filter) : 0;
}

/** Whether every key a filter tests has an index that serves it (then its matches can be counted cheaply). */
export function fullyIndexed(filter: unknown, indexes: Record<string, unknown>): boolean {
  return !isObject(filter) || unindexed(filter, indexes, '') === null;
}

/** The read cost of a query: one per vector it compares with (the examples of best_score and sum_scores, a discover's). */
function queryVectorsCost(query: unknown): number {
  // A multivector costs its tokens (Qdrant's similarity_cost); a point id its vector, the point's
  // read and the filter that leaves it out (3, whatever the stored vector's tokens).
  if (typeof query === 'number' || typeof query === 'string') return 3;
  if (Array.isArray(query)) return vectorCost(query);
  if (!isObject(query)) return 1;
  if ('nearest' in query) {
    const n = query.nearest;
    return typeof n === 'number' || typeof n === 'string' ? 3 : vectorCost(n);
  }
  const list = (v: unknown) => (Array.isArray(v) ? v.reduce((n: number, e) => n + vectorCost(e), 0) : 0);
  if (isObject(query.recommend)) {
    const r = query.recommend;
    return r.strategy === 'best_score' || r.strategy === 'sum_scores' ? list(r.positive) + list(r.negative) : 1;
  }
  if (isObject(query.discover)) return 1 + 2 * list(query.discover.context);
  if ('context' in query) return 2 * list(query.context);
  return 1;
}

/** How many vectors a query vector or example weighs: a multivector's tokens, else 1. */
function vectorCost(v: unknown): number {
  return Array.isArray(v) && v.length > 0 && Array.isArray(v[0]) ? v.length : 1;
}

/** The read cost of a Query API request: each search its prefetches and query make, with their filters' conditions. */
export function queryCost(body: JsonObject): number {
  const prefetches = body.prefetch === undefined || body.prefetch === null ? [] : [body.prefetch].flat();
  let cost = 0;
  for (const p of prefetches) if (isObject(p)) cost += queryCost(p);
  const q = body.query;
  const merges = isObject(q) && ('fusion' in q || 'rrf' in q || 'formula' in q);
  if (prefetches.length === 0 || !merges) cost += queryVectorsCost(q) + filterCost(body.filter);
  return cost;
}

/** The read cost of a legacy recommend: its examples with best_score or sum_scores, else one search. */
export function legacyRecommendCost(body: JsonObject): number {
  const list = (v: unknown) => (Array.isArray(v) ? v.length : 0);
  const perExample = body.strategy === 'best_score' || body.strategy === 'sum_scores';
  return (perExample ? list(body.positive) + list(body.negative) : 1) + filterCost(body.filter);
}
