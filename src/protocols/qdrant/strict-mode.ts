import { isObject, type JsonObject } from '../json-guards';
import { QdrantHttpError } from './qdrant-error';

/**
 * Strict mode's rule on unindexed filtering (`unindexed_filtering_retrieve` for reads,
 * `unindexed_filtering_update` for filtered writes, set to false on an enabled strict_mode_config):
 * every key a filter tests must have a payload index that serves the test, as Qdrant 1.19 infers
 * it (lib/collection/src/problems/unindexed_field.rs), else a 400 in Qdrant's words. vecgate
 * serves every filter without an index; this is Qdrant's contract, kept for clients that rely on it.
 */

/** What a payload index serves (Qdrant's FieldIndexType), by the schema Qdrant names for it. */
type Capability =
  | 'integer match'
  | 'integer range'
  | 'keyword'
  | 'keyword prefix'
  | 'float'
  | 'text'
  | 'text phrase'
  | 'bool'
  | 'uuid match'
  | 'uuid range'
  | 'datetime'
  | 'geo';

const ALL: Capability[] = [
  'integer match',
  'integer range',
  'keyword',
  'keyword prefix',
  'float',
  'text',
  'text phrase',
  'bool',
  'uuid match',
  'uuid range',
  'datetime',
  'geo',
];

/** The schema an error names for each (Qdrant's Display of the PayloadFieldSchema it stands for). */
const SCHEMA_NAME: Readonly<Record<Capability, string>> = {
  'integer match': 'integer',
  'integer range': 'integer',
  keyword: 'keyword',
  'keyword prefix': 'keyword (with prefix: true)',
  float: 'float',
  text: 'text',
  'text phrase': 'text (with phrase_matching: true)',
  bool: 'bool',
  'uuid match': 'uuid',
  'uuid range': 'uuid',
  datetime: 'datetime',
  geo: 'geo',
};

/** The forms Rust's Uuid::parse_str takes: hyphenated, simple, URN and braced. */
const HYPHENATED = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const UUID = new RegExp(`^(?:${HYPHENATED}|[0-9a-f]{32}|urn:uuid:${HYPHENATED}|\\{${HYPHENATED}\\})$`, 'i');

/** What a payload index on the key serves. */
function capabilities(schema: unknown): Set<Capability> {
  const type = typeof schema === 'string' ? schema : isObject(schema) ? schema.type : undefined;
  const params = isObject(schema) ? schema : {};
  switch (type) {
    case 'keyword':
      return new Set<Capability>(params.prefix === true ? ['keyword', 'keyword prefix'] : ['keyword']);
    case 'integer': {
      const caps = new Set<Capability>();
      if (params.lookup !== false) caps.add('integer match');
      if (params.range !== false) caps.add('integer range');
      return caps;
    }
    case 'uuid':
      return new Set<Capability>(['uuid match', 'uuid range']);
    case 'bool':
      return new Set<Capability>(['bool']);
    case 'float':
      return new Set<Capability>(['float']);
    case 'geo':
      return new Set<Capability>(['geo']);
    case 'datetime':
      return new Set<Capability>(['datetime']);
    case 'text':
      return new Set<Capability>(params.phrase_matching === true ? ['text', 'text phrase'] : ['text']);
    default:
      return new Set();
  }
}

/** The strings of a match.any or match.except list: keyword (and uuid when all are), integers: integer. */
function forValues(values: unknown): Capability[] {
  if (!Array.isArray(values) || values.length === 0) return [];
  if (values.every((v) => typeof v === 'string'))
    return values.every((v) => UUID.test(v as string)) ? ['uuid match', 'keyword'] : ['keyword'];
  return ['integer match'];
}

/** The indexes that would serve a field condition (any one of them does). */
function required(c: JsonObject): Capability[] {
  const needs: Capability[] = [];
  const m = c.match;
  if (isObject(m)) {
    if ('value' in m) {
      const v = m.value;
      if (typeof v === 'string') needs.push(...(UUID.test(v) ? (['uuid match'] as const) : []), 'keyword');
      else if (typeof v === 'boolean') needs.push('bool');
      else if (typeof v === 'number') needs.push('integer match');
    } else if ('text' in m || 'text_any' in m) needs.push('text');
    else if ('phrase' in m) needs.push('text phrase');
    else if ('prefix' in m) needs.push('keyword prefix');
    else if ('any' in m) needs.push(...forValues(m.any));
    else if ('except' in m) needs.push(...forValues(m.except));
  }
  if (isObject(c.range)) {
    const bounds = Object.values(c.range).filter((v) => v !== null && v !== undefined);
    needs.push(
      ...(bounds.some((v) => typeof v === 'string') ? (['datetime'] as const) : (['float', 'integer range'] as const)),
    );
  }
  if (present(c.geo_bounding_box) || present(c.geo_radius) || present(c.geo_polygon)) needs.push('geo');
  if (present(c.values_count) || present(c.is_empty) || present(c.is_null)) needs.push(...ALL);
  return needs;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** A clause's conditions: one condition or a list of them. */
function conditionsOf(filter: JsonObject): unknown[] {
  const listed = (v: unknown) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
  const minShould = isObject(filter.min_should) ? listed(filter.min_should.conditions) : [];
  return [...listed(filter.must), ...listed(filter.must_not), ...listed(filter.should), ...minShould];
}

/** The first key the filter tests that no payload index serves, with the indexes that would; null when none. */
function unindexed(
  filter: JsonObject,
  indexes: Record<string, unknown>,
  prefix: string,
): { key: string; schemas: Capability[] } | null {
  for (const c of conditionsOf(filter)) {
    if (!isObject(c)) continue;
    let key: unknown;
    let needs: Capability[];
    if ('key' in c) {
      key = c.key;
      needs = required(c);
    } else if (isObject(c.is_empty) || isObject(c.is_null)) {
      key = ((c.is_empty ?? c.is_null) as JsonObject).key;
      needs = ALL;
    } else if (isObject(c.nested)) {
      const inner = isObject(c.nested.filter) ? c.nested.filter : {};
      const found = unindexed(inner, indexes, `${prefix}${String(c.nested.key)}[].`);
      if (found) return found;
      continue;
    } else if ('must' in c || 'should' in c || 'must_not' in c || 'min_should' in c) {
      const found = unindexed(c, indexes, prefix);
      if (found) return found;
      continue;
    } else continue;
    if (typeof key !== 'string' || needs.length === 0) continue;
    const full = `${prefix}${key}`;
    const caps = Object.hasOwn(indexes, full) ? capabilities(indexes[full]) : new Set<Capability>();
    if (!needs.some((n) => caps.has(n))) return { key: full, schemas: needs };
  }
  return null;
}

/**
 * Refuses a filter (already parsed, so well formed) that tests a key without a serving index, when
 * the collection's strict mode asks for indexes on reads (`use` read) or on filtered writes.
 */
export function checkIndexedFilter(
  filter: unknown,
  strictMode: unknown,
  indexes: Record<string, unknown>,
  use: 'read' | 'write',
): void {
  if (!isObject(filter) || !isObject(strictMode) || strictMode.enabled !== true) return;
  const allowed = use === 'read' ? strictMode.unindexed_filtering_retrieve : strictMode.unindexed_filtering_update;
  if (allowed !== false) return;
  const found = unindexed(filter, indexes, '');
  if (!found) return;
  const names = [...new Set(found.schemas.map((s) => SCHEMA_NAME[s]))].sort();
  throw new QdrantHttpError(
    400,
    `Strict mode error: Index required but not found for "${found.key}" of one of the following types: [${names.join(', ')}]. Help: Create an index for this key or use a different filter.`,
  );
}
