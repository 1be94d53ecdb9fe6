import { gatewayForFile, http } from '../../support/gateway';

const CHROMA = '/api/v2/tenants/default_tenant/databases/default_database';
const MB = 1024 * 1024;

/**
 * Answers are bounded before they are built: by rows (queries × results) up front, and by bytes in
 * Postgres, which sends nothing of an answer past VECGATE_MAX_ANSWER_MB (1 MB here).
 */
describe('answer limits', () => {
  const gw = gatewayForFile({ maxAnswerBytes: MB });
  let id: string;

  beforeAll(async () => {
    id = (await http(gw.url, 'POST', `${CHROMA}/collections`, { name: 'answers' })).body.id;
    const ids = Array.from({ length: 60 }, (_, i) => `d${String(i).padStart(2, '0')}`);
    const added = await http(gw.url, 'POST', `${CHROMA}/collections/${id}/add`, {
      ids,
      embeddings: ids.map((_, i) => [i, 1]),
      documents: ids.map((d) => d.repeat(10_000)), // 20 KB each: 1.2 MB in all
    });
    expect(added.status).toBe(201);
    expect(
      (await http(gw.url, 'PUT', '/qdrant/collections/answers_qd', { vectors: { size: 2, distance: 'Cosine' } }))
        .status,
    ).toBe(200);
  });

  afterEach(async () => {
    expect((await http(gw.url, 'GET', '/api/v2/heartbeat')).status).toBe(200);
  });

  it('refuses a Chroma query for more than 100,000 results before running it', async () => {
    const res = await http(gw.url, 'POST', `${CHROMA}/collections/${id}/query`, {
      query_embeddings: Array.from({ length: 100 }, () => [1, 1]),
      n_results: 1001,
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'InvalidArgumentError',
      message: expect.stringMatching(/100100 results .* at most 100000/),
    });
  });

  it('refuses a Chroma get or query whose documents pass the byte budget, and answers a smaller one', async () => {
    const all = await http(gw.url, 'POST', `${CHROMA}/collections/${id}/get`, {});
    expect(all.status).toBe(400);
    expect(all.body.message).toMatch(/about 1\.\d MB; at most 1\.0 MB .*VECGATE_MAX_ANSWER_MB/);
    const query = await http(gw.url, 'POST', `${CHROMA}/collections/${id}/query`, {
      query_embeddings: [[1, 1]],
      n_results: 60,
    });
    expect(query.status).toBe(400);
    const page = await http(gw.url, 'POST', `${CHROMA}/collections/${id}/get`, { limit: 10 });
    expect(page.status).toBe(200);
    expect(page.body.ids).toEqual(Array.from({ length: 10 }, (_, i) => `d0${i}`));
    expect(page.body.documents[3]).toBe('d03'.repeat(10_000));
    const idsOnly = await http(gw.url, 'POST', `${CHROMA}/collections/${id}/query`, {
      query_embeddings: [
        [59, 1],
        [0, 1],
      ],
      n_results: 60,
      include: ['distances'],
    });
    expect(idsOnly.status).toBe(200);
    expect(idsOnly.body.ids[0]).toHaveLength(60);
    expect(idsOnly.body.ids[0][0]).toBe('d59');
  });

  it('bounds a Chroma search request by its whole answer: the searches share the budget', async () => {
    const url = `${CHROMA}/collections/${id}/search`;
    const docs = (limit: number) => ({ limit: { limit }, select: { keys: ['#document'] } });
    // 30 documents of 20 KB (0.6 MB) fit; two such searches in one request (1.2 MB) do not.
    const one = await http(gw.url, 'POST', url, { searches: [docs(30)] });
    expect(one.status).toBe(200);
    expect(one.body.documents[0]).toHaveLength(30);
    const two = await http(gw.url, 'POST', url, { searches: [docs(30), docs(30)] });
    expect(two.status).toBe(400);
    expect(two.body.message).toMatch(/about 1\.\d MB; at most 1\.0 MB .*VECGATE_MAX_ANSWER_MB/);
    const ranked = await http(gw.url, 'POST', url, {
      searches: [{ rank: { $knn: { query: [1, 1], limit: 60 } }, ...docs(60) }],
    });
    expect(ranked.status).toBe(400);
    const idsOnly = await http(gw.url, 'POST', url, {
      searches: Array.from({ length: 10 }, () => ({
        rank: { $knn: { query: [1, 1], limit: 60 } },
        limit: { limit: 60 },
      })),
    });
    expect(idsOnly.status).toBe(200);
    expect(idsOnly.body.ids.every((ids: string[]) => ids.length === 60)).toBe(true);
  });

  it('refuses a Qdrant search limit past 100,000 and a Vectorizer batch of more than 100 queries', async () => {
    const search = await http(gw.url, 'POST', '/qdrant/collections/answers_qd/points/search', {
      vector: [1, 0],
      limit: 1_000_000,
    });
    expect(search.status).toBe(400);
    expect(search.body.message).toMatch(/at most 100000/);
    const batch = await http(gw.url, 'POST', '/batch_search', {
      collection: 'answers_qd',
      queries: Array.from({ length: 101 }, () => ({ vector: [1, 0], limit: 1 })),
    });
    expect(batch.status).toBe(400);
    expect(batch.body.message).toMatch(/at most 100 queries/);
  });
});
