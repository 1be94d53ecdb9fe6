import { gatewayForFile } from '../../support/gateway';
import { collectionName, expectQdrantError, qdrantClient, qdrantHttp } from './qdrant-helpers';

/** The whole error text, matched as it is (no pattern in it). */
function exactly(words: string): RegExp {
  const escaped = words.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp('^' + escaped + '$');
}

const COUNTRY = {
  country: {
    name: 'Germany',
    capital: 'Berlin',
    cities: [
      { name: 'Berlin', population: 3.7, sightseeing: ['Brandenburg Gate'] },
      { name: 'Munich', population: 1.5 },
    ],
  },
  'a.b': 1,
  tag: 'x',
};

/**
 * Shapes Qdrant 1.19's own REST tests check (issue 52): payload selectors over JSON paths, vector
 * names a read asks for, lookup_from's order of errors, is_null on array paths, collection
 * metadata, the optimizations route, telemetry's features and sparse vectors' validation words.
 */
describe('Qdrant shapes its own tests check', () => {
  const gw = gatewayForFile({ qdrantPort: 0 });

  it('selects payload by Qdrant JSON paths: a[].b, a."b.c", include and exclude', async () => {
    const q = await qdrantClient(gw);
    const name = collectionName('selector');
    await q.createCollection(name, { vectors: { size: 2, distance: 'Dot' } });
    await q.upsert(name, { wait: true, points: [{ id: 1, vector: [1, 0], payload: COUNTRY }] });
    const payload = async (with_payload: unknown) =>
      (await q.scroll(name, { with_payload: with_payload as never })).points[0].payload;
    expect(await payload({ include: ['country.cities[].name'] })).toEqual({
      country: { cities: [{ name: 'Berlin' }, { name: 'Munich' }] },
    });
    expect(await payload({ include: ['country.name', 'tag'] })).toEqual({ country: { name: 'Germany' }, tag: 'x' });
    expect(await payload({ include: ['"a.b"'] })).toEqual({ 'a.b': 1 });
    expect(await payload({ exclude: ['country.cities'] })).toEqual({
      country: { name: 'Germany', capital: 'Berlin' },
      'a.b': 1,
      tag: 'x',
    });
    expect(await payload({ exclude: ['country.cities[].sightseeing', 'country.name', 'tag', '"a.b"'] })).toEqual({
      country: {
        capital: 'Berlin',
        cities: [
          { name: 'Berlin', population: 3.7 },
          { name: 'Munich', population: 1.5 },
        ],
      },
    });
    const http = qdrantHttp(gw);
    expectQdrantError(
      await http.post(`/collections/${name}/points/scroll`, { with_payload: { include: ['country[x'] } }),
      400,
      /^Format error in JSON body: .*invalid JSON path/,
    );
  });

  it('refuses a vector name the collection lacks once a point is read, and orders lookup_from errors', async () => {
    const http = qdrantHttp(gw);
    const here = collectionName('names_here');
    const there = collectionName('names_there');
    await http.put(`/collections/${here}`, { vectors: { size: 2, distance: 'Dot' } });
    await http.put(`/collections/${there}`, { vectors: { other: { size: 2, distance: 'Dot' } } });
    // No point read: nothing to refuse.
    expect((await http.post(`/collections/${here}/points/scroll`, { with_vector: ['nope'] })).status).toBe(200);
    await http.put(`/collections/${here}/points?wait=true`, { points: [{ id: 1, vector: [1, 0] }] });
    await http.put(`/collections/${there}/points?wait=true`, { points: [{ id: 1, vector: { other: [0, 1] } }] });
    expectQdrantError(
      await http.post(`/collections/${here}/points`, { ids: [1], with_vector: ['', 'nope'] }),
      400,
      exactly('Wrong input: Not existing vector name error: nope'),
    );
    const reco = (id: number, vector: string) =>
      http.post(`/collections/${here}/points/query`, {
        query: { recommend: { positive: [id] } },
        lookup_from: { collection: there, vector },
      });
    expectQdrantError(await reco(2, 'unknown'), 404, exactly('Not found: No point with id 2 found'));
    expectQdrantError(await reco(1, 'unknown'), 400, exactly('Wrong input: Not existing vector name error: unknown'));
    const found = await reco(1, 'other');
    expect(found.status).toBe(200);
    expect(found.body.result.points.map((p: { id: number }) => p.id)).toEqual([1]);
  });

  it('reads is_null on an array path as the field condition does', async () => {
    const q = await qdrantClient(gw);
    const name = collectionName('is_null_arr');
    await q.createCollection(name, { vectors: { size: 2, distance: 'Dot' } });
    await q.upsert(name, {
      wait: true,
      points: [
        { id: 1, vector: [1, 0], payload: { city: ['Berlin'] } },
        { id: 2, vector: [1, 0], payload: { city: null } },
        { id: 3, vector: [1, 0], payload: {} },
      ],
    });
    const ids = async (filter: Record<string, unknown>) =>
      (await q.scroll(name, { filter })).points.map((p) => p.id).sort();
    const short = await ids({ must_not: [{ is_null: { key: 'city[]' } }] });
    expect(short).toEqual(await ids({ must: [{ key: 'city[]', is_null: false }] }));
    expect(short).toEqual(await ids({ must_not: [{ is_null: { key: 'city' } }] }));
  });

  it('keeps collection metadata: taken at create, merged by updates (a null removes a key)', async () => {
    const http = qdrantHttp(gw);
    const name = collectionName('metadata');
    await http.put(`/collections/${name}`, { vectors: { size: 2, distance: 'Dot' }, metadata: { a: 1 } });
    expect((await http.get(`/collections/${name}`)).body.result.config.metadata).toEqual({ a: 1 });
    await http.patch(`/collections/${name}`, { metadata: { b: { deep: true } } });
    await http.patch(`/collections/${name}`, { metadata: { a: null, c: 'x' } });
    expect((await http.get(`/collections/${name}`)).body.result.config.metadata).toEqual({ b: { deep: true }, c: 'x' });
    const plain = collectionName('no_metadata');
    await http.put(`/collections/${plain}`, { vectors: { size: 2, distance: 'Dot' } });
    expect((await http.get(`/collections/${plain}`)).body.result.config).not.toHaveProperty('metadata');
    expectQdrantError(
      await http.patch(`/collections/${name}`, { metadata: [1] }),
      400,
      /metadata must be a JSON object/,
    );
  });

  it('answers the optimizations route: nothing runs, the one table is idle', async () => {
    const http = qdrantHttp(gw);
    const name = collectionName('optimizations');
    await http.put(`/collections/${name}`, { vectors: { size: 2, distance: 'Dot' } });
    await http.put(`/collections/${name}/points?wait=true`, {
      points: [
        { id: 1, vector: [1, 0] },
        { id: 2, vector: [0, 1] },
      ],
    });
    const plain = await http.get(`/collections/${name}/optimizations`);
    expect(plain.status).toBe(200);
    expect(plain.body.result).toEqual({
      summary: { queued_optimizations: 0, queued_segments: 0, queued_points: 0, idle_segments: 1 },
      running: [],
    });
    const all = await http.get(`/collections/${name}/optimizations?with=queued%20,%20completed%20,idle_segments`);
    expect(all.body.result).toMatchObject({
      running: [],
      queued: [],
      completed: [],
      idle_segments: [{ uuid: expect.any(String), points_count: 2 }],
    });
    expectQdrantError(
      await http.get(`/collections/${name}/optimizations?with=queued,later`),
      400,
      exactly("Wrong input: Unknown field in 'with' parameter: later"),
    );
    expectQdrantError(await http.get(`/collections/${name}_none/optimizations`), 404, /doesn't exist/);
  });

  it("keeps a sparse vector's index settings through an update", async () => {
    const http = qdrantHttp(gw);
    const name = collectionName('sparse_update');
    await http.put(`/collections/${name}`, {
      sparse_vectors: { text: { index: { on_disk: false } }, other: { modifier: 'idf' } },
    });
    const sparse = async () => (await http.get(`/collections/${name}`)).body.result.config.params.sparse_vectors;
    expect((await sparse()).text.index.on_disk).toBe(false);
    const patched = await http.patch(`/collections/${name}`, {
      sparse_vectors: {
        text: { index: { on_disk: true, full_scan_threshold: null } },
        other: { index: { on_disk: true } },
      },
    });
    expect(patched.status).toBe(200);
    expect(await sparse()).toEqual({
      text: { index: { on_disk: true } },
      other: { modifier: 'idf', index: { on_disk: true } },
    });
  });

  it('refuses an integer index with neither lookup nor range, as Qdrant validates it', async () => {
    const http = qdrantHttp(gw);
    const name = collectionName('int_index');
    await http.put(`/collections/${name}`, { vectors: { size: 2, distance: 'Dot' } });
    const index = (params: Record<string, boolean>) =>
      http.put(`/collections/${name}/index?wait=true`, {
        field_name: 'n',
        field_schema: { type: 'integer', ...params },
      });
    expectQdrantError(
      await index({ lookup: false, range: false }),
      422,
      exactly(
        "Validation error in JSON body: [field_schema.lookup: Validation error: the 'lookup' and 'range' capabilities can't be both disabled [{}]]",
      ),
    );
    expect((await http.get(`/collections/${name}`)).body.result.payload_schema).toEqual({});
    expect((await index({ lookup: false, range: true })).status).toBe(200);
  });

  it("shows telemetry's build features, none of them on", async () => {
    const res = await qdrantHttp(gw).get('/telemetry?details_level=10');
    expect(res.body.result.app.features).toEqual({
      debug: false,
      service_debug_feature: false,
      recovery_mode: false,
      gpu: false,
      rocksdb: false,
      staging: false,
    });
  });

  it("validates sparse vectors and their names in Qdrant's words", async () => {
    const http = qdrantHttp(gw);
    const name = collectionName('sparse_words');
    await http.put(`/collections/${name}`, { sparse_vectors: { text: {} } });
    const put = (text: unknown) =>
      http.put(`/collections/${name}/points?wait=true`, { points: [{ id: 1, vector: { text } }] });
    expectQdrantError(
      await put({ indices: [1, 2], values: [0.1, 0.2, 0.3] }),
      422,
      exactly(
        'Validation error in JSON body: [points[0].vector.?.values: Validation error: must be the same length as indices [{}]]',
      ),
    );
    expectQdrantError(
      await put({ indices: [1, 1], values: [0.1, 0.2] }),
      422,
      exactly('Validation error in JSON body: [points[0].vector.?.indices: Validation error: must be unique [{}]]'),
    );
    expectQdrantError(
      await http.put(`/collections/${name}_t4`, { sparse_vectors: { text: { index: { datatype: 'turbo4' } } } }),
      422,
      /sparse vectors do not support the `turbo4` datatype/,
    );
    expectQdrantError(
      await http.put(`/collections/${name}_empty`, {
        vectors: { size: 2, distance: 'Dot' },
        sparse_vectors: { '': {} },
      }),
      400,
      exactly('Wrong input: Sparse vector name cannot be empty'),
    );
    expectQdrantError(
      await http.put(`/collections/${name}_dup`, {
        vectors: { image: { size: 2, distance: 'Dot' } },
        sparse_vectors: { image: {} },
      }),
      400,
      exactly("Wrong input: Dense and sparse vector names must be unique - duplicate found with 'image'"),
    );
    expect((await http.get(`/collections/${name}_t4/exists`)).body.result.exists).toBe(false);
  });
});
