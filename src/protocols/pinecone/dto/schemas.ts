import type { ApiPropertyOptions, SchemaObject } from '@nestjs/swagger';

/*
 * OpenAPI shapes of what index-spec.ts, vectors.mapper.ts, index-names.ts and pinecone-filter.parser.ts check in the
 * DTO fields typed `unknown` or `Record`: what is documented here is what those checks accept (anything
 * else is a 400 in the plane's error shape).
 */

export const DELETION_PROTECTION: SchemaObject = {
  type: 'string',
  enum: ['enabled', 'disabled'],
  description: 'With `enabled`, deleting the index is refused (403) until it is disabled',
};

export const READ_CAPACITY: SchemaObject = {
  type: 'object',
  additionalProperties: true,
  description:
    'Read capacity (2026-07 at the top level; 2025-10 under `spec.serverless`): `{"mode": "OnDemand"}` (the default) or ' +
    '`{"mode": "Dedicated", "dedicated": {"node_type": "b1"|"t1", "scaling": "Manual", "manual": {"replicas", "shards"}}}`. ' +
    'Kept and echoed with a Ready status; one PostgreSQL serves the reads whatever it says.',
  example: { mode: 'Dedicated', dedicated: { node_type: 't1', scaling: 'Manual', manual: { replicas: 1, shards: 1 } } },
};

export const TAGS: SchemaObject = {
  type: 'object',
  additionalProperties: { type: 'string' },
  description: 'String tags. In configure, they are merged into the existing tags and a tag set to "" is removed.',
  example: { team: 'search', env: 'prod' },
};

export const SPARSE_VALUES: SchemaObject = {
  type: 'object',
  required: ['indices', 'values'],
  description:
    'A sparse vector: 1 to 2048 non-zero entries, `indices` distinct integers from 0 to 999,999,999, `values` finite numbers of the same length',
  properties: {
    indices: { type: 'array', minItems: 1, maxItems: 2048, items: { type: 'integer', minimum: 0, maximum: 999999999 } },
    values: { type: 'array', minItems: 1, maxItems: 2048, items: { type: 'number' } },
  },
  example: { indices: [10, 45, 16], values: [0.5, 0.5, 0.2] },
};

export const METADATA: SchemaObject = {
  type: 'object',
  additionalProperties: {
    oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'array', items: { type: 'string' } }],
  },
  description:
    'Strings, finite numbers, booleans and lists of strings (no null, no nesting); at most 40 KB of JSON per record',
  example: { genre: ['drama', 'crime'], year: 1994 },
};

export const DENSE_VALUES: SchemaObject = { type: 'array', items: { type: 'number' } };

/** An upserted vector (vectors.mapper.ts recordFromVector). */
export const VECTOR: SchemaObject = {
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 512, description: 'Record id, 1 to 512 characters' },
    values: {
      ...DENSE_VALUES,
      description:
        "Dense values, finite and not all zero, of the index's dimension: required in a dense index, refused in a sparse one",
    },
    sparseValues: {
      ...SPARSE_VALUES,
      description: `Required in a sparse index; in a dense index only with the dotproduct metric. ${SPARSE_VALUES.description}`,
    },
    metadata: METADATA,
  },
};

export const FILTER: SchemaObject = {
  type: 'object',
  additionalProperties: true,
  description:
    'Pinecone metadata filter: `{"key": value}` or `{"key": {"$eq"|"$ne": scalar, "$gt"|"$gte"|"$lt"|"$lte": number, "$in"|"$nin": [scalars], "$exists": boolean}}`, ' +
    'and `{"$and"|"$or": [filter, ...]}`. Several keys, and several operators on one key, are an AND; a list of strings matches when any element does; ' +
    '`$ne` and `$nin` do not match records without the key. Anything else is a 400.',
  example: { genre: 'drama', year: { $gte: 1990, $lt: 2000 } },
};

export const NAMESPACE: SchemaObject = {
  type: 'string',
  maxLength: 512,
  default: '__default__',
  description: 'Namespace (at most 512 bytes); "" and "__default__" are the same, the default one',
  example: 'catalog',
};

/** A schema as @ApiProperty options (the decorator's option type does not take a SchemaObject as it is). */
export function prop(schema: SchemaObject): ApiPropertyOptions {
  return schema as ApiPropertyOptions;
}
