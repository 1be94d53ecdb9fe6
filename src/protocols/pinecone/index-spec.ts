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
import { filterableKeys, metadataSchema } from './metadata-schema';
import {
  analyzerOf,
  embedFields,
  isDocumentSchema,
  isTextField,
  parseDocumentSchema,
  type DocumentField,
  type DocumentFields,
} from './document-schema';
import type { FindModel } from './document-embed';

export type PineconeMetric = 'cosine' | 'euclidean' | 'dotproduct';

const TO_METRIC: Record<PineconeMetric, Metric> = { cosine: 'cosine', euclidean: 'l2', dotproduct: 'ip' };
// Pinecone has no Manhattan metric: such a collection (made through Qdrant) shows as a distance, lower first.
const FROM_METRIC: Record<Metric, PineconeMetric> = {
  cosine: 'cosine',
  l2: 'euclidean',
  ip: 'dotproduct',
  l1: 'euclidean',
};

/**
 * An integrated index's embedding settings (Pinecone's `embed`): the model the operator mapped,
 * and the record field whose text it embeds (`field_map.text`).
 */
export interface IndexEmbed {
  model: string;
  metric: PineconeMetric;
  dimension: number | null;
  vector_type: 'dense' | 'sparse';
  field_map: { text: string };
  read_parameters: Record<string, unknown>;
  write_parameters: Record<string, unknown>;
}

/** What Pinecone keeps of an index beyond the neutral catalog, in the collection's extras. */
export interface PineconeExtras {
  vector_type: 'dense' | 'sparse';
  deletion_protection: 'enabled' | 'disabled';
  tags: Record<string, string> | null;
  deployment: Record<string, unknown>;
  schema_fields: Record<string, unknown>;
  read_capacity: ReadCapacity;
  /** Whether a namespace of the index was created with a metadata schema of its own. */
  namespace_schemas: boolean;
  /** An integrated index's model and embedded field (create-for-model); null for a plain index. */
  embed: IndexEmbed | null;
  /** A document index's schema (API 2026-07: the Documents API); null for a vectors or records index. */
  documents: DocumentFields | null;
}

/**
 * Pinecone's read capacity (API 2025-10 and later): on demand, or dedicated read nodes. vecgate
 * keeps and echoes it; one PostgreSQL serves every read whatever it says.
 */
export interface ReadCapacity {
  mode: 'OnDemand' | 'Dedicated';
  dedicated?: { node_type: 'b1' | 't1'; scaling: 'Manual'; manual: { replicas: number; shards: number } };
}

const ON_DEMAND: ReadCapacity = { mode: 'OnDemand' };

function count(path: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 1000)
    throw PineconeControlError.invalid(`${path} must be an integer from ${min} to 1000`);
  return value;
}

/**
 * A read_capacity of a create (whole) or a configure (over `current`: a Dedicated change names
 * only what changes, as Pinecone's ReadCapacityPatch does).
 */
export function readCapacityOf(value: unknown, current?: ReadCapacity): ReadCapacity {
  if (!isObject(value)) throw PineconeControlError.invalid('read_capacity must be an object with a mode');
  if (value.mode === 'OnDemand') return ON_DEMAND;
  if (value.mode !== 'Dedicated')
    throw PineconeControlError.invalid(
      `read_capacity.mode must be "OnDemand" or "Dedicated", got ${JSON.stringify(value.mode ?? null)}`,
    );
  const given = value.dedicated ?? {};
  if (!isObject(given)) throw PineconeControlError.invalid('read_capacity.dedicated must be an object');
  const before = current?.dedicated;
  const nodeType = given.node_type ?? before?.node_type;
  if (nodeType !== 'b1' && nodeType !== 't1')
    throw PineconeControlError.invalid('read_capacity.dedicated.node_type must be "b1" or "t1"');
  const scaling = given.scaling ?? before?.scaling;
  if (scaling !== 'Manual') throw PineconeControlError.invalid('read_capacity.dedicated.scaling must be "Manual"');
  const manual = given.manual ?? {};
  if (!isObject(manual)) throw PineconeControlError.invalid('read_capacity.dedicated.manual must be an object');
  if (!before && (manual.replicas === undefined || manual.shards === undefined))
    throw PineconeControlError.invalid('read_capacity.dedicated.manual needs replicas and shards');
  return {
    mode: 'Dedicated',
    dedicated: {
      node_type: nodeType,
      scaling,
      manual: {
        replicas: count('read_capacity.dedicated.manual.replicas', manual.replicas ?? before?.manual.replicas, 0),
        shards: count('read_capacity.dedicated.manual.shards', manual.shards ?? before?.manual.shards, 1),
      },
    },
  };
}

/** read_capacity as an IndexModel shows it: what was asked, and (at once) Ready with it. */
export function readCapacityWire(rc: ReadCapacity): Record<string, unknown> {
  if (rc.mode === 'OnDemand')
    return { mode: 'OnDemand', status: { state: 'Ready', current_replicas: null, current_shards: null } };
  const { replicas, shards } = rc.dedicated!.manual;
  return {
    mode: 'Dedicated',
    dedicated: rc.dedicated,
    status: { state: 'Ready', current_replicas: replicas, current_shards: shards },
  };
}

/** The preview API version of document indexes (TypeScript client 8.x's `pc.preview`), before 2026-07. */
export const ALPHA_VERSION = '2026-01.alpha';

const DEFAULT_DEPLOYMENT = { deployment_type: 'managed', cloud: 'aws', region: 'us-east-1' };

export function pineconeMetric(metric: Metric): PineconeMetric {
  return FROM_METRIC[metric];
}

export function pineconeExtras(collection: Pick<Collection, 'extras'>): PineconeExtras {
  const stored = (collection.extras.pinecone ?? {}) as Partial<PineconeExtras>;
  return {
    vector_type: stored.vector_type ?? 'dense',
    deletion_protection: stored.deletion_protection ?? 'disabled',
    tags: stored.tags ?? null,
    deployment: stored.deployment ?? DEFAULT_DEPLOYMENT,
    schema_fields: stored.schema_fields ?? {},
    read_capacity: stored.read_capacity ?? ON_DEMAND,
    namespace_schemas: stored.namespace_schemas ?? false,
    embed: stored.embed ?? null,
    documents: stored.documents ?? null,
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
export function newIndex(body: Record<string, unknown>, apiVersion?: string, find?: FindModel): NewCollection {
  const name = validateIndexName(body.name);
  let vectorType: 'dense' | 'sparse';
  let metric: PineconeMetric;
  let dimension: unknown;
  let deployment: Record<string, unknown> = DEFAULT_DEPLOYMENT;
  let schemaFields: Record<string, unknown> = {};
  let readCapacity = ON_DEMAND;
  const fields = isObject(body.schema) && isObject(body.schema.fields) ? body.schema.fields : undefined;
  // An empty schema is refused in the document schema's words (2026-07 creates schemas only).
  if (fields && (isDocumentSchema(fields) || Object.keys(fields).length === 0))
    return newDocumentIndex(name, body, parseDocumentSchema(fields, { alpha: apiVersion === ALPHA_VERSION, find }));
  if (fields) {
    // Metadata fields in the legacy shape ({"filterable": true}) are checked as Pinecone checks them.
    const legacy = Object.fromEntries(Object.entries(fields).filter(([, f]) => !isObject(f) || f.type === undefined));
    if (Object.keys(legacy).length > 0) filterableKeys({ fields: legacy }, true);
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
    if (body.read_capacity !== undefined && body.read_capacity !== null)
      readCapacity = readCapacityOf(body.read_capacity);
  } else {
    vectorType =
      body.vector_type === undefined || body.vector_type === null ? 'dense' : (body.vector_type as 'dense' | 'sparse');
    if (vectorType !== 'dense' && vectorType !== 'sparse')
      throw PineconeControlError.invalid('vector_type must be "dense" or "sparse"');
    metric = metricOf(body.metric, vectorType === 'dense' ? 'cosine' : 'dotproduct');
    dimension = body.dimension;
    if (isObject(body.spec)) {
      // vecgate keeps no pod-era collections, so any source_collection names one that does not
      // exist: Pinecone's 400 with its words (its own clients' tests expect exactly this).
      const spec = body.spec;
      const source = [spec.serverless, spec.pod]
        .map((s) => (isObject(s) ? s.source_collection : undefined))
        .find((s) => s);
      if (source !== undefined) throw PineconeControlError.invalid(`Resource ${String(source)} not found`);
      if (isObject(body.spec.serverless)) {
        deployment = {
          deployment_type: 'managed',
          cloud: body.spec.serverless.cloud,
          region: body.spec.serverless.region,
        };
        const metadata = body.spec.serverless.schema;
        if (metadata !== undefined && metadata !== null)
          schemaFields = metadataSchema(filterableKeys(metadata, true)).fields;
        const rc = body.spec.serverless.read_capacity;
        if (rc !== undefined && rc !== null) readCapacity = readCapacityOf(rc);
      } else if (isObject(body.spec.pod)) deployment = { deployment_type: 'pod', ...body.spec.pod };
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
    read_capacity: readCapacity,
    namespace_schemas: false,
    embed: null,
    documents: null,
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

/**
 * A document index (API 2026-07): its dense_vector field (or the field that embeds into the
 * dense slot) is the collection's vector, its sparse_vector field (or the one that embeds into
 * the sparse slot) the sparse one, each stored string field a text field of the core's full-text
 * search (under its own name as the metadata key), every other field metadata.
 */
function newDocumentIndex(name: string, body: Record<string, unknown>, documents: DocumentFields): NewCollection {
  if (body.source_collection !== undefined || body.source_backup_id !== undefined)
    throw PineconeControlError.invalid('Creating an index from collection or backup is not yet supported');
  const entries = Object.entries(documents);
  const embedded = embedFields(documents);
  const dense =
    (entries.find(([, f]) => f.type === 'dense_vector')?.[1] as
      Extract<DocumentField, { type: 'dense_vector' }> | undefined) ?? embedded.dense?.[1];
  const sparse = entries.some(([, f]) => f.type === 'sparse_vector') || embedded.sparse !== null;
  const extras: PineconeExtras = {
    vector_type: dense || !sparse ? 'dense' : 'sparse',
    deletion_protection: checkDeletionProtection(body.deletion_protection) ?? 'disabled',
    tags: checkTags(body.tags),
    deployment: isObject(body.deployment) ? body.deployment : DEFAULT_DEPLOYMENT,
    schema_fields: {},
    read_capacity:
      body.read_capacity !== undefined && body.read_capacity !== null ? readCapacityOf(body.read_capacity) : ON_DEMAND,
    namespace_schemas: false,
    embed: null,
    documents,
  };
  return {
    name,
    dimension: dense?.dimension ?? null,
    metric: TO_METRIC[dense?.metric ?? 'dotproduct'],
    index: { ...DEFAULT_INDEX },
    metadata: null,
    extras: { pinecone: extras },
    schema: null,
    textFields: entries.flatMap(([field, f]) => (isTextField(f) ? [{ path: [field], analyzer: analyzerOf(f) }] : [])),
  };
}
