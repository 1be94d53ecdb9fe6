import type { ExpectedAnswer } from './answer-limit';

/** Whether a text is stored (a passage) or searched with (a query): some models embed them differently. */
export type InputType = 'passage' | 'query';

/** A sparse vector: 0-based indices, sorted and unique, with their weights. */
export interface SparseValues {
  indices: number[];
  values: number[];
}

export interface DenseBatch {
  vectors: number[][];
  /** Tokens the provider counted, when it says. */
  tokens: number | null;
}

export interface SparseBatch {
  vectors: SparseValues[];
  tokens: number | null;
}

export interface RerankBatch {
  /** One relevance score per document, in the documents' order. */
  scores: number[];
  tokens: number | null;
}

/** Everything one call to a provider needs: where, which model, the key, when to give up, how much to read. */
export interface ProviderCall {
  url: string;
  model: string;
  apiKey: string | undefined;
  signal: AbortSignal;
  /** What a good answer holds: it bounds how much of the answer is read (answer-limit.ts). */
  expected: ExpectedAnswer;
  /** Takes every configured key, and anything like a credential, out of a provider's words (redact.ts). */
  redact: (text: string) => string;
}

/** One provider's wire shape for dense embeddings. */
export interface EmbeddingApi {
  embed(call: ProviderCall, texts: string[], input: InputType): Promise<DenseBatch>;
}

/** One provider's wire shape for reranking. */
export interface RerankApi {
  rerank(call: ProviderCall, query: string, documents: string[]): Promise<RerankBatch>;
}
