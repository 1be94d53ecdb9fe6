import type { Metric } from './collection.model';

/** pgvector's HNSW index takes vector up to 2,000 dimensions, halfvec up to 4,000. */
export const MAX_VECTOR_INDEX_DIMENSION = 2000;
export const MAX_HALFVEC_INDEX_DIMENSION = 4000;
/** The largest magnitude a halfvec (IEEE half precision) holds. */
export const MAX_HALFVEC_VALUE = 65504;
/** pgvector's vector type stores at most 16,000 dimensions. */
export const MAX_DIMENSION = 16000;

const OPERATOR: Record<Metric, string> = { l2: '<->', ip: '<#>', cosine: '<=>', l1: '<+>' };
const OPCLASS: Record<Metric, string> = { l2: 'l2_ops', ip: 'ip_ops', cosine: 'cosine_ops', l1: 'l1_ops' };

/**
 * How a collection's vectors are indexed and compared. The expression the index is built on and the
 * one the search orders by must be the same text, or the planner will not use the index. The
 * dimension is an integer from the catalog, so splicing it into SQL is safe.
 */
export interface VectorPlan {
  /** The expression over the row (`embedding` or `(embedding::halfvec(3000))`). */
  column: string;
  /** The SQL type a query vector is cast to. */
  queryType: string;
  operator: string;
  /** The opclass of the HNSW index, or null when the dimension is past what HNSW can index. */
  opclass: string | null;
}

export function vectorPlan(metric: Metric, dimension: number): VectorPlan {
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > MAX_DIMENSION)
    throw new Error(`bad dimension ${dimension}`);
  const operator = OPERATOR[metric];
  if (dimension <= MAX_VECTOR_INDEX_DIMENSION) {
    return { column: 'embedding', queryType: `vector(${dimension})`, operator, opclass: `vector_${OPCLASS[metric]}` };
  }
  if (dimension <= MAX_HALFVEC_INDEX_DIMENSION) {
    return {
      column: `(embedding::halfvec(${dimension}))`,
      queryType: `halfvec(${dimension})`,
      operator,
      opclass: `halfvec_${OPCLASS[metric]}`,
    };
  }
  return { column: 'embedding', queryType: `vector(${dimension})`, operator, opclass: null };
}

/** The ranges pgvector accepts for HNSW settings (checked at the edge, before any DDL runs). */
export const HNSW_LIMITS = {
  m: { min: 2, max: 100 },
  efConstruction: { min: 4, max: 1000 },
  efSearch: { min: 1, max: 1000 },
};
