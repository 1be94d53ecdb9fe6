import { gatewayForFile } from '../../support/gateway';
import { collectionName, expectVectorizerError, vectorizer, type Vectorizer } from './vectorizer-helpers';

/**
 * Vectorizer's collection routes (docs/vectorizer-wire-contract.md §2): list, create, get, delete,
 * with the metric in the server's Debug form plus the `similarity_metric` the TypeScript SDK needs.
 */
describe('Vectorizer collections over HTTP', () => {
  const gw = gatewayForFile();
  let vz: Vectorizer;

  beforeAll(async () => {
    vz = vectorizer(gw);
  });

  describe('create', () => {
    it('creates a collection with name, dimension and metric and answers 200 with message, collection, dimension and metric', async () => {
      const name = collectionName('create');
      const res = await vz.post('/collections', { name, dimension: 4, metric: 'euclidean' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        message: `Collection '${name}' created successfully`,
        collection: name,
        dimension: 4,
        metric: 'euclidean',
      });
    });

    it.each([
      ['metric', 'cosine', 'cosine', 'Cosine'],
      ['metric', 'euclidean', 'euclidean', 'Euclidean'],
      ['metric', 'dot', 'dot_product', 'DotProduct'],
      ['metric', 'Euclidean', 'euclidean', 'Euclidean'],
      ['metric', 'dot_product', 'dot_product', 'DotProduct'],
      ['similarity_metric', 'cosine', 'cosine', 'Cosine'],
      ['similarity_metric', 'euclidean', 'euclidean', 'Euclidean'],
      ['similarity_metric', 'dot_product', 'dot_product', 'DotProduct'],
    ])(
      'takes %s %j, echoes %j (never "dot", which the SDK rejects) and stores it (GET shows %j)',
      async (field, sent, echoed, debug) => {
        const name = collectionName('metric');
        const res = await vz.post('/collections', { name, dimension: 3, [field]: sent });
        expect(res.status).toBe(200);
        expect(res.body.metric).toBe(echoed);
        const got = await vz.get(`/collections/${name}`);
        expect(got.body).toMatchObject({ metric: debug, similarity_metric: echoed });
      },
    );

    it('takes the SDK’s createCollection body {name, dimension, similarity_metric, description}', async () => {
      const name = collectionName('sdk');
      const res = await vz.post('/collections', {
        name,
        dimension: 8,
        similarity_metric: 'euclidean',
        description: 'from the SDK',
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name, dimension: 8, metric: 'euclidean' });
      expect((await vz.get(`/collections/${name}`)).body).toMatchObject({
        name,
        dimension: 8,
        metric: 'Euclidean',
        similarity_metric: 'euclidean',
      });
    });

    it('defaults to cosine and 512 dimensions, as the server does', async () => {
      const name = collectionName('defaults');
      const res = await vz.post('/collections', { name });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ dimension: 512, metric: 'cosine' });
      expect((await vz.get(`/collections/${name}`)).body).toMatchObject({
        dimension: 512,
        metric: 'Cosine',
        similarity_metric: 'cosine',
      });
    });

    it('refuses a duplicate name with 409 collection_already_exists and keeps the first collection', async () => {
      const name = collectionName('dup');
      await vz.create(name, 3, 'euclidean');
      await vz.insert(name, [{ id: 'a', embedding: [1, 2, 3] }]);
      const res = await vz.post('/collections', { name, dimension: 5, metric: 'cosine' });
      expectVectorizerError(res, 409, 'collection_already_exists', `Collection already exists: ${name}`);
      expect((await vz.get(`/collections/${name}`)).body).toMatchObject({
        dimension: 3,
        metric: 'Euclidean',
        vector_count: 1,
      });
    });

    it('refuses a missing name with 400 validation_error', async () => {
      expectVectorizerError(await vz.post('/collections', { dimension: 3 }), 400, 'validation_error');
    });

    it('refuses an empty name with 400 invalid_configuration', async () => {
      expectVectorizerError(
        await vz.post('/collections', { name: '', dimension: 3 }),
        400,
        'invalid_configuration',
        'Invalid configuration: collection name cannot be empty',
      );
    });

    it.each([
      ['a string', '3'],
      ['a float', 2.5],
      ['zero', 0],
      ['a negative number', -4],
    ])('refuses a dimension that is %s with 400 validation_error', async (_, dimension) => {
      const name = collectionName('baddim');
      expectVectorizerError(await vz.post('/collections', { name, dimension }), 400, 'validation_error', /dimension/);
      expectVectorizerError(await vz.get(`/collections/${name}`), 404, 'collection_not_found');
    });

    it('refuses an unknown metric with 400 validation_error (a deliberate difference: the server silently makes it cosine)', async () => {
      const name = collectionName('badmetric');
      expectVectorizerError(
        await vz.post('/collections', { name, dimension: 3, metric: 'manhattan' }),
        400,
        'validation_error',
        /metric/,
      );
      expectVectorizerError(await vz.get(`/collections/${name}`), 404, 'collection_not_found');
    });
  });

  describe('get', () => {
    it('describes a collection: name, dimension, vector count, metric in Debug form and similarity_metric', async () => {
      const name = collectionName('get');
      await vz.create(name, 3, 'dot');
      await vz.insert(name, [
        { id: 'a', embedding: [1, 0, 0] },
        { id: 'b', embedding: [0, 1, 0] },
        { id: 'c', embedding: [0, 0, 1] },
      ]);
      const res = await vz.get(`/collections/${name}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        name,
        dimension: 3,
        vector_count: 3,
        metric: 'DotProduct',
        similarity_metric: 'dot_product',
        status: 'ready',
      });
      expect(typeof res.body.created_at).toBe('string');
      expect(Number.isNaN(Date.parse(res.body.created_at))).toBe(false);
    });

    it('counts vectors as they are inserted, replaced and deleted', async () => {
      const name = collectionName('count');
      await vz.create(name, 2);
      const count = async () => (await vz.get(`/collections/${name}`)).body.vector_count;
      expect(await count()).toBe(0);
      await vz.insert(name, [
        { id: 'a', embedding: [1, 0] },
        { id: 'b', embedding: [0, 1] },
      ]);
      expect(await count()).toBe(2);
      await vz.insert(name, [{ id: 'a', embedding: [1, 1] }]);
      expect(await count()).toBe(2);
      await vz.del(`/collections/${name}/vectors/a`);
      expect(await count()).toBe(1);
    });

    it('answers an unknown collection with 404 collection_not_found naming it in details', async () => {
      const res = await vz.get('/collections/no_such_collection');
      expectVectorizerError(res, 404, 'collection_not_found', 'Collection not found: no_such_collection');
      expect(res.body.details).toEqual({ collection_name: 'no_such_collection' });
    });
  });

  describe('list', () => {
    it('lists every collection sorted by name, each with its vector count, and total_collections', async () => {
      const names = ['list-c', 'list-a', 'list-b'].map((p) => collectionName(p));
      for (const n of names) await vz.create(n, 2, 'euclidean');
      await vz.insert(names[1], [
        { id: 'x', embedding: [1, 2] },
        { id: 'y', embedding: [3, 4] },
      ]);
      const res = await vz.get('/collections');
      expect(res.status).toBe(200);
      const listed: { name: string }[] = res.body.collections;
      expect(res.body.total_collections).toBe(listed.length);
      const all = listed.map((c) => c.name);
      expect(all).toEqual([...all].sort());
      const ours = listed.filter((c) => names.includes(c.name));
      expect(ours.map((c) => c.name)).toEqual([...names].sort());
      expect(ours.find((c) => c.name === names[1])).toMatchObject({
        vector_count: 2,
        dimension: 2,
        metric: 'Euclidean',
        similarity_metric: 'euclidean',
      });
      expect(ours.find((c) => c.name === names[0])).toMatchObject({ vector_count: 0 });
    });
  });

  describe('delete', () => {
    it('deletes a collection and its vectors: 200 with a message, then 404 on get and gone from the list', async () => {
      const name = collectionName('del');
      await vz.create(name, 2);
      await vz.insert(name, [{ id: 'a', embedding: [1, 2] }]);
      const res = await vz.del(`/collections/${name}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ message: `Collection '${name}' deleted successfully` });
      expectVectorizerError(await vz.get(`/collections/${name}`), 404, 'collection_not_found');
      expect((await vz.get('/collections')).body.collections.map((c: { name: string }) => c.name)).not.toContain(name);
      expectVectorizerError(await vz.get(`/collections/${name}/vectors/a`), 404, 'collection_not_found');
    });

    it('frees the name: a new collection of that name starts empty', async () => {
      const name = collectionName('reuse');
      await vz.create(name, 2);
      await vz.insert(name, [{ id: 'a', embedding: [1, 2] }]);
      await vz.del(`/collections/${name}`);
      await vz.create(name, 3, 'dot');
      expect((await vz.get(`/collections/${name}`)).body).toMatchObject({
        vector_count: 0,
        dimension: 3,
        metric: 'DotProduct',
      });
    });

    it('answers an unknown collection with 404 collection_not_found', async () => {
      expectVectorizerError(
        await vz.del('/collections/no_such_collection'),
        404,
        'collection_not_found',
        'Collection not found: no_such_collection',
      );
    });
  });
});
