import type { DenseBatch, EmbeddingApi, ProviderCall } from './provider';
import { dataEmbeddings, postForObject, tokensOf, usageOf } from './http-json';

/**
 * OpenAI's `/embeddings` and every server that copies it (Azure OpenAI, vLLM, LM Studio,
 * llama.cpp's server, Ollama's and TEI's compatible routes). `url` is the API base, `/v1` included.
 */
export const openAiEmbeddings: EmbeddingApi = {
  async embed(call: ProviderCall, texts: string[]): Promise<DenseBatch> {
    const answer = await postForObject(call, '/embeddings', {
      model: call.model,
      input: texts,
      encoding_format: 'float',
    });
    const usage = usageOf(answer);
    return {
      vectors: dataEmbeddings(answer, texts.length),
      tokens: tokensOf(usage.total_tokens ?? usage.prompt_tokens),
    };
  },
};
