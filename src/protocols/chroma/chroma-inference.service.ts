import { Injectable } from '@nestjs/common';
import type { Collection } from '../../core/collections/collection.model';
import { DenseVector } from '../../core/records/dense-vector';
import type { RecordWrite, WriteMode } from '../../core/records/record.model';
import { sparsevecText } from '../../core/records/sparse-vector';
import {
  InferenceService,
  type InputType,
  type ModelSettings,
  type SparseValues,
} from '../../inference/inference.service';
import { isObject } from '../json-guards';
import { ChromaHttpError } from './chroma-error';
import { isDefaultEmbeddingFunction } from './collection-config';
import { DOCUMENT_KEY, sparseIndexOf } from './collection-schema';
import type { TextQuery } from './search.parser';

/** What a collection's embedding function comes to on this gateway. */
export interface ResolvedFunction {
  /** The mapped model it embeds with, or null. */
  model: ModelSettings | null;
  /** The function's name, when the collection names one (`{"type": "known", "name": ...}`). */
  functionName: string | null;
  /** The model names tried, in order: `config.model_name`, `config.model`, then the function's name. */
  tried: string[];
}

const NONE: ResolvedFunction = { model: null, functionName: null, tried: [] };

/**
 * The model names an embedding function's config stands for, in the order they are tried:
 * `config.model_name` (OpenAI, Ollama, Cohere, Voyage, Jina, sentence-transformers...),
 * `config.model` (Chroma Cloud's Qwen and SPLADE), then the function's own `name`.
 */
export function modelCandidates(ef: unknown): { functionName: string | null; names: string[] } {
  if (!isObject(ef) || ef.type !== 'known' || typeof ef.name !== 'string') return { functionName: null, names: [] };
  const config = isObject(ef.config) ? ef.config : {};
  const names = [config.model_name, config.model, ef.name].filter(
    (n): n is string => typeof n === 'string' && n !== '',
  );
  return { functionName: ef.name, names: [...new Set(names)] };
}

/**
 * Chroma collections whose embedding function the operator mapped to a model (docs/inference.md)
 * are embedded on the server (docs/protocols/chroma.md#server-side-embedding): documents written
 * without embeddings, and `$knn` queries given as text. Each write's texts are embedded before
 * the write's transaction, so a provider that fails writes nothing.
 */
@Injectable()
export class ChromaInferenceService {
  constructor(private readonly inference: InferenceService) {}

  private resolve(ef: unknown, vectorType: 'dense' | 'sparse'): ResolvedFunction {
    const { functionName, names } = modelCandidates(ef);
    for (const name of names) {
      const model = this.inference.find(name);
      if (model && model.type === 'embed' && model.vectorType === vectorType)
        return { model, functionName, tried: names };
    }
    return { model: null, functionName, tried: names };
  }

  /** The dense model of the collection's embedding function (configuration or schema), if mapped. */
  denseFunction(collection: Collection): ResolvedFunction {
    const ef = (collection.extras as { embedding_function?: unknown }).embedding_function;
    return ef === undefined || ef === null ? NONE : this.resolve(ef, 'dense');
  }

  /**
   * The sparse vector index's key, its source (`#document` or a metadata key; null without one:
   * then only text queries are embedded) and the sparse model its embedding function maps to.
   */
  sparseFunction(collection: Collection): { key: string; source: string | null; resolved: ResolvedFunction } | null {
    const index = sparseIndexOf(collection);
    if (!index) return null;
    const source = typeof index.config.source_key === 'string' ? index.config.source_key : null;
    return { key: index.key, source, resolved: this.resolve(index.config.embedding_function, 'sparse') };
  }

  /**
   * Fills in, before the write: the embeddings of records that have none (from their documents,
   * when `dense` is the collection's model), and the sparse vector under the sparse index's key of
   * records whose source text is written and whose metadata does not set the key.
   */
  async embedWrite(
    collection: Collection,
    records: RecordWrite[],
    mode: WriteMode,
    dense: ModelSettings | null,
  ): Promise<void> {
    const work: Promise<void>[] = [];
    if (dense) work.push(this.embedDense(dense, records, mode));
    const sparse = this.sparseFunction(collection);
    if (sparse?.resolved.model && sparse.source !== null)
      work.push(this.embedSparse(sparse.resolved.model, sparse.key, sparse.source, records));
    await Promise.all(work);
  }

  private async embedDense(model: ModelSettings, records: RecordWrite[], mode: WriteMode): Promise<void> {
    const pending: RecordWrite[] = [];
    for (const record of records) {
      if (record.embedding) continue;
      if (typeof record.document === 'string') {
        if (record.document.trim() === '')
          throw ChromaHttpError.invalidArgument(
            `Record ${JSON.stringify(record.id)} has no embedding and an empty document: there is no text to embed`,
          );
        pending.push(record);
      } else if (mode !== 'update') {
        throw ChromaHttpError.invalidArgument(
          `Record ${JSON.stringify(record.id)} has neither an embedding nor a document to embed with ${model.name}`,
        );
      }
    }
    if (pending.length === 0) return;
    const vectors = await this.dense(
      model,
      pending.map((r) => r.document as string),
      'passage',
    );
    pending.forEach((record, i) => (record.embedding = DenseVector.fromNumbers(vectors[i])));
  }

  private async embedSparse(model: ModelSettings, key: string, source: string, records: RecordWrite[]): Promise<void> {
    const pending: { record: RecordWrite; text: string }[] = [];
    for (const record of records) {
      // A sparse vector the client computed (or any value it wrote under the key) is kept.
      if (record.metadata && Object.hasOwn(record.metadata, key)) continue;
      const text = source === DOCUMENT_KEY ? record.document : record.metadata?.[source];
      // Nothing to embed: no source in this write, or an empty one (no terms, no sparse vector).
      if (typeof text === 'string' && text.trim() !== '') pending.push({ record, text });
    }
    if (pending.length === 0) return;
    const vectors = await this.sparse(
      model,
      pending.map((p) => p.text),
      'passage',
    );
    pending.forEach(({ record }, i) => {
      // As the 3.x client writes a sparse vector into metadata.
      record.metadata = { ...(record.metadata ?? {}), [key]: { '#type': 'sparse_vector', ...vectors[i] } };
    });
  }

  /** Embeds the `$knn` queries a search gave as text, with the collection's dense or sparse model, in place. */
  async embedQueries(collection: Collection, texts: TextQuery[]): Promise<void> {
    const dense = texts.filter((t) => !t.sparse);
    const sparse = texts.filter((t) => t.sparse);
    const work: Promise<void>[] = [];
    if (dense.length > 0) {
      const resolved = this.denseFunction(collection);
      if (!resolved.model) throw noModelForText(collection, resolved, '#embedding');
      work.push(
        this.dense(
          resolved.model,
          dense.map((t) => t.text),
          'query',
        ).then((vectors) => dense.forEach((t, i) => (t.node.query = { dense: DenseVector.fromNumbers(vectors[i]) }))),
      );
    }
    if (sparse.length > 0) {
      const resolved = this.sparseFunction(collection)?.resolved ?? NONE;
      if (!resolved.model) throw noModelForText(collection, resolved, sparse[0].key);
      work.push(
        this.sparse(
          resolved.model,
          sparse.map((t) => t.text),
          'query',
        ).then((vectors) =>
          sparse.forEach((t, i) => (t.node.query = { sparse: sparsevecText(vectors[i].indices, vectors[i].values) })),
        ),
      );
    }
    await Promise.all(work);
  }

  /** The dense vectors of `texts` by a model resolved as dense (resolve checks its vectorType). */
  private async dense(model: ModelSettings, texts: string[], input: InputType): Promise<number[][]> {
    const embedded = await this.inference.embed(model.name, texts, input);
    if (embedded.vectorType !== 'dense') throw new Error(`${model.name} answered sparse vectors for a dense index`);
    return embedded.vectors;
  }

  /** The sparse vectors of `texts` by a model resolved as sparse. */
  private async sparse(model: ModelSettings, texts: string[], input: InputType): Promise<SparseValues[]> {
    const embedded = await this.inference.embed(model.name, texts, input);
    if (embedded.vectorType !== 'sparse') throw new Error(`${model.name} answered dense vectors for a sparse index`);
    return embedded.vectors;
  }
}

/** What was tried, for a message: `openai (model text-embedding-3-small)`. */
function described(resolved: ResolvedFunction): string {
  const models = resolved.tried.filter((n) => n !== resolved.functionName);
  return models.length > 0 ? `${resolved.functionName} (model ${models.join(', ')})` : `${resolved.functionName}`;
}

/** Whether the function names something the operator could map (Chroma's default counts as nothing). */
export function namesAModel(resolved: ResolvedFunction, ef: unknown): boolean {
  return resolved.functionName !== null && !isDefaultEmbeddingFunction(ef);
}

/** The 400 of a write without embeddings on a collection whose function names a model not mapped here. */
export function unmappedForWrite(resolved: ResolvedFunction): ChromaHttpError {
  return ChromaHttpError.invalidArgument(
    `Embeddings are required: the collection's embedding function ${described(resolved)} is not mapped to a dense embedding model on this gateway, so vecgate cannot embed its documents; send embeddings, or have the operator map ${JSON.stringify(resolved.tried[0])} (VECGATE_INFERENCE_CONFIG)`,
  );
}

function noModelForText(collection: Collection, resolved: ResolvedFunction, key: string): ChromaHttpError {
  const where = key === '#embedding' ? 'embedding function' : `sparse vector index '${key}'`;
  if (resolved.functionName === null)
    return ChromaHttpError.invalidArgument(
      `A $knn query given as text needs an embedding function the gateway runs: the ${where} of collection ${JSON.stringify(collection.name)} names none; send the query as a vector`,
    );
  return ChromaHttpError.invalidArgument(
    `A $knn query given as text needs an embedding function the gateway runs: the ${where} of collection ${JSON.stringify(collection.name)} is ${described(resolved)}, which is not mapped to a ${key === '#embedding' ? 'dense' : 'sparse'} embedding model on this gateway; send the query as a vector, or have the operator map ${JSON.stringify(resolved.tried[0])} (VECGATE_INFERENCE_CONFIG)`,
  );
}
