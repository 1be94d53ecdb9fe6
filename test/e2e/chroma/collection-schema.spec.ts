import {
  BoolInvertedIndexConfig,
  ChromaClient,
  FloatInvertedIndexConfig,
  FtsIndexConfig,
  IntInvertedIndexConfig,
  Schema,
  SparseVectorIndexConfig,
  StringInvertedIndexConfig,
  VectorIndexConfig,
} from 'chromadb';
import { http, type TestGateway, gatewayForFile } from '../../support/gateway';

const P = '/api/v2/tenants/default_tenant/databases/default_database';

/** The names of the record table's filter indexes (metadata, document), as Postgres lists them. */
async function filterIndexes(gw: TestGateway, collectionId: string): Promise<string[]> {
  const { rows } = await gw.db.query(
    `SELECT substring(i.indexname FROM length(c.table_name) + 2) AS kind
       FROM vecgate_collections c JOIN pg_indexes i ON i.schemaname = 'vecgate_records' AND i.tablename = c.table_name
      WHERE c.id = $1 AND i.indexname IN (c.table_name || '_metadata', c.table_name || '_document') ORDER BY 1`,
    [collectionId],
  );
  return rows.map((r: any) => r.kind);
}

describe("Chroma's collection schema", () => {
  const gw = gatewayForFile();
  let client: ChromaClient;

  beforeAll(() => {
    client = new ChromaClient({ host: '127.0.0.1', port: gw.port });
  });

  it('returns the default schema for a collection created without one, with its settings in it', async () => {
    const raw = await http(gw.url, 'POST', `${P}/collections`, { name: 'schema-none' });
    expect(raw.status).toBe(200);
    const schema = raw.body.schema;
    expect(schema.defaults.string).toEqual({
      fts_index: { enabled: false, config: {} },
      string_inverted_index: { enabled: true, config: {} },
    });
    expect(schema.defaults.int.int_inverted_index.enabled).toBe(true);
    expect(schema.keys['#document'].string.fts_index.enabled).toBe(true);
    const vector = schema.keys['#embedding'].float_list.vector_index;
    expect(vector.enabled).toBe(true);
    expect(vector.config).toMatchObject({
      space: 'l2',
      source_key: '#document',
      hnsw: { ef_construction: 100, max_neighbors: 16, ef_search: 100 },
    });
    // A schema that asks for nothing leaves the configuration alone, and is Chroma's default too.
    const empty = await http(gw.url, 'POST', `${P}/collections`, {
      name: 'schema-empty',
      schema: { defaults: {}, keys: {} },
      configuration: { hnsw: { space: 'ip' } },
    });
    expect(empty.status).toBe(200);
    expect(empty.body.configuration_json.hnsw.space).toBe('ip');
    expect(empty.body.schema.keys['#embedding'].float_list.vector_index.config.space).toBe('ip');
    expect(await filterIndexes(gw, empty.body.id)).toEqual(['document', 'metadata']);
  });

  it("sets the space and HNSW settings from the schema's vector index, and searches in that space", async () => {
    const schema = new Schema().createIndex(
      new VectorIndexConfig({ space: 'cosine', hnsw: { ef_search: 60, max_neighbors: 24, ef_construction: 120 } }),
    );
    const col = await client.createCollection({ name: 'schema-cosine', schema, embeddingFunction: null });
    const raw = await http(gw.url, 'GET', `${P}/collections/schema-cosine`);
    expect(raw.body.configuration_json.hnsw).toMatchObject({
      space: 'cosine',
      ef_search: 60,
      max_neighbors: 24,
      ef_construction: 120,
    });
    expect(raw.body.schema.keys['#embedding'].float_list.vector_index.config.space).toBe('cosine');
    // Far in L2, the same direction: nearest in cosine, second in L2.
    await col.add({
      ids: ['same-direction', 'near-in-l2'],
      embeddings: [
        [10, 0],
        [0.9, 0.3],
      ],
    });
    const found = await col.query({ queryEmbeddings: [[1, 0]], nResults: 2 });
    expect(found.ids).toEqual([['same-direction', 'near-in-l2']]);
    expect(found.distances![0][0]).toBeCloseTo(0, 5);

    // A later change of ef_search shows in the schema as in the configuration.
    await col.modify({ configuration: { hnsw: { ef_search: 80 } } });
    const after = await http(gw.url, 'GET', `${P}/collections/schema-cosine`);
    expect(after.body.schema.keys['#embedding'].float_list.vector_index.config.hnsw.ef_search).toBe(80);
    expect(after.body.configuration_json.hnsw.ef_search).toBe(80);
  });

  it('refuses a schema and a configuration that both ask for something, and creates nothing', async () => {
    const schema = new Schema().createIndex(new VectorIndexConfig({ space: 'cosine' })).serializeToJSON();
    const raw = await http(gw.url, 'POST', `${P}/collections`, {
      name: 'schema-conflict',
      schema,
      configuration: { hnsw: { space: 'ip' } },
    });
    expect(raw.status).toBe(400);
    expect(raw.body).toEqual({
      error: 'InvalidArgumentError',
      message: 'Failed to reconcile schema: Cannot set both collection config and schema simultaneously',
    });
    expect((await http(gw.url, 'GET', `${P}/collections/schema-conflict`)).status).toBe(404);
  });

  it('refuses filters on keys whose index the schema disabled, and builds no index they would use', async () => {
    const schema = new Schema()
      .deleteIndex(new StringInvertedIndexConfig(), 'category')
      .deleteIndex(new FtsIndexConfig(), '#document');
    const col = await client.createCollection({ name: 'schema-disabled', schema, embeddingFunction: null });
    await col.add({
      ids: ['a', 'b'],
      embeddings: [
        [1, 0],
        [0, 1],
      ],
      documents: ['alpha', 'beta'],
      metadatas: [
        { category: 'x', n: 1 },
        { category: 'y', n: 2 },
      ],
    });
    await expect(col.get({ where: { category: 'x' } })).rejects.toThrow(
      "Cannot filter using metadata key 'category' with type 'Str' because indexing is disabled",
    );
    await expect(
      col.query({ queryEmbeddings: [[1, 0]], where: { $or: [{ n: 1 }, { category: 'y' }] } }),
    ).rejects.toThrow("Cannot filter using metadata key 'category' with type 'Str' because indexing is disabled");
    await expect(col.delete({ whereDocument: { $contains: 'alp' } })).rejects.toThrow(
      'Cannot filter using full-text search because FTS indexing is disabled',
    );
    await expect(col.get({ where: { '#document': { $contains: 'alp' } } as any })).rejects.toThrow(
      'Cannot filter using full-text search because FTS indexing is disabled',
    );
    expect(await col.count()).toBe(2); // the refused delete deleted nothing
    // Other keys, and the same key with another value type, filter as usual.
    expect((await col.get({ where: { n: 2 } })).ids).toEqual(['b']);
    expect((await col.get({ where: { category: { $in: [1, 2] } } as any })).ids).toEqual([]);
    expect(await filterIndexes(gw, col.id)).toEqual(['metadata']);
    const raw = await http(gw.url, 'GET', `${P}/collections/schema-disabled`);
    expect(raw.body.schema.keys.category.string.string_inverted_index.enabled).toBe(false);
    expect(raw.body.schema.keys['#document'].string.fts_index.enabled).toBe(false);

    // A fork is the same collection: its table gets the same indexes, its filters the same rules.
    const fork = await http(gw.url, 'POST', `${P}/collections/${col.id}/fork`, { new_name: 'schema-disabled-fork' });
    expect(fork.status).toBe(200);
    expect(await filterIndexes(gw, fork.body.id)).toEqual(['metadata']);
    const refused = await http(gw.url, 'POST', `${P}/collections/${fork.body.id}/get`, { where: { category: 'x' } });
    expect(refused.status).toBe(400);
  });

  it('builds no metadata index when no key may be filtered, and one when a key is', async () => {
    const none = new Schema()
      .deleteIndex(new StringInvertedIndexConfig())
      .deleteIndex(new IntInvertedIndexConfig())
      .deleteIndex(new FloatInvertedIndexConfig())
      .deleteIndex(new BoolInvertedIndexConfig());
    const bare = await client.createCollection({ name: 'schema-no-filters', schema: none, embeddingFunction: null });
    expect(await filterIndexes(gw, bare.id)).toEqual(['document']);
    // Documents stay filterable (full-text search is on), also through #document in where.
    await bare.add({ ids: ['doc'], embeddings: [[0, 1]], documents: ['alpha beta'] });
    expect((await bare.get({ where: { '#document': { $contains: 'beta' } } as any })).ids).toEqual(['doc']);
    await bare.add({ ids: ['a'], embeddings: [[1, 0]], metadatas: [{ n: 1, flag: true }] });
    await expect(bare.get({ where: { flag: true } })).rejects.toThrow(
      "Cannot filter using metadata key 'flag' with type 'Bool' because indexing is disabled",
    );

    const one = new Schema()
      .deleteIndex(new StringInvertedIndexConfig())
      .deleteIndex(new IntInvertedIndexConfig())
      .deleteIndex(new FloatInvertedIndexConfig())
      .deleteIndex(new BoolInvertedIndexConfig())
      .createIndex(new IntInvertedIndexConfig(), 'n');
    const keyed = await client.createCollection({ name: 'schema-one-key', schema: one, embeddingFunction: null });
    expect(await filterIndexes(gw, keyed.id)).toEqual(['document', 'metadata']);
    await keyed.add({
      ids: ['a', 'b'],
      embeddings: [
        [1, 0],
        [0, 1],
      ],
      metadatas: [{ n: 1 }, { n: 2 }],
    });
    expect((await keyed.get({ where: { n: { $gte: 2 } } })).ids).toEqual(['b']);
    await expect(keyed.get({ where: { n: 1.5 } })).rejects.toThrow(
      "Cannot filter using metadata key 'n' with type 'Float' because indexing is disabled",
    );
  });

  it("refuses what Chroma's validation refuses, in its words, and creates nothing", async () => {
    const cases: [unknown, number, string][] = [
      [
        { defaults: {}, keys: { '#tag': { string: { string_inverted_index: { enabled: true, config: {} } } } } },
        400,
        "Validation error: schema: key cannot begin with '#'. Keys starting with '#' are reserved for system use: #tag",
      ],
      [
        { defaults: {}, keys: { tag: { string: { fts_index: { enabled: true, config: {} } } } } },
        400,
        'Validation error: schema: Full text search / regular expression index can only be enabled on #document field: tag',
      ],
      [
        { defaults: { float_list: { vector_index: { enabled: true, config: {} } } }, keys: {} },
        400,
        'Validation error: schema: Vector index cannot be enabled by default. It can only be enabled on #embedding field.',
      ],
      [
        { defaults: {}, keys: { '#document': { int: { int_inverted_index: { enabled: true, config: {} } } } } },
        400,
        'Validation error: schema: Document field cannot have any value types other than string: #document',
      ],
      [
        {
          defaults: {},
          keys: Object.fromEntries(
            Array.from({ length: 1001 }, (_, i) => [
              `k${i}`,
              { int: { int_inverted_index: { enabled: false, config: {} } } },
            ]),
          ),
        },
        400,
        'Validation error: schema: at most 1000 keys, got 1001',
      ],
      [{ defaults: {} }, 422, 'schema: missing field `keys`'],
      [{ defaults: { int: { int_inverted_index: { config: {} } } }, keys: {} }, 422, 'missing field `enabled`'],
      [
        {
          defaults: {},
          keys: { '#embedding': { float_list: { vector_index: { enabled: true, config: { space: 'dot' } } } } },
        },
        422,
        'unknown variant `dot`',
      ],
    ];
    for (const [i, [schema, status, message]] of cases.entries()) {
      const raw = await http(gw.url, 'POST', `${P}/collections`, { name: `schema-bad-${i}`, schema });
      expect({ i, status: raw.status }).toEqual({ i, status });
      expect(JSON.stringify(raw.body)).toContain(message.replace(/`/g, '`'));
      expect((await http(gw.url, 'GET', `${P}/collections/schema-bad-${i}`)).status).toBe(404);
    }
  });

  it('keeps one sparse vector index per collection, and refuses two', async () => {
    const one = new Schema().createIndex(new SparseVectorIndexConfig({ bm25: false }), 'sparse').serializeToJSON();
    const created = await http(gw.url, 'POST', `${P}/collections`, { name: 'schema-sparse', schema: one });
    expect(created.status).toBe(200);
    expect(created.body.schema.keys.sparse.sparse_vector.sparse_vector_index.enabled).toBe(true);
    const two = new Schema()
      .createIndex(new SparseVectorIndexConfig({ bm25: false }), 'sparse_a')
      .createIndex(new SparseVectorIndexConfig({ bm25: false }), 'sparse_b')
      .serializeToJSON();
    const raw = await http(gw.url, 'POST', `${P}/collections`, { name: 'schema-sparse-two', schema: two });
    expect(raw.status).toBe(400);
    expect(raw.body.message).toBe(
      'Failed to reconcile schema: vecgate indexes one sparse vector key per collection, this schema enables 2: sparse_a, sparse_b',
    );
    expect((await http(gw.url, 'GET', `${P}/collections/schema-sparse-two`)).status).toBe(404);
  });

  it('get_or_create checks the schema it is sent, and returns the existing collection as it is', async () => {
    const first = await http(gw.url, 'POST', `${P}/collections`, {
      name: 'schema-existing',
      schema: new Schema().createIndex(new VectorIndexConfig({ space: 'ip' })).serializeToJSON(),
    });
    expect(first.status).toBe(200);
    const bad = await http(gw.url, 'POST', `${P}/collections`, {
      name: 'schema-existing',
      get_or_create: true,
      schema: { defaults: {}, keys: { '#x': {} } },
    });
    expect(bad.status).toBe(400);
    const again = await http(gw.url, 'POST', `${P}/collections`, {
      name: 'schema-existing',
      get_or_create: true,
      schema: new Schema().createIndex(new VectorIndexConfig({ space: 'cosine' })).serializeToJSON(),
    });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.configuration_json.hnsw.space).toBe('ip');
  });
});
