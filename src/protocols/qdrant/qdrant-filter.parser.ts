import {
  ALL,
  and,
  MAX_KEY_PATH_LEVELS,
  MAX_POLYGON_POINTS,
  not,
  or,
  type FilterNode,
  type GeoRing,
  type MetadataKey,
  type RangeOperator,
  type Scalar,
} from '../../core/filters/filter-ast';
import { filterTooLarge, isObject, isScalar, type JsonObject } from '../json-guards';
import { onlyFields } from './body';
import { pointId } from './point-ids';
import { isQdrantDatetime } from './qdrant-datetime';
import { QdrantHttpError } from './qdrant-error';
import { checkIndexedFilter } from './strict-mode';
import { FIELDS } from './qdrant-fields';
import { textIndexKey, type QdrantLayout, type TextIndexRef } from './qdrant-layout';

/**
 * Qdrant's filters into the neutral AST: must / should / must_not / min_should over field
 * conditions (match value / any / except / text / phrase / text_any / prefix, range and datetime range,
 * values_count, is_empty, is_null, geo_radius, geo_bounding_box, geo_polygon), has_id, has_vector and nested
 * filters as conditions, and `nested` conditions over arrays of objects. A value that is an array
 * matches when one of its elements does, as in Qdrant; `a[].b` keys reach into arrays of objects. Every object is checked for fields its Qdrant type lacks (a condition
 * passed where a filter belongs, or `mustt`, would otherwise select every point), and errors
 * say where in the body they are (`filter.must[0].match`).
 */
const RANGE: Readonly<Record<string, RangeOperator>> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };

const refuse = (why: string) => QdrantHttpError.format(why);

/**
 * A count Qdrant reads as a usize (values_count's bounds, min_should's min_count): an integer from
 * 0 to 2^64 − 1. A larger JSON number (1e300) is refused as serde refuses it, not sent to Postgres.
 */
function usize(value: unknown, at: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= 2 ** 64)
    throw refuse(`${at}: invalid value: ${JSON.stringify(value) ?? 'nothing'}, expected usize`);
  return value;
}

/** A value of the body as an error shows it: its first 64 characters. */
function clip(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}...` : text;
}

/** How many levels a key reaches: each `.` part, and each `[]` (an array's elements, a level below it). */
function levelsOf(raw: string): number {
  let levels = 1;
  for (let i = 0; i < raw.length; i++)
    if (raw[i] === '.') levels++;
    else if (raw[i] === '[' && raw[i + 1] === ']') levels++;
  return levels;
}

/**
 * Refuses a key that reaches past MAX_KEY_PATH_LEVELS, counted from the payload's root (`outer`:
 * the levels of the nested conditions around it), before anything is parsed or compiled.
 */
export function checkKeyLevels(raw: string, field: string, outer: number): void {
  const levels = outer + levelsOf(raw);
  if (levels > MAX_KEY_PATH_LEVELS)
    throw QdrantHttpError.badRequest(
      `${field} ${JSON.stringify(clip(raw))} reaches ${levels} levels into the payload` +
        `${outer > 0 ? ' with the nested conditions around it' : ''}; a key path may reach ${MAX_KEY_PATH_LEVELS} ` +
        '(each `.` part and each `[]` is one level)',
    );
}

/**
 * A payload key: `a.b.c` reaches into nested objects, at most MAX_KEY_PATH_LEVELS levels from the
 * payload's root (`outer` levels are those of the nested conditions around it). `a[].b` (into
 * arrays of objects) is a field condition's only (Parser.arrayPath).
 */
export function payloadKey(raw: unknown, field = 'key', outer = 0): MetadataKey {
  if (typeof raw !== 'string' || raw === '') throw refuse(`${field} must be a non-empty string`);
  checkKeyLevels(raw, field, outer);
  if (raw.includes('['))
    throw QdrantHttpError.badRequest(`vecgate reads array paths (\`a[].b\`) in field conditions only: ${raw}`);
  return raw.includes('.') ? raw.split('.') : raw;
}

function shown(key: MetadataKey): string {
  return Array.isArray(key) ? key.join('.') : key;
}

/** The value equals v, or is an array holding v. */
function matches(key: MetadataKey, value: Scalar): FilterNode {
  return or({ kind: 'eq', key, value }, { kind: 'arrayContains', key, value });
}

/** Qdrant's match variants, each an object of that one field. */
const MATCH_VARIANTS = ['value', 'text', 'text_any', 'phrase', 'prefix', 'any', 'except'];

/**
 * `text`, `phrase` and `text_any` on a key with a text index: its words (the core's text field,
 * analysed as Qdrant's tokenizer does), all of them, in order, or any. Qdrant finds no phrase in
 * an index made without phrase_matching (no positions): nothing matches, and no error.
 */
function textIndexMatch(text: TextIndexRef, kind: 'text' | 'phrase' | 'text_any', query: string): FilterNode {
  if (kind === 'phrase' && !text.phraseMatching) return { kind: 'none' };
  const mode = kind === 'text' ? 'all' : kind === 'phrase' ? 'phrase' : 'any';
  return { kind: 'textWords', field: text.field, mode, text: query };
}

function match(key: MetadataKey, m: unknown, at: string, text?: TextIndexRef): FilterNode {
  if (!isObject(m)) throw refuse(`match of ${shown(key)} must be an object`);
  const variant = MATCH_VARIANTS.find((v) => v in m);
  if (variant === undefined)
    throw refuse(`match of ${shown(key)} takes value, any, except, text, phrase, text_any or prefix`);
  onlyFields(m, [variant], at);
  if ('prefix' in m) {
    // Qdrant's payload check, which every index leaves it to: a string value, or an array's, starts with it (bytes, case kept).
    if (typeof m.prefix !== 'string') throw refuse(`match.prefix of ${shown(key)} must be a string`);
    return { kind: 'textMatch', key, mode: 'prefix', text: m.prefix, inArrays: true };
  }
  if ('value' in m) {
    if (!isScalar(m.value)) throw refuse(`match.value of ${shown(key)} must be a string, an integer or a boolean`);
    return matches(key, m.value);
  }
  if ('any' in m) {
    if (!Array.isArray(m.any) || !m.any.every(isScalar))
      throw refuse(`match.any of ${shown(key)} must be a list of values`);
    return m.any.length === 0 ? { kind: 'none' } : { kind: 'anyOf', key, values: m.any, inArrays: true };
  }
  if ('except' in m) {
    if (!Array.isArray(m.except) || !m.except.every(isScalar))
      throw refuse(`match.except of ${shown(key)} must be a list of values`);
    const present = { kind: 'exists', key } as const;
    return m.except.length === 0
      ? present
      : and(present, not({ kind: 'anyOf', key, values: m.except, inArrays: true }));
  }
  for (const kind of ['text', 'phrase'] as const) {
    if (kind in m) {
      const query = m[kind];
      if (typeof query !== 'string') throw refuse(`match.${kind} of ${shown(key)} must be a string`);
      if (text) return textIndexMatch(text, kind, query);
      // Qdrant's full-text index finds no word in a blank text and matches nothing (a substring test would match all).
      if (query.trim() === '') return { kind: 'none' };
      return { kind: 'textMatch', key, mode: 'contains', text: query };
    }
  }
  if ('text_any' in m) {
    if (typeof m.text_any !== 'string') throw refuse(`match.text_any of ${shown(key)} must be a string`);
    if (text) return textIndexMatch(text, 'text_any', m.text_any);
    const words = m.text_any.split(/\s+/).filter(Boolean);
    return or(...words.map((text): FilterNode => ({ kind: 'textMatch', key, mode: 'contains', text })));
  }
  throw refuse(`match of ${shown(key)} takes value, any, except, text, phrase, text_any or prefix`);
}

function bounds(key: MetadataKey, range: unknown, what: 'range' | 'values_count', at: string): FilterNode {
  if (!isObject(range)) throw refuse(`${what} of ${shown(key)} must be an object of gt / gte / lt / lte`);
  onlyFields(range, FIELDS.Range, at);
  const nodes: FilterNode[] = [];
  for (const [op, value] of Object.entries(range)) {
    if (value === null || value === undefined) continue;
    const operator = Object.hasOwn(RANGE, op) ? RANGE[op] : undefined;
    if (!operator) throw refuse(`${what} of ${shown(key)}: unknown bound ${op}`);
    if (what === 'values_count') {
      // No array holds 2^31 values: a larger count compares as that one does, and fits Postgres' int.
      const count = Math.min(usize(value, `${at}.${op}`), 2 ** 31 - 1);
      nodes.push({ kind: 'valuesCount', key, operator, count });
    } else if (typeof value === 'number' && Number.isFinite(value)) {
      nodes.push({ kind: 'range', key, operator, value });
    } else if (typeof value === 'string') {
      if (!isQdrantDatetime(value))
        throw refuse(
          `${at}.${op}: '${clip(value)}' does not match accepted datetime format (RFC3339). Example: 2014-01-01T00:00:00Z`,
        );
      // A datetime range: RFC 3339 strings in one form compare as their instants do.
      nodes.push({ kind: 'range', key, operator, value });
    } else throw refuse(`range of ${shown(key)}: ${op} must be a number or an RFC 3339 datetime`);
  }
  return and(...nodes);
}

/** A `{lon, lat}` point of a geo condition, in degrees. */
function geoPoint(value: unknown, field: string, at: string): { lat: number; lon: number } {
  if (!isObject(value) || typeof value.lat !== 'number' || typeof value.lon !== 'number')
    throw refuse(`${field} must be {lon, lat} in degrees`);
  onlyFields(value, FIELDS.GeoPoint, at);
  if (Math.abs(value.lat) > 90 || Math.abs(value.lon) > 180)
    throw refuse(`${field}: lat must lie within ±90 and lon within ±180`);
  return { lat: value.lat, lon: value.lon };
}

/** A ring of a geo polygon (a GeoLineString), checked as Qdrant's GeoPolygon::validate_line_string checks it. */
function geoRing(value: unknown, field: string, at: string): GeoRing {
  if (!isObject(value)) throw refuse(`${at}: invalid type, expected struct GeoLineString`);
  if (value.points === undefined) throw refuse(`${at}: missing field \`points\``);
  if (!Array.isArray(value.points)) throw refuse(`${at}.points: invalid type, expected a sequence`);
  onlyFields(value, FIELDS.GeoLineString, at);
  const points = value.points.map((p, i) => geoPoint(p, `${field}.points[${i}]`, `${at}.points[${i}]`));
  if (points.length <= 3)
    throw refuse(`Validation failed: polygon invalid, the size must be at least 4, got ${points.length}`);
  const [first, last] = [points[0], points[points.length - 1]];
  if (Math.abs(first.lat - last.lat) > Number.EPSILON || Math.abs(first.lon - last.lon) > Number.EPSILON)
    throw refuse(
      'Validation failed: polygon invalid, the first and the last points should be the same to form a closed line',
    );
  return points;
}

/** Qdrant's geo_polygon: an exterior ring and optional interior rings (holes), each closed. */
function geoPolygon(key: MetadataKey, g: unknown, at: string): FilterNode {
  if (!isObject(g)) throw refuse(`geo_polygon of ${shown(key)} takes exterior and interiors`);
  onlyFields(g, FIELDS.GeoPolygon, at);
  if (g.exterior === undefined) throw refuse(`${at}: missing field \`exterior\``);
  if (g.interiors !== undefined && g.interiors !== null && !Array.isArray(g.interiors))
    throw refuse(`${at}.interiors: invalid type, expected a sequence`);
  const field = `geo_polygon of ${shown(key)}`;
  // Counted before they are read: a body of millions of points is refused whole.
  const rings = [g.exterior, ...((g.interiors as unknown[] | null | undefined) ?? [])];
  const total = rings.reduce<number>((n, r) => n + (isObject(r) && Array.isArray(r.points) ? r.points.length : 0), 0);
  if (total > MAX_POLYGON_POINTS)
    throw QdrantHttpError.badRequest(
      `${field} holds ${total} points; vecgate evaluates polygons of at most ${MAX_POLYGON_POINTS} points`,
    );
  const exterior = geoRing(g.exterior, `${field}.exterior`, `${at}.exterior`);
  const interiors = ((g.interiors as unknown[] | null | undefined) ?? []).map((r, i) =>
    geoRing(r, `${field}.interiors[${i}]`, `${at}.interiors[${i}]`),
  );
  return { kind: 'geoPolygon', key, exterior, interiors };
}

function fieldCondition(c: JsonObject, at: string, outer: number, layout: QdrantLayout): FilterNode {
  const key = payloadKey(c.key, 'key', outer);
  const parts: FilterNode[] = [];
  // A payload index is on a key from the payload's root: a nested condition's keys are an element's.
  const textKey = textIndexKey(key);
  const text = outer === 0 && Object.hasOwn(layout.textIndexes, textKey) ? layout.textIndexes[textKey] : undefined;
  if (c.match !== undefined && c.match !== null) parts.push(match(key, c.match, `${at}.match`, text));
  if (c.range !== undefined && c.range !== null) parts.push(bounds(key, c.range, 'range', `${at}.range`));
  if (c.values_count !== undefined && c.values_count !== null)
    parts.push(bounds(key, c.values_count, 'values_count', `${at}.values_count`));
  if (c.geo_radius !== undefined && c.geo_radius !== null) {
    const g = c.geo_radius;
    if (!isObject(g) || typeof g.radius !== 'number' || !Number.isFinite(g.radius) || g.radius < 0)
      throw refuse(`geo_radius of ${shown(key)} takes center {lon, lat} and radius (meters)`);
    onlyFields(g, FIELDS.GeoRadius, `${at}.geo_radius`);
    const center = geoPoint(g.center, `geo_radius.center of ${shown(key)}`, `${at}.geo_radius.center`);
    parts.push({ kind: 'geoRadius', key, ...center, meters: g.radius });
  }
  if (c.geo_bounding_box !== undefined && c.geo_bounding_box !== null) {
    const g = c.geo_bounding_box;
    if (!isObject(g)) throw refuse(`geo_bounding_box of ${shown(key)} takes top_left and bottom_right`);
    onlyFields(g, FIELDS.GeoBoundingBox, `${at}.geo_bounding_box`);
    const tl = geoPoint(g.top_left, `geo_bounding_box.top_left of ${shown(key)}`, `${at}.geo_bounding_box.top_left`);
    const br = geoPoint(
      g.bottom_right,
      `geo_bounding_box.bottom_right of ${shown(key)}`,
      `${at}.geo_bounding_box.bottom_right`,
    );
    parts.push({ kind: 'geoBox', key, top: tl.lat, left: tl.lon, bottom: br.lat, right: br.lon });
  }
  if (c.geo_polygon !== undefined && c.geo_polygon !== null)
    parts.push(geoPolygon(key, c.geo_polygon, `${at}.geo_polygon`));
  // `is_empty: true` / `is_null: true` in a field condition: Qdrant's other spelling of those conditions.
  for (const [field, kind] of [
    ['is_empty', 'isEmpty'],
    ['is_null', 'isNull'],
  ] as const) {
    const flag = c[field];
    if (flag === undefined || flag === null) continue;
    if (typeof flag !== 'boolean') throw refuse(`${at}.${field} must be a boolean`);
    parts.push(flag ? { kind, key } : not({ kind, key }));
  }
  // Qdrant's FieldCondition validation (validate_field_condition): a 422, its error on the struct.
  if (parts.length === 0)
    throw QdrantHttpError.validation(
      `${at}.__all__`,
      'Validation error: At least one field condition must be specified [{}]',
    );
  return and(...parts);
}

/** The fields that make an object a filter where a condition may be one. */
const FILTER_FIELDS: readonly string[] = FIELDS.Filter;

class Parser {
  constructor(
    private readonly layout: QdrantLayout,
    /**
     * The levels of the nested conditions around this filter (each its key's, and one for the
     * array's element). Inside one, keys are the element's, and there are no ids or vectors.
     */
    private readonly outer = 0,
  ) {}

  private get nested(): boolean {
    return this.outer > 0;
  }

  /** A parser for the filter of a nested condition on `key` (already checked). */
  private inside(key: string): Parser {
    return new Parser(this.layout, this.outer + levelsOf(key) + 1);
  }

  /** One condition of a clause, at `at` in the body: its kind is told by the field that names it. */
  condition(c: unknown, at: string): FilterNode {
    if (!isObject(c)) throw refuse(`${at}: a condition must be an object`);
    if ('key' in c) {
      onlyFields(c, FIELDS.FieldCondition, at);
      // The whole key is measured before an array path is taken apart, one level at a time.
      if (typeof c.key === 'string') checkKeyLevels(c.key, 'key', this.outer);
      return typeof c.key === 'string' && c.key.includes('[]')
        ? this.arrayPath(c, at)
        : fieldCondition(c, at, this.outer, this.layout);
    }
    if (this.nested && ('has_id' in c || 'has_vector' in c))
      throw QdrantHttpError.badRequest('has_id and has_vector are not supported inside nested conditions');
    if ('has_id' in c) {
      onlyFields(c, FIELDS.HasIdCondition, at);
      if (!Array.isArray(c.has_id)) throw refuse('has_id must be a list of point ids');
      return { kind: 'idIn', ids: c.has_id.map((id, i) => pointId(id, `has_id[${i}]`)) };
    }
    for (const [field, kind] of [
      ['is_empty', 'isEmpty'],
      ['is_null', 'isNull'],
    ] as const)
      if (field in c) {
        onlyFields(c, field === 'is_empty' ? FIELDS.IsEmptyCondition : FIELDS.IsNullCondition, at);
        const inner = c[field];
        if (isObject(inner)) onlyFields(inner, FIELDS.PayloadField, `${at}.${field}`);
        // On an array path (`a[]`, `a[].b`), the field condition's spelling, which reads such paths.
        if (isObject(inner) && typeof inner.key === 'string' && inner.key.includes('[]'))
          return this.condition({ key: inner.key, [field]: true }, at);
        return { kind, key: payloadKey(isObject(inner) ? inner.key : undefined, `${field}.key`, this.outer) };
      }
    if ('has_vector' in c) {
      onlyFields(c, FIELDS.HasVectorCondition, at);
      const name = c.has_vector;
      if (typeof name !== 'string') throw refuse('has_vector must be a vector name');
      if (name === this.layout.dense) return { kind: 'hasVector', vector: 'dense' };
      if (name === this.layout.sparse?.name) return { kind: 'hasVector', vector: 'sparse' };
      if (Object.hasOwn(this.layout.positions ?? {}, name))
        return { kind: 'hasVector', vector: this.layout.positions[name] };
      throw QdrantHttpError.wrongInput(`Not existing vector name error: ${name}`);
    }
    if ('nested' in c) {
      onlyFields(c, FIELDS.NestedCondition, at);
      const n = c.nested;
      if (!isObject(n) || !isObject(n.filter)) throw refuse('nested takes key (an array of objects) and filter');
      onlyFields(n, FIELDS.Nested, `${at}.nested`);
      // `a[]` names the array `a` as `a` does (Qdrant's nested key may be written either way).
      const raw = typeof n.key === 'string' && n.key.endsWith('[]') ? n.key.slice(0, -2) : n.key;
      // `a[].b`: the arrays `b` of a's elements, flattened: one element of one of them passes the whole filter.
      const inner = typeof raw === 'string' ? raw.indexOf('[].') : -1;
      if (typeof raw === 'string' && inner > 0) {
        const rest = { nested: { key: raw.slice(inner + 3), filter: n.filter } };
        return this.condition({ nested: { key: raw.slice(0, inner), filter: { must: [rest] } } }, at);
      }
      const key = payloadKey(raw, 'nested.key', this.outer);
      return { kind: 'nested', key, filter: this.inside(raw as string).filter(n.filter, `${at}.nested.filter`) };
    }
    if (FILTER_FIELDS.some((f) => f in c)) return this.filter(c, at);
    throw refuse(`${at}: unknown condition ${JSON.stringify(Object.keys(c))}`);
  }

  /**
   * A field condition on `a[].b`: some element of the array `a` has a `b` that passes, as Qdrant
   * flattens such paths (each condition may be passed by a different element: use `nested` for
   * one element passing several). `a[]` alone is `a`: a condition on an array passes when one
   * element does.
   */
  private arrayPath(c: JsonObject, at: string): FilterNode {
    const key = c.key as string;
    const i = key.indexOf('[]');
    const outer = key.slice(0, i);
    const rest = key.slice(i + 2);
    if (outer === '' || (rest !== '' && (!rest.startsWith('.') || rest.length === 1)))
      throw refuse(`key ${JSON.stringify(key)}: an array path is written a[].b`);
    if (rest === '') return this.condition({ ...c, key: outer }, at);
    return {
      kind: 'nested',
      key: payloadKey(outer, 'key', this.outer),
      filter: this.inside(outer).condition({ ...c, key: rest.slice(1) }, at),
    };
  }

  /** A clause holds one condition or a list of them. */
  private clause(value: unknown, at: string): FilterNode[] | null {
    if (value === undefined || value === null) return null;
    if (!Array.isArray(value)) return [this.condition(value, at)];
    return value.map((c, i) => this.condition(c, `${at}[${i}]`));
  }

  filter(f: JsonObject, at: string): FilterNode {
    onlyFields(f, FIELDS.Filter, at);
    const must = this.clause(f.must, `${at}.must`) ?? [];
    const should = this.clause(f.should, `${at}.should`);
    const mustNot = this.clause(f.must_not, `${at}.must_not`) ?? [];
    const parts: FilterNode[] = [...must, ...mustNot.map(not)];
    if (should && should.length > 0) parts.push(or(...should));
    if (f.min_should !== undefined && f.min_should !== null) {
      const m = f.min_should;
      if (!isObject(m) || !Array.isArray(m.conditions))
        throw refuse('min_should takes conditions (a list) and min_count (an unsigned integer)');
      onlyFields(m, FIELDS.MinShould, `${at}.min_should`);
      const min = usize(m.min_count, `${at}.min_should.min_count`);
      // Qdrant 1.19 refuses 0, which would match every point.
      if (min === 0) throw QdrantHttpError.validation(`${at}.min_should.min_count`, 'min_count must be greater than 0');
      const children = m.conditions.map((c, i) => this.condition(c, `${at}.min_should.conditions[${i}]`));
      parts.push(min > children.length ? { kind: 'none' } : { kind: 'atLeast', min, children });
    }
    return and(...parts);
  }
}

/**
 * A request's `filter` (at `at` in its body), or everything when there is none. `use` says what
 * the filter selects for, read or write, for strict mode's rule on unindexed keys (strict-mode.ts);
 * null for filters strict mode does not check (an upsert's update_filter, the console's).
 */
export function parseQdrantFilter(
  filter: unknown,
  layout: QdrantLayout,
  at = 'filter',
  use: 'read' | 'write' | null = 'read',
): FilterNode {
  if (filter === undefined || filter === null) return ALL;
  const tooLarge = filterTooLarge(filter);
  if (tooLarge) throw QdrantHttpError.badRequest(tooLarge);
  if (!isObject(filter)) throw refuse(`${at} must be an object`);
  const parsed = new Parser(layout).filter(filter, at);
  if (use) checkIndexedFilter(filter, layout.settings.strict_mode_config, layout.payloadIndexes, use);
  return parsed;
}
