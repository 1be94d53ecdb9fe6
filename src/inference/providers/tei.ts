import type { DenseBatch, EmbeddingApi, ProviderCall, RerankApi, RerankBatch } from './provider';
import { arrayOf, numberArray, postCall, scoresByIndex } from './http-json';

/**
 * Hugging Face text-embeddings-inference: `/embed` and `/rerank` (it serves one model, so the
 * model name is not sent). `url` is the server, e.g. http://127.0.0.1:8080.
 */
export const teiEmbeddings: EmbeddingApi = {
  async embed(call: ProviderCall, texts: string[]): Promise<DenseBatch> {
    const answer = await postCall(call, '/embed', { inputs: texts, normalize: true, truncate: true });
    return {
      vectors: arrayOf(answer, 'answer', texts.length).map((v, i) => numberArray(v, `answer[${i}]`)),
      tokens: null,
    };
  },
};

export const teiRerank: RerankApi = {
  async rerank(call: ProviderCall, query: string, documents: string[]): Promise<RerankBatch> {
    const answer = await postCall(call, '/rerank', {
      query,
      texts: documents,
      raw_scores: false,
      return_text: false,
      truncate: true,
    });
    return { scores: scoresByIndex(answer, documents.length, 'score'), tokens: null };
  },
};
