import { gatewayForFile } from '../../support/gateway';
import { collectionName, expectQdrantError, qdrantClient, qdrantHttp } from './qdrant-helpers';

/** Points: [tenant, sparse dimensions, each of value 1]. */
const POINTS: [string, number[]][] = [
  ['a', [0, 1]],
  ['a', [0]],
  ['b', [0, 1, 2]],
  ['b', [1]],
];
const idf = (n: number, df: number) => Math.log((n - df + 0.5) / (df + 0.5) + 1);
const tenant = (value: string) => ({ must: [{ key: 'tenant', match: { value } }] });

/**
 * Qdrant's `params.idf`: `"global"` (the collection's statistics, the default) or `{corpus: filter}`,
 * N and the document frequencies counted over the points the corpus keeps, whatever the search's
 * own filter keeps; refused on a vector without `modifier: idf`.
 */
describe('Qdrant sparse IDF over a corpus', () => {
  const gw = gatewayForFile({ qdrantPort: 0 });

  async function collection() {
    const q = await qdrantClient(gw);
    const name = collectionName('idf_corpus');
    await q.createCollection(name, {
      vectors: { dense: { size: 2, distance: 'Dot' } },
      sparse_vectors: { text: { modifier: 'idf' }, plain: {} },
    });
    await q.upsert(name, {
      wait: true,
      points: POINTS.map(([t, dims], id) => ({
        id,
        vector: { dense: [1, 0], text: { indices: dims, values: dims.map(() => 1) } },
        payload: { tenant: t, idx: id },
      })),
    });
    return { q, name };
  }

  it('weighs the terms by the corpus statistics, not the search filter', async () => {
    const { q, name } = await collection();
    const search = async (params?: unknown, filter?: unknown) => {
      const res = await q.query(name, {
        query: { indices: [0, 1, 2], values: [1, 1, 1] },
        using: 'text',
        limit: 10,
        ...(params === undefined ? {} : { params: params as never }),
        ...(filter === undefined ? {} : { filter: filter as never }),
      });
      return Object.fromEntries(res.points.map((p) => [p.id, p.score]));
    };
    const global = await search();
    expect(await search({ idf: 'global' })).toEqual(global);
    expect(global[2]).toBeCloseTo(2 * idf(4, 3) + idf(4, 1), 5);
    // Tenant a: N = 2, df = [2, 1, 0], every point scored by them.
    const a = await search({ idf: { corpus: tenant('a') } });
    expect(a[0]).toBeCloseTo(idf(2, 2) + idf(2, 1), 5);
    expect(a[2]).toBeCloseTo(idf(2, 2) + idf(2, 1) + idf(2, 0), 5);
    expect(a[3]).toBeCloseTo(idf(2, 1), 5);
    expect(await search({ idf: { corpus: { must: [{ key: 'idx', range: { lt: 2 } }] } } })).toEqual(a);
    // A narrower search filter leaves the scores as they were.
    const narrow = await search({ idf: { corpus: tenant('a') } }, tenant('b'));
    expect(narrow).toEqual({ 2: a[2], 3: a[3] });
    // A corpus of nothing: N = 0, df = 0, ln 2 a term, never the global statistics.
    const none = await search({ idf: { corpus: tenant('missing') } });
    expect(none[2]).toBeCloseTo(3 * Math.LN2, 5);
  });

  it('applies a modifier changed by a collection update from the next search on', async () => {
    const { q, name } = await collection();
    const top = async () =>
      (await q.query(name, { query: { indices: [0, 1, 2], values: [1, 1, 1] }, using: 'text', limit: 4 })).points;
    expect((await top())[0].score).toBeCloseTo(2 * idf(4, 3) + idf(4, 1), 5);
    await q.updateCollection(name, { sparse_vectors: { text: { modifier: 'none' } } });
    const plain = await top();
    expect(plain[0].id).toBe(2);
    expect(Object.fromEntries(plain.map((p) => [p.id, p.score]))).toEqual({ 0: 2, 1: 1, 2: 3, 3: 1 });
    expect((await q.getCollection(name)).config.params.sparse_vectors).toEqual({ text: {}, plain: {} });
    await q.updateCollection(name, { sparse_vectors: { plain: { modifier: 'idf' } } });
    expect((await q.getCollection(name)).config.params.sparse_vectors).toEqual({
      text: {},
      plain: { modifier: 'idf' },
    });
    await expect(
      q.query(name, { query: { indices: [0], values: [1] }, using: 'plain', params: { idf: 'global' } as never }),
    ).resolves.toBeDefined();
  });

  it('refuses idf on a vector without the idf modifier, and a corpus that is no filter', async () => {
    const { name } = await collection();
    const http = qdrantHttp(gw);
    const query = (body: object) => http.post(`/collections/${name}/points/query`, { limit: 3, ...body });
    expectQdrantError(
      await query({ query: [1, 0], using: 'dense', params: { idf: { corpus: tenant('a') } } }),
      400,
      'Bad request: Validation failed: search param `idf` requires a sparse vector with the `idf` modifier, which vector "dense" is not',
    );
    expectQdrantError(
      await query({ query: { indices: [0], values: [1] }, using: 'plain', params: { idf: 'global' } }),
      400,
      /which vector "plain" is not/,
    );
    expectQdrantError(
      await query({ query: { indices: [0], values: [1] }, using: 'text', params: { idf: { corpus: { mustt: [] } } } }),
      400,
      /unknown field `mustt`/,
    );
    expectQdrantError(
      await query({ query: { indices: [0], values: [1] }, using: 'text', params: { idf: 'local' } }),
      400,
      /IdfParams/,
    );
  });
});
