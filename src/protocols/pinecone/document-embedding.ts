import { sparsevecText } from '../../core/records/sparse-vector';
import type { Retriever } from '../../core/search/plan';
import type { InferenceService } from '../../inference/inference.service';
import { PineconeControlError } from './pinecone-error';
import { embedFields, type DocumentFields } from './document-schema';
import type { DocumentWrite } from './document.mapper';
import { inputTypeOf } from './integrated-embed';
import { checkNonZero, denseVector } from './vectors.mapper';

/**
 * Embeds the texts of documents about to be written, through the operator's providers: the dense
 * slot's texts in one call, the sparse slot's in another, each with its field's model and write
 * parameters. Runs before the write, so a provider that fails writes nothing. Returns the tokens
 * embedded, or null when no document had a text to embed.
 */
export async function embedDocuments(
  inference: InferenceService,
  schema: DocumentFields,
  writes: DocumentWrite[],
): Promise<number | null> {
  const { dense, sparse } = embedFields(schema);
  let tokens: number | null = null;
  const withDense = writes.filter((w) => w.embed.dense !== undefined);
  if (dense && withDense.length > 0) {
    const [field, config] = dense;
    const embedded = await inference.embed(
      config.model,
      withDense.map((w) => w.embed.dense!),
      inputTypeOf(config.write_parameters, 'passage'),
    );
    if (embedded.vectorType !== 'dense') throw new Error(`${config.model} answered sparse vectors for ${field}`);
    withDense.forEach((w, k) => {
      const vector = denseVector(embedded.vectors[k], field);
      checkNonZero(vector, w.record.id);
      w.record.embedding = vector;
    });
    tokens = embedded.tokens;
  }
  const withSparse = writes.filter((w) => w.embed.sparse !== undefined);
  if (sparse && withSparse.length > 0) {
    const [field, config] = sparse;
    const embedded = await inference.embed(
      config.model,
      withSparse.map((w) => w.embed.sparse!),
      inputTypeOf(config.write_parameters, 'passage'),
    );
    if (embedded.vectorType !== 'sparse') throw new Error(`${config.model} answered dense vectors for ${field}`);
    withSparse.forEach((w, k) => {
      const { indices, values } = embedded.vectors[k];
      // A text of no term (punctuation only) has no sparse vector: the document is written without one.
      if (indices.length > 0) w.record.sparse = sparsevecText(indices, values);
    });
    tokens = (tokens ?? 0) + embedded.tokens;
  }
  return tokens;
}

/** A query text to embed with a field's model (its read parameters), for an `embed` or `sparse_embed` clause. */
export interface QueryToEmbed {
  kind: 'dense' | 'sparse';
  model: string;
  text: string;
  parameters: Record<string, unknown>;
}

/** The retriever of an embedded query, and the tokens its embedding took. */
export async function embeddedRetriever(
  inference: InferenceService,
  query: QueryToEmbed,
): Promise<{ retriever: Retriever; tokens: number }> {
  const embedded = await inference.embed(query.model, [query.text], inputTypeOf(query.parameters, 'query'));
  if (embedded.vectorType === 'dense' && query.kind === 'dense')
    return {
      retriever: { kind: 'dense', vector: denseVector(embedded.vectors[0], 'the embedded query') },
      tokens: embedded.tokens,
    };
  if (embedded.vectorType === 'sparse' && query.kind === 'sparse') {
    const { indices, values } = embedded.vectors[0];
    if (indices.length === 0)
      throw PineconeControlError.invalid(`score_by[0].query holds no term that ${query.model} weighs`);
    return {
      retriever: { kind: 'sparse', text: sparsevecText(indices, values).text, idf: false },
      tokens: embedded.tokens,
    };
  }
  throw new Error(`${query.model} answered ${embedded.vectorType} vectors for a ${query.kind} field`);
}
