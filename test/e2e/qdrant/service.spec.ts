import { ApiKeysService } from '../../../src/core/auth/api-keys.service';
import { gatewayForFile, http, startGateway, type TestGateway } from '../../support/gateway';
import { collectionName, expectQdrantError, qdrantClient, qdrantHttp } from './qdrant-helpers';

/**
 * Qdrant's service routes as its own tests see them: the probes in its plain-text words,
 * telemetry and Prometheus metrics over the collections, points and requests vecgate has, and
 * the issues routes.
 */
describe('Qdrant service routes', () => {
  const gw = gatewayForFile({ qdrantPort: 0 });
  const q = () => qdrantHttp(gw);

  async function filled(points = 3) {
    const name = collectionName('svc');
    expect(
      (
        await q().put(`/collections/${name}`, {
          vectors: { size: 2, distance: 'Dot' },
          sparse_vectors: { words: {} },
        })
      ).status,
    ).toBe(200);
    const upsert = await q().put(`/collections/${name}/points?wait=true`, {
      points: Array.from({ length: points }, (_, i) => ({
        id: i + 1,
        // The last point holds no sparse vector.
        vector: i === points - 1 ? { '': [1, i] } : { '': [1, i], words: { indices: [i], values: [1] } },
        payload: { n: i },
      })),
    });
    expect(upsert.status).toBe(200);
    return name;
  }

  it('answers the probes in Qdrant’s words on its port, and the gateway’s JSON on the main one', async () => {
    for (const probe of ['/healthz', '/livez']) {
      const res = await q().get(probe);
      expect([probe, res.status, res.text]).toEqual([probe, 200, 'healthz check passed']);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    }
    const ready = await q().get('/readyz');
    expect([ready.status, ready.text]).toEqual([200, 'all shards are ready']);
    expect((await http(gw.url, 'GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await http(gw.url, 'GET', '/readyz')).body).toEqual({ status: 'ready' });
    const client = await qdrantClient(gw);
    expect((await client.api().livez({})).status).toBe(200);
  });

  it('reports the collections, points, vectors and requests it has in telemetry, at each details level', async () => {
    const name = await filled(3);
    const client = await qdrantClient(gw);
    await client.scroll(name, { limit: 1 });
    const level0 = (await client.api().telemetry({})).data.result as any;
    expect(Object.keys(level0).sort()).toEqual(['app', 'cluster', 'collections', 'id', 'quota', 'requests']);
    expect(level0.collections).toEqual({ number_of_collections: expect.any(Number) });
    expect(level0.collections.number_of_collections).toBeGreaterThanOrEqual(1);
    const upserts = level0.requests.rest.responses['PUT /collections/{collection_name}/points']['200'];
    expect(upserts).toMatchObject({ count: expect.any(Number), avg_duration_micros: expect.any(Number) });
    expect(upserts.count).toBeGreaterThanOrEqual(1);
    expect(Date.parse(upserts.last_responded)).toBeGreaterThan(Date.now() - 600_000);
    expect(level0.requests.rest).not.toHaveProperty('per_collection_responses');

    const mine = (result: any) => result.collections.collections.find((c: any) => c.id === name);
    const level1 = (await q().get('/telemetry?details_level=1')).body.result;
    expect(level1.collections.collections.length).toBe(level1.collections.number_of_collections);
    // Level 1 aggregates: no id, the vectors counted (3 dense + 2 sparse).
    expect(level1.collections.collections).toContainEqual({
      vectors: 5,
      optimizers_status: 'ok',
      params: expect.objectContaining({ vectors: { size: 2, distance: 'Dot' } }),
    });
    const level4 = (await q().get('/telemetry?details_level=4')).body.result;
    const shard = mine(level4).shards[0];
    expect(shard.local).toMatchObject({
      num_points: 3,
      num_vectors: 5,
      num_vectors_by_name: { '': 3, words: 2 },
      vectors_size_bytes: 3 * 2 * 4,
      payloads_size_bytes: expect.any(Number),
    });
    expect(shard.local.segments).toHaveLength(1);
    expect(shard.local.segments[0].info).toMatchObject({ num_points: 3, num_vectors: 5 });

    const perCollection = (await q().get('/telemetry?per_collection=true')).body.result.requests.rest;
    expect(perCollection.per_collection_responses[name]['POST /collections/{collection_name}/points/scroll']).toEqual({
      '200': expect.objectContaining({ count: 1 }),
    });
    expectQdrantError(
      await q().get('/telemetry?timeout=0'),
      422,
      /^Validation error in query parameters: \[timeout: value 0 invalid, must be 1 or larger\]$/,
    );
  });

  it('serves Qdrant’s Prometheus metrics on its port, per collection when asked', async () => {
    const name = await filled(2);
    await q().post(`/collections/${name}/points/scroll`, { limit: 1 });
    const res = await q().get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.text).toContain('# TYPE app_info gauge\napp_info{name="qdrant",version="1.19.0"} 1\n');
    expect(res.text).toMatch(/^collections_total \d+$/m);
    expect(res.text).toContain(`collection_points{id="${name}"} 2\n`);
    expect(res.text).toContain(`collection_vectors{collection="${name}",vector="words"} 1\n`);
    expect(res.text).toMatch(
      /^rest_responses_total\{method="POST",endpoint="\/collections\/\{collection_name\}\/points\/scroll",status="200"\} \d+$/m,
    );
    expect(res.text).not.toMatch(/^rest_responses_\w+\{[^}]*collection=/m);
    // The gateway's own metrics stay on the main port.
    expect(res.text).not.toContain('vecgate_http_requests_total');
    expect((await http(gw.url, 'GET', '/metrics')).text).toContain('vecgate_http_requests_total');
    const per = await q().get('/metrics?per_collection=true');
    expect(per.text).toContain(
      `rest_responses_total{method="POST",endpoint="/collections/{collection_name}/points/scroll",status="200",collection="${name}"} 1\n`,
    );
    const client = await qdrantClient(gw);
    expect((await client.api().metrics({})).status).toBe(200);
  });

  it('lists no issues, and clears them', async () => {
    expect((await q().get('/issues')).body).toMatchObject({ result: { issues: [] }, status: 'ok' });
    expect((await q().del('/issues')).body).toMatchObject({ result: true, status: 'ok' });
  });
});

describe('Qdrant telemetry and metrics with API keys', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({ auth: 'required', authFailuresPerSecond: 0, qdrantPort: 0 });
  });
  afterAll(() => gw.close());

  it('needs a key for metrics and telemetry, and shows a key its own collections and requests only', async () => {
    const keys = gw.app.get(ApiKeysService);
    const a = await keys.create('tenant_tel_a', null);
    const b = await keys.create('tenant_tel_b', null);
    const asA = qdrantHttp(gw, { 'api-key': a.key });
    const asB = qdrantHttp(gw, { 'api-key': b.key });
    expect((await asA.put('/collections/secret_a', { vectors: { size: 2, distance: 'Dot' } })).status).toBe(200);
    expect(
      (await asA.put('/collections/secret_a/points?wait=true', { points: [{ id: 1, vector: [1, 2] }] })).status,
    ).toBe(200);
    expectQdrantError(await qdrantHttp(gw).get('/metrics'), 401, /^Must provide an API key/);
    expectQdrantError(await qdrantHttp(gw).get('/telemetry'), 401, /^Must provide an API key/);
    // The probes stay open, in Qdrant's words.
    expect((await qdrantHttp(gw).get('/healthz')).text).toBe('healthz check passed');

    const metricsA = (await asA.get('/metrics?per_collection=true')).text;
    expect(metricsA).toContain('collection_points{id="secret_a"} 1\n');
    expect(metricsA).toContain('collection="secret_a"');
    const metricsB = (await asB.get('/metrics?per_collection=true')).text;
    expect(metricsB).not.toContain('secret_a');
    expect(metricsB).toMatch(/^collections_total 0$/m);
    expect(metricsB).not.toMatch(/rest_responses_total\{method="PUT"/);

    const telB = (await asB.get('/telemetry?details_level=4&per_collection=true')).body.result;
    expect(JSON.stringify(telB)).not.toContain('secret_a');
    expect(telB.collections.number_of_collections).toBe(0);
    expect(telB.requests.rest.responses).not.toHaveProperty(['PUT /collections/{collection_name}/points']);
    // The node's memory is what Qdrant shows a token with global access only.
    expect(telB).not.toHaveProperty('memory');
    const telA = (await asA.get('/telemetry')).body.result;
    expect(telA.collections.number_of_collections).toBe(1);
    expect(telA.requests.rest.responses['PUT /collections/{collection_name}/points']['200'].count).toBe(1);
  });
});
