import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A fake inference provider speaking every shape vecgate calls, each under its own prefix:
 * `/openai/v1/embeddings`, `/ollama/api/embed`, `/tei/embed` and `/tei/rerank`,
 * `/cohere/v2/embed` and `/cohere/v2/rerank`, `/voyage/v1/embeddings` and `/voyage/v1/rerank`,
 * `/jina/v1/embeddings` and `/jina/v1/rerank`.
 *
 * Embeddings are deterministic and meaningful: the sum of a pseudo-random unit vector per word
 * (lowercased letters and digits), normalised, so texts sharing words are near. A rerank score is
 * the share of the query's words a document holds. Tests set a latency, make the next calls fail
 * with a status, take the provider down (connections refused), or answer every call themselves
 * (`handle`: a provider that misbehaves), and read what it was sent.
 */
export interface FakeCall {
  path: string;
  /** Inputs in the call (texts, or documents to rerank). */
  inputs: number;
  body: Record<string, unknown>;
  authorization: string | undefined;
}

export interface FakeInference {
  /** The base URL; a provider's url is `${url}/openai/v1`, `${url}/ollama`, `${url}/tei`, ... */
  url: string;
  calls: FakeCall[];
  /** Milliseconds each answer waits. */
  latencyMs: number;
  /** The next calls answer these statuses, one each, before answering normally. */
  failNext: number[];
  /** Requests received, whatever their method, path or body (a redirected one included). */
  received: number;
  /** When set, answers every call in place of the fake (a status, a body, or no answer at all). */
  handle: ((call: FakeCall, res: ServerResponse) => void) | null;
  /** Calls in flight now, and the most seen at once. */
  inFlight: number;
  maxInFlight: number;
  /** Dimensions of the embeddings answered. */
  dimension: number;
  /** Stops accepting connections (a provider that is down) until up() is called. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** The fake's embedding of `text`, as tests compute expected neighbours. */
export function fakeEmbedding(text: string, dimension: number): number[] {
  const v = new Array<number>(dimension).fill(0);
  for (const w of words(text)) {
    const seed = createHash('sha256').update(w).digest();
    for (let i = 0; i < dimension; i++) v[i] += ((seed[i % 32] ^ (i * 37)) % 255) / 127 - 1;
  }
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => x / norm);
}

export function fakeRerankScore(query: string, document: string): number {
  const q = new Set(words(query));
  if (q.size === 0) return 0;
  const d = new Set(words(document));
  let hits = 0;
  for (const w of q) if (d.has(w)) hits++;
  return hits / q.size;
}

function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
      } catch (err) {
        reject(err as Error);
      }
    });
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function answer(
  path: string,
  body: Record<string, unknown>,
  dimension: number,
): { inputs: number; body: unknown } | null {
  const embed = (texts: string[]) => texts.map((t) => fakeEmbedding(t, dimension));
  const tokens = (texts: string[]) => texts.reduce((n, t) => n + words(t).length, 0);
  const rerank = (query: string, docs: string[]) =>
    docs.map((d, index) => ({ index, score: fakeRerankScore(query, d) }));
  const list = (v: unknown) => (Array.isArray(v) ? (v as string[]) : [v as string]);
  switch (path) {
    case '/openai/v1/embeddings':
    case '/voyage/v1/embeddings':
    case '/jina/v1/embeddings': {
      const texts = list(body.input);
      return {
        inputs: texts.length,
        body: {
          object: 'list',
          data: embed(texts).map((embedding, index) => ({ object: 'embedding', index, embedding })),
          model: body.model,
          usage: { prompt_tokens: tokens(texts), total_tokens: tokens(texts) },
        },
      };
    }
    case '/ollama/api/embed': {
      const texts = list(body.input);
      return {
        inputs: texts.length,
        body: { model: body.model, embeddings: embed(texts), prompt_eval_count: tokens(texts) },
      };
    }
    case '/tei/embed': {
      const texts = list(body.inputs);
      return { inputs: texts.length, body: embed(texts) };
    }
    case '/cohere/v2/embed': {
      const texts = body.texts as string[];
      return {
        inputs: texts.length,
        body: {
          id: 'fake',
          embeddings: { float: embed(texts) },
          texts,
          meta: { billed_units: { input_tokens: tokens(texts) } },
        },
      };
    }
    case '/tei/rerank': {
      const docs = body.texts as string[];
      const scored = rerank(body.query as string, docs).sort((a, b) => b.score - a.score);
      return { inputs: docs.length, body: scored };
    }
    case '/cohere/v2/rerank':
    case '/jina/v1/rerank':
    case '/voyage/v1/rerank': {
      const docs = body.documents as string[];
      const scored = rerank(body.query as string, docs)
        .sort((a, b) => b.score - a.score)
        .map((r) => ({ index: r.index, relevance_score: r.score }));
      const key = path.startsWith('/voyage') ? 'data' : 'results';
      return { inputs: docs.length, body: { [key]: scored, usage: { total_tokens: tokens(docs) } } };
    }
    default:
      return null;
  }
}

export async function startFakeInference(dimension = 64): Promise<FakeInference> {
  let server: Server;
  let port = 0;
  const sockets = new Set<Socket>();
  const fake: FakeInference = {
    url: '',
    calls: [],
    latencyMs: 0,
    failNext: [],
    received: 0,
    handle: null,
    inFlight: 0,
    maxInFlight: 0,
    dimension,
    down: async () => {
      await closeServer();
    },
    up: async () => {
      await listen(port);
    },
    close: async () => {
      await closeServer();
    },
  };
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    fake.received++;
    fake.inFlight++;
    fake.maxInFlight = Math.max(fake.maxInFlight, fake.inFlight);
    try {
      const body = await readBody(req);
      if (fake.latencyMs > 0) await new Promise((r) => setTimeout(r, fake.latencyMs));
      const path = (req.url ?? '').split('?')[0];
      const result = answer(path, body, fake.dimension);
      const call = { path, inputs: result?.inputs ?? 0, body, authorization: req.headers.authorization };
      fake.calls.push(call);
      if (fake.handle) return fake.handle(call, res);
      const failure = fake.failNext.shift();
      if (failure !== undefined) {
        if (failure === 429) res.setHeader('retry-after', '0');
        return send(res, failure, { error: `fake failure ${failure}` });
      }
      if (!result) return send(res, 404, { error: `no route ${path}` });
      send(res, 200, result.body);
    } catch {
      send(res, 400, { error: 'bad JSON' });
    } finally {
      fake.inFlight--;
    }
  };
  const listen = (at: number) =>
    new Promise<void>((resolve, reject) => {
      server = createServer((req, res) => void handler(req, res));
      server.on('connection', (s) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
      });
      server.once('error', reject);
      server.listen(at, '127.0.0.1', () => {
        port = (server.address() as AddressInfo).port;
        fake.url = `http://127.0.0.1:${port}`;
        resolve();
      });
    });
  const closeServer = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  await listen(0);
  return fake;
}

/** An inference configuration with one provider of each kind on the fake, and Pinecone's model names mapped. */
export function fakeInferenceConfig(
  fake: FakeInference,
  overrides: { retries?: number; concurrency?: number; batchSize?: number } = {},
) {
  const limits = {
    retries: overrides.retries ?? 2,
    retry_base_ms: 5,
    timeout_ms: 5000,
    concurrency: overrides.concurrency ?? 4,
    ...(overrides.batchSize ? { batch_size: overrides.batchSize } : {}),
  };
  const providers = {
    openai: { kind: 'openai', url: `${fake.url}/openai/v1`, api_key_env: 'FAKE_INFERENCE_KEY', ...limits },
    ollama: { kind: 'ollama', url: `${fake.url}/ollama`, ...limits },
    tei: { kind: 'tei', url: `${fake.url}/tei`, ...limits },
    cohere: { kind: 'cohere', url: `${fake.url}/cohere`, api_key_env: 'FAKE_INFERENCE_KEY', ...limits },
    voyage: { kind: 'voyage', url: `${fake.url}/voyage`, api_key_env: 'FAKE_INFERENCE_KEY', ...limits },
    jina: { kind: 'jina', url: `${fake.url}/jina`, api_key_env: 'FAKE_INFERENCE_KEY', ...limits },
  };
  const d = fake.dimension;
  return {
    providers,
    models: {
      'llama-text-embed-v2': { provider: 'openai', model: 'fake-embed', dimension: d, metric: 'cosine' },
      'multilingual-e5-large': { provider: 'tei', dimension: d, passage_prefix: 'passage: ', query_prefix: 'query: ' },
      'nomic-embed-text': { provider: 'ollama', dimension: d },
      'embed-english-v3.0': { provider: 'cohere', dimension: d },
      'voyage-3': { provider: 'voyage', dimension: d },
      'jina-embeddings-v3': { provider: 'jina', dimension: d },
      'bge-reranker-v2-m3': { type: 'rerank', provider: 'tei' },
      'rerank-v3.5': { type: 'rerank', provider: 'cohere' },
      'rerank-2': { type: 'rerank', provider: 'voyage' },
      'jina-reranker-v2-base-multilingual': { type: 'rerank', provider: 'jina' },
    },
  };
}

/** The environment the fake's configuration reads its key from. */
export const FAKE_KEY_ENV = { FAKE_INFERENCE_KEY: 'fake-secret-key-never-shown' };
