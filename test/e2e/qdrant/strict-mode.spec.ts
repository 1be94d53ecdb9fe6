import { gatewayForFile } from '../../support/gateway';
import { collectionName, expectQdrantError, qdrantClient, qdrantHttp } from './qdrant-helpers';

/**
 * Strict mode (a collection's `strict_mode_config`, enabled): Qdrant's bounds on each request,
 * refused in Qdrant's words and codes (a 400 `Strict mode error: ... Help: ...`, a 429 with
 * Retry-After past a rate limit), through the official client and plain HTTP.
 */
describe('Qdrant strict mode', () => {
  const gw = gatewayForFile({ qdrantPort: 0 });
  const raw = () => qdrantHttp(gw);

  /** A 4-dimension collection of `n` points, payload `{city, n}`, with strict mode as given. */
  async function collection(label: string, strict: object, n = 10): Promise<string> {
    const q = await qdrantClient(gw);
    const name = collectionName(label);
    await q.createCollection(name, { vectors: { size: 4, distance: 'Dot' } });
    const points = Array.from({ length: n }, (_, i) => ({
      id: i + 1,
      vector: [i, 1, 0, 1],
      payload: { city: i % 2 ? 'Berlin' : 'London', n: i },
    }));
    if (n > 0) await q.upsert(name, { wait: true, points });
    await q.updateCollection(name, { strict_mode_config: { enabled: true, ...strict } });
    return name;
  }

  const query = (name: string, body: object, params = '') =>
    raw().post(`/collections/${name}/points/query${params}`, body);

  it('bounds limits, timeouts and search params, and shows the settings back', async () => {
    const name = await collection('bounds', {
      max_query_limit: 4,
      max_timeout: 2,
      search_max_hnsw_ef: 5,
      search_max_oversampling: 1.5,
      search_allow_exact: false,
    });
    const config = (await raw().get(`/collections/${name}`)).body.result.config.strict_mode_config;
    expect(config).toMatchObject({ enabled: true, max_query_limit: 4, max_timeout: 2, search_allow_exact: false });
    const vector = [0.2, 0.1, 0.9, 0.7];
    expect((await query(name, { query: vector, limit: 4, params: { hnsw_ef: 5 } }, '?timeout=2')).status).toBe(200);
    expectQdrantError(
      await query(name, { query: vector, limit: 5 }),
      400,
      /^Strict mode error: Limit exceeded 5 > 4 for "limit"\. Help: Reduce the "limit" parameter to or below 4\.$/,
    );
    // A prefetch's limit counts too, the default 10 of one that sends none included.
    expectQdrantError(
      await query(name, { prefetch: { query: vector }, query: vector, limit: 3 }),
      400,
      'Limit exceeded 10 > 4 for "limit"',
    );
    expectQdrantError(
      await query(name, { query: vector, limit: 3 }, '?timeout=3'),
      400,
      'Limit exceeded 3 > 2 for "timeout"',
    );
    expectQdrantError(
      await query(name, { query: vector, limit: 3, params: { hnsw_ef: 6 } }),
      400,
      'Limit exceeded 6 > 5 for "hnsw_ef"',
    );
    expectQdrantError(
      await query(name, { query: vector, limit: 3, params: { quantization: { oversampling: 2 } } }),
      400,
      'Limit exceeded 2 > 1.5 for "oversampling"',
    );
    expectQdrantError(
      await query(name, { query: vector, limit: 3, params: { exact: true } }),
      400,
      /^Strict mode error: Exact search disabled!\. Help: Set exact=false\.$/,
    );
    // A count is exact unless it says not.
    expectQdrantError(await raw().post(`/collections/${name}/points/count`, {}), 400, 'Exact search disabled!');
    expect((await raw().post(`/collections/${name}/points/count`, { exact: false })).body.result).toEqual({
      count: 10,
    });
    // Groups count limit × group_size, the search matrix sample × limit.
    expectQdrantError(
      await raw().post(`/collections/${name}/points/query/groups`, {
        query: vector,
        group_by: 'city',
        limit: 2,
        group_size: 3,
      }),
      400,
      'Limit exceeded 6 > 4 for "limit"',
    );
    expectQdrantError(
      await raw().post(`/collections/${name}/points/search/matrix/pairs`, { sample: 3, limit: 2 }),
      400,
      'Limit exceeded 6 > 4 for "limit"',
    );
    // The official client, with a limit past the bound and within it.
    const q = await qdrantClient(gw);
    await expect(q.query(name, { query: vector, limit: 5 })).rejects.toMatchObject({ status: 400 });
    expect((await q.query(name, { query: vector, limit: 4 })).points).toHaveLength(4);
    // Off again: no bound applies.
    await q.updateCollection(name, { strict_mode_config: { enabled: false } });
    expect((await query(name, { query: vector, limit: 8, params: { exact: true } }, '?timeout=30')).status).toBe(200);
  });

  it('bounds batches, upserts, update_vectors, filters and the payload indexes', async () => {
    const name = await collection('writes', {
      search_max_batchsize: 2,
      upsert_max_batchsize: 3,
      filter_max_conditions: 2,
      condition_max_size: 3,
      max_payload_index_count: 1,
    });
    const vector = [1, 0, 0, 0];
    expectQdrantError(
      await raw().post(`/collections/${name}/points/query/batch`, {
        searches: [1, 2, 3].map(() => ({ query: vector })),
      }),
      400,
      'Limit exceeded 3 > 2 for "search batch size"',
    );
    const points = (ids: number[]) => ids.map((id) => ({ id, vector }));
    expectQdrantError(
      await raw().put(`/collections/${name}/points?wait=true`, { points: points([1, 2, 3, 4]) }),
      400,
      'Limit exceeded 4 > 3 for "upsert limit"',
    );
    expectQdrantError(
      await raw().post(`/collections/${name}/points/batch`, {
        operations: [{ upsert: { batch: { ids: [1, 2, 3, 4], vectors: [vector, vector, vector, vector] } } }],
      }),
      400,
      'for "upsert limit"',
    );
    expectQdrantError(
      await raw().put(`/collections/${name}/points/vectors`, { points: points([1, 2, 3, 4]) }),
      400,
      'Limit exceeded 4 > 3 for "update limit"',
    );
    expect((await raw().put(`/collections/${name}/points?wait=true`, { points: points([1, 2, 3]) })).status).toBe(200);
    const cities = { key: 'city', match: { any: ['a', 'b', 'c', 'd'] } };
    expectQdrantError(
      await raw().post(`/collections/${name}/points/scroll`, { filter: { must: [cities] } }),
      400,
      /^Strict mode error: Condition size limit reached \(4 > 3\)\. Help: Reduce the size of your condition\.$/,
    );
    const n = (v: number) => ({ key: 'n', match: { value: v } });
    expectQdrantError(
      await raw().post(`/collections/${name}/points/scroll`, { filter: { should: [n(1), { must: [n(2), n(3)] }] } }),
      400,
      /Filter condition limit reached \(3 > 2\)/,
    );
    // Filtered writes are bounded too.
    expectQdrantError(
      await raw().post(`/collections/${name}/points/delete`, { filter: { must: [n(1), n(2), n(3)] } }),
      400,
      /Filter condition limit reached \(3 > 2\)/,
    );
    const q = await qdrantClient(gw);
    await q.createPayloadIndex(name, { field_name: 'city', field_schema: 'keyword', wait: true });
    expectQdrantError(
      await raw().put(`/collections/${name}/index`, { field_name: 'n', field_schema: 'integer' }),
      400,
      /^Strict mode error: Collection already has the maximum number of payload indices \(1\)\. Help: Please delete an existing index before creating a new one\.$/,
    );
  });

  it('bounds the collection’s points and vector bytes, and sparse vectors’ lengths', async () => {
    const name = await collection('size', { max_points_count: 12, max_collection_vector_size_bytes: 1_000_000 });
    const put = (ids: number[]) =>
      raw().put(`/collections/${name}/points?wait=true`, { points: ids.map((id) => ({ id, vector: [1, 1, 1, 1] })) });
    expect((await put([11, 12])).status).toBe(200);
    // 12 points now: the next write that adds is refused.
    expectQdrantError(await put([13]), 400, /^Bad request: Max points count limit of 12 reached!$/);
    await raw().patch(`/collections/${name}`, {
      strict_mode_config: { max_points_count: 100, max_collection_vector_size_bytes: 192 },
    });
    // 12 points of 4 float32s: 192 bytes.
    expectQdrantError(await put([13]), 400, 'Bad request: Max vector storage size limit of');
    const sparse = collectionName('sparse');
    await raw().put(`/collections/${sparse}`, {
      sparse_vectors: { text: {} },
      strict_mode_config: { enabled: true, sparse_config: { text: { max_length: 2 } } },
    });
    expectQdrantError(
      await raw().put(`/collections/${sparse}/points`, {
        points: [{ id: 1, vector: { text: { indices: [1, 2, 3], values: [1, 1, 1] } } }],
      }),
      400,
      "Bad request: Sparse vector 'text' has a limit of 2 indices, but 3 were provided!",
    );
  });

  it('refuses group_by on a key without a match index and unindexed filters, keeping a null as no change', async () => {
    const name = await collection('groups', { unindexed_filtering_retrieve: false, write_rate_limit: 100 });
    const body = { query: [1, 0, 0, 0], group_by: 'city', limit: 2, group_size: 1 };
    expectQdrantError(
      await raw().post(`/collections/${name}/points/query/groups`, body),
      400,
      /^Strict mode error: Index required but not found for "city"\. Help: Create an index supporting `match` for this key\.$/,
    );
    await raw().put(`/collections/${name}/index?wait=true`, { field_name: 'city', field_schema: 'text' });
    expectQdrantError(
      await raw().post(`/collections/${name}/points/query/groups`, body),
      400,
      'Index of type "Text" found for "city"',
    );
    await raw().put(`/collections/${name}/index?wait=true`, { field_name: 'city', field_schema: 'keyword' });
    expect((await raw().post(`/collections/${name}/points/query/groups`, body)).body.result.groups).toHaveLength(2);
    // A null leaves a setting as it was (Qdrant's update cannot unset one).
    await raw().patch(`/collections/${name}`, { strict_mode_config: { write_rate_limit: null } });
    expect((await raw().get(`/collections/${name}`)).body.result.config.strict_mode_config.write_rate_limit).toBe(100);
  });

  it('limits reads and writes a minute, answering 429 with Retry-After in Qdrant’s words', async () => {
    const name = await collection('rates', { read_rate_limit: 2, write_rate_limit: 10 });
    const vector = [0.2, 0.1, 0.9, 0.7];
    expect((await query(name, { query: vector })).status).toBe(200);
    expect((await query(name, { query: vector })).status).toBe(200);
    const refused = await query(name, { query: vector });
    expectQdrantError(
      refused,
      429,
      /^Rate limiting exceeded: Read rate limit exceeded: Operation requires 1 tokens but only 0\.\d were available\. Retry after \d+s$/,
    );
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(25);
    // Best-score recommendations cost one token per example: past the capacity, never served.
    expectQdrantError(
      await query(name, { query: { recommend: { positive: [1, 2, 3], strategy: 'best_score' } } }),
      429,
      'Read rate limit exceeded, request larger than rate limiter capacity, please try to split your request',
    );
    const put = (ids: number[]) =>
      raw().put(`/collections/${name}/points?wait=true`, { points: ids.map((id) => ({ id, vector })) });
    expectQdrantError(
      await put([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
      429,
      'Write rate limit exceeded, request larger than rate limiter capacity',
    );
    expect((await put([1, 2, 3, 4, 5, 6, 7, 8])).status).toBe(200);
    // A filter on a key no index serves costs half the points (Qdrant's estimate): 5 of the 2 left.
    expectQdrantError(
      await raw().post(`/collections/${name}/points/payload?wait=true`, {
        payload: { x: 1 },
        filter: { must: [{ key: 'city', match: { value: 'Berlin' } }] },
      }),
      429,
      /^Rate limiting exceeded: Write rate limit exceeded: Operation requires 5 tokens but only 2\.\d were available/,
    );
    // Disabled, nothing is limited; enabled again, the buckets start full.
    await raw().patch(`/collections/${name}`, { strict_mode_config: { enabled: false } });
    for (let i = 0; i < 3; i++) expect((await query(name, { query: vector })).status).toBe(200);
  });

  it("bounds a multivector's tokens, and charges a multivector query its tokens", async () => {
    const q = await qdrantClient(gw);
    const name = collectionName('mvstrict');
    await q.createCollection(name, {
      vectors: { mv: { size: 2, distance: 'Dot', multivector_config: { comparator: 'max_sim' } } },
    });
    await q.updateCollection(name, {
      strict_mode_config: { enabled: true, multivector_config: { mv: { max_vectors: 3 } } },
    });
    const tokens = (n: number) => Array.from({ length: n }, (_, i) => [i, 1]);
    const put = (body: object) => raw().put(`/collections/${name}/points?wait=true`, body);
    expect((await put({ points: [{ id: 1, vector: { mv: tokens(3) } }] })).status).toBe(200);
    const words = "Bad request: Multivector 'mv' has a limit of 3 vectors, but 4 were provided!";
    expectQdrantError(await put({ points: [{ id: 2, vector: { mv: tokens(4) } }] }), 400, words);
    expectQdrantError(await put({ batch: { ids: [2], vectors: { mv: [tokens(4)] } } }), 400, words);
    expectQdrantError(
      await raw().put(`/collections/${name}/points/vectors?wait=true`, {
        points: [{ id: 1, vector: { mv: tokens(4) } }],
      }),
      400,
      words,
    );
    // A read costs a multivector query's tokens, and a query by id 3 (its vector, the read, the filter leaving it out).
    await q.updateCollection(name, { strict_mode_config: { read_rate_limit: 2 } });
    const larger = 'Read rate limit exceeded, request larger than rate limiter capacity';
    expectQdrantError(await query(name, { query: tokens(3), using: 'mv' }), 429, larger);
    expectQdrantError(await query(name, { query: 1, using: 'mv' }), 429, larger);
    await q.updateCollection(name, { strict_mode_config: { read_rate_limit: 3 } });
    expect((await query(name, { query: tokens(3), using: 'mv' })).status).toBe(200);
  });

  it('refuses a full scan through a vector without a global index when exact search is not allowed', async () => {
    const q = await qdrantClient(gw);
    const name = collectionName('scan');
    await q.createCollection(name, {
      vectors: { plain: { size: 2, distance: 'Dot' }, flat: { size: 2, distance: 'Dot', hnsw_config: { m: 0 } } },
      sparse_vectors: { words: {} },
    });
    await q.upsert(name, {
      wait: true,
      points: [1, 2, 3].map((id) => ({
        id,
        vector: { plain: [id, 1], flat: [1, id], words: { indices: [id], values: [1] } },
        payload: { tenant: id % 2 ? 'a' : 'b' },
      })),
    });
    await q.updateCollection(name, { strict_mode_config: { enabled: true, search_allow_exact: false } });
    const forbidden = new RegExp(
      "^Strict mode error: Request is forbidden on 'flat' because global vector indexing is disabled \\(hnsw_config\\.m = 0\\)\\. Help: Use tenant-specific filter, enable global vector indexing or enable strict mode `search_allow_exact` option$",
    );
    expectQdrantError(await query(name, { query: [1, 0], using: 'flat' }), 400, forbidden);
    expect((await query(name, { query: [1, 0], using: 'plain' })).status).toBe(200);
    expect((await query(name, { query: { indices: [1], values: [1] }, using: 'words' })).status).toBe(200);
    // Re-scoring a prefetch's points is no full scan; a prefetch through the vector is.
    expect(
      (await query(name, { prefetch: { query: [1, 0], using: 'plain' }, query: [1, 0], using: 'flat' })).status,
    ).toBe(200);
    expectQdrantError(
      await query(name, { prefetch: { query: [1, 0], using: 'flat' }, query: [1, 0], using: 'plain' }),
      400,
      forbidden,
    );
    // A filter on a tenant key is served by payload_m's index, when the vector has one (payload_m
    // unset falls back to m, 0 here).
    const tenantQuery = { query: [1, 0], using: 'flat', filter: { must: [{ key: 'tenant', match: { value: 'a' } }] } };
    expectQdrantError(await query(name, tenantQuery), 400, forbidden);
    await raw().put(`/collections/${name}/index?wait=true`, {
      field_name: 'tenant',
      field_schema: { type: 'keyword', is_tenant: true },
    });
    const noPayloadM = /hnsw_config\.m = 0 and hnsw_config\.payload_m = 0/;
    expectQdrantError(await query(name, tenantQuery), 400, noPayloadM);
    await raw().patch(`/collections/${name}`, { vectors: { flat: { hnsw_config: { m: 0, payload_m: 1 } } } });
    expect((await query(name, tenantQuery)).status).toBe(200);
    await raw().patch(`/collections/${name}`, { vectors: { flat: { hnsw_config: { m: 0, payload_m: 0 } } } });
    expectQdrantError(await query(name, tenantQuery), 400, noPayloadM);
  });

  it('answers 404 for a lookup_from collection that does not exist, even when no point is looked up', async () => {
    const name = await collection('lookup', {}, 3);
    const lookup_from = { collection: 'no_such_lookup_collection' };
    const body = { query: [0.1, 0.2, 0.3, 0.4], limit: 3, lookup_from };
    expectQdrantError(await query(name, body), 404, /no_such_lookup_collection/);
    expectQdrantError(
      await raw().post(`/collections/${name}/points/query/batch`, { searches: [body] }),
      404,
      /no_such_lookup_collection/,
    );
    expectQdrantError(
      await query(name, { prefetch: { query: [1, 0, 0, 0], lookup_from }, query: [1, 0, 0, 0] }),
      404,
      /no_such_lookup_collection/,
    );
    const q = await qdrantClient(gw);
    await expect(q.query(name, { query: [0.1, 0.2, 0.3, 0.4], lookup_from })).rejects.toMatchObject({ status: 404 });
  });
});
