import type { DenseBatch, EmbeddingApi, InputType, ProviderCall, RerankApi, RerankBatch } from './provider';
import { dataEmbeddings, postForObject, scoresByIndex, tokensOf, usageOf } from './http-json';

/** Voyage AI's `/v1/embeddings` and `/v1/rerank`; `url` is the API host (https://api.voyageai.com by default). */
export const voyageEmbeddings: EmbeddingApi = {
  async embed(call: ProviderCall, texts: string[], input: InputType): Promise<DenseBatch> {
    const answer = await postForObject(call, '/v1/embeddings', {
      model: call.model,
      input: texts,
      input_type: input === 'query' ? 'query' : 'document',
    });
    return { vectors: dataEmbeddings(answer, texts.length), tokens: tokensOf(usageOf(answer).total_tokens) };
  },
};

export const voyageRerank: RerankApi = {
  async rerank(call: ProviderCall, query: string, documents: string[]): Promise<RerankBatch> {
    const answer = await postForObject(call, '/v1/rerank', { model: call.model, query, documents });
    return {
      scores: scoresByIndex(answer.data, documents.length, 'relevance_score'),
      tokens: tokensOf(usageOf(answer).total_tokens),
    };
  },
};
