import type { DenseVector } from '../records/dense-vector';
import type { FilterNode } from '../filters/filter-ast';

/** What an explanation is of: reading matching records, a nearest-neighbour search, or a delete. */
export type ExplainedOperation = 'find' | 'search' | 'delete';

export interface ExplainRequest {
  operation: ExplainedOperation;
  namespace: string;
  filter: FilterNode;
  /** search only: the query vector. */
  vector?: DenseVector;
  /** search: neighbours; find: records. */
  n: number;
  /** EXPLAIN ANALYZE: the statement runs (a delete too), in a transaction that is rolled back. */
  analyze: boolean;
}

/** How the statement reads the records: every matching one (exact), through the HNSW index, or a plain scan (no vector). */
export interface ExplainedPath {
  kind: 'exact' | 'hnsw' | 'scan';
  reason: string;
  /** hnsw: the ef_search the walk runs with. */
  efSearch: number | null;
  /** hnsw: pgvector's iterative scan mode. */
  iterativeScan: string | null;
}

export interface ExplainStep {
  name: string;
  ms: number;
  sql?: string;
}

export interface Explanation {
  operation: ExplainedOperation;
  sql: string;
  params: unknown[];
  /** Postgres's plan, as EXPLAIN prints it. */
  plan: string;
  analyzed: boolean;
  path: ExplainedPath;
  /** The planner's estimate of the records the namespace and filter keep. */
  estimatedRows: number | null;
  /** The records they keep, counted. */
  actualRows: number;
  /** The records of the namespace. */
  totalRows: number;
  /** Session settings the statement runs under (a walk's ef_search, iterative scan). */
  settings: Record<string, string>;
  steps: ExplainStep[];
  totalMs: number;
}
