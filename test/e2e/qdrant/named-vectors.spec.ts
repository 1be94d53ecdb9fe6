import { loadConfig } from '../../../src/config/load-config';
import {
  createScratchDatabase,
  gatewayForFile,
  http,
  startGateway,
  usingPostgres,
  type TestGateway,
} from '../../support/gateway';
import { RecallSampler } from '../../../src/core/records/recall-sampler';
import { until } from '../../support/wait';
import { collectionName, expectQdrantError, qdrantClient, qdrantHttp, type QdrantClient } from './qdrant-helpers';

const norm = (v: number[]) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
const euclid = (a: number[], b: number[]) => Math.hypot(...a.map((x, i) => x - b[i]));

/** Three points, each with a text (Cosine), an image (Euclid) and a code (Dot) vector, and sparse ones. */
const POINTS = [
  {
    id: 1,
    vector: {
      text: [0.1, 0.9, 0.2, 0.3],
      image: [1, 0, 0],
      code: [0.5, 0.5],
      bm25: { indices: [1, 7], values: [1, 2] },
      splade: { indices: [3], values: [0.5] },
    },
    payload: { kind: 'a' },
  },
  {
    id: 2,
    vector: {
      text: [0.8, 0.1, 0.1, 0.2],
      image: [0, 2, 0],
      code: [2, 0],
      bm25: { indices: [7], values: [1] },
      splade: { indices: [3, 4], values: [2, 1] },
    },
    payload: { kind: 'b' },
  },
  // No image and no splade: a point may leave named vectors out.
  {
    id: 3,
    vector: { text: [0.3, 0.3, 0.9, 0.1], code: [0, 3], bm25: { indices: [2], values: [4] } },
    payload: { kind: 'a' },
  },
];

/**
 * Several named dense and sparse vectors per collection: a column and an HNSW index each in the
 * core (Collection.vectors), each with its own size and distance, written, read, searched,
 * updated and deleted by name through the official client.
 */
describe('Qdrant named vectors', () => {
  const gw = gatewayForFile({ qdrantPort: 0 });
  let q: QdrantClient;

  beforeAll(async () => {
    q = await qdrantClient(gw);
  });

  async function seeded(): Promise<string> {
    const name = collectionName('named');
    await q.createCollection(name, {
      vectors: {
        text: { size: 4, distance: 'Cosine' },
        image: { size: 3, distance: 'Euclid', hnsw_config: { m: 8 }, on_disk: true },
        code: { size: 2, distance: 'Dot' },
      },
      sparse_vectors: { bm25: { modifier: 'idf' }, splade: {} },
    });
    await q.upsert(name, { wait: true, points: POINTS });
    return name;
  }

  it('declares several dense vectors of their own size and distance and several sparse ones, shown back', async () => {
    const name = await seeded();
    const info = await q.getCollection(name);
    expect(info.points_count).toBe(3);
    expect(info.config.params.vectors).toEqual({
      text: { size: 4, distance: 'Cosine' },
      image: { size: 3, distance: 'Euclid', hnsw_config: { m: 8 }, on_disk: true },
      code: { size: 2, distance: 'Dot' },
    });
    expect(info.config.params.sparse_vectors).toEqual({ bm25: { modifier: 'idf' }, splade: {} });
    // Each named vector is a column of the record table, a dense one of its own dimension.
    const { rows } = await gw.db.query(
      `SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type FROM vecgate_collections c
       JOIN pg_attribute a ON a.attrelid = ('vecgate_records.' || quote_ident(c.table_name))::regclass
       WHERE c.name = $1 AND a.attname ~ '^v[0-9]+$' ORDER BY a.attname`,
      [name],
    );
    expect(rows).toEqual([
      { attname: 'v1', type: 'vector(3)' },
      { attname: 'v2', type: 'vector(2)' },
      { attname: 'v3', type: 'sparsevec' },
    ]);
  });

  it('returns each point’s vectors by name, all or those selected, and only those it holds', async () => {
    const name = await seeded();
    const [one, three] = await q.retrieve(name, { ids: [1, 3], with_vector: true, with_payload: false });
    expect(Object.keys(one.vector as object).sort()).toEqual(['bm25', 'code', 'image', 'splade', 'text']);
    expect(one.vector).toMatchObject({
      image: [1, 0, 0],
      code: [0.5, 0.5],
      splade: { indices: [3], values: [0.5] },
      bm25: { indices: [1, 7], values: [1, 2] },
    });
    (one.vector as { text: number[] }).text.forEach((x, i) => expect(x).toBeCloseTo(norm(POINTS[0].vector.text)[i], 6));
    expect(Object.keys(three.vector as object).sort()).toEqual(['bm25', 'code', 'text']);
    const [picked] = await q.retrieve(name, { ids: [2], with_vector: ['image', 'splade'] });
    expect(picked.vector).toEqual({ image: [0, 2, 0], splade: { indices: [3, 4], values: [2, 1] } });
    const scrolled = await q.scroll(name, { with_vector: ['code'], limit: 10 });
    expect(scrolled.points.map((p) => p.vector)).toEqual([{ code: [0.5, 0.5] }, { code: [2, 0] }, { code: [0, 3] }]);
  });

  it('searches each vector by name under its own distance, scored as Qdrant scores', async () => {
    const name = await seeded();
    const image = await q.query(name, { query: [0, 1, 0], using: 'image', with_payload: false });
    // Euclid: distances, nearest first; point 3 holds no image vector and is no match.
    expect(image.points.map((p) => p.id)).toEqual([2, 1]);
    expect(image.points[0].score).toBeCloseTo(euclid([0, 1, 0], [0, 2, 0]), 5);
    expect(image.points[1].score).toBeCloseTo(euclid([0, 1, 0], [1, 0, 0]), 5);
    const code = await q.query(name, { query: [1, 1], using: 'code' });
    expect(code.points.map((p) => [p.id, p.score])).toEqual([
      [3, 3],
      [2, 2],
      [1, 1],
    ]);
    const text = await q.query(name, { query: [0.1, 0.9, 0.2, 0.3], using: 'text', limit: 1 });
    expect(text.points[0]).toMatchObject({ id: 1, score: expect.closeTo(1, 5) });
    const splade = await q.query(name, { query: { indices: [3], values: [1] }, using: 'splade' });
    expect(splade.points.map((p) => [p.id, p.score])).toEqual([
      [2, 2],
      [1, 0.5],
    ]);
    // The legacy search by name (plain HTTP: the 1.19 client has no method for it).
    const legacy = await qdrantHttp(gw).post(`/collections/${name}/points/search`, {
      vector: { name: 'code', vector: [0, 1] },
      limit: 2,
    });
    expect(legacy.body.result.map((p: { id: number; score: number }) => [p.id, p.score])).toEqual([
      [3, 3],
      [1, 0.5],
    ]);
    // By a point's own image vector, that point left out.
    const byId = await q.query(name, { query: 1, using: 'image' });
    expect(byId.points.map((p) => p.id)).toEqual([2]);
    // A named vector with a filter, and has_vector on a named one.
    const filtered = await q.query(name, {
      query: [1, 1],
      using: 'code',
      filter: { must: [{ key: 'kind', match: { value: 'a' } }, { has_vector: 'image' }] },
    });
    expect(filtered.points.map((p) => p.id)).toEqual([1]);
    expect((await q.count(name, { filter: { must: [{ has_vector: 'splade' }] } })).count).toBe(2);
    // Fusion of prefetches over two named vectors.
    const fused = await q.query(name, {
      prefetch: [
        { query: [0, 1, 0], using: 'image' },
        { query: [1, 1], using: 'code' },
      ],
      query: { fusion: 'rrf' },
    });
    // RRF (k 2): point 2 is first and second, point 1 second and third, point 3 only first.
    expect(fused.points.map((p) => p.id)).toEqual([2, 1, 3]);
    const pairs = await q.searchMatrixPairs(name, { sample: 10, limit: 1, using: 'image' });
    expect(pairs.pairs.map((p) => [p.a, p.b])).toEqual([
      [1, 2],
      [2, 1],
    ]);
  });

  it('updates and deletes one named vector, leaving the point and its other vectors', async () => {
    const name = await seeded();
    await q.updateVectors(name, { wait: true, points: [{ id: 3, vector: { image: [0, 0, 5] } }] });
    expect((await q.query(name, { query: [0, 0, 4], using: 'image', limit: 1 })).points[0].id).toBe(3);
    await q.deleteVectors(name, { wait: true, points: [2], vector: ['image', 'splade'] });
    const [two] = await q.retrieve(name, { ids: [2], with_vector: true, with_payload: false });
    expect(Object.keys(two.vector as object).sort()).toEqual(['bm25', 'code', 'text']);
    expect((await q.query(name, { query: [0, 2, 0], using: 'image' })).points.map((p) => p.id)).toEqual([1, 3]);
    expect((await q.query(name, { query: [1, 1], using: 'code', limit: 1 })).points[0].id).toBe(3);
    // An upsert replaces the whole point: a vector it leaves out is gone.
    await q.upsert(name, { wait: true, points: [{ id: 1, vector: { text: [1, 0, 0, 0] } }] });
    const [one] = await q.retrieve(name, { ids: [1], with_vector: true });
    expect(Object.keys(one.vector as object)).toEqual(['text']);
  });

  it('changes a named vector’s HNSW settings by update_collection', async () => {
    const name = await seeded();
    expect(await q.updateCollection(name, { vectors: { image: { hnsw_config: { m: 12, ef_construct: 64 } } } })).toBe(
      true,
    );
    const info = await q.getCollection(name);
    expect(info.config.params.vectors).toMatchObject({ image: { hnsw_config: { m: 12, ef_construct: 64 } } });
    const stored = await gw.db.query(
      `SELECT v.index FROM vecgate_collection_vectors v JOIN vecgate_collections c ON c.id = v.collection_id
       WHERE c.name = $1 AND v.name = 'image'`,
      [name],
    );
    expect(stored.rows[0].index).toMatchObject({ m: 12, efConstruction: 64 });
  });

  it('adds a named vector to a collection and removes one, its column and values with it', async () => {
    const name = await seeded();
    expect(await q.createVectorName(name, 'audio', { dense: { size: 2, distance: 'Manhattan' } })).toMatchObject({
      status: 'completed',
    });
    // The same vector again changes nothing; another of that name is refused.
    await q.createVectorName(name, 'audio', { dense: { size: 2, distance: 'Manhattan' } });
    await expect(q.createVectorName(name, 'audio', { dense: { size: 3, distance: 'Dot' } })).rejects.toMatchObject({
      status: 400,
      data: { status: { error: expect.stringMatching(/already exists with a different configuration/) } },
    });
    await expect(q.createVectorName(name, 'bm25', { dense: { size: 3, distance: 'Dot' } })).rejects.toMatchObject({
      status: 400,
      data: { status: { error: expect.stringMatching(/already exists as a sparse vector/) } },
    });
    await q.createVectorName(name, 'keywords', { sparse: { modifier: 'idf' } });
    const info = await q.getCollection(name);
    expect(info.config.params.vectors).toMatchObject({ audio: { size: 2, distance: 'Manhattan' } });
    expect(info.config.params.sparse_vectors).toMatchObject({ keywords: { modifier: 'idf' } });
    // Points hold no value of it until one is written.
    const [before] = await q.retrieve(name, { ids: [1], with_vector: ['audio'] });
    expect(before.vector).toEqual({});
    await q.updateVectors(name, {
      wait: true,
      points: [
        { id: 1, vector: { audio: [1, 1], keywords: { indices: [5], values: [2] } } },
        { id: 2, vector: { audio: [4, 0] } },
      ],
    });
    expect((await q.query(name, { query: [1, 2], using: 'audio' })).points.map((p) => [p.id, p.score])).toEqual([
      [1, 1],
      [2, 5],
    ]);
    expect((await q.query(name, { query: { indices: [5], values: [1] }, using: 'keywords' })).points[0].id).toBe(1);
    await q.deleteVectorName(name, 'audio');
    expect((await q.getCollection(name)).config.params.vectors).not.toHaveProperty('audio');
    const [after] = await q.retrieve(name, { ids: [1], with_vector: true });
    expect(Object.keys(after.vector as object).sort()).toEqual(['bm25', 'code', 'image', 'keywords', 'splade', 'text']);
    const columns = await gw.db.query(
      `SELECT count(*)::int AS n FROM vecgate_collections c
       JOIN pg_attribute a ON a.attrelid = ('vecgate_records.' || quote_ident(c.table_name))::regclass
       WHERE c.name = $1 AND a.attname ~ '^v[0-9]+$' AND NOT a.attisdropped`,
      [name],
    );
    expect(columns.rows[0].n).toBe(4);
    const raw = qdrantHttp(gw);
    expectQdrantError(
      await raw.del(`/collections/${name}/vectors/audio`),
      400,
      /Not existing vector name error: audio/,
    );
    expectQdrantError(
      await raw.put(`/collections/${name}/vectors/x`, { dense: { size: 2, distance: 'Dot' }, sparse: {} }),
      400,
      /one of dense/,
    );
  });

  it('refuses a wrong size, an unknown name, a sparse value for a dense name, and writes nothing', async () => {
    const name = await seeded();
    const raw = qdrantHttp(gw);
    const write = (vector: unknown) =>
      raw.put(`/collections/${name}/points?wait=true`, { points: [{ id: 9, vector }] });
    expectQdrantError(
      await write({ text: [1, 0, 0, 0], image: [1, 0] }),
      400,
      /Vector dimension error: expected dim: 3, got 2/,
    );
    expectQdrantError(
      await write({ text: [1, 0, 0, 0], photo: [1, 0, 0] }),
      400,
      /Not existing vector name error: photo/,
    );
    expectQdrantError(
      await write({ text: [1, 0, 0, 0], image: { indices: [1], values: [1] } }),
      400,
      /must be a non-empty list of numbers/,
    );
    expectQdrantError(
      await raw.post(`/collections/${name}/points/query`, { query: [1, 0], using: 'photo' }),
      400,
      /Not existing vector name error: photo/,
    );
    expectQdrantError(
      await raw.post(`/collections/${name}/points/query`, { query: [1, 0, 0], using: 'splade' }),
      400,
      /Not existing vector name error: splade/,
    );
    expect((await q.count(name)).count).toBe(3);
    // A name both dense and sparse, and more names than a table takes.
    expectQdrantError(
      await raw.put(`/collections/${collectionName('bad')}`, {
        vectors: { a: { size: 2, distance: 'Dot' } },
        sparse_vectors: { a: {} },
      }),
      400,
      /^Wrong input: Dense and sparse vector names must be unique - duplicate found with 'a'$/,
    );
    const many = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`v${i}`, { size: 2, distance: 'Dot' }]));
    expectQdrantError(await raw.put(`/collections/${collectionName('bad')}`, { vectors: many }), 400, /at most 16/);
    // Hostile names are only ever values: the column comes from the catalog position.
    const hostile = collectionName('hostile');
    const evil = 'x"; DROP TABLE vecgate_collections; --';
    expect(
      await q.createCollection(hostile, {
        vectors: { main: { size: 2, distance: 'Dot' }, [evil]: { size: 2, distance: 'Dot' } },
      }),
    ).toBe(true);
    await q.upsert(hostile, { wait: true, points: [{ id: 1, vector: { main: [1, 0], [evil]: [0, 1] } }] });
    expect((await q.query(hostile, { query: [0, 1], using: evil })).points[0]).toMatchObject({ id: 1, score: 1 });
  });

  it('shows a Chroma client the first dense vector, and a fork keeps every named vector', async () => {
    const name = await seeded();
    const { rows } = await gw.db.query(`SELECT id FROM vecgate_collections WHERE name = $1`, [name]);
    const id = rows[0].id as string;
    const chroma = `/api/v2/tenants/default_tenant/databases/default_database/collections`;
    const got = await fetch(`${gw.url}${chroma}/${id}/get`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ids: ['1'], include: ['embeddings'] }),
    }).then((r) => r.json() as Promise<{ embeddings: number[][] }>);
    norm(POINTS[0].vector.text).forEach((x, i) => expect(got.embeddings[0][i]).toBeCloseTo(x, 6));
    const fork = await fetch(`${gw.url}${chroma}/${id}/fork`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ new_name: `${name}_fork` }),
    });
    expect(fork.status).toBe(200);
    const [copy] = await q.retrieve(`${name}_fork`, { ids: [2], with_vector: ['image', 'code'] });
    expect(copy.vector).toEqual({ image: [0, 2, 0], code: [2, 0] });
    expect((await q.query(`${name}_fork`, { query: [0, 1, 0], using: 'image', limit: 1 })).points[0].id).toBe(2);
  });
});

/** 2,400 points of two named dense vectors (8-d Cosine, 5-d Euclid with m 8), in three upserts. */
async function loaded(q: QdrantClient, label: string) {
  const name = collectionName(label);
  await q.createCollection(name, {
    vectors: { a: { size: 8, distance: 'Cosine' }, b: { size: 5, distance: 'Euclid', hnsw_config: { m: 8 } } },
  });
  let seed = 7;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
  // Enough points that the planner prefers the index to reading the table.
  const points = Array.from({ length: 2400 }, (_, i) => ({
    id: i + 1,
    vector: { a: Array.from({ length: 8 }, rand), b: Array.from({ length: 5 }, rand) },
  }));
  for (let i = 0; i < points.length; i += 800) await q.upsert(name, { wait: true, points: points.slice(i, i + 800) });
  return { name, points };
}

/** A named dense vector's index is measured by the search tuner as the default vector's is, and searches use what it chose. */
describe('Qdrant named vectors: tuned by the search tuner', () => {
  const gw = gatewayForFile({
    qdrantPort: 0,
    indexing: { ...loadConfig({}).indexing, minRows: 1000, quietMs: 300, recallTarget: 0.9 },
  });

  it('measures each vector’s index on its own, and keeps each measurement apart', async () => {
    const q = await qdrantClient(gw);
    const { name, points } = await loaded(q, 'tuned');
    const measured = await until(
      'both vectors measured',
      async () =>
        (
          await gw.db.query(
            `SELECT s.position, s.target, s.records::int AS records, s.recall FROM vecgate_search_tuning s
             JOIN vecgate_collections c ON c.id = s.collection_id WHERE c.name = $1 ORDER BY s.position`,
            [name],
          )
        ).rows,
      (rows) => rows.length === 2,
    );
    expect(measured).toEqual([
      { position: 0, target: expect.closeTo(0.9, 5), records: 2400, recall: expect.any(Number) },
      { position: 1, target: expect.closeTo(0.9, 5), records: 2400, recall: expect.any(Number) },
    ]);
    for (const m of measured) expect(m.recall).toBeGreaterThanOrEqual(0.9);
    // Searches of the named vector run as measured, and find the exact nearest here.
    const query = points[99].vector.b.map((x) => x + 0.002);
    const found = await q.query(name, { query, using: 'b', limit: 3 });
    const exact = points
      .map((p) => ({ id: p.id, d: euclid(query, p.vector.b) }))
      .sort((x, y) => x.d - y.d)
      .slice(0, 3);
    expect(found.points.map((p) => p.id)).toEqual(exact.map((e) => e.id));
    // New settings for the named vector's index (rebuilt, measured again) leave the default vector's measurement.
    await q.updateCollection(name, { vectors: { b: { hnsw_config: { m: 12 } } } });
    const after = await gw.db.query(
      `SELECT s.position FROM vecgate_search_tuning s JOIN vecgate_collections c ON c.id = s.collection_id
       WHERE c.name = $1 ORDER BY s.position`,
      [name],
    );
    expect(after.rows.map((r) => r.position)).toContain(0);
  });
});

/**
 * Searches of a named vector are sampled and checked as the default vector's are, kept apart by
 * the vector's position, and its measurement moves to them: before, only the default vector's
 * traffic was sampled, and a named vector stayed at the floor of the tuner's own queries.
 */
describe('Qdrant named vectors: measured on their own traffic', () => {
  const gw = gatewayForFile({
    qdrantPort: 0,
    indexing: {
      ...loadConfig({}).indexing,
      minRows: 1000,
      quietMs: 300,
      recallTarget: 0.9,
      recallCheckMs: 200,
      trafficShare: 1,
      trafficPerMinute: 10_000,
    },
  });

  it('samples and checks searches of a named vector under its position, and tunes that vector on them', async () => {
    const q = await qdrantClient(gw);
    const { name, points } = await loaded(q, 'traffic');
    const tuningOf = async (position: number) =>
      (
        await gw.db.query<{ source: string; measured_at: Date }>(
          `SELECT s.source, s.measured_at FROM vecgate_search_tuning s
           JOIN vecgate_collections c ON c.id = s.collection_id WHERE c.name = $1 AND s.position = $2`,
          [name, position],
        )
      ).rows[0];
    await until(
      'vector b measured',
      () => tuningOf(1),
      (t) => t !== undefined,
    );
    const sampler = gw.app.get(RecallSampler);
    await sampler.idle();
    // Searches of b only, one at a time, each waited for: the sampler's queue (16) never overflows.
    let seed = 11;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
    const sent: { query: number[]; recall: number }[] = [];
    for (let i = 0; i < 24; i++) {
      const query = Array.from({ length: 5 }, rand);
      const found = await q.query(name, { query, using: 'b', limit: 10 });
      const truth = new Set(
        points
          .map((p) => ({ id: p.id, d: euclid(query, p.vector.b) }))
          .sort((x, y) => x.d - y.d)
          .slice(0, 10)
          .map((e) => e.id),
      );
      sent.push({ query, recall: found.points.filter((p) => truth.has(p.id as number)).length / 10 });
      await sampler.idle();
    }
    const { rows } = await gw.db.query<{ position: number; vector: string; recall: number; k: number }>(
      `SELECT s.position, s.vector::text AS vector, s.recall, s.k FROM vecgate_recall_samples s
       JOIN vecgate_collections c ON c.id = s.collection_id WHERE c.name = $1`,
      [name],
    );
    // One sample per search, each under b's position, with the recall a brute force finds here.
    expect(rows).toHaveLength(sent.length);
    for (const row of rows) {
      expect(row.position).toBe(1);
      expect(row.k).toBe(10);
      const vector = JSON.parse(row.vector) as number[];
      const match = sent.find((s) => s.query.every((x, k) => Math.abs(Math.fround(x) - vector[k]) < 1e-5));
      expect(match).toBeDefined();
      expect(row.recall).toBeCloseTo(match!.recall, 5);
    }
    // The console shows each vector's sampled searches apart.
    const { rows: ids } = await gw.db.query('SELECT id FROM vecgate_collections WHERE name = $1', [name]);
    const quality = await http(gw.url, 'GET', `/console/api/collections/${ids[0].id}/quality`);
    expect(quality.status).toBe(200);
    const mean = sent.reduce((sum, s) => sum + s.recall, 0) / sent.length;
    expect(quality.body.vectors).toEqual([
      expect.objectContaining({
        name: '',
        traffic: { samples: 0, recall: null, filteredSamples: 0, filteredRecall: null },
      }),
      expect.objectContaining({
        name: 'b',
        traffic: { samples: sent.length, recall: expect.closeTo(mean, 5), filteredSamples: 0, filteredRecall: null },
      }),
    ]);
    // b's measurement moves to its traffic; the default vector's, searched by no one, stays the tuner's own.
    await until(
      'vector b measured on its traffic',
      () => tuningOf(1),
      (t) => t?.source === 'traffic',
    );
    expect((await tuningOf(0))?.source).toBe('synthesized');
    // Removing b forgets its samples with it: a vector declared at its position later starts afresh.
    await q.deleteVectorName(name, 'b');
    const left = await gw.db.query(
      `SELECT count(*)::int AS n FROM vecgate_recall_samples s
       JOIN vecgate_collections c ON c.id = s.collection_id WHERE c.name = $1`,
      [name],
    );
    expect(left.rows[0].n).toBe(0);
  });
});

/** A named dense vector gets its own HNSW index, built after a load as the default one's is, and searched through it. */
describe('Qdrant named vectors: their HNSW indexes', () => {
  // Search tuning off: searches then walk the index as soon as it is built.
  const gw = gatewayForFile({
    qdrantPort: 0,
    indexing: { ...loadConfig({}).indexing, minRows: 1000, quietMs: 300, recallTarget: 0 },
  });

  it('builds an index per named dense vector, reports green once all are built, and walks it', async () => {
    const q = await qdrantClient(gw);
    const { name, points } = await loaded(q, 'indexed');
    await until(
      'both indexes built',
      () => q.getCollection(name),
      (info) => info.status === 'green' && info.indexed_vectors_count === points.length,
    );
    const { rows } = await gw.db.query(
      `SELECT i.indexname, i.indexdef FROM vecgate_collections c JOIN pg_indexes i
       ON i.schemaname = 'vecgate_records' AND i.tablename = c.table_name WHERE c.name = $1 AND i.indexdef LIKE '%hnsw%'
       ORDER BY i.indexname`,
      [name],
    );
    expect(rows.map((r) => r.indexdef.replace(/.* USING /, ''))).toEqual([
      "hnsw (embedding vector_cosine_ops) WITH (m='16', ef_construction='100')",
      "hnsw (v1 vector_l2_ops) WITH (m='8', ef_construction='100')",
    ]);
    const scans = async () =>
      (
        await gw.db.query(
          `SELECT pg_stat_clear_snapshot(), (SELECT coalesce(sum(idx_scan), 0)::int FROM pg_stat_user_indexes
           WHERE schemaname = 'vecgate_records' AND indexrelname = $1) AS n`,
          [rows[1].indexname],
        )
      ).rows[0].n as number;
    const before = await scans();
    const query = points[41].vector.b.map((x) => x + 0.001);
    const found = await q.query(name, { query, using: 'b', limit: 5 });
    const exact = points
      .map((p) => ({ id: p.id, d: euclid(query, p.vector.b) }))
      .sort((x, y) => x.d - y.d)
      .slice(0, 5);
    expect(found.points.map((p) => p.id)).toEqual(exact.map((e) => e.id));
    found.points.forEach((p, i) => expect(p.score).toBeCloseTo(exact[i].d, 4));
    await until('the named vector’s index scanned', scans, (n) => n > before);
  });
});

/**
 * Two replicas on one Postgres: a replica whose cached catalog row (kept up to a second) still
 * holds a named vector that the other has just removed. Its write or search naming that vector
 * meets a dropped column; it must read the catalog again and answer the 400 a fresh replica
 * would, not a 500. The clock stands still meanwhile, so the cached row stays cached however
 * slow the machine.
 */
if (usingPostgres()) {
  describe('Qdrant named vectors: a vector removed by another replica', () => {
    let scratch: { url: string; drop(): Promise<void> };
    let first: TestGateway;
    let second: TestGateway;

    beforeAll(async () => {
      scratch = await createScratchDatabase();
      first = await startGateway({ qdrantPort: 0 }, { databaseUrl: scratch.url });
      second = await startGateway({ qdrantPort: 0 }, { databaseUrl: scratch.url });
    });

    afterAll(async () => {
      jest.restoreAllMocks();
      await first?.close();
      await second?.close();
      await scratch?.drop();
    });

    it('answers 400 on the stale replica, writes nothing of it, and keeps the other vectors working', async () => {
      const name = collectionName('stale');
      const a = qdrantHttp(first);
      const b = qdrantHttp(second);
      expect(
        (
          await a.put(`/collections/${name}`, {
            vectors: { text: { size: 2, distance: 'Dot' }, audio: { size: 2, distance: 'Dot' } },
          })
        ).status,
      ).toBe(200);
      const now = Date.now();
      jest.spyOn(Date, 'now').mockReturnValue(now);
      // The first replica caches the row with audio in it.
      const upsert = (id: number, vector: Record<string, number[]>) =>
        a.put(`/collections/${name}/points?wait=true`, { points: [{ id, vector }] });
      expect((await upsert(1, { text: [1, 0], audio: [0, 1] })).status).toBe(200);
      expect((await a.post(`/collections/${name}/points/query`, { query: [0, 1], using: 'audio' })).status).toBe(200);

      expect((await b.del(`/collections/${name}/vectors/audio`)).status).toBe(200);

      expectQdrantError(await upsert(2, { text: [0, 1], audio: [1, 1] }), 400, /audio/);
      expectQdrantError(
        await a.post(`/collections/${name}/points/query`, { query: [0, 1], using: 'audio' }),
        400,
        /audio/,
      );
      expect((await upsert(3, { text: [0, 1] })).status).toBe(200);
      const found = await a.post(`/collections/${name}/points/query`, {
        query: [0, 1],
        using: 'text',
        with_vector: true,
      });
      expect(found.status).toBe(200);
      expect(found.body.result.points.map((p: { id: number; vector: object }) => [p.id, p.vector])).toEqual([
        [3, { text: [0, 1] }],
        [1, { text: [1, 0] }],
      ]);
      jest.restoreAllMocks();
    });
  });
}
