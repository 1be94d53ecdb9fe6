import { and, not, or, type FilterNode } from '../../core/filters/filter-ast';
import { isObject } from '../json-guards';
import { PineconeControlError, PineconeDataError } from './pinecone-error';

/**
 * Pinecone's metadata schema (selective metadata indexing): `{"fields": {"genre": {"filterable":
 * true}}}` on an index or a namespace says which metadata keys are indexed for filters; without
 * one every key is. A namespace's own schema wins over its index's.
 */
export const MAX_SCHEMA_FIELDS = 50;

/** Fields of an index schema that are vectors or text, not metadata. */
const NOT_METADATA = new Set(['dense_vector', 'sparse_vector', 'semantic_text']);

/** The keys a metadata schema makes filterable; `control` picks the error shape (control or data plane). */
export function filterableKeys(raw: unknown, control: boolean): string[] {
  const fail = (message: string) =>
    control ? PineconeControlError.invalid(message) : PineconeDataError.invalid(message);
  if (!isObject(raw) || !isObject(raw.fields)) throw fail('schema must be an object with a fields object');
  const keys = Object.keys(raw.fields);
  if (keys.length > MAX_SCHEMA_FIELDS) throw fail(`schema.fields takes at most ${MAX_SCHEMA_FIELDS} fields`);
  for (const key of keys) {
    if (key.length === 0 || key.startsWith('$')) throw fail(`Invalid field name ${JSON.stringify(key)}`);
    const field = raw.fields[key];
    if (!isObject(field) || field.filterable !== true)
      throw fail(`Field '${key}' is set to filterable: false. Only filterable: true is supported.`);
  }
  return keys;
}

/** The wire form of a list of filterable keys. */
export function metadataSchema(keys: string[]): { fields: Record<string, { filterable: true }> } {
  return { fields: Object.fromEntries(keys.map((k) => [k, { filterable: true as const }])) };
}

/** The metadata keys an index's schema fields make filterable, or null when it names none (every key is). */
export function indexFilterable(schemaFields: Record<string, unknown>): string[] | null {
  const keys = Object.entries(schemaFields)
    .filter(([, f]) => !(isObject(f) && typeof f.type === 'string' && NOT_METADATA.has(f.type)))
    .map(([k]) => k);
  return keys.length > 0 ? keys : null;
}

/** The top-level key a leaf tests, when it tests one. */
function leafKey(node: FilterNode): string | null {
  if (!('key' in node)) return null;
  return Array.isArray(node.key) ? node.key[0] : node.key;
}

/**
 * A filter as an index that does not hold the keys outside `filterable` evaluates it: every test of
 * such a key finds the key absent. So `{"genre": "drama"}`, `$ne`, `$in`, `$nin`, ranges and
 * `$exists: true` on it match nothing, and `$exists: false` matches every record.
 */
export function outsideSchemaAbsent(node: FilterNode, filterable: ReadonlySet<string>): FilterNode {
  switch (node.kind) {
    case 'and':
      return and(...node.children.map((c) => outsideSchemaAbsent(c, filterable)));
    case 'or':
      return or(...node.children.map((c) => outsideSchemaAbsent(c, filterable)));
    case 'not':
      return not(outsideSchemaAbsent(node.child, filterable));
    default: {
      const key = leafKey(node);
      return key !== null && !filterable.has(key) ? { kind: 'none' } : node;
    }
  }
}
