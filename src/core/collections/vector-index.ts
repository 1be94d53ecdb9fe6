import type { Collection, IndexSettings, Metric, VectorField } from './collection.model';

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

/** The record-table column of a named vector: from its catalog position, never from its name. */
export function vectorColumn(position: number): string {
  if (!Number.isInteger(position) || position < 1 || position > 10_000)
    throw new Error(`bad vector position ${position}`);
  return `v${position}`;
}

/** `embedding`, or a named vector's column (checked again before it is spliced into SQL). */
export function checkedColumn(column: string): string {
  if (column !== 'embedding' && !/^v[1-9][0-9]{0,4}$/.test(column)) throw new Error(`not a vector column: ${column}`);
  return column;
}

export function vectorPlan(metric: Metric, dimension: number, column = 'embedding'): VectorPlan {
  column = checkedColumn(column);
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > MAX_DIMENSION)
    throw new Error(`bad dimension ${dimension}`);
  const operator = OPERATOR[metric];
  if (dimension <= MAX_VECTOR_INDEX_DIMENSION) {
    return { column, queryType: `vector(${dimension})`, operator, opclass: `vector_${OPCLASS[metric]}` };
  }
  if (dimension <= MAX_HALFVEC_INDEX_DIMENSION) {
    return {
      column: `(${column}::halfvec(${dimension}))`,
      queryType: `halfvec(${dimension})`,
      operator,
      opclass: `halfvec_${OPCLASS[metric]}`,
    };
  }
  return { column, queryType: `vector(${dimension})`, operator, opclass: null };
}

/** The ranges pgvector accepts for HNSW settings (checked at the edge, before any DDL runs). */
export const HNSW_LIMITS = {
  m: { min: 2, max: 100 },
  efConstruction: { min: 4, max: 1000 },
  efSearch: { min: 1, max: 1000 },
};

/**
 * The collection as a search through one of its named dense vectors sees it: that vector's column,
 * dimension, metric, HNSW settings and state, and the search tuner's measurement of its index.
 */
export function throughVector(collection: Collection, field: VectorField): Collection {
  if (field.kind !== 'dense') throw new Error(`not a dense vector: ${field.name}`);
  return {
    ...collection,
    dimension: field.dimension,
    metric: field.metric,
    index: field.index,
    vectorIndexed: field.indexed,
    tuning: field.tuning,
    searchColumn: vectorColumn(field.position),
    searchPosition: field.position,
  };
}

/**
 * A new collection's (or named vector's) index settings with the operator's build settings
 * (VECGATE_HNSW_M, VECGATE_HNSW_EF_CONSTRUCTION) where the client chose none, marked as not the
 * client's: the tuner may rebuild such an index larger (IndexGrower). Settings copied from another
 * collection (a fork, a restore) keep what they say.
 */
export function withBuildDefaults(
  index: IndexSettings,
  defaults: { m: number; efConstruction: number },
): IndexSettings {
  if (index.buildPinned !== undefined || index.grown !== undefined) return index;
  return { ...index, m: defaults.m, efConstruction: defaults.efConstruction, buildPinned: false };
}

/** The unqualified name of a multivector's token table (migrations/028), beside its record table. */
export function tokenTableName(table: string, position: number): string {
  if (!/^r_[0-9a-f]{32}$/.test(table)) throw new Error(`not a record table: ${table}`);
  return `${table}_mv${vectorColumn(position).slice(1)}`;
}

/** The SQL type of one token of a multivector (the token table's `embedding`). */
export function tokenType(field: Pick<VectorField, 'dimension' | 'storage'>): string {
  const dimension = field.dimension!;
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > MAX_DIMENSION)
    throw new Error(`bad dimension ${dimension}`);
  return `${field.storage === 'float16' ? 'halfvec' : 'vector'}(${dimension})`;
}

/**
 * How a multivector's tokens are indexed and compared: as vectorPlan over the token table's
 * `embedding`, in the storage's type (halfvec keeps half precision up to 4,000 dimensions).
 */
export function tokenPlan(field: Pick<VectorField, 'dimension' | 'storage' | 'metric'>): VectorPlan {
  if (field.storage !== 'float16') return vectorPlan(field.metric, field.dimension!);
  const type = tokenType(field);
  return {
    column: 'embedding',
    queryType: type,
    operator: OPERATOR[field.metric],
    opclass: field.dimension! <= MAX_HALFVEC_INDEX_DIMENSION ? `halfvec_${OPCLASS[field.metric]}` : null,
  };
}
