import { readFileSync } from 'node:fs';
import { BM25_MODEL } from './providers/bm25';

export type ProviderKind = 'openai' | 'ollama' | 'tei' | 'cohere' | 'voyage' | 'jina';
export type ModelMetric = 'cosine' | 'dotproduct' | 'euclidean';

/** One server or API the operator runs or pays for, with the limits vecgate keeps towards it. */
export interface ProviderSettings {
  name: string;
  kind: ProviderKind;
  url: string;
  /** Read from the environment variable the operator named; never logged, never returned. */
  apiKey: string | undefined;
  /** Inputs per call (texts to embed, documents to rerank). */
  batchSize: number;
  /** Calls in flight at once, across every request of this process. */
  concurrency: number;
  timeoutMs: number;
  /** Further attempts after a 429, a 5xx, a timeout or a refused connection. */
  retries: number;
  retryBaseMs: number;
}

/** A model name clients use (Pinecone's `llama-text-embed-v2`, Chroma's `model_name`), mapped to a provider. */
export interface ModelSettings {
  name: string;
  type: 'embed' | 'rerank';
  vectorType: 'dense' | 'sparse';
  /** Null for the gateway's own `vecgate-bm25`. */
  provider: ProviderSettings | null;
  /** The name the provider knows the model by. */
  providerModel: string;
  dimension: number | null;
  metric: ModelMetric;
  /** Prepended to passages and queries (E5 models want "passage: " and "query: "). */
  passagePrefix: string;
  queryPrefix: string;
  description: string;
}

export interface InferenceOptions {
  models: Map<string, ModelSettings>;
  /** Every provider's key, those of providers no model names included: none is ever quoted from an answer. */
  secrets: string[];
}

export const INFERENCE_OPTIONS = Symbol('INFERENCE_OPTIONS');

const KINDS: ProviderKind[] = ['openai', 'ollama', 'tei', 'cohere', 'voyage', 'jina'];

/** Each kind's usual address and the batch its servers take (TEI's default max_client_batch_size is 32). */
const KIND_DEFAULTS: Record<ProviderKind, { url?: string; batchSize: number; rerank: boolean }> = {
  openai: { url: 'https://api.openai.com/v1', batchSize: 256, rerank: false },
  ollama: { url: 'http://127.0.0.1:11434', batchSize: 64, rerank: false },
  tei: { batchSize: 32, rerank: true },
  cohere: { url: 'https://api.cohere.com', batchSize: 96, rerank: true },
  voyage: { url: 'https://api.voyageai.com', batchSize: 128, rerank: true },
  jina: { url: 'https://api.jina.ai', batchSize: 256, rerank: true },
};

export const BUILT_IN_BM25: ModelSettings = {
  name: BM25_MODEL,
  type: 'embed',
  vectorType: 'sparse',
  provider: null,
  providerModel: BM25_MODEL,
  dimension: null,
  metric: 'dotproduct',
  passagePrefix: '',
  queryPrefix: '',
  description: 'BM25 term weights computed by the gateway itself (no provider, no IDF); see docs/inference.md',
};

export class InferenceConfigError extends Error {}

type Raw = Record<string, unknown>;

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function int(where: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new InferenceConfigError(`${where} must be an integer from ${min} to ${max}`);
  return value;
}

function str(where: string, value: unknown, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || value === '') throw new InferenceConfigError(`${where} must be a non-empty string`);
  return value;
}

function providerOf(name: string, raw: unknown, env: Record<string, string | undefined>): ProviderSettings {
  const at = `providers.${name}`;
  if (!isObject(raw)) throw new InferenceConfigError(`${at} must be an object`);
  const kind = raw.kind as ProviderKind;
  if (!KINDS.includes(kind)) throw new InferenceConfigError(`${at}.kind must be one of ${KINDS.join(', ')}`);
  const defaults = KIND_DEFAULTS[kind];
  const url = str(`${at}.url`, raw.url, defaults.url);
  if (!/^https?:\/\//.test(url)) throw new InferenceConfigError(`${at}.url must be an http(s) URL`);
  let apiKey: string | undefined;
  if (raw.api_key_env !== undefined) {
    const variable = str(`${at}.api_key_env`, raw.api_key_env);
    apiKey = env[variable];
    if (!apiKey) throw new InferenceConfigError(`${at}.api_key_env names ${variable}, which is not set`);
  }
  return {
    name,
    kind,
    url,
    apiKey,
    batchSize: int(`${at}.batch_size`, raw.batch_size, defaults.batchSize, 1, 10_000),
    concurrency: int(`${at}.concurrency`, raw.concurrency, 4, 1, 256),
    timeoutMs: int(`${at}.timeout_ms`, raw.timeout_ms, 30_000, 10, 600_000),
    retries: int(`${at}.retries`, raw.retries, 3, 0, 10),
    retryBaseMs: int(`${at}.retry_base_ms`, raw.retry_base_ms, 250, 1, 60_000),
  };
}

function modelOf(name: string, raw: unknown, providers: Map<string, ProviderSettings>): ModelSettings {
  const at = `models.${name}`;
  if (!isObject(raw)) throw new InferenceConfigError(`${at} must be an object`);
  const type = raw.type ?? 'embed';
  if (type !== 'embed' && type !== 'rerank') throw new InferenceConfigError(`${at}.type must be "embed" or "rerank"`);
  const providerName = str(`${at}.provider`, raw.provider);
  // Another name for the built-in BM25 (an operator who accepts it for `pinecone-sparse-english-v0` or `qdrant/bm25`).
  if (providerName === BM25_MODEL) {
    if (type !== 'embed') throw new InferenceConfigError(`${at}: ${BM25_MODEL} embeds, it does not rerank`);
    return { ...BUILT_IN_BM25, name, description: `${BM25_MODEL} under another name, as the operator mapped it` };
  }
  const provider = providers.get(providerName);
  if (!provider)
    throw new InferenceConfigError(`${at}.provider names ${providerName}, which providers does not declare`);
  if (type === 'rerank' && !KIND_DEFAULTS[provider.kind].rerank)
    throw new InferenceConfigError(
      `${at}: a ${provider.kind} provider does not rerank (tei, cohere, voyage and jina do)`,
    );
  const metric = raw.metric ?? 'cosine';
  if (metric !== 'cosine' && metric !== 'dotproduct' && metric !== 'euclidean')
    throw new InferenceConfigError(`${at}.metric must be cosine, dotproduct or euclidean`);
  return {
    name,
    type,
    vectorType: 'dense',
    provider,
    providerModel: str(`${at}.model`, raw.model, name),
    dimension: type === 'embed' ? int(`${at}.dimension`, raw.dimension, Number.NaN, 1, 16_000) : null,
    metric,
    passagePrefix: raw.passage_prefix === undefined ? '' : str(`${at}.passage_prefix`, raw.passage_prefix),
    queryPrefix: raw.query_prefix === undefined ? '' : str(`${at}.query_prefix`, raw.query_prefix),
    description:
      raw.description === undefined
        ? `${type === 'embed' ? 'Embeds' : 'Reranks'} with ${provider.kind} model ${str(`${at}.model`, raw.model, name)}`
        : str(`${at}.description`, raw.description),
  };
}

/**
 * The operator's mapping of model names to providers (docs/inference.md): JSON with `providers`
 * and `models`. A name may stand for any model the operator runs: `llama-text-embed-v2` may be
 * served by a local nomic-embed-text. `vecgate-bm25` is always there.
 */
export function parseInferenceConfig(
  json: unknown,
  env: Record<string, string | undefined> = process.env,
): InferenceOptions {
  const models = new Map<string, ModelSettings>([[BM25_MODEL, BUILT_IN_BM25]]);
  if (json === undefined || json === null) return { models, secrets: [] };
  if (!isObject(json)) throw new InferenceConfigError('the inference configuration must be a JSON object');
  const providers = new Map<string, ProviderSettings>();
  const rawProviders = json.providers ?? {};
  const rawModels = json.models ?? {};
  if (!isObject(rawProviders) || !isObject(rawModels))
    throw new InferenceConfigError('providers and models must be objects keyed by name');
  for (const [name, raw] of Object.entries(rawProviders)) providers.set(name, providerOf(name, raw, env));
  for (const [name, raw] of Object.entries(rawModels)) {
    if (name === BM25_MODEL) throw new InferenceConfigError(`models.${BM25_MODEL} is built in`);
    if (!/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/.test(name))
      throw new InferenceConfigError(`models.${name}: a model name is letters, digits, '.', '_', ':', '/' and '-'`);
    const model = modelOf(name, raw, providers);
    if (model.type === 'embed' && model.vectorType === 'dense' && Number.isNaN(model.dimension))
      throw new InferenceConfigError(`models.${name}.dimension is required for an embedding model`);
    models.set(name, model);
  }
  const secrets = [...providers.values()].flatMap((p) => (p.apiKey ? [p.apiKey] : []));
  return { models, secrets };
}

/**
 * VECGATE_INFERENCE_CONFIG: the JSON itself, or the path of a file holding it; unset, the
 * gateway offers `vecgate-bm25` only.
 */
export function loadInferenceOptions(env: Record<string, string | undefined> = process.env): InferenceOptions {
  const setting = (env.VECGATE_INFERENCE_CONFIG ?? '').trim();
  if (!setting) return parseInferenceConfig(undefined, env);
  let text = setting;
  if (!setting.startsWith('{')) {
    try {
      text = readFileSync(setting, 'utf8');
    } catch (err) {
      throw new InferenceConfigError(`cannot read ${setting}: ${(err as Error).message}`);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InferenceConfigError(`not JSON: ${(err as Error).message}`);
  }
  return parseInferenceConfig(json, env);
}
