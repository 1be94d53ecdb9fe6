import { Errors, type Pinecone } from '@pinecone-database/pinecone';
import { parseInferenceConfig } from '../../../src/inference/inference-options';
import {
  FAKE_KEY_ENV,
  fakeEmbedding,
  fakeInferenceConfig,
  fakeRerankScore,
  startFakeInference,
  type FakeInference,
} from '../../support/fake-inference';
import { http, startGateway, type TestGateway } from '../../support/gateway';
import { cosine, createDense, indexName, pineconeClient } from '../../support/pinecone';
import { until } from '../../support/wait';

const { PineconeBadRequestError, PineconeNotFoundError } = Errors;

/** A small corpus: each text shares words with one question below. */
const CORPUS = [
  'The Eiffel Tower stands in Paris, the capital of France.',
  'Mount Fuji is the highest mountain in Japan.',
  'The Great Wall of China stretches across northern China.',
  'Photosynthesis turns sunlight, water and carbon dioxide into sugar in plants.',
  'The Amazon river flows through the rainforest of Brazil.',
  'Jupiter is the largest planet of the solar system.',
  'The violin is a string instrument played with a bow.',
  'Bread rises because yeast makes carbon dioxide gas in the dough.',
  'The heart pumps blood through the arteries and veins.',
  'Penguins are birds that swim but cannot fly.',
  'The Pacific is the largest and deepest ocean on Earth.',
  'Shakespeare wrote Hamlet, a tragedy about a Danish prince.',
].map((text, k) => ({ _id: `doc-${k}`, chunk_text: text, category: k % 2 === 0 ? 'even' : 'odd', rank: k }));

/** The corpus ids by cosine to `question` under the fake's embeddings, best first. */
function expectedOrder(question: string, records = CORPUS, dimension = 64): string[] {
  const q = fakeEmbedding(question, dimension);
  return [...records]
    .map((r) => ({ id: r._id, score: cosine(q, fakeEmbedding(r.chunk_text, dimension)) }))
    .sort((a, b) => b.score - a.score)
    .map((r) => r.id);
}

function counter(metrics: string, name: string, match = ''): number {
  return metrics
    .split('\n')
    .filter((l) => l.startsWith(name) && l.includes(match))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

describe('Pinecone integrated inference through the official v9 client', () => {
  let fake: FakeInference;
  let gw: TestGateway;
  let pc: Pinecone;

  beforeAll(async () => {
    fake = await startFakeInference(64);
    const config = fakeInferenceConfig(fake);
    gw = await startGateway({
      inference: parseInferenceConfig(
        { ...config, models: { ...config.models, 'pinecone-sparse-english-v0-alias': { provider: 'vecgate-bm25' } } },
        FAKE_KEY_ENV,
      ),
    });
    pc = pineconeClient(gw);
  });

  afterAll(async () => {
    await gw?.close();
    await fake?.close();
  });

  beforeEach(() => {
    fake.latencyMs = 0;
    fake.failNext = [];
  });

  async function integratedIndex(prefix: string, model = 'llama-text-embed-v2') {
    const name = indexName(prefix);
    const created = await pc.createIndexForModel({
      name,
      cloud: 'aws',
      region: 'us-east-1',
      embed: { model, fieldMap: { text: 'chunk_text' } },
    });
    return { name, created, index: pc.index({ name }) };
  }

  it('creates an index for a mapped model: its dimension, metric and embed are the model’s', async () => {
    const { name, created } = await integratedIndex('for-model');
    expect(created!.dimension).toBe(64);
    expect(created!.metric).toBe('cosine');
    expect(created!.embed).toMatchObject({
      model: 'llama-text-embed-v2',
      fieldMap: { text: 'chunk_text' },
      dimension: 64,
    });
    const described = await pc.describeIndex(name);
    expect(described.embed).toMatchObject({ model: 'llama-text-embed-v2', fieldMap: { text: 'chunk_text' } });
    expect(described.schema.fields.chunk_text).toMatchObject({ type: 'semantic_text', model: 'llama-text-embed-v2' });
    // The raw 2025-04 shape carries `embed` at the top.
    const raw = await http(gw.url, 'GET', `/indexes/${name}`);
    expect(raw.body.embed).toMatchObject({
      model: 'llama-text-embed-v2',
      field_map: { text: 'chunk_text' },
      vector_type: 'dense',
    });
  });

  it('refuses a model the operator did not map, and Pinecone’s learned sparse model unless mapped', async () => {
    for (const model of ['no-such-model', 'pinecone-sparse-english-v0']) {
      const err = await pc
        .createIndexForModel({
          name: indexName('unmapped'),
          cloud: 'aws',
          region: 'us-east-1',
          embed: { model, fieldMap: { text: 't' } },
        })
        .catch((e: Error) => e);
      expect(err).toBeInstanceOf(PineconeBadRequestError);
      expect((err as Error).message).toContain(`Model "${model}" is not available on this gateway`);
    }
    const wrongDimension = await http(gw.url, 'POST', '/indexes/create-for-model', {
      name: indexName('wrong-dim'),
      cloud: 'aws',
      region: 'us-east-1',
      embed: { model: 'llama-text-embed-v2', field_map: { text: 't' }, dimension: 1024 },
    });
    expect(wrongDimension.status).toBe(400);
    expect(wrongDimension.body.error.message).toContain('embeds in 64 dimensions on this gateway, not 1024');
    const rerankModel = await http(gw.url, 'POST', '/indexes/create-for-model', {
      name: indexName('rerank'),
      cloud: 'aws',
      region: 'us-east-1',
      embed: { model: 'bge-reranker-v2-m3', field_map: { text: 't' } },
    });
    expect(rerankModel.status).toBe(400);
  });

  it('upserts text records and searches them by text, id and vector, with filters and fields', async () => {
    const { index } = await integratedIndex('search');
    const ns = index.namespace('articles');
    await ns.upsertRecords({ records: CORPUS });
    expect((await index.describeIndexStats()).namespaces?.articles?.recordCount).toBe(CORPUS.length);

    const question = 'Which planet is the largest in the solar system?';
    const found = await ns.searchRecords({ query: { topK: 3, inputs: { text: question } }, fields: ['chunk_text'] });
    expect(found.result.hits.map((h) => h._id)).toEqual(expectedOrder(question).slice(0, 3));
    expect(found.result.hits[0]._id).toBe('doc-5');
    expect(found.result.hits[0].fields).toEqual({ chunk_text: CORPUS[5].chunk_text });
    expect(found.usage.embedTotalTokens).toBeGreaterThan(0);

    // Every field is returned when none are named; a filter narrows as on any query.
    const filtered = await ns.searchRecords({
      query: { topK: 3, inputs: { text: question }, filter: { category: { $eq: 'even' } } },
    });
    const evens = CORPUS.filter((r) => r.category === 'even');
    expect(filtered.result.hits.map((h) => h._id)).toEqual(expectedOrder(question, evens).slice(0, 3));
    expect(filtered.result.hits[0].fields).toMatchObject({ category: 'even', chunk_text: expect.any(String) });

    const byId = await ns.searchRecords({ query: { topK: 1, id: 'doc-9' } });
    expect(byId.result.hits[0]._id).toBe('doc-9');
    const byVector = await ns.searchRecords({
      query: { topK: 1, vector: { values: fakeEmbedding(CORPUS[2].chunk_text, 64) } },
    });
    expect(byVector.result.hits[0]._id).toBe('doc-2');
    // The passages went to the provider as passages, in one call, with the operator's key.
    const upsertCall = fake.calls.find((c) => c.path === '/openai/v1/embeddings' && c.inputs === CORPUS.length);
    expect(upsertCall?.authorization).toBe(`Bearer ${FAKE_KEY_ENV.FAKE_INFERENCE_KEY}`);
  });

  it('reranks the hits with a reranking model', async () => {
    const { index } = await integratedIndex('rerank');
    const ns = index.namespace('articles');
    await ns.upsertRecords({ records: CORPUS });
    const question = 'carbon dioxide in plants and bread dough';
    const reranked = await ns.searchRecords({
      query: { topK: 6, inputs: { text: question } },
      rerank: { model: 'bge-reranker-v2-m3', rankFields: ['chunk_text'], topN: 2 },
      fields: ['chunk_text'],
    });
    const candidates = expectedOrder(question).slice(0, 6);
    const byRerank = candidates
      .map((id) => ({ id, score: fakeRerankScore(question, CORPUS.find((r) => r._id === id)!.chunk_text) }))
      .sort((a, b) => b.score - a.score);
    expect(reranked.result.hits).toHaveLength(2);
    expect(reranked.result.hits.map((h) => h._score)).toEqual(byRerank.slice(0, 2).map((r) => r.score));
    expect(reranked.usage.rerankUnits).toBe(1);
    const unknown = await ns
      .searchRecords({
        query: { topK: 2, inputs: { text: question } },
        rerank: { model: 'llama-text-embed-v2', rankFields: ['chunk_text'] },
      })
      .catch((e: Error) => e);
    expect(unknown).toBeInstanceOf(PineconeBadRequestError);
    // Every hit is reranked: a search asks for at most as many as /rerank takes.
    const calls = fake.calls.length;
    const tooMany = await ns
      .searchRecords({
        query: { topK: 1001, inputs: { text: question } },
        rerank: { model: 'bge-reranker-v2-m3', rankFields: ['chunk_text'] },
      })
      .catch((e: Error) => e);
    expect(tooMany).toBeInstanceOf(PineconeBadRequestError);
    expect((tooMany as Error).message).toMatch(/top_k may be at most 1000 with rerank/);
    expect(fake.calls.length).toBe(calls);
    // Reranking a search by id needs rerank.query, whatever the search would find: the id here is
    // in no namespace, and the request is still refused before anything runs.
    const noQuery = await index
      .namespace('empty')
      .searchRecords({
        query: { topK: 2, id: 'doc-0' },
        rerank: { model: 'bge-reranker-v2-m3', rankFields: ['chunk_text'] },
      })
      .catch((e: Error) => e);
    expect(noQuery).toBeInstanceOf(PineconeBadRequestError);
    expect((noQuery as Error).message).toMatch(/rerank.query is required/);
    expect(fake.calls.length).toBe(calls);
    // With one, the id's vector is searched and its hits reranked against that query; a top_n
    // past top_k keeps every hit.
    const byId = await ns.searchRecords({
      query: { topK: 3, id: 'doc-0' },
      rerank: { model: 'bge-reranker-v2-m3', rankFields: ['chunk_text'], query: question, topN: 50_000 },
    });
    expect(byId.result.hits).toHaveLength(3);
    const scores = byId.result.hits.map((h) => h._score);
    expect(scores).toEqual(
      byId.result.hits.map((h) => fakeRerankScore(question, CORPUS.find((r) => r._id === h._id)!.chunk_text)),
    );
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('embeds with a sparse model: vecgate-bm25 under another name', async () => {
    const { index, created } = await integratedIndex('bm25', 'pinecone-sparse-english-v0-alias');
    expect(created!.vectorType).toBe('sparse');
    const ns = index.namespace('');
    await ns.upsertRecords({ records: CORPUS });
    const hits = await ns.searchRecords({ query: { topK: 2, inputs: { text: 'penguins swim' } } });
    expect(hits.result.hits[0]._id).toBe('doc-9');
  });

  it('a plain index refuses records, and configure with embed makes it integrated', async () => {
    const name = indexName('plain');
    await createDense(pc, name, 64);
    const index = pc.index({ name });
    const refused = await index
      .namespace('a')
      .upsertRecords({ records: CORPUS.slice(0, 2) })
      .catch((e: Error) => e);
    expect(refused).toBeInstanceOf(PineconeBadRequestError);
    expect((refused as Error).message).toContain('has no integrated embedding');
    const configured = await http(gw.url, 'PATCH', `/indexes/${name}`, {
      embed: { model: 'llama-text-embed-v2', field_map: { text: 'chunk_text' } },
    });
    expect(configured.status).toBe(200);
    expect(configured.body.embed).toMatchObject({ model: 'llama-text-embed-v2' });
    await index.namespace('a').upsertRecords({ records: CORPUS.slice(0, 4) });
    // 2026-07's shape: a semantic_text field changes the embedded field; the model cannot change.
    const moved = await http(gw.url, 'PATCH', `/indexes/${name}`, {
      schema: { fields: { body: { type: 'semantic_text', write_parameters: { input_type: 'passage' } } } },
    });
    expect(moved.status).toBe(200);
    expect(moved.body.schema.fields.body).toMatchObject({ type: 'semantic_text', model: 'llama-text-embed-v2' });
    const other = await http(gw.url, 'PATCH', `/indexes/${name}`, { embed: { model: 'nomic-embed-text' } });
    expect(other.status).toBe(400);
    expect(other.body.error.message).toContain('cannot be changed');
    const tooSmall = indexName('small');
    await createDense(pc, tooSmall, 3);
    const mismatch = await http(gw.url, 'PATCH', `/indexes/${tooSmall}`, {
      embed: { model: 'llama-text-embed-v2', field_map: { text: 'x' } },
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.message).toContain('this index has 3');
  });

  it('refuses bad records in Pinecone’s shape and writes none of them', async () => {
    const { name, index } = await integratedIndex('bad-records');
    const post = (body: string) =>
      http(gw.url, 'POST', `/indexes/${name}/records/namespaces/x/upsert`, body, {
        'content-type': 'application/x-ndjson',
      });
    const cases = [
      '{"_id":"a","chunk_text":"fine"}\n{"_id":"b"}',
      '{"_id":"a","chunk_text":"fine"}\n{"_id":"b","chunk_text":42}',
      '{"chunk_text":"no id"}',
      '{"_id":"a","chunk_text":"fine"}\nnot json',
      '',
      Array.from({ length: 97 }, (_, k) => JSON.stringify({ _id: `r${k}`, chunk_text: 'x' })).join('\n'),
    ];
    for (const body of cases) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 3, message: expect.any(String) });
    }
    expect((await index.describeIndexStats()).totalRecordCount).toBe(0);
    const search = await http(gw.url, 'POST', `/indexes/${name}/records/namespaces/x/search`, {
      query: { top_k: 2, inputs: { text: 'x' }, id: 'a' },
    });
    expect(search.status).toBe(400);
    expect(search.body.message).toContain('exactly one of inputs, vector or id');
  });

  it('a provider that is down is a 503 and writes nothing; a 429 is retried and counted', async () => {
    const { name, index } = await integratedIndex('outage');
    const ns = index.namespace('n');
    await fake.down();
    try {
      const res = await http(
        gw.url,
        'POST',
        `/indexes/${name}/records/namespaces/n/upsert`,
        CORPUS.map((r) => JSON.stringify(r)).join('\n'),
        { 'content-type': 'application/x-ndjson' },
      );
      expect(res.status).toBe(503);
      expect(res.body.message).toContain('unavailable');
      expect(res.body.message).not.toContain(FAKE_KEY_ENV.FAKE_INFERENCE_KEY);
    } finally {
      await fake.up();
    }
    expect((await index.describeIndexStats()).totalRecordCount).toBe(0);

    const metrics = async () => (await http(gw.url, 'GET', '/metrics')).text;
    const before = counter(await metrics(), 'vecgate_inference_retries_total', 'reason="429"');
    fake.failNext = [429, 503];
    await ns.upsertRecords({ records: CORPUS });
    expect((await index.describeIndexStats()).totalRecordCount).toBe(CORPUS.length);
    const after = await metrics();
    expect(counter(after, 'vecgate_inference_retries_total', 'reason="429"')).toBe(before + 1);
    expect(counter(after, 'vecgate_inference_retries_total', 'reason="5xx"')).toBeGreaterThanOrEqual(1);
    expect(after).not.toContain(FAKE_KEY_ENV.FAKE_INFERENCE_KEY);
  });

  describe('the inference API', () => {
    it('embeds through every provider shape, with prefixes and input types', async () => {
      for (const model of [
        'llama-text-embed-v2',
        'nomic-embed-text',
        'embed-english-v3.0',
        'voyage-3',
        'jina-embeddings-v3',
      ]) {
        const embedded = await pc.inference.embed({
          model,
          inputs: ['a passage about penguins', 'the sea'],
          parameters: { inputType: 'passage' },
        });
        expect(embedded.vectorType).toBe('dense');
        expect(embedded.data).toHaveLength(2);
        const values = (embedded.data[0] as { values: number[] }).values;
        values.forEach((v, i) => expect(v).toBeCloseTo(fakeEmbedding('a passage about penguins', 64)[i], 5));
        // Six words: the provider's count where it gives one, the words otherwise (TEI gives none).
        expect(embedded.usage?.totalTokens).toBe(6);
      }
      // E5 takes "query: " before a query: the prefix reaches the provider.
      await pc.inference.embed({
        model: 'multilingual-e5-large',
        inputs: ['penguins'],
        parameters: { input_type: 'query' },
      });
      expect(fake.calls.at(-1)!.body.inputs).toEqual(['query: penguins']);
      const cohere = fake.calls.filter((c) => c.path === '/cohere/v2/embed').at(-1)!;
      expect(cohere.body.input_type).toBe('search_document');
      const sparse = await pc.inference.embed({ model: 'vecgate-bm25', inputs: ['penguins penguins swim'] });
      expect(sparse.vectorType).toBe('sparse');
      expect((sparse.data[0] as { sparseIndices: number[] }).sparseIndices).toHaveLength(2);
    });

    it('reranks through every provider shape', async () => {
      const documents = ['Penguins cannot fly.', 'Paris is in France.', 'Penguins swim in cold seas.'];
      for (const model of ['bge-reranker-v2-m3', 'rerank-v3.5', 'rerank-2', 'jina-reranker-v2-base-multilingual']) {
        const ranked = await pc.inference.rerank({ model, query: 'penguins swim', documents, topN: 2 });
        expect(ranked.data.map((d) => d.index)).toEqual([2, 0]);
        expect(ranked.data[0].score).toBeCloseTo(1, 6);
        expect(ranked.data[0].document).toEqual({ text: documents[2] });
      }
      const fields = await pc.inference.rerank({
        model: 'rerank-v3.5',
        query: 'penguins',
        documents: [
          { title: 'France', body: 'Paris' },
          { title: 'Birds', body: 'Penguins' },
        ],
        rankFields: ['body'],
        returnDocuments: false,
      });
      expect(fields.data.map((d) => d.index)).toEqual([1, 0]);
      expect(fields.data[0].document).toBeUndefined();
    });

    it('batches to the provider’s size within its concurrency', async () => {
      const texts = Array.from({ length: 100 }, (_, k) => `text number ${k}`);
      fake.latencyMs = 30;
      fake.maxInFlight = 0;
      const before = fake.calls.length;
      const embedded = await pc.inference.embed({ model: 'multilingual-e5-large', inputs: texts });
      expect(embedded.data).toHaveLength(100);
      const calls = fake.calls.slice(before).filter((c) => c.path === '/tei/embed');
      expect(calls.map((c) => c.inputs)).toEqual([32, 32, 32, 4]);
      expect(fake.maxInFlight).toBeLessThanOrEqual(4);
      expect(fake.maxInFlight).toBeGreaterThan(1);
      // Order is kept across batches.
      (embedded.data[99] as { values: number[] }).values.forEach((v, i) =>
        expect(v).toBeCloseTo(fakeEmbedding('passage: text number 99', 64)[i], 5),
      );
    });

    it('lets a one-text request through while a large one holds the provider', async () => {
      // 1,000 texts (the most a call takes) are 32 batches at 4 at once; the one-text query waits
      // for one slot, not for them.
      const large = Array.from({ length: 1000 }, (_, k) => `passage number ${k}`);
      fake.latencyMs = 50;
      const finished: string[] = [];
      const heavy = pc.inference
        .embed({ model: 'multilingual-e5-large', inputs: large })
        .then((r) => (finished.push('large'), r));
      await until(
        'the large request at the provider',
        () => fake.inFlight,
        (n) => n > 0,
      );
      const small = await pc.inference.embed({ model: 'multilingual-e5-large', inputs: ['one question'] });
      finished.push('small');
      expect((await heavy).data).toHaveLength(1000);
      expect(finished).toEqual(['small', 'large']);
      expect(small.data).toHaveLength(1);
    });

    it('lists and describes the mapped models, never their providers’ addresses or keys', async () => {
      const all = await pc.inference.listModels();
      const names = (all.models ?? []).map((m) => m.model);
      expect(names).toEqual(expect.arrayContaining(['llama-text-embed-v2', 'bge-reranker-v2-m3', 'vecgate-bm25']));
      const rerankers = await pc.inference.listModels({ type: 'rerank' });
      expect((rerankers.models ?? []).every((m) => m.type === 'rerank')).toBe(true);
      const llama = await pc.inference.getModel('llama-text-embed-v2');
      expect(llama).toMatchObject({
        model: 'llama-text-embed-v2',
        type: 'embed',
        vectorType: 'dense',
        defaultDimension: 64,
      });
      const raw = await http(gw.url, 'GET', '/models');
      expect(raw.text).not.toContain(fake.url);
      expect(raw.text).not.toContain(FAKE_KEY_ENV.FAKE_INFERENCE_KEY);
      await expect(pc.inference.getModel('no-such-model')).rejects.toBeInstanceOf(PineconeNotFoundError);
    });

    it('answers bad requests with Pinecone’s 400s', async () => {
      const cases: [string, unknown, string][] = [
        ['/embed', { model: 'nope', inputs: [{ text: 'x' }] }, 'not an embedding model'],
        ['/embed', { model: 'llama-text-embed-v2', inputs: [] }, 'non-empty array'],
        ['/embed', { model: 'llama-text-embed-v2', inputs: [{ text: '' }] }, 'empty'],
        [
          '/embed',
          { model: 'llama-text-embed-v2', inputs: [{ text: 'x' }], parameters: { input_type: 'other' } },
          'input_type',
        ],
        ['/rerank', { model: 'llama-text-embed-v2', query: 'q', documents: ['a'] }, 'not a reranking model'],
        ['/rerank', { model: 'rerank-2', query: 'q', documents: [{ body: 'a' }] }, 'no string field text'],
      ];
      for (const [path, body, words] of cases) {
        const res = await http(gw.url, 'POST', path, body);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ error: { code: 'INVALID_ARGUMENT' }, status: 400 });
        expect(res.body.error.message).toContain(words);
      }
    });
  });
});
