import { randomBytes } from 'node:crypto';
import { Errors, Pinecone } from '@pinecone-database/pinecone';
import { ChromaClient, ChromaForbiddenError, ChromaUnauthorizedError } from 'chromadb';
import { ApiKeysRepository } from '../../../src/core/auth/api-keys.repository';
import { ApiKeysService } from '../../../src/core/auth/api-keys.service';
import { ConfigError, loadConfig } from '../../../src/config/load-config';
import { http, startGateway, type TestGateway } from '../../support/gateway';
import {
  as,
  createTenantKeys,
  DB_ONE,
  dbPath,
  DEFAULT_DB,
  expectChromaError,
  expectPineconeControlError,
  expectPineconeDataError,
  expectVectorizerError,
  freshName,
  KEY_HEADERS,
  ok,
  TENANT_A,
  type Key,
  type Res,
  type TenantKeys,
} from './auth-helpers';

/**
 * Authentication: off by default; with VECGATE_AUTH=required, a live API key in the header each
 * protocol's clients use, or a 401 in that protocol's shape. The official Chroma and Pinecone
 * clients work with keys as they are.
 */

type Protocol = 'chroma' | 'pinecone-control' | 'pinecone-data' | 'vectorizer';

interface Probe {
  protocol: Protocol;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
}

/** Routes of every protocol that need a key (a representative of each shape and kind of route). */
const GUARDED: Probe[] = [
  { protocol: 'chroma', method: 'GET', path: `/api/v2/tenants/${TENANT_A}` },
  { protocol: 'chroma', method: 'GET', path: `${dbPath(TENANT_A, DEFAULT_DB)}/collections` },
  { protocol: 'chroma', method: 'POST', path: `${dbPath(TENANT_A, DEFAULT_DB)}/collections`, body: { name: 'nope' } },
  { protocol: 'chroma', method: 'POST', path: '/api/v2/tenants', body: { name: 'nope' } },
  { protocol: 'chroma', method: 'GET', path: '/api/v2/collections/tenant-a:default_database:nope' },
  { protocol: 'chroma', method: 'GET', path: '/api/v2/auth/identity' },
  { protocol: 'chroma', method: 'POST', path: '/api/v2/reset' },
  { protocol: 'pinecone-control', method: 'GET', path: '/indexes' },
  {
    protocol: 'pinecone-control',
    method: 'POST',
    path: '/indexes',
    body: { name: 'nope', dimension: 3, metric: 'cosine', spec: { serverless: { cloud: 'aws', region: 'us-east-1' } } },
  },
  { protocol: 'pinecone-control', method: 'GET', path: '/indexes/nope' },
  { protocol: 'pinecone-control', method: 'PATCH', path: '/indexes/nope', body: { deletion_protection: 'enabled' } },
  { protocol: 'pinecone-control', method: 'DELETE', path: '/indexes/nope' },
  { protocol: 'pinecone-data', method: 'POST', path: '/indexes/nope/query', body: { vector: [1, 0, 0], topK: 1 } },
  {
    protocol: 'pinecone-data',
    method: 'POST',
    path: '/indexes/nope/vectors/upsert',
    body: { vectors: [{ id: 'x', values: [1, 0, 0] }] },
  },
  { protocol: 'pinecone-data', method: 'GET', path: '/indexes/nope/describe_index_stats' },
  { protocol: 'pinecone-data', method: 'GET', path: '/indexes/nope/namespaces' },
  { protocol: 'vectorizer', method: 'GET', path: '/collections' },
  { protocol: 'vectorizer', method: 'POST', path: '/collections', body: { name: 'nope', dimension: 3 } },
  {
    protocol: 'vectorizer',
    method: 'POST',
    path: '/insert_vectors',
    body: { collection: 'nope', vectors: [{ id: 'x', embedding: [1, 0, 0] }] },
  },
  { protocol: 'vectorizer', method: 'POST', path: '/search', body: { collection: 'nope', vector: [1, 0, 0] } },
  {
    protocol: 'vectorizer',
    method: 'POST',
    path: '/batch_search',
    body: { collection: 'nope', queries: [{ vector: [1, 0, 0] }] },
  },
  { protocol: 'vectorizer', method: 'POST', path: '/collections/nope/delete_by_filter', body: { filter: { a: 1 } } },
  { protocol: 'vectorizer', method: 'GET', path: '/qdrant/collections' },
  {
    protocol: 'vectorizer',
    method: 'POST',
    path: '/qdrant/collections/nope/points/search',
    body: { vector: [1, 0, 0] },
  },
];

function expectUnauthenticated(protocol: Protocol, res: Res): void {
  if (protocol === 'chroma') expectChromaError(res, [401]);
  else if (protocol === 'pinecone-control') expectPineconeControlError(res, 401, 'UNAUTHENTICATED');
  else if (protocol === 'pinecone-data') expectPineconeDataError(res, 401, 16);
  else expectVectorizerError(res, 401, 'unauthorized');
  // Nothing about the key or its tenant comes back.
  expect(res.text).not.toMatch(/vg_[0-9a-f]{16}_/);
}

/** A request each protocol answers 200 with a key for tenant A. */
const READS: Record<string, string> = {
  chroma: `${dbPath(TENANT_A, DEFAULT_DB)}/collections`,
  'pinecone-control': '/indexes',
  vectorizer: '/collections',
  qdrant: '/qdrant/collections',
};

describe('Authentication', () => {
  describe('with VECGATE_AUTH unset and no key', () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startGateway();
    });
    afterAll(() => gw.close());

    it('VECGATE_AUTH is auto when unset, off when "off", required when "required", and anything else stops the boot', () => {
      expect(loadConfig({}).auth).toBe('auto');
      expect(loadConfig({ VECGATE_AUTH: '' }).auth).toBe('auto');
      expect(loadConfig({ VECGATE_AUTH: 'off' }).auth).toBe('off');
      expect(loadConfig({ VECGATE_AUTH: 'required' }).auth).toBe('required');
      expect(loadConfig({ VECGATE_AUTH: ' Required ' }).auth).toBe('required');
      expect(() => loadConfig({ VECGATE_AUTH: 'yes' })).toThrow(ConfigError);
    });

    it('holds no key, and every protocol answers without one, in the default tenant', async () => {
      expect((await gw.db.query('SELECT count(*)::int AS n FROM vecgate_api_keys')).rows[0].n).toBe(0);
      const open = as(gw, undefined);
      const name = freshName('open');
      ok(await open.post(`${dbPath('default_tenant', DEFAULT_DB)}/collections`, { name }), 'chroma create');
      ok(
        await open.post('/indexes', {
          name: `${name}-pc`,
          dimension: 3,
          metric: 'cosine',
          spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
        }),
        'pinecone create',
      );
      ok(
        await open.post(`/indexes/${name}-pc/vectors/upsert`, { vectors: [{ id: 'x', values: [1, 0, 0] }] }),
        'pinecone upsert',
      );
      ok(
        await open.post('/insert_vectors', { collection: `${name}-vz`, vectors: [{ id: 'x', embedding: [1, 0, 0] }] }),
        'vectorizer insert',
      );
      const listed = ok(await open.get(`${dbPath('default_tenant', DEFAULT_DB)}/collections`), 'chroma list').body.map(
        (c: { name: string }) => c.name,
      );
      expect(listed).toEqual(expect.arrayContaining([name, `${name}-pc`, `${name}-vz`]));
      ok(await open.get('/qdrant/collections'), 'qdrant list');
    });

    it('the Chroma identity is the default tenant and database', async () => {
      expect(ok(await as(gw, undefined).get('/api/v2/auth/identity'), 'identity').body).toEqual({
        user_id: '',
        tenant: 'default_tenant',
        databases: [DEFAULT_DB],
      });
    });
  });

  describe('with VECGATE_AUTH unset, once a key has been created', () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startGateway();
    });
    afterAll(() => gw.close());

    it('turns auth on, and keeps it on when every key is revoked', async () => {
      const path = `${dbPath('default_tenant', DEFAULT_DB)}/collections`;
      ok(await as(gw, undefined).get(path), 'open before any key');
      const service = gw.app.get(ApiKeysService);
      const { id, key } = await service.create('default_tenant', null);
      expect((await as(gw, undefined).get(path)).status).toBe(401);
      ok(await as(gw, key).get(path), 'with the key');
      expect(await service.revoke(id)).toBe(true);
      expect((await as(gw, key).get(path)).status).toBe(401);
      expect((await as(gw, undefined).get(path)).status).toBe(401);
      // A replica, or this one after a restart, reads the same rule from the catalog, not from its cache.
      expect(await gw.app.get(ApiKeysRepository).anyCreated(gw.db)).toBe(true);
    });
  });

  describe('with auth required', () => {
    let gw: TestGateway;
    let keys: TenantKeys;
    let service: ApiKeysService;

    beforeAll(async () => {
      // Hundreds of wrong keys from one address, each to be answered 401: the per-address budget of
      // failed authentications is off here (limits/rate-limit.spec.ts tests it).
      gw = await startGateway({ auth: 'required', authFailuresPerSecond: 0 });
      keys = await createTenantKeys(gw);
      service = gw.app.get(ApiKeysService);
    });
    afterAll(() => gw.close());

    it('the open probes answer without a key: heartbeat, version (and /healthz, /readyz where they exist)', async () => {
      const open = as(gw, undefined);
      const heartbeat = await open.get('/api/v2/heartbeat');
      expect(heartbeat.status).toBe(200);
      expect(typeof heartbeat.body['nanosecond heartbeat']).toBe('number');
      expect(await open.get('/api/v2/version')).toMatchObject({ status: 200, body: '1.0.0' });
      for (const probe of ['/healthz', '/readyz']) expect((await open.get(probe)).status).not.toBe(401);
    });

    it.each(GUARDED)('$protocol $method $path without a key is a 401 in its protocol shape', async (p) => {
      expectUnauthenticated(p.protocol, await as(gw, undefined).send(p.method, p.path, p.body));
    });

    it.each(GUARDED)('$protocol $method $path with a wrong key is a 401 in its protocol shape', async (p) => {
      const [, id] = /^vg_([0-9a-f]{16})_/.exec(keys.a.key)!;
      const wrong = [
        'not-a-key',
        `vg_${randomBytes(8).toString('hex')}_${randomBytes(32).toString('base64url')}`, // well formed, unknown id
        `vg_${id}_${randomBytes(32).toString('base64url')}`, // A's id, another secret
        keys.a.key.slice(0, -1), // truncated
        `${keys.a.key}x`, // extended
      ];
      for (const key of wrong) {
        for (const header of Object.keys(KEY_HEADERS))
          expectUnauthenticated(p.protocol, await as(gw, key, header).send(p.method, p.path, p.body));
      }
      // An empty bearer token is no key.
      expectUnauthenticated(p.protocol, await http(gw.url, p.method, p.path, p.body, { authorization: 'Bearer ' }));
    });

    it.each(Object.keys(KEY_HEADERS))('a key is accepted as %s by every protocol', async (header) => {
      for (const path of Object.values(READS)) {
        const res = await as(gw, keys.a.key, header).get(path);
        expect({ path, status: res.status }).toEqual({ path, status: 200 });
      }
      // and on a Pinecone data plane: an index of tenant A.
      const index = freshName('hdr');
      const c = as(gw, keys.a.key, header);
      ok(
        await c.post('/indexes', {
          name: index,
          dimension: 3,
          metric: 'cosine',
          spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
        }),
        'create',
      );
      expect(
        (await c.post(`/indexes/${index}/vectors/upsert`, { vectors: [{ id: 'x', values: [1, 0, 0] }] })).status,
      ).toBe(200);
      expect((await c.get(`/indexes/${index}/describe_index_stats`)).body).toMatchObject({ totalVectorCount: 1 });
    });

    it('a bearer token is accepted whatever the case of "Bearer"', async () => {
      expect(
        (await http(gw.url, 'GET', READS.chroma, undefined, { authorization: `bearer ${keys.a.key}` })).status,
      ).toBe(200);
    });

    it('a revoked key is a 401 on every protocol from the next request on; the other keys still work', async () => {
      const key: Key = await service.create(TENANT_A, null);
      const c = as(gw, key.key, 'Api-Key');
      for (const path of Object.values(READS)) expect((await c.get(path)).status).toBe(200);
      expect(await service.revoke(key.id)).toBe(true);
      for (const p of GUARDED) expectUnauthenticated(p.protocol, await c.send(p.method, p.path, p.body));
      for (const header of Object.keys(KEY_HEADERS))
        expectUnauthenticated('chroma', await as(gw, key.key, header).get(READS.chroma));
      for (const path of Object.values(READS)) expect((await as(gw, keys.a.key).get(path)).status).toBe(200);
      expect(await service.revoke(key.id)).toBe(false);
    });

    it('concurrent requests with different keys each act as their own key (no principal crosses requests)', async () => {
      const index = { a: freshName('conc-a'), b: freshName('conc-b') };
      const spec = { serverless: { cloud: 'aws', region: 'us-east-1' } };
      ok(await as(gw, keys.a.key).post('/indexes', { name: index.a, dimension: 3, metric: 'cosine', spec }), 'A index');
      ok(await as(gw, keys.b.key).post('/indexes', { name: index.b, dimension: 3, metric: 'cosine', spec }), 'B index');
      const rounds = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? ('a' as const) : ('b' as const)));
      const results = await Promise.all(
        rounds.map(async (who, i) => {
          const key = keys[who];
          const c = as(gw, key.key, Object.keys(KEY_HEADERS)[i % 4]);
          // A body to parse (the request context must survive it), then reads that depend on the key.
          const upsert = await c.post(`/indexes/${index[who]}/vectors/upsert`, {
            vectors: [{ id: `${who}-${i}`, values: [1, i, 0] }],
          });
          const identity = await c.get('/api/v2/auth/identity');
          const listed = await c.get('/indexes');
          return {
            who,
            upsert: upsert.status,
            user: identity.body?.user_id,
            names: (listed.body?.indexes ?? []).map((x: { name: string }) => x.name),
          };
        }),
      );
      for (const r of results) {
        expect(r).toMatchObject({ upsert: 200, user: keys[r.who].id });
        expect(r.names).toContain(index[r.who]);
        expect(r.names).not.toContain(index[r.who === 'a' ? 'b' : 'a']);
      }
      const stats = ok(await as(gw, keys.a.key).get(`/indexes/${index.a}/describe_index_stats`), 'stats').body;
      expect(stats.totalVectorCount).toBe(20);
    });

    it("the Chroma identity names the key's tenant and databases", async () => {
      expect(ok(await as(gw, keys.a.key).get('/api/v2/auth/identity'), 'A').body).toEqual({
        user_id: keys.a.id,
        tenant: TENANT_A,
        databases: ['*'],
      });
      expect(ok(await as(gw, keys.a1.key).get('/api/v2/auth/identity'), 'A1').body).toEqual({
        user_id: keys.a1.id,
        tenant: TENANT_A,
        databases: [DB_ONE],
      });
    });

    describe('the official chromadb client', () => {
      const client = (headers: Record<string, string> | undefined, database = DEFAULT_DB) =>
        new ChromaClient({
          host: '127.0.0.1',
          port: gw.port,
          tenant: TENANT_A,
          database,
          ...(headers ? { headers } : {}),
        });

      it.each([
        ['x-chroma-token', (k: string) => ({ 'x-chroma-token': k })],
        ['Authorization: Bearer', (k: string) => ({ Authorization: `Bearer ${k}` })],
      ])('works with the key as %s: create, add, query, count, list', async (_name, headers) => {
        const chroma = client(headers(keys.a.key));
        expect(typeof (await chroma.heartbeat())).toBe('number');
        const name = freshName('client');
        const col = await chroma.createCollection({ name, embeddingFunction: null });
        await col.add({
          ids: ['a', 'b'],
          embeddings: [
            [1, 0, 0],
            [0, 1, 0],
          ],
          documents: ['one', 'two'],
          metadatas: [{ k: 1 }, { k: 2 }],
        });
        const hits = await col.query({
          queryEmbeddings: [[1, 0.1, 0]],
          nResults: 1,
          include: ['documents', 'distances'] as any,
        });
        expect(hits.ids).toEqual([['a']]);
        expect(hits.documents).toEqual([['one']]);
        expect(await col.count()).toBe(2);
        expect((await chroma.listCollections()).map((c) => c.name)).toContain(name);
        expect((await chroma.getCollection({ name, embeddingFunction: null } as any)).id).toBe(col.id);
      });

      it("works with a database-restricted key on its database, and is refused the tenant's others", async () => {
        const name = freshName('one');
        const col = await client({ 'x-chroma-token': keys.a1.key }, DB_ONE).createCollection({
          name,
          embeddingFunction: null,
        });
        await col.add({ ids: ['a'], embeddings: [[1, 0, 0]] });
        expect(await col.count()).toBe(1);
        await expect(client({ 'x-chroma-token': keys.a1.key }, DEFAULT_DB).listCollections()).rejects.toBeInstanceOf(
          ChromaForbiddenError,
        );
      });

      it("without a key, or with a wrong one, is Unauthorized; with another tenant's key, Forbidden", async () => {
        expect(typeof (await client(undefined).heartbeat())).toBe('number');
        await expect(client(undefined).listCollections()).rejects.toBeInstanceOf(ChromaUnauthorizedError);
        await expect(client({ 'x-chroma-token': 'wrong' }).listCollections()).rejects.toBeInstanceOf(
          ChromaUnauthorizedError,
        );
        await expect(client({ 'x-chroma-token': keys.b.key }).listCollections()).rejects.toBeInstanceOf(
          ChromaForbiddenError,
        );
        await expect(
          client({ 'x-chroma-token': keys.b.key }).createCollection({ name: freshName('x'), embeddingFunction: null }),
        ).rejects.toBeInstanceOf(ChromaForbiddenError);
      });
    });

    describe('the official Pinecone v9 client', () => {
      const pinecone = (apiKey: string) => new Pinecone({ apiKey, controllerHostUrl: gw.url });

      it('works with the key as its apiKey: create, describe, upsert, query, fetch, list, delete', async () => {
        const pc = pinecone(keys.a.key);
        const name = freshName('pc');
        await pc.createIndex({
          name,
          dimension: 3,
          metric: 'cosine',
          spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
        });
        const described = await pc.describeIndex(name);
        expect(described).toMatchObject({ name, dimension: 3, metric: 'cosine', host: `${gw.url}/indexes/${name}` });
        const index = pc.index({ name }).namespace('ns');
        await index.upsert({
          records: [
            { id: 'a', values: [1, 0, 0], metadata: { k: 1 } },
            { id: 'b', values: [0, 1, 0], metadata: { k: 2 } },
          ],
        });
        const { matches } = await index.query({ vector: [1, 0.1, 0], topK: 1, includeMetadata: true });
        expect(matches.map((m) => [m.id, m.metadata])).toEqual([['a', { k: 1 }]]);
        expect(Object.keys((await index.fetch({ ids: ['a', 'b'] })).records).sort()).toEqual(['a', 'b']);
        expect(((await pc.listIndexes()).indexes ?? []).map((i) => i.name)).toContain(name);
        await pc.deleteIndex(name);
        expect(((await pc.listIndexes()).indexes ?? []).map((i) => i.name)).not.toContain(name);
        // The index lived in tenant A's default database.
        const chroma = as(gw, keys.a.key, 'x-chroma-token');
        expect((await chroma.get(`${dbPath(TENANT_A, DEFAULT_DB)}/collections/${name}`)).status).toBe(404);
      });

      it('with a wrong or revoked key is a PineconeAuthorizationError on the control and the data plane', async () => {
        const name = freshName('pc-auth');
        await pinecone(keys.a.key).createIndex({
          name,
          dimension: 3,
          metric: 'cosine',
          spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
        });
        const revoked = await service.create(TENANT_A, null);
        await service.revoke(revoked.id);
        for (const apiKey of ['wrong', revoked.key]) {
          const pc = pinecone(apiKey);
          await expect(pc.listIndexes()).rejects.toBeInstanceOf(Errors.PineconeAuthorizationError);
          await expect(pc.describeIndex(name)).rejects.toBeInstanceOf(Errors.PineconeAuthorizationError);
          const index = pc.index({ name, host: `${gw.url}/indexes/${name}` });
          await expect(index.query({ vector: [1, 0, 0], topK: 1 })).rejects.toBeInstanceOf(
            Errors.PineconeAuthorizationError,
          );
          await expect(index.upsert({ records: [{ id: 'x', values: [1, 0, 0] }] })).rejects.toBeInstanceOf(
            Errors.PineconeAuthorizationError,
          );
        }
      });

      it("with another tenant's key does not find the index, even given its host", async () => {
        const name = freshName('pc-iso');
        await pinecone(keys.a.key).createIndex({
          name,
          dimension: 3,
          metric: 'cosine',
          spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
        });
        await pinecone(keys.a.key)
          .index({ name })
          .upsert({ records: [{ id: 'x', values: [1, 0, 0] }] });
        const pcB = pinecone(keys.b.key);
        await expect(pcB.describeIndex(name)).rejects.toBeInstanceOf(Errors.PineconeNotFoundError);
        expect(((await pcB.listIndexes()).indexes ?? []).map((i) => i.name)).not.toContain(name);
        const index = pcB.index({ name, host: `${gw.url}/indexes/${name}` });
        await expect(index.query({ vector: [1, 0, 0], topK: 1 })).rejects.toBeInstanceOf(Errors.PineconeNotFoundError);
        await expect(index.fetch({ ids: ['x'] })).rejects.toBeInstanceOf(Errors.PineconeNotFoundError);
        await expect(index.deleteAll()).rejects.toBeInstanceOf(Errors.PineconeNotFoundError);
        expect(
          Object.keys(
            (
              await pinecone(keys.a.key)
                .index({ name })
                .fetch({ ids: ['x'] })
            ).records,
          ),
        ).toEqual(['x']);
      });
    });
  });
});
