import type { Collection } from '../collections/collection.model';
import type { FilterNode } from '../filters/filter-ast';
import { DEFAULT_NAMESPACE } from '../scope';

/**
 * When a filtered vector search reads every matching record instead of the HNSW index. pgvector
 * prices a filtered HNSW scan as if the filter cost nothing, but under a filter that keeps 1 record
 * in 50 the walk visits some 50 times the graph and still misses neighbours; reading the few
 * matching rows is faster and exact. The share is of the whole table, because the graph holds
 * every namespace: a small namespace of a big table counts as a filter. The thresholds and their
 * measurements: docs/decisions/0004-exact-search-for-narrow-filters.md.
 */
export const EXACT_SEARCH_MAX_ROWS = 20_000;
export const EXACT_SEARCH_MAX_SHARE = 0.05;

/** The planner's estimates: the records a search's namespace and filter keep, and all records of the collection's table. */
export interface MatchEstimate {
  matching: number;
  total: number;
}

export function prefersExactSearch({ matching, total }: MatchEstimate): boolean {
  return matching <= EXACT_SEARCH_MAX_ROWS && matching <= total * EXACT_SEARCH_MAX_SHARE;
}

/**
 * Whether a search reads less than the whole table: a filter, or a namespace of a table that holds
 * others. One that does not (Chroma's one namespace with no filter) needs no estimate, and walks the
 * HNSW index whatever the query vector.
 */
export function narrowsTheTable(
  filter: FilterNode,
  namespace: string,
  collection: Pick<Collection, 'namespaced'>,
): boolean {
  return filter.kind !== 'all' || namespace !== DEFAULT_NAMESPACE || collection.namespaced;
}
