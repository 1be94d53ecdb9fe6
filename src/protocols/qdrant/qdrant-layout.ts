import {
  DEFAULT_INDEX,
  type Collection,
  type IndexSettings,
  type Metric,
  type NewVectorField,
  type VectorField,
  type VectorStorage,
} from '../../core/collections/collection.model';
import { MAX_DIMENSION } from '../../core/collections/vector-index';
import type { TextField } from '../../core/text/text-field';
import { nameMap } from '../../core/name-map';
import { isObject, type JsonObject } from '../json-guards';
import { onlyFields, unaliased } from './body';
import { checkHnswConfig, checkQuantizationConfig, checkSparseParams } from './collection-config';
import { QdrantHttpError } from './qdrant-error';
import { FIELDS } from './qdrant-fields';

/**
 * How a Qdrant collection's vectors map onto a vecgate record: its first dense vector (unnamed,
 * `''`, or named) is the record's embedding, which Chroma and Pinecone see too; its first sparse
 * vector is the record's sparse vector. Further named vectors are the collection's named vectors
 * (Collection.vectors, a column and an HNSW index each). Kept in the collection's extras with the
 * settings vecgate accepts and shows back without acting on them (quantization, WAL, optimizers).
 */
export interface QdrantLayout {
  /** The dense vector's name (`''`: the unnamed default), or null for a collection without one. */
  dense: string | null;
  sparse: { name: string; modifier: 'idf' | 'none' } | null;
  /** The dense vector's own settings as sent (on_disk, datatype, hnsw_config), echoed. */
  vectorParams: JsonObject;
  sparseParams: JsonObject;
  /** Collection settings as sent, echoed in `config`. */
  settings: JsonObject;
  /** Payload indexes: key → field schema as sent. */
  payloadIndexes: Record<string, unknown>;
  /** The named vectors' own settings as sent (dense) and a sparse one's modifier, by name. */
  namedParams: Record<string, JsonObject>;
  /** The catalog positions of the named vectors, by name: read from the collection, never stored. */
  positions: Record<string, number>;
  /**
   * The keys with a text index, by their path as JSON (`["a","b"]` for `a.b`): the core's text
   * field (migrations/024) and whether phrases match. Read from the collection; storable() leaves
   * it out of what is stored.
   */
  textIndexes: Record<string, TextIndexRef>;
}

export interface TextIndexRef {
  field: TextField;
  phraseMatching: boolean;
}

/** The path of a payload index's key as textIndexes keys it (field names are checked when the index is made). */
export function textIndexKey(key: string | string[]): string {
  return JSON.stringify(Array.isArray(key) ? key : key.split('.'));
}

/** A layout as the collection's extras keep it: without what is read from the collection each time. */
export function storable(layout: QdrantLayout): Omit<QdrantLayout, 'textIndexes'> {
  const { textIndexes: _derived, ...kept } = layout;
  return kept;
}

/** Collections made through another protocol hold one unnamed dense vector. */
const DEFAULT_LAYOUT: QdrantLayout = {
  dense: '',
  sparse: null,
  vectorParams: {},
  sparseParams: {},
  settings: {},
  payloadIndexes: {},
  namedParams: {},
  positions: {},
  textIndexes: {},
};

export function layoutOf(c: Pick<Collection, 'extras' | 'vectors'> & { textFields?: TextField[] }): QdrantLayout {
  const stored = c.extras.qdrant;
  const layout = isObject(stored) ? { ...DEFAULT_LAYOUT, ...(stored as Partial<QdrantLayout>) } : DEFAULT_LAYOUT;
  const payloadIndexes = nameMap(Object.entries(layout.payloadIndexes ?? {}));
  // Keyed by names a client chose: without a prototype, so that `constructor` is only ever a vector's.
  return {
    ...layout,
    namedParams: nameMap(Object.entries(layout.namedParams ?? {})),
    payloadIndexes,
    positions: nameMap(c.vectors.map((f) => [f.name, f.position] as const)),
    textIndexes: textIndexesOf(payloadIndexes, c.textFields ?? []),
  };
}

/**
 * The text indexes of a layout's payload indexes that the core has a field for. A text index made
 * before vecgate had text fields has none, and its key keeps substring matching.
 */
function textIndexesOf(payloadIndexes: Record<string, unknown>, fields: TextField[]): Record<string, TextIndexRef> {
  const found = nameMap<TextIndexRef>();
  for (const [name, schema] of Object.entries(payloadIndexes)) {
    const isText = schema === 'text' || (isObject(schema) && schema.type === 'text');
    const key = textIndexKey(name);
    const field = isText && fields.find((f) => JSON.stringify(f.path) === key);
    if (field) found[key] = { field, phraseMatching: isObject(schema) && schema.phrase_matching === true };
  }
  return found;
}

const DISTANCES: Readonly<Record<string, Metric>> = { Cosine: 'cosine', Euclid: 'l2', Dot: 'ip', Manhattan: 'l1' };
export const DISTANCE_NAME: Readonly<Record<Metric, string>> = {
  cosine: 'Cosine',
  l2: 'Euclid',
  ip: 'Dot',
  l1: 'Manhattan',
};

/** The characters Qdrant refuses in a name, as a file name could not hold them. */
const INVALID_NAME_CHARS = ['<', '>', ':', '"', '/', '\\', '|', '?', '*', '\0', '\x1f'];

/**
 * Qdrant's collection names: 1 to 255 characters, none of which a file name could not hold (its
 * INVALID_NAME_CHARS). An alias is checked as a collection name, since either may name a collection.
 */
export function checkCollectionName(name: string, what = 'collection name'): void {
  if (name.length < 1 || name.length > 255 || INVALID_NAME_CHARS.some((c) => name.includes(c)))
    throw QdrantHttpError.format(
      `${what} ${JSON.stringify(name)} must be 1 to 255 characters without < > : " / \\ | ? * NUL or U+001F`,
    );
}

export interface ParsedVectors {
  dense: string | null;
  dimension: number | null;
  metric: Metric;
  params: JsonObject;
  /** The dense vectors after the first plain one, and every multivector (an unnamed one is named `''`), by name. */
  named: { name: string; dimension: number; metric: Metric; params: JsonObject; multivector: boolean }[];
}

/**
 * Qdrant's vector datatypes; uint8 is stored at half precision, which holds 0 to 255 exactly, and
 * turbo4 (Qdrant's 4-bit quantized storage) at full precision: it is kept and shown back.
 */
const DATATYPES = ['float32', 'float16', 'uint8', 'turbo4'];

/** How a multivector of these params is stored: its values at half precision for float16 and uint8. */
export function storageOf(params: JsonObject): VectorStorage {
  return params.datatype === 'float16' || params.datatype === 'uint8' ? 'float16' : 'float32';
}

/** Qdrant's bound on a dense vector's size, validated (its 422) before vecgate's own (pgvector's). */
export const QDRANT_MAX_SIZE = 65536;

export function checkSizeRange(size: number, field: string): void {
  if (size < 1 || size > QDRANT_MAX_SIZE)
    throw QdrantHttpError.validation(field, `value ${size} invalid, must be from 1 to ${QDRANT_MAX_SIZE}`);
}

export function vectorParams(
  sent: unknown,
  field: string,
): { dimension: number; metric: Metric; params: JsonObject; multivector: boolean } {
  if (!isObject(sent)) throw QdrantHttpError.format(`${field} must be an object with size and distance`);
  const v = unaliased(sent, 'quantization_config', 'quantization');
  onlyFields(v, FIELDS.VectorParams, field);
  checkHnswConfig(v.hnsw_config, `${field}.hnsw_config`);
  checkQuantizationConfig(v.quantization_config, `${field}.quantization_config`);
  const { size, distance, multivector_config: multivector, ...params } = v;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1)
    throw QdrantHttpError.format(`${field}.size must be a positive integer`);
  checkSizeRange(size, `${field}.size`);
  if (size > MAX_DIMENSION)
    throw QdrantHttpError.badRequest(`${field}.size ${size} is past the ${MAX_DIMENSION} dimensions pgvector stores`);
  const metric = typeof distance === 'string' && Object.hasOwn(DISTANCES, distance) ? DISTANCES[distance] : undefined;
  if (!metric)
    throw QdrantHttpError.format(
      `${field}.distance: unknown variant ${JSON.stringify(distance)}, expected one of Cosine, Euclid, Dot, Manhattan`,
    );
  if (params.datatype !== undefined && params.datatype !== null && !DATATYPES.includes(params.datatype as string))
    throw QdrantHttpError.format(
      `${field}.datatype: unknown variant ${JSON.stringify(params.datatype)}, expected one of ${DATATYPES.join(', ')}`,
    );
  if (multivector === undefined || multivector === null) return { dimension: size, metric, params, multivector: false };
  if (!isObject(multivector)) throw QdrantHttpError.format(`${field}.multivector_config must be an object`);
  onlyFields(multivector, ['comparator'], `${field}.multivector_config`);
  if (multivector.comparator !== 'max_sim')
    throw QdrantHttpError.format(
      `${field}.multivector_config.comparator: unknown variant ${JSON.stringify(multivector.comparator)}, expected \`max_sim\``,
    );
  // Echoed with the vector's params, as Qdrant shows them back.
  return {
    dimension: size,
    metric,
    params: { ...params, multivector_config: { comparator: 'max_sim' } },
    multivector: true,
  };
}

/** How many vectors, dense and sparse, one collection may name (each is a column of its record table). */
export const MAX_NAMED_VECTORS = 16;

/** A create request's `vectors`: none, one unnamed, or named ones (the first is the record's embedding). */
export function parseVectorsConfig(vectors: unknown): ParsedVectors {
  if (vectors === undefined || vectors === null || (isObject(vectors) && Object.keys(vectors).length === 0))
    return { dense: null, dimension: null, metric: 'cosine', params: {}, named: [] };
  if (isObject(vectors) && 'size' in vectors) {
    const one = vectorParams(vectors, 'vectors');
    // An unnamed multivector is a named one of name '': the records' embedding stays a plain vector.
    if (one.multivector)
      return { dense: null, dimension: null, metric: 'cosine', params: {}, named: [{ name: '', ...one }] };
    return { dense: '', ...one, named: [] };
  }
  if (!isObject(vectors)) throw QdrantHttpError.format('vectors must be an object');
  const names = Object.keys(vectors);
  if (names.length > MAX_NAMED_VECTORS)
    throw QdrantHttpError.badRequest(
      `a collection may name at most ${MAX_NAMED_VECTORS} vectors; this one names ${names.length}`,
    );
  const parsed = names.map((name) => ({ name, ...vectorParams(vectors[name], `vectors.${name}`) }));
  // The first plain dense vector is the records' embedding; multivectors are named vectors of their own.
  const first = parsed.find((v) => !v.multivector);
  const named = parsed.filter((v) => v !== first);
  if (!first) return { dense: null, dimension: null, metric: 'cosine', params: {}, named };
  return { dense: first.name, dimension: first.dimension, metric: first.metric, params: first.params, named };
}

export interface ParsedSparse {
  sparse: QdrantLayout['sparse'];
  params: JsonObject;
  /** The sparse vectors after the first. */
  named: { name: string; modifier: 'idf' | 'none'; params: JsonObject }[];
}

export function parseSparseConfig(sparse: unknown): ParsedSparse {
  if (sparse === undefined || sparse === null) return { sparse: null, params: {}, named: [] };
  if (!isObject(sparse)) throw QdrantHttpError.format('sparse_vectors must be an object of named sparse vectors');
  const names = Object.keys(sparse);
  if (names.length === 0) return { sparse: null, params: {}, named: [] };
  if (names.length > MAX_NAMED_VECTORS)
    throw QdrantHttpError.badRequest(`a collection may name at most ${MAX_NAMED_VECTORS} sparse vectors`);
  const parsed = names.map((name) => {
    const params = sparse[name] ?? {};
    if (!isObject(params)) throw QdrantHttpError.format(`sparse_vectors.${name} must be an object`);
    checkSparseParams(params, `sparse_vectors.${name}`);
    const modifier = params.modifier ?? 'none';
    if (modifier !== 'idf' && modifier !== 'none')
      throw QdrantHttpError.format(`sparse_vectors.${name}.modifier: unknown variant ${JSON.stringify(modifier)}`);
    return { name, modifier: modifier as 'idf' | 'none', params };
  });
  const [first, ...rest] = parsed;
  return { sparse: { name: first.name, modifier: first.modifier }, params: first.params, named: rest };
}

/**
 * The named vectors of a new collection (the vectors after the first dense and the first sparse),
 * each with its HNSW settings: its own hnsw_config over the collection's.
 */
export function namedFields(
  vectors: ParsedVectors,
  sparse: ParsedSparse,
  index: (hnsw: unknown) => IndexSettings,
): NewVectorField[] {
  const dense = new Set([vectors.dense, ...vectors.named.map((v) => v.name)]);
  const sparseNames = [sparse.sparse?.name, ...sparse.named.map((v) => v.name)];
  if (sparseNames.includes('')) throw QdrantHttpError.wrongInput('Sparse vector name cannot be empty');
  for (const s of sparseNames)
    if (s !== undefined && dense.has(s))
      throw QdrantHttpError.wrongInput(`Dense and sparse vector names must be unique - duplicate found with '${s}'`);
  if (vectors.named.length + sparse.named.length + 2 > MAX_NAMED_VECTORS)
    throw QdrantHttpError.badRequest(`a collection may name at most ${MAX_NAMED_VECTORS} vectors, dense and sparse`);
  return [
    ...vectors.named.map((v) => ({
      name: v.name,
      kind: 'dense' as const,
      dimension: v.dimension,
      metric: v.metric,
      index: index(v.params.hnsw_config),
      ...(v.multivector ? { multivector: true, storage: storageOf(v.params) } : {}),
    })),
    ...sparse.named.map((v) => ({
      name: v.name,
      kind: 'sparse' as const,
      dimension: null,
      metric: 'ip' as const,
      index: index(undefined),
    })),
  ];
}

/** The echoed settings of the named vectors of a new collection. */
export function namedParamsOf(vectors: ParsedVectors, sparse: ParsedSparse): Record<string, JsonObject> {
  return nameMap<JsonObject>([
    ...vectors.named.map((v) => [v.name, v.params] as const),
    ...sparse.named.map(
      (v) => [v.name, { ...v.params, ...(v.modifier === 'idf' ? { modifier: 'idf' } : {}) }] as const,
    ),
  ]);
}

/**
 * What a vector name means in a collection: its default dense or sparse vector (no field), or one
 * of its named vectors. Null for a name it does not have.
 */
export type VectorRef = { kind: 'dense' | 'sparse'; field?: VectorField };

export function resolveVector(c: Collection, layout: QdrantLayout, name: string): VectorRef | null {
  if (layout.dense !== null && name === layout.dense) return { kind: 'dense' };
  if (layout.sparse && name === layout.sparse.name) return { kind: 'sparse' };
  const field = c.vectors.find((f) => f.name === name);
  return field ? { kind: field.kind, field } : null;
}

const HNSW_DEFAULTS = { full_scan_threshold: 10000, max_indexing_threads: 0, on_disk: false };
const OPTIMIZER_DEFAULTS = {
  deleted_threshold: 0.2,
  vacuum_min_vector_number: 1000,
  default_segment_number: 0,
  max_segment_size: null,
  memmap_threshold: null,
  indexing_threshold: 10000,
  flush_interval_sec: 5,
  max_optimization_threads: null,
};
const WAL_DEFAULTS = { wal_capacity_mb: 32, wal_segments_ahead: 0 };

/** What a collection's config is shown from (a collection, or the settings a snapshot was taken with). */
export type ShownCollection = Pick<Collection, 'dimension' | 'metric' | 'index' | 'vectors'>;

/** The `config.params.vectors` of a collection, as Qdrant shows it. */
export function vectorsShown(c: ShownCollection, layout: QdrantLayout): JsonObject {
  const unnamed = c.vectors.find((f) => f.name === '' && f.multivector);
  if (unnamed)
    return { size: unnamed.dimension, distance: DISTANCE_NAME[unnamed.metric], ...(layout.namedParams[''] ?? {}) };
  const shown = nameMap<unknown>();
  if (layout.dense !== null) {
    const params = { size: c.dimension ?? 0, distance: DISTANCE_NAME[c.metric], ...layout.vectorParams };
    if (layout.dense === '') return params;
    shown[layout.dense] = params;
  }
  for (const f of c.vectors)
    if (f.kind === 'dense')
      shown[f.name] = { size: f.dimension, distance: DISTANCE_NAME[f.metric], ...(layout.namedParams[f.name] ?? {}) };
  return shown;
}

/** The whole `config` of a collection info. */
export function configShown(c: ShownCollection, layout: QdrantLayout): JsonObject {
  const s = layout.settings;
  const params: JsonObject = {
    vectors: vectorsShown(c, layout),
    shard_number: 1,
    replication_factor: 1,
    write_consistency_factor: 1,
    on_disk_payload: typeof s.on_disk_payload === 'boolean' ? s.on_disk_payload : true,
  };
  const sparse = nameMap<unknown>();
  if (layout.sparse)
    sparse[layout.sparse.name] = {
      ...layout.sparseParams,
      ...(layout.sparse.modifier === 'idf' ? { modifier: 'idf' } : {}),
    };
  for (const f of c.vectors) if (f.kind === 'sparse') sparse[f.name] = layout.namedParams[f.name] ?? {};
  if (Object.keys(sparse).length > 0) params.sparse_vectors = sparse;
  const collectionHnsw = isObject(s.hnsw_config) ? s.hnsw_config : {};
  // The collection's index is its first dense vector's, built with that vector's own settings
  // over the collection's: where the vector has its own, the collection's are shown as set.
  const own = layout.dense !== null && isObject(layout.vectorParams.hnsw_config) ? layout.vectorParams.hnsw_config : {};
  const shownSetting = (field: 'm' | 'ef_construct', built: number, fallback: number) =>
    own[field] === undefined || own[field] === null ? built : (collectionHnsw[field] ?? fallback);
  return {
    params,
    hnsw_config: {
      ...HNSW_DEFAULTS,
      ...collectionHnsw,
      m: shownSetting('m', c.index.m, DEFAULT_INDEX.m),
      ef_construct: shownSetting('ef_construct', c.index.efConstruction, DEFAULT_INDEX.efConstruction),
    },
    optimizer_config: { ...OPTIMIZER_DEFAULTS, ...(isObject(s.optimizers_config) ? s.optimizers_config : {}) },
    wal_config: { ...WAL_DEFAULTS, ...(isObject(s.wal_config) ? s.wal_config : {}) },
    quantization_config: s.quantization_config ?? null,
    strict_mode_config: isObject(s.strict_mode_config) ? s.strict_mode_config : { enabled: false },
    ...(isObject(s.metadata) ? { metadata: s.metadata } : {}),
  };
}

/**
 * Qdrant's warnings about a collection's config (its CollectionConfig::get_warnings): a vector
 * whose `hnsw_config.inline_storage` (its own over the collection's) cannot be applied, being a
 * multivector or without quantization (its own or the collection's). In name order, as Qdrant's.
 */
export function warningsOf(c: ShownCollection, layout: QdrantLayout): { message: string }[] {
  const s = layout.settings;
  const collectionHnsw = isObject(s.hnsw_config) ? s.hnsw_config : {};
  const dense: [string, JsonObject][] = [];
  if (layout.dense !== null) dense.push([layout.dense, layout.vectorParams]);
  for (const f of c.vectors) if (f.kind === 'dense') dense.push([f.name, layout.namedParams[f.name] ?? {}]);
  const warnings: { message: string }[] = [];
  for (const [name, params] of dense.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const own = isObject(params.hnsw_config) ? params.hnsw_config : {};
    const inline = own.inline_storage ?? collectionHnsw.inline_storage;
    if (inline !== true) continue;
    const option = `The \`hnsw_config.inline_storage\` option for vector '${name}'`;
    if (isObject(params.multivector_config))
      warnings.push({
        message: `${option} is not compatible with multivectors. This option will be ignored.`,
      });
    else if (!isQuantized(params.quantization_config) && !isQuantized(s.quantization_config))
      warnings.push({ message: `${option} requires quantization to be enabled. This option will be ignored.` });
  }
  return warnings;
}

function isQuantized(config: unknown): boolean {
  return isObject(config);
}

/**
 * A vector's params after an update's diff (Qdrant's update_vectors_from_diff): `hnsw_config`
 * merged field by field, `quantization_config` replaced (`"Disabled"` removes it), `on_disk` and
 * `memory` replaced.
 */
export function vectorParamsAfter(params: JsonObject, diff: JsonObject): JsonObject {
  const next: JsonObject = { ...params };
  if (isObject(diff.hnsw_config))
    next.hnsw_config = { ...(isObject(params.hnsw_config) ? params.hnsw_config : {}), ...diff.hnsw_config };
  if (diff.quantization_config === 'Disabled') delete next.quantization_config;
  else if (diff.quantization_config !== undefined && diff.quantization_config !== null)
    next.quantization_config = diff.quantization_config;
  for (const key of ['on_disk', 'memory']) if (diff[key] !== undefined && diff[key] !== null) next[key] = diff[key];
  return next;
}

/** The settings of a create or update request kept to be shown back. */
export function settingsOf(body: JsonObject, before: JsonObject = {}): JsonObject {
  const kept: JsonObject = { ...before };
  for (const key of ['hnsw_config', 'optimizers_config', 'wal_config', 'quantization_config', 'strict_mode_config']) {
    const value = body[key];
    // None leaves a setting as it was, in a create as in an update.
    if (value === undefined || value === null) continue;
    if (!isObject(value) && key !== 'quantization_config') throw QdrantHttpError.format(`${key} must be an object`);
    if (key === 'quantization_config') {
      // Replaced whole (another kind of quantization is another config); "Disabled" removes it.
      kept[key] = value === 'Disabled' ? null : value;
      continue;
    }
    // A null in strict mode's update leaves that setting as it was (Qdrant's diff cannot unset one).
    const diff =
      key === 'strict_mode_config' && isObject(value)
        ? Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null))
        : value;
    kept[key] = isObject(diff) && isObject(before[key]) ? { ...(before[key] as JsonObject), ...diff } : diff;
  }
  if (body.metadata !== undefined && body.metadata !== null) {
    if (!isObject(body.metadata)) throw QdrantHttpError.format('metadata must be a JSON object');
    // Qdrant's update_metadata: merged into what is held (a null removes that key), else taken whole.
    const held = before.metadata;
    if (isObject(held)) {
      const merged = nameMap<unknown>(Object.entries(held));
      for (const [k, v] of Object.entries(body.metadata))
        if (v === null) delete merged[k];
        else merged[k] = v;
      kept.metadata = merged;
    } else kept.metadata = body.metadata;
  }
  if (body.on_disk_payload !== undefined) {
    if (typeof body.on_disk_payload !== 'boolean') throw QdrantHttpError.format('on_disk_payload must be a boolean');
    kept.on_disk_payload = body.on_disk_payload;
  }
  return kept;
}
