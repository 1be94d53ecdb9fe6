import type { ApiPropertyOptions, SchemaObject } from '@nestjs/swagger';

/**
 * OpenAPI shapes of the Chroma fields the DTOs take as `unknown` and the mappers check
 * (metadata.ts, embeddings.ts, chroma-filter.parser.ts, collection-config.ts): what is documented here is
 * what those checks accept.
 */

const SCALAR: SchemaObject[] = [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }];

/** The 3.x client's sparse vector metadata value. */
const SPARSE_VECTOR: SchemaObject = {
  type: 'object',
  description: 'A sparse vector: `indices` (non-negative integers) and `values` of the same length',
  required: ['indices', 'values'],
  properties: {
    '#type': { type: 'string', enum: ['sparse_vector'] },
    indices: { type: 'array', items: { type: 'integer', minimum: 0 } },
    values: { type: 'array', items: { type: 'number' } },
  },
};

/** A metadata value: a string, a finite number, a boolean, a non-empty array of one of those (all of one type), or a sparse vector. */
export const METADATA_VALUE: SchemaObject = {
  oneOf: [
    ...SCALAR,
    { type: 'array', minItems: 1, items: { oneOf: SCALAR }, description: 'non-empty, every element of the same type' },
    SPARSE_VECTOR,
  ],
};

/** Metadata of a collection: a map of metadata values, not empty, no nulls. */
export const COLLECTION_METADATA: SchemaObject = {
  type: 'object',
  nullable: true,
  minProperties: 1,
  additionalProperties: METADATA_VALUE,
  description:
    'String keys to strings, finite numbers, booleans, non-empty arrays of one of those types, or sparse vectors. An empty map is refused (400). ' +
    'The legacy keys `hnsw:space` (`l2`, `cosine`, `ip`), `hnsw:construction_ef`, `hnsw:search_ef` and `hnsw:M` set the metric and index like `configuration` does.',
  example: { topic: 'science', year: 2024 },
};

const HNSW_COMMON: Record<string, SchemaObject> = {
  ef_search: {
    type: 'integer',
    minimum: 1,
    maximum: 1000,
    description: 'candidates kept while searching (pgvector hnsw.ef_search)',
  },
  max_neighbors: {
    type: 'integer',
    minimum: 2,
    maximum: 100,
    description: 'graph degree (pgvector m); ef_construction must stay at least twice this',
  },
  num_threads: { type: 'integer', minimum: 0, description: 'kept and echoed back; pgvector has no use for it' },
  resize_factor: { type: 'number', description: 'kept and echoed back; pgvector has no use for it' },
  sync_threshold: { type: 'integer', minimum: 0, description: 'kept and echoed back; pgvector has no use for it' },
  batch_size: { type: 'integer', minimum: 0, description: 'kept and echoed back; pgvector has no use for it' },
};

const SPACE: SchemaObject = {
  type: 'string',
  enum: ['l2', 'cosine', 'ip'],
  description: 'distance function (default l2)',
};

/** `configuration` of a create: only these keys; hnsw and spann are exclusive. */
export const COLLECTION_CONFIGURATION: SchemaObject = {
  type: 'object',
  nullable: true,
  additionalProperties: false,
  description: 'Index settings. Unknown keys are refused (422); `hnsw` and `spann` together are refused (400).',
  properties: {
    hnsw: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      properties: {
        space: SPACE,
        ef_construction: {
          type: 'integer',
          minimum: 4,
          maximum: 1000,
          description: 'build-time candidate list (pgvector ef_construction), default 100',
        },
        ...HNSW_COMMON,
      },
    },
    spann: {
      type: 'object',
      nullable: true,
      description: 'Accepted for compatibility and echoed back; only `space` is used (the index is HNSW)',
      properties: { space: SPACE },
      additionalProperties: true,
    },
    embedding_function: {
      type: 'object',
      nullable: true,
      description: 'Kept and echoed back; vecgate does not embed',
      additionalProperties: true,
    },
  },
  example: { hnsw: { space: 'cosine', ef_construction: 200, max_neighbors: 32 } },
};

/** `new_configuration` of a modify: search-time and build settings, never the space. */
export const COLLECTION_NEW_CONFIGURATION: SchemaObject = {
  type: 'object',
  nullable: true,
  additionalProperties: false,
  description: 'Settings to change. The space cannot change; unknown keys are refused (422).',
  properties: {
    hnsw: { type: 'object', nullable: true, additionalProperties: false, properties: HNSW_COMMON },
    spann: {
      type: 'object',
      nullable: true,
      additionalProperties: true,
      description: 'merged into the stored spann settings',
    },
    embedding_function: { type: 'object', nullable: true, additionalProperties: true },
  },
  example: { hnsw: { ef_search: 200 } },
};

export const COLLECTION_NAME_RULES =
  '3 to 512 characters from [a-zA-Z0-9._-], starting and ending with a letter or digit, no `..`, not an IP address (checked by the route: 400)';
export const COLLECTION_NAME_PATTERN = '^[a-zA-Z0-9][a-zA-Z0-9._-]{1,510}[a-zA-Z0-9]$';

/** One embedding: an array of finite numbers, or base64 of little-endian float32 bytes. */
export const EMBEDDING: SchemaObject = {
  oneOf: [
    { type: 'array', items: { type: 'number' }, description: 'finite numbers' },
    {
      type: 'string',
      format: 'byte',
      description: 'base64 of little-endian float32 values (sent when pre-flight-checks says supports_base64_encoding)',
    },
  ],
};

/** A record's metadata in a write: a map of metadata values (null deletes the key in upsert and update), or null. */
export const RECORD_METADATA: SchemaObject = {
  type: 'object',
  nullable: true,
  additionalProperties: { ...METADATA_VALUE, nullable: true },
  description: 'Values as in collection metadata; in upsert and update a null value removes the key',
};

export const WHERE: SchemaObject = {
  type: 'object',
  nullable: true,
  additionalProperties: true,
  description:
    'Metadata filter, one key per object: `{"key": value}`, `{"key": {"$eq"|"$ne": scalar}}`, `{"key": {"$gt"|"$gte"|"$lt"|"$lte": number}}`, ' +
    '`{"key": {"$in"|"$nin": [non-empty list of scalars of one type]}}`, `{"key": {"$contains"|"$not_contains": scalar}}` (array metadata), ' +
    '`{"$and"|"$or": [where, ...]}`, and `{"#document": {"$contains"|"$not_contains"|"$regex"|"$not_regex": string}}`. Anything else is a 400.',
  example: { $and: [{ year: { $gte: 2022 } }, { lang: 'en' }] },
};

export const WHERE_DOCUMENT: SchemaObject = {
  type: 'object',
  nullable: true,
  additionalProperties: true,
  description:
    'Document filter, one key per object: `{"$contains"|"$not_contains": string}`, `{"$regex"|"$not_regex": string}` (Rust regex syntax), ' +
    'or `{"$and"|"$or": [where_document, ...]}`. Anything else is a 400.',
  example: { $contains: 'hello' },
};

export const INCLUDE_VALUES = ['distances', 'documents', 'embeddings', 'metadatas', 'uris'];

/** A schema as @ApiProperty options (the decorator's option type does not take a SchemaObject as it is). */
export function prop(schema: SchemaObject): ApiPropertyOptions {
  return schema as ApiPropertyOptions;
}
