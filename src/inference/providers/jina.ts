import type { DenseBatch, EmbeddingApi, InputType, ProviderCall, RerankApi, RerankBatch } from './provider';
import { dataEmbeddings, postForObject, scoresByIndex, tokensOf, usageOf } from './http-json';

/** Jina AI's `/v1/embeddings` (retrieval tasks) and `/v1/rerank`; `url` is the API host (https://api.jina.ai by default). */
export const jinaEmbeddings: EmbeddingApi = {
  async embed(call: ProviderCall, texts: string[], input: InputType): Promise<DenseBatch> {
    const answer = await postForObject(call, '/v1/embeddings', {
      model: call.model,
      input: texts,
      task: input === 'query' ? 'retrieval.query' : 'retrieval.passage',
    });
    return { vectors: dataEmbeddings(answer, texts.length), tokens: tokensOf(usageOf(answer).total_tokens) };
  },
};

export const jinaRerank: RerankApi = {
  async rerank(call: ProviderCall, query: string, documents: string[]): Promise<RerankBatch> {
    const answer = await postForObject(call, '/v1/rerank', {
      model: call.model,
      query,
      documents,
      top_n: documents.length,
      return_documents: false,
    });
    return {
      scores: scoresByIndex(answer.results, documents.length, 'relevance_score'),
      tokens: tokensOf(usageOf(answer).total_tokens),
    };
  },
};
