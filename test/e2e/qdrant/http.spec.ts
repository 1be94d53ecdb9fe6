import { ChromaClient } from 'chromadb';
import { ApiKeysService } from '../../../src/core/auth/api-keys.service';
import { gatewayForFile, http, startGateway, type TestGateway } from '../../support/gateway';
import { collectionName, expectQdrantError, qdrantHttp } from './qdrant-helpers';

/**
 * Qdrant's wire over plain HTTP: the envelope, errors in its shape and status codes, the port of
 * its own (whose paths the main port cannot reach), auth, and records shared with the other protocols.
 */
describe('Qdrant over HTTP', () => {
  const gw = gatewayForFile({ qdrantPort: 0 });
  const q = () => qdrantHttp(gw);

  async function collection(body: Record<string, unknown> = { vectors: { size: 3, distance: 'Dot' } }) {
    const name = collectionName('http');
    expect((await q().put(`/collections/${name}`, body)).status).toBe(200);
    return name;
  }

  it('wraps every answer in {result, status: "ok", time}', async () => {
    const name = await collection();
    const res = await q().put(`/collections/${name}/points?wait=true`, { points: [{ id: 1, vector: [1, 2, 3] }] });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body).toEqual({
      result: { operation_id: expect.any(Number), status: 'completed' },
      status: 'ok',
      time: expect.any(Number),
    });
    const acknowledged = await q().put(`/collections/${name}/points?wait=false`, {
      points: [{ id: 2, vector: [1, 2, 3] }],
    });
    expect(acknowledged.body.result.status).toBe('acknowledged');
    // Written all the same: vecgate commits before it answers.
    expect((await q().post(`/collections/${name}/points/count`, {})).body).toMatchObject({
      result: { count: 2 },
      status: 'ok',
    });
    expect((await q().get('/cluster')).body).toMatchObject({ result: { status: 'disabled' }, status: 'ok' });
    expect((await q().get('/telemetry')).body.result).toMatchObject({ app: { name: 'qdrant' } });
  });

  it('serves the gateway’s probes on its port (in Qdrant’s words), and Qdrant’s metrics', async () => {
    for (const probe of ['/healthz', '/livez', '/readyz']) expect((await q().get(probe)).status).toBe(200);
    const metrics = await q().get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/^app_info\{name="qdrant"/m);
  });

  it('keeps its paths off the main port, and the main port’s off its own', async () => {
    const name = await collection();
    expect((await http(gw.url, 'GET', `/_qdrant/collections/${name}`)).status).toBe(404);
    expect((await http(gw.url, 'GET', `/_QDRANT/collections`)).status).toBe(404);
    // The router decodes a path before matching it: no spelling of the prefix reaches its routes.
    for (const spelt of ['/%5Fqdrant', '/%5fqdrant', '/_qdr%61nt', '/%5F%71drant', '/_QDR%41NT']) {
      const res = await http(gw.url, 'GET', `${spelt}/collections/${name}`);
      expect([spelt, res.status, res.body]).toEqual([spelt, 404, { error: expect.stringMatching(/^Cannot GET /) }]);
      expect((await http(gw.url, 'DELETE', `${spelt}/collections/${name}`)).status).toBe(404);
    }
    expect((await q().get(`/collections/${name}`)).status).toBe(200);
    // The Vectorizer routes at /collections stay Vectorizer's on the main port.
    const vectorizer = await http(gw.url, 'GET', `/collections/${name}`);
    expect(vectorizer.body).not.toHaveProperty('result.config.params');
    expect((await q().get('/api/v2/heartbeat')).status).toBe(404);
    expectQdrantError(await q().get('/api/v2/heartbeat'), 404, /^Not found/);
  });

  it('serves no Qdrant route at all with QDRANT_PORT off, however the path is spelt', async () => {
    const off = await startGateway();
    try {
      expect(off.qdrantUrl).toBe('');
      for (const path of ['/_qdrant/collections', '/%5Fqdrant/collections', '/_qdr%61nt/collections']) {
        expect((await http(off.url, 'GET', path)).status).toBe(404);
        expect(
          (await http(off.url, 'PUT', `${path}/made-here`, { vectors: { size: 3, distance: 'Dot' } })).status,
        ).toBe(404);
      }
      // Nothing was made: Vectorizer's /collections on the same database lists no such collection.
      expect(JSON.stringify((await http(off.url, 'GET', '/collections')).body)).not.toContain('made-here');
    } finally {
      await off.close();
    }
  });

  it.each([
    ['a malformed body', 'PUT', '/collections/x', '{"vectors": ', 400, /^Json deserialize error/],
    [
      'an unknown distance',
      'PUT',
      '/collections/x',
      { vectors: { size: 3, distance: 'Hamming' } },
      400,
      /unknown variant "Hamming"/,
    ],
    [
      'a size of 0',
      'PUT',
      '/collections/x',
      { vectors: { size: 0, distance: 'Dot' } },
      400,
      /size must be a positive integer/,
    ],
    [
      'a multivector of an unknown comparator',
      'PUT',
      '/collections/x',
      { vectors: { size: 3, distance: 'Dot', multivector_config: { comparator: 'min_sim' } } },
      400,
      /unknown variant "min_sim"/,
    ],
    [
      'a name with a slash',
      'PUT',
      '/collections/a%2Fb',
      { vectors: { size: 3, distance: 'Dot' } },
      422,
      /^Validation error in path parameters: \[collection_name: collection name cannot contain "\/" char\]$/,
    ],
    [
      'an unknown collection',
      'POST',
      '/collections/nothing_here/points/query',
      { query: [1, 2, 3] },
      404,
      /^Not found: Collection `nothing_here` doesn't exist!$/,
    ],
  ])('answers %s (%s %s) with its status in Qdrant’s shape', async (_what, method, path, body, status, words) => {
    expectQdrantError(
      await http(gw.qdrantUrl, method as string, path as string, body),
      status as number,
      words as RegExp,
    );
  });

  it('refuses bad points, vectors, ids and filters with a 400 and writes nothing', async () => {
    const name = await collection();
    const bad: [unknown, RegExp][] = [
      [{ points: [{ id: 1, vector: [1, 2] }] }, /^Wrong input: Vector dimension error: expected dim: 3, got 2$/],
      [{ points: [{ id: -1, vector: [1, 2, 3] }] }, /not a valid point ID/],
      [{ points: [{ id: 'not-a-uuid', vector: [1, 2, 3] }] }, /Unable to parse UUID: not-a-uuid/],
      [{ points: [{ id: 1.5, vector: [1, 2, 3] }] }, /not a valid point ID/],
      [{ points: [{ id: 1, vector: [1, 'x', 3] }] }, /not a finite number/],
      [{ points: [{ id: 1, vector: { other: [1, 2, 3] } }] }, /^Wrong input: Not existing vector name error: other$/],
      [{ points: [{ id: 1, vector: [1, 2, 3], payload: [1] }] }, /payload must be a JSON object/],
      [
        {
          points: [
            { id: 1, vector: [1, 2, 3] },
            { id: 2, vector: [1, 2] },
          ],
        },
        /dimension/,
      ],
      [{ batch: { ids: [1, 2], vectors: [[1, 2, 3]] } }, /as long as batch.ids/],
      [{ points: 'x' }, /points/],
    ];
    for (const [body, words] of bad) expectQdrantError(await q().put(`/collections/${name}/points`, body), 400, words);
    expect((await q().post(`/collections/${name}/points/count`)).body.result.count).toBe(0);
    const filters: [unknown, RegExp][] = [
      [{ must: [{ key: 'a', match: { value: [1] } }] }, /match.value/],
      [{ must: [{ key: 'a', range: { gt: 'soon' } }] }, /accepted datetime format \(RFC3339\)/],
      [{ must: [{ key: 'a', geo_polygon: { exterior: { points: [] } } }] }, /the size must be at least 4, got 0/],
      [{ must: [{ key: 'a', geo_radius: { center: { lon: 0, lat: 91 }, radius: 1 } }] }, /lat must lie/],
      [{ must: [{ nested: { key: 'a', filter: { must: [{ has_id: [1] }] } } }] }, /inside nested/],
      [{ must: [{ nested: { key: 'a' } }] }, /nested takes/],
      [{ must: [{ key: '[].b', match: { value: 1 } }] }, /array path is written a\[\]\.b/],
      [{ must: [{ key: 'a[]b', match: { value: 1 } }] }, /array path is written a\[\]\.b/],
      [{ must: [{ is_empty: { key: 'a[0].b' } }] }, /array paths .* in field conditions only/],
      [{ must: [{ unknown: 1 }] }, /unknown condition/],
      [{ must: [{ has_id: ['nope'] }] }, /Unable to parse UUID/],
      [{ min_should: { conditions: [], min_count: -1 } }, /min_should/],
      ['x', /filter must be an object/],
    ];
    for (const [filter, words] of filters)
      expectQdrantError(await q().post(`/collections/${name}/points/scroll`, { filter }), 400, words);
  });

  it('bounds what one query may ask: searches in prefetches, MMR candidates, batch sizes', async () => {
    const name = await collection();
    await q().put(`/collections/${name}/points`, { points: [{ id: 1, vector: [1, 2, 3] }] });
    const leaf = { query: [1, 0, 0], limit: 5 };
    const nested = (depth: number): Record<string, unknown> =>
      depth === 0 ? leaf : { prefetch: [nested(depth - 1), nested(depth - 1)], query: { fusion: 'rrf' } };
    const path = `/collections/${name}/points/query`;
    expect((await q().post(path, { prefetch: [leaf, leaf], query: { fusion: 'rrf' } })).status).toBe(200);
    // Two at each of four levels: 30 searches, past the 16 one query may run.
    expectQdrantError(await q().post(path, { ...nested(4) }), 400, /at most 16 searches/);
    expectQdrantError(await q().post(path, { prefetch: Array(17).fill(leaf), query: { fusion: 'rrf' } }), 400, /16/);
    expectQdrantError(
      await q().post(path, { query: { nearest: [1, 0, 0], mmr: { candidates_limit: 5000 } } }),
      400,
      /at most 1000 candidates/,
    );
    expectQdrantError(
      await q().post(`/collections/${name}/points/query/batch`, { searches: Array(101).fill(leaf) }),
      400,
      /at most 100 searches/,
    );
    // Past the budget with an offset past half of it (a limit alone is taken as every point here: query-shapes.spec.ts).
    expectQdrantError(await q().post(path, { query: [1, 0, 0], limit: 5_000, offset: 6_000 }), 400, /at most 10000/);
  });

  it('takes hostile keys and values as plain data', async () => {
    const name = await collection();
    const payload = { "a'; DROP TABLE x; --": 1, __proto__x: 'y', 'k"\\': 'v\'"', nested: { '$.x': true } };
    await q().put(`/collections/${name}/points`, { points: [{ id: 7, vector: [1, 2, 3], payload }] });
    const found = await q().post(`/collections/${name}/points/scroll`, {
      filter: {
        must: [
          { key: "a'; DROP TABLE x; --", match: { value: 1 } },
          { key: 'k"\\', match: { value: 'v\'"' } },
        ],
      },
    });
    expect(found.body.result.points).toEqual([{ id: 7, payload }]);
    expect((await q().post(`/collections/${name}/points`, { ids: [7] })).body.result[0].payload).toEqual(payload);
  });

  it('shows a collection made through Qdrant to Chroma, and Chroma’s writes to Qdrant', async () => {
    const name = await collection({ vectors: { size: 3, distance: 'Euclid' } });
    await q().put(`/collections/${name}/points`, {
      points: [{ id: 5, vector: [1, 0, 0], payload: { from: 'qdrant' } }],
    });
    const chroma = new ChromaClient({ host: '127.0.0.1', port: gw.port });
    const c = await chroma.getCollection({ name });
    const got = await c.get({ ids: ['5'], include: ['embeddings', 'metadatas'] as never });
    expect(got.metadatas[0]).toEqual({ from: 'qdrant' });
    expect(Array.from(got.embeddings[0] as number[])).toEqual([1, 0, 0]);
    await c.add({ ids: ['c1'], embeddings: [[0, 1, 0]], metadatas: [{ from: 'chroma' }] });
    const seen = await q().post(`/collections/${name}/points/query`, {
      query: [0, 1, 0],
      limit: 1,
      with_payload: true,
    });
    expect(seen.body.result.points).toEqual([{ id: 'c1', version: 0, score: 0, payload: { from: 'chroma' } }]);
  });
});

describe('Qdrant with API keys', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({ auth: 'required', authFailuresPerSecond: 0, qdrantPort: 0 });
  });
  afterAll(() => gw.close());

  it('takes the key as api-key or a bearer token, refuses none or a wrong one with a 401, and scopes collections to the key’s tenant', async () => {
    const keys = gw.app.get(ApiKeysService);
    const a = await keys.create('tenant_a', null);
    const b = await keys.create('tenant_b', null);
    expectQdrantError(
      await qdrantHttp(gw).get('/collections'),
      401,
      /^Must provide an API key or an Authorization bearer token$/,
    );
    expectQdrantError(await qdrantHttp(gw, { 'api-key': 'nope' }).get('/collections'), 401, /^Invalid API key or JWT$/);
    const asA = qdrantHttp(gw, { 'api-key': a.key });
    const asB = qdrantHttp(gw, { authorization: `Bearer ${b.key}` });
    expect((await asA.put('/collections/mine', { vectors: { size: 2, distance: 'Dot' } })).status).toBe(200);
    expect((await asA.get('/collections')).body.result.collections).toEqual([{ name: 'mine' }]);
    expect((await asB.get('/collections')).body.result.collections).toEqual([]);
    expectQdrantError(await asB.get('/collections/mine'), 404, /doesn't exist/);
    // The probes stay open.
    expect((await qdrantHttp(gw).get('/readyz')).status).toBe(200);
  });
});
