import { prng } from '../../support/pinecone';
import { gatewayForFile } from '../../support/gateway';
import {
  CLOSE,
  collectionName,
  cosine,
  dot,
  expectVectorizerError,
  l2,
  sigmoid,
  vectorizer,
  type Vectorizer,
} from './vectorizer-helpers';

/**
 * Vectorizer search, `POST /collections/{c}/search` and `POST /search {collection, ...}`: scores
 * per metric on hand-made vectors, limit and threshold, and a filter applied inside the search,
 * so that a selective filter still yields `limit` results (the server filters after its search).
 */
type Hit = { id: string; score: number; vector: number[]; payload: unknown };

const ROUTES = [
  [
    'POST /collections/{c}/search',
    (vz: Vectorizer, c: string, body: Record<string, unknown>) => vz.post(`/collections/${c}/search`, body),
  ],
  [
    'POST /search {collection}',
    (vz: Vectorizer, c: string, body: Record<string, unknown>) => vz.post('/search', { ...body, collection: c }),
  ],
] as const;

describe('Vectorizer search over HTTP', () => {
  const gw = gatewayForFile();
  let vz: Vectorizer;

  beforeAll(async () => {
    vz = vectorizer(gw);
  });

  async function collection(
    metric: string,
    vectors: Record<string, number[]>,
    payloads: Record<string, unknown> = {},
  ): Promise<string> {
    const name = collectionName(`s-${metric}`);
    await vz.create(name, Object.values(vectors)[0].length, metric);
    await vz.insert(
      name,
      Object.entries(vectors).map(([id, embedding]) => ({ id, embedding, payload: payloads[id] })),
    );
    return name;
  }

  describe('scores on hand-made vectors', () => {
    const COSINE = { a: [1, 0], b: [0, 1], c: [1, 1], d: [-1, 0], e: [3, 4] };
    const EUCLID = { a: [3, 4], b: [1, 0], c: [0, 0], d: [0, -2] };
    const DOT = { a: [1, 0], b: [0, 0], c: [-1, -1], d: [2, 1] };

    describe.each(ROUTES)('%s', (_, search) => {
      it('scores cosine collections by cosine similarity, best first, with the stored vector and payload', async () => {
        const name = await collection('cosine', COSINE, { c: { tag: 'diag' } });
        const q = [1, 0];
        const res = await search(vz, name, { vector: q });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ query_type: 'vector', limit: 10, collection: name, total_results: 5 });
        const hits: Hit[] = res.body.results;
        expect(hits.map((h) => h.id)).toEqual(['a', 'c', 'e', 'b', 'd']);
        hits.forEach((h) => expect(h.score).toBeCloseTo(cosine(q, COSINE[h.id as keyof typeof COSINE]), CLOSE));
        expect(hits.map((h) => +h.score.toFixed(4))).toEqual([1, 0.7071, 0.6, 0, -1]);
        expect(hits[1]).toEqual({ id: 'c', score: hits[1].score, vector: [1, 1], payload: { tag: 'diag' } });
        expect(hits[0].payload).toBeNull();
      });

      it('scores euclidean collections by 1 / (1 + L2 distance)', async () => {
        const name = await collection('euclidean', EUCLID);
        const q = [0, 0];
        const hits: Hit[] = (await search(vz, name, { vector: q })).body.results;
        expect(hits.map((h) => h.id)).toEqual(['c', 'b', 'd', 'a']);
        hits.forEach((h) => expect(h.score).toBeCloseTo(1 / (1 + l2(q, EUCLID[h.id as keyof typeof EUCLID])), CLOSE));
        expect(hits.map((h) => +h.score.toFixed(4))).toEqual([1, 0.5, 0.3333, 0.1667]);
      });

      it('scores dot-product collections by sigmoid(dot)', async () => {
        const name = await collection('dot', DOT);
        const q = [1, 2];
        const hits: Hit[] = (await search(vz, name, { vector: q })).body.results;
        expect(hits.map((h) => h.id)).toEqual(['d', 'a', 'b', 'c']);
        hits.forEach((h) => expect(h.score).toBeCloseTo(sigmoid(dot(q, DOT[h.id as keyof typeof DOT])), CLOSE));
        expect(hits.map((h) => +h.score.toFixed(4))).toEqual([0.982, 0.7311, 0.5, 0.0474]);
      });
    });
  });

  describe.each(ROUTES)('%s: limit and threshold', (_, search) => {
    it('returns 10 results when no limit is sent', async () => {
      const vectors = Object.fromEntries(Array.from({ length: 15 }, (__, i) => [`v${i}`, [i, 1]]));
      const name = await collection('euclidean', vectors);
      const res = await search(vz, name, { vector: [0, 1] });
      expect(res.body.results).toHaveLength(10);
      expect(res.body.limit).toBe(10);
      expect(res.body.results.map((h: Hit) => h.id)).toEqual(Array.from({ length: 10 }, (__, i) => `v${i}`));
    });

    it('clamps a limit over 100 to 100 and echoes the clamped limit', async () => {
      const vectors = Object.fromEntries(Array.from({ length: 120 }, (__, i) => [`v${i}`, [i, 1]]));
      const name = await collection('euclidean', vectors);
      const res = await search(vz, name, { vector: [0, 1], limit: 500 });
      expect(res.status).toBe(200);
      expect(res.body.results).toHaveLength(100);
      expect(res.body).toMatchObject({ limit: 100, total_results: 100 });
      expect((await search(vz, name, { vector: [0, 1], limit: 3 })).body.results.map((h: Hit) => h.id)).toEqual([
        'v0',
        'v1',
        'v2',
      ]);
    });

    it('answers limit 0 with no results', async () => {
      const name = await collection('euclidean', { a: [1, 1] });
      const res = await search(vz, name, { vector: [1, 1], limit: 0 });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ results: [], total_results: 0, limit: 0 });
    });

    it('treats threshold as an inclusive minimum score (euclidean: a score of exactly 0.5 is kept at 0.5)', async () => {
      const name = await collection('euclidean', { a: [3, 4], b: [1, 0], c: [0, 0], d: [0, -2] });
      const at = await search(vz, name, { vector: [0, 0], threshold: 0.5 });
      expect(at.body.results.map((h: Hit) => h.id)).toEqual(['c', 'b']);
      expect(at.body.total_results).toBe(2);
      const above = await search(vz, name, { vector: [0, 0], threshold: 0.5000001 });
      expect(above.body.results.map((h: Hit) => h.id)).toEqual(['c']);
      const none = await search(vz, name, { vector: [0, 0], threshold: 1.5 });
      expect(none.body.results).toEqual([]);
    });

    it('treats threshold as an inclusive minimum score (dot: sigmoid(0) = 0.5 is kept at 0.5)', async () => {
      const name = await collection('dot', { zero: [0, 0], pos: [1, 1], neg: [-1, -1] });
      const res = await search(vz, name, { vector: [1, 1], threshold: 0.5 });
      expect(res.body.results.map((h: Hit) => h.id)).toEqual(['pos', 'zero']);
    });

    it('takes threshold together with limit: the best `limit`, then those at or above the threshold', async () => {
      const name = await collection('cosine', { a: [1, 0], b: [1, 1], c: [0, 1], d: [-1, 0] });
      const res = await search(vz, name, { vector: [1, 0], limit: 4, threshold: -0.5 });
      expect(res.body.results.map((h: Hit) => h.id)).toEqual(['a', 'b', 'c']);
      expect(res.body).toMatchObject({ limit: 4, total_results: 3 });
      const tight = await search(vz, name, { vector: [1, 0], limit: 3, threshold: 0.7 });
      expect(tight.body.results.map((h: Hit) => h.id)).toEqual(['a', 'b']);
    });

    // The server ignores `filter` on native search altogether, and its Qdrant filter treats every
    // list as optional; only delete_by_filter refuses a filter with no conditions (contract §3.9, §5.1).
    it('treats an empty filter ({} or empty lists) as no filter: it only narrows a read', async () => {
      const name = await collection('cosine', { a: [1, 0], b: [0, 1] });
      for (const filter of [{}, { must: [] }]) {
        const res = await search(vz, name, { vector: [1, 0], filter });
        expect(res.status).toBe(200);
        expect(res.body.results.map((h: Hit) => h.id)).toEqual(['a', 'b']);
      }
    });

    it('applies a filter in every dialect (flat, tagged, SDK)', async () => {
      const name = await collection(
        'cosine',
        { a: [1, 0], b: [1, 1], c: [0, 1], d: [-1, 0] },
        { a: { kind: 'x', n: 1 }, b: { kind: 'y', n: 2 }, c: { kind: 'x', n: 3 }, d: { kind: 'y', n: 4 } },
      );
      const ids = async (filter: unknown) =>
        (await search(vz, name, { vector: [1, 0], filter })).body.results.map((h: Hit) => h.id);
      expect(await ids({ kind: 'x' })).toEqual(['a', 'c']);
      expect(await ids({ n: { $gte: 2 } })).toEqual(['b', 'c', 'd']);
      expect(await ids({ must: [{ type: 'match', key: 'kind', match_value: 'y' }] })).toEqual(['b', 'd']);
      expect(
        await ids({
          must: [{ type: 'range', key: 'n', range: { lt: 3 } }],
          must_not: [{ type: 'match', key: 'kind', match_value: 'x' }],
        }),
      ).toEqual(['b']);
      expect(await ids({ must: [{ key: 'n', match: { any: [1, 4] } }] })).toEqual(['a', 'd']);
      expect(await ids({ must: [{ key: 'n', range: { gte: 2, lte: 3 } }] })).toEqual(['b', 'c']);
    });

    it('takes the SDK’s searchVectors body {vector, limit, threshold, include_metadata, filter, collection}', async () => {
      const name = await collection(
        'cosine',
        { a: [1, 0], b: [1, 1], c: [0, 1] },
        { a: { k: 1 }, b: { k: 2 }, c: { k: 2 } },
      );
      const res = await search(vz, name, {
        vector: [1, 0],
        limit: 5,
        threshold: 0.1,
        include_metadata: true,
        filter: { must: [{ key: 'k', match: { value: 2 } }] },
      });
      expect(res.status).toBe(200);
      expect(res.body.results.map((h: Hit) => h.id)).toEqual(['b']);
    });
  });

  describe('the route', () => {
    it('/collections/{c}/search takes the collection from the path and ignores a body collection', async () => {
      const name = await collection('cosine', { a: [1, 0] });
      const res = await vz.post(`/collections/${name}/search`, { collection: 'no_such_collection', vector: [1, 0] });
      expect(res.status).toBe(200);
      expect(res.body.collection).toBe(name);
      expect(res.body.results.map((h: Hit) => h.id)).toEqual(['a']);
    });

    it('/search refuses a missing collection field with 400 validation_error', async () => {
      expectVectorizerError(await vz.post('/search', { vector: [1, 0] }), 400, 'validation_error', /collection/);
    });
  });

  describe.each(ROUTES)('%s: errors', (_, search) => {
    it('answers an unknown collection with 404 collection_not_found', async () => {
      expectVectorizerError(
        await search(vz, 'no_such_collection', { vector: [1, 0] }),
        404,
        'collection_not_found',
        'Collection not found: no_such_collection',
      );
    });

    it('refuses a query vector of the wrong dimension with 400 validation_error on the field "vector"', async () => {
      const name = await collection('cosine', { a: [1, 0, 0, 0] });
      const res = await search(vz, name, { vector: [1, 0, 0] });
      expectVectorizerError(
        res,
        400,
        'validation_error',
        'Invalid vector: vector dimension 3 does not match collection dimension 4',
      );
      expect(res.body.details).toMatchObject({ field: 'vector' });
    });

    it.each<[string, unknown]>([
      ['missing', undefined],
      ['not a list', 'hello'],
      ['empty', []],
      ['holding a string', [1, 'x']],
      ['holding null', [1, null]],
    ])('refuses a vector that is %s with 400 validation_error', async (__, vector) => {
      const name = await collection('cosine', { a: [1, 0] });
      expectVectorizerError(await search(vz, name, vector === undefined ? {} : { vector }), 400, 'validation_error');
    });

    it.each<[string, unknown]>([
      ['negative', -1],
      ['a string', '10'],
      ['a float', 2.5],
    ])('refuses a limit that is %s with 400 validation_error', async (__, limit) => {
      const name = await collection('cosine', { a: [1, 0] });
      expectVectorizerError(await search(vz, name, { vector: [1, 0], limit }), 400, 'validation_error', /limit/);
    });

    it('refuses a non-numeric threshold with 400 validation_error', async () => {
      const name = await collection('cosine', { a: [1, 0] });
      expectVectorizerError(
        await search(vz, name, { vector: [1, 0], threshold: 'high' }),
        400,
        'validation_error',
        /threshold/,
      );
    });

    it.each<[string, unknown]>([
      ['an unknown tagged type', { must: [{ type: 'geo_radius', key: 'loc' }] }],
      ['an unknown Mongo operator', { k: { $regex: 'x' } }],
      ['a condition with neither match nor range', { must: [{ key: 'k' }] }],
    ])('refuses a filter with %s with 400 parse_error', async (__, filter) => {
      const name = await collection('cosine', { a: [1, 0] });
      expectVectorizerError(await search(vz, name, { vector: [1, 0], filter }), 400, 'parse_error');
    });
  });

  describe('a selective filter on ~2,000 vectors', () => {
    const DIM = 16;
    const N = 2000;
    let name: string;
    let data: { id: string; embedding: number[]; rare: boolean }[];
    const queries = [0, 1, 2].map((k) => {
      const r = prng(1000 + k);
      return Array.from({ length: DIM }, () => r() * 2 - 1);
    });

    beforeAll(async () => {
      const r = prng(42);
      data = Array.from({ length: N }, (_, i) => ({
        id: `p${i}`,
        embedding: Array.from({ length: DIM }, () => r() * 2 - 1),
        rare: i % 100 === 37,
      }));
      name = collectionName('selective');
      await vz.create(name, DIM, 'cosine');
      for (let i = 0; i < N; i += 500) {
        await vz.insert(
          name,
          data.slice(i, i + 500).map((d) => ({
            id: d.id,
            embedding: d.embedding,
            payload: { rare: d.rare, group: d.rare ? 'rare' : 'common', i: Number(d.id.slice(1)) },
          })),
        );
      }
    }, 180_000);

    /** The exact top k of the matching vectors, by cosine similarity. */
    function exact(q: number[], k: number): string[] {
      return data
        .filter((d) => d.rare)
        .map((d) => ({ id: d.id, s: cosine(q, d.embedding) }))
        .sort((a, b) => b.s - a.s)
        .slice(0, k)
        .map((d) => d.id);
    }

    const FILTERS: [string, unknown][] = [
      ['flat', { group: 'rare' }],
      ['tagged', { must: [{ type: 'match', key: 'rare', match_value: true }] }],
      ['SDK', { must: [{ key: 'group', match: { value: 'rare' } }] }],
    ];

    it('holds 2,000 vectors of which 1% match', async () => {
      expect((await vz.get(`/collections/${name}`)).body.vector_count).toBe(N);
      expect(data.filter((d) => d.rare)).toHaveLength(20);
    });

    describe.each(ROUTES)('%s', (_, search) => {
      it.each(FILTERS)(
        'returns exactly `limit` matching results, the exact best ones, with a %s filter',
        async (__, filter) => {
          for (const q of queries) {
            const res = await search(vz, name, { vector: q, limit: 10, filter });
            expect(res.status).toBe(200);
            const hits: Hit[] = res.body.results;
            expect(hits).toHaveLength(10);
            expect(res.body.total_results).toBe(10);
            expect(hits.every((h) => (h.payload as { rare: boolean }).rare)).toBe(true);
            expect(new Set(hits.map((h) => h.id))).toEqual(new Set(exact(q, 10)));
            hits.forEach((h) => expect(h.score).toBeCloseTo(cosine(q, data[Number(h.id.slice(1))].embedding), CLOSE));
            for (let k = 1; k < hits.length; k++) expect(hits[k - 1].score).toBeGreaterThanOrEqual(hits[k].score);
          }
        },
      );

      it('returns every match, and no more, when limit exceeds the matches', async () => {
        const res = await search(vz, name, { vector: queries[0], limit: 50, filter: { rare: true } });
        expect(res.body.results).toHaveLength(20);
        expect(new Set(res.body.results.map((h: Hit) => h.id))).toEqual(new Set(exact(queries[0], 20)));
      });
    });

    it('batch_search applies each query’s selective filter inside the search too', async () => {
      const res = await vz.post('/batch_search', {
        collection: name,
        queries: queries.map((q) => ({ vector: q, limit: 10, filter: { group: 'rare' } })),
      });
      expect(res.body.succeeded).toBe(3);
      res.body.results.forEach((r: { results: Hit[] }, k: number) => {
        expect(new Set(r.results.map((h) => h.id))).toEqual(new Set(exact(queries[k], 10)));
      });
    });

    it('the Qdrant points/search applies the selective filter inside the search too', async () => {
      const res = await vz.post(`/qdrant/collections/${name}/points/search`, {
        vector: queries[1],
        limit: 10,
        filter: { must: [{ key: 'rare', match: { value: true } }] },
      });
      expect(res.status).toBe(200);
      expect(new Set(res.body.result.map((h: { id: string }) => h.id))).toEqual(new Set(exact(queries[1], 10)));
    });

    it('without a filter, returns the `limit` nearest of all vectors', async () => {
      const res = await vz.post(`/collections/${name}/search`, { vector: queries[2], limit: 10 });
      const all = data.map((d) => ({ id: d.id, s: cosine(queries[2], d.embedding) })).sort((a, b) => b.s - a.s);
      const got: Hit[] = res.body.results;
      expect(got).toHaveLength(10);
      // An approximate index may swap near-ties at the edge; the best one is never missed.
      expect(got[0].id).toBe(all[0].id);
      expect(got.filter((h) => all.slice(0, 10).some((a) => a.id === h.id)).length).toBeGreaterThanOrEqual(9);
    });
  });
});
