import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { isObject, type JsonObject } from '../json-guards';
import { QdrantHttpError } from './qdrant-error';
import { endpointOf } from './qdrant-request-stats';

/**
 * Qdrant's rule for a request that does not fit, applied before anything is looked up (as actix's
 * extractors refuse it before Qdrant's handler runs): what serde cannot read into the request's
 * types (a negative count, a string for a number) is a 400 `Format error in JSON body` or `Deserialize
 * error in query parameters`; a value of the right type that a `#[validate(...)]` rule of the `validator`
 * crate refuses (a count of 0 where Qdrant's type says `range(min = 1)`, a name past 255
 * characters, a sparse vector whose values and indices differ in length) is a 422 `Validation
 * error in path parameters|JSON body|query parameters: [field: why; ...]`, every fault of that
 * part listed. The path is checked first, then the body, then the query, as the handlers take them.
 *
 * The rules here are those of Qdrant 1.19's request types that vecgate reads; the rest of a
 * request is checked where it is parsed (a few validation faults found there are 422s too:
 * qdrant-points.mapper.ts, qdrant-filter.parser.ts, qdrant-query.service.ts).
 */

type Faults = string[];

/** A float as serde_json shows one in validator's words (`2.0`, not `2`). */
function floatShown(n: number): string {
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

/** An unsigned integer field (`u32`, `usize`) as serde reads it: a negative or fractional number is a 400. */
function unsignedField(value: unknown, at: string, type: 'u32' | 'usize' | 'u64' = 'usize'): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number') return undefined; // the parsers refuse other types in their words
  if (!Number.isInteger(value))
    throw QdrantHttpError.format(`${at}: invalid type: floating point \`${value}\`, expected ${type}`);
  if (value < 0) throw QdrantHttpError.format(`${at}: invalid value: integer \`${value}\`, expected ${type}`);
  return value;
}

/** `#[validate(range(min))]` on an unsigned integer field. */
function minInt(
  obj: JsonObject,
  field: string,
  min: number,
  at: string,
  faults: Faults,
  type: 'u32' | 'usize' | 'u64' = 'usize',
): void {
  const v = unsignedField(obj[field], `${at}${field}`, type);
  if (v !== undefined && v < min) faults.push(`${at}${field}: value ${v} invalid, must be ${min} or larger`);
}

/** `#[validate(range(min, max))]` on a float field. */
function floatRange(
  obj: JsonObject,
  field: string,
  min: number,
  max: number | undefined,
  at: string,
  faults: Faults,
): void {
  const v = obj[field];
  if (typeof v !== 'number') return;
  if (v < min || (max !== undefined && v > max)) {
    const bound =
      max === undefined
        ? `must be ${floatShown(min)} or larger`
        : `must be from ${floatShown(min)} to ${floatShown(max)}`;
    faults.push(`${at}${field}: value ${floatShown(v)} invalid, ${bound}`);
  }
}

/** HnswConfigDiff's rules. */
function hnswConfig(value: unknown, at: string, faults: Faults): void {
  if (!isObject(value)) return;
  minInt(value, 'ef_construct', 4, at, faults);
  minInt(value, 'full_scan_threshold', 10, at, faults);
}

/** OptimizersConfigDiff's rules. */
function optimizersConfig(value: unknown, at: string, faults: Faults): void {
  if (!isObject(value)) return;
  floatRange(value, 'deleted_threshold', 0, 1, at, faults);
  minInt(value, 'vacuum_min_vector_number', 100, at, faults);
  minInt(value, 'max_segment_size', 1, at, faults);
}

/** WalConfigDiff's rules. */
function walConfig(value: unknown, at: string, faults: Faults): void {
  if (!isObject(value)) return;
  minInt(value, 'wal_capacity_mb', 1, at, faults);
}

/** StrictModeConfig's rules on the settings vecgate applies. */
function strictModeConfig(value: unknown, at: string, faults: Faults): void {
  if (!isObject(value)) return;
  for (const field of ['max_query_limit', 'max_timeout', 'read_rate_limit', 'write_rate_limit'])
    minInt(value, field, 1, at, faults);
}

/** CreateCollection's rules (the vectors' own are checked where they are parsed). */
function createCollection(body: JsonObject, faults: Faults): void {
  for (const field of ['shard_number', 'replication_factor', 'write_consistency_factor'])
    minInt(body, field, 1, '', faults, 'u32');
  hnswConfig(body.hnsw_config, 'hnsw_config.', faults);
  walConfig(body.wal_config, 'wal_config.', faults);
  optimizersConfig(body.optimizers_config, 'optimizers_config.', faults);
  strictModeConfig(body.strict_mode_config, 'strict_mode_config.', faults);
}

/** UpdateCollection's rules. */
function updateCollection(body: JsonObject, faults: Faults): void {
  hnswConfig(body.hnsw_config, 'hnsw_config.', faults);
  optimizersConfig(body.optimizers_config, 'optimizers_config.', faults);
  strictModeConfig(body.strict_mode_config, 'strict_mode_config.', faults);
  if (isObject(body.params))
    for (const field of ['replication_factor', 'write_consistency_factor']) {
      const v = unsignedField(body.params[field], `params.${field}`, 'u32');
      // NonZeroU32: serde itself refuses 0.
      if (v === 0)
        throw QdrantHttpError.format(`params.${field}: invalid value: integer \`0\`, expected a nonzero u32`);
    }
}

/** A sparse vector's rules: values as many as indices, indices unique. */
function sparseVector(v: JsonObject, at: string, faults: Faults): void {
  if (!Array.isArray(v.indices) || !Array.isArray(v.values)) return;
  if (v.indices.length !== v.values.length)
    faults.push(`${at}.values: Validation error: must be the same length as indices [{}]`);
  if (new Set(v.indices).size !== v.indices.length) faults.push(`${at}.indices: Validation error: must be unique [{}]`);
}

const isSparse = (v: unknown): v is JsonObject => isObject(v) && 'indices' in v && 'values' in v;

/** A point's vectors (VectorStruct): each named sparse vector's rules (a map's key is shown as `?`). */
function vectorStruct(value: unknown, at: string, faults: Faults): void {
  if (!isObject(value) || isSparse(value)) return;
  for (const v of Object.values(value)) if (isSparse(v)) sparseVector(v, `${at}.?`, faults);
}

/** A batch's vectors (BatchVectorStruct): each named list's sparse vectors. */
function batchVectors(value: unknown, at: string, faults: Faults): void {
  if (!isObject(value)) return;
  for (const list of Object.values(value))
    if (Array.isArray(list)) list.forEach((v, i) => isSparse(v) && sparseVector(v, `${at}.?[${i}]`, faults));
}

/** PointInsertOperations: the list form's points and the batch form's vectors. */
function pointInsert(body: JsonObject, at: string, faults: Faults): void {
  if (Array.isArray(body.points))
    body.points.forEach((p, i) => {
      if (isObject(p)) vectorStruct(p.vector ?? p.vectors, `${at}points[${i}].vector`, faults);
    });
  if (isObject(body.batch)) batchVectors(body.batch.vectors, `${at}batch.vectors`, faults);
}

/** UpdateVectors: each point's vectors. */
function updateVectors(body: JsonObject, at: string, faults: Faults): void {
  if (Array.isArray(body.points))
    body.points.forEach((p, i) => {
      if (isObject(p)) vectorStruct(p.vector ?? p.vectors, `${at}points[${i}].vector`, faults);
    });
}

/** UpdateOperations: each operation's own rules. */
function updateOperations(body: JsonObject, faults: Faults): void {
  if (!Array.isArray(body.operations)) return;
  body.operations.forEach((op, i) => {
    if (!isObject(op)) return;
    if (isObject(op.upsert)) pointInsert(op.upsert, `operations[${i}].upsert.`, faults);
    if (isObject(op.update_vectors)) updateVectors(op.update_vectors, `operations[${i}].update_vectors.`, faults);
  });
}

/** SearchParams' rules. */
function searchParams(value: unknown, at: string, faults: Faults): void {
  if (!isObject(value)) return;
  minInt(value, 'hnsw_ef', 1, at, faults);
}

/** A Query API query's rules (QueryInterface): recommend needs an example, sparse vectors theirs. */
function queryInterface(value: unknown, at: string, faults: Faults): void {
  if (isSparse(value)) return sparseVector(value, at, faults);
  if (!isObject(value)) return;
  if (isObject(value.recommend)) {
    const r = value.recommend;
    const none = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.length === 0);
    if (none(r.positive) && none(r.negative))
      faults.push(
        `${at}.positives, negatives: Validation error: At least one positive or negative vector/id must be provided [{}]`,
      );
  }
  if (isSparse(value.nearest)) sparseVector(value.nearest, at, faults);
}

/** A Query API request (QueryRequestInternal, or a Prefetch), its prefetches within. */
function queryRequest(body: JsonObject, at: string, faults: Faults, depth = 0): void {
  searchParams(body.params, `${at}params.`, faults);
  if (body.query !== undefined && body.query !== null) queryInterface(body.query, `${at}query`, faults);
  // Prefetches nest (the query service bounds how deep); past a depth they are checked there.
  const prefetch = body.prefetch;
  const list = Array.isArray(prefetch) ? prefetch : isObject(prefetch) ? [prefetch] : [];
  if (depth < 8)
    list.forEach((p, i) => {
      if (isObject(p)) queryRequest(p, `${at}prefetch[${i}].`, faults, depth + 1);
    });
}

/** The body rules of each route, by Qdrant's endpoint (`PUT /collections/{collection_name}`). */
const BODY_RULES: Readonly<Record<string, (body: JsonObject, faults: Faults) => void>> = {
  'PUT /collections/{collection_name}': createCollection,
  'PATCH /collections/{collection_name}': updateCollection,
  'PUT /collections/{collection_name}/points': (b, f) => pointInsert(b, '', f),
  'PUT /collections/{collection_name}/points/vectors': (b, f) => updateVectors(b, '', f),
  'POST /collections/{collection_name}/points/batch': updateOperations,
  'POST /collections/{collection_name}/points/query': (b, f) => queryRequest(b, 'internal.', f),
  'POST /collections/{collection_name}/points/query/groups': (b, f) => queryRequest(b, 'search_group_request.', f),
  'POST /collections/{collection_name}/points/query/batch': (b, f) => {
    if (Array.isArray(b.searches))
      b.searches.forEach((s, i) => isObject(s) && queryRequest(s, `searches[${i}].internal.`, f));
  },
  'POST /collections/{collection_name}/points/search': (b, f) => searchParams(b.params, 'params.', f),
};

/** Qdrant's collection names in a path: 1 to 255 characters; a new one without a character no file name holds. */
const INVALID_NEW_NAME_CHARS = ['<', '>', ':', '"', '/', '\\', '|', '?', '*', '\0', '\x1f'];
const INVALID_NAME_CHARS = ['/', '\0'];

function collectionPath(name: string, creating: boolean): string | undefined {
  const length = [...name].length;
  if (length < 1 || length > 255)
    return `collection_name: value ${JSON.stringify(name)} invalid, must be from 1 to 255 characters`;
  const bad = (creating ? INVALID_NEW_NAME_CHARS : INVALID_NAME_CHARS).find((c) => name.includes(c));
  if (bad !== undefined) return `collection_name: collection name cannot contain ${JSON.stringify(bad)} char`;
  return undefined;
}

function refuse(part: string, faults: Faults): never {
  throw new QdrantHttpError(422, `Validation error in ${part}: [${faults.join('; ')}]`);
}

/** Checks a Qdrant request's path, body and query as Qdrant's extractors do, before its handler. */
export function checkQdrantRequest(
  method: string,
  endpoint: string,
  params: Record<string, unknown>,
  query: Record<string, unknown>,
  body: unknown,
): void {
  if (typeof params.name === 'string' && endpoint.startsWith('/collections/{collection_name}')) {
    const fault = collectionPath(params.name, method === 'PUT' && endpoint === '/collections/{collection_name}');
    if (fault) refuse('path parameters', [fault]);
  }
  const rule = BODY_RULES[`${method} ${endpoint}`];
  if (rule && isObject(body)) {
    const faults: Faults = [];
    rule(body, faults);
    if (faults.length > 0) refuse('JSON body', faults);
  }
  const timeout = query.timeout;
  if (typeof timeout === 'string') {
    if (!/^\d+$/.test(timeout))
      throw new QdrantHttpError(400, 'Deserialize error in query parameters: invalid digit found in string');
    if (Number(timeout) === 0) refuse('query parameters', ['timeout: value 0 invalid, must be 1 or larger']);
  }
}

/** Runs checkQdrantRequest on each request of a Qdrant route before its handler. */
@Injectable()
export class QdrantRequestChecks implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    const pattern = req.routeOptions?.url;
    if (pattern !== undefined)
      checkQdrantRequest(
        req.method,
        endpointOf(pattern),
        (req.params ?? {}) as Record<string, unknown>,
        (req.query ?? {}) as Record<string, unknown>,
        req.body,
      );
    return next.handle();
  }
}
