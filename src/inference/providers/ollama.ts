import type { DenseBatch, EmbeddingApi, ProviderCall } from './provider';
import { arrayOf, numberArray, postForObject, tokensOf } from './http-json';

/** Ollama's native `/api/embed` (many inputs per call); `url` is the server, e.g. http://127.0.0.1:11434. */
export const ollamaEmbeddings: EmbeddingApi = {
  async embed(call: ProviderCall, texts: string[]): Promise<DenseBatch> {
    const answer = await postForObject(call, '/api/embed', { model: call.model, input: texts });
    const vectors = arrayOf(answer.embeddings, 'embeddings', texts.length).map((v, i) =>
      numberArray(v, `embeddings[${i}]`),
    );
    return { vectors, tokens: tokensOf(answer.prompt_eval_count) };
  },
};
