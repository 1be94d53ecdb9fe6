import { Injectable } from '@nestjs/common';
import { InferenceService, type ModelSettings } from '../../inference/inference.service';
import { isObject } from '../json-guards';
import { PineconeControlError } from './pinecone-error';

/** Inputs one embed call takes, and documents one rerank call takes. */
export const MAX_EMBED_INPUTS = 1000;
export const MAX_RERANK_DOCUMENTS = 1000;

const invalid = (message: string) => PineconeControlError.invalid(message);

const INPUT_TYPE = {
  parameter: 'input_type',
  type: 'one_of',
  value_type: 'string',
  required: false,
  allowed_values: ['query', 'passage'],
  default: 'passage',
};

/** A mapped model as Pinecone's ModelInfo: what it is, its dimension and metric, never where it runs. */
export function modelInfo(model: ModelSettings): Record<string, unknown> {
  const info: Record<string, unknown> = {
    model: model.name,
    short_description: model.description,
    type: model.type,
    modality: 'text',
    max_batch_size: model.type === 'embed' ? MAX_EMBED_INPUTS : MAX_RERANK_DOCUMENTS,
    provider_name: model.provider ? model.provider.kind : 'vecgate',
    supported_parameters: model.type === 'embed' ? [INPUT_TYPE] : [],
  };
  if (model.type === 'embed') {
    info.vector_type = model.vectorType;
    if (model.dimension !== null) {
      info.default_dimension = model.dimension;
      info.supported_dimensions = [model.dimension];
    }
    info.supported_metrics = model.vectorType === 'sparse' ? ['dotproduct'] : ['cosine', 'euclidean', 'dotproduct'];
  }
  return info;
}

function inputType(parameters: Record<string, unknown>): 'query' | 'passage' {
  const value = parameters.input_type ?? 'passage';
  if (value !== 'query' && value !== 'passage') throw invalid('parameters.input_type must be "query" or "passage"');
  return value;
}

/** Pinecone's inference API (embed, rerank, models) over the models the operator mapped. */
@Injectable()
export class PineconeInferenceService {
  constructor(private readonly inference: InferenceService) {}

  models(type: unknown, vectorType: unknown): Record<string, unknown>[] {
    if (type !== undefined && type !== 'embed' && type !== 'rerank') throw invalid('type must be "embed" or "rerank"');
    if (vectorType !== undefined && vectorType !== 'dense' && vectorType !== 'sparse')
      throw invalid('vector_type must be "dense" or "sparse"');
    return this.inference
      .models()
      .filter(
        (m) =>
          (type === undefined || m.type === type) &&
          (vectorType === undefined || (m.type === 'embed' && m.vectorType === vectorType)),
      )
      .map(modelInfo);
  }

  model(name: string): Record<string, unknown> {
    const model = this.inference.find(name);
    if (!model) throw new PineconeControlError(404, 'NOT_FOUND', `Model ${name} not found`);
    return modelInfo(model);
  }

  async embed(body: unknown) {
    if (!isObject(body)) throw invalid('The body must be a JSON object');
    const model = this.inference.model(body.model, 'embed');
    const parameters = body.parameters === undefined || body.parameters === null ? {} : body.parameters;
    if (!isObject(parameters)) throw invalid('parameters must be an object');
    if (parameters.dimension !== undefined && parameters.dimension !== model.dimension)
      throw invalid(`Model ${model.name} embeds in ${model.dimension ?? 'sparse'} dimensions on this gateway`);
    const inputs = body.inputs;
    if (!Array.isArray(inputs) || inputs.length === 0)
      throw invalid('inputs must be a non-empty array of {"text": ...}');
    if (inputs.length > MAX_EMBED_INPUTS)
      throw invalid(`At most ${MAX_EMBED_INPUTS} inputs per call, got ${inputs.length}`);
    const texts = inputs.map((input, k) => {
      const text = isObject(input) ? input.text : undefined;
      if (typeof text !== 'string') throw invalid(`inputs[${k}] must be {"text": "<text>"}`);
      return text;
    });
    const embedded = await this.inference.embed(model.name, texts, inputType(parameters));
    const data =
      embedded.vectorType === 'dense'
        ? embedded.vectors.map((values) => ({ values, vector_type: 'dense' }))
        : embedded.vectors.map((v) => ({ sparse_values: v.values, sparse_indices: v.indices, vector_type: 'sparse' }));
    return { model: model.name, vector_type: embedded.vectorType, data, usage: { total_tokens: embedded.tokens } };
  }

  async rerank(body: unknown) {
    if (!isObject(body)) throw invalid('The body must be a JSON object');
    const model = this.inference.model(body.model, 'rerank');
    if (typeof body.query !== 'string' || body.query === '') throw invalid('query must be a non-empty string');
    const documents = body.documents;
    if (!Array.isArray(documents) || documents.length === 0) throw invalid('documents must be a non-empty array');
    if (documents.length > MAX_RERANK_DOCUMENTS)
      throw invalid(`At most ${MAX_RERANK_DOCUMENTS} documents per call, got ${documents.length}`);
    const rankFields = body.rank_fields ?? ['text'];
    if (!Array.isArray(rankFields) || rankFields.length === 0 || !rankFields.every((f) => typeof f === 'string'))
      throw invalid('rank_fields must name at least one field');
    const topN = body.top_n ?? documents.length;
    if (typeof topN !== 'number' || !Number.isInteger(topN) || topN < 1)
      throw invalid('top_n must be a positive integer');
    const returnDocuments = body.return_documents ?? true;
    const objects = documents.map((d, k) => {
      const doc = typeof d === 'string' ? { text: d } : d;
      if (!isObject(doc)) throw invalid(`documents[${k}] must be a string or an object`);
      for (const f of rankFields as string[])
        if (typeof doc[f] !== 'string') throw invalid(`documents[${k}] has no string field ${f} to rank on`);
      return doc;
    });
    const texts = objects.map((doc) =>
      rankFields.length === 1
        ? (doc[rankFields[0]] as string)
        : (rankFields as string[]).map((f) => `${f}: ${doc[f] as string}`).join('\n'),
    );
    const { scores } = await this.inference.rerank(model.name, body.query, texts);
    const data = scores
      .map((score, index) => ({ index, score, ...(returnDocuments ? { document: objects[index] } : {}) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, topN);
    return { model: model.name, data, usage: { rerank_units: 1 } };
  }
}
