export type Metric = 'l2' | 'ip' | 'cosine';

/** HNSW build and search settings of a collection (pgvector's m, ef_construction, ef_search). */
export interface IndexSettings {
  m: number;
  efConstruction: number;
  efSearch: number;
}

export const DEFAULT_INDEX: IndexSettings = { m: 16, efConstruction: 100, efSearch: 100 };

export interface Collection {
  id: string;
  name: string;
  tenant: string;
  database: string;
  databaseId: string;
  /** Null until the first write fixes it. */
  dimension: number | null;
  metric: Metric;
  index: IndexSettings;
  metadata: Record<string, unknown> | null;
  /** Settings a protocol keeps to echo back (Chroma's embedding_function, resize_factor...). */
  extras: Record<string, unknown>;
  schema: unknown;
  /** The record table, named from the collection's uuid; never from a request. */
  tableName: string;
  /**
   * Whether the record table had a valid HNSW index when the catalog was read. Without one a
   * search reads every matching record whatever the filter (IndexBuilder builds it later, or never
   * past HNSW's dimensions).
   */
  vectorIndexed: boolean;
  /**
   * Whether records had been written to a namespace other than the default one (Pinecone's) when
   * the catalog was read: then a search of the default namespace reads part of the table only.
   */
  namespaced: boolean;
  createdAt: Date;
}

export interface NewCollection {
  name: string;
  /** Known up front (Pinecone); otherwise fixed by the first write. */
  dimension?: number | null;
  metric: Metric;
  index: IndexSettings;
  metadata: Record<string, unknown> | null;
  extras: Record<string, unknown>;
  schema: unknown;
}

export interface CollectionChanges {
  name?: string;
  metadata?: Record<string, unknown> | null;
  index?: IndexSettings;
  extras?: Record<string, unknown>;
}
