import type { Collection } from '../../core/collections/collection.model';
import { pineconeExtras, pineconeMetric, readCapacityWire } from './index-spec';
import { indexFilterable, metadataSchema } from './metadata-schema';
import { semanticTextField } from './integrated-embed';

/** The vector field of an index's schema, as the IndexModel and a BackupModel show it. */
export function vectorField(vectorType: 'dense' | 'sparse', metric: string, dimension: number | null) {
  return vectorType === 'sparse'
    ? { _sparse_values: { type: 'sparse_vector', metric } }
    : { _values: { type: 'dense_vector', dimension, metric } };
}

/**
 * The IndexModel, as a union both client generations read: the 2026-07 fields (`deployment`,
 * `schema`) that v9 requires, and the legacy ones (`dimension`, `metric`, `spec`, `vector_type`).
 * A collection created through another protocol shows as a dense index of its own metric.
 */
export function indexModel(collection: Collection, baseUrl: string) {
  const extras = pineconeExtras(collection);
  if (extras.documents) return documentIndexModel(collection, baseUrl);
  const metric = pineconeMetric(collection.metric);
  const fields = {
    ...extras.schema_fields,
    ...vectorField(extras.vector_type, metric, collection.dimension),
    // 2026-07 shows an integrated index's model as a semantic_text field named after the embedded one.
    ...(extras.embed ? semanticTextField(extras.embed) : {}),
  };
  const deployment = extras.deployment;
  const { deployment_type: kind, ...pod } = deployment;
  const readCapacity = readCapacityWire(extras.read_capacity);
  const filterable = indexFilterable(extras.schema_fields);
  const spec =
    kind === 'pod'
      ? { pod }
      : {
          serverless: {
            cloud: deployment.cloud ?? 'aws',
            region: deployment.region ?? 'us-east-1',
            read_capacity: readCapacity,
            // 2025-10's place for the metadata schema
            ...(filterable ? { schema: metadataSchema(filterable) } : {}),
          },
        };
  const model: Record<string, unknown> = {
    name: collection.name,
    host: `${baseUrl}/indexes/${encodeURIComponent(collection.name)}`,
    status: { ready: true, state: 'Ready' },
    deployment,
    schema: { fields },
    ...(kind === 'pod' ? {} : { read_capacity: readCapacity }),
    deletion_protection: extras.deletion_protection,
    tags: extras.tags,
    metric,
    vector_type: extras.vector_type,
    spec,
  };
  if (extras.vector_type === 'dense') model.dimension = collection.dimension;
  // Before 2026-07 the same settings came as `embed`.
  if (extras.embed) model.embed = extras.embed;
  return model;
}

/**
 * A document index's IndexModel (API 2026-07 only: such an index is made by 2026-07 clients):
 * its schema's fields with every setting resolved, and none of the legacy vector fields.
 */
function documentIndexModel(collection: Collection, baseUrl: string) {
  const extras = pineconeExtras(collection);
  const readCapacity = readCapacityWire(extras.read_capacity);
  return {
    name: collection.name,
    host: `${baseUrl}/indexes/${encodeURIComponent(collection.name)}`,
    status: { ready: true, state: 'Ready' },
    deployment: extras.deployment,
    schema: { fields: extras.documents },
    read_capacity: readCapacity,
    deletion_protection: extras.deletion_protection,
    tags: extras.tags,
  };
}
