import type { DenseBatch, EmbeddingApi, InputType, ProviderCall, RerankApi, RerankBatch } from './provider';
import { bearer, dataEmbeddings, endpoint, objectOf, postJson, scoresByIndex, tokensOf } from './http-json';

/** Voyage AI's `/v1/embeddings` and `/v1/rerank`; `url` is the API host (https://api.voyageai.com by default). */
export const voyageEmbeddings: EmbeddingApi = {
  async embed(call: ProviderCall, texts: string[], input: InputType): Promise<DenseBatch> {
    const answer = objectOf(
      await postJson(
        endpoint(call.url, '/v1/embeddings'),
        { model: call.model, input: texts, input_type: input === 'query' ? 'query' : 'document' },
        bearer(call.apiKey),
        call.signal,
      ),
      'answer',
    );
    const usage = answer.usage as Record<string, unknown> | undefined;
    return { vectors: dataEmbeddings(answer, texts.length), tokens: tokensOf(usage?.total_tokens) };
  },
};

export const voyageRerank: RerankApi = {
  async rerank(call: ProviderCall, query: string, documents: string[]): Promise<RerankBatch> {
    const answer = objectOf(
      await postJson(
        endpoint(call.url, '/v1/rerank'),
        { model: call.model, query, documents },
        bearer(call.apiKey),
        call.signal,
      ),
      'answer',
    );
    const usage = answer.usage as Record<string, unknown> | undefined;
    return {
      scores: scoresByIndex(answer.data, documents.length, 'relevance_score'),
      tokens: tokensOf(usage?.total_tokens),
    };
  },
};
