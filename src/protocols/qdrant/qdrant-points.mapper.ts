import { RawJson } from '../../common/raw-json';
import type { Collection, VectorField } from '../../core/collections/collection.model';
import { MAX_TOKENS_PER_RECORD, MultiVector } from '../../core/records/multivector';
import { DenseVector } from '../../core/records/dense-vector';
import type { Include, SparseText, StoredRecord } from '../../core/records/record.model';
import {
  MAX_FLOAT32,
  MAX_SPARSE_NONZERO_STORED,
  sparseFromText,
  sparsevecText,
} from '../../core/records/sparse-vector';
import { nameMap } from '../../core/name-map';
import { isObject, type JsonObject } from '../json-guards';
import { onlyFields } from './body';
import { filterPayload, parseJsonPath, type JsonPath } from './payload-selector';
import { QdrantHttpError } from './qdrant-error';
import { FIELDS } from './qdrant-fields';
import { resolveVector, type QdrantLayout } from './qdrant-layout';
import { showId } from './point-ids';
import { inferenceKind } from './qdrant-inference';

/** The vectors of one point as a write carries them. */
export interface PointVectors {
  dense?: DenseVector;
  sparse?: SparseText;
  /** The collection's named vectors (after its first dense and first sparse ones), by name. */
  named?: Record<string, DenseVector | SparseText | MultiVector>;
}

function numbers(value: unknown, field: string): number[] {
  if (!Array.isArray(value) || value.length === 0)
    throw QdrantHttpError.format(`${field} must be a non-empty list of numbers`);
  for (let i = 0; i < value.length; i++)
    if (typeof value[i] !== 'number' || !Number.isFinite(value[i]))
      throw QdrantHttpError.format(`${field}[${i}] is not a finite number`);
  return value as number[];
}

/**
 * A dense vector for this collection: of its dimension, and for Cosine normalized to length 1 as
 * Qdrant stores it (so every protocol reads the vector Qdrant would return).
 */
export function denseFor(c: Pick<Collection, 'dimension' | 'metric'>, value: unknown, field: string): DenseVector {
  if (Array.isArray(value) && value.length > 0 && Array.isArray(value[0]))
    throw QdrantHttpError.wrongInput('Wrong usage of multi vectors');
  // Documents are embedded (QdrantDocuments) where Qdrant takes them; one left here is where it does not.
  const kind = inferenceKind(value);
  if (kind)
    throw QdrantHttpError.badRequest(
      `${field}: ${kind === 'Document' ? 'a Document' : `an ${kind}`} is not taken here; send a vector ` +
        '(the Query API, upserts and update_vectors take Documents)',
    );
  const values = numbers(value, field);
  if (c.dimension !== null && values.length !== c.dimension)
    throw QdrantHttpError.wrongInput(`Vector dimension error: expected dim: ${c.dimension}, got ${values.length}`);
  if (c.metric !== 'cosine') return DenseVector.fromNumbers(values);
  let norm = 0;
  for (const v of values) norm += v * v;
  norm = Math.sqrt(norm);
  if (norm === 0 || !Number.isFinite(norm))
    throw QdrantHttpError.wrongInput(`${field}: a zero vector has no direction to compare under Cosine distance`);
  return DenseVector.fromNumbers(values.map((v) => v / norm));
}

export function sparseFor(value: unknown, field: string): SparseText {
  if (!isObject(value)) throw QdrantHttpError.format(`${field} must be an object with indices and values`);
  onlyFields(value, FIELDS.SparseVector, field);
  const { indices, values } = value;
  if (!Array.isArray(indices) || !Array.isArray(values))
    throw QdrantHttpError.format(`${field}: indices and values must be lists of the same length`);
  // Qdrant's validator names an entry of a map of vectors `?` (points[0].vector.?.values).
  const at = field.replace(/(\.vectors?)\.[^.]+$/, '$1.?');
  if (indices.length !== values.length)
    throw QdrantHttpError.validation(`${at}.values`, 'Validation error: must be the same length as indices [{}]');
  if (indices.length > MAX_SPARSE_NONZERO_STORED)
    throw QdrantHttpError.badRequest(`${field}: at most ${MAX_SPARSE_NONZERO_STORED} non-zero values are stored`);
  const seen = new Set<number>();
  indices.forEach((i, k) => {
    if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i > 0xffffffff)
      throw QdrantHttpError.format(`${field}.indices[${k}] must be an unsigned 32-bit integer`);
    if (seen.has(i)) throw QdrantHttpError.validation(`${at}.indices`, 'Validation error: must be unique [{}]');
    seen.add(i);
    const v = values[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > MAX_FLOAT32)
      throw QdrantHttpError.format(`${field}.values[${k}] is not a finite number`);
  });
  const order = indices.map((_, k) => k).sort((a, b) => (indices[a] as number) - (indices[b] as number));
  return sparsevecText(
    order.map((k) => indices[k] as number),
    order.map((k) => values[k] as number),
  );
}

/**
 * A multivector for a collection's multivector field: a list of token vectors of its dimension
 * (one dense vector is a multivector of one token, as Qdrant takes it), each normalized for Cosine
 * as Qdrant stores it; for datatype uint8 each value cast to an integer 0 to 255 as Rust's `as u8`
 * does (toward zero, saturating), and not normalized.
 */
export function multiFor(
  f: Pick<VectorField, 'dimension' | 'metric' | 'name'>,
  layout: QdrantLayout,
  value: unknown,
  field: string,
  most = MAX_TOKENS_PER_RECORD,
  path = `${field}.data`,
): MultiVector {
  const kind = inferenceKind(value);
  if (kind)
    throw QdrantHttpError.badRequest(
      `${field}: ${kind === 'Document' ? 'a Document' : `an ${kind}`} is not taken here; send a multivector`,
    );
  if (!Array.isArray(value)) throw QdrantHttpError.format(`${field} must be a list of vectors`);
  // Qdrant's validation, in its words: `[]` is read as an empty dense vector.
  if (value.length === 0) throw QdrantHttpError.validation(field, 'dense vector must not be empty');
  const lists: unknown[] = Array.isArray(value[0]) ? value : [value];
  for (const t of lists)
    if (Array.isArray(t) && t.length === 0) throw QdrantHttpError.validation(path, 'all vectors must be non-empty');
  for (const t of lists)
    if (Array.isArray(t) && t.length !== (lists[0] as unknown[]).length)
      throw QdrantHttpError.validation(
        path,
        `all vectors must have the same dimension, found vector with dimension ${t.length}`,
      );
  if (lists.length > most)
    throw QdrantHttpError.badRequest(
      `${field} holds ${lists.length} vectors; vecgate takes at most ${most} in a multivector`,
    );
  const uint8 = layout.namedParams[f.name]?.datatype === 'uint8';
  const tokens = lists.map((t, i) => {
    const values = numbers(t, `${field}[${i}]`);
    if (values.length !== f.dimension)
      throw QdrantHttpError.wrongInput(`Vector dimension error: expected dim: ${f.dimension}, got ${values.length}`);
    if (uint8) return DenseVector.fromNumbers(values.map((v) => Math.min(255, Math.max(0, Math.trunc(v)))));
    return denseFor({ dimension: f.dimension, metric: f.metric }, values, `${field}[${i}]`);
  });
  try {
    return MultiVector.of(tokens, field, most);
  } catch (err) {
    throw QdrantHttpError.badRequest((err as Error).message);
  }
}

/** A point's `vector` (Qdrant's VectorStruct): a list for the unnamed vector, or vectors by name. */
export function pointVectors(c: Collection, layout: QdrantLayout, value: unknown, field: string): PointVectors {
  if (value === undefined || value === null) return {};
  if (Array.isArray(value)) {
    const unnamed = layout.dense === null ? c.vectors.find((f) => f.name === '' && f.multivector) : undefined;
    if (unnamed)
      return { named: nameMap([['', multiFor(unnamed, layout, value, field, undefined, `${field}.?.data`)]]) };
    if (layout.dense !== '') throw QdrantHttpError.wrongInput('Not existing vector name error: ');
    return { dense: denseFor(c, value, field) };
  }
  if (!isObject(value))
    throw QdrantHttpError.format(`${field} must be a list of numbers or an object of named vectors`);
  const out: PointVectors = {};
  for (const [name, v] of Object.entries(value)) {
    const ref = resolveVector(c, layout, name);
    if (!ref) throw QdrantHttpError.wrongInput(`Not existing vector name error: ${name}`);
    if (v === undefined || v === null) continue; // a batch's named list may leave a point out
    const at = `${field}.${name}`;
    if (!ref.field) {
      if (ref.kind === 'dense') out.dense = denseFor(c, v, at);
      else out.sparse = sparseFor(v, at);
      continue;
    }
    out.named ??= nameMap();
    out.named[name] = ref.field.multivector
      ? multiFor(ref.field, layout, v, at, undefined, `${field}.?.data`)
      : ref.kind === 'dense'
        ? denseFor(ref.field, v, at)
        : sparseFor(v, at);
  }
  return out;
}

export function payloadOf(value: unknown, field: string): Record<string, unknown> | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) throw QdrantHttpError.format(`${field} must be a JSON object`);
  return value;
}

/** Which payload a read returns: all, none, or keys to include or exclude. */
export type PayloadSelector = boolean | { include: JsonPath[] } | { exclude: JsonPath[] };

function keyPaths(keys: unknown, field: string): JsonPath[] {
  if (!Array.isArray(keys)) throw QdrantHttpError.format(`${field} must be a list of keys`);
  return keys.map((k, i) => parseJsonPath(k, `${field}[${i}]`));
}

export function payloadSelector(value: unknown, fallback: boolean): PayloadSelector {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'boolean') return value;
  if (Array.isArray(value)) return { include: keyPaths(value, 'with_payload') };
  if (isObject(value) && 'include' in value) {
    onlyFields(value, FIELDS.PayloadSelectorInclude, 'with_payload');
    return { include: keyPaths(value.include, 'with_payload.include') };
  }
  if (isObject(value) && 'exclude' in value) {
    onlyFields(value, FIELDS.PayloadSelectorExclude, 'with_payload');
    return { exclude: keyPaths(value.exclude, 'with_payload.exclude') };
  }
  throw QdrantHttpError.format('with_payload must be a boolean, a list of keys, or {include} / {exclude}');
}

/** Which vectors a read returns: all, none, or these names. */
export type VectorSelector = boolean | string[];

export function vectorSelector(value: unknown, fallback: boolean): VectorSelector {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'boolean') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  throw QdrantHttpError.format('with_vector must be a boolean or a list of vector names');
}

/** The columns a read needs for these selectors. */
export function includeFor(layout: QdrantLayout, payload: PayloadSelector, vector: VectorSelector): Include {
  // Named vectors are read all at once, and shownVectors keeps the ones selected.
  const wants = (name: string | null | undefined) =>
    name !== null && name !== undefined && (vector === true || (Array.isArray(vector) && vector.includes(name)));
  return {
    embeddings: wants(layout.dense),
    sparse: wants(layout.sparse?.name),
    vectors:
      vector === true || (Array.isArray(vector) && vector.some((n) => n !== layout.dense && n !== layout.sparse?.name)),
    metadatas: payload !== false,
    documents: false,
    uris: false,
  };
}

export function selectPayload(
  metadata: Record<string, unknown> | null | undefined,
  selector: PayloadSelector,
): Record<string, unknown> | undefined {
  if (selector === false) return undefined;
  const payload = metadata ?? {};
  if (selector === true) return payload;
  if ('include' in selector) return filterPayload(payload, selector.include, 'include');
  return filterPayload(payload, selector.exclude, 'exclude');
}

/** A stored record's vectors as Qdrant shows them: a bare list when the point holds only the unnamed one. */
export function shownVectors(r: StoredRecord, layout: QdrantLayout, selector: VectorSelector): unknown {
  if (selector === false) return undefined;
  // Qdrant reads a point's vectors by the names asked, and a name the collection lacks is its error.
  if (selector !== true)
    for (const name of selector)
      if (name !== layout.dense && name !== layout.sparse?.name && !Object.hasOwn(layout.positions, name))
        throw QdrantHttpError.wrongInput(`Not existing vector name error: ${name}`);
  const named = nameMap<unknown>();
  if (layout.dense !== null && r.embedding && (selector === true || selector.includes(layout.dense)))
    named[layout.dense] = new RawJson(r.embedding);
  if (layout.sparse && r.sparse && (selector === true || selector.includes(layout.sparse.name)))
    named[layout.sparse.name] = sparseFromText(r.sparse);
  for (const [name, text] of Object.entries(r.vectors ?? {}))
    if (selector === true || selector.includes(name))
      named[name] = text.startsWith('{') ? sparseFromText(text) : new RawJson(text);
  const names = Object.keys(named);
  return names.length === 1 && names[0] === '' ? named[''] : named;
}

/** A record as Qdrant's Record (retrieve, scroll). */
export function shownRecord(
  r: StoredRecord,
  layout: QdrantLayout,
  payload: PayloadSelector,
  vector: VectorSelector,
): JsonObject {
  const out: JsonObject = { id: showId(r.id) };
  const p = selectPayload(r.metadata, payload);
  if (p !== undefined) out.payload = p;
  const v = shownVectors(r, layout, vector);
  if (v !== undefined) out.vector = v;
  return out;
}
