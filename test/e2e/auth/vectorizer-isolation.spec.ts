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
 * Tenant isolation on every Vectorizer route (native and Qdrant-compatible). A key acts in its own
 * tenant (its first database, else default_database): B's key gets 404 (or 403) in Vectorizer's
 * `{error_type, message, status_code}` shape on every route that names A's collection, never sees
 * A's collection names, and the routes that create a collection create B's own, in tenant B.
 */

interface Route {
  route: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path(c: string): string;
  body?(c: string): unknown;
}

const enc = encodeURIComponent;

/** Every route that reads, changes or deletes an existing collection. */
const ROUTES: Route[] = [
  { route: 'GET collections/{c}', method: 'GET', path: (c) => `/collections/${enc(c)}` },
  { route: 'DELETE collections/{c}', method: 'DELETE', path: (c) => `/collections/${enc(c)}` },
  { route: 'GET collections/{c}/vectors', method: 'GET', path: (c) => `/collections/${enc(c)}/vectors?limit=100` },
  { route: 'GET collections/{c}/vectors/{id}', method: 'GET', path: (c) => `/collections/${enc(c)}/vectors/v1` },
  { route: 'DELETE collections/{c}/vectors/{id}', method: 'DELETE', path: (c) => `/collections/${enc(c)}/vectors/v1` },
  {
    route: 'POST batch_update',
    method: 'POST',
    path: () => '/batch_update',
    body: (c) => ({ collection: c, updates: [{ id: 'v1', vector: [9, 9, 9], payload: { intruder: true } }] }),
  },
  {
    route: 'POST batch_delete',
    method: 'POST',
    path: () => '/batch_delete',
    body: (c) => ({ collection: c, ids: ['v1', 'v2'] }),
  },
  {
    route: 'POST collections/{c}/batch_delete',
    method: 'POST',
    path: (c) => `/collections/${enc(c)}/batch_delete`,
    body: () => ({ ids: ['v1', 'v2'] }),
  },
  {
    route: 'POST collections/{c}/vectors/delete_by_filter',
    method: 'POST',
    path: (c) => `/collections/${enc(c)}/vectors/delete_by_filter`,
    body: () => ({ filter: { n: { $gte: 0 } } }),
  },
  {
    route: 'POST collections/{c}/delete_by_filter',
    method: 'POST',
    path: (c) => `/collections/${enc(c)}/delete_by_filter`,
    body: () => ({ filter: { n: { $gte: 0 } } }),
  },
  {
    route: 'POST search',
    method: 'POST',
    path: () => '/search',
    body: (c) => ({ collection: c, vector: [1, 0, 0], limit: 10 }),
  },
  {
    route: 'POST collections/{c}/search',
    method: 'POST',
    path: (c) => `/collections/${enc(c)}/search`,
    body: () => ({ vector: [1, 0, 0], limit: 10 }),
  },
  { route: 'GET qdrant/collections/{c}', method: 'GET', path: (c) => `/qdrant/collections/${enc(c)}` },
  { route: 'DELETE qdrant/collections/{c}', method: 'DELETE', path: (c) => `/qdrant/collections/${enc(c)}` },
  {
    route: 'PUT qdrant/collections/{c}/points (upsert)',
    method: 'PUT',
    path: (c) => `/qdrant/collections/${enc(c)}/points`,
    body: () => ({ points: [{ id: 'v1', vector: [9, 9, 9], payload: { intruder: true } }] }),
  },
  {
    route: 'POST qdrant/collections/{c}/points/search',
    method: 'POST',
    path: (c) => `/qdrant/collections/${enc(c)}/points/search`,
    body: () => ({ vector: [1, 0, 0], limit: 10, with_payload: true, with_vector: true }),
  },
  {
    route: 'POST qdrant/collections/{c}/points/delete (ids)',
    method: 'POST',
    path: (c) => `/qdrant/collections/${enc(c)}/points/delete`,
    body: () => ({ points: ['v1'] }),
  },
  {
    route: 'POST qdrant/collections/{c}/points/delete (filter)',
    method: 'POST',
    path: (c) => `/qdrant/collections/${enc(c)}/points/delete`,
    body: () => ({ filter: { must: [{ key: 'n', range: { gte: 0 } }] } }),
  },
  {
    route: 'POST qdrant/collections/{c}/points/scroll',
    method: 'POST',
    path: (c) => `/qdrant/collections/${enc(c)}/points/scroll`,
    body: () => ({ limit: 10, with_payload: true, with_vector: true }),
  },
  {
    route: 'POST qdrant/collections/{c}/points/count',
    method: 'POST',
    path: (c) => `/qdrant/collections/${enc(c)}/points/count`,
    body: () => ({}),
  },
  {
    route: 'POST qdrant/collections/{c}/points (retrieve)',
    method: 'POST',
    path: (c) => `/qdrant/collections/${enc(c)}/points`,
    body: () => ({ ids: ['v1', 'v2'], with_payload: true, with_vector: true }),
  },
  {
    route: 'GET qdrant/collections/{c}/points?ids= (retrieve)',
    method: 'GET',
    path: (c) => `/qdrant/collections/${enc(c)}/points?ids=v1,v2&with_vector=true`,
  },
];

/** Routes that create the collection they name: for another tenant's name, they create the caller's own. */
const CREATING_ROUTES: Route[] = [
  {
    route: 'POST collections',
    method: 'POST',
    path: () => '/collections',
    body: (c) => ({ name: c, dimension: 5, metric: 'euclidean' }),
  },
  {
    route: 'POST insert_vectors (auto-creates)',
    method: 'POST',
    path: () => '/insert_vectors',
    body: (c) => ({ collection: c, vectors: [{ id: 'v1', embedding: [1, 2, 3, 4, 5], payload: { intruder: true } }] }),
  },
  {
    route: 'POST batch_insert (auto-creates)',
    method: 'POST',
    path: () => '/batch_insert',
    body: (c) => ({ collection: c, vectors: [{ id: 'v1', embedding: [1, 2, 3, 4, 5], payload: { intruder: true } }] }),
  },
  {
    route: 'PUT qdrant/collections/{c}',
    method: 'PUT',
    path: (c) => `/qdrant/collections/${enc(c)}`,
    body: () => ({ vectors: { size: 5, distance: 'Euclid' } }),
  },
];

/** 404 (or 403) in Vectorizer's shape. */
function expectRefused(res: Res): void {
  const refused =
    (res.status === 404 && res.body?.error_type === 'collection_not_found') ||
    (res.status === 403 && res.body?.error_type === 'forbidden');
  expect({ refused, res: `${res.status} ${res.text}` }).toEqual({ refused: true, res: `${res.status} ${res.text}` });
  expect(res.body.status_code).toBe(res.status);
  for (const k of Object.keys(res.body)) expect(['error_type', 'message', 'details', 'status_code']).toContain(k);
  expectNoLeak(res);
}

async function seedCollection(c: Caller, name: string, owner: string): Promise<void> {
  ok(await c.post('/collections', { name, dimension: 3, metric: 'cosine' }), `create ${name}`);
  const vectors = [0, 1, 2].map((i) => ({
    id: `v${i + 1}`,
    embedding: [0, 1, 2].map((k) => (k === i ? 1 : 0.1)),
    payload: { owner, n: i },
  }));
  ok(await c.post('/insert_vectors', { collection: name, vectors }), `insert into ${name}`);
}

describe('Vectorizer: tenant isolation, route by route', () => {
  let gw: TestGateway;
  let keys: TenantKeys;
  let a: Caller;
  let a1: Caller;
  let b: Caller;
  let beforeA: unknown;

  beforeAll(async () => {
    gw = await startGateway({ auth: 'required' });
    keys = await createTenantKeys(gw);
    a = as(gw, keys.a.key, 'X-API-Key');
    a1 = as(gw, keys.a1.key, 'X-API-Key');
    b = as(gw, keys.b.key, 'Api-Key');
    await seedCollection(a, 'a-coll', MARKER);
    await seedCollection(a, 'shared-name', MARKER);
    await seedCollection(a1, 'a-one-coll', MARKER);
    await seedCollection(b, 'shared-name', 'b');
    beforeA = await storedTenant(gw, TENANT_A);
  });
  afterAll(() => gw.close());

  it("GET /collections and GET /qdrant/collections list only the key's own tenant (and database)", async () => {
    const names = async (c: Caller) => ({
      native: (ok(await c.get('/collections'), 'list').body.collections as { name: string }[])
        .map((x) => x.name)
        .sort(),
      qdrant: (ok(await c.get('/qdrant/collections'), 'qdrant list').body.collections as { name: string }[])
        .map((x) => x.name)
        .sort(),
    });
    expect(await names(a)).toEqual({ native: ['a-coll', 'shared-name'], qdrant: ['a-coll', 'shared-name'] });
    expect(await names(a1)).toEqual({ native: ['a-one-coll'], qdrant: ['a-one-coll'] });
    expect(await names(b)).toEqual({ native: ['shared-name'], qdrant: ['shared-name'] });
    expectNoLeak(await b.get('/collections'));
    expectNoLeak(await b.get('/qdrant/collections'));
  });

  it("collections live in the key's tenant: A's in tenant-a/default_database, A1's in db-one, B's in tenant-b", async () => {
    const chromaA = as(gw, keys.a.key, 'x-chroma-token');
    expect(ok(await chromaA.get(`${dbPath(TENANT_A, DEFAULT_DB)}/collections/a-coll`), 'a-coll').body).toMatchObject({
      tenant: TENANT_A,
      database: DEFAULT_DB,
    });
    expect(
      ok(await chromaA.get(`${dbPath(TENANT_A, DB_ONE)}/collections/a-one-coll`), 'a-one-coll').body,
    ).toMatchObject({ tenant: TENANT_A, database: DB_ONE });
    const chromaB = as(gw, keys.b.key, 'x-chroma-token');
    expect(ok(await chromaB.get(`${dbPath(TENANT_B, DEFAULT_DB)}/collections/shared-name`), 'b').body).toMatchObject({
      tenant: TENANT_B,
      database: DEFAULT_DB,
    });
  });

  describe("B's key on tenant A's collections", () => {
    it.each(ROUTES)("$route on A's collection is refused (404/403 in Vectorizer's shape)", async (r) => {
      for (const name of ['a-coll', 'a-one-coll']) expectRefused(await b.send(r.method, r.path(name), r.body?.(name)));
    });

    it("POST batch_search on A's collection answers every query with collection_not_found and no results", async () => {
      const res = await b.post('/batch_search', {
        collection: 'a-coll',
        queries: [
          { vector: [1, 0, 0], limit: 10 },
          { vector: [0, 1, 0], limit: 10 },
        ],
      });
      expectNoLeak(res);
      if (res.status === 200) {
        expect(res.body).toMatchObject({ collection: 'a-coll', count: 2, succeeded: 0, failed: 2 });
        for (const q of res.body.results)
          expect(q).toMatchObject({ status: 'error', error_type: 'collection_not_found' });
        for (const q of res.body.results) expect(q.results).toBeUndefined();
      } else {
        expectRefused(res);
      }
    });

    it.each(ROUTES)('$route succeeds for B on a collection of its own', async (r) => {
      const own = freshName('b-own');
      await seedCollection(b, own, 'b');
      expect2xx(await b.send(r.method, r.path(own), r.body?.(own)), r.route);
    });

    it('POST batch_search succeeds for B on a collection of its own', async () => {
      const own = freshName('b-own');
      await seedCollection(b, own, 'b');
      const res = ok(
        await b.post('/batch_search', { collection: own, queries: [{ vector: [1, 0, 0], limit: 10 }] }),
        'batch_search',
      );
      expect(res.body).toMatchObject({ succeeded: 1, failed: 0 });
      expect(res.body.results[0].results).toHaveLength(3);
    });

    it("same-named collections are separate: B's shared-name holds B's vectors, and B's deletes stay in it", async () => {
      const ownerOf = async (c: Caller) =>
        (
          ok(await c.get('/collections/shared-name/vectors?limit=100'), 'list').body.vectors as {
            payload: { owner: string };
          }[]
        ).map((v) => v.payload.owner);
      expect(await ownerOf(b)).toEqual(['b', 'b', 'b']);
      expect(await ownerOf(a)).toEqual([MARKER, MARKER, MARKER]);
      ok(await b.post('/collections/shared-name/delete_by_filter', { filter: { n: { $gte: 0 } } }), 'delete_by_filter');
      ok(await b.post('/qdrant/collections/shared-name/points/count', {}), 'count');
      expect(await ownerOf(b)).toEqual([]);
      expect(await ownerOf(a)).toEqual([MARKER, MARKER, MARKER]);
    });

    it.each(CREATING_ROUTES)(
      "$route with A's collection name creates B's own collection in tenant B and leaves A's alone",
      async (r) => {
        const res = await b.send(r.method, r.path('a-coll'), r.body?.('a-coll'));
        expect2xx(res, r.route);
        expectNoLeak(res);
        const chromaB = as(gw, keys.b.key, 'x-chroma-token');
        expect(
          ok(await chromaB.get(`${dbPath(TENANT_B, DEFAULT_DB)}/collections/a-coll`), "B's a-coll").body,
        ).toMatchObject({ tenant: TENANT_B, dimension: 5 });
        const mine = ok(await b.get('/collections/a-coll/vectors?limit=100'), 'list').body.vectors as {
          payload: unknown;
        }[];
        expectNoLeak(ok(await b.get('/collections/a-coll/vectors?limit=100'), 'list'));
        expect(mine.length).toBeLessThanOrEqual(1);
        ok(await b.del('/collections/a-coll'), "delete B's a-coll");
        expect(ok(await a.get('/collections/a-coll'), "A's a-coll").body).toMatchObject({
          name: 'a-coll',
          dimension: 3,
        });
      },
    );
  });

  describe('a key restricted to db-one (tenant A)', () => {
    it.each(ROUTES)("$route on A's default_database collection is refused", async (r) => {
      expectRefused(await a1.send(r.method, r.path('a-coll'), r.body?.('a-coll')));
    });

    it("A's unrestricted key acts in default_database and does not reach db-one's collection either", async () => {
      expectRefused(await a.get('/collections/a-one-coll'));
      expectRefused(await a.post('/search', { collection: 'a-one-coll', vector: [1, 0, 0] }));
    });
  });

  describe('after every attempt', () => {
    it("tenant A's collections and vectors are exactly as before", async () => {
      expect(await storedTenant(gw, TENANT_A)).toEqual(beforeA);
    });

    it("A's own key still does every route on its collection", async () => {
      for (const r of ROUTES) {
        const own = freshName('a-scratch');
        await seedCollection(a, own, 'a');
        expect2xx(await a.send(r.method, r.path(own), r.body?.(own)), r.route);
      }
    });
  });
});
