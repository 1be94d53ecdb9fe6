import { gatewayForFile } from '../../support/gateway';
import { collectionName, expectVectorizerError, UUID, vectorizer, type Vectorizer } from './vectorizer-helpers';

/**
 * Vectorizer's vector routes (docs/vectorizer-wire-contract.md §3): insert_vectors, get one, list,
 * delete one, batch_insert, batch_update, batch_delete (at both paths) and batch_search.
 */
describe('Vectorizer vectors over HTTP', () => {
  const gw = gatewayForFile();
  let vz: Vectorizer;

  beforeAll(async () => {
    vz = vectorizer(gw);
  });

  async function fresh(dimension = 3, metric = 'euclidean'): Promise<string> {
    const name = collectionName('vec');
    await vz.create(name, dimension, metric);
    return name;
  }

  /** Three vectors inserted in the order z, a, m (not id order), with payloads. */
  async function seeded(): Promise<string> {
    const name = await fresh();
    await vz.insert(name, [
      { id: 'z', embedding: [1, 0, 0], payload: { tag: 'first', n: 1 } },
      { id: 'a', embedding: [0, 1, 0], payload: { tag: 'second', n: 2, nested: { deep: [1, 'two'] } } },
      { id: 'm', embedding: [0, 0, 1] },
    ]);
    return name;
  }

  describe('insert_vectors', () => {
    it('writes vectors with their ids and payloads and reports each item', async () => {
      const name = await fresh();
      const res = await vz.post('/insert_vectors', {
        collection: name,
        vectors: [
          { id: 'doc:1', embedding: [0.1, 0.2, 0.3], payload: { tag: 'a', n: 3 } },
          { id: 'doc:2', embedding: [1, 2, 3] },
        ],
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        collection: name,
        inserted: 2,
        failed: 0,
        count: 2,
        results: [
          { index: 0, client_id: 'doc:1', status: 'ok', vector_ids: ['doc:1'] },
          { index: 1, client_id: 'doc:2', status: 'ok', vector_ids: ['doc:2'] },
        ],
      });
      const got = await vz.get(`/collections/${name}/vectors/doc:1`);
      expect(got.body.payload).toEqual({ tag: 'a', n: 3 });
      expect(got.body.vector.map((x: number) => +x.toFixed(6))).toEqual([0.1, 0.2, 0.3]);
      expect((await vz.get(`/collections/${name}/vectors/doc:2`)).body).toMatchObject({
        vector: [1, 2, 3],
        payload: null,
      });
    });

    it('gives a vector without an id a fresh uuid v4, and reports client_id null', async () => {
      const name = await fresh();
      const res = await vz.post('/insert_vectors', {
        collection: name,
        vectors: [{ embedding: [1, 1, 1] }, { embedding: [2, 2, 2] }],
      });
      expect(res.status).toBe(200);
      const ids: string[] = res.body.results.map((r: { vector_ids: string[] }) => r.vector_ids[0]);
      expect(res.body.results.map((r: { client_id: unknown }) => r.client_id)).toEqual([null, null]);
      ids.forEach((id) => expect(id).toMatch(UUID));
      expect(new Set(ids).size).toBe(2);
      expect(await vz.ids(name)).toEqual([...ids].sort());
      expect((await vz.get(`/collections/${name}/vectors/${ids[1]}`)).body.vector).toEqual([2, 2, 2]);
    });

    it('takes `metadata` as the payload when `payload` is absent, and prefers `payload` when both are sent', async () => {
      const name = await fresh();
      await vz.insert(name, [
        { id: 'meta', embedding: [1, 0, 0], metadata: { source: 'metadata' } },
        { id: 'both', embedding: [0, 1, 0], payload: { source: 'payload' }, metadata: { source: 'metadata' } },
      ]);
      expect((await vz.get(`/collections/${name}/vectors/meta`)).body.payload).toEqual({ source: 'metadata' });
      expect((await vz.get(`/collections/${name}/vectors/both`)).body.payload).toEqual({ source: 'payload' });
    });

    it('replaces an existing id whole: new vector, new payload (no merge), same count and same place in the list', async () => {
      const name = await seeded();
      await vz.insert(name, [{ id: 'a', embedding: [5, 5, 5], payload: { other: true } }]);
      const all = await vz.all(name);
      expect(all.map((v) => v.id)).toEqual(['z', 'a', 'm']);
      expect(all[1]).toEqual({ id: 'a', vector: [5, 5, 5], payload: { other: true } });
      await vz.insert(name, [{ id: 'z', embedding: [9, 9, 9] }]);
      expect((await vz.get(`/collections/${name}/vectors/z`)).body).toMatchObject({ vector: [9, 9, 9], payload: null });
      expect((await vz.get(`/collections/${name}`)).body.vector_count).toBe(3);
    });

    it('takes the same id twice in one batch as two writes in order: the last one stays', async () => {
      const name = await fresh();
      const res = await vz.post('/insert_vectors', {
        collection: name,
        vectors: [
          { id: 'x', embedding: [1, 1, 1], payload: { v: 1 } },
          { id: 'x', embedding: [2, 2, 2], payload: { v: 2 } },
        ],
      });
      expect(res.status).toBe(200);
      expect(await vz.all(name)).toEqual([{ id: 'x', vector: [2, 2, 2], payload: { v: 2 } }]);
      expect((await vz.get(`/collections/${name}`)).body.vector_count).toBe(1);
    });

    it('creates an unknown collection from the first batch (cosine, the batch’s dimension), as the server auto-creates', async () => {
      const name = collectionName('auto');
      const res = await vz.post('/insert_vectors', {
        collection: name,
        vectors: [{ id: 'x', embedding: [1, 2, 3, 4] }],
      });
      expect(res.status).toBe(200);
      expect((await vz.get(`/collections/${name}`)).body).toMatchObject({
        dimension: 4,
        metric: 'Cosine',
        vector_count: 1,
      });
    });

    it('keeps payload values as sent (numbers, booleans, lists, nested objects)', async () => {
      const name = await fresh();
      const payload = {
        n: 3,
        f: 2.5,
        b: false,
        list: ['x', 1],
        obj: { k: 'v', inner: { y: [true] } },
        text: 'é 日本 "quoted"',
      };
      await vz.insert(name, [{ id: 'p', embedding: [1, 2, 3], payload }]);
      expect((await vz.get(`/collections/${name}/vectors/p`)).body.payload).toEqual(payload);
    });

    // A Vectorizer payload is any JSON (the server stores a serde_json::Value as sent), so a null
    // field is data: the server keeps it, and batch_update already keeps it here too.
    it('keeps null-valued fields of a payload, at the top level and nested', async () => {
      const name = await fresh();
      const payload = { deleted_at: null, obj: { k: 'v', z: null }, list: [null, 1] };
      await vz.insert(name, [{ id: 'p', embedding: [1, 2, 3], payload }]);
      expect((await vz.get(`/collections/${name}/vectors/p`)).body.payload).toEqual(payload);
    });

    it('keeps null-valued fields of a payload written by batch_update', async () => {
      const name = await fresh();
      await vz.insert(name, [{ id: 'p', embedding: [1, 2, 3], payload: { a: 1 } }]);
      const payload = { deleted_at: null, obj: { k: 'v', z: null } };
      await vz.post('/batch_update', { collection: name, updates: [{ id: 'p', payload }] });
      expect((await vz.get(`/collections/${name}/vectors/p`)).body.payload).toEqual(payload);
    });
  });

  describe('get one vector', () => {
    it('returns real data under both the server’s names (vector, payload) and the SDK’s (data, metadata)', async () => {
      const name = await seeded();
      const res = await vz.get(`/collections/${name}/vectors/a`);
      expect(res.status).toBe(200);
      const payload = { tag: 'second', n: 2, nested: { deep: [1, 'two'] } };
      expect(res.body).toEqual({ id: 'a', vector: [0, 1, 0], payload, data: [0, 1, 0], metadata: payload });
    });

    it('answers an unknown id with 404 vector_not_found (the server’s stub answers 200 with placeholder data)', async () => {
      const name = await seeded();
      const res = await vz.get(`/collections/${name}/vectors/nope`);
      expectVectorizerError(res, 404, 'vector_not_found', 'Vector not found: nope');
      expect(res.body.details).toEqual({ vector_id: 'nope' });
    });

    it('answers an unknown collection with 404 collection_not_found', async () => {
      expectVectorizerError(await vz.get('/collections/no_such_collection/vectors/a'), 404, 'collection_not_found');
    });

    it('finds ids with characters that need escaping in a path', async () => {
      const name = await fresh();
      const id = 'doc:1 é/ü?x=1';
      await vz.insert(name, [{ id, embedding: [1, 2, 3] }]);
      const res = await vz.get(`/collections/${name}/vectors/${encodeURIComponent(id)}`);
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(id);
    });
  });

  describe('list vectors', () => {
    it('lists in insertion order with vector, payload (null when absent), total, limit and offset', async () => {
      const name = await seeded();
      const res = await vz.get(`/collections/${name}/vectors`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        vectors: [
          { id: 'z', vector: [1, 0, 0], payload: { tag: 'first', n: 1 } },
          { id: 'a', vector: [0, 1, 0], payload: { tag: 'second', n: 2, nested: { deep: [1, 'two'] } } },
          { id: 'm', vector: [0, 0, 1], payload: null },
        ],
        total: 3,
        limit: 10,
        offset: 0,
        message: null,
      });
    });

    it('pages with limit and offset, defaults to 10, and says so when there are more', async () => {
      const name = await fresh(1);
      const ids = Array.from({ length: 25 }, (_, i) => `v${String(24 - i).padStart(2, '0')}`);
      await vz.insert(
        name,
        ids.map((id, i) => ({ id, embedding: [i] })),
      );

      const first = await vz.get(`/collections/${name}/vectors`);
      expect(first.body.vectors.map((v: { id: string }) => v.id)).toEqual(ids.slice(0, 10));
      expect(first.body).toMatchObject({ total: 25, limit: 10, offset: 0 });
      expect(first.body.message).toMatch(/of 25 vectors/);

      const page = await vz.get(`/collections/${name}/vectors?limit=7&offset=10`);
      expect(page.body.vectors.map((v: { id: string }) => v.id)).toEqual(ids.slice(10, 17));
      expect(page.body).toMatchObject({ total: 25, limit: 7, offset: 10 });

      const last = await vz.get(`/collections/${name}/vectors?limit=10&offset=20`);
      expect(last.body.vectors.map((v: { id: string }) => v.id)).toEqual(ids.slice(20));
      const past = await vz.get(`/collections/${name}/vectors?offset=30`);
      expect(past.body.vectors).toEqual([]);
      expect(past.body.total).toBe(25);

      const pages: string[] = [];
      for (let offset = 0; offset < 25; offset += 4) {
        pages.push(
          ...(await vz.get(`/collections/${name}/vectors?limit=4&offset=${offset}`)).body.vectors.map(
            (v: { id: string }) => v.id,
          ),
        );
      }
      expect(pages).toEqual(ids);
    });

    it('refuses a non-numeric limit or offset with 400 validation_error', async () => {
      const name = await seeded();
      expectVectorizerError(await vz.get(`/collections/${name}/vectors?limit=ten`), 400, 'validation_error');
      expectVectorizerError(await vz.get(`/collections/${name}/vectors?offset=-1`), 400, 'validation_error');
    });

    it('answers an unknown collection with 404 collection_not_found', async () => {
      expectVectorizerError(await vz.get('/collections/no_such_collection/vectors'), 404, 'collection_not_found');
    });
  });

  describe('delete one vector', () => {
    it('deletes it: 200 {message, success:true}, then 404 on get, and the others stay', async () => {
      const name = await seeded();
      const res = await vz.del(`/collections/${name}/vectors/a`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ message: `Vector 'a' deleted from collection '${name}'`, success: true });
      expectVectorizerError(await vz.get(`/collections/${name}/vectors/a`), 404, 'vector_not_found');
      expect(await vz.ids(name)).toEqual(['m', 'z']);
    });

    it('answers an unknown id with 404 vector_not_found and deletes nothing', async () => {
      const name = await seeded();
      const res = await vz.del(`/collections/${name}/vectors/nope`);
      expectVectorizerError(res, 404, 'vector_not_found', 'Vector not found: nope');
      expect(res.body.details).toEqual({ vector_id: 'nope' });
      expect(await vz.ids(name)).toEqual(['a', 'm', 'z']);
    });

    it('answers a second delete of the same id with 404 vector_not_found', async () => {
      const name = await seeded();
      expect((await vz.del(`/collections/${name}/vectors/z`)).status).toBe(200);
      expectVectorizerError(await vz.del(`/collections/${name}/vectors/z`), 404, 'vector_not_found');
    });

    it('answers an unknown collection with 404 collection_not_found', async () => {
      expectVectorizerError(await vz.del('/collections/no_such_collection/vectors/a'), 404, 'collection_not_found');
    });
  });

  describe('batch_insert', () => {
    it('writes vectors sent as `vectors`, like insert_vectors', async () => {
      const name = await fresh();
      const res = await vz.post('/batch_insert', {
        collection: name,
        vectors: [
          { id: 'b1', embedding: [1, 2, 3], payload: { k: 1 } },
          { id: 'b2', embedding: [3, 2, 1] },
        ],
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ collection: name, inserted: 2, failed: 0, count: 2 });
      expect(await vz.all(name)).toEqual([
        { id: 'b1', vector: [1, 2, 3], payload: { k: 1 } },
        { id: 'b2', vector: [3, 2, 1], payload: null },
      ]);
    });

    it('writes `texts` items when each carries its embedding', async () => {
      const name = await fresh();
      const res = await vz.post('/batch_insert', {
        collection: name,
        texts: [{ id: 't1', text: 'hello', embedding: [1, 1, 1], metadata: { k: 'v' } }],
      });
      expect(res.status).toBe(200);
      expect(await vz.all(name)).toEqual([{ id: 't1', vector: [1, 1, 1], payload: { k: 'v' } }]);
    });

    it('refuses text without an embedding with 400 validation_error and writes nothing (vecgate does not embed)', async () => {
      const name = await fresh();
      const res = await vz.post('/batch_insert', {
        collection: name,
        texts: [
          { id: 'ok', text: 'x', embedding: [1, 2, 3] },
          { id: 't', text: 'only text' },
        ],
      });
      expectVectorizerError(res, 400, 'validation_error', /embedding/);
      expect(await vz.ids(name)).toEqual([]);
    });

    it('refuses a missing collection field with 400 validation_error', async () => {
      expectVectorizerError(
        await vz.post('/batch_insert', { vectors: [{ id: 'x', embedding: [1, 2, 3] }] }),
        400,
        'validation_error',
      );
    });
  });

  describe('batch_update', () => {
    it('overwrites the vector and replaces the payload (no merge) of each id, and reports each item', async () => {
      const name = await seeded();
      const res = await vz.post('/batch_update', {
        collection: name,
        updates: [
          { id: 'z', vector: [7, 7, 7], payload: { replaced: true } },
          { id: 'a', vector: [8, 8, 8] },
        ],
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        collection: name,
        count: 2,
        updated: 2,
        failed: 0,
        results: [
          { index: 0, id: 'z', status: 'ok' },
          { index: 1, id: 'a', status: 'ok' },
        ],
      });
      expect(await vz.all(name)).toEqual([
        { id: 'z', vector: [7, 7, 7], payload: { replaced: true } },
        { id: 'a', vector: [8, 8, 8], payload: { tag: 'second', n: 2, nested: { deep: [1, 'two'] } } },
        { id: 'm', vector: [0, 0, 1], payload: null },
      ]);
    });

    it('keeps the vector when only a payload is sent, and clears the payload when it is null', async () => {
      const name = await seeded();
      const res = await vz.post('/batch_update', {
        collection: name,
        updates: [
          { id: 'z', payload: { only: 'payload' } },
          { id: 'a', payload: null },
        ],
      });
      expect(res.body).toMatchObject({ updated: 2, failed: 0 });
      expect((await vz.get(`/collections/${name}/vectors/z`)).body).toMatchObject({
        vector: [1, 0, 0],
        payload: { only: 'payload' },
      });
      expect((await vz.get(`/collections/${name}/vectors/a`)).body).toMatchObject({ vector: [0, 1, 0], payload: null });
    });

    it('reports unknown ids per item and never creates them (updates do not upsert)', async () => {
      const name = await seeded();
      const res = await vz.post('/batch_update', {
        collection: name,
        updates: [
          { id: 'ghost', vector: [1, 1, 1] },
          { id: 'm', payload: { found: 1 } },
        ],
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        collection: name,
        count: 2,
        updated: 1,
        failed: 1,
        results: [
          { index: 0, id: 'ghost', status: 'error', error: 'Vector not found: ghost' },
          { index: 1, id: 'm', status: 'ok' },
        ],
      });
      expect(await vz.ids(name)).toEqual(['a', 'm', 'z']);
      expect((await vz.get(`/collections/${name}/vectors/m`)).body.payload).toEqual({ found: 1 });
    });

    it('refuses a wrong-dimension vector with 400 validation_error and changes nothing', async () => {
      const name = await seeded();
      const before = await vz.all(name);
      const res = await vz.post('/batch_update', {
        collection: name,
        updates: [
          { id: 'z', payload: { changed: true } },
          { id: 'a', vector: [1, 2] },
        ],
      });
      expectVectorizerError(res, 400, 'validation_error');
      expect(await vz.all(name)).toEqual(before);
    });

    it('answers an unknown collection with 404 collection_not_found', async () => {
      expectVectorizerError(
        await vz.post('/batch_update', { collection: 'no_such_collection', updates: [{ id: 'a', payload: {} }] }),
        404,
        'collection_not_found',
      );
    });

    it('refuses an empty updates list with 400 validation_error', async () => {
      const name = await seeded();
      expectVectorizerError(await vz.post('/batch_update', { collection: name, updates: [] }), 400, 'validation_error');
    });
  });

  describe('batch_delete', () => {
    it.each([
      [
        'POST /batch_delete {collection, ids} (the server’s route)',
        (c: string, ids: unknown[]) => vz.post('/batch_delete', { collection: c, ids }),
      ],
      [
        'POST /collections/{c}/batch_delete {ids} (the seed’s route)',
        (c: string, ids: unknown[]) => vz.post(`/collections/${c}/batch_delete`, { ids }),
      ],
    ])('%s deletes the ids and reports unknown ones per item', async (_, send) => {
      const name = await seeded();
      const res = await send(name, ['z', 'nope', 'm']);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        collection: name,
        count: 3,
        deleted: 2,
        failed: 1,
        results: [
          { index: 0, id: 'z', status: 'ok' },
          { index: 1, id: 'nope', status: 'error', error: 'Vector not found: nope' },
          { index: 2, id: 'm', status: 'ok' },
        ],
      });
      expect(await vz.ids(name)).toEqual(['a']);
    });

    // The server deletes item by item, so a repeated id is found the first time and not the second.
    it('reports an id repeated in one batch as deleted once and not found the second time, consistently with the counts', async () => {
      const name = await seeded();
      const res = await vz.post('/batch_delete', { collection: name, ids: ['z', 'z'] });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        collection: name,
        count: 2,
        deleted: 1,
        failed: 1,
        results: [
          { index: 0, id: 'z', status: 'ok' },
          { index: 1, id: 'z', status: 'error', error: 'Vector not found: z' },
        ],
      });
      expect(await vz.ids(name)).toEqual(['a', 'm']);
    });

    it.each([
      ['POST /batch_delete', (ids: unknown[]) => vz.post('/batch_delete', { collection: 'no_such_collection', ids })],
      [
        'POST /collections/{c}/batch_delete',
        (ids: unknown[]) => vz.post('/collections/no_such_collection/batch_delete', { ids }),
      ],
    ])('%s answers an unknown collection with 404 collection_not_found', async (_, send) => {
      expectVectorizerError(await send(['a']), 404, 'collection_not_found');
    });

    it('refuses a non-string id with 400 validation_error and deletes nothing (the server reports it per item)', async () => {
      const name = await seeded();
      expectVectorizerError(
        await vz.post('/batch_delete', { collection: name, ids: ['z', { id: 'a' }] }),
        400,
        'validation_error',
      );
      expect(await vz.ids(name)).toEqual(['a', 'm', 'z']);
    });

    it('refuses an empty ids list with 400 validation_error', async () => {
      const name = await seeded();
      expectVectorizerError(await vz.post('/batch_delete', { collection: name, ids: [] }), 400, 'validation_error');
      expectVectorizerError(await vz.post(`/collections/${name}/batch_delete`, { ids: [] }), 400, 'validation_error');
    });

    it('refuses a missing collection field on /batch_delete with 400 validation_error', async () => {
      expectVectorizerError(await vz.post('/batch_delete', { ids: ['a'] }), 400, 'validation_error');
    });
  });

  describe('batch_search', () => {
    it('answers each query as /search would, in order, with index and status', async () => {
      const name = await seeded();
      const res = await vz.post('/batch_search', {
        collection: name,
        queries: [
          { vector: [1, 0, 0], limit: 2 },
          { vector: [0, 0, 1], limit: 1 },
        ],
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ collection: name, count: 2, succeeded: 2, failed: 0 });
      const [first, second] = res.body.results;
      expect(first).toMatchObject({
        index: 0,
        status: 'ok',
        query_type: 'vector',
        limit: 2,
        collection: name,
        total_results: 2,
      });
      expect(first.results.map((r: { id: string }) => r.id)).toEqual(['z', first.results[1].id]);
      expect(first.results[0].score).toBeCloseTo(1, 5);
      expect(second).toMatchObject({ index: 1, status: 'ok', total_results: 1 });
      expect(second.results[0]).toMatchObject({ id: 'm', vector: [0, 0, 1], payload: null });
    });

    it('takes threshold (and the SDK’s score_threshold) as an inclusive minimum score', async () => {
      const name = await seeded();
      // euclidean scores from [1,0,0]: z 1, a and m 1/(1+√2) ≈ 0.414.
      const res = await vz.post('/batch_search', {
        collection: name,
        queries: [
          { vector: [1, 0, 0], threshold: 0.5 },
          { vector: [1, 0, 0], score_threshold: 0.4 },
        ],
      });
      expect(res.body.results[0].results.map((r: { id: string }) => r.id)).toEqual(['z']);
      expect(res.body.results[1].results.map((r: { id: string }) => r.id).sort()).toEqual(['a', 'm', 'z']);
    });

    it('applies each query’s filter', async () => {
      const name = await seeded();
      const res = await vz.post('/batch_search', {
        collection: name,
        queries: [{ vector: [1, 0, 0], filter: { tag: 'second' } }],
      });
      expect(res.body.results[0].results.map((r: { id: string }) => r.id)).toEqual(['a']);
    });

    it('fails a bad query alone, as a per-item validation_error', async () => {
      const name = await seeded();
      const res = await vz.post('/batch_search', {
        collection: name,
        queries: [{ vector: [1, 2] }, { vector: [0, 1, 0], limit: 1 }],
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ count: 2, succeeded: 1, failed: 1 });
      expect(res.body.results[0]).toMatchObject({ index: 0, status: 'error', error_type: 'validation_error' });
      expect(res.body.results[0].error).toMatch(/dimension/);
      expect(res.body.results[1].results.map((r: { id: string }) => r.id)).toEqual(['a']);
    });

    it('reports an unknown collection per query as collection_not_found', async () => {
      const res = await vz.post('/batch_search', {
        collection: 'no_such_collection',
        queries: [{ vector: [1, 0, 0] }],
      });
      expect(res.status).toBe(200);
      expect(res.body.results[0]).toMatchObject({ status: 'error', error_type: 'collection_not_found' });
    });

    it('refuses an empty queries list or a missing collection with 400 validation_error', async () => {
      const name = await seeded();
      expectVectorizerError(await vz.post('/batch_search', { collection: name, queries: [] }), 400, 'validation_error');
      expectVectorizerError(
        await vz.post('/batch_search', { queries: [{ vector: [1, 0, 0] }] }),
        400,
        'validation_error',
      );
    });
  });
});
