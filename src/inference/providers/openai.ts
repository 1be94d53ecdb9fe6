import type { DenseBatch, EmbeddingApi, ProviderCall } from './provider';
import { bearer, dataEmbeddings, endpoint, objectOf, postJson, tokensOf } from './http-json';

/**
 * OpenAI's `/embeddings` and every server that copies it (Azure OpenAI, vLLM, LM Studio,
 * llama.cpp's server, Ollama's and TEI's compatible routes). `url` is the API base, `/v1` included.
 */
export const openAiEmbeddings: EmbeddingApi = {
  async embed(call: ProviderCall, texts: string[]): Promise<DenseBatch> {
    const answer = objectOf(
      await postJson(
        endpoint(call.url, '/embeddings'),
        { model: call.model, input: texts, encoding_format: 'float' },
        bearer(call.apiKey),
        call.signal,
      ),
      'answer',
    );
    const usage = answer.usage as Record<string, unknown> | undefined;
    return {
      vectors: dataEmbeddings(answer, texts.length),
      tokens: tokensOf(usage?.total_tokens ?? usage?.prompt_tokens),
    };
  },
};
