import type { TextField } from '../text/text-field';

/**
 * The neutral filter model every protocol parses into. It has no protocol rules of its own: a
 * dialect's quirks are spelled out with these nodes (Chroma's `$ne` is `not(eq)` and so matches a
 * record that lacks the key; Pinecone's is `and(exists, not(eq))`). `not` is two-valued: a record
 * with no metadata, or no document, simply does not match the inner node.
 */
export type Scalar = string | number | boolean;

export type RangeOperator = '>' | '>=' | '<' | '<=';

/** A top-level metadata key, or a path of keys into nested objects (Vectorizer's `a.b.c`). */
export type MetadataKey = string | string[];

export type FilterNode =
  | { kind: 'all' }
  | { kind: 'none' }
  | { kind: 'and'; children: FilterNode[] }
  | { kind: 'or'; children: FilterNode[] }
  | { kind: 'not'; child: FilterNode }
  /** At least `min` of the children match (Qdrant's min_should). */
  | { kind: 'atLeast'; min: number; children: FilterNode[] }
  /** metadata[key] equals value; int 2 equals float 2.0, a string never equals a number. */
  | { kind: 'eq'; key: MetadataKey; value: Scalar }
  /** metadata[key] is an array with value among its elements. */
  | { kind: 'arrayContains'; key: MetadataKey; value: Scalar }
  /**
   * metadata[key] equals one of values (`$in`), or, with `inArrays`, is also an array holding one
   * of them. One node however long the list: a long list is one array parameter, not one per value.
   */
  | { kind: 'anyOf'; key: MetadataKey; values: Scalar[]; inArrays: boolean }
  /**
   * metadata[key] compares so with value, both numbers (numerically) or both strings (in byte
   * order, so that ISO dates compare as dates); values of other types never match.
   */
  | { kind: 'range'; key: MetadataKey; operator: RangeOperator; value: number | string }
  /**
   * metadata[key] is a string that equals, starts with, ends with or contains text (case-sensitive),
   * or, with `inArrays`, is also an array with such a string among its elements (Qdrant's prefix).
   */
  | {
      kind: 'textMatch';
      key: MetadataKey;
      mode: 'exact' | 'prefix' | 'suffix' | 'contains';
      text: string;
      inArrays?: boolean;
    }
  | { kind: 'exists'; key: MetadataKey }
  /** metadata[key] is present and JSON null. */
  | { kind: 'isNull'; key: MetadataKey }
  /** metadata[key] is missing, null or an empty array. */
  | { kind: 'isEmpty'; key: MetadataKey }
  /**
   * How many values metadata[key] holds (an array's length, 1 for any other value, 0 when missing
   * or null) compares so with count.
   */
  | { kind: 'valuesCount'; key: MetadataKey; operator: RangeOperator; count: number }
  /**
   * metadata[key] is a point `{"lat": .., "lon": ..}` (degrees) within `meters` of the centre, on
   * a sphere of the Earth's mean radius (haversine).
   */
  | { kind: 'geoRadius'; key: MetadataKey; lat: number; lon: number; meters: number }
  /** metadata[key] is a point within the box from its top-left to its bottom-right corner. */
  | { kind: 'geoBox'; key: MetadataKey; top: number; left: number; bottom: number; right: number }
  /**
   * metadata[key] is a point inside the polygon, on the plane of longitudes (x) and latitudes (y):
   * inside the exterior ring and in none of the interior rings (holes), a point on a ring's line
   * being in neither (the rule of Rust's geo crate, which Qdrant's geo_polygon follows: a nonzero
   * winding number). Each ring is closed (its last point is its first) and has at least 4 points;
   * all rings together hold at most MAX_POLYGON_POINTS.
   */
  | { kind: 'geoPolygon'; key: MetadataKey; exterior: GeoRing; interiors: GeoRing[] }
  /**
   * metadata[key] is an array one of whose elements matches `filter` whole (keys in it are the
   * element's own). The inner filter reads metadata only: no ids, documents or vectors.
   */
  | { kind: 'nested'; key: MetadataKey; filter: FilterNode }
  /** The record holds a dense (embedding) or a sparse vector. */
  /** The record holds the default dense or sparse vector, or the named one at that catalog position. */
  | { kind: 'hasVector'; vector: 'dense' | 'sparse' | number }
  /** The document contains text (case-sensitive substring). */
  | { kind: 'documentContains'; text: string }
  /** The document matches a regular expression (Postgres ARE syntax) somewhere: search, not full match. */
  | { kind: 'documentRegex'; pattern: string }
  | { kind: 'idIn'; ids: string[] }
  /**
   * A text field (full-text search, text-field.ts) holds the text's words under its analyser:
   * any of them, all of them, or all of them in order (a phrase); a text with no words matches nothing.
   */
  | { kind: 'textWords'; field: TextField; mode: 'any' | 'all' | 'phrase'; text: string };

/** A closed line of points in degrees: a polygon's exterior or one of its holes. */
export type GeoRing = ReadonlyArray<{ lat: number; lon: number }>;

/**
 * The most points a geo polygon's rings may hold together. The polygon is bound as five arrays
 * whatever its size, but each candidate point is tested against every edge: the bound keeps one
 * condition's work per point in step with an `$in` list's (MAX_FILTER_LIST).
 */
export const MAX_POLYGON_POINTS = 10_000;

export const ALL: FilterNode = { kind: 'all' };

/**
 * The longest `$in`/`$nin` list a filter may hold (Pinecone's documented limit, applied to every
 * protocol): past it a request is refused, so that no list outgrows a statement.
 */
export const MAX_FILTER_LIST = 10_000;

/** How deeply a filter's operators may nest: far past any real query, short of the parsers' stack. */
export const MAX_FILTER_DEPTH = 64;

/**
 * How many levels a key path may reach down into a record's metadata, counted from its root
 * through the nested filters around it (an array's elements are one level below the array).
 * Each level of a nested filter is a subquery in SQL, which Postgres plans at a cost that grows
 * far faster than the depth.
 */
export const MAX_KEY_PATH_LEVELS = 16;

/** The levels a key reaches: one per part of a path. */
export function keyLevels(key: MetadataKey): number {
  return Array.isArray(key) ? key.length : 1;
}

export function and(...children: FilterNode[]): FilterNode {
  const kept = children.filter((c) => c.kind !== 'all');
  if (kept.some((c) => c.kind === 'none')) return { kind: 'none' };
  if (kept.length === 0) return ALL;
  return kept.length === 1 ? kept[0] : { kind: 'and', children: kept };
}

export function or(...children: FilterNode[]): FilterNode {
  const kept = children.filter((c) => c.kind !== 'none');
  if (kept.some((c) => c.kind === 'all')) return ALL;
  if (kept.length === 0) return { kind: 'none' };
  return kept.length === 1 ? kept[0] : { kind: 'or', children: kept };
}

export function not(child: FilterNode): FilterNode {
  if (child.kind === 'all') return { kind: 'none' };
  if (child.kind === 'none') return ALL;
  if (child.kind === 'not') return child.child;
  return { kind: 'not', child };
}
