import { parseInferenceConfig } from '../../../src/inference/inference-options';
import { words as bm25Words } from '../../../src/inference/providers/bm25';
import {
  FAKE_KEY_ENV,
  fakeEmbedding,
  fakeInferenceConfig,
  startFakeInference,
  type FakeInference,
} from '../../support/fake-inference';
import { startGateway, type TestGateway } from '../../support/gateway';
import { collectionName, expectQdrantError, qdrantClient, qdrantHttp, type QdrantClient } from './qdrant-helpers';

const DIM = 64;
const MODEL = 'llama-text-embed-v2';

const CORPUS = [
  'the quick brown fox jumps over the lazy dog',
  'a cat sleeps on the warm windowsill all afternoon',
  'stock markets fell sharply on interest rate fears',
  'the recipe needs flour butter sugar and two eggs',
  'astronauts docked with the space station at dawn',
  'a red fox hunts rabbits in the snowy forest',
  'the orchestra played a quiet symphony in the hall',
  'heavy rain flooded the streets of the old town',
];

const doc = (text: string, model = MODEL) => ({ text, model });
const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
const unit = (v: number[]) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};

/** Corpus positions (ids 1..n) by the cosine of their fake embeddings to `query`, best first. */
function expectedOrder(query: number[], texts = CORPUS, prefix = ''): number[] {
  return texts
    .map((t, i) => ({ id: i + 1, score: dot(unit(query), fakeEmbedding(prefix + t, DIM)) }))
    .sort((a, b) => b.score - a.score)
    .map((s) => s.id);
}

/**
 * Qdrant's inference objects: Documents `{text, model}` wherever a vector goes, embedded through
 * the operator's providers (here the fake one), all texts of a request in one call per model,
 * before anything is written.
 */
describe('Qdrant Documents through the inference providers', () => {
  let fake: FakeInference;
  let gw: TestGateway;
  let q: QdrantClient;
  const raw = () => qdrantHttp(gw);

  beforeAll(async () => {
    fake = await startFakeInference(DIM);
    const config = fakeInferenceConfig(fake, { retries: 2 });
    const inference = parseInferenceConfig(
      { ...config, models: { ...config.models, 'qdrant/bm25': { provider: 'vecgate-bm25' } } },
      FAKE_KEY_ENV,
    );
    gw = await startGateway({ qdrantPort: 0, inference });
    q = await qdrantClient(gw);
  });

  afterAll(async () => {
    await gw?.close();
    await fake?.close();
  });

  /** The provider calls made while `work` runs. */
  async function callsDuring(work: () => Promise<unknown>) {
    const before = fake.calls.length;
    await work();
    return fake.calls.slice(before);
  }

  async function corpus(distance: 'Cosine' | 'Dot' = 'Cosine'): Promise<string> {
    const name = collectionName('docs');
    await q.createCollection(name, { vectors: { size: DIM, distance } });
    await q.upsert(name, {
      wait: true,
      points: CORPUS.map((text, i) => ({ id: i + 1, vector: doc(text), payload: { text } })),
    });
    return name;
  }

  it('upserts a corpus as Documents in one provider call, and a Document query finds the nearest first', async () => {
    const name = collectionName('docs');
    await q.createCollection(name, { vectors: { size: DIM, distance: 'Cosine' } });
    const calls = await callsDuring(() =>
      q.upsert(name, {
        wait: true,
        points: CORPUS.map((text, i) => ({ id: i + 1, vector: doc(text), payload: { text } })),
      }),
    );
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ path: '/openai/v1/embeddings', inputs: CORPUS.length });
    expect(calls[0].body.input).toEqual(CORPUS);
    expect((await q.count(name)).count).toBe(CORPUS.length);

    // Stored as the fake embeds it (Cosine vectors are stored normalized).
    const [stored] = await q.retrieve(name, { ids: [3], with_vector: true });
    (stored.vector as number[]).forEach((x, i) => expect(x).toBeCloseTo(fakeEmbedding(CORPUS[2], DIM)[i], 5));

    const text = 'a fox in the snowy forest';
    const { points } = await q.query(name, { query: doc(text), limit: CORPUS.length, with_payload: true });
    const order = expectedOrder(fakeEmbedding(text, DIM));
    expect(points.map((p) => p.id)).toEqual(order);
    expect(points[0]).toMatchObject({ id: 6, payload: { text: CORPUS[5] } });
    expect(points[0].score).toBeCloseTo(dot(fakeEmbedding(text, DIM), fakeEmbedding(CORPUS[5], DIM)), 4);

    // `nearest` and a score threshold take a Document too.
    const nearest = await q.query(name, { query: { nearest: doc('stock market rates') }, limit: 1 });
    expect(nearest.points.map((p) => p.id)).toEqual([expectedOrder(fakeEmbedding('stock market rates', DIM))[0]]);
  });

  it('embeds writes as passages and queries as queries (the model prefixes show which)', async () => {
    const e5 = 'multilingual-e5-large';
    const name = collectionName('e5');
    await q.createCollection(name, { vectors: { size: DIM, distance: 'Cosine' } });
    const written = await callsDuring(() =>
      q.upsert(name, { wait: true, points: CORPUS.map((text, i) => ({ id: i + 1, vector: doc(text, e5) })) }),
    );
    expect(written).toHaveLength(1);
    expect(written[0].body.inputs).toEqual(CORPUS.map((t) => `passage: ${t}`));
    const text = 'butter and eggs';
    let points: { id: string | number }[] = [];
    const asked = await callsDuring(async () => {
      ({ points } = await q.query(name, { query: doc(text, e5), limit: 3 }));
    });
    expect(asked.map((c) => c.body.inputs)).toEqual([[`query: ${text}`]]);
    const order = expectedOrder(fakeEmbedding(`query: ${text}`, DIM), CORPUS, 'passage: ');
    expect(points.map((p) => p.id)).toEqual(order.slice(0, 3));
  });

  it('embeds the batch form, named dense and sparse (qdrant/bm25) vectors, update_vectors and batch operations', async () => {
    const name = collectionName('hybrid');
    await q.createCollection(name, {
      vectors: { dense: { size: DIM, distance: 'Cosine' }, other: { size: DIM, distance: 'Dot' } },
      sparse_vectors: { bm25: { modifier: 'idf' } },
    });
    const calls = await callsDuring(() =>
      q.upsert(name, {
        wait: true,
        batch: {
          ids: CORPUS.map((_, i) => i + 1),
          vectors: {
            dense: CORPUS.map((t) => doc(t)),
            other: CORPUS.map((t) => doc(t, 'nomic-embed-text')),
            bm25: CORPUS.map((t) => doc(t, 'qdrant/bm25')),
          },
          payloads: CORPUS.map((text) => ({ text })),
        },
      }),
    );
    // One call per provider model; the gateway's own BM25 calls no provider.
    expect(calls.map((c) => [c.path, c.inputs]).sort()).toEqual([
      ['/ollama/api/embed', CORPUS.length],
      ['/openai/v1/embeddings', CORPUS.length],
    ]);
    const [p1] = await q.retrieve(name, { ids: [1], with_vector: true });
    const vectors = p1.vector as Record<string, any>;
    expect(vectors.bm25.indices.length).toBe(new Set(bm25Words(CORPUS[0])).size);
    (vectors.other as number[]).forEach((x, i) => expect(x).toBeCloseTo(fakeEmbedding(CORPUS[0], DIM)[i], 5));

    // The sparse vector: a BM25 query finds the points holding its words, and only those.
    const bm25 = await q.query(name, { query: doc('fox', 'qdrant/bm25'), using: 'bm25', limit: 10 });
    expect(bm25.points.map((p) => p.id).sort()).toEqual([1, 6]);

    // Hybrid: both kinds in prefetches, fused; and a query batch with one provider call for all its searches.
    const hybrid = await q.query(name, {
      prefetch: [
        { query: doc('fox forest', 'qdrant/bm25'), using: 'bm25', limit: 5 },
        { query: doc('fox forest'), using: 'dense', limit: 5 },
      ],
      query: { fusion: 'rrf' },
      limit: 3,
    });
    // Point 6 holds both words, and is the nearest dense neighbour too.
    expect(expectedOrder(fakeEmbedding('fox forest', DIM))[0]).toBe(6);
    expect(hybrid.points[0].id).toBe(6);
    let batch: { points: { id: string | number }[] }[] = [];
    const batchCalls = await callsDuring(async () => {
      batch = await q.queryBatch(name, {
        searches: [
          { query: doc('symphony hall'), using: 'dense', limit: 1 },
          { query: doc('flooded streets'), using: 'dense', limit: 1 },
          { query: doc('space station', 'qdrant/bm25'), using: 'bm25', limit: 1 },
        ],
      });
    });
    expect(batchCalls).toHaveLength(1);
    expect(batchCalls[0].inputs).toBe(2);
    expect(batch.map((b) => b.points[0].id)).toEqual([
      expectedOrder(fakeEmbedding('symphony hall', DIM))[0],
      expectedOrder(fakeEmbedding('flooded streets', DIM))[0],
      5,
    ]);

    // update_vectors: a Document replaces one named vector of a point.
    const replacement = 'a quiet symphony of rain';
    await q.updateVectors(name, { wait: true, points: [{ id: 2, vector: { dense: doc(replacement) } }] });
    const [p2] = await q.retrieve(name, { ids: [2], with_vector: ['dense'] });
    (p2.vector as Record<string, number[]>).dense.forEach((x, i) =>
      expect(x).toBeCloseTo(fakeEmbedding(replacement, DIM)[i], 5),
    );

    // A batch update: the Documents of all its operations go in one call, as passages.
    const opCalls = await callsDuring(() =>
      q.batchUpdate(name, {
        wait: true,
        operations: [
          { upsert: { points: [{ id: 20, vector: { dense: doc('a lighthouse on the cliff') } }] } },
          {
            update_vectors: {
              points: [{ id: 3, vector: { dense: doc('markets rallied'), bm25: doc('markets', 'qdrant/bm25') } }],
            },
          },
        ],
      }),
    );
    expect(opCalls).toHaveLength(1);
    expect(opCalls[0].body.input).toEqual(['a lighthouse on the cliff', 'markets rallied']);
    const top = await q.query(name, { query: doc('lighthouse cliff'), using: 'dense', limit: 1 });
    expect(top.points[0].id).toBe(20);
  });

  it('takes Documents as recommend, discover and context examples', async () => {
    const name = await corpus();
    const pos = fakeEmbedding('fox', DIM);
    const neg = fakeEmbedding('dog', DIM);
    const target = pos.map((p, i) => p + (p - neg[i]));
    const { points } = await q.query(name, {
      query: { recommend: { positive: [doc('fox')], negative: [doc('dog')] } },
      limit: 3,
    });
    expect(points.map((p) => p.id)).toEqual(expectedOrder(target).slice(0, 3));

    const discover = await q.query(name, {
      query: { discover: { target: doc('rabbits'), context: [{ positive: doc('forest'), negative: doc('town') }] } },
      limit: 2,
    });
    expect(discover.points).toHaveLength(2);
    const context = await q.query(name, {
      query: { context: [{ positive: doc('space station'), negative: doc('recipe') }] },
      limit: 1,
    });
    expect(context.points).toHaveLength(1);
  });

  it('refuses a wrong dimension, an unmapped model, a wrong kind and images with a 400, calling no provider', async () => {
    const name = await corpus();
    const small = collectionName('small');
    await q.createCollection(small, { vectors: { size: 32, distance: 'Cosine' } });
    const before = fake.calls.length;

    let res = await raw().put(`/collections/${small}/points`, { points: [{ id: 1, vector: doc('hello world') }] });
    expectQdrantError(res, 400, /^Wrong input: Vector dimension error: expected dim: 32, got 64/);
    res = await raw().post(`/collections/${small}/points/query`, { query: doc('hello') });
    expectQdrantError(res, 400, /^Wrong input: Vector dimension error: expected dim: 32, got 64/);

    res = await raw().put(`/collections/${name}/points`, {
      points: [{ id: 99, vector: doc('hello', 'no-such-model') }],
    });
    expectQdrantError(res, 400, /^Bad request: points\[0\]\.vector: model "no-such-model" is not available/);
    res = await raw().post(`/collections/${name}/points/query`, { query: doc('hello', 'rerank-v3.5') });
    expectQdrantError(res, 400, /model "rerank-v3\.5" is not an embedding model/);

    res = await raw().put(`/collections/${name}/points`, { points: [{ id: 99, vector: doc('hello', 'qdrant/bm25') }] });
    expectQdrantError(res, 400, /^Bad request: Sparse vector should be named/);

    res = await raw().put(`/collections/${name}/points`, {
      points: [{ id: 99, vector: { image: 'https://example.com/cat.jpg', model: 'clip' } }],
    });
    expectQdrantError(res, 400, /vecgate embeds text only/);
    res = await raw().post(`/collections/${name}/points/query`, { query: { object: { a: 1 }, model: MODEL } });
    expectQdrantError(res, 400, /vecgate embeds text only.*InferenceObject/);

    res = await raw().put(`/collections/${name}/points`, { points: [{ id: 99, vector: doc('   ') }] });
    expectQdrantError(res, 400, /points\[0\]\.vector\.text is empty/);
    res = await raw().put(`/collections/${name}/points`, { points: [{ id: 99, vector: { text: 'no model' } }] });
    expectQdrantError(res, 400, /^Format error in JSON body: .*missing field `model`/);

    // Lists past the query's limits are refused before any text is embedded.
    res = await raw().post(`/collections/${name}/points/query`, {
      query: { recommend: { positive: Array.from({ length: 65 }, (_, i) => doc(`word ${i}`)) } },
    });
    expectQdrantError(res, 400, /positive may hold at most 64 examples/);

    // The legacy search takes vectors only, as in Qdrant.
    res = await raw().post(`/collections/${name}/points/search`, { vector: doc('hello'), limit: 1 });
    expectQdrantError(res, 400, /a Document is not taken here/);

    expect(fake.calls.length).toBe(before);
    expect((await q.count(name)).count).toBe(CORPUS.length);
  });

  it('refuses a dense model for a sparse vector and a sparse one for a dense vector', async () => {
    const name = collectionName('kinds');
    await q.createCollection(name, {
      vectors: { dense: { size: DIM, distance: 'Cosine' } },
      sparse_vectors: { bm25: {} },
    });
    let res = await raw().put(`/collections/${name}/points`, { points: [{ id: 1, vector: { bm25: doc('hello') } }] });
    expectQdrantError(res, 400, /^Wrong input: Conversion between sparse and regular vectors failed/);
    res = await raw().post(`/collections/${name}/points/query`, { query: doc('hello', 'qdrant/bm25'), using: 'dense' });
    expectQdrantError(res, 400, /^Wrong input: Conversion between sparse and regular vectors failed/);
    res = await raw().post(`/collections/${name}/points/query`, { query: doc('hello'), using: 'nope' });
    expectQdrantError(res, 400, /^Wrong input: Not existing vector name error: nope/);
    expect((await q.count(name)).count).toBe(0);
  });

  it('answers 503 when the provider is down, and writes nothing', async () => {
    const name = await corpus();
    await fake.down();
    try {
      let res = await raw().put(`/collections/${name}/points`, {
        points: [{ id: 50, vector: doc('never stored') }],
      });
      expectQdrantError(
        res,
        503,
        /^Service unavailable: The inference provider for model "llama-text-embed-v2" is unavailable/,
      );
      // A batch whose other operations need no provider is not applied either.
      res = await raw().post(`/collections/${name}/points/batch`, {
        operations: [{ delete: { points: [1, 2] } }, { upsert: { points: [{ id: 51, vector: doc('never stored') }] } }],
      });
      expectQdrantError(res, 503, /unavailable/);
      res = await raw().post(`/collections/${name}/points/query`, { query: doc('fox') });
      expectQdrantError(res, 503, /unavailable/);
      expect((await q.count(name)).count).toBe(CORPUS.length);
    } finally {
      await fake.up();
    }
    // The provider is back: the same write goes through.
    await q.upsert(name, { wait: true, points: [{ id: 50, vector: doc('stored now') }] });
    expect((await q.count(name)).count).toBe(CORPUS.length + 1);
  });

  it('retries a 429 and succeeds', async () => {
    const name = collectionName('retry');
    await q.createCollection(name, { vectors: { size: DIM, distance: 'Cosine' } });
    fake.failNext = [429];
    const calls = await callsDuring(() =>
      q.upsert(name, { wait: true, points: [{ id: 1, vector: doc('patience pays') }] }),
    );
    expect(calls).toHaveLength(2);
    expect(fake.failNext).toEqual([]);
    expect((await q.count(name)).count).toBe(1);
    const { points } = await q.query(name, { query: doc('patience'), limit: 1 });
    expect(points[0].id).toBe(1);
  });
});
