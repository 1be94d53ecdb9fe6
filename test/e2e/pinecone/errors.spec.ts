import { http, gatewayForFile } from '../../support/gateway';

/**
 * Every Pinecone error in Pinecone's shape, and never a 5xx for a client mistake (the official
 * client retries every 5xx three times). The data plane answers `{"code", "message", "details"}`
 * (gRPC codes), the control plane `{"error": {"code", "message"}, "status"}`. After every failed
 * call, the indexes and their records are exactly as before.
 */
const DENSE = '/indexes/errs';
const SPARSE = '/indexes/errs-sparse';
const L2 = '/indexes/errs-l2';

const STORED: Record<string, { path: string; vectors: Record<string, unknown>[]; namespace: string }[]> = {
  dense: [
    {
      path: DENSE,
      namespace: '',
      vectors: [
        { id: 'a', values: [1, 2, 3], metadata: { genre: 'drama', year: 2019 } },
        { id: 'b', values: [4, 5, 6], metadata: { genre: ['comedy', 'drama'] } },
      ],
    },
    { path: DENSE, namespace: 'ns1', vectors: [{ id: 'c', values: [7, 8, 9] }] },
    {
      path: SPARSE,
      namespace: '',
      vectors: [{ id: 's', sparseValues: { indices: [1, 5], values: [0.5, 2] }, metadata: { k: 'v' } }],
    },
    { path: L2, namespace: '', vectors: [{ id: 'e', values: [1, 1], metadata: { k: 'v' } }] },
  ],
};

function dataError(res: { status: number; body: any }, status = 400, code = 3): void {
  expect(res.status).toBe(status);
  expect(res.body).toEqual({ code, message: expect.any(String), details: [] });
  expect(res.body.message.length).toBeGreaterThan(0);
}

function controlError(res: { status: number; body: any }, status: number, code: string, message?: string): void {
  expect(res.status).toBe(status);
  expect(res.body).toEqual({ error: { code, message: message ?? expect.any(String) }, status });
}

describe('Pinecone errors', () => {
  const gw = gatewayForFile();
  let snapshot: unknown;

  async function state(): Promise<unknown> {
    const out: Record<string, unknown> = { indexes: (await http(gw.url, 'GET', '/indexes')).body };
    for (const path of [DENSE, SPARSE, L2]) {
      const stats = await http(gw.url, 'GET', `${path}/describe_index_stats`);
      out[`${path} stats`] = stats.body;
      for (const ns of Object.keys(stats.body.namespaces ?? {})) {
        const list = await http(gw.url, 'GET', `${path}/vectors/list?namespace=${encodeURIComponent(ns)}`);
        const ids: string[] = list.body.vectors.map((v: { id: string }) => v.id);
        const fetched = ids.length
          ? (
              await http(
                gw.url,
                'GET',
                `${path}/vectors/fetch?namespace=${encodeURIComponent(ns)}&${ids.map((id) => `ids=${encodeURIComponent(id)}`).join('&')}`,
              )
            ).body
          : null;
        out[`${path} ${ns}`] = { ids, fetched };
      }
    }
    return out;
  }

  async function setup(): Promise<void> {
    const create = async (body: unknown) => expect((await http(gw.url, 'POST', '/indexes', body)).status).toBe(201);
    await create({
      name: 'errs',
      dimension: 3,
      metric: 'cosine',
      spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
    });
    await create({
      name: 'errs-sparse',
      vector_type: 'sparse',
      metric: 'dotproduct',
      spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
    });
    await create({
      name: 'errs-l2',
      dimension: 2,
      metric: 'euclidean',
      spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
    });
    await create({
      name: 'errs-guarded',
      dimension: 2,
      deletion_protection: 'enabled',
      spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
    });
    for (const { path, vectors, namespace } of STORED.dense) {
      expect((await http(gw.url, 'POST', `${path}/vectors/upsert`, { vectors, namespace })).status).toBe(200);
    }
    snapshot = await state();
  }

  /** After a call that did change something, start again from scratch, so the next test is judged on its own. */
  async function rebuild(): Promise<void> {
    for (const { name } of (await http(gw.url, 'GET', '/indexes')).body.indexes) {
      await http(gw.url, 'PATCH', `/indexes/${name}`, { deletion_protection: 'disabled' });
      await http(gw.url, 'DELETE', `/indexes/${name}`);
    }
    await setup();
  }

  beforeAll(async () => {
    await setup();
  });
  afterEach(async () => {
    const now = await state();
    try {
      expect(now).toEqual(snapshot);
    } catch (err) {
      await rebuild();
      throw err;
    }
  });

  const post = (path: string, body: unknown) => http(gw.url, 'POST', path, body);

  describe('data plane', () => {
    it('refuses a vector of the wrong dimension with Pinecone message', async () => {
      const res = await post(`${DENSE}/vectors/upsert`, { vectors: [{ id: 'a', values: [1, 2] }] });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        code: 3,
        message: 'Vector dimension 2 does not match the dimension of the index 3',
        details: [],
      });
    });

    it('refuses a batch with one vector of the wrong dimension with the same message, writing none of it', async () => {
      const res = await post(`${DENSE}/vectors/upsert`, {
        vectors: [
          { id: 'new', values: [1, 1, 1] },
          { id: 'a', values: [1, 2] },
        ],
      });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        code: 3,
        message: 'Vector dimension 2 does not match the dimension of the index 3',
        details: [],
      });
    });

    it('refuses a query vector of the wrong dimension with the same message', async () => {
      const res = await post(`${DENSE}/query`, { vector: [1, 2], topK: 1 });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        code: 3,
        message: 'Vector dimension 2 does not match the dimension of the index 3',
        details: [],
      });
    });

    it('refuses an update by id to values of the wrong dimension', async () => {
      const res = await post(`${DENSE}/vectors/update`, { id: 'a', values: [1, 2] });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        code: 3,
        message: 'Vector dimension 2 does not match the dimension of the index 3',
        details: [],
      });
    });

    it('refuses more than 1000 vectors in one upsert', async () => {
      const vectors = Array.from({ length: 1001 }, (_, k) => ({ id: `v${k}`, values: [1, 2, 3] }));
      dataError(await post(`${DENSE}/vectors/upsert`, { vectors }));
    });

    it('refuses more than 1000 ids in one delete', async () => {
      const ids = Array.from({ length: 1001 }, (_, k) => (k === 0 ? 'a' : `v${k}`));
      dataError(await post(`${DENSE}/vectors/delete`, { ids }));
    });

    it('refuses more than 1000 ids in one fetch', async () => {
      const query = Array.from({ length: 1001 }, (_, k) => `ids=${k}`).join('&');
      dataError(await http(gw.url, 'GET', `${DENSE}/vectors/fetch?${query}`));
    });

    it('refuses a fetch without ids', async () => {
      dataError(await http(gw.url, 'GET', `${DENSE}/vectors/fetch`));
    });

    it.each([
      ['0', 0],
      ['10001', 10001],
      ['negative', -1],
      ['fractional', 1.5],
      ['a string', '5'],
      ['missing', undefined],
    ])('refuses topK %s', async (_, topK) => {
      dataError(await post(`${DENSE}/query`, { vector: [1, 2, 3], topK }));
    });

    it('accepts topK 10000', async () => {
      const res = await post(`${DENSE}/query`, { vector: [1, 2, 3], topK: 10000 });
      expect(res.status).toBe(200);
      expect(res.body.matches.map((m: { id: string }) => m.id).sort()).toEqual(['a', 'b']);
    });

    it.each([
      ['more than 40 KB', { big: 'x'.repeat(41 * 1024) }],
      ['a null value', { k: null }],
      ['a nested object', { k: { nested: 'x' } }],
      ['a list with a number', { k: ['a', 1] }],
      ['a list with null', { k: ['a', null] }],
      ['a list of lists', { k: [['a']] }],
      ['an array instead of an object', ['a']],
      ['a string instead of an object', 'genre=drama'],
    ])('refuses metadata with %s on upsert', async (_, metadata) => {
      dataError(await post(`${DENSE}/vectors/upsert`, { vectors: [{ id: 'a', values: [0, 0, 1], metadata }] }));
    });

    it.each([
      ['more than 40 KB', { big: 'x'.repeat(41 * 1024) }],
      ['a null value', { genre: null }],
      ['a nested object', { k: { nested: 'x' } }],
      ['a list with a number', { k: ['a', 1] }],
    ])('refuses setMetadata with %s on update by id and by filter', async (_, setMetadata) => {
      dataError(await post(`${DENSE}/vectors/update`, { id: 'a', setMetadata }));
      dataError(await post(`${DENSE}/vectors/update`, { filter: { genre: 'drama' }, setMetadata }));
    });

    it('refuses metadata that grows past 40 KB only through a merge', async () => {
      const half = 'x'.repeat(25 * 1024);
      const first = await post(`${DENSE}/vectors/upsert`, {
        vectors: [{ id: 'grow', values: [1, 0, 0], metadata: { a: half } }],
        namespace: 'grow',
      });
      expect(first.status).toBe(200);
      const res = await post(`${DENSE}/vectors/update`, { id: 'grow', setMetadata: { b: half }, namespace: 'grow' });
      const after = await http(gw.url, 'GET', `${DENSE}/vectors/fetch?ids=grow&namespace=grow`);
      await post(`${DENSE}/vectors/delete`, { deleteAll: true, namespace: 'grow' });
      await http(gw.url, 'DELETE', `${DENSE}/namespaces/grow`);
      dataError(res);
      expect(after.body.vectors.grow.metadata).toEqual({ a: half });
    });

    it.each([
      ['ids and deleteAll', { ids: ['a'], deleteAll: true }],
      ['ids and a filter', { ids: ['a'], filter: { genre: 'drama' } }],
      ['deleteAll and a filter', { deleteAll: true, filter: { genre: 'drama' } }],
      ['none of ids, deleteAll or filter', {}],
      ['deleteAll false alone', { deleteAll: false }],
      ['an empty filter', { filter: {} }],
      ['an empty ids list', { ids: [] }],
      ['an empty id', { ids: [''] }],
      ['ids that are not strings', { ids: [1, 2] }],
      ['ids that are not a list', { ids: 'a' }],
      ['deleteAll that is not a boolean', { deleteAll: 'true' }],
      ['a filter that is not an object', { filter: 'genre = drama' }],
      ['a namespace that is not a string', { ids: ['a'], namespace: 5 }],
    ])('refuses a delete with %s', async (_, body) => {
      dataError(await post(`${DENSE}/vectors/delete`, body));
    });

    it.each([
      ['a list as a value', { genre: ['a', 'b'] }],
      ['$eq with a list', { genre: { $eq: ['a'] } }],
      ['an unknown operator', { genre: { $like: 'dr%' } }],
      ['$gt on a string', { year: { $gt: '2000' } }],
      ['$in that is not an array', { genre: { $in: 'drama' } }],
      ['$exists with a non-boolean', { genre: { $exists: 1 } }],
      ['a filter that is an array', [{ genre: 'drama' }]],
    ])('refuses a filter with %s on query, delete, update and stats', async (_, filter) => {
      dataError(await post(`${DENSE}/query`, { vector: [1, 2, 3], topK: 5, filter }));
      dataError(await post(`${DENSE}/vectors/delete`, { filter }));
      dataError(await post(`${DENSE}/vectors/update`, { filter, setMetadata: { k: 'v' } }));
      dataError(await post(`${DENSE}/describe_index_stats`, { filter }));
      dataError(await post(`${DENSE}/vectors/fetch_by_metadata`, { filter }));
    });

    it('refuses values on a sparse index', async () => {
      dataError(
        await post(`${SPARSE}/vectors/upsert`, {
          vectors: [{ id: 's', values: [1, 2], sparseValues: { indices: [1], values: [1] } }],
        }),
      );
    });

    it('refuses a sparse index vector without sparseValues', async () => {
      dataError(await post(`${SPARSE}/vectors/upsert`, { vectors: [{ id: 's2', metadata: { k: 'v' } }] }));
      dataError(await post(`${SPARSE}/vectors/upsert`, { vectors: [{ id: 's2', values: [] }] }));
    });

    it('refuses sparseValues on a dense index that is not dotproduct', async () => {
      dataError(
        await post(`${DENSE}/vectors/upsert`, {
          vectors: [{ id: 'a', values: [1, 2, 3], sparseValues: { indices: [1], values: [1] } }],
        }),
      );
      dataError(
        await post(`${L2}/vectors/upsert`, {
          vectors: [{ id: 'e', values: [1, 2], sparseValues: { indices: [1], values: [1] } }],
        }),
      );
    });

    it('refuses an all-zero dense vector, as Pinecone does', async () => {
      for (const path of [DENSE, L2]) {
        const values = path === DENSE ? [0, 0, 0] : [0, 0];
        const res = await post(`${path}/vectors/upsert`, { vectors: [{ id: 'zero', values }] });
        dataError(res);
        expect(res.body.message).toContain('Dense vectors must contain at least one non-zero value');
      }
    });

    it('never answers a null score to an all-zero query vector on a cosine index', async () => {
      const res = await post(`${DENSE}/query`, { vector: [0, 0, 0], topK: 5 });
      if (res.status === 200) {
        for (const m of res.body.matches)
          expect([m.id, typeof m.score, Number.isFinite(m.score)]).toEqual([m.id, 'number', true]);
      } else {
        dataError(res);
      }
    });

    it('refuses dense values in an update by id on a sparse index', async () => {
      dataError(await post(`${SPARSE}/vectors/update`, { id: 's', values: [1, 2, 3] }));
    });

    it('refuses sparseValues in an update by id on a dense index that is not dotproduct', async () => {
      dataError(await post(`${DENSE}/vectors/update`, { id: 'a', sparseValues: { indices: [1], values: [1] } }));
      dataError(await post(`${L2}/vectors/update`, { id: 'e', sparseValues: { indices: [1], values: [1] } }));
    });

    it('refuses a dense vector without values', async () => {
      dataError(await post(`${DENSE}/vectors/upsert`, { vectors: [{ id: 'a', metadata: { k: 'v' } }] }));
      dataError(await post(`${DENSE}/vectors/upsert`, { vectors: [{ id: 'a', values: [] }] }));
    });

    it.each([
      ['indices and values of different lengths', { indices: [1, 2], values: [1] }],
      ['a negative index', { indices: [-1], values: [1] }],
      ['a fractional index', { indices: [1.5], values: [1] }],
      ['an index past 2^32', { indices: [2 ** 32], values: [1] }],
      ['a repeated index', { indices: [3, 3], values: [1, 2] }],
      ['a string value', { indices: [1], values: ['1'] }],
      ['no indices', { values: [1] }],
      ['a list instead of an object', [1, 2]],
    ])('refuses sparseValues with %s', async (_, sparseValues) => {
      dataError(await post(`${SPARSE}/vectors/upsert`, { vectors: [{ id: 's', sparseValues }] }));
      dataError(await post(`${SPARSE}/query`, { sparseVector: sparseValues, topK: 1 }));
    });

    it('refuses to query a sparse index with a dense vector or with nothing', async () => {
      dataError(await post(`${SPARSE}/query`, { vector: [1, 2, 3], topK: 1 }));
      dataError(await post(`${SPARSE}/query`, { topK: 1 }));
    });

    it('refuses to query a dense index with nothing, with both vector and id, or hybrid on cosine', async () => {
      dataError(await post(`${DENSE}/query`, { topK: 1 }));
      dataError(await post(`${DENSE}/query`, { vector: [1, 2, 3], id: 'a', topK: 1 }));
      dataError(
        await post(`${DENSE}/query`, { vector: [1, 2, 3], sparseVector: { indices: [1], values: [1] }, topK: 1 }),
      );
    });

    it.each([
      ['upsert', `${DENSE}/vectors/upsert`, '{"vectors": [{"id": "a", "values": [1, 2, 3]'],
      ['query', `${DENSE}/query`, '{"vector": [1,2,3], "topK": 1,}'],
      ['delete', `${DENSE}/vectors/delete`, "{'deleteAll': true}"],
      ['update', `${DENSE}/vectors/update`, 'not json at all'],
      ['describe_index_stats', `${DENSE}/describe_index_stats`, '{'],
    ])('refuses malformed JSON on %s', async (_, path, body) => {
      dataError(await post(path, body));
    });

    it.each([
      ['vectors that is not a list', { vectors: { id: 'a', values: [1, 2, 3] } }],
      ['no vectors', {}],
      ['a vector that is null', { vectors: [null] }],
      ['a vector that is a list', { vectors: [[1, 2, 3]] }],
      ['an id that is a number', { vectors: [{ id: 7, values: [1, 2, 3] }] }],
      ['an empty id', { vectors: [{ id: '', values: [1, 2, 3] }] }],
      ['an id of 513 characters', { vectors: [{ id: 'x'.repeat(513), values: [1, 2, 3] }] }],
      ['values that are strings', { vectors: [{ id: 'a', values: ['1', '2', '3'] }] }],
      ['values with a null', { vectors: [{ id: 'a', values: [1, null, 3] }] }],
      ['values that are not a list', { vectors: [{ id: 'a', values: 'abc' }] }],
      ['a value beyond float32', { vectors: [{ id: 'a', values: [1e39, 0, 0] }] }],
      ['a namespace that is a number', { vectors: [{ id: 'a', values: [1, 2, 3] }], namespace: 1 }],
      ['a namespace of 513 bytes', { vectors: [{ id: 'a', values: [1, 2, 3] }], namespace: 'n'.repeat(513) }],
    ])('refuses an upsert with %s', async (_, body) => {
      dataError(await post(`${DENSE}/vectors/upsert`, body));
    });

    it.each([
      ['a vector that is not a list', { vector: 'abc', topK: 1 }],
      ['a vector of strings', { vector: ['1', '2', '3'], topK: 1 }],
      ['includeValues that is not a boolean', { vector: [1, 2, 3], topK: 1, includeValues: 'yes' }],
      ['includeMetadata that is not a boolean', { vector: [1, 2, 3], topK: 1, includeMetadata: 1 }],
      ['an id that is not a string', { id: 5, topK: 1 }],
      ['a filter that is a string', { vector: [1, 2, 3], topK: 1, filter: 'genre=drama' }],
      ['a namespace that is not a string', { vector: [1, 2, 3], topK: 1, namespace: ['a'] }],
    ])('refuses a query with %s', async (_, body) => {
      dataError(await post(`${DENSE}/query`, body));
    });

    it.each([
      ['neither id nor filter', { setMetadata: { k: 'v' } }],
      ['both id and filter', { id: 'a', filter: { genre: 'drama' }, setMetadata: { k: 'v' } }],
      ['a filter without setMetadata', { filter: { genre: 'drama' } }],
      ['a filter and values', { filter: { genre: 'drama' }, values: [1, 2, 3], setMetadata: { k: 'v' } }],
      ['an empty filter', { filter: {}, setMetadata: { k: 'v' } }],
      ['setMetadata that is not an object', { id: 'a', setMetadata: 'k=v' }],
      ['dryRun that is not a boolean', { filter: { genre: 'drama' }, setMetadata: { k: 'v' }, dryRun: 'yes' }],
      ['values that are strings', { id: 'a', values: ['1', '2', '3'] }],
      ['an empty id', { id: '', setMetadata: { k: 'v' } }],
    ])('refuses an update with %s', async (_, body) => {
      dataError(await post(`${DENSE}/vectors/update`, body));
    });

    it.each([
      ['limit 0', 'limit=0'],
      ['limit abc', 'limit=abc'],
      ['limit 1001', 'limit=1001'],
      ['a bad pagination token', 'paginationToken=%25%25%25'],
    ])('refuses a list with %s', async (_, query) => {
      dataError(await http(gw.url, 'GET', `${DENSE}/vectors/list?${query}`));
    });

    it('refuses fetch_by_metadata without a filter or with an empty one', async () => {
      dataError(await post(`${DENSE}/vectors/fetch_by_metadata`, {}));
      dataError(await post(`${DENSE}/vectors/fetch_by_metadata`, { filter: {} }));
      dataError(await post(`${DENSE}/vectors/fetch_by_metadata`, { filter: { genre: 'drama' }, limit: 0 }));
    });

    it.each([
      ['POST', '/indexes/nope/vectors/upsert', { vectors: [{ id: 'a', values: [1, 2, 3] }] }],
      ['POST', '/indexes/nope/query', { vector: [1, 2, 3], topK: 1 }],
      ['GET', '/indexes/nope/vectors/fetch?ids=a', undefined],
      ['POST', '/indexes/nope/vectors/fetch_by_metadata', { filter: { k: 'v' } }],
      ['GET', '/indexes/nope/vectors/list', undefined],
      ['POST', '/indexes/nope/vectors/update', { id: 'a', setMetadata: { k: 'v' } }],
      ['POST', '/indexes/nope/vectors/delete', { deleteAll: true }],
      ['GET', '/indexes/nope/describe_index_stats', undefined],
      ['POST', '/indexes/nope/describe_index_stats', {}],
      ['GET', '/indexes/nope/namespaces', undefined],
      ['GET', '/indexes/nope/namespaces/ns1', undefined],
      ['DELETE', '/indexes/nope/namespaces/ns1', undefined],
    ])('answers %s %s on an unknown index with 404 in the data-plane shape', async (method, path, body) => {
      const res = await http(gw.url, method, path, body);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ code: 5, message: 'Index nope not found.', details: [] });
    });

    it('answers an unknown namespace with 404 in the data-plane shape', async () => {
      const res = await http(gw.url, 'GET', `${DENSE}/namespaces/missing`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ code: 5, message: expect.stringContaining('missing'), details: [] });
      const del = await http(gw.url, 'DELETE', `${DENSE}/namespaces/missing`);
      expect(del.status).toBe(404);
      expect(del.body.code).toBe(5);
    });

    it('answers creating an existing namespace with 409', async () => {
      const res = await post(`${DENSE}/namespaces`, { name: 'ns1' });
      expect(res.status).toBe(409);
      expect(res.body).toEqual({ code: 6, message: expect.any(String), details: [] });
    });
  });

  describe('control plane', () => {
    it.each([
      ['GET', '/indexes/nope'],
      ['PATCH', '/indexes/nope'],
      ['DELETE', '/indexes/nope'],
    ])('answers %s of an unknown index with 404 NOT_FOUND', async (method, path) => {
      const res = await http(
        gw.url,
        method,
        path,
        method === 'PATCH' ? { deletion_protection: 'disabled' } : undefined,
      );
      controlError(res, 404, 'NOT_FOUND', 'Index nope not found.');
    });

    it('answers a duplicate name with 409 ALREADY_EXISTS and keeps the first index', async () => {
      const res = await post('/indexes', {
        name: 'errs',
        dimension: 5,
        metric: 'euclidean',
        spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
      });
      controlError(res, 409, 'ALREADY_EXISTS', 'Resource already exists.');
      const newShape = await post('/indexes', {
        name: 'errs',
        deployment: { deployment_type: 'managed', cloud: 'aws', region: 'us-east-1' },
        schema: { fields: { _values: { type: 'dense_vector', dimension: 5, metric: 'dotproduct' } } },
      });
      controlError(newShape, 409, 'ALREADY_EXISTS', 'Resource already exists.');
    });

    it('refuses to delete a protected index with 403 FORBIDDEN, until protection is turned off', async () => {
      const res = await http(gw.url, 'DELETE', '/indexes/errs-guarded');
      controlError(
        res,
        403,
        'FORBIDDEN',
        'Deletion protection is enabled for this index. Disable deletion protection before retrying.',
      );
      expect((await http(gw.url, 'GET', '/indexes/errs-guarded')).body.deletion_protection).toBe('enabled');
    });

    it('refuses a bad deletion_protection or tags on configure, changing nothing', async () => {
      controlError(
        await http(gw.url, 'PATCH', '/indexes/errs-guarded', { deletion_protection: 'off' }),
        400,
        'INVALID_ARGUMENT',
      );
      controlError(
        await http(gw.url, 'PATCH', '/indexes/errs-guarded', { deletion_protection: true }),
        400,
        'INVALID_ARGUMENT',
      );
      controlError(await http(gw.url, 'PATCH', '/indexes/errs-guarded', { tags: { env: 5 } }), 400, 'INVALID_ARGUMENT');
      controlError(await http(gw.url, 'PATCH', '/indexes/errs-guarded', '{"tags": '), 400, 'INVALID_ARGUMENT');
    });

    const serverless = { serverless: { cloud: 'aws', region: 'us-east-1' } };
    const schema = (field: Record<string, unknown>) => ({
      name: 'bad-index',
      deployment: { deployment_type: 'managed', cloud: 'aws', region: 'us-east-1' },
      schema: { fields: field },
    });

    it.each([
      ['with an uppercase name', { name: 'Upper', dimension: 3, spec: serverless }],
      ['with a 46-character name', { name: 'a'.repeat(46), dimension: 3, spec: serverless }],
      ["with a leading '-'", { name: '-lead', dimension: 3, spec: serverless }],
      ["with a trailing '-'", { name: 'trail-', dimension: 3, spec: serverless }],
      ['with an underscore in the name', { name: 'under_score', dimension: 3, spec: serverless }],
      ['with an empty name', { name: '', dimension: 3, spec: serverless }],
      ['with a name that is a number', { name: 5, dimension: 3, spec: serverless }],
      ['without a name', { dimension: 3, spec: serverless }],
      ['with dimension 0', { name: 'bad-index', dimension: 0, spec: serverless }],
      ['with dimension 20001', { name: 'bad-index', dimension: 20001, spec: serverless }],
      ['with a negative dimension', { name: 'bad-index', dimension: -3, spec: serverless }],
      ['with a fractional dimension', { name: 'bad-index', dimension: 1.5, spec: serverless }],
      ['with a dimension that is a string', { name: 'bad-index', dimension: '3', spec: serverless }],
      ['dense without a dimension', { name: 'bad-index', metric: 'cosine', spec: serverless }],
      [
        'sparse with a dimension',
        { name: 'bad-index', vector_type: 'sparse', metric: 'dotproduct', dimension: 3, spec: serverless },
      ],
      [
        'sparse with the cosine metric',
        { name: 'bad-index', vector_type: 'sparse', metric: 'cosine', spec: serverless },
      ],
      [
        'sparse with the euclidean metric',
        { name: 'bad-index', vector_type: 'sparse', metric: 'euclidean', spec: serverless },
      ],
      ['with an unknown vector_type', { name: 'bad-index', vector_type: 'hybrid', dimension: 3, spec: serverless }],
      ['with an unknown metric', { name: 'bad-index', dimension: 3, metric: 'l2', spec: serverless }],
      ['with a metric in capitals', { name: 'bad-index', dimension: 3, metric: 'COSINE', spec: serverless }],
      [
        'with deletion_protection "yes"',
        { name: 'bad-index', dimension: 3, deletion_protection: 'yes', spec: serverless },
      ],
      [
        'with deletion_protection true',
        { name: 'bad-index', dimension: 3, deletion_protection: true, spec: serverless },
      ],
      ['with tags that are not strings', { name: 'bad-index', dimension: 3, tags: { n: 1 }, spec: serverless }],
      ['with a spec that is not an object', { name: 'bad-index', dimension: 3, spec: 'serverless' }],
      ['(2026-07) with dimension 0', schema({ _values: { type: 'dense_vector', dimension: 0, metric: 'cosine' } })],
      [
        '(2026-07) with dimension 20001',
        schema({ _values: { type: 'dense_vector', dimension: 20001, metric: 'cosine' } }),
      ],
      ['(2026-07) dense without a dimension', schema({ _values: { type: 'dense_vector', metric: 'cosine' } })],
      [
        '(2026-07) with an unknown metric',
        schema({ _values: { type: 'dense_vector', dimension: 3, metric: 'manhattan' } }),
      ],
      [
        '(2026-07) sparse with the cosine metric',
        schema({ _sparse_values: { type: 'sparse_vector', metric: 'cosine' } }),
      ],
      [
        '(2026-07) sparse with a dimension',
        schema({ _sparse_values: { type: 'sparse_vector', dimension: 3, metric: 'dotproduct' } }),
      ],
      ['(2026-07) with no vector field', schema({ title: { type: 'string' } })],
      [
        '(2026-07) with both a dense and a sparse field',
        schema({ _values: { type: 'dense_vector', dimension: 3 }, _sparse_values: { type: 'sparse_vector' } }),
      ],
    ])('refuses to create an index %s with 400 INVALID_ARGUMENT', async (_, body) => {
      const res = await post('/indexes', body);
      const created = res.status < 300 ? (body as { name: string }).name : undefined;
      try {
        controlError(res, 400, 'INVALID_ARGUMENT');
      } finally {
        // Nothing was created; should something be, remove it so that one failure does not hide behind the next.
        if (created !== undefined) await http(gw.url, 'DELETE', `/indexes/${encodeURIComponent(created)}`);
      }
    });

    it('refuses a malformed create body with 400 in the control-plane shape', async () => {
      controlError(await post('/indexes', '{"name": "bad-index", "dimension": 3'), 400, 'INVALID_ARGUMENT');
      controlError(await post('/indexes', '[1, 2]'), 400, 'INVALID_ARGUMENT');
    });
  });
});
