import { startGateway, type TestGateway } from '../../support/gateway';
import {
  as,
  createTenantKeys,
  DB_ONE,
  DB_TWO,
  dbPath,
  DEFAULT_DB,
  expect2xx,
  expectChromaError,
  expectNoLeak,
  freshName,
  MARKER,
  ok,
  TENANT_A,
  TENANT_B,
  type Caller,
  type TenantKeys,
  storedTenant,
} from './auth-helpers';

/**
 * Tenant isolation on every Chroma route: with keys for tenant A, for tenant A restricted to
 * db-one, and for tenant B, no key reaches a tenant, database, collection or record that is not
 * its own (403 or 404 in Chroma's `{error, message}` shape), nothing of A's leaks, and A's data is
 * byte-for-byte the same after every attempt. Each refused request is also sent, the same, on the
 * caller's own collection, where it succeeds: the refusal is the scope, not a malformed request.
 */

interface Target {
  tenant: string;
  database: string;
  id: string;
  name: string;
}

interface CollectionRoute {
  route: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path(t: Target): string;
  body?(t: Target): unknown;
}

const coll = (t: Target) => `${dbPath(t.tenant, t.database)}/collections`;
const byId = (t: Target) => `${coll(t)}/${t.id}`;

/** Every route that names one collection (by id, or by name where Chroma routes by name). */
const COLLECTION_ROUTES: CollectionRoute[] = [
  { route: 'GET collections/by-id/{id}', method: 'GET', path: (t) => `${coll(t)}/by-id/${t.id}` },
  { route: 'GET collections/{name}', method: 'GET', path: (t) => `${coll(t)}/${t.name}` },
  {
    route: 'PUT collections/{id} (modify)',
    method: 'PUT',
    path: byId,
    body: () => ({ new_name: freshName('renamed'), new_metadata: { intruder: true } }),
  },
  { route: 'DELETE collections/{name}', method: 'DELETE', path: (t) => `${coll(t)}/${t.name}` },
  { route: 'GET collections/{id}/fork_count', method: 'GET', path: (t) => `${byId(t)}/fork_count` },
  {
    route: 'POST collections/{id}/fork',
    method: 'POST',
    path: (t) => `${byId(t)}/fork`,
    body: () => ({ new_name: freshName('fork') }),
  },
  {
    route: 'POST collections/{id}/add',
    method: 'POST',
    path: (t) => `${byId(t)}/add`,
    body: () => ({ ids: ['intruder'], embeddings: [[9, 9, 9]], documents: ['intruder'] }),
  },
  {
    route: 'POST collections/{id}/upsert',
    method: 'POST',
    path: (t) => `${byId(t)}/upsert`,
    body: () => ({ ids: ['r1'], embeddings: [[9, 9, 9]], documents: ['overwritten'] }),
  },
  {
    route: 'POST collections/{id}/update',
    method: 'POST',
    path: (t) => `${byId(t)}/update`,
    body: () => ({ ids: ['r1'], documents: ['overwritten'], metadatas: [{ intruder: true }] }),
  },
  {
    route: 'POST collections/{id}/get',
    method: 'POST',
    path: (t) => `${byId(t)}/get`,
    body: () => ({ include: ['documents', 'metadatas', 'embeddings'] }),
  },
  {
    route: 'POST collections/{id}/get (where)',
    method: 'POST',
    path: (t) => `${byId(t)}/get`,
    body: () => ({ where: { n: { $gte: 0 } }, include: ['documents', 'metadatas'] }),
  },
  {
    route: 'POST collections/{id}/query',
    method: 'POST',
    path: (t) => `${byId(t)}/query`,
    body: () => ({
      query_embeddings: [[1, 0, 0]],
      n_results: 10,
      include: ['documents', 'metadatas', 'embeddings', 'distances'],
    }),
  },
  {
    route: 'POST collections/{id}/delete (ids)',
    method: 'POST',
    path: (t) => `${byId(t)}/delete`,
    body: () => ({ ids: ['r1', 'r2', 'r3'] }),
  },
  {
    route: 'POST collections/{id}/delete (where)',
    method: 'POST',
    path: (t) => `${byId(t)}/delete`,
    body: () => ({ where: { n: { $gte: 0 } } }),
  },
  { route: 'GET collections/{id}/count', method: 'GET', path: (t) => `${byId(t)}/count` },
  { route: 'GET collections/{id}/indexing_status', method: 'GET', path: (t) => `${byId(t)}/indexing_status` },
];

interface ScopeRoute {
  route: string;
  method: 'GET' | 'POST' | 'DELETE';
  /** The database to act on; for database deletion a throwaway one is made first on the caller's own side. */
  path(tenant: string, database: string, name: string): string;
  body?(tenant: string, database: string, name: string): unknown;
}

/** Every route that names a tenant or a database, and the by-CRN lookup. */
const SCOPE_ROUTES: ScopeRoute[] = [
  { route: 'GET tenants/{t}', method: 'GET', path: (t) => `/api/v2/tenants/${t}` },
  { route: 'GET tenants/{t}/databases', method: 'GET', path: (t) => `/api/v2/tenants/${t}/databases` },
  {
    route: 'POST tenants/{t}/databases',
    method: 'POST',
    path: (t) => `/api/v2/tenants/${t}/databases`,
    body: () => ({ name: freshName('new-db') }),
  },
  { route: 'GET tenants/{t}/databases/{d}', method: 'GET', path: (t, d) => dbPath(t, d) },
  { route: 'GET .../collections (list)', method: 'GET', path: (t, d) => `${dbPath(t, d)}/collections` },
  { route: 'GET .../collections_count', method: 'GET', path: (t, d) => `${dbPath(t, d)}/collections_count` },
  {
    route: 'POST .../collections (create)',
    method: 'POST',
    path: (t, d) => `${dbPath(t, d)}/collections`,
    body: () => ({ name: freshName('intruder') }),
  },
  {
    route: 'POST .../collections (get_or_create an existing name)',
    method: 'POST',
    path: (t, d) => `${dbPath(t, d)}/collections`,
    body: (_t, _d, name) => ({ name, get_or_create: true }),
  },
  {
    route: 'GET collections/{crn} (by CRN)',
    method: 'GET',
    path: (t, d, name) => `/api/v2/collections/${t}:${d}:${name}`,
  },
  { route: 'DELETE tenants/{t}/databases/{d}', method: 'DELETE', path: (t, d) => dbPath(t, d) },
];

const VECTORS = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
];

async function seedCollection(c: Caller, tenant: string, database: string, name: string, doc: string): Promise<Target> {
  const created = ok(
    await c.post(`${dbPath(tenant, database)}/collections`, { name, metadata: { owner: doc } }),
    `create ${name}`,
  );
  const id = created.body.id as string;
  ok(
    await c.post(`${dbPath(tenant, database)}/collections/${id}/add`, {
      ids: ['r1', 'r2', 'r3'],
      embeddings: VECTORS,
      documents: VECTORS.map((_, i) => `${doc} document ${i}`),
      metadatas: VECTORS.map((_, i) => ({ owner: doc, n: i })),
    }),
    `add to ${name}`,
  );
  return { tenant, database, id, name };
}

describe('Chroma: tenant isolation, route by route', () => {
  let gw: TestGateway;
  let keys: TenantKeys;
  let a: Caller;
  let a1: Caller;
  let b: Caller;
  let aPrivate: Target; // tenant-a / default_database
  let aOne: Target; // tenant-a / db-one
  let aTwo: Target; // tenant-a / db-two
  let before: unknown;

  /** A collection of B's own with the same three records, for the same request to succeed on. */
  const freshB = () => seedCollection(b, TENANT_B, DEFAULT_DB, freshName('b-own'), 'b');

  beforeAll(async () => {
    gw = await startGateway({ auth: 'required', chromaAllowReset: true });
    keys = await createTenantKeys(gw);
    a = as(gw, keys.a.key, 'x-chroma-token');
    a1 = as(gw, keys.a1.key, 'x-chroma-token');
    b = as(gw, keys.b.key, 'x-chroma-token');
    ok(await a.post(`/api/v2/tenants/${TENANT_A}/databases`, { name: DB_TWO }), 'create db-two');
    aPrivate = await seedCollection(a, TENANT_A, DEFAULT_DB, 'a-private', MARKER);
    await seedCollection(a, TENANT_A, DEFAULT_DB, 'shared-name', MARKER);
    aOne = await seedCollection(a, TENANT_A, DB_ONE, 'a-one', MARKER);
    aTwo = await seedCollection(a, TENANT_A, DB_TWO, 'a-two', MARKER);
    await seedCollection(b, TENANT_B, DEFAULT_DB, 'shared-name', 'b');
    before = await storedTenant(gw, TENANT_A);
  });
  afterAll(() => gw.close());

  describe("B's key on tenant A's collections", () => {
    it.each(COLLECTION_ROUTES)("$route on A's path is refused (403/404) and shows nothing of A", async (r) => {
      for (const target of [aPrivate, aOne, aTwo]) {
        const res = await b.send(r.method, r.path(target), r.body?.(target));
        expectChromaError(res, [403, 404]);
        expectNoLeak(res);
      }
    });

    it.each(COLLECTION_ROUTES)("$route under B's own tenant naming A's collection id/name is a 404", async (r) => {
      for (const target of [aPrivate, aOne]) {
        const smuggled = { ...target, tenant: TENANT_B, database: DEFAULT_DB };
        const res = await b.send(r.method, r.path(smuggled), r.body?.(smuggled));
        expectChromaError(res, [403, 404]);
        expectNoLeak(res);
      }
    });

    it.each(COLLECTION_ROUTES)(
      '$route succeeds for B on its own collection (the refusals are the scope)',
      async (r) => {
        const own = await freshB();
        expect2xx(await b.send(r.method, r.path(own), r.body?.(own)), r.route);
      },
    );
  });

  describe("B's key on tenant A's tenant and databases", () => {
    it.each(SCOPE_ROUTES)('$route on tenant A is refused (403/404) and shows nothing of A', async (r) => {
      for (const [db, name] of [
        [DEFAULT_DB, aPrivate.name],
        [DB_ONE, aOne.name],
        [DB_TWO, aTwo.name],
      ]) {
        const res = await b.send(r.method, r.path(TENANT_A, db, name), r.body?.(TENANT_A, db, name));
        expectChromaError(res, [403, 404]);
        expectNoLeak(res);
        expect(res.text).not.toContain(aPrivate.id);
      }
    });

    it.each(SCOPE_ROUTES)('$route succeeds for B on its own tenant', async (r) => {
      const own = await freshB();
      let database = DEFAULT_DB;
      if (r.method === 'DELETE') {
        database = freshName('b-db');
        ok(await b.post(`/api/v2/tenants/${TENANT_B}/databases`, { name: database }), 'create a database to delete');
        await seedCollection(b, TENANT_B, database, own.name, 'b');
      }
      expect2xx(
        await b.send(r.method, r.path(TENANT_B, database, own.name), r.body?.(TENANT_B, database, own.name)),
        r.route,
      );
    });

    it('POST tenants refuses B creating tenant A (no 409 that would confirm A exists) or any tenant but its own', async () => {
      for (const name of [TENANT_A, freshName('tenant-new')]) {
        const res = await b.post('/api/v2/tenants', { name });
        expectChromaError(res, [403]);
      }
      // Its own tenant exists already: the usual conflict.
      expectChromaError(await b.post('/api/v2/tenants', { name: TENANT_B }), [409]);
    });

    it("B's listings of its own tenant never show A's databases or collections", async () => {
      const dbs = ok(await b.get(`/api/v2/tenants/${TENANT_B}/databases`), 'list').body as { name: string }[];
      expect(dbs.map((d) => d.name)).not.toContain(DB_ONE);
      expect(dbs.map((d) => d.name)).not.toContain(DB_TWO);
      const cols = ok(await b.get(`${dbPath(TENANT_B, DEFAULT_DB)}/collections?limit=1000`), 'list').body as {
        id: string;
        name: string;
        tenant: string;
      }[];
      expect(cols.every((c) => c.tenant === TENANT_B)).toBe(true);
      expect(cols.map((c) => c.id)).not.toContain(aPrivate.id);
      expect(cols.map((c) => c.name)).not.toContain('a-private');
      const shared = ok(await b.get(`${dbPath(TENANT_B, DEFAULT_DB)}/collections/shared-name`), 'get').body;
      const records = ok(
        await b.post(`${dbPath(TENANT_B, DEFAULT_DB)}/collections/${shared.id}/get`, {
          include: ['documents', 'metadatas'],
        }),
        'get',
      ).body;
      expect(records.documents.join(' ')).not.toContain(MARKER);
      expect(ok(await b.get('/api/v2/auth/identity'), 'identity').body).toEqual({
        user_id: keys.b.id,
        tenant: TENANT_B,
        databases: ['*'],
      });
    });
  });

  describe("a key restricted to db-one (tenant A's own)", () => {
    it.each(COLLECTION_ROUTES)('$route on db-two and default_database is refused (403/404)', async (r) => {
      for (const target of [aPrivate, aTwo]) {
        const res = await a1.send(r.method, r.path(target), r.body?.(target));
        expectChromaError(res, [403, 404]);
        expectNoLeak(res);
      }
    });

    it.each(COLLECTION_ROUTES)("$route under db-one naming another database's collection is a 404", async (r) => {
      for (const target of [aPrivate, aTwo]) {
        const smuggled = { ...target, database: DB_ONE };
        const res = await a1.send(r.method, r.path(smuggled), r.body?.(smuggled));
        expectChromaError(res, [403, 404]);
        expectNoLeak(res);
      }
    });

    // The tenant itself and its database list are the key's to read (the list is filtered, below).
    it.each(SCOPE_ROUTES.filter((r) => r.route !== 'GET tenants/{t}' && r.route !== 'GET tenants/{t}/databases'))(
      '$route on default_database and db-two is refused (403/404)',
      async (r) => {
        for (const [db, name] of [
          [DEFAULT_DB, aPrivate.name],
          [DB_TWO, aTwo.name],
        ]) {
          const res = await a1.send(r.method, r.path(TENANT_A, db, name), r.body?.(TENANT_A, db, name));
          expectChromaError(res, [403, 404]);
          expectNoLeak(res);
        }
      },
    );

    it('creating another database in its tenant is refused', async () => {
      expectChromaError(await a1.post(`/api/v2/tenants/${TENANT_A}/databases`, { name: freshName('db-x') }), [403]);
    });

    it('lists only its own database, and its identity names it', async () => {
      const dbs = ok(await a1.get(`/api/v2/tenants/${TENANT_A}/databases`), 'list').body as { name: string }[];
      expect(dbs.map((d) => d.name)).toEqual([DB_ONE]);
      expect(ok(await a1.get('/api/v2/auth/identity'), 'identity').body).toEqual({
        user_id: keys.a1.id,
        tenant: TENANT_A,
        databases: [DB_ONE],
      });
    });

    it('pages through only its own databases: limit and offset count the databases it may see', async () => {
      // tenant A's databases in creation order: default_database, db-one, db-two; A1 may see db-one alone.
      const page = async (query: string) =>
        (ok(await a1.get(`/api/v2/tenants/${TENANT_A}/databases?${query}`), query).body as { name: string }[]).map(
          (d) => d.name,
        );
      expect(await page('limit=1')).toEqual([DB_ONE]);
      expect(await page('limit=1&offset=0')).toEqual([DB_ONE]);
      expect(await page('limit=10&offset=1')).toEqual([]);
      expect(await page('limit=1&offset=2')).toEqual([]);
    });

    it('reads its own database', async () => {
      const cols = ok(await a1.get(`${dbPath(TENANT_A, DB_ONE)}/collections`), 'list').body as { name: string }[];
      expect(cols.map((c) => c.name)).toEqual(['a-one']);
      const got = ok(await a1.post(`${dbPath(TENANT_A, DB_ONE)}/collections/${aOne.id}/get`, {}), 'get').body;
      expect(got.ids).toEqual(['r1', 'r2', 'r3']);
      expect(ok(await a1.get(`/api/v2/collections/${TENANT_A}:${DB_ONE}:a-one`), 'crn').body.id).toBe(aOne.id);
    });
  });

  describe('reset', () => {
    it('POST /api/v2/reset is refused with any key, even with CHROMA_ALLOW_RESET (403), and without one (401)', async () => {
      for (const c of [a, a1, b]) expectChromaError(await c.post('/api/v2/reset'), [403]);
      expectChromaError(await as(gw, undefined).post('/api/v2/reset'), [401]);
      // Nothing was wiped: B's own collection is still there too.
      expect(ok(await b.get(`${dbPath(TENANT_B, DEFAULT_DB)}/collections/shared-name`), 'get').status).toBe(200);
    });
  });

  describe('after every attempt', () => {
    it("tenant A's databases, collections and records are exactly as before", async () => {
      expect(await storedTenant(gw, TENANT_A)).toEqual(before);
    });

    it("the owner's key still does everything the other keys were refused (A's key on A's collection)", async () => {
      for (const r of COLLECTION_ROUTES) {
        const own = await seedCollection(a, TENANT_A, DB_TWO, freshName('a-scratch'), 'a');
        expect2xx(await a.send(r.method, r.path(own), r.body?.(own)), r.route);
      }
    });
  });
});
