import { InvalidArgumentError } from '../errors';
import {
  keyLevels,
  MAX_KEY_PATH_LEVELS,
  MAX_POLYGON_POINTS,
  type FilterNode,
  type GeoRing,
  type MetadataKey,
  type Scalar,
} from './filter-ast';
import { foldOr } from './fold-or';
import type { SqlParams } from './sql-params';
import { vectorColumn } from '../collections/vector-index';
import { textConfig } from '../text/text-field';
import { textColumn } from '../text/text-fields.repository';

/**
 * Compiles a filter to a SQL boolean over a record table's columns (id, document, metadata).
 * Every value and every key is a bind parameter. Equality and array membership compile to
 * `metadata @> $n::jsonb`, which the GIN (jsonb_path_ops) index serves; substring search to
 * LIKE, which the trigram index serves. A negation is `(..) IS NOT TRUE`, so a record without
 * metadata or document counts as "does not match" instead of vanishing as NULL, and the planner
 * estimates it as the rest of what the inner node keeps (NOT coalesce(.., false) it priced at a
 * flat half of the table, which sent a negation keeping 2% down the HNSW walk). Positive forms
 * stay bare so the planner can still use the indexes. An `or` over one key folds into one list
 * (foldOr), and a key named again reuses its parameter (SqlParams), so that a filter's parameters
 * and expression grow with its keys and lists rather than with its values. A key path deeper
 * than MAX_KEY_PATH_LEVELS (`levels`: those of the nested filters around the node) is refused,
 * whichever protocol built it.
 */
export function compileFilter(node: FilterNode, params: SqlParams, root = 'metadata', levels = 0): string {
  return compile(node, params, root, levels);
}

/**
 * The form of a filter the planner is asked to estimate (RecordsRepository.estimateMatches): the
 * same records as compileFilter's, but an equality, an `$in` and an array membership on a key with
 * statistics of its values (`statisticsKeys`, paths: RangeIndexRepository's `values` kind) compare
 * the value at the key, which those statistics price, instead of testing containment in the whole
 * metadata, which the GIN index serves but the planner prices from a histogram of whole documents:
 * one sorted by the documents' first keys, which priced an equality keeping 0.1% of a table at 5%
 * (docs/storage-and-search.md). A key without them keeps containment, which that histogram prices
 * better than no statistics at all. On such a key an `isEmpty` also counts the values at the key
 * (the count those statistics hold, as `valuesCount` does in both forms), and a `nested` filter is
 * one jsonpath test of the array at the key (`@?`), which the planner tries on the statistics'
 * most common arrays and histogram entries, where it cannot price the EXISTS over its elements.
 */
export function compileEstimate(node: FilterNode, params: SqlParams, statisticsKeys: string[][] = []): string {
  return compile(node, params, 'metadata', 0, new Set(statisticsKeys.map((k) => JSON.stringify(k))));
}

/** `estimating`: compileEstimate's keys with statistics, as JSON paths; undefined for the form that runs. */
function compile(
  node: FilterNode,
  params: SqlParams,
  root: string,
  levels: number,
  estimating?: ReadonlySet<string>,
): string {
  if ('key' in node) checkLevels(node.key, levels);
  switch (node.kind) {
    case 'all':
      return 'TRUE';
    case 'none':
      return 'FALSE';
    case 'and':
      return `(${node.children.map((c) => compile(c, params, root, levels, estimating)).join(' AND ')})`;
    case 'or':
      return compileOr(node.children, params, root, levels, estimating);
    case 'not':
      return `((${compile(node.child, params, root, levels, estimating)}) IS NOT TRUE)`;
    case 'atLeast': {
      const counted = node.children.map((c) => `coalesce(${compile(c, params, root, levels, estimating)}, FALSE)::int`);
      return counted.length === 0 ? 'FALSE' : `((${counted.join(' + ')}) >= ${params.add(node.min, 'int')})`;
    }
    case 'eq':
      // Containment holds where the value at the key equals it (an array holding it does not contain a scalar).
      if (hasStatistics(node.key, root, estimating))
        return `(${access(node.key, params, root).value}) = ${params.add(JSON.stringify(node.value), 'jsonb')}`;
      return `${root} @> ${params.add(JSON.stringify(nested(node.key, node.value)), 'jsonb')}`;
    case 'arrayContains':
      if (hasStatistics(node.key, root, estimating))
        return `(${access(node.key, params, root).value}) @> ${params.add(JSON.stringify([node.value]), 'jsonb')}`;
      return `${root} @> ${params.add(JSON.stringify(nested(node.key, [node.value])), 'jsonb')}`;
    case 'anyOf':
      return compileAnyOf(node.key, node.values, node.inArrays, params, root, estimating);
    case 'range': {
      // One expression a key's index is built on (RangeIndexRepository), so that the planner reads
      // the selectivity of the range from that index's statistics: a type guard beside a bare
      // comparison was priced as the product of two defaults, about 0.2% of the table whatever it kept.
      const { value, text } = access(node.key, params, root);
      if (typeof node.value === 'string') {
        // Byte order (COLLATE "C"), not the database's collation, which may skip punctuation.
        return `(${stringAt(value, text)} COLLATE "C" ${node.operator} ${params.add(node.value, 'text')} COLLATE "C")`;
      }
      // jsonb numbers are numerics: the cast is exact, and a numeric range is estimated within a histogram bucket.
      return `(${numberAt(value)} ${node.operator} ${params.add(JSON.stringify(node.value), 'numeric')})`;
    }
    case 'textMatch': {
      const { value, text } = access(node.key, params, root);
      const pattern = params.add(likePattern(node), 'text');
      if (!node.inArrays) return `(${stringAt(value, text)} LIKE ${pattern})`;
      const element = `EXISTS (SELECT 1 FROM jsonb_array_elements(${value}) e WHERE jsonb_typeof(e) = 'string' AND e #>> '{}' LIKE ${pattern})`;
      return `(${stringAt(value, text)} LIKE ${pattern} OR (jsonb_typeof(${value}) = 'array' AND ${element}))`;
    }
    case 'exists':
      return `(${access(node.key, params, root).value}) IS NOT NULL`;
    case 'isNull':
      // A comparison, not jsonb_typeof: the planner reads it from the key's statistics.
      return `(${access(node.key, params, root).value}) = 'null'::jsonb`;
    case 'isEmpty': {
      const { value } = access(node.key, params, root);
      // Missing, null or [] is no value at all: the count a key's statistics hold (valuesCountAt).
      if (hasStatistics(node.key, root, estimating)) return `${valuesCountAt(value)} = 0`;
      return `coalesce(jsonb_typeof(${value}) = 'null' OR (${value}) = '[]'::jsonb, TRUE)`;
    }
    case 'valuesCount': {
      const { value } = access(node.key, params, root);
      return `${valuesCountAt(value)} ${node.operator} ${params.add(node.count, 'int')}`;
    }
    case 'geoRadius': {
      const [cLat, cLon] = [params.add(node.lat, 'float8'), params.add(node.lon, 'float8')];
      const meters = params.add(node.meters, 'float8');
      const within = (lat: string, lon: string) =>
        `2 * 6371008.8 * asin(least(1, sqrt(power(sin(radians(${lat} - ${cLat}) / 2), 2) + cos(radians(${cLat})) * cos(radians(${lat})) * power(sin(radians(${lon} - ${cLon}) / 2), 2)))) <= ${meters}`;
      // No point farther north or south than the radius is in it: a latitude range a geo index serves.
      const degrees = node.meters / GEO_METERS_PER_DEGREE;
      const band = `${latitudeAt(node.key, params, root)} BETWEEN ${params.add(node.lat - degrees, 'float8')} AND ${params.add(node.lat + degrees, 'float8')}`;
      return geoCondition(node.key, params, root, band, within);
    }
    case 'geoBox': {
      const [top, bottom] = [params.add(node.top, 'float8'), params.add(node.bottom, 'float8')];
      const [left, right] = [params.add(node.left, 'float8'), params.add(node.right, 'float8')];
      // A box that crosses the antimeridian (left east of right) wraps around.
      const within = (lat: string, lon: string) =>
        `${lat} BETWEEN ${bottom} AND ${top} AND (CASE WHEN ${left} <= ${right} THEN ${lon} BETWEEN ${left} AND ${right} ELSE ${lon} >= ${left} OR ${lon} <= ${right} END)`;
      const band = `${latitudeAt(node.key, params, root)} BETWEEN ${bottom} AND ${top}`;
      return geoCondition(node.key, params, root, band, within);
    }
    case 'geoPolygon':
      return compileGeoPolygon(node.key, node.exterior, node.interiors, params, root);
    case 'nested': {
      const { value } = access(node.key, params, root);
      if (hasStatistics(node.key, root, estimating)) {
        // The same test as one jsonpath, which the planner tries on samples of the array at the key.
        const predicate = elementPredicate(node.filter, '@', levels + keyLevels(node.key) + 1);
        if (predicate !== undefined) return `(${value}) @? ${params.add(`strict $[*] ? (${predicate})`, 'jsonpath')}`;
      }
      // Each element of the array at the key is the root of the inner filter; one must pass all of it.
      const element = params.alias('ne');
      const elements = `jsonb_array_elements(CASE WHEN jsonb_typeof(${value}) = 'array' THEN ${value} ELSE '[]'::jsonb END)`;
      const inner = compile(node.filter, params, `${element}.e`, levels + keyLevels(node.key) + 1, estimating);
      return `EXISTS (SELECT 1 FROM ${elements} AS ${element}(e) WHERE ${inner})`;
    }
    case 'hasVector':
      if (typeof node.vector === 'number') return `${vectorColumn(node.vector)} IS NOT NULL`;
      return node.vector === 'dense' ? 'embedding IS NOT NULL' : 'sparse_embedding IS NOT NULL';
    case 'documentContains':
      return `document LIKE ${params.add(`%${escapeLike(node.text)}%`, 'text')}`;
    case 'documentRegex':
      return `document ~ ${params.add(node.pattern, 'text')}`;
    case 'idIn':
      return `id = ANY(${params.add(node.ids, 'text[]')})`;
    case 'textWords': {
      // The query's words are made in the statement by the field's analyser, as the values' were;
      // a sub-select, so that a generic plan computes the tsquery once, not once per row.
      const { field } = node;
      const query = `vecgate_text_match(${params.add(textConfig(field.analyzer))}::regconfig, ${params.add(JSON.stringify(field.analyzer))}::jsonb, ${params.add(node.text, 'text')}, ${params.add(node.mode, 'text')})`;
      return `${textColumn(field.position)} @@ (SELECT ${query})`;
    }
  }
}

/**
 * An `or`, folded (foldOr): substring matches on one key, or on the document, become one LIKE over
 * a list of patterns, which the trigram indexes serve as they do a single pattern.
 */
function compileOr(
  children: FilterNode[],
  params: SqlParams,
  root: string,
  levels: number,
  estimating?: ReadonlySet<string>,
): string {
  const { nodes, texts, documents } = foldOr(children);
  const branches = nodes.map((c) => compile(c, params, root, levels, estimating));
  for (const { key, matches } of texts) {
    checkLevels(key, levels);
    const { value, text } = access(key, params, root);
    const patterns = params.add(unique(matches.map(likePattern)), 'text[]');
    branches.push(`(${stringAt(value, text)} LIKE ANY(${patterns}))`);
  }
  if (documents.length > 0) {
    const patterns = unique(documents.map((d) => `%${escapeLike(d.text)}%`));
    branches.push(`document LIKE ANY(${params.add(patterns, 'text[]')})`);
  }
  if (branches.length === 0) return 'FALSE';
  return `(${branches.join(' OR ')})`;
}

const unique = (values: string[]): string[] => [...new Set(values)];

/** Whether the estimated form of a test on the key compares its value: a record's own key (not an array element's) with statistics. */
function hasStatistics(key: MetadataKey, root: string, estimating?: ReadonlySet<string>): boolean {
  return root === 'metadata' && !!estimating?.has(JSON.stringify(Array.isArray(key) ? key : [key]));
}

/** The LIKE pattern of a text match, its wildcards escaped. */
function likePattern(node: Extract<FilterNode, { kind: 'textMatch' }>): string {
  const escaped = escapeLike(node.text);
  return { exact: escaped, prefix: `${escaped}%`, suffix: `%${escaped}`, contains: `%${escaped}%` }[node.mode];
}

function checkLevels(key: MetadataKey, outer: number): void {
  const levels = outer + keyLevels(key);
  if (levels > MAX_KEY_PATH_LEVELS)
    throw new InvalidArgumentError(
      `A filter's key paths may reach at most ${MAX_KEY_PATH_LEVELS} levels into the metadata (an array's elements are one level below it); this one reaches ${levels}`,
    );
}

/**
 * A jsonpath predicate (strict mode) on the item `at` (`@`: an element of the array a nested filter
 * reads) that is true exactly where compile's SQL for `node`, rooted at that element, is true;
 * undefined where `node` holds a test it has no such predicate for (the SQL's EXISTS is estimated
 * then). In strict mode a key missing or read on a non-object, `[*]` on a non-array, and a
 * comparison of an array or object, or of a number with a string, are not true: as the SQL's
 * containment, its `->` on the wrong type (NULL) and numberAt. `&&` and `||` are true exactly
 * where both or either side is, as AND and OR; a negation is true wherever its child is not, as
 * IS NOT TRUE (`!` alone keeps unknown unknown). Values are jsonpath literals, in the path that is
 * one bind parameter. String ranges are left out: jsonpath orders strings by code point, which is
 * byte order only in UTF-8. `levels` as compile's.
 */
function elementPredicate(node: FilterNode, at: string, levels: number): string | undefined {
  if ('key' in node) {
    checkLevels(node.key, levels);
    if (!jsonpathKey(node.key)) return undefined;
  }
  const all = (nodes: FilterNode[], join: string): string | undefined => {
    const parts = nodes.map((c) => elementPredicate(c, at, levels));
    return parts.every((p) => p !== undefined) ? `(${parts.join(join)})` : undefined;
  };
  const member = (key: MetadataKey): string =>
    at + (Array.isArray(key) ? key : [key]).map((k) => `.${JSON.stringify(k)}`).join('');
  switch (node.kind) {
    case 'and':
      return all(node.children, ' && ');
    case 'or':
      return all(node.children, ' || ');
    case 'not': {
      const child = elementPredicate(node.child, at, levels);
      return child === undefined ? undefined : `(!(${child}) || (${child}) is unknown)`;
    }
    case 'eq': {
      const value = jsonpathLiteral(node.value);
      return value === undefined ? undefined : `(${member(node.key)} == ${value})`;
    }
    case 'arrayContains': {
      const value = jsonpathLiteral(node.value);
      return value === undefined ? undefined : `exists(${member(node.key)}[*] ? (@ == ${value}))`;
    }
    case 'anyOf': {
      const values = node.values.map(jsonpathLiteral);
      if (values.length === 0 || values.length > MAX_PATH_VALUES || values.some((v) => v === undefined))
        return undefined;
      const equal = (item: string) => values.map((v) => `${item} == ${v}`).join(' || ');
      const scalar = `(${equal(member(node.key))})`;
      return node.inArrays ? `(${scalar} || exists(${member(node.key)}[*] ? (${equal('@')})))` : scalar;
    }
    case 'range':
      if (typeof node.value !== 'number' || !Number.isFinite(node.value)) return undefined;
      return `(${member(node.key)} ${node.operator} ${JSON.stringify(node.value)})`;
    case 'exists':
      return `exists(${member(node.key)})`;
    case 'isNull':
      return `(${member(node.key)} == null)`;
    case 'nested': {
      const inner = elementPredicate(node.filter, '@', levels + keyLevels(node.key) + 1);
      return inner === undefined ? undefined : `exists(${member(node.key)}[*] ? (${inner}))`;
    }
    default:
      return undefined;
  }
}

/** The most values of an `$in` a jsonpath predicate spells out, one comparison each. */
const MAX_PATH_VALUES = 64;

/**
 * A key the jsonpath member accessor reads as the SQL does: not one that jsonpath cannot spell (a
 * NUL, an unpaired surrogate), nor a path through a part that `#>` would take as an array's index.
 */
function jsonpathKey(key: MetadataKey): boolean {
  if (!Array.isArray(key)) return spellable(key);
  return key.every((k) => spellable(k) && !/^[ \t\n\v\f\r]*[+-]?[0-9]+$/.test(k));
}

/** A scalar as a jsonpath literal (JSON's spelling, which jsonpath reads), or undefined where it has none. */
function jsonpathLiteral(value: Scalar): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : undefined;
  if (typeof value === 'string' && !spellable(value)) return undefined;
  return JSON.stringify(value);
}

/** Whether a string is text jsonb and jsonpath take: no NUL, no unpaired surrogate. */
function spellable(text: string): boolean {
  return (
    !text.includes('\u0000') && !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text)
  );
}

/** Lists up to this long compile to one containment test a value, each of which the GIN index serves. */
const SHORT_LIST = 16;

/**
 * `$in`: a short list as containment tests the GIN index serves (one bitmap scan a value); a long
 * one as a single jsonb[] parameter, which Postgres hashes once and probes per row.
 */
function compileAnyOf(
  key: MetadataKey,
  values: Scalar[],
  inArrays: boolean,
  params: SqlParams,
  root: string,
  estimating?: ReadonlySet<string>,
): string {
  if (values.length === 0) return 'FALSE';
  const estimated = hasStatistics(key, root, estimating);
  if (values.length <= SHORT_LIST && !estimated) {
    const tests = values.flatMap((v) => [
      `${root} @> ${params.add(JSON.stringify(nested(key, v)), 'jsonb')}`,
      ...(inArrays ? [`${root} @> ${params.add(JSON.stringify(nested(key, [v])), 'jsonb')}`] : []),
    ]);
    return `(${tests.join(' OR ')})`;
  }
  const { value } = access(key, params, root);
  const list = params.add(
    values.map((v) => JSON.stringify(v)),
    'jsonb[]',
  );
  const scalar = `(${value}) = ANY(${list})`;
  if (!inArrays) return scalar;
  if (estimated) {
    const arrays = params.add(
      values.map((v) => JSON.stringify([v])),
      'jsonb[]',
    );
    return `(${scalar} OR (${value}) @> ANY(${arrays}))`;
  }
  const element = `(jsonb_typeof(${value}) = 'array' AND EXISTS (SELECT 1 FROM jsonb_array_elements(${value}) AS e(v) WHERE e.v = ANY(${list})))`;
  return `(${scalar} OR ${element})`;
}

/** `{"a": {"b": v}}` for the path a.b: containment reaches into nested objects too. */
function nested(key: MetadataKey, value: unknown): Record<string, unknown> {
  const path = Array.isArray(key) ? key : [key];
  return path.reduceRight<unknown>((inner, k) => ({ [k]: inner }), value) as Record<string, unknown>;
}

/** The jsonb value and its text at a key or path; the key is a bind parameter either way. */
function access(key: MetadataKey, params: SqlParams, root: string): { value: string; text: string } {
  if (Array.isArray(key)) {
    const p = params.add(key, 'text[]');
    return { value: metadataValueAt(p, true, root), text: metadataTextAt(p, true, root) };
  }
  const p = params.add(key, 'text');
  return { value: metadataValueAt(p, false, root), text: metadataTextAt(p, false, root) };
}

/**
 * The jsonb value at a key (`ref` a text) or a nested path (`ref` a text[]). A range index is
 * built on this same expression with the key as a literal (RangeIndexRepository): a search binds
 * the key as a parameter, which the planner folds into that literal, and it only uses an index
 * whose expression is the same.
 */
export function metadataValueAt(ref: string, path: boolean, root = 'metadata'): string {
  return path ? `${root} #> ${ref}` : `${root} -> ${ref}`;
}

/** The text at a key or path (`ref` as in metadataValueAt): what string ranges and substring matches compare. */
export function metadataTextAt(ref: string, path: boolean, root = 'metadata'): string {
  return path ? `${root} #>> ${ref}` : `${root} ->> ${ref}`;
}

/**
 * The number at a key as numeric, NULL where it holds anything else: what numeric ranges compare,
 * and the expression of a numeric range index (whose statistics the planner then reads).
 */
export function numberAt(value: string): string {
  return `(CASE WHEN jsonb_typeof(${value}) = 'number' THEN (${value})::numeric END)`;
}

/**
 * The string at a key, NULL where it holds anything else (`text`: the text at the key, as
 * metadataTextAt): what string ranges and substring matches compare, and the expression of a string
 * or text index on the key.
 */
export function stringAt(value: string, text: string): string {
  return `(CASE WHEN jsonb_typeof(${value}) = 'string' THEN ${text} END)`;
}

/**
 * How many values the jsonb `value` holds: an array's length, 0 where it is missing (SQL NULL) or
 * JSON null, 1 for any other value. What `valuesCount` compares, and the expression of the
 * statistics of a key's count of values (RangeIndexRepository's `values` kind).
 */
export function valuesCountAt(value: string): string {
  return `(CASE WHEN (${value}) IS NULL OR jsonb_typeof(${value}) = 'null' THEN 0 WHEN jsonb_typeof(${value}) = 'array' THEN jsonb_array_length(${value}) ELSE 1 END)`;
}

/** Meters per degree of latitude on the sphere geo_radius measures on (radius 6,371,008.8 m). */
const GEO_METERS_PER_DEGREE = (2 * Math.PI * 6371008.8) / 360;

/**
 * The latitude at the key as float8, or NULL where it is no number: safe to evaluate on any row in
 * any order (a cast under a separate guard is not), and the expression a geo index is built on.
 */
export function geoLatitude(value: string): string {
  return `(CASE WHEN jsonb_typeof(${value} -> 'lat') = 'number' THEN (${value} ->> 'lat')::float8 END)`;
}

function latitudeAt(key: MetadataKey, params: SqlParams, root: string): string {
  return geoLatitude(access(key, params, root).value);
}

/** Whether the jsonb `point` is an object with numeric `lat` and `lon`. */
function isGeoPoint(point: string): string {
  return `jsonb_typeof(${point} -> 'lat') = 'number' AND jsonb_typeof(${point} -> 'lon') = 'number'`;
}

/**
 * A geo condition on the value at the key: a point `{lat, lon}` whose latitude and longitude (as
 * float8) pass `within`, or, as Qdrant matches a field holding several locations, an array one of
 * whose elements is such a point. `band` keeps the latitudes a single point can have. Each CASE
 * keeps the casts away from a value that is not a point (a cast error would fail the statement).
 */
function geoCondition(
  key: MetadataKey,
  params: SqlParams,
  root: string,
  band: string,
  within: (lat: string, lon: string) => string,
): string {
  const { value } = access(key, params, root);
  const point = (p: string) =>
    `CASE WHEN ${isGeoPoint(p)} THEN ${within(`((${p} ->> 'lat')::float8)`, `((${p} ->> 'lon')::float8)`)} ELSE FALSE END`;
  const element = params.alias('gp');
  const elements = `jsonb_array_elements(CASE WHEN jsonb_typeof(${value}) = 'array' THEN ${value} ELSE '[]'::jsonb END)`;
  const inArray = `(jsonb_typeof(${value}) = 'array' AND EXISTS (SELECT 1 FROM ${elements} AS ${element}(p) WHERE ${point(`${element}.p`)}))`;
  return `((${band} AND ${point(value)}) OR ${inArray})`;
}

/**
 * A geo polygon: the exterior's bounding box first (its latitudes a band a geo index serves), then
 * the winding number of the point around each ring, as Rust's geo crate counts it
 * (`coord_pos_relative_to_ring`: an upward edge counts its start, a downward edge its end, a
 * horizontal edge neither, and a point on an edge is on the boundary, so in no ring). The edges of
 * every ring are five bind parameters (ring, start and end as arrays), whatever the polygon's size:
 * the statement and its parameters do not grow with the points.
 */
function compileGeoPolygon(
  key: MetadataKey,
  exterior: GeoRing,
  interiors: GeoRing[],
  params: SqlParams,
  root: string,
): string {
  const rings = [exterior, ...interiors];
  const points = rings.reduce((n, r) => n + r.length, 0);
  if (points > MAX_POLYGON_POINTS)
    throw new InvalidArgumentError(`a geo polygon holds at most ${MAX_POLYGON_POINTS} points, this one ${points}`);
  for (const ring of rings) {
    if (ring.length < 4 || ring.some((p) => !Number.isFinite(p.lat) || !Number.isFinite(p.lon)))
      throw new InvalidArgumentError('a geo polygon ring takes at least 4 points of finite degrees');
    const [first, last] = [ring[0], ring[ring.length - 1]];
    if (first.lat !== last.lat || first.lon !== last.lon)
      throw new InvalidArgumentError('a geo polygon ring ends where it starts');
  }
  const edges = { r: [] as number[], x1: [] as number[], y1: [] as number[], x2: [] as number[], y2: [] as number[] };
  rings.forEach((ring, r) => {
    for (let i = 0; i + 1 < ring.length; i++) {
      edges.r.push(r);
      edges.x1.push(ring[i].lon);
      edges.y1.push(ring[i].lat);
      edges.x2.push(ring[i + 1].lon);
      edges.y2.push(ring[i + 1].lat);
    }
  });
  const lats = exterior.map((p) => p.lat);
  const lons = exterior.map((p) => p.lon);
  const [south, north] = [params.add(Math.min(...lats), 'float8'), params.add(Math.max(...lats), 'float8')];
  const [west, east] = [params.add(Math.min(...lons), 'float8'), params.add(Math.max(...lons), 'float8')];
  const e = params.alias('pe');
  const unnest = `unnest(${params.add(edges.r, 'int[]')}, ${params.add(edges.x1, 'float8[]')}, ${params.add(edges.y1, 'float8[]')}, ${params.add(edges.x2, 'float8[]')}, ${params.add(edges.y2, 'float8[]')}) AS ${e}(r, x1, y1, x2, y2)`;
  const within = (lat: string, lon: string): string => {
    const [px, py] = [`${e}q.px`, `${e}q.py`];
    const [x1, y1, x2, y2] = [`${e}.x1`, `${e}.y1`, `${e}.x2`, `${e}.y2`];
    // orient2d(start, end, point): positive counter-clockwise, negative clockwise, 0 collinear.
    const o = `((${x2} - ${x1}) * (${py} - ${y1}) - (${px} - ${x1}) * (${y2} - ${y1}))`;
    const between = `${px} BETWEEN least(${x1}, ${x2}) AND greatest(${x1}, ${x2})`;
    const winding = `CASE WHEN ${y1} <= ${py} THEN CASE WHEN ${y2} >= ${py} AND ${o} > 0 AND ${y2} <> ${py} THEN 1 ELSE 0 END WHEN ${y2} <= ${py} THEN CASE WHEN ${o} < 0 THEN -1 ELSE 0 END ELSE 0 END`;
    const boundary = `CASE WHEN ${y1} <= ${py} THEN ${y2} >= ${py} AND ${o} = 0 AND ${between} WHEN ${y2} <= ${py} THEN ${o} = 0 AND ${between} ELSE FALSE END`;
    const perRing = `SELECT ${e}.r, sum(${winding}) AS w, bool_or(${boundary}) AS b FROM (SELECT ${lon} AS px, ${lat} AS py) AS ${e}q CROSS JOIN ${unnest} GROUP BY ${e}.r`;
    // Inside the exterior (r = 0) and outside every hole, on no ring's line.
    const inside = `(SELECT coalesce(bool_and(CASE WHEN ${e}s.r = 0 THEN ${e}s.w <> 0 ELSE ${e}s.w = 0 END AND NOT ${e}s.b), FALSE) FROM (${perRing}) AS ${e}s)`;
    return `${lat} BETWEEN ${south} AND ${north} AND ${lon} BETWEEN ${west} AND ${east} AND ${inside}`;
  };
  const band = `${latitudeAt(key, params, root)} BETWEEN ${south} AND ${north}`;
  return geoCondition(key, params, root, band, within);
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
