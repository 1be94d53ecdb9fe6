import { Inject, Injectable, Optional } from '@nestjs/common';
import { InferenceInputError, ProviderUnavailableError, UnknownModelError } from './inference-errors';
import { INFERENCE_METRICS, type InferenceMetrics } from './inference-metrics';
import {
  INFERENCE_OPTIONS,
  type InferenceOptions,
  type ModelSettings,
  type ProviderSettings,
} from './inference-options';
import { CallDeadline } from './call-deadline';
import { ConcurrencyGate } from './concurrency-gate';
import { bm25 } from './providers/bm25';
import { AnswerTooLargeError, ProviderHttpError, ProviderShapeError } from './providers/http-json';
import type { ExpectedAnswer } from './providers/answer-limit';
import type { EmbeddingApi, InputType, ProviderCall, RerankApi, SparseValues } from './providers/provider';
import { redactor } from './providers/redact';
import { openAiEmbeddings } from './providers/openai';
import { ollamaEmbeddings } from './providers/ollama';
import { teiEmbeddings, teiRerank } from './providers/tei';
import { cohereEmbeddings, cohereRerank } from './providers/cohere';
import { voyageEmbeddings, voyageRerank } from './providers/voyage';
import { jinaEmbeddings, jinaRerank } from './providers/jina';

export type { InputType, SparseValues } from './providers/provider';
export type { ModelSettings } from './inference-options';

const EMBEDDING: Record<ProviderSettings['kind'], EmbeddingApi> = {
  openai: openAiEmbeddings,
  ollama: ollamaEmbeddings,
  tei: teiEmbeddings,
  cohere: cohereEmbeddings,
  voyage: voyageEmbeddings,
  jina: jinaEmbeddings,
};

const RERANK: Partial<Record<ProviderSettings['kind'], RerankApi>> = {
  tei: teiRerank,
  cohere: cohereRerank,
  voyage: voyageRerank,
  jina: jinaRerank,
};

/** Inputs one call may send, whatever the provider's batch: a request past it is the caller's 400. */
export const MAX_INPUTS = 10_000;
/** Characters of one text; longer ones are refused before any provider sees them. */
export const MAX_TEXT_CHARS = 100_000;
/** Longest a Retry-After is honoured before retrying anyway. */
const MAX_RETRY_WAIT_MS = 10_000;

export type Embeddings =
  | { vectorType: 'dense'; vectors: number[][]; tokens: number }
  | { vectorType: 'sparse'; vectors: SparseValues[]; tokens: number };

export interface Reranked {
  /** One score per document, in the documents' order. */
  scores: number[];
  tokens: number;
}

/** A provider failure the retry loop sorts: try again, or give up with a reason. */
function failureOf(err: unknown): { retry: boolean; reason: string; label: string } {
  if (err instanceof ProviderHttpError)
    return {
      retry: err.retryable,
      reason: err.message,
      label: err.status === 429 ? '429' : err.status >= 500 ? '5xx' : String(err.status),
    };
  const name = (err as Error)?.name;
  if (name === 'TimeoutError') return { retry: true, reason: 'timed out', label: 'timeout' };
  if (err instanceof AnswerTooLargeError) return { retry: false, reason: err.message, label: 'shape' };
  if (err instanceof ProviderShapeError)
    return { retry: false, reason: `unexpected answer: ${err.message}`, label: 'shape' };
  // fetch's TypeError: connection refused or reset, DNS, TLS.
  const cause = (err as { cause?: { code?: string } })?.cause?.code;
  return { retry: true, reason: cause ? `cannot connect: ${cause}` : 'cannot connect', label: 'network' };
}

function words(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/**
 * Embedding and reranking through the providers the operator mapped (docs/inference.md). Inputs
 * go in batches of the provider's size, at most its concurrency in flight across all requests;
 * each call has a timeout and is retried with backoff on a 429, a 5xx, a timeout or a refused
 * connection. The callers embed before they write, so a provider that fails writes nothing.
 */
@Injectable()
export class InferenceService {
  private readonly gates = new Map<string, ConcurrencyGate>();
  private readonly redact: (text: string) => string;

  constructor(
    @Inject(INFERENCE_OPTIONS) private readonly options: InferenceOptions,
    @Optional() @Inject(INFERENCE_METRICS) private readonly metrics?: InferenceMetrics,
  ) {
    // Every provider's key, whichever provider answers: a proxy before one may know another's.
    this.redact = redactor(options.secrets);
  }

  /** Every mapped model, by name. */
  models(): ModelSettings[] {
    return [...this.options.models.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The model of that name, or null. */
  find(name: unknown): ModelSettings | null {
    return typeof name === 'string' ? (this.options.models.get(name) ?? null) : null;
  }

  /** The model of that name and type, or the caller's 400. */
  model(name: unknown, type: 'embed' | 'rerank' | 'any'): ModelSettings {
    const model = this.find(name);
    if (!model || (type !== 'any' && model.type !== type)) throw new UnknownModelError(String(name), type);
    return model;
  }

  async embed(name: string, texts: string[], input: InputType): Promise<Embeddings> {
    const model = this.model(name, 'embed');
    checkTexts(texts);
    if (!model.provider) {
      return {
        vectorType: 'sparse',
        vectors: texts.map((t) => bm25(t, input)),
        tokens: texts.reduce((n, t) => n + words(t), 0),
      };
    }
    const prefix = input === 'query' ? model.queryPrefix : model.passagePrefix;
    const api = EMBEDDING[model.provider.kind];
    let tokens = 0;
    const batches = await this.batched(model, texts, model.dimension!, async (call, batch) => {
      const answer = await api.embed(call, prefix ? batch.map((t) => prefix + t) : batch, input);
      for (const v of answer.vectors)
        if (v.length !== model.dimension)
          throw new ProviderShapeError(
            `an embedding of ${v.length} dimensions, where ${model.name} is mapped with ${model.dimension}`,
          );
      tokens += answer.tokens ?? batch.reduce((n, t) => n + words(t), 0);
      return answer.vectors;
    });
    return { vectorType: 'dense', vectors: batches.flat(), tokens };
  }

  /** Scores each document against the query; documents beyond the provider's batch go in several calls. */
  async rerank(name: string, query: string, documents: string[]): Promise<Reranked> {
    const model = this.model(name, 'rerank');
    checkTexts([query]);
    checkTexts(documents, true);
    const api = RERANK[model.provider!.kind]!;
    let tokens = 0;
    const batches = await this.batched(model, documents, 1, async (call, batch) => {
      const answer = await api.rerank(call, query, batch);
      tokens += answer.tokens ?? 0;
      return answer.scores;
    });
    return { scores: batches.flat(), tokens };
  }

  /**
   * Runs `send` over the inputs in the provider's batches, through its concurrency gate (where
   * this call waits its turn with the other requests', batch by batch), with retries; batches come
   * back in input order. The first batch that fails for good aborts the rest.
   */
  private async batched<T>(
    model: ModelSettings,
    inputs: string[],
    numbersPerInput: number,
    send: (call: ProviderCall, batch: string[]) => Promise<T[]>,
  ): Promise<T[][]> {
    const provider = model.provider!;
    const gate = this.gateOf(provider);
    const abandon = new AbortController();
    const batches: string[][] = [];
    for (let i = 0; i < inputs.length; i += provider.batchSize) batches.push(inputs.slice(i, i + provider.batchSize));
    try {
      return await Promise.all(
        batches.map((batch) =>
          this.attempts(model, provider, gate, abandon, { inputs: batch.length, numbersPerInput }, (call) =>
            send(call, batch),
          ),
        ),
      );
    } finally {
      abandon.abort();
    }
  }

  private async attempts<T>(
    model: ModelSettings,
    provider: ProviderSettings,
    gate: ConcurrencyGate,
    batchesOfOneCall: AbortController,
    expected: ExpectedAnswer,
    once: (call: ProviderCall) => Promise<T>,
  ): Promise<T> {
    // The batches of one call share their controller: it is also the caller the gate rotates on.
    const abandoned = batchesOfOneCall.signal;
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    for (let attempt = 0; ; attempt++) {
      if (abandoned.aborted) throw new ProviderUnavailableError(model.name, 'another batch failed');
      let wait: number;
      try {
        const result = await gate.run(batchesOfOneCall, async () => {
          const deadline = new CallDeadline(provider.timeoutMs, abandoned);
          try {
            return await once({
              url: provider.url,
              model: model.providerModel,
              apiKey: provider.apiKey,
              signal: deadline.signal,
              expected,
              redact: this.redact,
            });
          } finally {
            deadline.end();
          }
        });
        this.metrics?.called(provider.name, model.name, 'ok', seconds());
        return result;
      } catch (err) {
        // Another batch failed for good and this one was called off: that failure is the one reported.
        if (abandoned.aborted) throw new ProviderUnavailableError(model.name, 'another batch failed');
        if (err instanceof InferenceInputError) {
          this.metrics?.called(provider.name, model.name, 'refused', seconds());
          throw err;
        }
        const failure = failureOf(err);
        // A provider's 400 or 422 is about the input (a text past the model's context, say): the caller's to fix.
        if (err instanceof ProviderHttpError && (err.status === 400 || err.status === 422)) {
          this.metrics?.called(provider.name, model.name, 'refused', seconds());
          throw new InferenceInputError(
            `The inference provider for model ${model.name} refused the input: ${err.message}`,
          );
        }
        if (!failure.retry || attempt >= provider.retries) {
          this.metrics?.called(provider.name, model.name, failure.label, seconds());
          throw new ProviderUnavailableError(
            model.name,
            attempt > 0 ? `${failure.reason}, after ${attempt + 1} attempts` : failure.reason,
          );
        }
        this.metrics?.retried(provider.name, model.name, failure.label);
        const backoff = provider.retryBaseMs * 2 ** attempt * (0.5 + Math.random() / 2);
        const asked = err instanceof ProviderHttpError ? err.retryAfterMs : null;
        wait = Math.min(MAX_RETRY_WAIT_MS, asked ?? backoff);
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  private gateOf(provider: ProviderSettings): ConcurrencyGate {
    let gate = this.gates.get(provider.name);
    if (!gate) this.gates.set(provider.name, (gate = new ConcurrencyGate(provider.concurrency)));
    return gate;
  }
}

function checkTexts(texts: string[], allowEmpty = false): void {
  if (texts.length > MAX_INPUTS)
    throw new InferenceInputError(`At most ${MAX_INPUTS} inputs per request, got ${texts.length}`);
  texts.forEach((t, i) => {
    if (typeof t !== 'string') throw new InferenceInputError(`Input ${i} is not text`);
    if (!allowEmpty && t.trim() === '') throw new InferenceInputError(`Input ${i} is empty: there is no text to embed`);
    if (t.length > MAX_TEXT_CHARS)
      throw new InferenceInputError(
        `Input ${i} has ${t.length} characters; at most ${MAX_TEXT_CHARS} are sent to a model`,
      );
  });
}
