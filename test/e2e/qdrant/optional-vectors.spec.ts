import { ChromaClient } from 'chromadb';
import { loadConfig } from '../../../src/config/load-config';
import { gatewayForFile } from '../../support/gateway';
import { pineconeClient } from '../../support/pinecone';
import { until } from '../../support/wait';
import { collectionName, expectQdrantError, qdrantClient, qdrantHttp, type QdrantClient } from './qdrant-helpers';

const SPARSE_A = { indices: [12, 66], values: [0.5, 0.5] };
const SPARSE_B = { indices: [1, 2, 3], values: [0.1, 0.2, 0.3] };

/**
 * A Qdrant point may carry only some of its collection's vectors, or none (Qdrant's own test
 * setups upsert points holding only a sparse vector into a collection whose unnamed vector is
 * dense): the record holds what it was given, searches through a vector it lacks skip it, reads
 * show the vectors it has, and counts, scrolls and filters see it. Chroma and Pinecone see such a
 * record in reads and counts, and their queries, which search the dense vector, skip it.
 */
describe('Qdrant points without some of their vectors', () => {
  const gw = gatewayForFile({ qdrantPort: 0 });
  let q: QdrantClient;
  const raw = () => qdrantHttp(gw);

  beforeAll(async () => {
    q = await qdrantClient(gw);
  });

  /** Qdrant's basic setup: an unnamed dense vector and a sparse one; points 4 and 5 hold only the sparse one, 6 neither. */
  async function unnamed(): Promise<string> {
    const name = collectionName('optvec');
    await q.createCollection(name, {
      vectors: { size: 4, distance: 'Dot' },
      sparse_vectors: { 'sparse-text': {} },
    });
    await q.upsert(name, {
      wait: true,
      points: [
        { id: 1, vector: [0.05, 0.61, 0.76, 0.74], payload: { city: 'Berlin' } },
        { id: 2, vector: [0.19, 0.81, 0.75, 0.11], payload: { city: 'London' } },
        { id: 3, vector: { '': [0.36, 0.55, 0.47, 0.94], 'sparse-text': SPARSE_B }, payload: { city: 'Moscow' } },
        { id: 4, vector: { 'sparse-text': SPARSE_A }, payload: { city: 'Berlin' } },
        { id: 5, vector: { 'sparse-text': SPARSE_B } },
        { id: 6, vector: {}, payload: { city: 'Paris' } },
      ],
    });
    return name;
  }

  it('takes points holding only the sparse vector, or none, beside the unnamed dense one', async () => {
    const name = await unnamed();
    const points = await q.retrieve(name, { ids: [1, 3, 4, 5, 6], with_vector: true, with_payload: false });
    expect(points.map((p) => [p.id, p.vector])).toEqual([
      [1, [0.05, 0.61, 0.76, 0.74]],
      [3, { '': [0.36, 0.55, 0.47, 0.94], 'sparse-text': SPARSE_B }],
      [4, { 'sparse-text': SPARSE_A }],
      [5, { 'sparse-text': SPARSE_B }],
      [6, {}],
    ]);
    // Only the vectors asked for, of those the point has (the unnamed one alone is a bare list, as in Qdrant).
    const some = await q.retrieve(name, { ids: [3, 4], with_vector: [''] });
    expect(some.map((p) => p.vector)).toEqual([[0.36, 0.55, 0.47, 0.94], {}]);
    expect((await raw().get(`/collections/${name}/points/4`)).body.result).toEqual({
      id: 4,
      payload: { city: 'Berlin' },
      vector: { 'sparse-text': SPARSE_A },
    });
  });

  it('counts, scrolls and filters every point, and has_vector tells which hold which vector', async () => {
    const name = await unnamed();
    expect((await q.count(name)).count).toBe(6);
    expect((await q.count(name, { filter: { must: [{ key: 'city', match: { value: 'Berlin' } }] } })).count).toBe(2);
    expect((await q.scroll(name, { limit: 10 })).points.map((p) => p.id)).toEqual([1, 2, 3, 4, 5, 6]);
    // A scroll shows what each point holds (`with_vectors`, serde's alias, as well).
    const page = await raw().post(`/collections/${name}/points/scroll`, { offset: 4, limit: 3, with_vectors: true });
    expect(page.body.result.points.map((p: { vector: unknown }) => p.vector)).toEqual([
      { 'sparse-text': SPARSE_A },
      { 'sparse-text': SPARSE_B },
      {},
    ]);
    const holding = async (vector: string) =>
      (await q.scroll(name, { filter: { must: [{ has_vector: vector }] }, limit: 10 })).points.map((p) => p.id);
    expect(await holding('')).toEqual([1, 2, 3]);
    expect(await holding('sparse-text')).toEqual([3, 4, 5]);
    const none = await q.scroll(name, {
      filter: { must_not: [{ has_vector: '' }, { has_vector: 'sparse-text' }] },
      limit: 10,
    });
    expect(none.points.map((p) => p.id)).toEqual([6]);
    expect((await q.getCollection(name)).points_count).toBe(6);
    const facet = await q.facet(name, { key: 'city' });
    expect(facet.hits).toContainEqual({ value: 'Berlin', count: 2 });
  });

  it('skips points without the vector a search goes through, whatever the limit', async () => {
    const name = await unnamed();
    const dense = await q.query(name, { query: [0.2, 0.1, 0.9, 0.7], limit: 10 });
    expect(dense.points.map((p) => p.id).sort()).toEqual([1, 2, 3]);
    // The same through the legacy search, a filter, recommend and the search matrix.
    const legacy = await raw().post(`/collections/${name}/points/search`, { vector: [0.2, 0.1, 0.9, 0.7], limit: 10 });
    expect(legacy.body.result.map((p: { id: number }) => p.id).sort()).toEqual([1, 2, 3]);
    const berlin = await q.query(name, {
      query: [0.2, 0.1, 0.9, 0.7],
      filter: { must: [{ key: 'city', match: { value: 'Berlin' } }] },
      limit: 10,
    });
    expect(berlin.points.map((p) => p.id)).toEqual([1]);
    const recommended = await q.query(name, { query: { recommend: { positive: [1] } }, limit: 10 });
    expect(recommended.points.map((p) => p.id).sort()).toEqual([2, 3]);
    const matrix = await q.searchMatrixPairs(name, { sample: 10, limit: 1 });
    expect([...new Set(matrix.pairs.flatMap((p) => [p.a, p.b]))].sort()).toEqual([1, 2, 3]);
    const sparse = await q.query(name, { query: SPARSE_B, using: 'sparse-text', limit: 10 });
    expect(sparse.points.map((p) => p.id).sort()).toEqual([3, 5]);
    // with_vector shows what each found point has.
    const shown = await q.query(name, { query: SPARSE_A, using: 'sparse-text', with_vector: true, limit: 10 });
    expect(shown.points.map((p) => [p.id, p.vector])).toEqual([[4, { 'sparse-text': SPARSE_A }]]);
    // Fused lists: each input finds what holds its vector; the fusion holds them all.
    const fused = await q.query(name, {
      prefetch: [
        { query: [0.2, 0.1, 0.9, 0.7], limit: 10 },
        { query: SPARSE_B, using: 'sparse-text', limit: 10 },
      ],
      query: { fusion: 'rrf' },
      limit: 10,
    });
    expect(fused.points.map((p) => p.id).sort()).toEqual([1, 2, 3, 5]);
  });

  it('refuses a query by the id of a point without that vector, in Qdrant’s words', async () => {
    const name = await unnamed();
    expectQdrantError(
      await raw().post(`/collections/${name}/points/query`, { query: 4, limit: 3 }),
      404,
      /^Not found: Vector with name "" for point not found$/,
    );
    expectQdrantError(
      await raw().post(`/collections/${name}/points/query`, { query: 1, using: 'sparse-text', limit: 3 }),
      404,
      /^Not found: Vector with name "sparse-text" for point not found$/,
    );
  });

  it('adds a vector a point lacks by update_vectors and removes one by delete_vectors, the point staying', async () => {
    const name = await unnamed();
    await q.updateVectors(name, { wait: true, points: [{ id: 4, vector: [0.9, 0.1, 0.1, 0.1] }] });
    await q.updateVectors(name, { wait: true, points: [{ id: 6, vector: { 'sparse-text': SPARSE_A } }] });
    const [four] = await q.retrieve(name, { ids: [4], with_vector: true });
    expect(four.vector).toEqual({ '': [0.9, 0.1, 0.1, 0.1], 'sparse-text': SPARSE_A });
    expect((await q.query(name, { query: [1, 0, 0, 0], limit: 1 })).points[0].id).toBe(4);
    expect((await q.query(name, { query: SPARSE_A, using: 'sparse-text', limit: 10 })).points.map((p) => p.id)).toEqual(
      [4, 6],
    );
    await q.deleteVectors(name, { wait: true, points: [1, 4], vector: [''] });
    await q.deleteVectors(name, { wait: true, filter: { must: [{ has_id: [3] }] }, vector: ['sparse-text'] });
    const after = await q.retrieve(name, { ids: [1, 3, 4], with_vector: true, with_payload: false });
    expect(after.map((p) => [p.id, p.vector])).toEqual([
      [1, {}],
      [3, [0.36, 0.55, 0.47, 0.94]],
      [4, { 'sparse-text': SPARSE_A }],
    ]);
    expect((await q.query(name, { query: [1, 0, 0, 0], limit: 10 })).points.map((p) => p.id).sort()).toEqual([2, 3]);
    expect((await q.count(name)).count).toBe(6);
    // An upsert replaces the whole point: the vectors it leaves out are gone.
    await q.upsert(name, { wait: true, points: [{ id: 2, vector: { 'sparse-text': SPARSE_B } }] });
    const [two] = await q.retrieve(name, { ids: [2], with_vector: true });
    expect(two.vector).toEqual({ 'sparse-text': SPARSE_B });
    expect((await q.query(name, { query: [1, 0, 0, 0], limit: 10 })).points.map((p) => p.id)).toEqual([3]);
  });

  it('applies an update_vectors naming a point twice in order, and refuses one that names no vector', async () => {
    const name = collectionName('optupd');
    await q.createCollection(name, {
      vectors: { image: { size: 2, distance: 'Dot' }, text: { size: 3, distance: 'Dot' } },
    });
    await q.upsert(name, { wait: true, points: [{ id: 1, vector: {} }] });
    await q.updateVectors(name, {
      wait: true,
      points: [
        { id: 1, vector: { text: [1, 2, 3] } },
        { id: 1, vector: { image: [1, 0] } },
        { id: 1, vector: { image: [0, 1] } },
      ],
    });
    const [one] = await q.retrieve(name, { ids: [1], with_vector: true });
    expect(one.vector).toEqual({ image: [0, 1], text: [1, 2, 3] });
    expectQdrantError(
      await raw().put(`/collections/${name}/points/vectors`, { points: [{ id: 1, vector: {} }] }),
      422,
      /^Validation error in JSON body: \[points\[0\]\.vector: must specify vectors to update for point\]$/,
    );
  });

  it('rescores a prefetch without a query (its first points by id), skipping those without the vector', async () => {
    const name = await unnamed();
    const rescored = await q.query(name, { prefetch: { limit: 1000 }, query: [0.2, 0.1, 0.9, 0.7], limit: 10 });
    const direct = await q.query(name, { query: [0.2, 0.1, 0.9, 0.7], limit: 10 });
    expect(rescored.points).toEqual(direct.points);
    const sparse = await q.query(name, { prefetch: { limit: 1000 }, query: SPARSE_B, using: 'sparse-text' });
    expect(sparse.points.map((p) => p.id).sort()).toEqual([3, 5]);
    // Qdrant's refusals around a missing query, in its words.
    expectQdrantError(
      await raw().post(`/collections/${name}/points/query`, { prefetch: [{ query: [1, 0, 0, 0] }] }),
      400,
      /^Bad request: A query is needed to merge the prefetches\. Can't have prefetches without defining a query\.$/,
    );
    expectQdrantError(
      await raw().post(`/collections/${name}/points/query`, { score_threshold: 10 }),
      400,
      /^Bad request: A query is needed to use the score_threshold\./,
    );
    expectQdrantError(
      await raw().post(`/collections/${name}/points/query`, { score_threshold: 10, query: { order_by: 'n' } }),
      400,
      /^Bad request: Can't use score_threshold with an order_by query\.$/,
    );
    expectQdrantError(
      await raw().post(`/collections/${name}/points/query`, { query: [1, 0, 0, 0], limit: 0 }),
      422,
      /^Validation error in JSON body: \[internal\.limit: value 0 invalid, must be 1 or larger\]$/,
    );
  });

  it('takes the batch form with the sparse vector alone, and named lists that leave points out', async () => {
    const name = collectionName('optbatch');
    await q.createCollection(name, {
      vectors: { size: 2, distance: 'Euclid' },
      sparse_vectors: { s: {} },
    });
    await q.upsert(name, {
      wait: true,
      batch: { ids: [1, 2], vectors: { s: [SPARSE_A, SPARSE_B] }, payloads: [{ k: 1 }, { k: 2 }] },
    });
    const res = await raw().put(`/collections/${name}/points?wait=true`, {
      batch: { ids: [3, 4], vectors: { '': [[1, 0], null], s: [null, SPARSE_A] } },
    });
    expect(res.status).toBe(200);
    const points = await q.retrieve(name, { ids: [1, 2, 3, 4], with_vector: true, with_payload: false });
    expect(points.map((p) => p.vector)).toEqual([{ s: SPARSE_A }, { s: SPARSE_B }, [1, 0], { s: SPARSE_A }]);
    expect((await q.query(name, { query: [0, 0], limit: 10 })).points.map((p) => p.id)).toEqual([3]);
  });

  it('takes points holding some named dense vectors, and searches each through the points that hold it', async () => {
    const name = collectionName('optnamed');
    await q.createCollection(name, {
      vectors: { image: { size: 4, distance: 'Dot' }, text: { size: 8, distance: 'Cosine' } },
      sparse_vectors: { 'sparse-text': {} },
    });
    await q.upsert(name, {
      wait: true,
      points: [
        { id: 1, vector: { image: [0.05, 0.61, 0.76, 0.74], text: [1, 0, 0, 0, 0, 0, 0, 0] } },
        { id: 101, vector: { text: [0.05, 0.61, 0.76, 0.74, 0.05, 0.61, 0.76, 0.74] }, payload: { city: 'Berlin' } },
        { id: 102, vector: { image: [0.19, 0.81, 0.75, 0.11] }, payload: { city: ['Berlin', 'London'] } },
        { id: 103, vector: {}, payload: { city: ['Berlin', 'Moscow'] } },
        { id: 104, vector: { 'sparse-text': SPARSE_A } },
      ],
    });
    const shown = await q.retrieve(name, { ids: [1, 101, 102, 103, 104], with_vector: true, with_payload: false });
    expect(shown.map((p) => [p.id, Object.keys(p.vector as object).sort()])).toEqual([
      [1, ['image', 'text']],
      [101, ['text']],
      [102, ['image']],
      [103, []],
      [104, ['sparse-text']],
    ]);
    const image = await q.query(name, { query: [0, 1, 1, 0], using: 'image', limit: 10, with_vector: ['text'] });
    expect(image.points.map((p) => [p.id, Object.keys(p.vector as object)])).toEqual([
      [102, []],
      [1, ['text']],
    ]);
    const text = await q.query(name, { query: [0, 1, 1, 1, 0, 1, 1, 1], using: 'text', limit: 10 });
    expect(text.points.map((p) => p.id)).toEqual([101, 1]);
    expect((await q.count(name, { filter: { must: [{ has_vector: 'image' }] } })).count).toBe(2);
    expect((await q.count(name)).count).toBe(5);
    // A vector added to a point that had none of the first dense vector, and the last one of another removed.
    await q.updateVectors(name, { wait: true, points: [{ id: 103, vector: { image: [0, 1, 1, 0] } }] });
    await q.deleteVectors(name, { wait: true, points: [101], vector: ['text'] });
    expect((await q.query(name, { query: [0, 1, 1, 0], using: 'image', limit: 1 })).points[0].id).toBe(103);
    expect(
      (await q.query(name, { query: [0, 1, 1, 1, 0, 1, 1, 1], using: 'text', limit: 10 })).points.map((p) => p.id),
    ).toEqual([1]);
    const [gone] = await q.retrieve(name, { ids: [101], with_vector: true });
    expect(gone.vector).toEqual({});
  });

  it('shows the points without a dense vector to Chroma and Pinecone in reads and counts, never in queries', async () => {
    const name = await unnamed();
    const chroma = new ChromaClient({ host: '127.0.0.1', port: gw.port });
    const c = await chroma.getCollection({ name });
    expect(await c.count()).toBe(6);
    const got = await c.get({ ids: ['1', '4', '6'], include: ['embeddings', 'metadatas'] as never });
    expect(got.ids).toEqual(['1', '4', '6']);
    expect(got.metadatas).toEqual([{ city: 'Berlin' }, { city: 'Berlin' }, { city: 'Paris' }]);
    expect(Array.from(got.embeddings[0] as number[]).map((x) => Math.round(x * 100) / 100)).toEqual([
      0.05, 0.61, 0.76, 0.74,
    ]);
    expect(got.embeddings.slice(1)).toEqual([null, null]);
    const found = await c.query({ queryEmbeddings: [[0.2, 0.1, 0.9, 0.7]], nResults: 10 });
    expect([...found.ids[0]].sort()).toEqual(['1', '2', '3']);

    const index = pineconeClient(gw).index(name);
    const fetched = await index.fetch({ ids: ['4', '6', '1'] });
    expect(fetched.records['4']).toMatchObject({ id: '4', values: [], metadata: { city: 'Berlin' } });
    expect(fetched.records['6']).toMatchObject({ id: '6', values: [] });
    expect(fetched.records['1'].values).toHaveLength(4);
    const answer = await index.query({ vector: [0.2, 0.1, 0.9, 0.7], topK: 10 });
    expect(answer.matches.map((m) => m.id).sort()).toEqual(['1', '2', '3']);
    expect((await index.describeIndexStats()).totalRecordCount).toBe(6);
  });
});

/**
 * The HNSW index holds only the records that have the vector, and the search tuner measures it on
 * them: a collection where a third of the points hold only the sparse vector is built, measured
 * and searched like any other, and no search answers a point without the dense vector.
 */
describe('Qdrant points without the dense vector: indexed and tuned', () => {
  const gw = gatewayForFile({
    qdrantPort: 0,
    indexing: { ...loadConfig({}).indexing, minRows: 1000, quietMs: 300, recallTarget: 0.9 },
  });

  it('builds the index over the points that hold the vector, measures it, and walks it', async () => {
    const q = await qdrantClient(gw);
    const name = collectionName('optindex');
    await q.createCollection(name, { vectors: { size: 8, distance: 'Euclid' }, sparse_vectors: { s: {} } });
    let seed = 11;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
    const points = Array.from({ length: 2400 }, (_, i) => {
      const sparse = { indices: [i % 50], values: [1] };
      return i % 3 === 0
        ? { id: i + 1, vector: { s: sparse } }
        : { id: i + 1, vector: { '': Array.from({ length: 8 }, rand), s: sparse } };
    });
    for (let i = 0; i < points.length; i += 800) await q.upsert(name, { wait: true, points: points.slice(i, i + 800) });
    const measured = await until(
      'the dense vector measured',
      async () =>
        (
          await gw.db.query(
            `SELECT s.recall, s.exact FROM vecgate_search_tuning s
             JOIN vecgate_collections c ON c.id = s.collection_id WHERE c.name = $1 AND s.position = 0`,
            [name],
          )
        ).rows,
      (rows) => rows.length === 1,
    );
    expect(measured[0].recall).toBeGreaterThanOrEqual(0.9);
    const info = await q.getCollection(name);
    expect({ status: info.status, points: info.points_count }).toEqual({ status: 'green', points: 2400 });
    const dense = points.filter((p) => Array.isArray((p.vector as { '': number[] })[''])) as {
      id: number;
      vector: { '': number[] };
    }[];
    const euclid = (a: number[], b: number[]) => Math.hypot(...a.map((x, i) => x - b[i]));
    for (const at of [4, 500, 1600]) {
      const query = dense[at % dense.length].vector[''].map((x) => x + 0.003);
      const found = await q.query(name, { query, limit: 10 });
      const exact = dense
        .map((p) => ({ id: p.id, d: euclid(query, p.vector['']) }))
        .sort((x, y) => x.d - y.d)
        .slice(0, 10);
      // The nearest is the point the query was made from; the walk finds most of the ten.
      expect(found.points[0].id).toBe(exact[0].id);
      const hits = found.points.filter((p) => exact.some((e) => e.id === p.id)).length;
      expect(hits).toBeGreaterThanOrEqual(8);
      expect(found.points.every((p) => (Number(p.id) - 1) % 3 !== 0)).toBe(true);
    }
    // Asked for every point, a search answers the 1,600 that hold the vector.
    const all = await q.query(name, { query: dense[0].vector[''], limit: 2400 });
    expect(all.points).toHaveLength(1600);
    expect(all.points.every((p) => (Number(p.id) - 1) % 3 !== 0)).toBe(true);
    const filtered = await q.query(name, {
      query: dense[0].vector[''],
      filter: { must: [{ has_id: points.slice(0, 30).map((p) => p.id) }] },
      limit: 30,
    });
    expect(filtered.points.map((p) => Number(p.id)).sort((a, b) => a - b)).toEqual(
      points
        .slice(0, 30)
        .filter((_, i) => i % 3 !== 0)
        .map((p) => p.id),
    );
  });
});
