import type { Collection } from '../../core/collections/collection.model';
import { DimensionMismatchError } from '../../core/errors';
import { RawJson } from '../../common/raw-json';
import { DenseVector } from '../../core/records/dense-vector';
import type { RecordWrite, SparseText, StoredRecord } from '../../core/records/record.model';
import type { Scored } from '../../core/search/plan';
import { SPARSE_DIMENSIONS, sparseFromText, sparsevecText } from '../../core/records/sparse-vector';
import { pineconeExtras } from './index-spec';
import { PineconeDataError } from './pinecone-error';
import { isObject } from '../json-guards';

export const MAX_SPARSE_NONZERO = 2048;
export const MAX_METADATA_BYTES = 40 * 1024;
export const MAX_ID_CHARS = 512;

export interface WireSparse {
  indices: number[];
  values: number[];
}

export interface WireVector {
  id: string;
  values?: number[];
  sparseValues?: WireSparse;
  metadata?: Record<string, unknown>;
}

export function denseVector(values: unknown, what: string): DenseVector {
  if (!Array.isArray(values) || !values.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw PineconeDataError.invalid(`${what} must be an array of finite numbers`);
  }
  return DenseVector.fromNumbers(values);
}

/**
 * Pinecone refuses stored dense vectors of zeros (no direction: cosine is undefined for them).
 * Judged on the stored float32 values: 1e-50 is zero once rounded.
 */
export function checkNonZero(vector: DenseVector, id: string): void {
  if (vector.isZero())
    throw PineconeDataError.invalid(
      `Dense vectors must contain at least one non-zero value. Vector ID '${id}' contains only zeros`,
    );
}

/** A dense vector against the index's dimension, in Pinecone's words. */
export function checkDimension(collection: Collection, vector: DenseVector): void {
  if (collection.dimension !== null && vector.dimension !== collection.dimension) {
    throw new DimensionMismatchError(collection.dimension, vector.dimension);
  }
}

/** Pinecone's `{indices, values}` (0-based) as pgvector sparsevec text (1-based, sorted, unique). */
export function sparseText(sparse: unknown, what: string): SparseText {
  if (!isObject(sparse) || !Array.isArray(sparse.indices) || !Array.isArray(sparse.values)) {
    throw PineconeDataError.invalid(`${what} must be an object with indices and values arrays`);
  }
  const { indices, values } = sparse as { indices: unknown[]; values: unknown[] };
  if (indices.length !== values.length)
    throw PineconeDataError.invalid(`${what}: indices and values must have the same length`);
  if (indices.length === 0) throw PineconeDataError.invalid(`${what} must have at least one non-zero value`);
  if (indices.length > MAX_SPARSE_NONZERO)
    throw PineconeDataError.invalid(
      `${what} has ${indices.length} non-zero values, at most ${MAX_SPARSE_NONZERO} are allowed`,
    );
  const pairs = indices.map((index, k) => {
    const value = values[k];
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= SPARSE_DIMENSIONS) {
      throw PineconeDataError.invalid(
        `${what}: indices must be integers from 0 to ${SPARSE_DIMENSIONS - 1}, got ${JSON.stringify(index)}`,
      );
    }
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw PineconeDataError.invalid(`${what}: values must be finite numbers`);
    // Stored as float32: a value that rounds to zero there (1e-50) would be a zero pgvector refuses.
    if (value !== 0 && Math.fround(value) === 0)
      throw PineconeDataError.invalid(`${what}: ${value} is too small for a 32-bit float and would be stored as 0`);
    return [index, value] as const;
  });
  pairs.sort((a, b) => a[0] - b[0]);
  for (let k = 1; k < pairs.length; k++)
    if (pairs[k][0] === pairs[k - 1][0]) throw PineconeDataError.invalid(`${what}: index ${pairs[k][0]} appears twice`);
  return sparsevecText(
    pairs.map(([i]) => i),
    pairs.map(([, v]) => v),
  );
}

/** Pinecone metadata: strings, numbers, booleans and lists of strings; no nulls, no nesting, ≤ 40 KB. */
export function checkMetadata(metadata: unknown, what: string): Record<string, unknown> | undefined {
  if (metadata === undefined || metadata === null) return undefined;
  if (!isObject(metadata)) throw PineconeDataError.invalid(`${what} must be an object`);
  for (const [key, value] of Object.entries(metadata)) {
    const ok =
      typeof value === 'string' ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value)) ||
      (Array.isArray(value) && value.every((x) => typeof x === 'string'));
    if (!ok) {
      throw PineconeDataError.invalid(
        `${what}: the value of "${key}" must be a string, number, boolean or list of strings (null and nested objects are not supported)`,
      );
    }
  }
  const bytes = Buffer.byteLength(JSON.stringify(metadata), 'utf8');
  if (bytes > MAX_METADATA_BYTES)
    throw PineconeDataError.invalid(`${what} is ${bytes} bytes, at most ${MAX_METADATA_BYTES} are allowed per record`);
  return metadata;
}

export function checkId(id: unknown, what = 'id'): string {
  if (typeof id !== 'string' || id.length === 0) throw PineconeDataError.invalid(`${what} must be a non-empty string`);
  if (id.length > MAX_ID_CHARS)
    throw PineconeDataError.invalid(`${what} is ${id.length} characters long, at most ${MAX_ID_CHARS} are allowed`);
  return id;
}

/** An upserted vector as a whole-record write, checked against the index's kind. */
export function recordFromVector(collection: Collection, v: unknown, k: number): RecordWrite {
  if (!isObject(v)) throw PineconeDataError.invalid(`vectors[${k}] must be an object`);
  const record: RecordWrite = { id: checkId(v.id, `vectors[${k}].id`) };
  const sparseIndex = pineconeExtras(collection).vector_type === 'sparse';
  const hasValues = Array.isArray(v.values) && v.values.length > 0;
  if (sparseIndex) {
    if (hasValues) throw PineconeDataError.invalid(`vectors[${k}]: a sparse index takes sparseValues, not values`);
    if (v.sparseValues === undefined || v.sparseValues === null)
      throw PineconeDataError.invalid(`vectors[${k}]: sparseValues are required in a sparse index`);
  } else if (!hasValues) {
    throw PineconeDataError.invalid(`vectors[${k}]: values are required in a dense index`);
  }
  if (hasValues) {
    record.embedding = denseVector(v.values, `vectors[${k}].values`);
    checkDimension(collection, record.embedding);
    checkNonZero(record.embedding, record.id);
  }
  if (v.sparseValues !== undefined && v.sparseValues !== null) {
    if (!sparseIndex && collection.metric !== 'ip')
      throw PineconeDataError.invalid('Sparse values are supported only for indexes using the dotproduct metric');
    record.sparse = sparseText(v.sparseValues, `vectors[${k}].sparseValues`);
  }
  record.metadata = checkMetadata(v.metadata, `vectors[${k}].metadata`) ?? null;
  return record;
}

/** Pinecone's score from pgvector's operator value: cosine similarity, the dot product, the squared euclidean distance (L1 as it is). */
export function score(collection: Collection, raw: number): number {
  if (collection.metric === 'l2') return raw * raw;
  if (collection.metric === 'l1') return raw;
  if (collection.metric === 'ip') return -raw;
  return 1 - raw;
}

export function vectorToWire(r: StoredRecord, withValues = true, withMetadata = true): Record<string, unknown> {
  const wire: Record<string, unknown> = { id: r.id };
  if (withValues) wire.values = r.embedding ? new RawJson(r.embedding) : [];
  if (withValues && r.sparse) wire.sparseValues = sparseFromText(r.sparse);
  if (withMetadata && r.metadata) wire.metadata = r.metadata;
  return wire;
}

/**
 * Pinecone's score of a search plan's point. The plan scores l2 by the distance; Pinecone's
 * euclidean score is its square. Its other scores are Pinecone's already (cosine: 1 − distance,
 * dotproduct: the inner product).
 */
export function planScore(collection: Collection, p: Scored): number {
  return collection.metric === 'l2' ? p.score * p.score : p.score;
}

/** A point of a search plan in Pinecone's shape (a query's match). */
export function pointToWire(
  collection: Collection,
  p: Scored,
  includeValues: boolean,
  includeMetadata: boolean,
): Record<string, unknown> {
  const r = p.record ?? { id: p.id };
  const wire: Record<string, unknown> = {
    id: p.id,
    score: planScore(collection, p),
    values: includeValues && r.embedding ? new RawJson(r.embedding) : [],
  };
  if (includeValues && r.sparse) wire.sparseValues = sparseFromText(r.sparse);
  if (includeMetadata && r.metadata) wire.metadata = r.metadata;
  return wire;
}
