import { loadConfig } from '../../../src/config/load-config';
import { http, startGateway, type TestGateway, gatewayForFile } from '../../support/gateway';

/**
 * Pinecone over raw HTTP, as older clients (≤ 2025-10, Pinecone Local, curl from the docs) and the
 * 2026-07 client shape their bodies: both create-index shapes and the union IndexModel, the host a
 * client is told to use, and each data-plane call's wire answer.
 */
const SERVERLESS = { serverless: { cloud: 'aws', region: 'us-east-1' } };
const OLD_HEADERS = { 'X-Pinecone-API-Version': '2025-04', 'Api-Key': 'YOUR_API_KEY' };
/** A serverless index's read capacity when none was asked for (2025-10 and later). */
const ON_DEMAND = { mode: 'OnDemand', status: { state: 'Ready', current_replicas: null, current_shards: null } };
const SERVERLESS_MODEL = { serverless: { ...SERVERLESS.serverless, read_capacity: ON_DEMAND } };

describe('Pinecone over HTTP', () => {
  const gw = gatewayForFile();

  const post = (path: string, body: unknown, headers?: Record<string, string>) =>
    http(gw.url, 'POST', path, body, headers);
  const get = (path: string, headers?: Record<string, string>) => http(gw.url, 'GET', path, undefined, headers);

  async function createIndex(body: Record<string, unknown>): Promise<any> {
    const res = await post('/indexes', body);
    expect(res.status).toBe(201);
    return res.body;
  }

  async function ids(index: string, namespace?: string): Promise<string[]> {
    const res = await get(
      `/indexes/${index}/vectors/list${namespace === undefined ? '' : `?namespace=${encodeURIComponent(namespace)}`}`,
    );
    expect(res.status).toBe(200);
    return res.body.vectors.map((v: { id: string }) => v.id);
  }

  describe('control plane', () => {
    it('creates a dense index from the legacy body and answers 201 with the union IndexModel', async () => {
      const res = await post('/indexes', {
        name: 'legacy-dense',
        dimension: 3,
        metric: 'euclidean',
        spec: { serverless: { cloud: 'gcp', region: 'europe-west4' } },
        vector_type: 'dense',
        deletion_protection: 'disabled',
        tags: { env: 'test', team: 'search' },
      });
      expect(res.status).toBe(201);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.body).toEqual({
        name: 'legacy-dense',
        host: `${gw.url}/indexes/legacy-dense`,
        status: { ready: true, state: 'Ready' },
        deployment: { deployment_type: 'managed', cloud: 'gcp', region: 'europe-west4' },
        schema: { fields: { _values: { type: 'dense_vector', dimension: 3, metric: 'euclidean' } } },
        read_capacity: ON_DEMAND,
        deletion_protection: 'disabled',
        tags: { env: 'test', team: 'search' },
        dimension: 3,
        metric: 'euclidean',
        vector_type: 'dense',
        spec: { serverless: { cloud: 'gcp', region: 'europe-west4', read_capacity: ON_DEMAND } },
      });
      expect((await get('/indexes/legacy-dense')).body).toEqual(res.body);
    });

    it('creates a dense index from the 2026-07 body with the same union IndexModel', async () => {
      const model = await createIndex({
        name: 'new-dense',
        deployment: { deployment_type: 'managed', cloud: 'aws', region: 'us-east-1' },
        schema: { fields: { _values: { type: 'dense_vector', dimension: 4, metric: 'dotproduct' } } },
      });
      expect(model).toEqual({
        name: 'new-dense',
        host: `${gw.url}/indexes/new-dense`,
        status: { ready: true, state: 'Ready' },
        deployment: { deployment_type: 'managed', cloud: 'aws', region: 'us-east-1' },
        schema: { fields: { _values: { type: 'dense_vector', dimension: 4, metric: 'dotproduct' } } },
        read_capacity: ON_DEMAND,
        deletion_protection: 'disabled',
        tags: null,
        dimension: 4,
        metric: 'dotproduct',
        vector_type: 'dense',
        spec: SERVERLESS_MODEL,
      });
    });

    it('creates a sparse index from the legacy body: dotproduct, no dimension', async () => {
      const model = await createIndex({
        name: 'legacy-sparse',
        vector_type: 'sparse',
        metric: 'dotproduct',
        spec: SERVERLESS,
      });
      expect(model).toEqual({
        name: 'legacy-sparse',
        host: `${gw.url}/indexes/legacy-sparse`,
        status: { ready: true, state: 'Ready' },
        deployment: { deployment_type: 'managed', cloud: 'aws', region: 'us-east-1' },
        schema: { fields: { _sparse_values: { type: 'sparse_vector', metric: 'dotproduct' } } },
        read_capacity: ON_DEMAND,
        deletion_protection: 'disabled',
        tags: null,
        metric: 'dotproduct',
        vector_type: 'sparse',
        spec: SERVERLESS_MODEL,
      });
    });

    it('creates a sparse index from the 2026-07 body, with or without a metric', async () => {
      const withMetric = await createIndex({
        name: 'new-sparse',
        deployment: { deployment_type: 'managed', cloud: 'aws', region: 'us-east-1' },
        schema: { fields: { _sparse_values: { type: 'sparse_vector', metric: 'dotproduct' } } },
      });
      const without = await createIndex({
        name: 'new-sparse-default',
        deployment: { deployment_type: 'managed', cloud: 'aws', region: 'us-east-1' },
        schema: { fields: { _sparse_values: { type: 'sparse_vector' } } },
      });
      for (const model of [withMetric, without]) {
        expect(model.vector_type).toBe('sparse');
        expect(model.metric).toBe('dotproduct');
        expect(model.schema).toEqual({ fields: { _sparse_values: { type: 'sparse_vector', metric: 'dotproduct' } } });
        expect(model).not.toHaveProperty('dimension');
        expect(model.spec).toEqual(SERVERLESS_MODEL);
      }
    });

    it('defaults the metric to cosine in both shapes', async () => {
      const legacy = await createIndex({ name: 'default-metric-legacy', dimension: 2, spec: SERVERLESS });
      const modern = await createIndex({
        name: 'default-metric-new',
        deployment: { deployment_type: 'managed', cloud: 'aws', region: 'us-east-1' },
        schema: { fields: { _values: { type: 'dense_vector', dimension: 2 } } },
      });
      for (const model of [legacy, modern]) {
        expect(model.metric).toBe('cosine');
        expect(model.schema.fields._values).toEqual({ type: 'dense_vector', dimension: 2, metric: 'cosine' });
        expect(model.vector_type).toBe('dense');
      }
    });

    it('keeps a legacy pod spec as a pod deployment, and reports it back as a pod spec', async () => {
      const pod = { environment: 'us-east1-gcp', pod_type: 'p1.x1', pods: 1, replicas: 1, shards: 1 };
      const model = await createIndex({ name: 'legacy-pod', dimension: 8, metric: 'cosine', spec: { pod } });
      expect(model.deployment).toMatchObject({
        deployment_type: 'pod',
        environment: 'us-east1-gcp',
        pod_type: 'p1.x1',
      });
      // A pod index describes itself with the pod spec it was created with (replicas, shards, pods included).
      expect(model.spec).toEqual({ pod: expect.objectContaining(pod) });
      expect(model.dimension).toBe(8);
    });

    it('accepts a 45-character name and digits at both ends', async () => {
      const name = `1${'a-b'.repeat(14)}c1`;
      expect(name.length).toBe(45);
      const model = await createIndex({ name, dimension: 2, spec: SERVERLESS });
      expect(model.name).toBe(name);
      expect((await http(gw.url, 'DELETE', `/indexes/${name}`)).status).toBe(202);
    });

    it('lists every index in the same model as describe', async () => {
      const res = await get('/indexes');
      expect(res.status).toBe(200);
      const names = res.body.indexes.map((m: { name: string }) => m.name);
      expect(names).toEqual(expect.arrayContaining(['legacy-dense', 'new-dense', 'legacy-sparse', 'new-sparse']));
      for (const model of res.body.indexes) expect((await get(`/indexes/${model.name}`)).body).toEqual(model);
    });

    it('ignores X-Forwarded-Proto and X-Forwarded-Host from a client that is no trusted proxy', async () => {
      const headers = { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'attacker.example' };
      expect((await get('/indexes/legacy-dense', headers)).body.host).toBe(`${gw.url}/indexes/legacy-dense`);
    });

    it('gives a host with an http:// scheme that serves the index data plane', async () => {
      const model = await createIndex({ name: 'via-host', dimension: 2, metric: 'dotproduct', spec: SERVERLESS });
      expect(model.host).toMatch(/^http:\/\//);
      const up = await fetch(`${model.host}/vectors/upsert`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ vectors: [{ id: 'x', values: [1, 2] }] }),
      });
      expect(up.status).toBe(200);
      expect(await up.json()).toEqual({ upsertedCount: 1 });
    });

    it('configures deletion protection and tags; deletes with 202 and an empty body', async () => {
      const model = await createIndex({
        name: 'to-delete',
        dimension: 2,
        deletion_protection: 'enabled',
        tags: { a: '1', b: '2' },
        spec: SERVERLESS,
      });
      expect(model.deletion_protection).toBe('enabled');
      expect((await http(gw.url, 'DELETE', '/indexes/to-delete')).status).toBe(403);
      const patched = await http(gw.url, 'PATCH', '/indexes/to-delete', {
        deletion_protection: 'disabled',
        tags: { a: '', c: '3' },
      });
      expect([200, 202]).toContain(patched.status);
      expect(patched.body.deletion_protection).toBe('disabled');
      expect(patched.body.tags).toEqual({ b: '2', c: '3' });
      expect((await get('/indexes/to-delete')).body).toEqual(patched.body);
      const deleted = await http(gw.url, 'DELETE', '/indexes/to-delete');
      expect(deleted.status).toBe(202);
      expect(deleted.text).toBe('');
      expect((await get('/indexes/to-delete')).status).toBe(404);
      expect((await get('/indexes')).body.indexes.map((m: { name: string }) => m.name)).not.toContain('to-delete');
    });

    it('can reuse the name of a deleted index, with no records left over', async () => {
      await createIndex({ name: 'reborn', dimension: 2, spec: SERVERLESS });
      await post('/indexes/reborn/vectors/upsert', { vectors: [{ id: 'old', values: [1, 1] }] });
      expect((await http(gw.url, 'DELETE', '/indexes/reborn')).status).toBe(202);
      const model = await createIndex({ name: 'reborn', dimension: 3, spec: SERVERLESS });
      expect(model.dimension).toBe(3);
      expect(await ids('reborn')).toEqual([]);
    });
  });

  describe('behind a trusted proxy (VECGATE_TRUSTED_PROXIES)', () => {
    let proxied: TestGateway;
    beforeAll(async () => {
      proxied = await startGateway({ trustedProxies: ['loopback'] });
      await http(proxied.url, 'POST', '/indexes', { name: 'behind', dimension: 2, spec: SERVERLESS });
    });
    afterAll(() => proxied.close());

    it('honours X-Forwarded-Proto and X-Forwarded-Host in host, the first of a chain', async () => {
      const get = (headers: Record<string, string>) => http(proxied.url, 'GET', '/indexes/behind', undefined, headers);
      const headers = { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'vectors.internal.example:8443' };
      expect((await get(headers)).body.host).toBe('https://vectors.internal.example:8443/indexes/behind');
      const listed = (await http(proxied.url, 'GET', '/indexes', undefined, headers)).body.indexes.find(
        (m: { name: string }) => m.name === 'behind',
      );
      expect(listed.host).toBe('https://vectors.internal.example:8443/indexes/behind');
      const chained = await get({
        'X-Forwarded-Proto': 'https, http',
        'X-Forwarded-Host': 'edge.example.com, lb.internal',
      });
      expect(chained.body.host).toBe('https://edge.example.com/indexes/behind');
    });

    it('refuses a VECGATE_TRUSTED_PROXIES that is no address', () => {
      expect(loadConfig({ VECGATE_TRUSTED_PROXIES: '127.0.0.1, ::1/128, loopback' }).trustedProxies).toEqual([
        '127.0.0.1',
        '::1/128',
        'loopback',
      ]);
      expect(() => loadConfig({ VECGATE_TRUSTED_PROXIES: 'not an address' })).toThrow(/VECGATE_TRUSTED_PROXIES/);
    });
  });

  describe('public URL', () => {
    let pub: TestGateway;
    beforeAll(async () => {
      pub = await startGateway({ publicUrl: 'https://vec.example.com' });
    });
    afterAll(() => pub.close());

    it('gives PUBLIC_URL as the host base, over any forwarded headers', async () => {
      const res = await http(pub.url, 'POST', '/indexes', { name: 'pub', dimension: 2, spec: SERVERLESS });
      expect(res.status).toBe(201);
      expect(res.body.host).toBe('https://vec.example.com/indexes/pub');
      const forwarded = await http(pub.url, 'GET', '/indexes/pub', undefined, {
        'X-Forwarded-Proto': 'http',
        'X-Forwarded-Host': 'other.example',
      });
      expect(forwarded.body.host).toBe('https://vec.example.com/indexes/pub');
      expect((await http(pub.url, 'GET', '/indexes')).body.indexes[0].host).toBe('https://vec.example.com/indexes/pub');
    });

    it('keeps a PUBLIC_URL path prefix and drops its trailing slash', () => {
      expect(loadConfig({ PUBLIC_URL: 'https://vec.example.com/gateway/' }).publicUrl).toBe(
        'https://vec.example.com/gateway',
      );
    });
  });

  describe('data plane', () => {
    beforeAll(async () => {
      await createIndex({ name: 'docs', dimension: 3, metric: 'cosine', spec: SERVERLESS });
      await createIndex({ name: 'dot', dimension: 2, metric: 'dotproduct', spec: SERVERLESS });
      await createIndex({ name: 'l2', dimension: 2, metric: 'euclidean', spec: SERVERLESS });
      await createIndex({ name: 'sparse', vector_type: 'sparse', metric: 'dotproduct', spec: SERVERLESS });
    });

    it("runs the delete docs' examples as sent by curl with X-Pinecone-API-Version 2025-04", async () => {
      const genres = ['documentary', 'drama', 'documentary', 'comedy', 'drama'];
      const vectors = genres.map((genre, k) => ({ id: `id-${k + 1}`, values: [1, k, 0], metadata: { genre } }));
      const up = await post('/indexes/docs/vectors/upsert', { vectors, namespace: 'example-namespace' }, OLD_HEADERS);
      expect(up.status).toBe(200);
      expect(up.body).toEqual({ upsertedCount: 5 });

      const byIds = await post(
        '/indexes/docs/vectors/delete',
        { ids: ['id-1', 'id-2'], namespace: 'example-namespace' },
        OLD_HEADERS,
      );
      expect(byIds.status).toBe(200);
      expect(byIds.headers.get('content-type')).toMatch(/^application\/json/);
      expect(byIds.text).toBe('{}');
      expect(await ids('docs', 'example-namespace')).toEqual(['id-3', 'id-4', 'id-5']);

      const byFilter = await post(
        '/indexes/docs/vectors/delete',
        { filter: { genre: { $eq: 'documentary' } }, namespace: 'example-namespace' },
        OLD_HEADERS,
      );
      expect(byFilter.status).toBe(200);
      expect(byFilter.body).toEqual({});
      expect(await ids('docs', 'example-namespace')).toEqual(['id-4', 'id-5']);

      const all = await post(
        '/indexes/docs/vectors/delete',
        { deleteAll: true, namespace: 'example-namespace' },
        OLD_HEADERS,
      );
      expect(all.status).toBe(200);
      expect(all.body).toEqual({});
      expect(await ids('docs', 'example-namespace')).toEqual([]);
      // "delete all of the records in a namespace but not the namespace itself"
      const ns = await get('/indexes/docs/namespaces/example-namespace', OLD_HEADERS);
      expect(ns.status).toBe(200);
      expect(ns.body.name).toBe('example-namespace');
      expect(Number(ns.body.record_count)).toBe(0);
    });

    it('treats namespace "" and "__default__" as one namespace, reported as __default__', async () => {
      await post('/indexes/docs/vectors/upsert', { vectors: [{ id: 'empty-ns', values: [1, 0, 0] }], namespace: '' });
      await post('/indexes/docs/vectors/upsert', {
        vectors: [{ id: 'default-ns', values: [0, 1, 0] }],
        namespace: '__default__',
      });
      await post('/indexes/docs/vectors/upsert', { vectors: [{ id: 'no-ns', values: [0, 0, 1] }] });
      for (const q of ['', '&namespace=', '&namespace=__default__']) {
        const res = await get(`/indexes/docs/vectors/fetch?ids=empty-ns&ids=default-ns&ids=no-ns${q}`);
        expect(Object.keys(res.body.vectors).sort()).toEqual(['default-ns', 'empty-ns', 'no-ns']);
      }
      expect(await ids('docs', '')).toEqual(['default-ns', 'empty-ns', 'no-ns']);
      expect(await ids('docs', '__default__')).toEqual(['default-ns', 'empty-ns', 'no-ns']);
      for (const namespace of ['', '__default__']) {
        const q = await post('/indexes/docs/query', { vector: [1, 1, 1], topK: 10, namespace });
        expect(q.body.matches.map((m: { id: string }) => m.id).sort()).toEqual(['default-ns', 'empty-ns', 'no-ns']);
      }
      const stats = await get('/indexes/docs/describe_index_stats');
      expect(stats.body.namespaces.__default__).toEqual({ vectorCount: 3 });
      expect(stats.body.namespaces).not.toHaveProperty('');
      const deleted = await post('/indexes/docs/vectors/delete', { ids: ['empty-ns'], namespace: '__default__' });
      expect(deleted.status).toBe(200);
      await post('/indexes/docs/vectors/delete', { ids: ['default-ns'], namespace: '' });
      expect(await ids('docs')).toEqual(['no-ns']);
      await post('/indexes/docs/vectors/delete', { deleteAll: true, namespace: '' });
      expect(await ids('docs', '__default__')).toEqual([]);
    });

    it('answers upsert with upsertedCount and replaces whole records', async () => {
      const first = await post('/indexes/docs/vectors/upsert', {
        vectors: [
          { id: 'r1', values: [1, 0, 0], metadata: { a: 'x', b: 'y' } },
          { id: 'r2', values: [0, 1, 0], metadata: { a: 'z' } },
        ],
        namespace: 'replace',
      });
      expect(first.body).toEqual({ upsertedCount: 2 });
      const second = await post('/indexes/docs/vectors/upsert', {
        vectors: [{ id: 'r1', values: [0, 0, 1], metadata: { c: 'w' } }],
        namespace: 'replace',
      });
      expect(second.body).toEqual({ upsertedCount: 1 });
      const res = await get('/indexes/docs/vectors/fetch?ids=r1&namespace=replace');
      expect(res.body).toEqual({
        vectors: { r1: { id: 'r1', values: [0, 0, 1], metadata: { c: 'w' } } },
        namespace: 'replace',
        usage: expect.any(Object),
      });
    });

    it('lists ids in byte order, omitting pagination on the last page', async () => {
      const list = ['é', 'a', 'B', '_', 'a0', 'Z', '~', '0', 'ab'];
      await post('/indexes/docs/vectors/upsert', {
        vectors: list.map((id) => ({ id, values: [1, 1, 1] })),
        namespace: 'order',
      });
      const cOrder = [...list].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      expect(cOrder).toEqual(['0', 'B', 'Z', '_', 'a', 'a0', 'ab', '~', 'é']);

      const whole = await get('/indexes/docs/vectors/list?namespace=order');
      expect(whole.status).toBe(200);
      expect(whole.body.vectors).toEqual(cOrder.map((id) => ({ id })));
      expect(whole.body.namespace).toBe('order');
      expect(whole.body).not.toHaveProperty('pagination');

      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const res = await get(
          `/indexes/docs/vectors/list?namespace=order&limit=4${token ? `&paginationToken=${encodeURIComponent(token)}` : ''}`,
        );
        expect(res.status).toBe(200);
        seen.push(...res.body.vectors.map((v: { id: string }) => v.id));
        token = res.body.pagination?.next;
        if (token !== undefined) expect(typeof token).toBe('string');
        pages++;
      } while (token !== undefined && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toEqual(cOrder);

      const exact = await get('/indexes/docs/vectors/list?namespace=order&limit=9');
      expect(exact.body.vectors).toHaveLength(9);
      expect(exact.body).not.toHaveProperty('pagination');

      const prefixed = await get('/indexes/docs/vectors/list?namespace=order&prefix=a');
      expect(prefixed.body.vectors).toEqual([{ id: 'a' }, { id: 'a0' }, { id: 'ab' }]);
      expect(prefixed.body).not.toHaveProperty('pagination');
    });

    it('fetches with repeated ids, leaving out the missing ones', async () => {
      await post('/indexes/docs/vectors/upsert', {
        vectors: [
          { id: 'f1', values: [1, 2, 3], metadata: { k: 'v' } },
          { id: 'f2', values: [4, 5, 6] },
        ],
        namespace: 'fetch',
      });
      const res = await get('/indexes/docs/vectors/fetch?ids=f1&ids=f2&ids=missing&ids=f1&namespace=fetch');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        vectors: {
          f1: { id: 'f1', values: [1, 2, 3], metadata: { k: 'v' } },
          f2: { id: 'f2', values: [4, 5, 6] },
        },
        namespace: 'fetch',
        usage: { readUnits: expect.any(Number) },
      });
      const one = await get('/indexes/docs/vectors/fetch?ids=f2&namespace=fetch');
      expect(Object.keys(one.body.vectors)).toEqual(['f2']);
      const none = await get('/indexes/docs/vectors/fetch?ids=missing&namespace=fetch');
      expect(none.body.vectors).toEqual({});
      const encoded = await post('/indexes/docs/vectors/upsert', {
        vectors: [{ id: 'a b&c=d/é', values: [1, 1, 1] }],
        namespace: 'fetch',
      });
      expect(encoded.status).toBe(200);
      const odd = await get(`/indexes/docs/vectors/fetch?ids=${encodeURIComponent('a b&c=d/é')}&namespace=fetch`);
      expect(Object.keys(odd.body.vectors)).toEqual(['a b&c=d/é']);
    });

    it('fetches 1000 ids in a named namespace (the limit), namespace given last', async () => {
      await post('/indexes/docs/vectors/upsert', {
        vectors: [{ id: 'needle', values: [1, 0, 0] }],
        namespace: 'big-fetch',
      });
      await post('/indexes/docs/vectors/upsert', { vectors: [{ id: 'needle', values: [0, 1, 0] }], namespace: '' });
      const many = Array.from({ length: 999 }, (_, k) => `ids=m${k}`).join('&');
      try {
        const res = await get(`/indexes/docs/vectors/fetch?${many}&ids=needle&namespace=big-fetch`);
        expect(res.status).toBe(200);
        expect(res.body.namespace).toBe('big-fetch');
        expect(res.body.vectors).toEqual({ needle: { id: 'needle', values: [1, 0, 0] } });
      } finally {
        await post('/indexes/docs/vectors/delete', { deleteAll: true, namespace: '' });
      }
    });

    it('answers describe_index_stats to GET and POST alike', async () => {
      // Pinecone refuses all-zero dense vectors, so the points sit off the origin.
      await post('/indexes/l2/vectors/upsert', {
        vectors: [
          { id: 'a', values: [1, 1] },
          { id: 'b', values: [4, 5] },
        ],
      });
      await post('/indexes/l2/vectors/upsert', {
        vectors: [{ id: 'c', values: [1, 1], metadata: { k: 'v' } }],
        namespace: 'other',
      });
      const viaGet = await get('/indexes/l2/describe_index_stats');
      const viaPost = await post('/indexes/l2/describe_index_stats', {});
      expect(viaGet.status).toBe(200);
      expect(viaPost.status).toBe(200);
      const expected = {
        namespaces: { __default__: { vectorCount: 2 }, other: { vectorCount: 1 } },
        dimension: 2,
        indexFullness: 0,
        totalVectorCount: 3,
        metric: 'euclidean',
        vectorType: 'dense',
      };
      expect(viaGet.body).toEqual(expected);
      expect(viaPost.body).toEqual(expected);
      const filtered = await post('/indexes/l2/describe_index_stats', { filter: { k: 'v' } });
      expect(filtered.body.totalVectorCount).toBe(1);
      expect(filtered.body.namespaces.other).toEqual({ vectorCount: 1 });
    });

    it('scores euclidean as the squared distance, ascending, and cosine as the similarity', async () => {
      const l2 = await post('/indexes/l2/query', {
        vector: [1, 1],
        topK: 2,
        includeValues: true,
        namespace: '__default__',
      });
      expect(l2.status).toBe(200);
      expect(l2.body.matches).toEqual([
        { id: 'a', score: 0, values: [1, 1] },
        { id: 'b', score: 25, values: [4, 5] },
      ]);
      expect(l2.body.namespace).toBe('__default__');
      await post('/indexes/docs/vectors/upsert', {
        vectors: [
          { id: 'x', values: [1, 0, 0] },
          { id: 'd', values: [1, 1, 0] },
        ],
        namespace: 'cos',
      });
      const cos = await post('/indexes/docs/query', { vector: [2, 0, 0], topK: 2, namespace: 'cos' });
      expect(cos.body.matches.map((m: { id: string }) => m.id)).toEqual(['x', 'd']);
      expect(cos.body.matches[0].score).toBeCloseTo(1, 5);
      expect(cos.body.matches[1].score).toBeCloseTo(Math.SQRT1_2, 5);
      const byId = await post('/indexes/docs/query', { id: 'd', topK: 1, namespace: 'cos' });
      expect(byId.body.matches[0].id).toBe('d');
      expect(byId.body.matches[0].score).toBeCloseTo(1, 5);
    });

    it('updates by id: values overwrite, setMetadata merges, matchedRecords counts', async () => {
      await post('/indexes/docs/vectors/upsert', {
        vectors: [{ id: 'u1', values: [1, 0, 0], metadata: { a: '1', b: '2' } }],
        namespace: 'upd',
      });
      const res = await post('/indexes/docs/vectors/update', {
        id: 'u1',
        values: [0, 1, 0],
        setMetadata: { b: '3', c: '4' },
        namespace: 'upd',
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ matchedRecords: 1 });
      const fetched = await get('/indexes/docs/vectors/fetch?ids=u1&namespace=upd');
      expect(fetched.body.vectors.u1).toEqual({ id: 'u1', values: [0, 1, 0], metadata: { a: '1', b: '3', c: '4' } });
      const missing = await post('/indexes/docs/vectors/update', {
        id: 'nobody',
        setMetadata: { a: 'x' },
        namespace: 'upd',
      });
      expect(missing.status).toBe(200);
      expect(await ids('docs', 'upd')).toEqual(['u1']);
    });

    it('updates by filter, answering matchedRecords; a dryRun only counts', async () => {
      await post('/indexes/docs/vectors/upsert', {
        vectors: [
          { id: 'g1', values: [1, 0, 0], metadata: { genre: 'drama', year: 2020 } },
          { id: 'g2', values: [0, 1, 0], metadata: { genre: ['drama', 'comedy'] } },
          { id: 'g3', values: [0, 0, 1], metadata: { genre: 'comedy' } },
        ],
        namespace: 'byfilter',
      });
      const snapshot = (await get('/indexes/docs/vectors/fetch?ids=g1&ids=g2&ids=g3&namespace=byfilter')).body;
      const dry = await post('/indexes/docs/vectors/update', {
        filter: { genre: { $eq: 'drama' } },
        setMetadata: { reviewed: true },
        dryRun: true,
        namespace: 'byfilter',
      });
      expect(dry.status).toBe(200);
      expect(dry.body).toEqual({ matchedRecords: 2 });
      expect((await get('/indexes/docs/vectors/fetch?ids=g1&ids=g2&ids=g3&namespace=byfilter')).body).toEqual(snapshot);

      const wet = await post('/indexes/docs/vectors/update', {
        filter: { genre: { $eq: 'drama' } },
        setMetadata: { reviewed: true },
        namespace: 'byfilter',
      });
      expect(wet.body).toEqual({ matchedRecords: 2 });
      const after = (await get('/indexes/docs/vectors/fetch?ids=g1&ids=g2&ids=g3&namespace=byfilter')).body.vectors;
      expect(after.g1.metadata).toEqual({ genre: 'drama', year: 2020, reviewed: true });
      expect(after.g2.metadata).toEqual({ genre: ['drama', 'comedy'], reviewed: true });
      expect(after.g3.metadata).toEqual({ genre: 'comedy' });
      expect(after.g1.values).toEqual([1, 0, 0]);

      const none = await post('/indexes/docs/vectors/update', {
        filter: { genre: 'horror' },
        setMetadata: { reviewed: false },
        namespace: 'byfilter',
      });
      expect(none.body).toEqual({ matchedRecords: 0 });
    });

    it('pages fetch_by_metadata in id order, omitting pagination on the last page', async () => {
      const vectors = ['p3', 'p1', 'p4', 'p2', 'q'].map((id) => ({
        id,
        values: [1, 1, 1],
        metadata: { page: id.startsWith('p') },
      }));
      await post('/indexes/docs/vectors/upsert', { vectors, namespace: 'fbm' });
      const first = await post('/indexes/docs/vectors/fetch_by_metadata', {
        filter: { page: true },
        limit: 3,
        namespace: 'fbm',
      });
      expect(first.status).toBe(200);
      expect(Object.keys(first.body.vectors)).toEqual(['p1', 'p2', 'p3']);
      expect(first.body.pagination.next).toEqual(expect.any(String));
      const second = await post('/indexes/docs/vectors/fetch_by_metadata', {
        filter: { page: true },
        limit: 3,
        namespace: 'fbm',
        paginationToken: first.body.pagination.next,
      });
      expect(Object.keys(second.body.vectors)).toEqual(['p4']);
      expect(second.body).not.toHaveProperty('pagination');
      expect(second.body.vectors.p4).toEqual({ id: 'p4', values: [1, 1, 1], metadata: { page: true } });
    });

    it('stores sparse-only records and scores a sparse query by the dot product', async () => {
      // Older clients send `values: []` next to sparseValues on a sparse index.
      const up = await post('/indexes/sparse/vectors/upsert', {
        vectors: [
          { id: 's1', values: [], sparseValues: { indices: [1, 5, 10], values: [0.5, 1, 2] }, metadata: { kind: 'a' } },
          { id: 's2', sparseValues: { indices: [7, 5], values: [1, 3] }, metadata: { kind: 'b' } },
          { id: 's3', sparseValues: { indices: [4_000_000], values: [8] } },
        ],
      });
      expect(up.status).toBe(200);
      expect(up.body).toEqual({ upsertedCount: 3 });
      // query {5: 2, 10: 1, 4000000: 0.25}: s1 = 1*2 + 2*1 = 4; s2 = 3*2 = 6; s3 = 8*0.25 = 2.
      const res = await post('/indexes/sparse/query', {
        sparseVector: { indices: [10, 5, 4_000_000], values: [1, 2, 0.25] },
        topK: 10,
        includeValues: true,
        includeMetadata: true,
      });
      expect(res.status).toBe(200);
      expect(res.body.matches.map((m: { id: string; score: number }) => [m.id, m.score])).toEqual([
        ['s2', 6],
        ['s1', 4],
        ['s3', 2],
      ]);
      expect(res.body.matches[0].sparseValues).toEqual({ indices: [5, 7], values: [3, 1] });
      expect(res.body.matches[0].metadata).toEqual({ kind: 'b' });
      const filtered = await post('/indexes/sparse/query', {
        sparseVector: { indices: [5], values: [1] },
        topK: 10,
        filter: { kind: 'a' },
      });
      expect(filtered.body.matches.map((m: { id: string; score: number }) => [m.id, m.score])).toEqual([['s1', 1]]);
      const fetched = await get('/indexes/sparse/vectors/fetch?ids=s1');
      expect(fetched.body.vectors.s1.sparseValues).toEqual({ indices: [1, 5, 10], values: [0.5, 1, 2] });
      const byId = await post('/indexes/sparse/query', { id: 's1', topK: 1 });
      expect(byId.status).toBe(200);
      // s1·s1 = 0.25 + 1 + 4 = 5.25, s2·s1 = 3
      expect(byId.body.matches).toEqual([{ id: 's1', score: 5.25, values: [] }]);
      const stats = await get('/indexes/sparse/describe_index_stats');
      expect(stats.body).toMatchObject({ totalVectorCount: 3, metric: 'dotproduct', vectorType: 'sparse' });
      expect(stats.body.namespaces.__default__).toEqual({ vectorCount: 3 });
    });

    it('updates a sparse record by id: sparseValues overwrite, setMetadata merges', async () => {
      await post('/indexes/sparse/vectors/upsert', {
        vectors: [{ id: 'su', sparseValues: { indices: [2], values: [1] }, metadata: { a: '1' } }],
        namespace: 'sparse-update',
      });
      const res = await post('/indexes/sparse/vectors/update', {
        id: 'su',
        sparseValues: { indices: [4, 8], values: [2, 3] },
        setMetadata: { b: '2' },
        namespace: 'sparse-update',
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ matchedRecords: 1 });
      const fetched = await get('/indexes/sparse/vectors/fetch?ids=su&namespace=sparse-update');
      expect(fetched.body.vectors.su).toEqual({
        id: 'su',
        values: [],
        sparseValues: { indices: [4, 8], values: [2, 3] },
        metadata: { a: '1', b: '2' },
      });
      const q = await post('/indexes/sparse/query', {
        sparseVector: { indices: [8], values: [1] },
        topK: 1,
        namespace: 'sparse-update',
      });
      expect(q.body.matches).toEqual([{ id: 'su', score: 3, values: [] }]);
    });

    it('updates the sparse values of a hybrid record by id', async () => {
      await post('/indexes/dot/vectors/upsert', {
        vectors: [{ id: 'hu', values: [1, 0], sparseValues: { indices: [1], values: [1] } }],
        namespace: 'hybrid-update',
      });
      const res = await post('/indexes/dot/vectors/update', {
        id: 'hu',
        sparseValues: { indices: [6], values: [2] },
        namespace: 'hybrid-update',
      });
      expect(res.body).toEqual({ matchedRecords: 1 });
      const fetched = await get('/indexes/dot/vectors/fetch?ids=hu&namespace=hybrid-update');
      expect(fetched.body.vectors.hu).toEqual({
        id: 'hu',
        values: [1, 0],
        sparseValues: { indices: [6], values: [2] },
      });
    });

    it('scores a hybrid query on a dense dotproduct index as dense dot plus sparse dot', async () => {
      const up = await post('/indexes/dot/vectors/upsert', {
        vectors: [
          { id: 'h1', values: [1, 2], sparseValues: { indices: [3, 9], values: [2, 1] } },
          { id: 'h2', values: [3, 0] },
          { id: 'h3', values: [0, 1], sparseValues: { indices: [9], values: [4] } },
        ],
        namespace: 'hybrid',
      });
      expect(up.status).toBe(200);
      // vector [1,1], sparse {3: 5, 9: 0.5}: h1 = 3 + (10 + 0.5) = 13.5; h2 = 3 + 0 = 3; h3 = 1 + 4*0.5 = 3.
      const res = await post('/indexes/dot/query', {
        vector: [1, 1],
        sparseVector: { indices: [3, 9], values: [5, 0.5] },
        topK: 3,
        namespace: 'hybrid',
      });
      expect(res.status).toBe(200);
      expect(res.body.matches[0]).toEqual({ id: 'h1', score: 13.5, values: [] });
      expect(res.body.matches.slice(1).map((m: { id: string; score: number }) => m.score)).toEqual([3, 3]);
      expect(
        res.body.matches
          .slice(1)
          .map((m: { id: string }) => m.id)
          .sort(),
      ).toEqual(['h2', 'h3']);
      const dense = await post('/indexes/dot/query', { vector: [1, 1], topK: 3, namespace: 'hybrid' });
      const scores = dense.body.matches.map((m: { score: number }) => m.score);
      expect(scores).toEqual([3, 3, 1]);
      expect(Object.fromEntries(dense.body.matches.map((m: { id: string; score: number }) => [m.id, m.score]))).toEqual(
        { h1: 3, h2: 3, h3: 1 },
      );
    });
  });
});
