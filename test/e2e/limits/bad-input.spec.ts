import { gatewayForFile, http } from '../../support/gateway';

/**
 * Input that once made a 500 (or worse) on every protocol: each is now a 4xx in the protocol's
 * own shape, and the gateway answers the next normal call as before.
 */
const CHROMA = '/api/v2/tenants/default_tenant/databases/default_database';
const SERVERLESS = { serverless: { cloud: 'aws', region: 'us-east-1' } };

/** `{"<op>": [<inner>, <leaf>]}` nested `depth` times, built as text: too deep for JSON.stringify's stack. */
function nested(depth: number, open: (inner: string) => string, leaf: string): string {
  let text = leaf;
  for (let i = 0; i < depth; i++) text = open(text);
  return text;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('bad input is a 4xx in the protocol shape', () => {
  const gw = gatewayForFile();
  let chromaId: string;

  beforeAll(async () => {
    const created = await http(gw.url, 'POST', `${CHROMA}/collections`, { name: 'bad_input' });
    chromaId = created.body.id;
    await http(gw.url, 'POST', `${CHROMA}/collections/${chromaId}/add`, {
      ids: ['a', 'b', 'c'],
      embeddings: [
        [1, 0],
        [0, 1],
        [1, 1],
      ],
      metadatas: [{ k: 5 }, { k: 9_999 }, { k: 20_000 }],
    });
    expect(
      (await http(gw.url, 'POST', '/indexes', { name: 'bad-input', dimension: 2, metric: 'cosine', spec: SERVERLESS }))
        .status,
    ).toBe(201);
    expect(
      (await http(gw.url, 'POST', '/collections', { name: 'bad_input_vz', dimension: 2, metric: 'cosine' })).status,
    ).toBe(200);
  });

  afterEach(async () => {
    expect((await http(gw.url, 'GET', '/api/v2/heartbeat')).status).toBe(200);
  });

  describe('filters nested deep or with huge lists', () => {
    const chromaGet = (where: string) =>
      http(gw.url, 'POST', `${CHROMA}/collections/${chromaId}/get`, `{"where":${where}}`);

    it('Chroma: $and 2,000 deep, $in of 40,000 and of 200,000 values', async () => {
      const deep = await chromaGet(nested(2000, (inner) => `{"$and":[${inner},{"k":1}]}`, '{"k":1}'));
      expect(deep.status).toBe(400);
      expect(deep.body).toEqual({ error: 'InvalidArgumentError', message: expect.stringMatching(/64 operators deep/) });
      for (const n of [40_000, 200_000]) {
        const wide = await chromaGet(JSON.stringify({ k: { $in: range(n) } }));
        expect(wide.status).toBe(400);
        expect(wide.body.message).toMatch(/at most 10000/);
      }
    });

    it('Chroma: a $in of 10,000 values is one parameter and matches', async () => {
      const res = await chromaGet(JSON.stringify({ k: { $in: range(10_000) } }));
      expect(res.status).toBe(200);
      expect(res.body.ids).toEqual(['a', 'b']);
    });

    it('Pinecone: $and 3,000 deep and $in of 40,000 values', async () => {
      const query = (filter: string) =>
        http(gw.url, 'POST', '/indexes/bad-input/query', `{"vector":[1,0],"topK":1,"filter":${filter}}`);
      const deep = await query(nested(3000, (inner) => `{"$and":[${inner},{"k":{"$eq":1}}]}`, '{"k":{"$eq":1}}'));
      expect(deep.status).toBe(400);
      expect(deep.body).toMatchObject({ code: 3, message: expect.stringMatching(/64 operators deep/) });
      const wide = await query(JSON.stringify({ k: { $in: range(40_000) } }));
      expect(wide.status).toBe(400);
      expect(wide.body.message).toMatch(/at most 10000/);
    });

    it('Vectorizer and its Qdrant slice: nested 3,000 deep', async () => {
      const nestedFilter = nested(
        3000,
        (inner) => `{"must":[{"key":"__nested__","filter":${inner}}]}`,
        '{"must":[{"key":"k","match":{"value":1}}]}',
      );
      const vectorizer = await http(
        gw.url,
        'POST',
        '/collections/bad_input_vz/search',
        `{"vector":[1,0],"limit":1,"filter":${nestedFilter}}`,
      );
      expect(vectorizer.status).toBe(400);
      expect(vectorizer.body.message).toMatch(/64 operators deep/);
      const qdrant = await http(
        gw.url,
        'POST',
        '/qdrant/collections/bad_input_vz/points/search',
        `{"vector":[1,0],"limit":1,"filter":${nestedFilter}}`,
      );
      expect(qdrant.status).toBe(400);
      expect(qdrant.body.message).toMatch(/64 operators deep/);
    });
  });

  describe('names and settings', () => {
    it('refuses Vectorizer and Qdrant collection names of 4,000 characters', async () => {
      const vectorizer = await http(gw.url, 'POST', '/collections', { name: 'x'.repeat(4000), dimension: 2 });
      expect(vectorizer.status).toBe(400);
      expect(vectorizer.body.message).toMatch(/at most 255/);
      const qdrant = await http(gw.url, 'PUT', `/qdrant/collections/${'y'.repeat(4000)}`, {
        vectors: { size: 2, distance: 'Cosine' },
      });
      expect(qdrant.status).toBe(400);
      expect(qdrant.body.message).toMatch(/at most 255/);
    });

    it.each(['constructor', '__proto__', 'toString'])('refuses a metric named %s', async (metric) => {
      const vectorizer = await http(gw.url, 'POST', '/collections', { name: `m_${metric}`, dimension: 2, metric });
      expect(vectorizer.status).toBe(400);
      expect(vectorizer.body.error_type).toBe('validation_error');
      const qdrant = await http(gw.url, 'PUT', `/qdrant/collections/m_${metric}`, {
        vectors: { size: 2, distance: metric },
      });
      expect(qdrant.status).toBe(400);
      expect(qdrant.body.error_type).toBe('validation_error');
    });

    it('takes paginationToken: null as no token', async () => {
      const res = await http(gw.url, 'POST', '/indexes/bad-input/vectors/fetch_by_metadata', {
        filter: { k: 1 },
        paginationToken: null,
      });
      expect(res.status).toBe(200);
    });

    it('takes the names of Object.prototype in a query string as plain parameters', async () => {
      const res = await http(gw.url, 'GET', '/indexes/bad-input/vectors/fetch?ids=a&constructor=x&__proto__=y');
      expect(res.status).toBe(200);
    });
  });

  describe('vector values', () => {
    it('refuses a value past halfvec range in a 2,001-4,000 dimension collection, and searches go on', async () => {
      const created = await http(gw.url, 'POST', `${CHROMA}/collections`, { name: 'half_precision' });
      const id = created.body.id;
      const vector = (value: number) => [value, ...Array(2999).fill(0.5)];
      const add = (ids: string[], embeddings: number[][]) =>
        http(gw.url, 'POST', `${CHROMA}/collections/${id}/add`, { ids, embeddings });
      expect((await add(['ok'], [vector(1)])).status).toBe(201);
      const refused = await add(['big'], [vector(70_000)]);
      expect(refused.status).toBe(400);
      expect(refused.body.message).toMatch(/within ±65504/);
      const query = await http(gw.url, 'POST', `${CHROMA}/collections/${id}/query`, {
        query_embeddings: [vector(1)],
        n_results: 5,
      });
      expect(query.status).toBe(200);
      expect(query.body.ids).toEqual([['ok']]);
    });

    it('judges Pinecone zero vectors after float32 rounding: 1e-50 is zero', async () => {
      const dense = await http(gw.url, 'POST', '/indexes/bad-input/vectors/upsert', {
        vectors: [{ id: 'tiny', values: [1e-50, 1e-50] }],
      });
      expect(dense.status).toBe(400);
      expect(dense.body.message).toMatch(/at least one non-zero value/);
    });
  });
});
