import type { Include, StoredRecord } from '../records/record.model';
import type { Scored } from './plan';

/** How a plan's points are grouped (Qdrant's group_by): by the value at `path` in their metadata. */
export interface Grouping {
  path: string[];
  /** Points kept in each group, best first. */
  size: number;
  /** Groups kept, in the order of their best point. */
  groups: number;
}

export interface Group {
  /** The metadata value the group's points share: a string or an integer. */
  value: string | number;
  points: Scored[];
  /** With a GroupLookup: the record of the other collection whose id is the group's value, if there is one. */
  lookup?: StoredRecord;
}

/**
 * Each group's record in another collection (Qdrant's `with_lookup`), by id. `idOf` says which
 * record id a group's value names, in the protocol's own terms (null: none).
 */
export interface GroupLookup {
  collectionId: string;
  include: Include;
  idOf(value: string | number): string | null;
}

/**
 * Groups points, best first, by the value at `path` in their metadata (`record.metadata`): a
 * point whose value is an array joins a group per distinct element; values that are neither
 * strings nor integers group nothing. The first `groups` values seen make the groups (later ones
 * are dropped), each keeping its first `size` points.
 */
export function groupPoints(points: Scored[], { path, size, groups }: Grouping): Group[] {
  const found = new Map<string, Group>();
  for (const point of points) {
    let value: unknown = point.record?.metadata;
    for (const key of path)
      value =
        value !== null && typeof value === 'object' && !Array.isArray(value)
          ? (value as Record<string, unknown>)[key]
          : undefined;
    for (const v of Array.isArray(value) ? [...new Set(value)] : [value]) {
      if (typeof v !== 'string' && !(typeof v === 'number' && Number.isInteger(v))) continue;
      // "1" and 1 are two groups.
      const key = JSON.stringify(v);
      let group = found.get(key);
      if (!group) {
        if (found.size >= groups) continue;
        found.set(key, (group = { value: v, points: [] }));
      }
      if (group.points.length < size) group.points.push(point);
    }
  }
  return [...found.values()];
}
