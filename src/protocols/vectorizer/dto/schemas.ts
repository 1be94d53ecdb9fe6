import type { ApiPropertyOptions, SchemaObject } from '@nestjs/swagger';

/*
 * OpenAPI shapes of what vectors.mapper.ts, metric.ts, vectorizer-filter.parser.ts and the controllers check in
 * the DTO fields typed `unknown` and in the Qdrant routes' raw bodies: what is documented here is
 * what those checks accept (anything else is a 400 in Vectorizer's error shape).
 */

/** A schema as @ApiProperty options (the decorator's option type does not take a SchemaObject as it is). */
export function prop(schema: SchemaObject): ApiPropertyOptions {
  return schema as ApiPropertyOptions;
}

export const METRIC: SchemaObject = {
  type: 'string',
  enum: ['cosine', 'euclidean', 'euclid', 'l2', 'dot', 'dot_product', 'dotproduct'],
  description: 'Similarity metric, any case (default cosine); an unknown name is a 400',
};

export const VECTOR: SchemaObject = {
  type: 'array',
  minItems: 1,
  items: { type: 'number' },
  description: "A non-empty array of finite numbers, of the collection's dimension",
};

export const ID: SchemaObject = {
  type: 'string',
  minLength: 1,
  maxLength: 256,
  pattern: '^[^#]*$',
  description: "Vector id: 1 to 256 characters, no leading or trailing space, no '#'",
};

export const PAYLOAD: SchemaObject = {
  type: 'object',
  nullable: true,
  additionalProperties: true,
  description: 'Any JSON object; values keep their JSON types',
};

/** Every filter shape Vectorizer users send (vectorizer-filter.parser.ts). */
export const FILTER: SchemaObject = {
  type: 'object',
  additionalProperties: true,
  description:
    'A filter in any of the shapes in use: flat Mongo style (`{"category": "docs"}`, `{"created_at": {"$lt": "2024-01-01"}}`, operators ' +
    '`$eq $ne $gt $gte $lt $lte $in $nin $exists`, `$and`/`$or`); the server\'s tagged conditions (`{"must": [{"type": "match", "key": "k", "match_value": v}]}`, ' +
    '`range`, text `{"text", "type": "prefix"|"suffix"|"contains"|"exact"}`, `nested`); or the Qdrant shape (`{"must"|"should"|"must_not": [{"key": "k", ' +
    '"match": {"value"|"any"|"except"|"text": ...}}, {"key": "k", "range": {"gte": 1}}, {"has_id": [...]}, {"is_empty": {"key": "k"}}]}`). ' +
    'Dotted keys reach into nested payloads. An unknown shape is a 400 parse_error.',
  example: { category: 'new' },
};

export const INSERT_ITEM: SchemaObject = {
  type: 'object',
  description:
    "A vector to insert (replaces the record of its id). The vector is `embedding` (or the SDK's `vector`, or `data`), required: vecgate stores vectors " +
    "and does not embed text. A missing id gets a UUID; an integer id is taken as its decimal string. The payload is `payload` (or the SDK's `metadata`).",
  properties: {
    id: { oneOf: [ID, { type: 'integer' }] },
    embedding: VECTOR,
    vector: { ...VECTOR, description: "the SDK's name for embedding" },
    data: { ...VECTOR, description: 'another name for embedding' },
    payload: PAYLOAD,
    metadata: { ...PAYLOAD, description: "the SDK's name for payload" },
  },
  example: { id: 'vec_001', embedding: [1, 0, 0], payload: { category: 'old_docs', created_at: '2023-01-01' } },
};

export const UPDATE_ITEM: SchemaObject = {
  type: 'object',
  required: ['id'],
  description:
    'An update of one vector: a new vector (`vector`, `data` or `embedding`) and/or a new payload (`payload` or `metadata`; null clears it). ' +
    'An unknown id is reported as an error item.',
  properties: {
    id: ID,
    vector: VECTOR,
    data: { ...VECTOR, description: 'another name for vector' },
    embedding: { ...VECTOR, description: 'another name for vector' },
    payload: PAYLOAD,
    metadata: { ...PAYLOAD, description: 'another name for payload' },
  },
  example: { id: 'vec_001', payload: { category: 'archived' } },
};

export const DELETE_IDS: SchemaObject = {
  type: 'array',
  minItems: 1,
  items: { oneOf: [{ type: 'string', minLength: 1 }, { type: 'integer' }] },
  description: 'A non-empty list of ids (non-empty strings or integers); an unknown id is reported as an error item',
  example: ['vec_001', 'vec_002'],
};

export const SEARCH_LIMIT: SchemaObject = {
  type: 'integer',
  minimum: 0,
  default: 10,
  description: 'Number of results; more than 100 is taken as 100',
  example: 5,
};

export const THRESHOLD: SchemaObject = {
  type: 'number',
  description:
    'Only results scoring at least this (scores: cosine similarity, 1/(1+L2) for euclidean, the sigmoid of the dot product)',
  example: 0.5,
};

/** A Qdrant point id. */
export const POINT_ID: SchemaObject = {
  oneOf: [
    { type: 'integer', minimum: 0, description: 'an unsigned integer (shown back as a number)' },
    { type: 'string', minLength: 1 },
  ],
  description: 'A point id: an unsigned integer or a non-empty string',
};

export const WITH_VECTOR: SchemaObject = {
  type: 'boolean',
  default: false,
  description: 'Return the vector of each point',
};
export const WITH_PAYLOAD: SchemaObject = {
  type: 'boolean',
  default: true,
  description: 'Return the payload of each point',
};

/** Qdrant's vectors config of a collection. */
export const VECTORS_CONFIG: SchemaObject = {
  type: 'object',
  required: ['size', 'distance'],
  properties: {
    size: { type: 'integer', minimum: 1, maximum: 16000, description: 'Vector dimension' },
    distance: { type: 'string', enum: ['Cosine', 'Euclid', 'Dot'] },
  },
  example: { size: 3, distance: 'Cosine' },
};
