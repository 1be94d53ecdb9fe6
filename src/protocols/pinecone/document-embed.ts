import type { ModelSettings } from '../../inference/inference-options';
import { isObject } from '../json-guards';
import { PineconeControlError } from './pinecone-error';

/**
 * Integrated embedding on a document index's string fields (API 2026-07): `embed` (a dense model)
 * and `sparse_embed` (a sparse one), resolved against the models the operator mapped when the
 * index is created, and shown resolved by describe.
 */
export interface DenseEmbedConfig {
  model: string;
  dimension: number;
  metric: 'cosine' | 'euclidean' | 'dotproduct';
  write_parameters: Record<string, unknown>;
  read_parameters: Record<string, unknown>;
}

export interface SparseEmbedConfig {
  model: string;
  write_parameters: Record<string, unknown>;
  read_parameters: Record<string, unknown>;
}

/** The models Pinecone picks when `embed: {}` or `sparse_embed: {}` names none. */
export const DEFAULT_DENSE_MODEL = 'llama-text-embed-v2';
export const DEFAULT_SPARSE_MODEL = 'pinecone-sparse-english-v0';

export type FindModel = (name: unknown) => ModelSettings | null;

const invalid = (message: string) => PineconeControlError.invalid(message);
const METRICS = ['cosine', 'euclidean', 'dotproduct'] as const;

function parameters(path: string, value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw invalid(`${path} must be an object`);
  return value;
}

function onlyKeys(path: string, value: Record<string, unknown>, allowed: string[]): void {
  const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
  if (unknown.length > 0)
    throw invalid(`${path}: unknown field ${JSON.stringify(unknown[0])}; expected one of ${allowed.join(', ')}`);
}

/** The embedding model a field names (or the default), mapped on this gateway and of the right kind. */
function modelOf(path: string, raw: unknown, fallback: string, kind: 'dense' | 'sparse', find: FindModel) {
  const name = raw ?? fallback;
  if (typeof name !== 'string' || name === '') throw invalid(`${path}.model must be a model name`);
  const model = find(name);
  if (!model)
    throw invalid(
      `${path}.model: Model ${JSON.stringify(name)} is not available on this gateway; GET /models lists the models its operator mapped`,
    );
  if (model.type !== 'embed') throw invalid(`${path}.model: ${name} is a reranking model, not an embedding model`);
  if (model.vectorType !== kind)
    throw invalid(
      kind === 'dense'
        ? `${path}.model: ${name} is a sparse embedding model; declare it under sparse_embed`
        : `${path}.model: ${name} is a dense embedding model; declare it under embed`,
    );
  return model;
}

/** A field's `embed`: every omitted key resolved from the model, every given one checked against it. */
export function denseEmbedConfig(field: string, raw: unknown, find: FindModel): DenseEmbedConfig {
  const path = `schema.fields.${field}.embed`;
  if (!isObject(raw)) throw invalid(`${path} must be an object ({} for the defaults)`);
  onlyKeys(path, raw, ['model', 'dimension', 'metric', 'write_parameters', 'read_parameters']);
  const model = modelOf(path, raw.model, DEFAULT_DENSE_MODEL, 'dense', find);
  if (raw.dimension !== undefined && raw.dimension !== null && raw.dimension !== model.dimension)
    throw invalid(
      `${path}.dimension: ${JSON.stringify(raw.dimension)} is not supported by ${model.name}; supported dimensions: ${model.dimension}`,
    );
  const metric = raw.metric ?? model.metric;
  if (!METRICS.includes(metric as (typeof METRICS)[number]))
    throw invalid(`${path}.metric must be one of cosine, euclidean, dotproduct`);
  return {
    model: model.name,
    dimension: model.dimension!,
    metric: metric as DenseEmbedConfig['metric'],
    write_parameters: parameters(`${path}.write_parameters`, raw.write_parameters),
    read_parameters: parameters(`${path}.read_parameters`, raw.read_parameters),
  };
}

/** A field's `sparse_embed`: a sparse model, which takes no dimension and no metric. */
export function sparseEmbedConfig(field: string, raw: unknown, find: FindModel): SparseEmbedConfig {
  const path = `schema.fields.${field}.sparse_embed`;
  if (!isObject(raw)) throw invalid(`${path} must be an object ({} for the defaults)`);
  for (const key of ['dimension', 'metric'])
    if (raw[key] !== undefined) throw invalid(`${path}: sparse embeddings have no ${key}`);
  onlyKeys(path, raw, ['model', 'write_parameters', 'read_parameters']);
  const model = modelOf(path, raw.model, DEFAULT_SPARSE_MODEL, 'sparse', find);
  return {
    model: model.name,
    write_parameters: parameters(`${path}.write_parameters`, raw.write_parameters),
    read_parameters: parameters(`${path}.read_parameters`, raw.read_parameters),
  };
}
