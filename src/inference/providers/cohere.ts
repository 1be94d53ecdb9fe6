import type { DenseBatch, EmbeddingApi, InputType, ProviderCall, RerankApi, RerankBatch } from './provider';
import { arrayOf, numberArray, objectOf, postForObject, scoresByIndex, tokensOf } from './http-json';

/** Cohere's v2 `/embed` and `/rerank`; `url` is the API host (https://api.cohere.com by default). */
export const cohereEmbeddings: EmbeddingApi = {
  async embed(call: ProviderCall, texts: string[], input: InputType): Promise<DenseBatch> {
    const answer = await postForObject(call, '/v2/embed', {
      model: call.model,
      texts,
      input_type: input === 'query' ? 'search_query' : 'search_document',
      embedding_types: ['float'],
    });
    const embeddings = objectOf(answer.embeddings, 'embeddings');
    const vectors = arrayOf(embeddings.float, 'embeddings.float', texts.length).map((v, i) =>
      numberArray(v, `embeddings.float[${i}]`),
    );
    const billed = (answer.meta as { billed_units?: { input_tokens?: unknown } } | undefined)?.billed_units;
    return { vectors, tokens: tokensOf(billed?.input_tokens) };
  },
};

export const cohereRerank: RerankApi = {
  async rerank(call: ProviderCall, query: string, documents: string[]): Promise<RerankBatch> {
    const answer = await postForObject(call, '/v2/rerank', {
      model: call.model,
      query,
      documents,
      top_n: documents.length,
    });
    return { scores: scoresByIndex(answer.results, documents.length, 'relevance_score'), tokens: null };
  },
};
