import type { Collection, FilteredTuning, VectorField } from '../collections/collection.model';
import { FILTER_KEEPS_ONE_IN, REMEASURE_ABOVE, REMEASURE_BELOW } from '../collections/search-tuning.repository';
import { HNSW_LIMITS } from '../collections/vector-index';
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

/** The share of the records the search tuner's filtered measurement keeps. */
const TUNED_FILTER_SHARE = 1 / FILTER_KEEPS_ONE_IN;
/** However slow the tuner found the walk, a filter keeping more than this walks. */
const EXACT_SEARCH_MAX_MEASURED_SHARE = 0.5;

/**
 * Whether a filtered search reads the matching records rather than walk. Past 5%, when the search
 * tuner found the walk under a filter keeping a tenth dearer than reading that tenth (hard data,
 * where a filtered walk needs a wide ef_search), up to the share where reading costs what the walk
 * did: reading costs in proportion to the records it reads. Never past EXACT_SEARCH_MAX_ROWS.
 */
export function prefersExactSearch(
  { matching, total }: MatchEstimate,
  filtered?: Pick<FilteredTuning, 'walkMs' | 'exactMs'> | null,
): boolean {
  const measured = filtered && filtered.exactMs > 0 ? (TUNED_FILTER_SHARE * filtered.walkMs) / filtered.exactMs : 0;
  const share = Math.min(EXACT_SEARCH_MAX_MEASURED_SHARE, Math.max(EXACT_SEARCH_MAX_SHARE, measured));
  return matching <= EXACT_SEARCH_MAX_ROWS && matching <= total * share;
}

/**
 * The ef_search of a walk under a filter keeping `share` of the table, from the tuner's two
 * measurements: `unfiltered` over the whole table, `filtered` under a filter keeping a tenth.
 * A walk ranks the candidates that pass its filter, so the narrower the filter, the wider the
 * walk: geometric between the two points, and on the same line below a tenth. Without an
 * estimate of the share, the tenth's. At most pgvector's largest.
 */
export function filteredEfSearch(unfiltered: number, filtered: number, share?: number): number {
  if (share === undefined || !(share > 0)) return Math.min(HNSW_LIMITS.efSearch.max, filtered);
  const tenths = Math.log10(1 / Math.min(1, share));
  const ef = unfiltered * Math.pow(filtered / unfiltered, tenths);
  return Math.min(HNSW_LIMITS.efSearch.max, Math.max(unfiltered, Math.ceil(ef)));
}

/**
 * Rows x dimensions up to which a collection the search tuner has not measured at its size reads
 * every record: 16M is 40,000 x 384 or 20,000 x 768 (an exact search of 20,000 x 384 takes about
 * 12 ms on one core). Past it such a collection walks at the widest ef_search until measured.
 */
export const EXACT_WHILE_UNMEASURED_CELLS = 16_000_000;

/**
 * Whether the tuner's measurement does not hold for the collection as it is now: never measured
 * since its index was built, measured for another target, or grown or shrunk by a quarter since.
 * A search must not lose recall quietly meanwhile (after a bulk load, typically). Never with
 * tuning off, with ef_search pinned by the client, or without an index (searches are exact).
 */
export function unmeasured(
  collection: Pick<Collection, 'tuning' | 'index' | 'vectorIndexed' | 'records'>,
  target: number,
): boolean {
  if (target <= 0 || collection.index.efSearchPinned || !collection.vectorIndexed) return false;
  const tuning = collection.tuning;
  if (!tuning) return true;
  if (Math.fround(tuning.target) !== Math.fround(target)) return true;
  const records = collection.records;
  if (records === undefined) return false;
  return records > tuning.records * REMEASURE_ABOVE || records < tuning.records * REMEASURE_BELOW;
}

/** Whether an unmeasured collection is small enough to read whole on every search until measured. */
export function exactWhileUnmeasured(collection: Pick<Collection, 'records' | 'dimension'>): boolean {
  return (collection.records ?? Infinity) * (collection.dimension ?? 0) <= EXACT_WHILE_UNMEASURED_CELLS;
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

/**
 * How an indexed MaxSim search of the multivector `field` runs when its client chose no depth:
 * the depth (nearest tokens per query token) the search tuner measured to meet the target against
 * exact MaxSim, or exact when that was the cheaper way; undefined while no measurement holds (none
 * yet, another target, or the collection grown or shrunk by a quarter since), when searches take
 * DEFAULT_MULTIVECTOR_CANDIDATES.
 */
export function measuredMultivectorDepth(
  field: Pick<VectorField, 'tuning'>,
  records: number | undefined,
  target: number,
): { depth: number; exact: boolean } | undefined {
  const tuning = field.tuning;
  if (target <= 0 || !tuning) return undefined;
  if (Math.fround(tuning.target) !== Math.fround(target)) return undefined;
  if (
    records !== undefined &&
    (records > tuning.records * REMEASURE_ABOVE || records < tuning.records * REMEASURE_BELOW)
  )
    return undefined;
  return { depth: tuning.efSearch, exact: tuning.exact };
}
