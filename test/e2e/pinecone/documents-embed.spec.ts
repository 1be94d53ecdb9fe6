import { Errors, type Pinecone } from '@pinecone-database/pinecone';
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
import { cosine, indexName, pineconeClient } from '../../support/pinecone';

const { PineconeBadRequestError } = Errors;
const DIMENSION = 32;

/** Texts that share words with one question each. */
const CORPUS = [
  'The Eiffel Tower stands in Paris, the capital of France.',
  'Mount Fuji is the highest mountain in Japan.',
  'Photosynthesis turns sunlight and water into sugar in plants.',
  'Jupiter is the largest planet of the solar system.',
  'The violin is a string instrument played with a bow.',
  'Penguins are birds that swim but cannot fly.',
  'The heart pumps blood through the arteries and veins.',
  'Bread rises because yeast makes gas in the dough.',
];

const DOCS = CORPUS.map((text, k) => ({
  _id: `doc-${k}`,
  body: text,
  summary: `note ${k}: ${text.split(' ').slice(0, 4).join(' ')}`,
  parity: k % 2 === 0 ? 'even' : 'odd',
}));

/** The ids by cosine of the fake's embeddings to `question`, best first. */
function denseOrder(question: string, docs = DOCS): string[] {
  const q = fakeEmbedding(question, DIMENSION);
  return docs
    .map((d) => ({ id: d._id, score: cosine(q, fakeEmbedding(d.body, DIMENSION)) }))
    .sort((a, b) => b.score - a.score)
    .map((d) => d.id);
}

/** The ids the gateway's BM25 weights score above zero for `question`, by score, and their scores. */
function sparseScores(question: string, docs = DOCS): Map<string, number> {
  const q = bm25(question, 'query');
  const scores = new Map<string, number>();
  for (const d of docs) {
    const w = bm25(d.summary, 'passage');
    let s = 0;
    q.indices.forEach((i, k) => {
      const at = w.indices.indexOf(i);
      if (at >= 0) s += q.values[k] * w.values[at];
    });
    if (s > 0) scores.set(d._id, s);
  }
  return scores;
}

describe('Pinecone document indexes with integrated embedding (API 2026-07)', () => {
  let fake: FakeInference;
  let gw: TestGateway;
  let pc: Pinecone;
  const name = indexName('docs-embed');
  const docs = (index = name, ns = 'n') => `/indexes/${index}/namespaces/${ns}/documents`;

  /** A create through plain HTTP: the v9.0 client drops `embed`, `sparse_embed` and `store_text`. */
  const create = (index: string, fields: Record<string, unknown>) =>
    http(gw.url, 'POST', '/indexes', { name: index, schema: { fields } }, { 'X-Pinecone-Api-Version': '2026-07' });

  beforeAll(async () => {
    fake = await startFakeInference(DIMENSION);
    const config = fakeInferenceConfig(fake);
    gw = await startGateway({
      inference: parseInferenceConfig(
        { ...config, models: { ...config.models, 'pinecone-sparse-english-v0': { provider: 'vecgate-bm25' } } },
        FAKE_KEY_ENV,
      ),
    });
    pc = pineconeClient(gw);
    const created = await create(name, {
      body: { type: 'string', embed: {} },
      summary: { type: 'string', store_text: false, sparse_embed: { model: 'pinecone-sparse-english-v0' } },
    });
    expect(created.status).toBe(201);
  });

  afterAll(async () => {
    await gw?.close();
    await fake?.close();
  });

  it('resolves embed and sparse_embed from the mapped models, and describes them so', async () => {
    const described = await http(gw.url, 'GET', `/indexes/${name}`);
    expect(described.body.schema.fields).toEqual({
      body: {
        type: 'string',
        description: null,
        full_text_search: { language: 'en', stemming: false, stop_words: false },
        store_text: true,
        embed: {
          model: 'llama-text-embed-v2',
          dimension: DIMENSION,
          metric: 'cosine',
          write_parameters: {},
          read_parameters: {},
        },
      },
      summary: {
        type: 'string',
        description: null,
        store_text: false,
        sparse_embed: { model: 'pinecone-sparse-english-v0', write_parameters: {}, read_parameters: {} },
      },
    });
  });

  it('embeds the fields on upsert, reports the tokens, and searches them with embed and sparse_embed', async () => {
    const calls = fake.calls.length;
    const upserted = await http(gw.url, 'POST', `${docs()}/upsert`, { documents: DOCS });
    expect(upserted.status).toBe(202);
    // The fake counts a token a word; the gateway's BM25 one a run of non-spaces.
    const denseTokens = DOCS.reduce((n, d) => n + (d.body.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).length, 0);
    const sparseTokens = DOCS.reduce((n, d) => n + d.summary.split(/\s+/).length, 0);
    expect(upserted.body).toEqual({
      upserted_count: DOCS.length,
      usage: { embed_total_tokens: denseTokens + sparseTokens },
    });
    // One call to the provider for the whole request's dense texts (the sparse model is the gateway's).
    expect(fake.calls.length - calls).toBe(1);

    const question = 'Which planet is the largest one?';
    const found = await pc
      .index(name)
      .namespace('n')
      .documents.search({ scoreBy: [{ type: 'embed', fields: ['body'], query: question }], topK: 3 });
    expect(found.matches.map((m) => m._id)).toEqual(denseOrder(question).slice(0, 3));

    const raw = await http(gw.url, 'POST', `${docs()}/search`, {
      score_by: [{ type: 'embed', field: 'body', query: question }],
      top_k: 2,
      include_fields: ['*'],
    });
    expect(raw.body.usage).toEqual({ read_units: 1, embed_total_tokens: 6 });
    // `*` shows the stored text, never the one store_text: false dropped.
    expect(raw.body.matches[0]).toEqual({
      _id: denseOrder(question)[0],
      _score: expect.any(Number),
      body: DOCS.find((d) => d._id === denseOrder(question)[0])!.body,
      parity: expect.any(String),
    });

    const words = 'penguins birds violin';
    const sparse = await http(gw.url, 'POST', `${docs()}/search`, {
      score_by: [{ type: 'sparse_embed', fields: ['summary'], query: words }],
      top_k: 2,
    });
    expect(sparse.status).toBe(200);
    const expected = [...sparseScores(words)].sort((a, b) => b[1] - a[1]);
    expect(expected.length).toBe(2);
    expect(sparse.body.matches.map((m: { _id: string }) => m._id)).toEqual(expected.map(([id]) => id));
    for (const m of sparse.body.matches) expect(m._score).toBeCloseTo(new Map(expected).get(m._id)!, 4);
    expect(sparse.body.usage.embed_total_tokens).toBe(3);
  });

  it('searches a stored embedded field by its words too, and keeps a dropped text out of every answer', async () => {
    const byWords = await pc
      .index(name)
      .namespace('n')
      .documents.search({ scoreBy: [{ type: 'text', fields: ['body'], query: 'violin bow' }], topK: 1 });
    expect(byWords.matches.map((m) => m._id)).toEqual(['doc-4']);
    const fetched = await http(gw.url, 'POST', `${docs()}/fetch`, { ids: ['doc-4'] });
    expect(fetched.body.documents['doc-4']).toEqual({ _id: 'doc-4', body: CORPUS[4], parity: 'even' });

    for (const [path, body] of [
      ['fetch', { ids: ['doc-4'], include_fields: ['summary'] }],
      [
        'search',
        { score_by: [{ type: 'text', fields: ['body'], query: 'bow' }], top_k: 1, include_fields: ['summary'] },
      ],
    ] as const) {
      const refused = await http(gw.url, 'POST', `${docs()}/${path}`, body);
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toContain('"summary" has store_text: false');
    }
    const textOfDropped = await http(gw.url, 'POST', `${docs()}/search`, {
      score_by: [{ type: 'text', fields: ['summary'], query: 'note' }],
      top_k: 1,
    });
    expect(textOfDropped.status).toBe(400);
    const matchOfDropped = await http(gw.url, 'POST', `${docs()}/search`, {
      score_by: [{ type: 'embed', fields: ['body'], query: 'note' }],
      top_k: 1,
      filter: { summary: { $match_any: 'note' } },
    });
    expect(matchOfDropped.status).toBe(400);
  });

  it('refuses what the spec refuses, in Pinecone’s words, and writes nothing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ body: { type: 'string', embed: { model: 'no-such-model' } } }, 'Model "no-such-model" is not available'],
      [{ body: { type: 'string', embed: { model: 'bge-reranker-v2-m3' } } }, 'is a reranking model'],
      [{ body: { type: 'string', embed: { model: 'pinecone-sparse-english-v0' } } }, 'declare it under sparse_embed'],
      [{ body: { type: 'string', sparse_embed: { model: 'llama-text-embed-v2' } } }, 'declare it under embed'],
      [{ body: { type: 'string', sparse_embed: { dimension: 3 } } }, 'sparse embeddings have no dimension'],
      [{ body: { type: 'string', embed: { dimension: 1024 } } }, 'supported dimensions: 32'],
      [{ body: { type: 'string', embed: { metric: 'hamming' } } }, 'metric must be one of'],
      [
        { body: { type: 'string', embed: {} }, emb: { type: 'dense_vector', dimension: 3, metric: 'cosine' } },
        'one dense vector slot',
      ],
      [{ a: { type: 'string', embed: {} }, b: { type: 'string', embed: {} } }, 'one dense vector slot'],
      [{ a: { type: 'string', sparse_embed: {} }, sp: { type: 'sparse_vector' } }, 'one sparse vector slot'],
      [
        { a: { type: 'string', store_text: false, full_text_search: {}, embed: {} } },
        'cannot declare full_text_search',
      ],
      [{ a: { type: 'string', store_text: false } }, 'must declare full_text_search, embed or sparse_embed'],
      [{ a: { type: 'dense_vector', dimension: 3, metric: 'cosine', embed: {} } }, 'unknown field "embed"'],
    ];
    for (const [fields, message] of cases) {
      const index = indexName('embed-bad');
      const refused = await create(index, fields);
      expect({ fields, status: refused.status, code: refused.body?.error?.code }).toEqual({
        fields,
        status: 400,
        code: 'INVALID_ARGUMENT',
      });
      expect(refused.body.error.message).toContain(message);
      expect((await http(gw.url, 'GET', `/indexes/${index}`)).status).toBe(404);
    }
  });

  it('refuses documents without their embed field or with vectors in it, and a search of the wrong kind', async () => {
    const refusals: [unknown, string][] = [
      [{ _id: 'x', summary: 'only sparse' }, 'a field that declares embed is required on every upsert'],
      [{ _id: 'x', body: [0.1, 0.2] }, 'it takes the text to embed'],
      [{ _id: 'x', body: '   ' }, 'must hold the text to embed'],
    ];
    for (const [doc, message] of refusals) {
      const refused = await http(gw.url, 'POST', `${docs()}/upsert`, { documents: [doc] });
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toContain(message);
    }
    const searches: [Record<string, unknown>, string][] = [
      [{ type: 'embed', fields: ['summary'], query: 'x' }, 'is not a field of the index that declares embed'],
      [{ type: 'sparse_embed', fields: ['body'], query: 'x' }, 'declares sparse_embed'],
      [{ type: 'embed', fields: ['body', 'summary'], query: 'x' }, 'names exactly one field'],
      [{ type: 'embed', fields: ['body'], query: 'x', values: [1] }, 'takes a query text'],
      [{ type: 'embed', fields: ['body'], query: '  ' }, 'query must be a non-empty string'],
      [{ type: 'dense_vector', fields: ['body'], values: [1] }, 'score it with an embed or sparse_embed clause'],
    ];
    for (const [clause, message] of searches) {
      const refused = await http(gw.url, 'POST', `${docs()}/search`, { score_by: [clause], top_k: 1 });
      expect({ clause, status: refused.status }).toEqual({ clause, status: 400 });
      expect(refused.body.error.message).toContain(message);
    }
    const mixed = await pc
      .index(name)
      .namespace('n')
      .documents.search({
        scoreBy: [
          { type: 'embed', fields: ['body'], query: 'x' },
          { type: 'text', fields: ['body'], query: 'x' },
        ],
        topK: 1,
      })
      .catch((e: Error) => e);
    expect(mixed).toBeInstanceOf(PineconeBadRequestError);
    expect(await http(gw.url, 'POST', `${docs()}/fetch`, { ids: ['x'] })).toMatchObject({ body: { documents: {} } });
  });

  it('writes nothing when the provider is down, and re-embeds what an update changes', async () => {
    await fake.down();
    const down = await http(gw.url, 'POST', `${docs()}/upsert`, { documents: [{ _id: 'late', body: 'a new text' }] });
    await fake.up();
    expect(down.status).toBe(503);
    expect((await http(gw.url, 'POST', `${docs()}/fetch`, { ids: ['late'] })).body.documents).toEqual({});

    const text = 'Saturn has bright rings of ice';
    const updated = await http(gw.url, 'POST', `${docs()}/update`, { documents: [{ _id: 'doc-0', body: text }] });
    expect(updated.status).toBe(202);
    expect(updated.body).toEqual({ usage: { embed_total_tokens: 6 } });
    const after = DOCS.map((d) => (d._id === 'doc-0' ? { ...d, body: text } : d));
    const found = await http(gw.url, 'POST', `${docs()}/search`, {
      score_by: [{ type: 'embed', fields: ['body'], query: 'rings of Saturn' }],
      top_k: 3,
      include_fields: ['body'],
    });
    expect(found.body.matches.map((m: { _id: string }) => m._id)).toEqual(
      denseOrder('rings of Saturn', after).slice(0, 3),
    );
    expect(found.body.matches[0]).toMatchObject({ _id: 'doc-0', body: text });
    // A metadata-only update embeds nothing and reports no usage.
    expect(
      (await http(gw.url, 'POST', `${docs()}/update`, { documents: [{ _id: 'doc-0', parity: 'zero' }] })).body,
    ).toEqual({});

    const byFilter = await http(gw.url, 'POST', `${docs()}/update`, {
      filter: { parity: { $eq: 'odd' } },
      set_fields: { body: 'the same text for all' },
    });
    expect(byFilter.status).toBe(400);
    expect(byFilter.body.error.message).toContain('cannot set body, a field with integrated embedding');
    const removed = await http(gw.url, 'POST', `${docs()}/update`, {
      documents: [{ _id: 'doc-1', _remove_fields: ['body'] }],
    });
    expect(removed.status).toBe(400);
    expect(removed.body.error.message).toContain('cannot be removed');
  });
});
