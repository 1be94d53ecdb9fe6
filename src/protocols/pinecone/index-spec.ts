import {
  DEFAULT_INDEX,
  type Collection,
  type Metric,
  type NewCollection,
} from '../../core/collections/collection.model';
import { MAX_DIMENSION } from '../../core/collections/vector-index';
import { validateIndexName } from './index-names';
import { PineconeControlError } from './pinecone-error';
import { isObject } from '../json-guards';

export type PineconeMetric = 'cosine' | 'euclidean' | 'dotproduct';

const TO_METRIC: Record<PineconeMetric, Metric> = { cosine: 'cosine', euclidean: 'l2', dotproduct: 'ip' };
const FROM_METRIC: Record<Metric, PineconeMetric> = { cosine: 'cosine', l2: 'euclidean', ip: 'dotproduct' };

/** What Pinecone keeps of an index beyond the neutral catalog, in the collection's extras. */
export interface PineconeExtras {
  vector_type: 'dense' | 'sparse';
  deletion_protection: 'enabled' | 'disabled';
  tags: Record<string, string> | null;
  deployment: Record<string, unknown>;
  schema_fields: Record<string, unknown>;
}

const DEFAULT_DEPLOYMENT = { deployment_type: 'managed', cloud: 'aws', region: 'us-east-1' };

export function pineconeMetric(metric: Metric): PineconeMetric {
  return FROM_METRIC[metric];
}

export function pineconeExtras(collection: Collection): PineconeExtras {
  const stored = (collection.extras.pinecone ?? {}) as Partial<PineconeExtras>;
  return {
    vector_type: stored.vector_type ?? 'dense',
    deletion_protection: stored.deletion_protection ?? 'disabled',
    tags: stored.tags ?? null,
    deployment: stored.deployment ?? DEFAULT_DEPLOYMENT,
    schema_fields: stored.schema_fields ?? {},
  };
}

function metricOf(value: unknown, fallback: PineconeMetric): PineconeMetric {
  if (value === undefined || value === null) return fallback;
  if (value !== 'cosine' && value !== 'euclidean' && value !== 'dotproduct') {
    throw PineconeControlError.invalid(
      `Invalid metric ${JSON.stringify(value)}: expected one of cosine, euclidean, dotproduct`,
    );
  }
  return value;
}

export function checkTags(tags: unknown): Record<string, string> | null {
  if (tags === undefined || tags === null) return null;
  if (!isObject(tags) || !Object.values(tags).every((v) => typeof v === 'string'))
    throw PineconeControlError.invalid('tags must be an object of string values');
  return tags as Record<string, string>;
}

export function checkDeletionProtection(value: unknown): 'enabled' | 'disabled' | undefined {
  if (value === undefined || value === null) return undefined;
  if (value !== 'enabled' && value !== 'disabled')
    throw PineconeControlError.invalid('deletion_protection must be "enabled" or "disabled"');
  return value;
}

/**
 * A create-index body, in either shape the clients send: the legacy one (≤ 2025-10:
 * `dimension`, `metric`, `spec`, `vector_type`) or the 2026-07 one (`deployment`, and `schema.fields`
 * with `_values` for a dense vector or `_sparse_values` for a sparse one).
 */
export function newIndex(body: Record<string, unknown>): NewCollection {
  const name = validateIndexName(body.name);
  let vectorType: 'dense' | 'sparse';
  let metric: PineconeMetric;
  let dimension: unknown;
  let deployment: Record<string, unknown> = DEFAULT_DEPLOYMENT;
  let schemaFields: Record<string, unknown> = {};
  const fields = isObject(body.schema) && isObject(body.schema.fields) ? body.schema.fields : undefined;
  if (fields) {
    schemaFields = fields;
    const dense = Object.values(fields).find((f) => isObject(f) && f.type === 'dense_vector') as
      Record<string, unknown> | undefined;
    const sparse = Object.values(fields).find((f) => isObject(f) && f.type === 'sparse_vector') as
      Record<string, unknown> | undefined;
    if (dense && sparse)
      throw PineconeControlError.invalid('An index has either a dense_vector or a sparse_vector field, not both');
    if (!dense && !sparse)
      throw PineconeControlError.invalid('schema.fields needs a dense_vector or a sparse_vector field');
    vectorType = dense ? 'dense' : 'sparse';
    metric = metricOf((dense ?? sparse)!.metric, dense ? 'cosine' : 'dotproduct');
    dimension = (dense ?? sparse)!.dimension;
    if (isObject(body.deployment)) deployment = body.deployment;
  } else {
    vectorType =
      body.vector_type === undefined || body.vector_type === null ? 'dense' : (body.vector_type as 'dense' | 'sparse');
    if (vectorType !== 'dense' && vectorType !== 'sparse')
      throw PineconeControlError.invalid('vector_type must be "dense" or "sparse"');
    metric = metricOf(body.metric, vectorType === 'dense' ? 'cosine' : 'dotproduct');
    dimension = body.dimension;
    if (isObject(body.spec)) {
      if (isObject(body.spec.serverless))
        deployment = {
          deployment_type: 'managed',
          cloud: body.spec.serverless.cloud,
          region: body.spec.serverless.region,
        };
      else if (isObject(body.spec.pod)) deployment = { deployment_type: 'pod', ...body.spec.pod };
    }
  }
  if (vectorType === 'dense') {
    if (typeof dimension !== 'number' || !Number.isInteger(dimension) || dimension < 1 || dimension > MAX_DIMENSION) {
      throw PineconeControlError.invalid(
        `Dimension must be an integer between 1 and ${MAX_DIMENSION} for a dense index, got ${JSON.stringify(dimension ?? null)}`,
      );
    }
  } else {
    if (metric !== 'dotproduct')
      throw PineconeControlError.invalid('Sparse vector indexes must use the metric dotproduct');
    if (dimension !== undefined && dimension !== null)
      throw PineconeControlError.invalid('Sparse vector indexes do not take a dimension');
  }
  const extras: PineconeExtras = {
    vector_type: vectorType,
    deletion_protection: checkDeletionProtection(body.deletion_protection) ?? 'disabled',
    tags: checkTags(body.tags),
    deployment,
    schema_fields: schemaFields,
  };
  return {
    name,
    dimension: vectorType === 'dense' ? (dimension as number) : null,
    metric: TO_METRIC[metric],
    index: { ...DEFAULT_INDEX },
    metadata: null,
    extras: { pinecone: extras },
    schema: null,
  };
}
