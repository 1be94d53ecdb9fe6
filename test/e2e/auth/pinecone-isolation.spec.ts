import { startGateway, type TestGateway } from '../../support/gateway';
import {
  as,
  createTenantKeys,
  DB_ONE,
  dbPath,
  DEFAULT_DB,
  expect2xx,
  expectNoLeak,
  freshName,
  MARKER,
  ok,
  TENANT_A,
  TENANT_B,
  type Caller,
  type Res,
  type TenantKeys,
  storedTenant,
} from './auth-helpers';

/**
 * Tenant isolation on every Pinecone route. A key acts in its own tenant (and its first database,
 * else default_database), so another tenant's index is simply not there: B's key gets 404 (or 403)
 * in Pinecone's shape on every control- and data-plane route that names A's index, never sees
 * A's index names, and can even create an index of the same name without touching A's.
 */

interface DataRoute {
  route: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  body?: unknown;
}

const DATA_ROUTES: DataRoute[] = [
  {
    route: 'POST vectors/upsert',
    method: 'POST',
    path: 'vectors/upsert',
    body: { vectors: [{ id: 'v1', values: [9, 9, 9], metadata: { intruder: true } }], namespace: 'ns1' },
  },
  {
    route: 'POST query (vector)',
    method: 'POST',
    path: 'query',
    body: { vector: [1, 0, 0], topK: 10, includeValues: true, includeMetadata: true, namespace: 'ns1' },
  },
  {
    route: 'POST query (by id)',
    method: 'POST',
    path: 'query',
    body: { id: 'v1', topK: 10, includeValues: true, includeMetadata: true },
  },
  { route: 'GET vectors/fetch', method: 'GET', path: 'vectors/fetch?ids=v1&ids=v2&namespace=ns1' },
  {
    route: 'POST vectors/fetch_by_metadata',
    method: 'POST',
    path: 'vectors/fetch_by_metadata',
    body: { filter: { n: { $gte: 0 } }, namespace: 'ns1' },
  },
  { route: 'GET vectors/list', method: 'GET', path: 'vectors/list?namespace=ns1' },
  {
    route: 'POST vectors/update (by id)',
    method: 'POST',
    path: 'vectors/update',
    body: { id: 'v1', values: [9, 9, 9], setMetadata: { intruder: true }, namespace: 'ns1' },
  },
  {
    route: 'POST vectors/update (by filter)',
    method: 'POST',
    path: 'vectors/update',
    body: { filter: { n: { $gte: 0 } }, setMetadata: { intruder: true } },
  },
  {
    route: 'POST vectors/delete (ids)',
    method: 'POST',
    path: 'vectors/delete',
    body: { ids: ['v1', 'v2'], namespace: 'ns1' },
  },
  {
    route: 'POST vectors/delete (filter)',
    method: 'POST',
    path: 'vectors/delete',
    body: { filter: { n: { $gte: 0 } } },
  },
  {
    route: 'POST vectors/delete (deleteAll)',
    method: 'POST',
    path: 'vectors/delete',
    body: { deleteAll: true, namespace: 'ns1' },
  },
  { route: 'POST describe_index_stats', method: 'POST', path: 'describe_index_stats', body: {} },
  { route: 'GET describe_index_stats', method: 'GET', path: 'describe_index_stats' },
  { route: 'GET namespaces', method: 'GET', path: 'namespaces' },
  { route: 'POST namespaces', method: 'POST', path: 'namespaces', body: { name: 'intruder-ns' } },
  { route: 'GET namespaces/{ns}', method: 'GET', path: 'namespaces/ns1' },
  { route: 'DELETE namespaces/{ns}', method: 'DELETE', path: 'namespaces/ns1' },
];

interface ControlRoute {
  route: string;
  method: 'GET' | 'PATCH' | 'DELETE';
  body?: unknown;
}

const CONTROL_ROUTES: ControlRoute[] = [
  { route: 'GET indexes/{name} (describe)', method: 'GET' },
  {
    route: 'PATCH indexes/{name} (configure)',
    method: 'PATCH',
    body: { deletion_protection: 'enabled', tags: { owner: 'intruder' } },
  },
  { route: 'DELETE indexes/{name}', method: 'DELETE' },
];

const SERVERLESS = { serverless: { cloud: 'aws', region: 'us-east-1' } };

/** 404 (or 403) on the data plane: `{code, message, details}` with gRPC NOT_FOUND (or PERMISSION_DENIED). */
function expectDataRefused(res: Res): void {
  const refused = (res.status === 404 && res.body?.code === 5) || (res.status === 403 && res.body?.code === 7);
  expect({ refused, res: `${res.status} ${res.text}` }).toEqual({ refused: true, res: `${res.status} ${res.text}` });
  expect(Object.keys(res.body).sort()).toEqual(['code', 'details', 'message']);
  expectNoLeak(res);
}

/** 404 (or 403) on the control plane: `{error: {code, message}, status}`. */
function expectControlRefused(res: Res): void {
  const refused =
    (res.status === 404 && res.body?.error?.code === 'NOT_FOUND') ||
    (res.status === 403 && res.body?.error?.code === 'FORBIDDEN');
  expect({ refused, res: `${res.status} ${res.text}` }).toEqual({ refused: true, res: `${res.status} ${res.text}` });
  expect(Object.keys(res.body).sort()).toEqual(['error', 'status']);
  expect(res.body.status).toBe(res.status);
  expectNoLeak(res);
}

async function seedIndex(c: Caller, name: string, owner: string, dimension = 3): Promise<void> {
  ok(await c.post('/indexes', { name, dimension, metric: 'cosine', spec: SERVERLESS }), `create ${name}`);
  const vectors = [0, 1, 2].map((i) => ({
    id: `v${i + 1}`,
    values: Array.from({ length: dimension }, (_, k) => (k === i ? 1 : 0.1)),
    metadata: { owner, n: i },
  }));
  ok(await c.post(`/indexes/${name}/vectors/upsert`, { vectors }), 'upsert default namespace');
  ok(await c.post(`/indexes/${name}/vectors/upsert`, { vectors, namespace: 'ns1' }), 'upsert ns1');
  ok(await c.post(`/indexes/${name}/namespaces`, { name: 'ns-empty' }), 'create namespace');
}

describe('Pinecone: tenant isolation, route by route', () => {
  let gw: TestGateway;
  let keys: TenantKeys;
  let a: Caller;
  let a1: Caller;
  let b: Caller;
  let beforeA: unknown;

  beforeAll(async () => {
    gw = await startGateway({ auth: 'required' });
    keys = await createTenantKeys(gw);
    a = as(gw, keys.a.key, 'Api-Key');
    a1 = as(gw, keys.a1.key, 'Api-Key');
    b = as(gw, keys.b.key, 'Api-Key');
    await seedIndex(a, 'a-index', MARKER);
    await seedIndex(a, 'shared-name', MARKER);
    await seedIndex(a1, 'a-one-index', MARKER);
    await seedIndex(b, 'shared-name', 'b');
    beforeA = await storedTenant(gw, TENANT_A);
  });
  afterAll(() => gw.close());

  it("each key sees only its own tenant's (and database's) indexes in GET /indexes", async () => {
    const names = async (c: Caller) =>
      (ok(await c.get('/indexes'), 'list').body.indexes as { name: string }[]).map((i) => i.name).sort();
    expect(await names(a)).toEqual(['a-index', 'shared-name']);
    expect(await names(a1)).toEqual(['a-one-index']);
    expect(await names(b)).toEqual(['shared-name']);
    expectNoLeak(await b.get('/indexes'));
  });

  it("indexes live in the key's tenant: A's in tenant-a/default_database, A1's in tenant-a/db-one, B's in tenant-b", async () => {
    const chromaA = as(gw, keys.a.key, 'x-chroma-token');
    expect(ok(await chromaA.get(`${dbPath(TENANT_A, DEFAULT_DB)}/collections/a-index`), 'a-index').body).toMatchObject({
      tenant: TENANT_A,
      database: DEFAULT_DB,
    });
    expect(
      ok(await chromaA.get(`${dbPath(TENANT_A, DB_ONE)}/collections/a-one-index`), 'a-one-index').body,
    ).toMatchObject({ tenant: TENANT_A, database: DB_ONE });
    const chromaB = as(gw, keys.b.key, 'x-chroma-token');
    expect(
      ok(await chromaB.get(`${dbPath(TENANT_B, DEFAULT_DB)}/collections/shared-name`), 'b shared-name').body,
    ).toMatchObject({ tenant: TENANT_B, database: DEFAULT_DB });
  });

  describe("B's key on tenant A's indexes", () => {
    it.each(CONTROL_ROUTES)(
      "control plane $route on A's index is refused in Pinecone's control-plane shape",
      async (r) => {
        for (const name of ['a-index', 'a-one-index'])
          expectControlRefused(await b.send(r.method, `/indexes/${name}`, r.body));
      },
    );

    it.each(DATA_ROUTES)("data plane $route on A's index is refused in Pinecone's data-plane shape", async (r) => {
      for (const name of ['a-index', 'a-one-index'])
        expectDataRefused(await b.send(r.method, `/indexes/${name}/${r.path}`, r.body));
    });

    it.each(CONTROL_ROUTES)('control plane $route succeeds for B on an index of its own', async (r) => {
      const own = freshName('b-own');
      await seedIndex(b, own, 'b');
      expect2xx(await b.send(r.method, `/indexes/${own}`, r.body), r.route);
    });

    it.each(DATA_ROUTES)('data plane $route succeeds for B on an index of its own', async (r) => {
      const own = freshName('b-own');
      await seedIndex(b, own, 'b');
      expect2xx(await b.send(r.method, `/indexes/${own}/${r.path}`, r.body), r.route);
    });

    it("same-named indexes are separate: B's shared-name holds B's records, A's holds A's", async () => {
      const fromB = ok(await b.get('/indexes/shared-name/vectors/fetch?ids=v1&ids=v2&ids=v3'), 'fetch').body;
      expect(Object.values(fromB.vectors).map((v: any) => v.metadata.owner)).toEqual(['b', 'b', 'b']);
      const fromA = ok(await a.get('/indexes/shared-name/vectors/fetch?ids=v1&ids=v2&ids=v3'), 'fetch').body;
      expect(Object.values(fromA.vectors).map((v: any) => v.metadata.owner)).toEqual([MARKER, MARKER, MARKER]);
      // B's writes, updates and deletes on its shared-name never reach A's.
      ok(
        await b.post('/indexes/shared-name/vectors/update', {
          filter: { n: { $gte: 0 } },
          setMetadata: { owner: 'b-updated' },
        }),
        'update',
      );
      ok(await b.post('/indexes/shared-name/vectors/delete', { deleteAll: true, namespace: 'ns1' }), 'deleteAll');
      ok(await b.del('/indexes/shared-name/namespaces/ns-empty'), 'delete namespace');
    });

    it("B creating an index named like A's creates B's own, in tenant B; deleting it leaves A's", async () => {
      const created = await b.post('/indexes', {
        name: 'a-index',
        dimension: 5,
        metric: 'euclidean',
        spec: SERVERLESS,
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'a-index', dimension: 5, metric: 'euclidean' });
      expectNoLeak(created);
      const chromaB = as(gw, keys.b.key, 'x-chroma-token');
      expect(
        ok(await chromaB.get(`${dbPath(TENANT_B, DEFAULT_DB)}/collections/a-index`), 'b a-index').body,
      ).toMatchObject({ tenant: TENANT_B, dimension: 5 });
      ok(
        await b.post('/indexes/a-index/vectors/upsert', { vectors: [{ id: 'v1', values: [1, 2, 3, 4, 5] }] }),
        'upsert',
      );
      expect(ok(await b.get('/indexes/a-index/describe_index_stats'), 'stats').body).toMatchObject({
        totalVectorCount: 1,
        dimension: 5,
      });
      ok(await b.post('/indexes/a-index/vectors/delete', { deleteAll: true }), 'deleteAll');
      expect((await b.del('/indexes/a-index')).status).toBe(202);
      expect(ok(await a.get('/indexes/a-index'), 'A describe').body).toMatchObject({
        name: 'a-index',
        dimension: 3,
        metric: 'cosine',
      });
    });
  });

  describe('a key restricted to db-one (tenant A)', () => {
    it.each(CONTROL_ROUTES)("control plane $route on A's default_database index is refused", async (r) => {
      expectControlRefused(await a1.send(r.method, '/indexes/a-index', r.body));
    });

    it.each(DATA_ROUTES)("data plane $route on A's default_database index is refused", async (r) => {
      expectDataRefused(await a1.send(r.method, `/indexes/a-index/${r.path}`, r.body));
    });

    it("and A's unrestricted key does not see db-one's index either (it acts in default_database)", async () => {
      expectControlRefused(await a.get('/indexes/a-one-index'));
      expectDataRefused(
        await a.post('/indexes/a-one-index/query', { vector: [1, 0, 0], topK: 3, includeMetadata: true }),
      );
    });
  });

  describe('after every attempt', () => {
    it("tenant A's indexes, namespaces and records are exactly as before", async () => {
      expect(await storedTenant(gw, TENANT_A)).toEqual(beforeA);
    });

    it("A's own key still does every data-plane route on its index", async () => {
      for (const r of DATA_ROUTES) {
        const own = freshName('a-scratch');
        await seedIndex(a, own, 'a');
        expect2xx(await a.send(r.method, `/indexes/${own}/${r.path}`, r.body), r.route);
      }
    });
  });
});
