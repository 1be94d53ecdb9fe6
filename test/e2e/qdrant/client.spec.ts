import { gatewayForFile } from '../../support/gateway';
import { until } from '../../support/wait';
import { collectionName, expectQdrantError, qdrantClient, qdrantHttp, type QdrantClient } from './qdrant-helpers';

const UUID = '5c56c793-69f3-4fbf-87e6-c4bf54c28c26';

/** Qdrant's REST API on its own port, through the official JavaScript client, unchanged. */
describe('Qdrant through @qdrant/js-client-rest', () => {
  const gw = gatewayForFile({ qdrantPort: 0 });
  let q: QdrantClient;

  const raw = () => qdrantHttp(gw);

  beforeAll(async () => {
    q = await qdrantClient(gw);
  });

  /** Four points around the axes of a 4-d Dot collection, with payloads to filter on. */
  async function seeded(distance: 'Dot' | 'Cosine' | 'Euclid' | 'Manhattan' = 'Dot'): Promise<string> {
    const name = collectionName('pts');
    await q.createCollection(name, { vectors: { size: 4, distance } });
    await q.upsert(name, {
      wait: true,
      points: [
        { id: 1, vector: [0.05, 0.61, 0.76, 0.74], payload: { city: 'Berlin', n: 1, tags: ['a', 'b'] } },
        { id: 2, vector: [0.19, 0.81, 0.75, 0.11], payload: { city: 'London', n: 2, tags: ['b'] } },
        { id: 3, vector: [0.36, 0.55, 0.47, 0.94], payload: { city: 'Moscow', n: 3, nested: { x: 1 } } },
        { id: UUID, vector: [0.18, 0.01, 0.85, 0.8], payload: { city: 'London', n: 4, empty: [], nothing: null } },
      ],
    });
    return name;
  }

  it('answers GET / with a version the client accepts, and lists, gets, checks and deletes collections', async () => {
    expect(await q.versionInfo()).toMatchObject({ title: 'qdrant - vector search engine', version: '1.19.0' });
    const name = collectionName('col');
    expect(await q.createCollection(name, { vectors: { size: 4, distance: 'Cosine' }, hnsw_config: { m: 24 } })).toBe(
      true,
    );
    expect((await q.getCollections()).collections.map((c) => c.name)).toContain(name);
    expect(await q.collectionExists(name)).toEqual({ exists: true });
    const info = await q.getCollection(name);
    expect(info).toMatchObject({
      status: 'green',
      points_count: 0,
      config: { params: { vectors: { size: 4, distance: 'Cosine' } }, hnsw_config: { m: 24 } },
      payload_schema: {},
    });
    expect(
      await q.updateCollection(name, {
        hnsw_config: { ef_construct: 200 },
        optimizers_config: { indexing_threshold: 5 },
      }),
    ).toBe(true);
    const updated = await q.getCollection(name);
    expect(updated.config.hnsw_config).toMatchObject({ m: 24, ef_construct: 200 });
    expect(updated.config.optimizer_config).toMatchObject({ indexing_threshold: 5 });
    expect(await q.deleteCollection(name)).toBe(true);
    expect(await q.collectionExists(name)).toEqual({ exists: false });
    expect(await q.deleteCollection(name)).toBe(false);
  });

  it('refuses a second collection of one name with a 409, and an unknown one with a 404', async () => {
    const name = collectionName('dup');
    await q.createCollection(name, { vectors: { size: 2, distance: 'Dot' } });
    await expect(q.createCollection(name, { vectors: { size: 2, distance: 'Dot' } })).rejects.toMatchObject({
      status: 409,
      data: { status: { error: `Wrong input: Collection \`${name}\` already exists!` } },
    });
    await expect(q.getCollection('nope_nothing')).rejects.toMatchObject({
      status: 404,
      data: { status: { error: "Not found: Collection `nope_nothing` doesn't exist!" } },
    });
  });

  it('upserts in list and batch form, and retrieves with ids as sent, payload selectors and vectors', async () => {
    const name = await seeded();
    await q.upsert(name, {
      batch: {
        ids: [10, 11],
        vectors: [
          [1, 0, 0, 0],
          [0, 1, 0, 0],
        ],
        payloads: [{ k: 'x' }, null],
      },
    });
    expect((await q.count(name, { exact: true })).count).toBe(6);
    const got = await q.retrieve(name, { ids: [UUID.toUpperCase(), 1, 99], with_vector: true });
    expect(got).toEqual([
      {
        id: UUID,
        payload: { city: 'London', n: 4, empty: [], nothing: null },
        vector: [0.18, 0.01, 0.85, 0.8].map(expect.closeTo),
      },
      { id: 1, payload: { city: 'Berlin', n: 1, tags: ['a', 'b'] }, vector: expect.any(Array) },
    ]);
    expect(await q.retrieve(name, { ids: [3], with_payload: ['city', 'nested.x'] })).toEqual([
      { id: 3, payload: { city: 'Moscow', nested: { x: 1 } } },
    ]);
    expect(await q.retrieve(name, { ids: [3], with_payload: { exclude: ['city', 'nested'] } })).toEqual([
      { id: 3, payload: { n: 3 } },
    ]);
    expect(await q.retrieve(name, { ids: [11], with_payload: false })).toEqual([{ id: 11 }]);
    expect(await q.api().getPoint({ collection_name: name, id: 2 })).toMatchObject({
      data: { result: { id: 2, payload: { city: 'London' }, vector: expect.any(Array) } },
    });
  });

  it('searches with the Query API and the legacy search: scores as Qdrant gives them, best first', async () => {
    const name = await seeded('Dot');
    const query = [0.2, 0.1, 0.9, 0.7];
    const { points } = await q.query(name, { query, limit: 3, with_payload: true });
    const dot = (v: number[]) => v.reduce((a, x, i) => a + x * query[i], 0);
    expect(points.map((p) => p.id)).toEqual([UUID, 1, 3]);
    expect(points[0].score).toBeCloseTo(dot([0.18, 0.01, 0.85, 0.8]), 5);
    expect(points[0]).toMatchObject({ version: 0, payload: { city: 'London' } });
    expect(points[0].vector).toBeUndefined();
    // The legacy search, which clients before 1.15 and integrations still call (plain HTTP: 1.19 has no method for it).
    const legacy = (await raw().post(`/collections/${name}/points/search`, { vector: query, limit: 3 })).body.result;
    expect(legacy.map((p: any) => [p.id, p.score])).toEqual(points.map((p) => [p.id, p.score]));
    expect(legacy[0].payload).toBeUndefined();
    // A filter, an offset, a threshold.
    const london = await q.query(name, { query, filter: { must: [{ key: 'city', match: { value: 'London' } }] } });
    expect(london.points.map((p) => p.id)).toEqual([UUID, 2]);
    expect((await q.query(name, { query, offset: 1, limit: 2 })).points.map((p) => p.id)).toEqual([1, 3]);
    const above = await q.query(name, { query, score_threshold: dot([0.05, 0.61, 0.76, 0.74]) - 1e-6 });
    expect(above.points.map((p) => p.id)).toEqual([UUID, 1]);
    // By point id: that point's vector, the point itself left out.
    const byId = await q.query(name, { query: 1, limit: 2 });
    expect(byId.points.map((p) => p.id)).not.toContain(1);
    expect(byId.points).toHaveLength(2);
    expect((await q.query(name, { query: { nearest: query }, limit: 1 })).points[0].id).toBe(UUID);
    const batch = await q.queryBatch(name, {
      searches: [
        { query, limit: 1 },
        { query: [0, 1, 0, 0], limit: 1 },
      ],
    });
    expect(batch.map((r) => r.points[0].id)).toEqual([UUID, 2]);
    const searches = await raw().post(`/collections/${name}/points/search/batch`, {
      searches: [
        { vector: query, limit: 1 },
        { vector: { name: '', vector: [0, 1, 0, 0] }, limit: 1, with_payload: true },
      ],
    });
    expect(searches.body.result.map((r: any) => r[0].id)).toEqual([UUID, 2]);
    expect(searches.body.result[1][0].payload).toMatchObject({ city: 'London' });
  });

  it('scores Cosine as similarity, Euclid and Manhattan as distances (nearest first), with vectors normalized under Cosine', async () => {
    const query = [0.2, 0.1, 0.9, 0.7];
    const cosine = await seeded('Cosine');
    const [best] = (await q.query(cosine, { query, limit: 1, with_vector: true })).points;
    const v = [0.18, 0.01, 0.85, 0.8];
    const norm = (x: number[]) => Math.sqrt(x.reduce((a, y) => a + y * y, 0));
    const cos = v.reduce((a, x, i) => a + x * query[i], 0) / norm(v) / norm(query);
    expect(best.score).toBeCloseTo(cos, 5);
    expect(norm(best.vector as number[])).toBeCloseTo(1, 5);
    for (const [distance, measure] of [
      ['Euclid', (a: number[]) => Math.sqrt(a.reduce((s, x, i) => s + (x - query[i]) ** 2, 0))],
      ['Manhattan', (a: number[]) => a.reduce((s, x, i) => s + Math.abs(x - query[i]), 0)],
    ] as const) {
      const name = await seeded(distance);
      const points = (await q.query(name, { query, limit: 4 })).points;
      expect(points[0].id).toBe(UUID);
      expect(points[0].score).toBeCloseTo(measure(v), 5);
      expect(points.map((p) => p.score)).toEqual([...points.map((p) => p.score)].sort((a, b) => a - b));
      expect((await q.query(name, { query, score_threshold: measure(v) + 1e-6 })).points.map((p) => p.id)).toEqual([
        UUID,
      ]);
    }
  });

  it('filters as Qdrant does: should, must_not, min_should, any, except, range, values_count, is_empty, is_null, has_id, text', async () => {
    const name = await seeded();
    const ids = async (filter: Record<string, unknown>) =>
      (await q.scroll(name, { filter, limit: 100 })).points
        .map((p) => p.id)
        .sort((a, b) => String(a).localeCompare(String(b)));
    expect(
      await ids({
        should: [
          { key: 'city', match: { value: 'Berlin' } },
          { key: 'n', match: { value: 3 } },
        ],
      }),
    ).toEqual([1, 3]);
    expect(await ids({ must_not: [{ key: 'city', match: { value: 'London' } }] })).toEqual([1, 3]);
    expect(await ids({ must: [{ key: 'tags', match: { value: 'b' } }] })).toEqual([1, 2]);
    expect(await ids({ must: [{ key: 'city', match: { any: ['Moscow', 'Berlin'] } }] })).toEqual([1, 3]);
    expect(await ids({ must: [{ key: 'city', match: { except: ['London'] } }] })).toEqual([1, 3]);
    expect(await ids({ must: [{ key: 'n', range: { gt: 1, lte: 3 } }] })).toEqual([2, 3]);
    expect(await ids({ must: [{ key: 'tags', values_count: { gte: 2 } }] })).toEqual([1]);
    expect(await ids({ must: [{ is_empty: { key: 'tags' } }] })).toEqual([3, UUID]);
    expect(await ids({ must: [{ is_null: { key: 'nothing' } }] })).toEqual([UUID]);
    expect(await ids({ must: [{ has_id: [1, UUID] }] })).toEqual([1, UUID]);
    expect(await ids({ must: [{ key: 'city', match: { text: 'ond' } }] })).toEqual([2, UUID]);
    expect(await ids({ must: [{ key: 'nested.x', match: { value: 1 } }] })).toEqual([3]);
    expect(
      await ids({
        min_should: {
          conditions: [{ key: 'city', match: { value: 'London' } }, { key: 'n', range: { gte: 3 } }, { has_id: [2] }],
          min_count: 2,
        },
      }),
    ).toEqual([2, UUID]);
    expect(await ids({ must: [{ must_not: [{ key: 'n', range: { lt: 4 } }] }] })).toEqual([UUID]);
  });

  it('filters by geo radius and bounding box, leaving out payloads that are no point', async () => {
    const name = collectionName('geo');
    await q.createCollection(name, { vectors: { size: 2, distance: 'Dot' } });
    await q.upsert(name, {
      points: [
        { id: 1, vector: [1, 0], payload: { at: { lon: 13.405, lat: 52.52 } } }, // Berlin
        { id: 2, vector: [1, 0], payload: { at: { lon: 13.064, lat: 52.39 } } }, // Potsdam, 26 km
        { id: 3, vector: [1, 0], payload: { at: { lon: -0.1276, lat: 51.5072 } } }, // London
        { id: 4, vector: [1, 0], payload: { at: 'Berlin' } },
        { id: 5, vector: [1, 0], payload: { at: { lon: 'x', lat: 1 } } },
        { id: 6, vector: [1, 0], payload: { at: { lon: 179.5, lat: 0 } } },
      ],
    });
    const ids = async (condition: Record<string, unknown>) =>
      (await q.scroll(name, { filter: { must: [{ key: 'at', ...condition }] } })).points.map((p) => p.id).sort();
    expect(await ids({ geo_radius: { center: { lon: 13.405, lat: 52.52 }, radius: 10_000 } })).toEqual([1]);
    expect(await ids({ geo_radius: { center: { lon: 13.405, lat: 52.52 }, radius: 30_000 } })).toEqual([1, 2]);
    expect(await ids({ geo_radius: { center: { lon: 13.405, lat: 52.52 }, radius: 1_000_000 } })).toEqual([1, 2, 3]);
    expect(
      await ids({ geo_bounding_box: { top_left: { lon: 13, lat: 53 }, bottom_right: { lon: 14, lat: 52 } } }),
    ).toEqual([1, 2]);
    // Across the antimeridian.
    expect(
      await ids({ geo_bounding_box: { top_left: { lon: 179, lat: 1 }, bottom_right: { lon: -179, lat: -1 } } }),
    ).toEqual([6]);
  });

  it('scrolls and queries in the order of a payload value, from start_from, with each order_value', async () => {
    const name = await seeded();
    await q.upsert(name, { points: [{ id: 30, vector: [1, 0, 0, 0], payload: { n: 'not a number' } }] });
    const byN = await q.scroll(name, { order_by: 'n', limit: 10, with_payload: false });
    expect(byN.points.map((p) => [p.id, p.order_value])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
      [UUID, 4],
      [30, 'not a number'],
    ]);
    expect(byN.next_page_offset).toBeNull();
    const down = await q.scroll(name, {
      order_by: { key: 'n', direction: 'desc', start_from: 3 },
      limit: 2,
      filter: { must: [{ key: 'n', range: { gte: 0 } }] },
    });
    expect(down.points.map((p) => p.id)).toEqual([3, 2]);
    const queried = await q.query(name, { query: { order_by: { key: 'n', direction: 'desc' } }, limit: 1, offset: 1 });
    expect(queried.points.map((p) => [p.id, p.order_value])).toEqual([[UUID, 4]]);
    await expect(q.scroll(name, { order_by: 'n', offset: 1 })).rejects.toMatchObject({ status: 400 });
  });

  it('counts the values of a payload key (facet), an array’s elements once per point', async () => {
    const name = await seeded();
    expect(await q.facet(name, { key: 'city' })).toEqual({
      hits: [
        { value: 'London', count: 2 },
        { value: 'Berlin', count: 1 },
        { value: 'Moscow', count: 1 },
      ],
    });
    expect((await q.facet(name, { key: 'tags', limit: 1 })).hits).toEqual([{ value: 'b', count: 2 }]);
    expect((await q.facet(name, { key: 'city', filter: { must: [{ key: 'n', range: { gte: 2 } }] } })).hits).toEqual([
      { value: 'London', count: 2 },
      { value: 'Moscow', count: 1 },
    ]);
  });

  it('groups query results by a payload value, groups in the order of their best point', async () => {
    const name = await seeded();
    const { groups } = await q.queryGroups(name, {
      query: [0.2, 0.1, 0.9, 0.7],
      group_by: 'city',
      group_size: 1,
      limit: 2,
      with_payload: ['n'],
    });
    expect(groups).toEqual([
      { id: 'London', hits: [{ id: UUID, version: 0, score: expect.any(Number), payload: { n: 4 } }] },
      { id: 'Berlin', hits: [{ id: 1, version: 0, score: expect.any(Number), payload: { n: 1 } }] },
    ]);
    const byTag = await q.queryGroups(name, { query: [0.2, 0.1, 0.9, 0.7], group_by: 'tags', group_size: 2 });
    expect(byTag.groups.map((g) => [g.id, g.hits.map((h) => h.id)])).toEqual([
      ['a', [1]],
      ['b', [1, 2]],
    ]);
    // The legacy search and recommend groups, and each group's point of another collection (with_lookup).
    const cities = collectionName('cities');
    await q.createCollection(cities, { vectors: { size: 2, distance: 'Dot' } });
    await q.upsert(cities, {
      wait: true,
      points: [{ id: 3, vector: [1, 0], payload: { country: 'Russia' } }],
    });
    const legacy = await raw().post(`/collections/${name}/points/search/groups`, {
      vector: [0.2, 0.1, 0.9, 0.7],
      group_by: 'n',
      group_size: 1,
      limit: 4,
      with_lookup: { collection: cities, with_payload: true, with_vectors: true },
    });
    expect(legacy.status).toBe(200);
    const byN = legacy.body.result.groups as { id: number; hits: { id: unknown }[]; lookup?: unknown }[];
    const direct = await q.query(name, { query: [0.2, 0.1, 0.9, 0.7], limit: 4 });
    expect(byN.map((g) => g.hits[0].id)).toEqual(direct.points.map((p) => p.id));
    expect(byN.filter((g) => g.lookup).map((g) => g.id)).toEqual([3]);
    for (const g of byN)
      expect(g.lookup).toEqual(g.id === 3 ? { id: 3, payload: { country: 'Russia' }, vector: [1, 0] } : undefined);
    const recommended = await raw().post(`/collections/${name}/points/recommend/groups`, {
      positive: [1],
      group_by: 'city',
      group_size: 2,
      limit: 5,
      with_lookup: cities,
    });
    expect(recommended.status).toBe(200);
    const seen = (recommended.body.result.groups as { id: string; hits: { id: unknown }[] }[]).flatMap((g) =>
      g.hits.map((h) => h.id),
    );
    expect(seen).not.toContain(1);
    expect(seen.sort()).toEqual([2, 3, UUID].sort());
  });

  it('filters with nested conditions: one element of an array of objects must match all of them', async () => {
    const name = collectionName('nested');
    await q.createCollection(name, { vectors: { size: 2, distance: 'Dot' } });
    await q.upsert(name, {
      points: [
        {
          id: 1,
          vector: [1, 0],
          payload: {
            diet: [
              { food: 'meat', likes: true },
              { food: 'leaves', likes: false },
            ],
          },
        },
        {
          id: 2,
          vector: [1, 0],
          payload: {
            diet: [
              { food: 'meat', likes: false },
              { food: 'leaves', likes: true },
            ],
          },
        },
        { id: 3, vector: [1, 0], payload: { diet: { food: 'meat', likes: true } } },
      ],
    });
    const nested = {
      key: 'diet',
      filter: {
        must: [
          { key: 'food', match: { value: 'meat' } },
          { key: 'likes', match: { value: true } },
        ],
      },
    };
    const ids = async (filter: Record<string, unknown>) =>
      (await q.scroll(name, { filter })).points.map((p) => p.id).sort();
    expect(await ids({ must: [{ nested }] })).toEqual([1]);
    expect(await ids({ must_not: [{ nested }] })).toEqual([2, 3]);
    // A point whose key holds an object, not an array of them, has no element to match.
    expect(await ids({ must: [{ nested: { key: 'diet', filter: {} } }] })).toEqual([1, 2]);
    // `diet[].food`: some element passes each condition, not necessarily the same one (Qdrant's flattened paths).
    const flat = {
      must: [
        { key: 'diet[].food', match: { value: 'meat' } },
        { key: 'diet[].likes', match: { value: true } },
      ],
    };
    expect(await ids(flat)).toEqual([1, 2]);
    expect(await ids({ must: [{ key: 'diet[].food', match: { any: ['fish', 'leaves'] } }] })).toEqual([1, 2]);
    expect(await ids({ must_not: [{ key: 'diet[].likes', match: { value: false } }] })).toEqual([3]);
  });

  it('answers the search matrix as pairs and offsets: each sampled point’s nearest among the sample', async () => {
    const name = await seeded('Euclid');
    const { pairs } = await q.searchMatrixPairs(name, { sample: 10, limit: 1 });
    expect(pairs).toHaveLength(4);
    const dist = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0));
    const v: Record<string, number[]> = {
      1: [0.05, 0.61, 0.76, 0.74],
      2: [0.19, 0.81, 0.75, 0.11],
      3: [0.36, 0.55, 0.47, 0.94],
      [UUID]: [0.18, 0.01, 0.85, 0.8],
    };
    for (const p of pairs) {
      const others = Object.keys(v).filter((k) => k !== String(p.a));
      const nearest = others.sort((x, y) => dist(v[String(p.a)], v[x]) - dist(v[String(p.a)], v[y]))[0];
      expect(String(p.b)).toBe(nearest);
      expect(p.score).toBeCloseTo(dist(v[String(p.a)], v[nearest]), 5);
      // Written as Qdrant writes its float32 scores: the fewest digits that name that float32.
      const digits = String(p.score).replace(/e.*$/, '').replace(/[-.]/g, '').replace(/^0+/, '');
      expect(digits.length).toBeLessThanOrEqual(9);
    }
    const offsets = await q.searchMatrixOffsets(name, {
      sample: 2,
      limit: 5,
      filter: { must: [{ key: 'city', match: { value: 'London' } }] },
    });
    expect(offsets.ids.map(String).sort()).toEqual(['2', UUID].sort());
    expect(offsets).toMatchObject({ offsets_row: [0, 1], offsets_col: [1, 0] });
  });

  it('scrolls every point once in pages and counts with a filter', async () => {
    const name = collectionName('scroll');
    await q.createCollection(name, { vectors: { size: 2, distance: 'Euclid' } });
    await q.upsert(name, {
      points: Array.from({ length: 25 }, (_, i) => ({ id: i + 1, vector: [i, 1], payload: { even: i % 2 === 0 } })),
    });
    const seen: (string | number)[] = [];
    let offset: string | number | undefined | null = undefined;
    do {
      const page: Awaited<ReturnType<QdrantClient['scroll']>> = await q.scroll(name, {
        limit: 7,
        offset: offset ?? undefined,
      });
      seen.push(...page.points.map((p) => p.id));
      offset = page.next_page_offset as string | number | null;
    } while (offset !== null && offset !== undefined);
    expect(seen.sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect((await q.count(name, { filter: { must: [{ key: 'even', match: { value: true } }] } })).count).toBe(13);
  });

  it('sets, overwrites, deletes and clears payload by ids and by filter, and deletes points', async () => {
    const name = await seeded();
    await q.setPayload(name, { payload: { visited: true, n: 10 }, points: [1, 2] });
    await q.setPayload(name, { payload: { y: 2 }, points: [3], key: 'nested' });
    await q.deletePayload(name, { keys: ['tags'], filter: { must: [{ key: 'city', match: { value: 'Berlin' } }] } });
    await q.overwritePayload(name, { payload: { only: 'this' }, points: [2] });
    await q.clearPayload(name, { points: [UUID] });
    const byId = Object.fromEntries((await q.retrieve(name, { ids: [1, 2, 3, UUID] })).map((p) => [p.id, p.payload]));
    expect(byId).toEqual({
      1: { city: 'Berlin', n: 10, visited: true },
      2: { only: 'this' },
      3: { city: 'Moscow', n: 3, nested: { x: 1, y: 2 } },
      [UUID]: {},
    });
    await q.delete(name, { points: [1] });
    await q.delete(name, { filter: { must: [{ key: 'only', match: { value: 'this' } }] } });
    expect((await q.scroll(name, {})).points.map((p) => p.id).sort()).toEqual([3, UUID].sort());
  });

  it('upserts by update_mode (insert_only, update_only) and update_filter, which only matching points obey', async () => {
    const name = await seeded();
    const city = async (id: number) => (await q.retrieve(name, { ids: [id] }))[0]?.payload?.city;
    await q.upsert(name, {
      wait: true,
      update_mode: 'update_only',
      points: [
        { id: 1, vector: [1, 0, 0, 0], payload: { city: 'Paris' } },
        { id: 99, vector: [1, 0, 0, 0], payload: { city: 'Nowhere' } },
      ],
    });
    expect(await city(1)).toBe('Paris');
    expect(await q.retrieve(name, { ids: [99] })).toEqual([]);
    await q.upsert(name, {
      wait: true,
      update_mode: 'insert_only',
      points: [
        { id: 2, vector: [1, 0, 0, 0], payload: { city: 'Changed' } },
        { id: 100, vector: [1, 0, 0, 0], payload: { city: 'New' } },
      ],
    });
    expect([await city(2), await city(100)]).toEqual(['London', 'New']);
    // London's point 2 is replaced, Moscow's point 3 keeps its state, a new point goes in regardless.
    await q.upsert(name, {
      wait: true,
      update_filter: { must: [{ key: 'city', match: { value: 'London' } }] },
      points: [
        { id: 2, vector: [0, 1, 0, 0], payload: { city: 'London', v: 2 } },
        { id: 3, vector: [0, 1, 0, 0], payload: { city: 'Kazan' } },
        { id: 101, vector: [0, 1, 0, 0], payload: { city: 'Oslo' } },
      ],
    });
    expect([await city(2), await city(3), await city(101)]).toEqual(['London', 'Moscow', 'Oslo']);
    // The 1.19 client's updateVectors does not send update_filter: plain HTTP.
    await raw().put(`/collections/${name}/points/vectors?wait=true`, {
      update_filter: { must: [{ key: 'city', match: { value: 'Moscow' } }] },
      points: [
        { id: 1, vector: [0, 0, 0, 1] },
        { id: 3, vector: [0, 0, 0, 1] },
      ],
    });
    const vectors = await q.retrieve(name, { ids: [1, 3], with_vector: true, with_payload: false });
    expect(vectors.map((p) => [p.id, p.vector])).toEqual([
      [1, [1, 0, 0, 0]],
      [3, [0, 0, 0, 1]],
    ]);
    expect((await q.count(name)).count).toBe(6);
    expectQdrantError(
      await raw().put(`/collections/${name}/points`, { update_mode: 'sometimes', points: [] }),
      400,
      /unknown variant "sometimes"/,
    );
  });

  it('updates the vectors of existing points, and refuses an unknown one', async () => {
    const name = await seeded();
    await q.updateVectors(name, { points: [{ id: 2, vector: [1, 1, 1, 1] }] });
    expect((await q.retrieve(name, { ids: [2], with_vector: true }))[0].vector).toEqual([1, 1, 1, 1]);
    await expect(q.updateVectors(name, { points: [{ id: 77, vector: [1, 1, 1, 1] }] })).rejects.toMatchObject({
      status: 404,
    });
  });

  it('holds a named dense vector beside a named sparse one, searches each, and fuses them with RRF and DBSF', async () => {
    const name = collectionName('hybrid');
    await q.createCollection(name, {
      vectors: { dense: { size: 3, distance: 'Cosine' } },
      sparse_vectors: { text: { modifier: 'idf' } },
    });
    await q.upsert(name, {
      points: [
        { id: 1, vector: { dense: [1, 0, 0], text: { indices: [1, 7], values: [0.5, 0.5] } }, payload: { t: 'one' } },
        { id: 2, vector: { dense: [0, 1, 0], text: { indices: [7], values: [2] } } },
        { id: 3, vector: { dense: [0.9, 0.1, 0] } },
      ],
    });
    const info = await q.getCollection(name);
    expect(info.config.params).toMatchObject({
      vectors: { dense: { size: 3, distance: 'Cosine' } },
      sparse_vectors: { text: { modifier: 'idf' } },
    });
    const dense = await q.query(name, { query: [1, 0, 0], using: 'dense', limit: 3 });
    expect(dense.points.map((p) => p.id)).toEqual([1, 3, 2]);
    const sparse = await q.query(name, { query: { indices: [7], values: [1] }, using: 'text', limit: 3 });
    // modifier idf: term 7 is in both points holding `text`, so it weighs ln((2 − 2 + 0.5) / (2 + 0.5) + 1).
    const idf = Math.log(0.5 / 2.5 + 1);
    expect(sparse.points.map((p) => p.id)).toEqual([2, 1]);
    expect(sparse.points[0].score).toBeCloseTo(2 * idf, 5);
    expect(sparse.points[1].score).toBeCloseTo(0.5 * idf, 5);
    const rrf = await q.query(name, {
      prefetch: [
        { query: [1, 0, 0], using: 'dense', limit: 3 },
        { query: { indices: [7], values: [1] }, using: 'text', limit: 3 },
      ],
      query: { fusion: 'rrf' },
      limit: 3,
      with_payload: true,
    });
    // 1 is second in the sparse list and first in the dense one: 1/2 + 1/3 with k = 2.
    expect(rrf.points[0]).toMatchObject({ id: 1, payload: { t: 'one' } });
    expect(rrf.points[0].score).toBeCloseTo(1 / 2 + 1 / 3, 6);
    const dbsf = await q.query(name, {
      prefetch: [
        { query: [1, 0, 0], using: 'dense' },
        { query: { indices: [7], values: [1] }, using: 'text' },
      ],
      query: { fusion: 'dbsf' },
    });
    expect(dbsf.points.map((p) => p.id).sort()).toEqual([1, 2, 3]);
    // A dense query over a prefetch re-scores that prefetch's points only.
    const rescored = await q.query(name, {
      prefetch: { query: { indices: [7], values: [1] }, using: 'text' },
      query: [1, 0, 0],
      using: 'dense',
    });
    expect(rescored.points.map((p) => p.id)).toEqual([1, 2]);
    const withVectors = await q.retrieve(name, { ids: [1], with_vector: true });
    expect(withVectors[0].vector).toEqual({ dense: [1, 0, 0], text: { indices: [1, 7], values: [0.5, 0.5] } });
    expect((await q.retrieve(name, { ids: [1], with_vector: ['text'] }))[0].vector).toEqual({
      text: { indices: [1, 7], values: [0.5, 0.5] },
    });
  });

  it('applies a batch update of mixed operations in order, all or none', async () => {
    const name = await seeded();
    const done = await q.batchUpdate(name, {
      operations: [
        { upsert: { points: [{ id: 20, vector: [1, 1, 1, 1], payload: { k: 1 } }] } },
        { set_payload: { payload: { k: 2 }, points: [20] } },
        { delete: { points: [1] } },
        { delete_payload: { keys: ['n'], filter: { must: [{ key: 'city', match: { value: 'Moscow' } }] } } },
        { clear_payload: { points: [2] } },
        { overwrite_payload: { payload: { fresh: true }, points: [UUID] } },
        { update_vectors: { points: [{ id: 3, vector: [0, 0, 0, 1] }] } },
      ],
    });
    expect(done).toHaveLength(7);
    const byId = Object.fromEntries(
      (await q.retrieve(name, { ids: [1, 2, 3, 20, UUID], with_vector: true })).map((p) => [p.id, p]),
    );
    expect(Object.keys(byId).sort()).toEqual(['2', '20', '3', UUID].sort());
    expect(byId[20].payload).toEqual({ k: 2 });
    expect(byId[3]).toMatchObject({ payload: { city: 'Moscow', nested: { x: 1 } }, vector: [0, 0, 0, 1] });
    expect(byId[2].payload).toEqual({});
    expect(byId[UUID].payload).toEqual({ fresh: true });
    // A batch whose last operation fails changes nothing.
    await expect(
      q.batchUpdate(name, {
        operations: [{ delete: { points: [2, 3] } }, { upsert: { points: [{ id: 21, vector: [1, 2] }] } }],
      }),
    ).rejects.toMatchObject({ status: 400 });
    expect((await q.count(name)).count).toBe(4);
  });

  it('deletes a named vector of points, which then no search of that vector finds', async () => {
    const name = collectionName('delvec');
    await q.createCollection(name, {
      vectors: { dense: { size: 2, distance: 'Dot' } },
      sparse_vectors: { text: {} },
    });
    await q.upsert(name, {
      points: [
        { id: 1, vector: { dense: [1, 0], text: { indices: [3], values: [1] } } },
        { id: 2, vector: { dense: [0, 1], text: { indices: [3], values: [2] } } },
      ],
    });
    await q.deleteVectors(name, { points: [2], vector: ['text'] });
    await q.deleteVectors(name, { filter: { must: [{ has_id: [1] }] }, vector: ['dense'] });
    expect((await q.retrieve(name, { ids: [1, 2], with_vector: true })).map((p) => p.vector)).toEqual([
      { text: { indices: [3], values: [1] } },
      { dense: [0, 1] },
    ]);
    const sparse = await q.query(name, { query: { indices: [3], values: [1] }, using: 'text' });
    expect(sparse.points.map((p) => p.id)).toEqual([1]);
    const dense = await q.query(name, { query: [1, 1], using: 'dense' });
    expect(dense.points.map((p) => p.id)).toEqual([2]);
    const has = await q.scroll(name, { filter: { must: [{ has_vector: 'text' }] } });
    expect(has.points.map((p) => p.id)).toEqual([1]);
  });

  it('names collections by aliases, switched atomically, listed, and gone with their collection', async () => {
    const v1 = await seeded();
    const v2 = await seeded();
    const alias = collectionName('live');
    expect(
      await q.updateCollectionAliases({ actions: [{ create_alias: { collection_name: v1, alias_name: alias } }] }),
    ).toBe(true);
    expect((await q.count(alias)).count).toBe(4);
    expect((await q.query(alias, { query: [0, 1, 0, 0], limit: 1 })).points[0].id).toBe(2);
    // Switch to v2 in one call: delete and create.
    await q.upsert(v2, { points: [{ id: 99, vector: [0, 1, 0, 0] }] });
    await q.updateCollectionAliases({
      actions: [{ delete_alias: { alias_name: alias } }, { create_alias: { collection_name: v2, alias_name: alias } }],
    });
    expect((await q.count(alias)).count).toBe(5);
    expect((await q.getCollectionAliases(v2)).aliases).toEqual([{ alias_name: alias, collection_name: v2 }]);
    expect((await q.getCollectionAliases(v1)).aliases).toEqual([]);
    const renamed = `${alias}_2`;
    await q.updateCollectionAliases({
      actions: [{ rename_alias: { old_alias_name: alias, new_alias_name: renamed } }],
    });
    expect((await q.getAliases()).aliases).toContainEqual({ alias_name: renamed, collection_name: v2 });
    // A failing action leaves the others undone.
    await expect(
      q.updateCollectionAliases({
        actions: [
          { create_alias: { collection_name: v1, alias_name: `${alias}_3` } },
          { delete_alias: { alias_name: 'no_such_alias' } },
        ],
      }),
    ).rejects.toMatchObject({ status: 404 });
    expect((await q.getCollectionAliases(v1)).aliases).toEqual([]);
    await expect(
      q.updateCollectionAliases({ actions: [{ create_alias: { collection_name: v1, alias_name: v2 } }] }),
    ).rejects.toMatchObject({ status: 409 });
    await q.deleteCollection(v2);
    expect((await q.getAliases()).aliases.map((a) => a.alias_name)).not.toContain(renamed);
    await expect(q.count(renamed)).rejects.toMatchObject({ status: 404 });
  });

  it('creates payload field indexes, shown in payload_schema; a numeric one is noted for its own btree index', async () => {
    const name = await seeded();
    await q.createPayloadIndex(name, { field_name: 'n', field_schema: 'integer', wait: true });
    await q.createPayloadIndex(name, { field_name: 'city', field_schema: { type: 'keyword', is_tenant: true } });
    const info = await q.getCollection(name);
    expect(info.payload_schema).toEqual({
      n: { data_type: 'integer', points: 4 },
      city: { data_type: 'keyword', params: { type: 'keyword', is_tenant: true }, points: 4 },
    });
    const { id } = (await gw.db.query(`SELECT id FROM vecgate_collections WHERE name = $1`, [name])).rows[0];
    await until(
      'the numeric key noted for a range index',
      async () =>
        (
          await gw.db.query<{ key: string[] }>(
            `SELECT key FROM vecgate_range_keys WHERE collection_id = $1 AND kind = 'number'`,
            [id],
          )
        ).rows,
      (rows) => rows.some((r) => r.key[0] === 'n'),
    );
    await q.deletePayloadIndex(name, 'city');
    expect(Object.keys((await q.getCollection(name)).payload_schema)).toEqual(['n']);
    await expect(
      q.createPayloadIndex(name, { field_name: 'x', field_schema: 'vector' as never }),
    ).rejects.toMatchObject({
      status: 400,
    });
  });

  it('recommends from positive and negative examples (average_vector), leaving the examples out', async () => {
    const name = await seeded('Dot');
    const res = await raw().post(`/collections/${name}/points/recommend`, { positive: [1], negative: [2], limit: 2 });
    const legacy: { id: number | string }[] = res.body.result;
    expect(legacy.map((p) => p.id)).not.toContain(1);
    expect(legacy.map((p) => p.id)).not.toContain(2);
    // avg(+) + (avg(+) − avg(−)) = 2·v1 − v2
    const target = [0.05, 0.61, 0.76, 0.74].map((x, i) => 2 * x - [0.19, 0.81, 0.75, 0.11][i]);
    const direct = await q.query(name, { query: target, limit: 4 });
    expect(legacy.map((p) => p.id)).toEqual(
      direct.points
        .map((p) => p.id)
        .filter((id) => id !== 1 && id !== 2)
        .slice(0, 2),
    );
    const viaQuery = await q.query(name, { query: { recommend: { positive: [1], negative: [2] } }, limit: 2 });
    expect(viaQuery.points.map((p) => p.id)).toEqual(legacy.map((p) => p.id));
  });
});
