import { AdminClient, ChromaClient, ChromaNotFoundError, ChromaUniqueError } from 'chromadb';
import { qualified } from '../../../src/core/collections/record-table.repository';
import { loadConfig } from '../../../src/config/load-config';
import { http, startGateway, type TestGateway, gatewayForFile } from '../../support/gateway';
import { waitIndexed } from '../../support/wait';

const P = '/api/v2/tenants/default_tenant/databases/default_database';

describe('Chroma collections through the official client', () => {
  const gw = gatewayForFile();
  let client: ChromaClient;

  beforeAll(async () => {
    client = new ChromaClient({ host: '127.0.0.1', port: gw.port });
  });

  it('creates a collection with metadata and the default configuration', async () => {
    const col = await client.createCollection({
      name: 'col-defaults',
      metadata: { topic: 'x', n: 1 },
      embeddingFunction: null,
    });
    expect(col.name).toBe('col-defaults');
    expect(col.metadata).toEqual({ topic: 'x', n: 1 });
    const raw = await http(gw.url, 'GET', `${P}/collections/col-defaults`);
    expect(raw.body).toMatchObject({
      id: col.id,
      dimension: null,
      tenant: 'default_tenant',
      database: 'default_database',
      configuration_json: {
        hnsw: {
          space: 'l2',
          ef_construction: 100,
          ef_search: 100,
          max_neighbors: 16,
          resize_factor: 1.2,
          sync_threshold: 1000,
        },
        spann: null,
        embedding_function: null,
      },
    });
  });

  it('refuses a duplicate name with ChromaUniqueError (409)', async () => {
    await client.createCollection({ name: 'col-dup', embeddingFunction: null });
    await expect(client.createCollection({ name: 'col-dup', embeddingFunction: null })).rejects.toBeInstanceOf(
      ChromaUniqueError,
    );
    const raw = await http(gw.url, 'POST', `${P}/collections`, { name: 'col-dup' });
    expect(raw.status).toBe(409);
    expect(raw.body).toEqual({ error: 'ChromaError', message: 'Collection [col-dup] already exists' });
  });

  it('getOrCreate returns the existing collection unchanged, ignoring new metadata', async () => {
    const first = await client.getOrCreateCollection({ name: 'col-goc', metadata: { v: 1 }, embeddingFunction: null });
    const second = await client.getOrCreateCollection({ name: 'col-goc', metadata: { v: 2 }, embeddingFunction: null });
    expect(second.id).toBe(first.id);
    expect(second.metadata).toEqual({ v: 1 });
  });

  it('gets a collection by name, by id and by CRN, and 404s an unknown one', async () => {
    const col = await client.createCollection({ name: 'col-get', embeddingFunction: null });
    expect((await client.getCollection({ name: 'col-get' })).id).toBe(col.id);
    expect((await client.getCollectionById(col.id)).name).toBe('col-get');
    expect((await client.getCollectionByCrn('default_tenant:default_database:col-get')).id).toBe(col.id);
    await expect(client.getCollection({ name: 'col-nope' })).rejects.toBeInstanceOf(ChromaNotFoundError);
    const raw = await http(gw.url, 'GET', `${P}/collections/col-nope`);
    expect(raw.body).toEqual({ error: 'NotFoundError', message: 'Collection [col-nope] does not exists' });
  });

  it('gets several collections at once, and hands out a collection by id without a round trip', async () => {
    const one = await client.createCollection({ name: 'col-many-1', embeddingFunction: null });
    await client.createCollection({ name: 'col-many-2', embeddingFunction: null });
    expect((await client.getCollections(['col-many-1', 'col-many-2'])).map((c) => c.name)).toEqual([
      'col-many-1',
      'col-many-2',
    ]);
    const handle = client.collection(one.id);
    await handle.add({ ids: ['h'], embeddings: [[1, 2]] });
    expect(await one.count()).toBe(1);
  });

  it('lists with limit and offset in creation order, and counts', async () => {
    const names = (await client.listCollections()).map((c) => c.name);
    expect(names.length).toBe(await client.countCollections());
    const page = (await client.listCollections({ limit: 2, offset: 1 })).map((c) => c.name);
    expect(page).toEqual(names.slice(1, 3));
  });

  it('modifies name and replaces metadata, and refuses a rename onto a taken name with 409', async () => {
    const col = await client.createCollection({ name: 'col-mod', metadata: { a: 1, b: 2 }, embeddingFunction: null });
    await col.modify({ name: 'col-mod-renamed', metadata: { c: 3 } });
    const again = await client.getCollection({ name: 'col-mod-renamed' });
    expect(again.id).toBe(col.id);
    expect(again.metadata).toEqual({ c: 3 });
    await client.createCollection({ name: 'col-taken', embeddingFunction: null });
    const clash = await http(gw.url, 'PUT', `${P}/collections/${col.id}`, { new_name: 'col-taken' });
    expect(clash.status).toBe(409);
    expect((await client.getCollectionById(col.id)).name).toBe('col-mod-renamed');
  });

  it('deletes by name, with its records, and 404s a second delete', async () => {
    const col = await client.createCollection({ name: 'col-del', embeddingFunction: null });
    await col.add({ ids: ['a'], embeddings: [[1, 2]] });
    const table = (await gw.db.query('SELECT table_name FROM vecgate_collections WHERE id = $1', [col.id])).rows[0]
      .table_name;
    await client.deleteCollection({ name: 'col-del' });
    await expect(client.deleteCollection({ name: 'col-del' })).rejects.toBeInstanceOf(ChromaNotFoundError);
    const exists = await gw.db.query(`SELECT to_regclass($1) AS t`, [qualified(table)]);
    expect(exists.rows[0].t).toBeNull();
  });

  describe('with the HNSW index built as soon as a collection has a record (VECGATE_INDEX_MIN_ROWS=1, VECGATE_INDEX_QUIET_MS=50)', () => {
    let eager: TestGateway;
    let eagerClient: ChromaClient;

    beforeAll(async () => {
      eager = await startGateway({ indexing: { ...loadConfig({}).indexing, minRows: 1, quietMs: 50 } });
      eagerClient = new ChromaClient({ host: '127.0.0.1', port: eager.port });
    });
    afterAll(() => eager.close());

    /** Waits for the background build (indexing_status reaches 1), then reads the index's definition. */
    async function builtIndex(collectionId: string): Promise<string> {
      await waitIndexed(eager.url, collectionId);
      return indexDefinition(collectionId);
    }

    async function indexDefinition(collectionId: string): Promise<string> {
      const { rows } = await eager.db.query(
        `SELECT indexdef FROM pg_indexes WHERE schemaname = 'vecgate_records' AND indexname = (SELECT table_name || '_hnsw' FROM vecgate_collections WHERE id = $1)`,
        [collectionId],
      );
      expect(rows).toHaveLength(1);
      return rows[0].indexdef;
    }

    it('applies hnsw space, ef_construction and max_neighbors to the real pgvector index', async () => {
      const col = await eagerClient.createCollection({
        name: 'col-hnsw',
        configuration: { hnsw: { space: 'cosine', ef_construction: 64, max_neighbors: 8, ef_search: 50 } },
        embeddingFunction: null,
      });
      await col.add({ ids: ['a'], embeddings: [[1, 0, 0]] });
      expect(await builtIndex(col.id)).toMatch(
        /USING hnsw \(embedding vector_cosine_ops\) WITH \(m='?8'?, ef_construction='?64'?\)/,
      );
      const raw = await http(eager.url, 'GET', `${P}/collections/col-hnsw`);
      expect(raw.body.configuration_json.hnsw).toMatchObject({
        space: 'cosine',
        ef_construction: 64,
        max_neighbors: 8,
        ef_search: 50,
      });
      expect(raw.body.dimension).toBe(3);
    });

    it('rebuilds the index when max_neighbors is modified, and refuses to change the space', async () => {
      const col = await eagerClient.createCollection({ name: 'col-rebuild', embeddingFunction: null });
      await col.add({
        ids: ['a', 'b'],
        embeddings: [
          [1, 0],
          [0, 1],
        ],
      });
      expect(await builtIndex(col.id)).toMatch(/WITH \(m='?16'?, ef_construction='?100'?\)/);
      // The client's types only allow ef_search in a modify; the server takes max_neighbors too.
      await col.modify({ configuration: { hnsw: { ef_search: 20 } } });
      const mod = await http(eager.url, 'PUT', `${P}/collections/${col.id}`, {
        new_configuration: { hnsw: { max_neighbors: 12 } },
      });
      expect(mod.status).toBe(200);
      // Rebuilt by the modify itself: the new definition is there as soon as it answers.
      expect(await indexDefinition(col.id)).toMatch(/WITH \(m='?12'?, ef_construction='?100'?\)/);
      const bad = await http(eager.url, 'PUT', `${P}/collections/${col.id}`, {
        new_configuration: { hnsw: { space: 'ip' } },
      });
      expect(bad.status).toBe(422);
      expect((await col.query({ queryEmbeddings: [[1, 0]], nResults: 1 })).ids).toEqual([['a']]);
    });
  });

  it('takes the space from legacy hnsw:space metadata and keeps the metadata', async () => {
    const raw = await http(gw.url, 'POST', `${P}/collections`, {
      name: 'col-legacy',
      metadata: { 'hnsw:space': 'ip' },
    });
    expect(raw.body.configuration_json.hnsw.space).toBe('ip');
    expect(raw.body.metadata).toEqual({ 'hnsw:space': 'ip' });
  });

  it('forks a collection with a copy of its records, counted by forkCount', async () => {
    const col = await client.createCollection({ name: 'col-src', metadata: { k: 'v' }, embeddingFunction: null });
    await col.add({
      ids: ['a', 'b'],
      embeddings: [
        [1, 0],
        [0, 1],
      ],
      documents: ['A', 'B'],
    });
    const fork = await col.fork({ name: 'col-fork' });
    expect(fork.id).not.toBe(col.id);
    expect(await col.forkCount()).toBe(1);
    await fork.add({ ids: ['c'], embeddings: [[1, 1]] });
    expect(await fork.count()).toBe(3);
    expect(await col.count()).toBe(2);
    expect((await fork.get({ ids: ['a'] })).documents).toEqual(['A']);
    expect((await fork.query({ queryEmbeddings: [[0, 1]], nResults: 1 })).ids).toEqual([['b']]);
  });

  it('reports nothing left to index', async () => {
    const col = await client.createCollection({ name: 'col-indexing', embeddingFunction: null });
    await col.add({ ids: ['a'], embeddings: [[1]] });
    expect(await col.getIndexingStatus()).toEqual({
      num_indexed_ops: 1,
      num_unindexed_ops: 0,
      op_indexing_progress: 1,
      total_ops: 1,
    });
  });
});

describe('Chroma tenants and databases through the AdminClient', () => {
  let gw: TestGateway;
  let admin: AdminClient;

  beforeAll(async () => {
    gw = await startGateway();
    admin = new AdminClient({ host: '127.0.0.1', port: gw.port, ssl: false });
  });
  afterAll(() => gw.close());

  it('creates and gets a tenant, and refuses a duplicate with 409', async () => {
    await admin.createTenant({ name: 'acme' });
    expect(await admin.getTenant({ name: 'acme' })).toBe('acme');
    const dup = await http(gw.url, 'POST', '/api/v2/tenants', { name: 'acme' });
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual({ error: 'ChromaError', message: 'Tenant [acme] already exists' });
  });

  it('refuses tenant and database names shorter than 3 with Chroma messages', async () => {
    const t = await http(gw.url, 'POST', '/api/v2/tenants', { name: 'ab' });
    expect(t.status).toBe(400);
    expect(t.body.message).toBe(
      'Validation error: name: Validation error: length [{"min": Number(3), "value": String("ab")}]',
    );
    const d = await http(gw.url, 'POST', '/api/v2/tenants/default_tenant/databases', { name: 'ab' });
    expect(d.status).toBe(400);
    expect(d.body.message).toMatch(/^Validation error: database_name: /);
  });

  it('creates, gets, lists with limit/offset and deletes databases', async () => {
    await admin.createDatabase({ name: 'db-one', tenant: 'acme' });
    await admin.createDatabase({ name: 'db-two', tenant: 'acme' });
    expect((await admin.getDatabase({ name: 'db-one', tenant: 'acme' })).name).toBe('db-one');
    expect((await admin.listDatabases({ tenant: 'acme' })).map((d) => d.name)).toEqual(['db-one', 'db-two']);
    expect((await admin.listDatabases({ tenant: 'acme', limit: 1, offset: 1 })).map((d) => d.name)).toEqual(['db-two']);
    await admin.deleteDatabase({ name: 'db-two', tenant: 'acme' });
    expect((await admin.listDatabases({ tenant: 'acme' })).map((d) => d.name)).toEqual(['db-one']);
  });

  it('cascades a database delete to its collections and their records', async () => {
    await admin.createDatabase({ name: 'db-cascade', tenant: 'acme' });
    const client = new ChromaClient({ host: '127.0.0.1', port: gw.port, tenant: 'acme', database: 'db-cascade' });
    const col = await client.createCollection({ name: 'inside', embeddingFunction: null });
    await col.add({ ids: ['a'], embeddings: [[1]] });
    await admin.deleteDatabase({ name: 'db-cascade', tenant: 'acme' });
    const { rows } = await gw.db.query('SELECT count(*)::int AS n FROM vecgate_collections WHERE id = $1', [col.id]);
    expect(rows[0].n).toBe(0);
    const tables = await gw.db.query(
      `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'vecgate_records' AND tablename = $1`,
      [`r_${col.id.replace(/-/g, '')}`],
    );
    expect(tables.rows[0].n).toBe(0);
  });

  it('answers unknown tenants and databases as Chroma does', async () => {
    expect((await http(gw.url, 'GET', '/api/v2/tenants/nope_tenant')).body).toEqual({
      error: 'NotFoundError',
      message: 'Tenant [nope_tenant] not found',
    });
    expect((await http(gw.url, 'GET', '/api/v2/tenants/acme/databases/nope')).body).toEqual({
      error: 'NotFoundError',
      message: 'Database [nope] not found. Are you sure it exists?',
    });
    expect((await http(gw.url, 'DELETE', '/api/v2/tenants/acme/databases/nope')).body).toEqual({
      error: 'NotFoundError',
      message: 'Database [nope] not found',
    });
    expect((await http(gw.url, 'GET', '/api/v2/tenants/nope_tenant/databases')).body).toEqual([]);
    const create = await http(gw.url, 'POST', '/api/v2/tenants/acme/databases/nope/collections', { name: 'abc' });
    expect(create.status).toBe(400);
    expect(create.body).toEqual({ error: 'InvalidArgumentError', message: 'Database [nope] does not exist' });
    expect((await http(gw.url, 'GET', '/api/v2/tenants/acme/databases/nope/collections')).body).toEqual([]);
  });

  it('refuses a database in a tenant that does not exist (Chroma 1.0.0 would create an orphan)', async () => {
    const res = await http(gw.url, 'POST', '/api/v2/tenants/ghost_tenant/databases', { name: 'ghost_db' });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'NotFoundError', message: 'Tenant [ghost_tenant] not found' });
  });

  it('keeps collections of the same name apart in different databases', async () => {
    await admin.createDatabase({ name: 'db-a', tenant: 'acme' });
    await admin.createDatabase({ name: 'db-b', tenant: 'acme' });
    const a = new ChromaClient({ host: '127.0.0.1', port: gw.port, tenant: 'acme', database: 'db-a' });
    const b = new ChromaClient({ host: '127.0.0.1', port: gw.port, tenant: 'acme', database: 'db-b' });
    const colA = await a.createCollection({ name: 'same', embeddingFunction: null });
    const colB = await b.createCollection({ name: 'same', embeddingFunction: null });
    await colA.add({ ids: ['only-a'], embeddings: [[1]] });
    expect(await colB.count()).toBe(0);
    // A collection id is not a key to another database's records.
    const cross = await http(gw.url, 'POST', `/api/v2/tenants/acme/databases/db-b/collections/${colA.id}/get`, {});
    expect(cross.status).toBe(404);
  });
});
