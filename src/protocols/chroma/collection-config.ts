import {
  DEFAULT_INDEX,
  type Collection,
  type IndexSettings,
  type Metric,
} from '../../core/collections/collection.model';
import { HNSW_LIMITS } from '../../core/collections/vector-index';
import { ChromaHttpError } from './chroma-error';
import { isObject, type JsonObject } from '../json-guards';

/**
 * Chroma's collection configuration (`configuration_json`) over the neutral catalog: the metric
 * and the HNSW settings pgvector uses (max_neighbors is m), plus the settings pgvector has no use
 * for, kept in `extras` so that they are echoed back as they were given.
 */
const HNSW_KEYS = [
  'space',
  'ef_construction',
  'ef_search',
  'max_neighbors',
  'num_threads',
  'resize_factor',
  'sync_threshold',
  'batch_size',
];
const MODIFIABLE_HNSW_KEYS = [
  'ef_search',
  'max_neighbors',
  'num_threads',
  'resize_factor',
  'sync_threshold',
  'batch_size',
];
const SPACES: Metric[] = ['l2', 'cosine', 'ip'];
const CHROMA_DEFAULTS = { resize_factor: 1.2, sync_threshold: 1000 };

interface ChromaExtras {
  [key: string]: unknown;
  hnsw?: Record<string, unknown> | null;
  spann?: Record<string, unknown> | null;
  embedding_function?: unknown;
}

/** A JSON object, or Chroma's 422 as serde words it. */
export function struct(path: string, value: unknown): JsonObject {
  if (!isObject(value)) throw ChromaHttpError.unprocessable(`${path}: invalid type: expected struct`);
  return value;
}

/** Serde's deny_unknown_fields: a key outside `allowed` is Chroma's 422. */
export function onlyFields(path: string, value: JsonObject, allowed: string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw ChromaHttpError.unprocessable(
        `${path}.${key}: unknown field \`${key}\`, expected one of ${allowed.map((k) => `\`${k}\``).join(', ')}`,
      );
    }
  }
}

function fields(path: string, value: unknown, allowed: string[]): JsonObject {
  const object = struct(path, value);
  onlyFields(path, object, allowed);
  return object;
}

export function space(path: string, value: unknown): Metric {
  if (!SPACES.includes(value as Metric)) {
    throw ChromaHttpError.unprocessable(
      `${path}: unknown variant \`${String(value)}\`, expected one of \`l2\`, \`cosine\`, \`ip\``,
    );
  }
  return value as Metric;
}

function integer(path: string, value: unknown, limits: { min: number; max: number }, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw ChromaHttpError.unprocessable(`${path}: invalid type: expected usize`);
  if (value < limits.min || value > limits.max) {
    throw ChromaHttpError.invalidArgument(
      `${name} must be between ${limits.min} and ${limits.max} (pgvector's HNSW limits), got ${value}`,
    );
  }
  return value;
}

function applyHnsw(path: string, hnsw: Record<string, unknown>, index: IndexSettings): IndexSettings {
  const next = { ...index };
  if (hnsw.ef_construction !== undefined)
    next.efConstruction = integer(
      `${path}.ef_construction`,
      hnsw.ef_construction,
      HNSW_LIMITS.efConstruction,
      'ef_construction',
    );
  if (hnsw.ef_search !== undefined) {
    next.efSearch = integer(`${path}.ef_search`, hnsw.ef_search, HNSW_LIMITS.efSearch, 'ef_search');
    // A client's own ef_search is used as given: the search tuner leaves the collection alone.
    next.efSearchPinned = true;
  }
  if (hnsw.max_neighbors !== undefined)
    next.m = integer(`${path}.max_neighbors`, hnsw.max_neighbors, HNSW_LIMITS.m, 'max_neighbors');
  // The client's own build settings: the index is built as asked and never rebuilt larger.
  if (hnsw.max_neighbors !== undefined || hnsw.ef_construction !== undefined) next.buildPinned = true;
  if (next.efConstruction < 2 * next.m) {
    throw ChromaHttpError.invalidArgument(
      `ef_construction (${next.efConstruction}) must be at least twice max_neighbors (${next.m}) for pgvector's HNSW index`,
    );
  }
  return next;
}

/** Reads `configuration` and legacy `hnsw:*` metadata of a create request. */
export function configFromCreate(
  configuration: unknown,
  metadata: Record<string, unknown> | null,
): { metric: Metric; index: IndexSettings; extras: ChromaExtras } {
  let metric: Metric = 'l2';
  let index: IndexSettings = { ...DEFAULT_INDEX };
  const extras: ChromaExtras = {};
  // Legacy metadata keys first; an explicit configuration wins over them.
  if (metadata) {
    if (metadata['hnsw:space'] !== undefined) metric = space('metadata.hnsw:space', metadata['hnsw:space']);
    const legacy: Record<string, unknown> = {};
    if (metadata['hnsw:construction_ef'] !== undefined) legacy.ef_construction = metadata['hnsw:construction_ef'];
    if (metadata['hnsw:search_ef'] !== undefined) legacy.ef_search = metadata['hnsw:search_ef'];
    if (metadata['hnsw:M'] !== undefined) legacy.max_neighbors = metadata['hnsw:M'];
    index = applyHnsw('metadata', legacy, index);
  }
  if (configuration !== undefined && configuration !== null) {
    const config = fields('configuration', configuration, ['hnsw', 'spann', 'embedding_function']);
    const hnsw = config.hnsw ?? null;
    const spann = config.spann ?? null;
    if (hnsw && spann) throw ChromaHttpError.invalidArgument('Multiple vector index configurations provided');
    if (hnsw) {
      const h = fields('configuration.hnsw', hnsw, HNSW_KEYS);
      if (h.space !== undefined) metric = space('configuration.hnsw.space', h.space);
      index = applyHnsw('configuration.hnsw', h, index);
      extras.hnsw = pick(h, ['num_threads', 'resize_factor', 'sync_threshold', 'batch_size']);
    }
    if (spann) {
      const s = fields('configuration.spann', spann, Object.keys(spann as object));
      if (s.space !== undefined) metric = space('configuration.spann.space', s.space);
      extras.spann = s;
    }
    if (config.embedding_function !== undefined) extras.embedding_function = config.embedding_function;
  }
  return { metric, index, extras };
}

/** An embedding function Chroma counts as no choice: none, unknown, or its default. */
export function isDefaultEmbeddingFunction(ef: unknown): boolean {
  if (ef === undefined || ef === null) return true;
  if (!isObject(ef)) return false;
  return ef.type === 'unknown' || (ef.type === 'known' && ef.name === 'default');
}

/**
 * Whether a create request's configuration (and legacy `hnsw:*` metadata) asks for nothing beyond
 * Chroma's defaults, as its InternalCollectionConfiguration::is_default decides: only then may a
 * schema that asks for something come with it.
 */
export function isDefaultConfiguration(config: {
  metric: Metric;
  index: IndexSettings;
  extras: ChromaExtras;
}): boolean {
  const { metric, index, extras } = config;
  if (metric !== 'l2' || index.m !== DEFAULT_INDEX.m || index.efConstruction !== DEFAULT_INDEX.efConstruction)
    return false;
  if (index.efSearch !== DEFAULT_INDEX.efSearch) return false;
  if (!isDefaultEmbeddingFunction(extras.embedding_function)) return false;
  const hnsw = extras.hnsw ?? {};
  const defaults: Record<string, unknown> = { ...CHROMA_DEFAULTS, batch_size: 100 };
  if (Object.entries(hnsw).some(([k, v]) => k in defaults && v !== defaults[k])) return false;
  return !extras.spann || Object.keys(extras.spann).length === 0;
}

/**
 * The collection's settings from the vector index config of a schema that asks for something:
 * the schema then decides the space, the HNSW settings and the embedding function.
 */
export function configFromSchema(vector: Record<string, unknown>): {
  metric: Metric;
  index: IndexSettings;
  extras: ChromaExtras;
} {
  const path = 'schema.keys.#embedding.float_list.vector_index.config';
  const metric = vector.space === undefined ? 'l2' : space(`${path}.space`, vector.space);
  const hnsw = (vector.hnsw ?? {}) as Record<string, unknown>;
  const index = applyHnsw(`${path}.hnsw`, pick(hnsw, ['ef_construction', 'ef_search', 'max_neighbors']), {
    ...DEFAULT_INDEX,
  });
  const extras: ChromaExtras = { hnsw: pick(hnsw, ['num_threads', 'resize_factor', 'sync_threshold', 'batch_size']) };
  if (vector.embedding_function !== undefined) extras.embedding_function = vector.embedding_function;
  return { metric, index, extras };
}

/** `new_configuration` of a modify request: only search-time and build settings, never the space. */
export function configChanges(
  newConfiguration: unknown,
  collection: Collection,
): { index: IndexSettings; extras: ChromaExtras } | undefined {
  if (newConfiguration === undefined || newConfiguration === null) return undefined;
  const config = fields('new_configuration', newConfiguration, ['hnsw', 'spann', 'embedding_function']);
  const extras: ChromaExtras = { ...(collection.extras as ChromaExtras) };
  let index = collection.index;
  if (config.hnsw) {
    const h = fields('new_configuration.hnsw', config.hnsw, MODIFIABLE_HNSW_KEYS);
    index = applyHnsw('new_configuration.hnsw', h, index);
    extras.hnsw = {
      ...(extras.hnsw ?? {}),
      ...pick(h, ['num_threads', 'resize_factor', 'sync_threshold', 'batch_size']),
    };
  }
  if (config.spann) extras.spann = { ...(extras.spann ?? {}), ...(config.spann as object) };
  if (config.embedding_function !== undefined) extras.embedding_function = config.embedding_function;
  return { index, extras };
}

/** The `configuration_json` Chroma returns for a collection. */
export function configurationJson(collection: Collection): Record<string, unknown> {
  const extras = collection.extras as ChromaExtras;
  const hnsw = extras.spann
    ? null
    : {
        space: collection.metric,
        ef_construction: collection.index.efConstruction,
        ef_search: collection.index.efSearch,
        max_neighbors: collection.index.m,
        ...CHROMA_DEFAULTS,
        ...(extras.hnsw ?? {}),
      };
  const spann = extras.spann ? { ...extras.spann, space: collection.metric } : null;
  return { hnsw, spann, embedding_function: extras.embedding_function ?? null };
}

function pick(source: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (source[k] !== undefined) out[k] = source[k];
  return out;
}
