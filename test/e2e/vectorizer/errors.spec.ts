import { http, gatewayForFile } from '../../support/gateway';
import { collectionName, expectVectorizerError, vectorizer, type Res, type Vectorizer } from './vectorizer-helpers';

/**
 * Vectorizer's error shape `{"error_type","message","details"?,"status_code"}` and its status
 * codes on every route, and nothing changed by a failed call: each test ends by checking that the
 * collection holds exactly what it held before.
 *
 * A deliberate difference: the real server writes the valid items of a batch and reports the
 * invalid ones inside a 200; vecgate refuses the whole batch with a 400 and writes nothing.
 */
describe('Vectorizer errors over HTTP', () => {
  const gw = gatewayForFile();
  let vz: Vectorizer;
  const C = 'errors';
  let snapshot: unknown;

  beforeAll(async () => {
    vz = vectorizer(gw);
    await vz.create(C, 3, 'cosine');
    await vz.insert(C, [
      { id: 'a', embedding: [1, 0, 0], payload: { category: 'x', n: 1 } },
      { id: 'b', embedding: [0, 1, 0], payload: { category: 'y', n: 2 } },
      { id: 'c', embedding: [0, 0, 1] },
    ]);
    snapshot = await vz.all(C);
  });
  afterEach(async () => {
    expect(await vz.all(C)).toEqual(snapshot);
    expect((await vz.get(`/collections/${C}`)).body.vector_count).toBe(3);
  });

  describe('404 collection_not_found', () => {
    const X = 'no_such_collection';
    it.each<[string, string, string, unknown]>([
      ['get collection', 'GET', `/collections/${X}`, undefined],
      ['delete collection', 'DELETE', `/collections/${X}`, undefined],
      ['list vectors', 'GET', `/collections/${X}/vectors`, undefined],
      ['get vector', 'GET', `/collections/${X}/vectors/a`, undefined],
      ['delete vector', 'DELETE', `/collections/${X}/vectors/a`, undefined],
      ['search (path)', 'POST', `/collections/${X}/search`, { vector: [1, 0, 0] }],
      ['search (body)', 'POST', '/search', { collection: X, vector: [1, 0, 0] }],
      ['delete_by_filter (seed path)', 'POST', `/collections/${X}/delete_by_filter`, { filter: { category: 'x' } }],
      [
        'delete_by_filter (server path)',
        'POST',
        `/collections/${X}/vectors/delete_by_filter`,
        { filter: { must: [{ type: 'match', key: 'category', match_value: 'x' }] } },
      ],
      ['batch_update', 'POST', '/batch_update', { collection: X, updates: [{ id: 'a', payload: { k: 1 } }] }],
      ['batch_delete (server path)', 'POST', '/batch_delete', { collection: X, ids: ['a'] }],
      ['batch_delete (seed path)', 'POST', `/collections/${X}/batch_delete`, { ids: ['a'] }],
    ])('on %s, naming the collection in message and details', async (_, method, path, body) => {
      const res = await http(gw.url, method, path, body);
      expectVectorizerError(res, 404, 'collection_not_found', `Collection not found: ${X}`);
      expect(res.body.details).toEqual({ collection_name: X });
    });
  });

  describe('404 vector_not_found', () => {
    it.each([['GET'], ['DELETE']])('on %s of an unknown vector, naming it in message and details', async (method) => {
      const res = await http(gw.url, method, `/collections/${C}/vectors/zz`);
      expectVectorizerError(res, 404, 'vector_not_found', 'Vector not found: zz');
      expect(res.body.details).toEqual({ vector_id: 'zz' });
    });
  });

  describe('409 collection_already_exists', () => {
    it('on creating a collection whose name is taken, without details', async () => {
      const res = await vz.post('/collections', { name: C, dimension: 3 });
      expectVectorizerError(res, 409, 'collection_already_exists', `Collection already exists: ${C}`);
      expect(res.body.details).toBeUndefined();
    });
  });

  describe('400 validation_error', () => {
    const insert = (vectors: unknown) => vz.post('/insert_vectors', { collection: C, vectors });

    it('on an insert whose vector has the wrong dimension', async () => {
      const res = await insert([{ id: 'd', embedding: [1, 2] }]);
      expectVectorizerError(res, 400, 'validation_error', /dimension 2 does not match collection dimension 3/);
    });

    it('on a search whose vector has the wrong dimension', async () => {
      const res = await vz.post(`/collections/${C}/search`, { vector: [1, 2, 3, 4] });
      expectVectorizerError(
        res,
        400,
        'validation_error',
        'Invalid vector: vector dimension 4 does not match collection dimension 3',
      );
      expect(res.body.details).toEqual({
        field: 'vector',
        reason: 'vector dimension 4 does not match collection dimension 3',
      });
    });

    it.each<[string, unknown]>([
      ['a string entry', [1, 'two', 3]],
      ['a null entry', [1, null, 3]],
      ['a boolean entry', [1, true, 3]],
      ['a string', '1,2,3'],
      ['an empty list', []],
    ])('on an insert whose embedding holds %s, naming the field', async (_, embedding) => {
      const res = await insert([{ id: 'd', embedding }]);
      expectVectorizerError(res, 400, 'validation_error', /^Invalid vectors\[0\]\.embedding/);
      expect(res.body.details).toMatchObject({ field: 'vectors[0].embedding' });
    });

    it('on an insert with no embedding at all', async () => {
      expectVectorizerError(await insert([{ id: 'd', payload: { k: 1 } }]), 400, 'validation_error', /embedding/);
    });

    it.each<[string, unknown]>([
      ['a missing collection field', { vectors: [{ id: 'd', embedding: [1, 2, 3] }] }],
      ['a collection that is not a string', { collection: 7, vectors: [{ id: 'd', embedding: [1, 2, 3] }] }],
      ['a missing vectors field', { collection: C }],
      ['an empty vectors list', { collection: C, vectors: [] }],
      ['vectors that are not a list', { collection: C, vectors: { id: 'd', embedding: [1, 2, 3] } }],
    ])('on an insert with %s', async (_, body) => {
      expectVectorizerError(await vz.post('/insert_vectors', body), 400, 'validation_error');
    });

    it.each<[string, unknown]>([
      ['an empty id', ''],
      ['a "#" in the id (the server’s chunk separator)', 'doc#1'],
      ['leading whitespace', ' d'],
      ['an id over 256 characters', 'x'.repeat(257)],
    ])('on an insert with %s', async (_, id) => {
      expectVectorizerError(await insert([{ id, embedding: [1, 2, 3] }]), 400, 'validation_error', /id/);
    });

    it('on an insert whose payload is not an object', async () => {
      expectVectorizerError(
        await insert([{ id: 'd', embedding: [1, 2, 3], payload: 'text' }]),
        400,
        'validation_error',
        /payload/,
      );
    });

    it.each<[string, unknown]>([
      ['a missing collection field on /search', { vector: [1, 0, 0] }],
      ['a missing vector on /search', { collection: C }],
      ['a missing collection field on /batch_update', { updates: [{ id: 'a', payload: {} }] }],
      ['a missing updates field on /batch_update', { collection: C }],
      ['a missing collection field on /batch_delete', { ids: ['a'] }],
      ['a missing ids field on /batch_delete', { collection: C }],
      ['a missing collection field on /batch_search', { queries: [{ vector: [1, 0, 0] }] }],
    ])('on %s', async (name, body) => {
      const route = name.split(' on ')[1];
      expectVectorizerError(await vz.post(route, body), 400, 'validation_error');
    });
  });

  describe('400 parse_error on filters of unknown shape', () => {
    it.each<[string, string, (f: unknown) => Record<string, unknown>]>([
      ['delete_by_filter (seed path)', `/collections/${C}/delete_by_filter`, (filter) => ({ filter })],
      ['delete_by_filter (server path)', `/collections/${C}/vectors/delete_by_filter`, (filter) => ({ filter })],
      ['search', `/collections/${C}/search`, (filter) => ({ vector: [1, 0, 0], filter })],
    ])('on %s, with the reason in details', async (_, path, body) => {
      for (const filter of [
        { must: [{ type: 'geo_bounding_box', key: 'loc' }] },
        { must: [{ key: 'category', match: { regex: 'x' } }] },
        { category: { $like: 'x%' } },
      ]) {
        const res = await vz.post(path, body(filter));
        expectVectorizerError(res, 400, 'parse_error', /^Failed to parse filter: /);
        expect(res.body.details).toMatchObject({ field: 'filter', reason: expect.any(String) });
      }
    });
  });

  describe('a batch with one invalid item writes nothing (the server would write the valid ones)', () => {
    it.each<[string, unknown[]]>([
      [
        'a wrong-dimension item',
        [
          { id: 'new1', embedding: [1, 1, 1] },
          { id: 'a', embedding: [9, 9, 9], payload: { replaced: true } },
          { id: 'new2', embedding: [1, 1] },
        ],
      ],
      [
        'a non-numeric item',
        [
          { id: 'new1', embedding: [1, 1, 1] },
          { id: 'new2', embedding: [1, 'x', 1] },
        ],
      ],
      [
        'an item with a bad id',
        [
          { id: 'new1', embedding: [1, 1, 1] },
          { id: 'bad#id', embedding: [1, 1, 1] },
        ],
      ],
      ['an item that is not an object', [{ id: 'new1', embedding: [1, 1, 1] }, 'new2']],
    ])('insert_vectors with %s: 400 and no vector added or replaced', async (_, vectors) => {
      expectVectorizerError(await vz.post('/insert_vectors', { collection: C, vectors }), 400, 'validation_error');
    });

    it('batch_insert with a wrong-dimension item: 400 and nothing added', async () => {
      expectVectorizerError(
        await vz.post('/batch_insert', {
          collection: C,
          vectors: [
            { id: 'new1', embedding: [1, 1, 1] },
            { id: 'new2', embedding: [1] },
          ],
        }),
        400,
        'validation_error',
      );
    });

    it.each<[string, unknown[]]>([
      [
        'a wrong-dimension vector',
        [
          { id: 'a', payload: { changed: true } },
          { id: 'b', vector: [1, 2] },
        ],
      ],
      [
        'a non-numeric vector',
        [
          { id: 'a', vector: [2, 2, 2] },
          { id: 'b', vector: ['x', 1, 1] },
        ],
      ],
      ['a missing id', [{ id: 'a', vector: [2, 2, 2] }, { vector: [1, 1, 1] }]],
      [
        'a non-string id',
        [
          { id: 'a', vector: [2, 2, 2] },
          { id: { k: 1 }, vector: [1, 1, 1] },
        ],
      ],
      [
        'a payload that is a list',
        [
          { id: 'a', vector: [2, 2, 2] },
          { id: 'b', payload: ['x'] },
        ],
      ],
    ])('batch_update with %s: 400 and nothing changed', async (_, updates) => {
      expectVectorizerError(await vz.post('/batch_update', { collection: C, updates }), 400, 'validation_error');
    });

    it.each([
      ['/batch_delete', { collection: C, ids: ['a', 17.5] }],
      ['/batch_delete', { collection: C, ids: ['a', null] }],
      [`/collections/${C}/batch_delete`, { ids: ['b', ''] }],
    ])('%s with an invalid id (%j): 400 and nothing deleted', async (path, body) => {
      expectVectorizerError(await vz.post(path, body), 400, 'validation_error');
    });

    it('an auto-creating insert_vectors that fails leaves no collection behind', async () => {
      const name = collectionName('err-auto');
      const res = await vz.post('/insert_vectors', {
        collection: name,
        vectors: [
          { id: 'x', embedding: [1, 2, 3] },
          { id: 'y', embedding: [1, 2] },
        ],
      });
      expectVectorizerError(res, 400, 'validation_error');
      expectVectorizerError(await vz.get(`/collections/${name}`), 404, 'collection_not_found');
    });
  });

  describe('bodies the JSON parser refuses', () => {
    it('answers malformed JSON with a 400 in Vectorizer’s JSON error shape (the server answers text/plain)', async () => {
      const res: Res = await http(gw.url, 'POST', '/insert_vectors', '{"collection": "errors", "vectors": [', {
        'content-type': 'application/json',
      });
      expectVectorizerError(res, 400, 'bad_request');
    });

    it('answers malformed JSON on a delete_by_filter with a 400 and deletes nothing', async () => {
      const res: Res = await http(gw.url, 'POST', `/collections/${C}/delete_by_filter`, '{"filter": {"category": "x"', {
        'content-type': 'application/json',
      });
      expect(res.status).toBe(400);
      expect(res.body.status_code).toBe(400);
    });
  });
});
