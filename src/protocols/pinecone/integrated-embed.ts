import type { ModelSettings } from '../../inference/inference-options';
import { isObject } from '../json-guards';
import { PineconeControlError } from './pinecone-error';
import type { NewCollection } from '../../core/collections/collection.model';
import { newIndex, type IndexEmbed, type PineconeExtras, type PineconeMetric } from './index-spec';

export type { IndexEmbed } from './index-spec';

const METRICS: PineconeMetric[] = ['cosine', 'euclidean', 'dotproduct'];

function objectOrEmpty(path: string, value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw PineconeControlError.invalid(`${path} must be an object`);
  return value;
}

function fieldMapOf(value: unknown): { text: string } {
  if (!isObject(value) || typeof value.text !== 'string' || value.text === '')
    throw PineconeControlError.invalid('embed.field_map must map "text" to the name of the record field to embed');
  if (value.text === '_id' || value.text === 'id')
    throw PineconeControlError.invalid('embed.field_map.text cannot be the record id');
  if (Buffer.byteLength(value.text, 'utf8') > 512)
    throw PineconeControlError.invalid('embed.field_map.text is too long');
  return { text: value.text };
}

/** The model of an `embed`, mapped by the operator and one that embeds, in Pinecone's words. */
export function embedModel(find: (name: unknown) => ModelSettings | null, name: unknown): ModelSettings {
  if (typeof name !== 'string' || name === '') throw PineconeControlError.invalid('embed.model must be a model name');
  const model = find(name);
  if (!model)
    throw PineconeControlError.invalid(
      `Model ${JSON.stringify(name)} is not available on this gateway; GET /models lists the models its operator mapped`,
    );
  if (model.type !== 'embed')
    throw PineconeControlError.invalid(`Model ${name} is a reranking model; embed needs an embedding model`);
  return model;
}

/** The `embed` of create-for-model, checked against the model the operator mapped. */
export function indexEmbedOf(raw: unknown, model: ModelSettings): IndexEmbed {
  if (!isObject(raw)) throw PineconeControlError.invalid('embed must be an object with model and field_map');
  const metric = (raw.metric ?? (model.vectorType === 'sparse' ? 'dotproduct' : model.metric)) as PineconeMetric;
  if (!METRICS.includes(metric))
    throw PineconeControlError.invalid(
      `Invalid metric ${JSON.stringify(raw.metric)}: expected one of cosine, euclidean, dotproduct`,
    );
  if (model.vectorType === 'sparse' && metric !== 'dotproduct')
    throw PineconeControlError.invalid(
      `Model ${model.name} makes sparse vectors: its index uses the metric dotproduct`,
    );
  if (raw.dimension !== undefined && raw.dimension !== null && raw.dimension !== model.dimension)
    throw PineconeControlError.invalid(
      model.dimension === null
        ? `Model ${model.name} makes sparse vectors, which take no dimension`
        : `Model ${model.name} embeds in ${model.dimension} dimensions on this gateway, not ${JSON.stringify(raw.dimension)}`,
    );
  return {
    model: model.name,
    metric,
    dimension: model.dimension,
    vector_type: model.vectorType,
    field_map: fieldMapOf(raw.field_map),
    read_parameters: objectOrEmpty('embed.read_parameters', raw.read_parameters),
    write_parameters: objectOrEmpty('embed.write_parameters', raw.write_parameters),
  };
}

/**
 * A configure's change of `embed`: on an integrated index, new field_map and parameters (the model
 * stays); on a plain one, a model whose vectors fit the index makes it integrated.
 */
export function changedEmbed(
  current: IndexEmbed | null,
  raw: Record<string, unknown>,
  find: (name: unknown) => ModelSettings | null,
  index: { dimension: number | null; metric: PineconeMetric; vectorType: 'dense' | 'sparse' },
): IndexEmbed {
  if (current) {
    if (raw.model !== undefined && raw.model !== current.model)
      throw PineconeControlError.invalid(`The embedding model of an index cannot be changed (it is ${current.model})`);
    return {
      ...current,
      field_map: raw.field_map === undefined ? current.field_map : fieldMapOf(raw.field_map),
      read_parameters:
        raw.read_parameters === undefined
          ? current.read_parameters
          : objectOrEmpty('embed.read_parameters', raw.read_parameters),
      write_parameters:
        raw.write_parameters === undefined
          ? current.write_parameters
          : objectOrEmpty('embed.write_parameters', raw.write_parameters),
    };
  }
  const model = embedModel(find, raw.model);
  if (model.vectorType !== index.vectorType)
    throw PineconeControlError.invalid(
      `Model ${model.name} makes ${model.vectorType} vectors; this index holds ${index.vectorType} ones`,
    );
  if (model.dimension !== index.dimension)
    throw PineconeControlError.invalid(
      `Model ${model.name} embeds in ${model.dimension} dimensions; this index has ${index.dimension}`,
    );
  return indexEmbedOf({ ...raw, metric: index.metric }, model);
}

/** The 2026-07 schema field an integrated index shows: `semantic_text`, named after the embedded field. */
export function semanticTextField(embed: IndexEmbed): Record<string, Record<string, unknown>> {
  return {
    [embed.field_map.text]: {
      type: 'semantic_text',
      model: embed.model,
      dimension: embed.dimension,
      metric: embed.metric,
      write_parameters: embed.write_parameters,
      read_parameters: embed.read_parameters,
    },
  };
}

/** The `input_type` an embedding asks for: the index's parameters may name it; otherwise passage or query. */
export function inputTypeOf(parameters: Record<string, unknown>, fallback: 'passage' | 'query'): 'passage' | 'query' {
  const asked = parameters.input_type;
  return asked === 'query' || asked === 'passage' ? asked : fallback;
}

/**
 * A create-for-model body (`name`, `cloud`, `region`, `embed`, and optionally `schema`, `tags`,
 * `deletion_protection`, `read_capacity`): an index of the model's vectors, which embeds the
 * record field `embed.field_map.text` on upsert and text queries on search.
 */
export function newIndexForModel(
  body: Record<string, unknown>,
  find: (name: unknown) => ModelSettings | null,
): NewCollection {
  const raw = isObject(body.embed) ? body.embed : undefined;
  if (!raw) throw PineconeControlError.invalid('embed must be an object with model and field_map');
  const embed = indexEmbedOf(raw, embedModel(find, raw.model));
  for (const key of ['cloud', 'region'] as const)
    if (typeof body[key] !== 'string' || body[key] === '')
      throw PineconeControlError.invalid(`${key} must be a non-empty string`);
  const created = newIndex({
    name: body.name,
    dimension: embed.dimension ?? undefined,
    metric: embed.metric,
    vector_type: embed.vector_type,
    spec: {
      serverless: {
        cloud: body.cloud,
        region: body.region,
        schema: body.schema ?? undefined,
        read_capacity: body.read_capacity,
      },
    },
    deletion_protection: body.deletion_protection,
    tags: body.tags,
  });
  const extras = created.extras.pinecone as PineconeExtras;
  return { ...created, extras: { pinecone: { ...extras, embed } } };
}
