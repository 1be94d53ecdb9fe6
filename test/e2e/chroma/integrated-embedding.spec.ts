import { ChromaClient, type EmbeddingFunction, K, Knn, Rrf, Search } from 'chromadb';
import { parseInferenceConfig } from '../../../src/inference/inference-options';
import { bm25 } from '../../../src/inference/providers/bm25';
import {
  FAKE_KEY_ENV,
  fakeEmbedding,
  fakeInferenceConfig,
  startFakeInference,
  type FakeInference,
} from '../../support/fake-inference';
import { http, startGateway, type TestGateway } from '../../support/gateway';

/**
 * Server-side embedding for Chroma (docs/protocols/chroma.md#server-side-embedding): collections
 * whose embedding function names a model the operator mapped, here to a fake provider whose
 * embeddings the test computes itself (fakeEmbedding). The official client refuses to send text
 * it cannot embed, so text goes over plain HTTP and the client is used for everything it allows.
 */

const P = '/api/v2/tenants/default_tenant/databases/default_database';
const DIM = 64;
/** Chroma's Ollama embedding function as the clients serialise it; the fake maps nomic-embed-text. */
const OLLAMA = {
  type: 'known',
  name: 'ollama',
  config: { url: 'http://localhost:11434', model_name: 'nomic-embed-text' },
};
const OPENAI = {
  type: 'known',
  name: 'openai',
  config: { model_name: 'llama-text-embed-v2', api_key_env_var: 'OPENAI_API_KEY' },
};

const CORPUS: Record<string, string> = {
  fox: 'the quick brown fox jumps over the lazy dog',
  whale: 'blue whales sing long songs under the cold ocean',
  disk: 'postgres writes its table pages to the disk',
  vector: 'vector search finds the nearest neighbours of a query embedding',
  bread: 'fresh bread from the oven with butter and honey',
  train: 'the night train leaves the station for the mountains',
  chess: 'a chess player sacrifices the queen to win the game',
  garden: 'tomatoes and beans grow in the summer garden',
  rain: 'heavy rain floods the streets of the old city',
  violin: 'she plays a violin concerto with the orchestra',
};
const IDS = Object.keys(CORPUS);
const TEXTS = Object.values(CORPUS);

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);

/** The corpus ids nearest `query` by the fake's embeddings (cosine), best first. */
function nearest(query: string, ids = IDS, texts: Record<string, string> = CORPUS): { id: string; distance: number }[] {
  const q = fakeEmbedding(query, DIM);
  return ids
    .map((id) => ({ id, distance: 1 - dot(q, fakeEmbedding(texts[id], DIM)) }))
    .sort((a, b) => a.distance - b.distance);
}

/** The sum of every series of a Prometheus counter. */
function counter(metrics: string, name: string): number {
  return metrics
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** Stands for @chroma-core/ollama's function: the client can name it in a collection, not run it. */
class OllamaByName implements EmbeddingFunction {
  readonly name = 'ollama';
  constructor(private readonly config: Record<string, unknown>) {}
  static buildFromConfig(config: Record<string, unknown>): OllamaByName {
    return new OllamaByName(config);
  }
  getConfig(): Record<string, unknown> {
    return this.config;
  }
  generate(): Promise<number[][]> {
    return Promise.reject(new Error('this test never embeds on the client'));
  }
}

describe('Chroma: embedding on the server with the operator’s models', () => {
  let fake: FakeInference;
  let gw: TestGateway;
  let client: ChromaClient;

  beforeAll(async () => {
    fake = await startFakeInference(DIM);
    gw = await startGateway({ inference: parseInferenceConfig(fakeInferenceConfig(fake), FAKE_KEY_ENV) });
    client = new ChromaClient({ host: '127.0.0.1', port: gw.port });
  });
  afterAll(async () => {
    await gw?.close();
    await fake?.close();
  });

  const create = async (name: string, body: Record<string, unknown>) => {
    const res = await http(gw.url, 'POST', `${P}/collections`, { name, ...body });
    expect(res.status).toBe(200);
    return res.body as { id: string; dimension: number | null };
  };
  const post = (id: string, action: string, body: unknown) =>
    http(gw.url, 'POST', `${P}/collections/${id}/${action}`, body);
  const count = async (id: string) => (await http(gw.url, 'GET', `${P}/collections/${id}/count`)).body as number;
  const stored = async (id: string, ids: string[]) => {
    const got = await post(id, 'get', { ids, include: ['embeddings', 'documents'] });
    expect(got.status).toBe(200);
    return Object.fromEntries(
      (got.body.ids as string[]).map((rid, i) => [
        rid,
        { embedding: got.body.embeddings[i] as number[], document: got.body.documents[i] },
      ]),
    );
  };
  const textSearch = (query: string, limit = 3, extra: Record<string, unknown> = {}) => ({
    searches: [{ rank: { $knn: { query, ...extra } }, limit: { limit }, select: { keys: ['#document', '#score'] } }],
  });

  it('embeds a corpus added without embeddings, and ranks a text query by the same model', async () => {
    const coll = await create('corpus', { configuration: { hnsw: { space: 'cosine' }, embedding_function: OLLAMA } });
    const calls = fake.calls.length;
    const added = await post(coll.id, 'add', { ids: IDS, documents: TEXTS, metadatas: IDS.map((id) => ({ id })) });
    expect(added.status).toBe(201);
    // One provider call for the batch, the Ollama shape, the documents as they were written.
    expect(fake.calls.slice(calls)).toEqual([
      expect.objectContaining({
        path: '/ollama/api/embed',
        inputs: IDS.length,
        body: expect.objectContaining({ input: TEXTS }),
      }),
    ]);
    expect(await count(coll.id)).toBe(IDS.length);
    const records = await stored(coll.id, IDS);
    for (const id of IDS) {
      expect(records[id].document).toBe(CORPUS[id]);
      records[id].embedding.forEach((x, k) => expect(x).toBeCloseTo(fakeEmbedding(CORPUS[id], DIM)[k], 6));
    }
    const collection = await http(gw.url, 'GET', `${P}/collections/corpus`);
    expect(collection.body.dimension).toBe(DIM);

    for (const [query, meant] of [
      ['lazy dog and quick fox', 'fox'],
      ['blue whales sing songs', 'whale'],
      ['bread with butter and honey', 'bread'],
    ]) {
      const expected = nearest(query).slice(0, 3);
      // The fake's embeddings mean something: the document sharing the query's words is nearest.
      expect(expected[0].id).toBe(meant);
      const res = await post(coll.id, 'search', textSearch(query));
      expect(res.status).toBe(200);
      expect(res.body.ids[0]).toEqual(expected.map((e) => e.id));
      expected.forEach((e, i) => expect(res.body.scores[0][i]).toBeCloseTo(e.distance, 4));
      expect(res.body.documents[0][0]).toBe(CORPUS[expected[0].id]);
    }
    // Several searches and knns of one request: their texts go to the provider in one call.
    const before = fake.calls.length;
    const many = await post(coll.id, 'search', {
      searches: [
        textSearch('the night train').searches[0],
        {
          rank: {
            $min: [
              { $knn: { query: 'chess game', limit: 5, default: 2 } },
              { $knn: { query: 'violin orchestra', limit: 5, default: 2 } },
            ],
          },
          limit: { limit: 2 },
        },
      ],
    });
    expect(many.status).toBe(200);
    expect(many.body.ids[0][0]).toBe('train');
    expect(many.body.ids[1]).toEqual(expect.arrayContaining(['chess', 'violin']));
    expect(fake.calls.slice(before).map((c) => c.inputs)).toEqual([3]);
  });

  it('re-embeds on update and upsert, and embeds only the records sent without an embedding', async () => {
    const coll = await create('changing', { configuration: { hnsw: { space: 'cosine' }, embedding_function: OLLAMA } });
    expect((await post(coll.id, 'add', { ids: ['a', 'b'], documents: [CORPUS.fox, CORPUS.whale] })).status).toBe(201);

    // update: a new document, no embedding, re-embeds; metadata alone leaves the embedding alone.
    expect((await post(coll.id, 'update', { ids: ['a'], documents: [CORPUS.train] })).status).toBe(200);
    expect((await post(coll.id, 'update', { ids: ['b'], metadatas: [{ seen: true }] })).status).toBe(200);
    let records = await stored(coll.id, ['a', 'b']);
    records.a.embedding.forEach((x, k) => expect(x).toBeCloseTo(fakeEmbedding(CORPUS.train, DIM)[k], 6));
    records.b.embedding.forEach((x, k) => expect(x).toBeCloseTo(fakeEmbedding(CORPUS.whale, DIM)[k], 6));
    let found = await post(coll.id, 'search', textSearch('a night train to the mountains', 1));
    expect(found.body.ids[0]).toEqual(['a']);

    // upsert: an existing id and a new one, documents only.
    expect((await post(coll.id, 'upsert', { ids: ['b', 'c'], documents: [CORPUS.chess, CORPUS.garden] })).status).toBe(
      200,
    );
    records = await stored(coll.id, ['b', 'c']);
    records.b.embedding.forEach((x, k) => expect(x).toBeCloseTo(fakeEmbedding(CORPUS.chess, DIM)[k], 6));
    records.c.embedding.forEach((x, k) => expect(x).toBeCloseTo(fakeEmbedding(CORPUS.garden, DIM)[k], 6));
    found = await post(coll.id, 'search', textSearch('beans in the garden', 1));
    expect(found.body.ids[0]).toEqual(['c']);

    // Mixed: the record with an embedding keeps it, the one with null is embedded, and only it is sent.
    const own = Array.from({ length: DIM }, (_, k) => (k === 0 ? 1 : 0));
    const calls = fake.calls.length;
    const mixed = await post(coll.id, 'upsert', {
      ids: ['d', 'e'],
      embeddings: [own, null],
      documents: [CORPUS.rain, CORPUS.violin],
    });
    expect(mixed.status).toBe(200);
    expect(fake.calls.slice(calls).map((c) => c.body.input)).toEqual([[CORPUS.violin]]);
    records = await stored(coll.id, ['d', 'e']);
    expect(records.d.embedding).toEqual(own);
    records.e.embedding.forEach((x, k) => expect(x).toBeCloseTo(fakeEmbedding(CORPUS.violin, DIM)[k], 6));
    // With embeddings for every record, nothing goes to the provider.
    const none = fake.calls.length;
    expect((await post(coll.id, 'upsert', { ids: ['d'], embeddings: [own], documents: [CORPUS.bread] })).status).toBe(
      200,
    );
    expect(fake.calls.length).toBe(none);
    expect(await count(coll.id)).toBe(5);
  });

  it('finds the model by config.model_name, config.model, then the function name, dense models only', async () => {
    const cases: [string, unknown, (text: string) => number[]][] = [
      ['by-model-name', OPENAI, (t) => fakeEmbedding(t, DIM)],
      // Chroma Cloud's Qwen function names its model under `model`; this one's mapping adds E5's prefixes.
      [
        'by-model',
        { type: 'known', name: 'chroma-cloud-qwen', config: { model: 'multilingual-e5-large', task: 'nl_to_code' } },
        (t) => fakeEmbedding(`passage: ${t}`, DIM),
      ],
      ['by-name', { type: 'known', name: 'nomic-embed-text', config: {} }, (t) => fakeEmbedding(t, DIM)],
      // A rerank model and the sparse BM25 are passed over for the next name.
      [
        'skips-other-kinds',
        { type: 'known', name: 'jina-embeddings-v3', config: { model_name: 'rerank-2', model: 'vecgate-bm25' } },
        (t) => fakeEmbedding(t, DIM),
      ],
    ];
    for (const [name, ef, expected] of cases) {
      const coll = await create(name, { configuration: { embedding_function: ef } });
      const res = await post(coll.id, 'add', { ids: ['x'], documents: [CORPUS.vector] });
      expect([name, res.status]).toEqual([name, 201]);
      const { x } = await stored(coll.id, ['x']);
      x.embedding.forEach((v, k) => expect(v).toBeCloseTo(expected(CORPUS.vector)[k], 6));
    }
    // The schema's #embedding vector index names the function the same way.
    const fromSchema = await create('from-schema', {
      schema: {
        defaults: {},
        keys: {
          '#embedding': {
            float_list: { vector_index: { enabled: true, config: { space: 'cosine', embedding_function: OLLAMA } } },
          },
        },
      },
    });
    expect((await post(fromSchema.id, 'add', { ids: IDS, documents: TEXTS })).status).toBe(201);
    const found = await post(fromSchema.id, 'search', textSearch('disk pages of postgres', 1));
    expect(found.body.ids[0]).toEqual([nearest('disk pages of postgres')[0].id]);
  });

  it('keeps the 400 of a collection without a mapped function, and names an unmapped model', async () => {
    const calls = fake.calls.length;
    const plain = await create('no-function', { configuration: { embedding_function: { type: 'legacy' } } });
    for (const action of ['add', 'upsert']) {
      const res = await post(plain.id, action, { ids: ['x'], documents: ['some text'] });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: 'InvalidArgumentError',
        message:
          'Embeddings are required: vecgate stores vectors and does not compute them; embed on the client and send embeddings',
      });
    }
    // A null where an embedding belongs is still serde's 422 there.
    const nulls = await post(plain.id, 'add', { ids: ['x'], embeddings: [null], documents: ['some text'] });
    expect(nulls.status).toBe(422);
    // A text query: Chroma's 400, a vector query still works.
    expect((await post(plain.id, 'add', { ids: ['v'], embeddings: [[1, 0, 0]] })).status).toBe(201);
    const text = await post(plain.id, 'search', textSearch('some text'));
    expect(text.status).toBe(400);
    expect(text.body.error).toBe('InvalidArgumentError');
    expect(text.body.message).toMatch(
      /A \$knn query given as text needs an embedding function the gateway runs.*names none/,
    );
    expect((await post(plain.id, 'search', { searches: [{ rank: { $knn: { query: [1, 0, 0] } } }] })).status).toBe(200);
    // Chroma's default function is no model unless the operator maps one named `default`.
    const dflt = await create('default-function', {
      configuration: { embedding_function: { type: 'known', name: 'default', config: {} } },
    });
    expect((await post(dflt.id, 'add', { ids: ['x'], documents: ['some text'] })).body.message).toMatch(
      /^Embeddings are required: vecgate stores/,
    );

    const unmapped = await create('unmapped', {
      configuration: {
        embedding_function: { type: 'known', name: 'openai', config: { model_name: 'text-embedding-3-small' } },
      },
    });
    const write = await post(unmapped.id, 'add', { ids: ['x'], documents: ['some text'] });
    expect(write.status).toBe(400);
    expect(write.body.error).toBe('InvalidArgumentError');
    expect(write.body.message).toBe(
      'Embeddings are required: the collection\'s embedding function openai (model text-embedding-3-small) is not mapped to a dense embedding model on this gateway, so vecgate cannot embed its documents; send embeddings, or have the operator map "text-embedding-3-small" (VECGATE_INFERENCE_CONFIG)',
    );
    const search = await post(unmapped.id, 'search', textSearch('some text'));
    expect(search.status).toBe(400);
    expect(search.body.message).toMatch(
      /openai \(model text-embedding-3-small\), which is not mapped to a dense embedding model/,
    );
    // An update may still leave embeddings out, as before: the document changes, nothing is embedded.
    expect((await post(unmapped.id, 'add', { ids: ['y'], embeddings: [[1, 2]], documents: ['old'] })).status).toBe(201);
    expect((await post(unmapped.id, 'update', { ids: ['y'], documents: ['new'] })).status).toBe(200);
    expect((await stored(unmapped.id, ['y'])).y).toEqual({ embedding: [1, 2], document: 'new' });
    expect(await count(plain.id)).toBe(1);
    expect(fake.calls.length).toBe(calls);
  });

  it('refuses what cannot be embedded, and a dimension the collection does not have, writing nothing', async () => {
    const coll = await create('refusals', { configuration: { embedding_function: OLLAMA } });
    expect((await post(coll.id, 'add', { ids: ['v'], embeddings: [[1, 0, 0]] })).status).toBe(201);
    const calls = fake.calls.length;
    const cases: [unknown, RegExp][] = [
      [
        { ids: ['n'], documents: [null] },
        /^Record "n" has neither an embedding nor a document to embed with nomic-embed-text$/,
      ],
      [{ ids: ['e'], documents: ['  '] }, /^Record "e" has no embedding and an empty document/],
      [{ ids: ['k'], metadatas: [{ a: 1 }] }, /^Record "k" has neither an embedding/],
    ];
    for (const [body, message] of cases) {
      const res = await post(coll.id, 'add', body);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(message);
    }
    expect(fake.calls.length).toBe(calls);
    // The collection holds 3-dimensional embeddings; the model's are 64.
    const res = await post(coll.id, 'add', { ids: ['d'], documents: ['some text'] });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'InvalidArgumentError',
      message: `Collection expecting embedding with dimension of 3, got ${DIM}`,
    });
    const search = await post(coll.id, 'search', textSearch('some text'));
    expect(search.status).toBe(400);
    expect(search.body.message).toBe(`Collection expecting embedding with dimension of 3, got ${DIM}`);
    const empty = await post(coll.id, 'search', textSearch(' '));
    expect(empty.status).toBe(400);
    expect(empty.body.message).toBe('searches[0].rank.$knn.query: the text to embed is empty');
    expect(await count(coll.id)).toBe(1);
  });

  it('answers 503 while the provider is down and writes nothing; a 429 is retried and counted', async () => {
    const coll = await create('outage', { configuration: { embedding_function: OLLAMA } });
    expect((await post(coll.id, 'add', { ids: ['a'], documents: [CORPUS.fox] })).status).toBe(201);
    await fake.down();
    try {
      for (const action of ['add', 'upsert', 'update']) {
        const res = await post(coll.id, action, { ids: ['a', 'b'], documents: [CORPUS.bread, CORPUS.rain] });
        expect(res.status).toBe(503);
        expect(res.body.error).toBe('ChromaError');
        expect(res.body.message).toMatch(
          /^The inference provider for model "nomic-embed-text" is unavailable \(cannot connect.*\); nothing was written$/,
        );
      }
      const search = await post(coll.id, 'search', textSearch('fox'));
      expect(search.status).toBe(503);
      expect(search.body.error).toBe('ChromaError');
    } finally {
      await fake.up();
    }
    expect(await count(coll.id)).toBe(1);
    expect((await stored(coll.id, ['a'])).a.document).toBe(CORPUS.fox);

    const metrics = async () => (await http(gw.url, 'GET', '/metrics')).text;
    const retries = counter(await metrics(), 'vecgate_inference_retries_total');
    fake.failNext = [429];
    const res = await post(coll.id, 'add', { ids: ['b'], documents: [CORPUS.whale] });
    expect(res.status).toBe(201);
    expect(fake.failNext).toEqual([]);
    expect(await count(coll.id)).toBe(2);
    const after = await metrics();
    expect(counter(after, 'vecgate_inference_retries_total')).toBe(retries + 1);
    expect(after).toMatch(
      /vecgate_inference_retries_total\{provider="ollama",model="nomic-embed-text",reason="429"\} [1-9]/,
    );
  });

  it('through the official client: refuses text client-side, reads and searches by vector what the gateway embedded', async () => {
    const made = await client.createCollection({
      name: 'client-path',
      configuration: { hnsw: { space: 'cosine' } },
      embeddingFunction: new OllamaByName(OLLAMA.config),
    });
    // The client wrote the function as Chroma does; the gateway reads its model_name.
    const wire = await http(gw.url, 'GET', `${P}/collections/client-path`);
    expect(wire.body.configuration_json.embedding_function).toEqual(OLLAMA);

    // A client without the function's package: getCollection works, text is refused before any request.
    const coll = await client.getCollection({ name: 'client-path' });
    expect(coll.embeddingFunction ?? null).toBeNull();
    const calls = fake.calls.length;
    const refusal = /^No embedding function found for collection 'client-path'/;
    await expect(coll.add({ ids: ['x'], documents: ['text'] })).rejects.toThrow(refusal);
    await expect(coll.upsert({ ids: ['x'], documents: ['text'] })).rejects.toThrow(refusal);
    await expect(coll.update({ ids: ['x'], documents: ['text'] })).rejects.toThrow(refusal);
    await expect(coll.query({ queryTexts: ['text'] })).rejects.toThrow(refusal);
    await expect(coll.search(new Search().rank(Knn({ query: 'text' })))).rejects.toThrow(refusal);
    expect(fake.calls.length).toBe(calls);
    expect(await coll.count()).toBe(0);

    // Text over HTTP; the client then reads, queries and searches by vector.
    expect((await post(made.id, 'add', { ids: IDS, documents: TEXTS })).status).toBe(201);
    const got = await coll.get({ ids: ['fox'], include: ['embeddings', 'documents'] });
    expect(got.documents).toEqual([CORPUS.fox]);
    got.embeddings[0].forEach((x, k) => expect(x).toBeCloseTo(fakeEmbedding(CORPUS.fox, DIM)[k], 6));
    const question = 'whales and their songs';
    const expected = nearest(question).slice(0, 3);
    const q = fakeEmbedding(question, DIM);
    const queried = await coll.query({ queryEmbeddings: [q], nResults: 3 });
    expect(queried.ids[0]).toEqual(expected.map((e) => e.id));
    const searched = await coll.search(
      new Search()
        .rank(Knn({ query: q }))
        .limit(3)
        .select(K.SCORE),
    );
    expect(searched.ids[0]).toEqual(expected.map((e) => e.id));
    // The payload the client builds for a text Knn is what the gateway embeds, sent over HTTP.
    const payload = new Search()
      .rank(Knn({ query: question }))
      .limit(3)
      .select(K.SCORE)
      .toPayload();
    const byText = await post(made.id, 'search', { searches: [payload] });
    expect(byText.status).toBe(200);
    expect(byText.body.ids[0]).toEqual(expected.map((e) => e.id));
    // Embeddings the client computed are stored as sent, with no provider call.
    const before = fake.calls.length;
    await coll.upsert({ ids: ['own'], embeddings: [fakeEmbedding('my own', DIM)], documents: ['my own'] });
    expect(fake.calls.length).toBe(before);
    expect(await coll.count()).toBe(IDS.length + 1);
  });

  it('computes BM25 vectors of the documents for a mapped sparse index, and embeds sparse text queries', async () => {
    const schema = {
      defaults: {},
      keys: {
        '#embedding': {
          float_list: { vector_index: { enabled: true, config: { space: 'cosine', embedding_function: OPENAI } } },
        },
        bm25: {
          sparse_vector: {
            sparse_vector_index: {
              enabled: true,
              config: {
                source_key: '#document',
                embedding_function: { type: 'known', name: 'vecgate-bm25', config: {} },
              },
            },
          },
        },
      },
    };
    const coll = await create('hybrid', { schema });
    const half = IDS.slice(0, 5);
    const rest = IDS.slice(5);
    // Over HTTP, documents only: dense and sparse both computed on the server.
    expect((await post(coll.id, 'add', { ids: half, documents: half.map((id) => CORPUS[id]) })).status).toBe(201);
    // The client, embeddings of its own: it cannot load vecgate-bm25, so it leaves the sparse vectors to the gateway.
    const viaClient = await client.getCollection({ name: 'hybrid' });
    const calls = fake.calls.length;
    await viaClient.add({
      ids: rest,
      embeddings: rest.map((id) => fakeEmbedding(CORPUS[id], DIM)),
      documents: rest.map((id) => CORPUS[id]),
    });
    expect(fake.calls.length).toBe(calls);
    // A vector the writer sets under the key is kept as written.
    const own = { indices: [1, 2], values: [0.5, 0.5] };
    await viaClient.add({
      ids: ['own'],
      embeddings: [fakeEmbedding('own', DIM)],
      documents: [CORPUS.fox],
      metadatas: [{ bm25: own }],
    });

    const got = await viaClient.get({ ids: [...IDS, 'own'], include: ['metadatas'] });
    got.ids.forEach((id, i) => {
      const { indices, values } = id === 'own' ? own : bm25(CORPUS[id], 'passage');
      expect([id, got.metadatas[i]]).toEqual([id, { bm25: { indices, values } }]);
    });
    const raw = await post(coll.id, 'get', { ids: ['fox'], include: ['metadatas'] });
    expect(raw.body.metadatas[0].bm25['#type']).toBe('sparse_vector');

    // A sparse text knn: the query's words weigh 1, so the score is 1 − the passage's weights of them.
    const query = 'the fox and the dog in the garden';
    const q = new Set(bm25(query, 'query').indices);
    const expected = IDS.map((id) => {
      const v = bm25(CORPUS[id], 'passage');
      return { id, dot: v.indices.reduce((s, index, k) => s + (q.has(index) ? v.values[k] : 0), 0) };
    })
      .filter((e) => e.dot > 0)
      .sort((a, b) => b.dot - a.dot);
    expect(expected.map((e) => e.id).slice(0, 2)).toEqual(['fox', 'garden']);
    const sparse = await post(coll.id, 'search', {
      searches: [
        {
          rank: { $knn: { query, key: 'bm25', limit: 20 } },
          filter: { '#id': { $ne: 'own' } },
          select: { keys: ['#score'] },
        },
      ],
    });
    expect(sparse.status).toBe(200);
    expect(sparse.body.ids[0]).toEqual(expected.map((e) => e.id));
    expected.forEach((e, i) => expect(sparse.body.scores[0][i]).toBeCloseTo(1 - e.dot, 4));
    // The client refuses the same text query itself.
    await expect(viaClient.search(new Search().rank(Knn({ query, key: 'bm25' })))).rejects.toThrow(
      "Cannot embed string query for key 'bm25': no embedding function configured",
    );

    // Hybrid: the client's Rrf over a dense and a sparse text knn, sent over HTTP, embedded here.
    const hybrid = new Search()
      .rank(
        Rrf({
          ranks: [
            Knn({ query: 'whales in the ocean', limit: 5, returnRank: true, default: 100 }),
            Knn({ query: 'whales in the ocean', key: 'bm25', limit: 5, returnRank: true, default: 100 }),
          ],
        }),
      )
      .limit(1)
      .toPayload();
    const fused = await post(coll.id, 'search', { searches: [hybrid] });
    expect(fused.status).toBe(200);
    expect(fused.body.ids[0]).toEqual(['whale']);
    // A text knn on a key with no sparse index is refused.
    const other = await post(coll.id, 'search', textSearch('fox', 1, { key: 'other' }));
    expect(other.status).toBe(400);
    expect(other.body.message).toMatch(/^Cannot embed a text query for key 'other'/);
  });

  it('keeps a sparse index whose function is not mapped as it was: written vectors only', async () => {
    const coll = await create('sparse-unmapped', {
      schema: {
        defaults: {},
        keys: {
          '#embedding': { float_list: { vector_index: { enabled: true, config: { embedding_function: OLLAMA } } } },
          splade: {
            sparse_vector: {
              sparse_vector_index: {
                enabled: true,
                config: {
                  source_key: '#document',
                  embedding_function: {
                    type: 'known',
                    name: 'chroma-cloud-splade',
                    config: { model: 'prithivida/Splade_PP_en_v1' },
                  },
                },
              },
            },
          },
        },
      },
    });
    expect((await post(coll.id, 'add', { ids: ['a'], documents: [CORPUS.fox] })).status).toBe(201);
    const got = await post(coll.id, 'get', { ids: ['a'], include: ['metadatas'] });
    expect(got.body.metadatas).toEqual([null]);
    const res = await post(coll.id, 'search', textSearch('fox', 1, { key: 'splade' }));
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(
      /sparse vector index 'splade'.*chroma-cloud-splade \(model prithivida\/Splade_PP_en_v1\), which is not mapped to a sparse embedding model/,
    );
  });
});
