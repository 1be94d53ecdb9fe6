import type { DenseBatch, EmbeddingApi, InputType, ProviderCall, RerankApi, RerankBatch } from './provider';
import { bearer, dataEmbeddings, endpoint, objectOf, postJson, scoresByIndex, tokensOf } from './http-json';

/** Jina AI's `/v1/embeddings` (retrieval tasks) and `/v1/rerank`; `url` is the API host (https://api.jina.ai by default). */
export const jinaEmbeddings: EmbeddingApi = {
  async embed(call: ProviderCall, texts: string[], input: InputType): Promise<DenseBatch> {
    const answer = objectOf(
      await postJson(
        endpoint(call.url, '/v1/embeddings'),
        { model: call.model, input: texts, task: input === 'query' ? 'retrieval.query' : 'retrieval.passage' },
        bearer(call.apiKey),
        call.signal,
      ),
      'answer',
    );
    const usage = answer.usage as Record<string, unknown> | undefined;
    return { vectors: dataEmbeddings(answer, texts.length), tokens: tokensOf(usage?.total_tokens) };
  },
};

export const jinaRerank: RerankApi = {
  async rerank(call: ProviderCall, query: string, documents: string[]): Promise<RerankBatch> {
    const answer = objectOf(
      await postJson(
        endpoint(call.url, '/v1/rerank'),
        { model: call.model, query, documents, top_n: documents.length, return_documents: false },
        bearer(call.apiKey),
        call.signal,
      ),
      'answer',
    );
    const usage = answer.usage as Record<string, unknown> | undefined;
    return {
      scores: scoresByIndex(answer.results, documents.length, 'relevance_score'),
      tokens: tokensOf(usage?.total_tokens),
    };
  },
};
