import type { KeyIndexKind } from '../../core/collections/range-index.repository';
import type { MetadataKey } from '../../core/filters/filter-ast';
import { isObject } from '../json-guards';
import { onlyFields } from './body';
import { QdrantHttpError } from './qdrant-error';
import { INDEX_PARAMS_FIELDS } from './qdrant-fields';
import { payloadKey } from './qdrant-filter.parser';

/** Qdrant's payload field types. */
const FIELD_TYPES = ['keyword', 'integer', 'float', 'bool', 'geo', 'datetime', 'text', 'uuid'];

/**
 * How many payload indexes one collection holds at most (Qdrant's strict mode names such a bound,
 * max_payload_index_count): a collection's info counts the points of each.
 */
export const MAX_PAYLOAD_INDEXES = 100;

/** A field schema's type: the name, or `{type, ...}`'s. */
export function schemaType(schema: unknown): string {
  const type = typeof schema === 'string' ? schema : isObject(schema) ? schema.type : undefined;
  return typeof type === 'string' ? type : '';
}

/**
 * The index each field schema gets on its key (IndexBuilder builds it): numbers a btree of their
 * own, datetimes a btree of their strings (compared in byte order), geo points a btree of their
 * latitudes. Keyword, uuid and bool matches compile to jsonb containment, which the collection's
 * GIN index over every key serves. Text is a core text field now (text-index.ts); its trigram
 * index here is one a text index made before that may have, dropped with it.
 */
export const KEY_INDEX_KINDS: Readonly<Record<string, KeyIndexKind | undefined>> = {
  integer: 'number',
  float: 'number',
  datetime: 'string',
  text: 'text',
  geo: 'geo',
};

/**
 * A payload index's field name and schema, checked: what the create-index route takes, and what a
 * snapshot's header may hold. `named` says where the name and the schema were found.
 */
export function checkFieldIndex(
  field: unknown,
  schema: unknown,
  named = { field: 'field_name', schema: 'field_schema' },
): { key: MetadataKey | null; type: string } {
  if (typeof field !== 'string' || field === '')
    throw QdrantHttpError.format(`${named.field} must be a non-empty string`);
  let key: MetadataKey | null = null;
  if (!isArrayPath(field)) key = payloadKey(field, named.field);
  else if (!ARRAY_PATH.test(field))
    throw QdrantHttpError.badRequest(`${named.field}: an array path is written a[].b, not ${field}`);
  else payloadKey(field.replaceAll('[]', ''), named.field);
  const type = schemaType(schema);
  if (!FIELD_TYPES.includes(type))
    throw QdrantHttpError.format(
      `${named.schema}: unknown variant ${JSON.stringify(type)}, expected one of ${FIELD_TYPES.join(', ')}`,
    );
  if (isObject(schema)) onlyFields(schema, INDEX_PARAMS_FIELDS[type], named.schema);
  // Qdrant's validate_integer_index_params: an integer index serves lookups, ranges or both.
  if (isObject(schema) && type === 'integer' && schema.lookup === false && schema.range === false)
    throw QdrantHttpError.validation(
      `${named.schema}.lookup`,
      "Validation error: the 'lookup' and 'range' capabilities can't be both disabled [{}]",
    );
  if (key === null && type === 'text')
    throw QdrantHttpError.badRequest(`vecgate keeps text indexes on keys outside arrays only: ${field}`);
  return { key, type };
}

/**
 * A key into arrays of objects (`a[].b`): its index is declared, shown in payload_schema and
 * counted by strict mode, and builds no Postgres index (a filter on it reads the records).
 */
const ARRAY_PATH = /^[^.[\]]+(\[\])?(\.[^.[\]]+(\[\])?)*$/;

export function isArrayPath(field: string): boolean {
  return field.includes('[');
}

/** Refuses an index on one more field past MAX_PAYLOAD_INDEXES (an indexed field's is replaced, not added), in Qdrant's words. */
export function checkIndexRoom(indexes: Record<string, unknown>, field: string): void {
  if (!Object.hasOwn(indexes, field) && Object.keys(indexes).length >= MAX_PAYLOAD_INDEXES)
    throw QdrantHttpError.badRequest(
      `Collection already has the maximum number of payload indices (${MAX_PAYLOAD_INDEXES}). Help: Please delete an existing index before creating a new one.`,
    );
}

/** A snapshot header's `payload_schema` (field name → field schema), each entry checked as the create-index route checks it. */
export function payloadSchemaOf(schema: unknown): Record<string, unknown> {
  if (schema === undefined || schema === null) return {};
  if (!isObject(schema))
    throw QdrantHttpError.format('payload_schema must be an object of field names and field schemas');
  const fields = Object.keys(schema);
  if (fields.length > MAX_PAYLOAD_INDEXES)
    throw QdrantHttpError.badRequest(
      `payload_schema names ${fields.length} payload indexes; a collection holds at most ${MAX_PAYLOAD_INDEXES}`,
    );
  for (const field of fields)
    checkFieldIndex(field, schema[field], {
      field: `payload_schema key ${JSON.stringify(field)}`,
      schema: `payload_schema.${field}`,
    });
  return schema;
}
