import type { Collection } from '../../core/collections/collection.model';
import { DEBUG_NAME, QDRANT_NAME, SDK_NAME } from './metric';

/**
 * A collection as Vectorizer's server describes it (`metric` in its Debug form), plus
 * `similarity_metric`, which the TypeScript SDK's getCollection requires and the server omits.
 */
export function collectionInfo(c: Collection, vectorCount: number) {
  const created = c.createdAt instanceof Date ? c.createdAt.toISOString() : String(c.createdAt);
  return {
    name: c.name,
    vector_count: vectorCount,
    document_count: 0,
    dimension: c.dimension ?? 0,
    metric: DEBUG_NAME[c.metric],
    similarity_metric: SDK_NAME[c.metric],
    embedding_provider: 'none',
    created_at: created,
    updated_at: created,
    quantization: { enabled: false, type: 'None', bits: 0 },
    normalization: { enabled: false, message: 'Text normalization is disabled for this collection' },
    status: 'ready',
  };
}

/** The Qdrant-compatible collection info (`GET /qdrant/collections/{name}`). */
export function qdrantCollectionInfo(c: Collection, points: number) {
  return {
    name: c.name,
    status: 'green',
    config: {
      vectors: { size: c.dimension ?? 0, distance: QDRANT_NAME[c.metric] },
      shard_number: 1,
      replication_factor: 1,
      write_consistency_factor: 1,
      on_disk_payload: false,
      hnsw_config: {
        m: c.index.m,
        ef_construct: c.index.efConstruction,
        full_scan_threshold: c.index.efSearch,
        max_indexing_threads: null,
        on_disk: null,
      },
    },
    stats: { points_count: points, indexed_vectors_count: points, segments_count: 1, segments: [] },
    optimizer_status: { ok: true, error: null },
    payload_schema: {},
  };
}
