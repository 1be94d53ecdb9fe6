import { availableParallelism } from 'node:os';
import type { Collection, RecordIndexes } from '../../core/collections/collection.model';
import { ChromaHttpError } from './chroma-error';
import { isDefaultEmbeddingFunction, onlyFields, space, struct } from './collection-config';
import { isObject } from '../json-guards';

/**
 * Chroma's collection schema (Chroma 1.2+, the 3.x clients' `Schema`): per value type and per
 * metadata key, which indexes exist. The rules are Chroma's (rust/types collection_schema.rs and
 * validators.rs); what they change in the store is the core's (RecordIndexes). A schema is stored
 * as reconciled at create; the vector index's settings in it are always read from the collection,
 * so that a later modify shows.
 */
export const DOCUMENT_KEY = '#document';
export const EMBEDDING_KEY = '#embedding';

type Json = Record<string, unknown>;
/** The most keys a schema may name. */
export const MAX_SCHEMA_KEYS = 1000;
interface IndexType {
  enabled: boolean;
  config: Json;
}
type ValueTypes = Record<string, Record<string, IndexType>>;
export interface WireSchema {
  defaults: ValueTypes;
  keys: Record<string, ValueTypes>;
  cmek?: unknown;
}

/** Each value type and the indexes it can have, in the order Chroma writes them. */
const INDEXES: Record<string, string[]> = {
  string: ['fts_index', 'string_inverted_index'],
  float_list: ['vector_index'],
  sparse_vector: ['sparse_vector_index'],
  int: ['int_inverted_index'],
  float: ['float_inverted_index'],
  bool: ['bool_inverted_index'],
};
const HNSW_FIELDS = [
  'ef_construction',
  'max_neighbors',
  'ef_search',
  'num_threads',
  'batch_size',
  'sync_threshold',
  'resize_factor',
];
const VECTOR_FIELDS = ['space', 'embedding_function', 'source_key', 'hnsw', 'spann'];
const SPARSE_FIELDS = ['embedding_function', 'source_key', 'bm25', 'algorithm'];
const FTS_FIELDS = ['algorithm'];
const HNSW_DEFAULTS: Json = {
  ef_construction: 100,
  max_neighbors: 16,
  ef_search: 100,
  batch_size: 100,
  sync_threshold: 1000,
  resize_factor: 1.2,
};

/**
 * `map[key]` when the map has it as its own key: metadata keys such as `constructor` or `toString`
 * name what every object inherits, which a plain `map[key]` would find in a map without them.
 */
function own<T>(map: Record<string, T> | undefined, key: string): T | undefined {
  return map !== undefined && Object.hasOwn(map, key) ? map[key] : undefined;
}

/** `map[key] = value` as an own property: assigning `__proto__` would set the map's prototype instead. */
function setOwn<T>(map: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
}

/** One `{enabled, config}`: both required, and the config takes only its index's fields. */
function parseIndex(path: string, name: string, raw: unknown): IndexType {
  const entry = struct(path, raw);
  if (typeof entry.enabled !== 'boolean') {
    throw ChromaHttpError.unprocessable(
      entry.enabled === undefined
        ? `${path}: missing field \`enabled\``
        : `${path}.enabled: invalid type: expected a boolean`,
    );
  }
  if (entry.config === undefined) throw ChromaHttpError.unprocessable(`${path}: missing field \`config\``);
  const config = struct(`${path}.config`, entry.config);
  const allowed =
    name === 'vector_index'
      ? VECTOR_FIELDS
      : name === 'sparse_vector_index'
        ? SPARSE_FIELDS
        : name === 'fts_index'
          ? FTS_FIELDS
          : [];
  onlyFields(`${path}.config`, config, allowed);
  for (const block of ['hnsw', 'spann']) {
    if (config[block] !== undefined && config[block] !== null) struct(`${path}.config.${block}`, config[block]);
  }
  if (isObject(config.hnsw)) onlyFields(`${path}.config.hnsw`, config.hnsw, HNSW_FIELDS);
  if (config.space !== undefined) space(`${path}.config.space`, config.space);
  return { enabled: entry.enabled, config: { ...config } };
}

/** Value types Chroma does not know are ignored, as its deserializer does; known ones are checked. */
function parseValueTypes(path: string, raw: unknown): ValueTypes {
  const out: ValueTypes = {};
  for (const [type, indexes] of Object.entries(struct(path, raw))) {
    const names = own(INDEXES, type);
    if (!names || indexes === null) continue;
    out[type] = {};
    for (const [name, index] of Object.entries(struct(`${path}.${type}`, indexes))) {
      if (!names.includes(name) || index === null) continue;
      out[type][name] = parseIndex(`${path}.${type}.${name}`, name, index);
    }
  }
  return out;
}

/** The request's `schema`, checked for shape (a 422 as Chroma's JSON extractor gives). */
export function parseSchema(raw: unknown): WireSchema | null {
  if (raw === undefined || raw === null) return null;
  const body = struct('schema', raw);
  if (body.defaults === undefined) throw ChromaHttpError.unprocessable('schema: missing field `defaults`');
  const keysRaw = body.keys ?? body.key_overrides;
  if (keysRaw === undefined) throw ChromaHttpError.unprocessable('schema: missing field `keys`');
  const keys: Record<string, ValueTypes> = {};
  const entries = Object.entries(struct('schema.keys', keysRaw));
  // Every collection answer carries the schema: a bound on it bounds them (Chroma sets none).
  if (entries.length > MAX_SCHEMA_KEYS)
    throw ChromaHttpError.invalidArgument(
      `Validation error: schema: at most ${MAX_SCHEMA_KEYS} keys, got ${entries.length}`,
    );
  for (const [key, value] of entries) setOwn(keys, key, parseValueTypes(`schema.keys.${key}`, value));
  const schema: WireSchema = { defaults: parseValueTypes('schema.defaults', body.defaults), keys };
  if (body.cmek !== undefined && body.cmek !== null) schema.cmek = body.cmek;
  return schema;
}

function invalid(message: string): ChromaHttpError {
  return ChromaHttpError.invalidArgument(`Validation error: schema: ${message}`);
}

/** Chroma's checks of a schema, in its order and words. */
export function validateSchema(schema: WireSchema): void {
  const d = schema.defaults;
  if (d.float_list?.vector_index?.enabled)
    throw invalid('Vector index cannot be enabled by default. It can only be enabled on #embedding field.');
  const defaultVector = d.float_list?.vector_index?.config;
  if (defaultVector?.hnsw && defaultVector?.spann)
    throw invalid('Both spann and hnsw config cannot be present at the same time.');
  if (d.sparse_vector?.sparse_vector_index?.enabled)
    throw invalid(
      'Sparse vector index cannot be enabled by default. Please enable sparse vector index on specific keys.',
    );
  if (d.string?.fts_index?.enabled)
    throw invalid(
      'Full text search / regular expression index cannot be enabled by default. It can only be enabled on #document field.',
    );
  for (const [key, types] of Object.entries(schema.keys)) {
    if (key.startsWith('#') && key !== DOCUMENT_KEY && key !== EMBEDDING_KEY)
      throw invalid(`key cannot begin with '#'. Keys starting with '#' are reserved for system use: ${key}`);
    if (key === DOCUMENT_KEY && Object.keys(types).some((t) => t !== 'string'))
      throw invalid(`Document field cannot have any value types other than string: ${key}`);
    if (key === EMBEDDING_KEY && Object.keys(types).some((t) => t !== 'float_list'))
      throw invalid(`Embedding field cannot have any value types other than float_list: ${key}`);
    const vector = types.float_list?.vector_index;
    if (vector?.enabled && key !== EMBEDDING_KEY)
      throw invalid(`Vector index can only be enabled on #embedding field: ${key}`);
    if (
      vector &&
      vector.config.source_key !== undefined &&
      vector.config.source_key !== null &&
      vector.config.source_key !== DOCUMENT_KEY
    )
      throw invalid('Vector index can only source from #document');
    const sparse = types.sparse_vector?.sparse_vector_index;
    if (sparse?.enabled) {
      const source = sparse.config.source_key;
      if (source !== undefined && source !== null && (sparse.config.embedding_function ?? null) === null)
        throw invalid(
          'If source_key is provided then embedding_function must also be provided since there is no default embedding function.',
        );
      if (typeof source === 'string' && source.startsWith('#') && source !== DOCUMENT_KEY)
        throw invalid(
          "source_key cannot begin with '#'. The only valid key starting with '#' is Key.DOCUMENT or '#document'.",
        );
    }
    if (types.string?.fts_index?.enabled && key !== DOCUMENT_KEY)
      throw invalid(`Full text search / regular expression index can only be enabled on #document field: ${key}`);
    if (key === DOCUMENT_KEY && types.string?.string_inverted_index?.enabled)
      throw invalid(`String inverted index can not be enabled on #document key: ${key}`);
  }
}

function isDefaultVectorConfig(config: Json | undefined, key: string | null): boolean {
  if (!config) return true;
  if (!isDefaultEmbeddingFunction(config.embedding_function)) return false;
  if (config.space !== undefined && config.space !== null && config.space !== 'l2') return false;
  const source = config.source_key ?? null;
  if (key === null ? source !== null : source !== null && source !== DOCUMENT_KEY) return false;
  if (config.hnsw && config.spann) return false;
  if (isObject(config.hnsw)) {
    for (const [field, value] of Object.entries(config.hnsw)) {
      if (Object.hasOwn(HNSW_DEFAULTS, field) && value !== HNSW_DEFAULTS[field]) return false;
    }
  }
  return !isObject(config.spann) || Object.keys(config.spann).length === 0;
}

/**
 * Chroma's Schema::is_default: a schema that asks for nothing Chroma would not do anyway. Only
 * such a schema may come with a configuration that says something.
 */
export function isDefaultSchema(schema: WireSchema): boolean {
  if (schema.cmek !== undefined) return false;
  if (Object.keys(schema.keys).some((k) => k !== DOCUMENT_KEY && k !== EMBEDDING_KEY)) return false;
  const d = schema.defaults;
  for (const type of ['string', 'int', 'float', 'bool']) {
    const name = type === 'string' ? 'string_inverted_index' : `${type}_inverted_index`;
    if (d[type]?.[name]?.enabled === false) return false;
  }
  if (d.string?.fts_index?.enabled) return false;
  if (d.float_list?.vector_index?.enabled) return false;
  if (!isDefaultVectorConfig(d.float_list?.vector_index?.config, null)) return false;
  const sparse = d.sparse_vector?.sparse_vector_index;
  if (sparse) {
    if (sparse.enabled || !isDefaultEmbeddingFunction(sparse.config.embedding_function)) return false;
    if ((sparse.config.source_key ?? null) !== null || sparse.config.bm25 === true) return false;
  }
  const embedding = schema.keys[EMBEDDING_KEY];
  if (embedding) {
    if (Object.keys(embedding).some((t) => t !== 'float_list')) return false;
    const vector = embedding.float_list?.vector_index;
    if (vector && (!vector.enabled || !isDefaultVectorConfig(vector.config, EMBEDDING_KEY))) return false;
  }
  const document = schema.keys[DOCUMENT_KEY];
  if (document) {
    if (Object.keys(document).some((t) => t !== 'string')) return false;
    if (document.string?.fts_index?.enabled === false || document.string?.string_inverted_index?.enabled) return false;
  }
  return true;
}

/** The keys whose sparse vector index the schema enables (the defaults may not: validateSchema). */
function sparseIndexKeys(schema: WireSchema): string[] {
  return Object.entries(schema.keys)
    .filter(([, types]) => types.sparse_vector?.sparse_vector_index?.enabled)
    .map(([key]) => key);
}

/**
 * The metadata key whose sparse vectors the collection indexes, if any. Its values are kept in
 * the record's sparse vector column too (where Pinecone's sparse values live), which is what a
 * sparse $knn searches: one sparse vector per record, so one such key per collection.
 */
export function sparseKeyOf(collection: Collection): string | null {
  const schema = storedSchema(collection);
  return schema ? (sparseIndexKeys(schema)[0] ?? null) : null;
}

/**
 * The collection's sparse vector index (its key and config: embedding function, source key), if
 * its schema enables one: what the gateway may compute sparse vectors with (chroma-inference.service.ts).
 */
export function sparseIndexOf(collection: Collection): { key: string; config: Json } | null {
  const schema = storedSchema(collection);
  const key = schema ? sparseIndexKeys(schema)[0] : undefined;
  if (schema === null || key === undefined) return null;
  return { key, config: own(schema.keys, key)?.sparse_vector?.sparse_vector_index?.config ?? {} };
}

function flag(enabled: boolean): IndexType {
  return { enabled, config: {} };
}

/** Chroma's defaults for a collection: every inverted index on, full-text search on documents only. */
function defaultSchema(): WireSchema {
  return {
    defaults: {
      string: { fts_index: flag(false), string_inverted_index: flag(true) },
      float_list: { vector_index: flag(false) },
      sparse_vector: {
        sparse_vector_index: { enabled: false, config: { embedding_function: { type: 'unknown' }, bm25: false } },
      },
      int: { int_inverted_index: flag(true) },
      float: { float_inverted_index: flag(true) },
      bool: { bool_inverted_index: flag(true) },
    },
    keys: {
      [EMBEDDING_KEY]: { float_list: { vector_index: flag(true) } },
      [DOCUMENT_KEY]: { string: { fts_index: flag(true), string_inverted_index: flag(false) } },
    },
  };
}

/** The user's value types over the defaults', index by index (a user's index replaces the default's). */
function mergeValueTypes(base: ValueTypes, user: ValueTypes): ValueTypes {
  const out: ValueTypes = {};
  for (const type of Object.keys(INDEXES)) {
    if (!base[type] && !user[type]) continue;
    out[type] = {};
    for (const name of INDEXES[type]) {
      const b = base[type]?.[name];
      const u = user[type]?.[name];
      if (!b && !u) continue;
      out[type][name] = u ? { enabled: u.enabled, config: { ...(b?.config ?? {}), ...dropNulls(u.config) } } : b!;
    }
  }
  return out;
}

function dropNulls(config: Json): Json {
  return Object.fromEntries(Object.entries(config).filter(([, v]) => v !== null && v !== undefined));
}

/** What a create request's schema asks of the collection, once checked and merged with Chroma's defaults. */
export interface SchemaSettings {
  /** Stored and returned; null when the request had none (the default one is returned). */
  schema: WireSchema;
  /** The vector index's config: the space, HNSW settings and embedding function it names. */
  vector: Json;
  recordIndexes: RecordIndexes;
}

/**
 * The create request's schema against its configuration, as Chroma reconciles them: a schema that
 * asks for something and a configuration that does too are refused; otherwise the one that asks
 * wins. Null when the schema asks for nothing (the configuration then decides everything).
 */
export function reconcileSchema(schema: WireSchema | null, configurationIsDefault: boolean): SchemaSettings | null {
  if (schema === null) return null;
  validateSchema(schema);
  const asks = !isDefaultSchema(schema);
  if (asks && !configurationIsDefault)
    throw ChromaHttpError.invalidArgument(
      'Failed to reconcile schema: Cannot set both collection config and schema simultaneously',
    );
  const sparse = sparseIndexKeys(schema);
  if (sparse.length > 1)
    throw ChromaHttpError.invalidArgument(
      `Failed to reconcile schema: vecgate indexes one sparse vector key per collection, this schema enables ${sparse.length}: ${sparse.join(', ')}`,
    );
  if (!asks) return null;
  const base = defaultSchema();
  const keys: Record<string, ValueTypes> = { ...base.keys };
  for (const [key, types] of Object.entries(schema.keys)) {
    const defaults = own(base.keys, key);
    setOwn(keys, key, defaults ? mergeValueTypes(defaults, types) : types);
  }
  const merged: WireSchema = { defaults: mergeValueTypes(base.defaults, schema.defaults), keys };
  if (schema.cmek !== undefined) merged.cmek = schema.cmek;
  const vector = {
    ...(merged.defaults.float_list?.vector_index?.config ?? {}),
    ...(merged.keys[EMBEDDING_KEY]?.float_list?.vector_index?.config ?? {}),
  };
  const hnsw = {
    ...(isObject(merged.defaults.float_list?.vector_index?.config.hnsw)
      ? merged.defaults.float_list.vector_index.config.hnsw
      : {}),
    ...(isObject(merged.keys[EMBEDDING_KEY]?.float_list?.vector_index?.config.hnsw)
      ? (merged.keys[EMBEDDING_KEY].float_list.vector_index.config.hnsw as Json)
      : {}),
  };
  return { schema: merged, vector: { ...vector, hnsw }, recordIndexes: recordIndexesOf(merged) };
}

/** Which of the record table's filter indexes the schema leaves a use for. */
function recordIndexesOf(schema: WireSchema): RecordIndexes {
  const document = indexEnabled(schema, DOCUMENT_KEY, 'string', 'fts_index');
  const inverted = (types: ValueTypes): boolean =>
    types.string?.string_inverted_index?.enabled === true ||
    types.int?.int_inverted_index?.enabled === true ||
    types.float?.float_inverted_index?.enabled === true ||
    types.bool?.bool_inverted_index?.enabled === true;
  const metadata =
    inverted(schema.defaults) ||
    Object.entries(schema.keys).some(([key, types]) => !key.startsWith('#') && inverted(types));
  return { metadata, document };
}

/** keys[key].type.index, else defaults.type.index; Chroma's lookup for a filter. */
function indexEnabled(schema: WireSchema, key: string, type: string, index: string): boolean {
  const set = own(schema.keys, key)?.[type]?.[index];
  if (set) return set.enabled;
  return schema.defaults[type]?.[index]?.enabled ?? true;
}

/** The schema Chroma returns: stored (or default), with the vector index's settings as they are now. */
export function schemaToWire(collection: Collection, configuration: Json): WireSchema {
  const stored = storedSchema(collection);
  const schema: WireSchema = stored ? structuredClone(stored) : defaultSchema();
  const hnsw: Json = {};
  const current = isObject(configuration.hnsw) ? configuration.hnsw : {};
  for (const field of HNSW_FIELDS) {
    if (current[field] !== undefined) hnsw[field] = current[field];
  }
  hnsw.num_threads ??= availableParallelism();
  hnsw.batch_size ??= HNSW_DEFAULTS.batch_size;
  const ordered = Object.fromEntries(HNSW_FIELDS.filter((f) => hnsw[f] !== undefined).map((f) => [f, hnsw[f]]));
  const vectorConfig = (sourceKey: boolean): Json => {
    const config: Json = { space: collection.metric };
    if (configuration.embedding_function !== null && configuration.embedding_function !== undefined)
      config.embedding_function = configuration.embedding_function;
    if (sourceKey) config.source_key = DOCUMENT_KEY;
    config.hnsw = ordered;
    return config;
  };
  const defaultVector = schema.defaults.float_list?.vector_index;
  schema.defaults.float_list = {
    vector_index: { enabled: defaultVector?.enabled ?? false, config: vectorConfig(false) },
  };
  const embedding = schema.keys[EMBEDDING_KEY]?.float_list?.vector_index;
  schema.keys[EMBEDDING_KEY] = {
    float_list: { vector_index: { enabled: embedding?.enabled ?? true, config: vectorConfig(true) } },
  };
  return schema;
}

/**
 * The collection's reconciled schema, if it has one. Before schemas took effect, vecgate stored
 * whatever a client sent and echoed it; such a value without Chroma's two maps counts as none.
 */
function storedSchema(collection: Collection): WireSchema | null {
  const s = collection.schema;
  return isObject(s) && isObject(s.defaults) && isObject(s.keys) ? (s as unknown as WireSchema) : null;
}

/** The Rust names Chroma's error gives a filter value's type. */
function valueType(value: unknown): { type: string; debug: string } | null {
  if (typeof value === 'boolean') return { type: 'bool', debug: 'Bool' };
  if (typeof value === 'string') return { type: 'string', debug: 'Str' };
  if (typeof value === 'number')
    return Number.isInteger(value) ? { type: 'int', debug: 'Int' } : { type: 'float', debug: 'Float' };
  if (Array.isArray(value) && value.length > 0) return valueType(value[0]);
  return null;
}

const INVERTED: Record<string, string> = {
  string: 'string_inverted_index',
  int: 'int_inverted_index',
  float: 'float_inverted_index',
  bool: 'bool_inverted_index',
};

function checkWhere(schema: WireSchema, where: unknown): void {
  if (!isObject(where)) return;
  for (const [key, condition] of Object.entries(where)) {
    if (key === '$and' || key === '$or') {
      if (Array.isArray(condition)) for (const part of condition) checkWhere(schema, part);
      continue;
    }
    if (key === DOCUMENT_KEY) {
      checkDocumentFilter(schema);
      continue;
    }
    if (key === '#id') continue;
    const values = isObject(condition) ? Object.values(condition) : [condition];
    for (const value of values) {
      const type = valueType(value);
      if (type && !indexEnabled(schema, key, type.type, INVERTED[type.type])) {
        throw ChromaHttpError.invalidArgument(
          `Cannot filter using metadata key '${key}' with type '${type.debug}' because indexing is disabled`,
        );
      }
    }
  }
}

/**
 * A filter on a key (or on documents) whose index the collection's schema disabled is refused,
 * as Chroma refuses it, before anything runs. Collections without a schema of their own index all.
 */
export function checkFilterIndexes(collection: Collection, where: unknown, whereDocument: unknown): void {
  const schema = storedSchema(collection);
  if (!schema) return;
  checkWhere(schema, where);
  if (whereDocument !== undefined && whereDocument !== null) checkDocumentFilter(schema);
}

/** A document filter (`where_document`, or `#document` inside `where`) needs full-text search on. */
function checkDocumentFilter(schema: WireSchema): void {
  if (!indexEnabled(schema, DOCUMENT_KEY, 'string', 'fts_index'))
    throw ChromaHttpError.invalidArgument('Cannot filter using full-text search because FTS indexing is disabled');
}
