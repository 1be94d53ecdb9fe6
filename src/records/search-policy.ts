import { Collection } from '../collections/collection.model';
import { FilterNode } from '../filters/filter-ast';
import { DEFAULT_NAMESPACE } from './record.model';

/**
 * When a filtered vector search (or one in a Pinecone namespace other than the default) reads
 * every matching record instead of the HNSW index: the decision alone, so that it can be reasoned
 * about (and tested) apart from the SQL.
 *
 * Postgres estimates well enough how many records a filter keeps (metadata containment from the
 * finer statistics taken before the index build, see RecordTableRepository.analyze; ranges; ids),
 * but pgvector prices a filtered HNSW scan as if the filter cost it nothing, while an index scan
 * under a filter that keeps 1 record in 50 has to walk some 50 times the graph to find n that
 * pass, and still misses some of the nearest ones. Measured on 200,000 × 384 (query top 10,
 * warm, median of 20): at 1% the planner took the HNSW scan, 62 ms, recall@10 0.23 on uniform
 * data, where reading the 2,000 matching rows and sorting them took 2.7 ms, exact; at 2% 55 ms
 * against 4.5; at 3% 37 against 11; at 5% 27 against 16; at 8% the index was ahead (19 against
 * 25) and at 10% well ahead (18 against 75). So up to 5% of the table. The cost of the exact
 * search grows with the rows it reads (each is a heap fetch: 20,000 took 75 ms), hence the bound
 * on rows, which decides past 400,000 records: a 1% filter on 1,000,000 (10,000 records) is still
 * searched exactly.
 *
 * The share is of the collection's whole table, not of the namespace searched: the HNSW graph holds
 * every namespace's records, and a search walks past those of other namespaces as it walks past
 * those its filter rejects. So a namespace is a filter too: a small namespace of a big table is
 * searched exactly even with no other filter.
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
