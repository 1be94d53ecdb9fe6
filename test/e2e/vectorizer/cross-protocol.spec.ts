import { Errors, type Pinecone } from '@pinecone-database/pinecone';
import { ChromaClient, ChromaNotFoundError, type Metadata } from 'chromadb';
import { http, gatewayForFile } from '../../support/gateway';
import { createDense, pineconeClient } from '../../support/pinecone';
import { CLOSE, collectionName, cosine, dot, l2, sigmoid, vectorizer, type Vectorizer } from './vectorizer-helpers';

/**
 * One store, every protocol: a Vectorizer collection is a collection of default_tenant /
 * default_database, which the Chroma client (v3, no embedding function) and the Pinecone client
 * (v9, control plane at the gateway) see as their own, payload as metadata — and the other way
 * round, records written through Chroma or Pinecone are there for Vectorizer's list, get, search.
 */
type VzMetric = 'cosine' | 'euclidean' | 'dot';

const METRICS: {
  metric: VzMetric;
  debug: string;
  space: 'cosine' | 'l2' | 'ip';
  pinecone: 'cosine' | 'euclidean' | 'dotproduct';
  /** Vectorizer's score for a pair, and the Chroma distance and Pinecone score that go with it. */
  score(a: number[], b: number[]): number;
  chromaDistance(a: number[], b: number[]): number;
  pineconeScore(a: number[], b: number[]): number;
}[] = [
  {
    metric: 'cosine',
    debug: 'Cosine',
    space: 'cosine',
    pinecone: 'cosine',
    score: cosine,
    chromaDistance: (a, b) => 1 - cosine(a, b),
    pineconeScore: cosine,
  },
  {
    metric: 'euclidean',
    debug: 'Euclidean',
    space: 'l2',
    pinecone: 'euclidean',
    score: (a, b) => 1 / (1 + l2(a, b)),
    chromaDistance: (a, b) => l2(a, b) ** 2,
    pineconeScore: (a, b) => l2(a, b) ** 2,
  },
  {
    metric: 'dot',
    debug: 'DotProduct',
    space: 'ip',
    pinecone: 'dotproduct',
    score: (a, b) => sigmoid(dot(a, b)),
    chromaDistance: (a, b) => 1 - dot(a, b),
    pineconeScore: dot,
  },
];

const VECTORS: Record<string, number[]> = { a: [1, 0, 0], b: [0.5, 2, 0], c: [-1, 1, 1], d: [3, 0, 4] };
const PAYLOADS: Record<string, Record<string, string | number | boolean> | undefined> = {
  a: { kind: 'even', i: 0, ok: true },
  b: { kind: 'odd', i: 1, ok: false },
  c: { kind: 'even', i: 2, ok: true },
  d: undefined,
};
const QUERY = [1, 1, 0];

describe('One store, every protocol: Vectorizer collections are Chroma collections and Pinecone indexes', () => {
  const gw = gatewayForFile();
  let vz: Vectorizer;
  let chroma: ChromaClient;
  let pc: Pinecone;

  beforeAll(async () => {
    vz = vectorizer(gw);
    chroma = new ChromaClient({ host: '127.0.0.1', port: gw.port });
    pc = pineconeClient(gw);
  });

  async function vectorizerCollection(metric: VzMetric): Promise<string> {
    const name = collectionName(`vz-${metric}`);
    await vz.create(name, 3, metric);
    await vz.insert(
      name,
      Object.entries(VECTORS).map(([id, embedding]) => ({ id, embedding, payload: PAYLOADS[id] })),
    );
    return name;
  }

  describe('collections', () => {
    it.each(METRICS)(
      'shows a Vectorizer $metric collection to Chroma (space $space, default_tenant/default_database) and to Pinecone ($pinecone)',
      async ({ metric, space, pinecone }) => {
        const name = collectionName(`m-${metric}`);
        await vz.create(name, 3, metric);
        const raw = await http(
          gw.url,
          'GET',
          `/api/v2/tenants/default_tenant/databases/default_database/collections/${name}`,
        );
        expect(raw.status).toBe(200);
        expect(raw.body).toMatchObject({ name, dimension: 3, tenant: 'default_tenant', database: 'default_database' });
        const col = await chroma.getCollection({ name });
        expect(col.configuration.hnsw?.space).toBe(space);
        expect((await chroma.listCollections()).map((c) => c.name)).toContain(name);
        const described = await pc.describeIndex(name);
        expect(described).toMatchObject({ name, dimension: 3, metric: pinecone });
        expect(((await pc.listIndexes()).indexes ?? []).map((i) => i.name)).toContain(name);
      },
    );

    it.each(METRICS)(
      'shows a Chroma collection of space $space and a Pinecone $pinecone index to Vectorizer as $debug',
      async ({ space, pinecone, debug, metric }) => {
        const fromChroma = collectionName(`c-${space}`);
        const col = await chroma.createCollection({
          name: fromChroma,
          configuration: { hnsw: { space } },
          embeddingFunction: null,
        });
        await col.add({ ids: ['x'], embeddings: [[1, 2, 3, 4]] });
        expect((await vz.get(`/collections/${fromChroma}`)).body).toMatchObject({
          name: fromChroma,
          dimension: 4,
          vector_count: 1,
          metric: debug,
        });

        const fromPinecone = collectionName(`p-${metric}`);
        await createDense(pc, fromPinecone, 2, pinecone);
        expect((await vz.get(`/collections/${fromPinecone}`)).body).toMatchObject({
          name: fromPinecone,
          dimension: 2,
          vector_count: 0,
          metric: debug,
        });
        const listed = (await vz.get('/collections')).body.collections.map((c: { name: string }) => c.name);
        expect(listed).toEqual(expect.arrayContaining([fromChroma, fromPinecone]));
      },
    );

    it('shares one namespace of names: a name Chroma or Pinecone holds is a 409 for Vectorizer, and the other way round', async () => {
      const chromaName = collectionName('taken-c');
      await chroma.createCollection({ name: chromaName, embeddingFunction: null });
      expect((await vz.post('/collections', { name: chromaName, dimension: 3 })).body).toMatchObject({
        error_type: 'collection_already_exists',
        status_code: 409,
      });

      const vzName = collectionName('taken-v');
      await vz.create(vzName, 3);
      await expect(createDense(pc, vzName, 3, 'cosine')).rejects.toBeInstanceOf(Errors.PineconeConflictError);
    });

    it('does not show Vectorizer a Chroma collection of another database', async () => {
      expect(
        (await http(gw.url, 'POST', '/api/v2/tenants/default_tenant/databases', { name: 'vz-elsewhere' })).status,
      ).toBe(200);
      const other = new ChromaClient({ host: '127.0.0.1', port: gw.port, database: 'vz-elsewhere' });
      const name = collectionName('elsewhere');
      const col = await other.createCollection({ name, embeddingFunction: null });
      await col.add({ ids: ['x'], embeddings: [[1, 2]] });
      expect((await vz.get(`/collections/${name}`)).body).toMatchObject({ error_type: 'collection_not_found' });
      expect((await vz.get('/collections')).body.collections.map((c: { name: string }) => c.name)).not.toContain(name);
      await vz.create(name, 2);
      expect(await col.count()).toBe(1);
      expect((await vz.get(`/collections/${name}`)).body.vector_count).toBe(0);
    });

    it('drops a collection for every protocol, whichever protocol deletes it', async () => {
      const viaVectorizer = await vectorizerCollection('cosine');
      await vz.del(`/collections/${viaVectorizer}`);
      await expect(chroma.getCollection({ name: viaVectorizer })).rejects.toBeInstanceOf(ChromaNotFoundError);
      await expect(pc.describeIndex(viaVectorizer)).rejects.toBeInstanceOf(Errors.PineconeNotFoundError);

      const viaPinecone = await vectorizerCollection('dot');
      await pc.deleteIndex(viaPinecone);
      expect((await vz.get(`/collections/${viaPinecone}`)).status).toBe(404);

      const viaChroma = await vectorizerCollection('euclidean');
      await chroma.deleteCollection({ name: viaChroma });
      expect((await vz.get(`/collections/${viaChroma}/vectors`)).status).toBe(404);
      expect((await vz.get(`/qdrant/collections/${viaChroma}`)).status).toBe(404);
    });
  });

  describe('records written through Vectorizer', () => {
    it.each(METRICS)(
      'are seen by Chroma get, count and query on a $metric collection (payload as metadata), with distances that agree with the scores',
      async ({ metric, chromaDistance }) => {
        const name = await vectorizerCollection(metric);
        const col = await chroma.getCollection({ name });
        expect(await col.count()).toBe(4);
        const got = await col.get({ ids: ['b', 'd'], include: ['embeddings', 'metadatas', 'documents'] });
        expect(got.ids).toEqual(['b', 'd']);
        expect(got.embeddings).toEqual([VECTORS.b, VECTORS.d]);
        expect(got.metadatas).toEqual([PAYLOADS.b, null]);
        expect(got.documents).toEqual([null, null]);
        expect((await col.get({ where: { kind: 'even' } })).ids.sort()).toEqual(['a', 'c']);

        const search = (await vz.post(`/collections/${name}/search`, { vector: QUERY, limit: 4 })).body.results as {
          id: string;
          score: number;
        }[];
        const res = await col.query({ queryEmbeddings: [QUERY], nResults: 4, include: ['distances'] });
        expect(res.ids[0]).toEqual(search.map((h) => h.id));
        res.ids[0].forEach((id, k) =>
          expect(res.distances[0][k]).toBeCloseTo(chromaDistance(QUERY, VECTORS[id]), CLOSE),
        );
      },
    );

    it.each(METRICS)(
      'are seen by Pinecone fetch, query and describeIndexStats on a $metric collection, with scores that agree',
      async ({ metric, score, pineconeScore }) => {
        const name = await vectorizerCollection(metric);
        const index = pc.index({ name });
        const fetched = await index.fetch({ ids: ['a', 'd', 'zz'] });
        expect(Object.keys(fetched.records).sort()).toEqual(['a', 'd']);
        expect(fetched.records.a).toMatchObject({ id: 'a', values: VECTORS.a, metadata: PAYLOADS.a });
        expect(fetched.records.d).toMatchObject({ id: 'd', values: VECTORS.d });
        expect(fetched.records.d.metadata ?? null).toBeNull();

        const stats = await index.describeIndexStats();
        expect(stats).toMatchObject({ dimension: 3, totalRecordCount: 4 });

        const matches = (await index.query({ vector: QUERY, topK: 4, includeMetadata: true })).matches;
        const search = (await vz.post('/search', { collection: name, vector: QUERY, limit: 4 })).body.results as {
          id: string;
          score: number;
        }[];
        expect(matches.map((m) => m.id)).toEqual(search.map((h) => h.id));
        matches.forEach((m) => expect(m.score).toBeCloseTo(pineconeScore(QUERY, VECTORS[m.id]), CLOSE));
        search.forEach((h) => expect(h.score).toBeCloseTo(score(QUERY, VECTORS[h.id]), CLOSE));
        expect(matches.find((m) => m.id === 'b')?.metadata).toEqual(PAYLOADS.b);
        expect(
          (await index.query({ vector: QUERY, topK: 4, filter: { kind: 'odd' } })).matches.map((m) => m.id),
        ).toEqual(['b']);
      },
    );

    it('are seen by Qdrant-route readers too: a native insert is a point, a Qdrant upsert a native vector', async () => {
      const name = await vectorizerCollection('cosine');
      await vz.put(`/qdrant/collections/${name}/points`, {
        points: [{ id: 9, vector: [0, 0, 1], payload: { kind: 'odd', i: 9 } }],
      });
      const col = await chroma.getCollection({ name });
      expect((await col.get({ ids: ['9'], include: ['metadatas', 'embeddings'] })).metadatas).toEqual([
        { kind: 'odd', i: 9 },
      ]);
      expect((await pc.index({ name }).fetch({ ids: ['9'] })).records['9'].values).toEqual([0, 0, 1]);
    });

    it('batch_update, delete and delete_by_filter through Vectorizer are seen by Chroma and Pinecone', async () => {
      const name = await vectorizerCollection('euclidean');
      const col = await chroma.getCollection({ name });
      const index = pc.index({ name });

      await vz.post('/batch_update', {
        collection: name,
        updates: [{ id: 'a', vector: [2, 2, 2], payload: { kind: 'replaced' } }],
      });
      expect(await col.get({ ids: ['a'], include: ['embeddings', 'metadatas'] })).toMatchObject({
        embeddings: [[2, 2, 2]],
        metadatas: [{ kind: 'replaced' }],
      });
      expect((await index.fetch({ ids: ['a'] })).records.a).toMatchObject({
        values: [2, 2, 2],
        metadata: { kind: 'replaced' },
      });

      await vz.del(`/collections/${name}/vectors/d`);
      await vz.post(`/collections/${name}/vectors/delete_by_filter`, {
        filter: { must: [{ type: 'match', key: 'kind', match_value: 'odd' }] },
      });
      expect((await col.get()).ids.sort()).toEqual(['a', 'c']);
      expect((await index.describeIndexStats()).totalRecordCount).toBe(2);
      expect(Object.keys((await index.fetch({ ids: ['a', 'b', 'c', 'd'] })).records).sort()).toEqual(['a', 'c']);
    });
  });

  describe('records written through Chroma', () => {
    it.each(METRICS)(
      'are seen by Vectorizer list, get and search on a $space collection, metadata as payload, with scores that agree with the distances',
      async ({ space, score, chromaDistance }) => {
        const name = collectionName(`cw-${space}`);
        const col = await chroma.createCollection({
          name,
          configuration: { hnsw: { space } },
          embeddingFunction: null,
        });
        const ids = ['c', 'a', 'd', 'b'];
        await col.add({
          ids,
          embeddings: ids.map((id) => VECTORS[id]),
          documents: ids.map((id) => `doc ${id}`),
          metadatas: ids.map((id) => PAYLOADS[id] as Metadata),
        });

        const list = await vz.get(`/collections/${name}/vectors`);
        expect(list.body.total).toBe(4);
        expect(list.body.vectors).toEqual(
          ids.map((id) => ({ id, vector: VECTORS[id], payload: PAYLOADS[id] ?? null })),
        );
        expect((await vz.get(`/collections/${name}/vectors/b`)).body).toMatchObject({
          id: 'b',
          vector: VECTORS.b,
          payload: PAYLOADS.b,
        });

        const search = (await vz.post(`/collections/${name}/search`, { vector: QUERY, limit: 4 })).body.results as {
          id: string;
          score: number;
        }[];
        const res = await col.query({ queryEmbeddings: [QUERY], nResults: 4, include: ['distances'] });
        expect(search.map((h) => h.id)).toEqual(res.ids[0]);
        search.forEach((h, k) => {
          expect(h.score).toBeCloseTo(score(QUERY, VECTORS[h.id]), CLOSE);
          expect(res.distances[0][k]).toBeCloseTo(chromaDistance(QUERY, VECTORS[h.id]), CLOSE);
        });
        const filtered = await vz.post(`/collections/${name}/search`, {
          vector: QUERY,
          limit: 4,
          filter: { kind: 'even' },
        });
        expect(filtered.body.results.map((h: { id: string }) => h.id).sort()).toEqual(['a', 'c']);
      },
    );

    it('are deleted by Vectorizer delete_by_filter and batch_delete, and Chroma sees it; Chroma deletes are seen by Vectorizer', async () => {
      const name = collectionName('cw-del');
      const col = await chroma.createCollection({
        name,
        configuration: { hnsw: { space: 'cosine' } },
        embeddingFunction: null,
      });
      await col.add({
        ids: ['a', 'b', 'c', 'd'],
        embeddings: Object.values(VECTORS),
        metadatas: [{ g: 'x' }, { g: 'y' }, { g: 'x' }, { g: 'z' }],
      });
      const res = await vz.post(`/collections/${name}/delete_by_filter`, { filter: { g: 'x' } });
      expect(res.body).toMatchObject({ scanned: 4, matched: 2, deleted: 2 });
      expect((await col.get()).ids.sort()).toEqual(['b', 'd']);
      await vz.post(`/collections/${name}/batch_delete`, { ids: ['b'] });
      expect((await col.get()).ids).toEqual(['d']);
      await col.delete({ ids: ['d'] });
      expect((await vz.get(`/collections/${name}/vectors/d`)).body).toMatchObject({ error_type: 'vector_not_found' });
      expect((await vz.get(`/collections/${name}`)).body.vector_count).toBe(0);
    });

    it('fixes the dimension of a Chroma collection that has none yet when Vectorizer inserts first', async () => {
      const name = collectionName('cw-nodim');
      const col = await chroma.createCollection({
        name,
        configuration: { hnsw: { space: 'cosine' } },
        embeddingFunction: null,
      });
      await vz.insert(name, [{ id: 'v', embedding: [1, 2, 3], payload: { from: 'vectorizer' } }]);
      expect((await vz.get(`/collections/${name}`)).body).toMatchObject({ dimension: 3, vector_count: 1 });
      await expect(col.add({ ids: ['bad'], embeddings: [[1, 2]] })).rejects.toThrow();
      await col.add({ ids: ['ok'], embeddings: [[3, 2, 1]] });
      expect(await vz.ids(name)).toEqual(['ok', 'v']);
    });
  });

  describe('records written through Pinecone', () => {
    it.each(METRICS)(
      'are seen by Vectorizer list, get, search and Qdrant scroll on a $pinecone index, with scores that agree',
      async ({ pinecone, score, pineconeScore }) => {
        const name = collectionName(`pw-${pinecone}`);
        await pc.createIndex({
          name,
          dimension: 3,
          metric: pinecone,
          spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
        });
        const index = pc.index({ name });
        await index.upsert({
          records: Object.entries(VECTORS).map(([id, values]) => ({
            id,
            values,
            ...(PAYLOADS[id] ? { metadata: PAYLOADS[id] } : {}),
          })),
        });

        expect((await vz.get(`/collections/${name}`)).body.vector_count).toBe(4);
        expect((await vz.get(`/collections/${name}/vectors/c`)).body).toMatchObject({
          id: 'c',
          vector: VECTORS.c,
          payload: PAYLOADS.c,
        });
        expect(await vz.ids(name)).toEqual(['a', 'b', 'c', 'd']);

        const search = (await vz.post('/search', { collection: name, vector: QUERY, limit: 4 })).body.results as {
          id: string;
          score: number;
        }[];
        const matches = (await index.query({ vector: QUERY, topK: 4 })).matches;
        expect(search.map((h) => h.id)).toEqual(matches.map((m) => m.id));
        search.forEach((h) => expect(h.score).toBeCloseTo(score(QUERY, VECTORS[h.id]), CLOSE));
        matches.forEach((m) => expect(m.score).toBeCloseTo(pineconeScore(QUERY, VECTORS[m.id]), CLOSE));

        const scroll = await vz.post(`/qdrant/collections/${name}/points/scroll`, {
          limit: 10,
          filter: { must: [{ key: 'ok', match: { value: true } }] },
        });
        expect(scroll.body.result.points.map((p: { id: string }) => p.id)).toEqual(['a', 'c']);
      },
    );

    it('only in the default namespace: other namespaces are not Vectorizer vectors', async () => {
      const name = collectionName('pw-ns');
      await pc.createIndex({
        name,
        dimension: 2,
        metric: 'cosine',
        spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
      });
      const index = pc.index({ name });
      await index.upsert({ records: [{ id: 'seen', values: [1, 0] }] });
      await index.namespace('private').upsert({ records: [{ id: 'hidden', values: [1, 0] }] });
      expect(await vz.ids(name)).toEqual(['seen']);
      expect((await vz.get(`/collections/${name}`)).body.vector_count).toBe(1);
      expect((await vz.get(`/collections/${name}/vectors/hidden`)).status).toBe(404);
      expect(
        (await vz.post(`/collections/${name}/search`, { vector: [1, 0] })).body.results.map(
          (h: { id: string }) => h.id,
        ),
      ).toEqual(['seen']);
      // A Vectorizer delete_by_filter on the collection leaves the other namespace alone.
      await vz.post(`/collections/${name}/delete_by_filter`, { filter: { must: [{ has_id: ['seen', 'hidden'] }] } });
      expect(Object.keys((await index.namespace('private').fetch({ ids: ['hidden'] })).records)).toEqual(['hidden']);
      expect((await index.describeIndexStats()).totalRecordCount).toBe(1);
    });

    it('Pinecone updates and deletes are seen by Vectorizer, and Vectorizer writes by Pinecone', async () => {
      const name = collectionName('pw-mut');
      await pc.createIndex({
        name,
        dimension: 2,
        metric: 'euclidean',
        spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
      });
      const index = pc.index({ name });
      await index.upsert({
        records: [
          { id: 'a', values: [1, 0], metadata: { g: 'x', n: 1 } },
          { id: 'b', values: [0, 1], metadata: { g: 'y' } },
          { id: 'c', values: [1, 1], metadata: { g: 'x' } },
        ],
      });
      await index.update({ id: 'a', values: [2, 2], metadata: { n: 2 } });
      expect((await vz.get(`/collections/${name}/vectors/a`)).body).toMatchObject({
        vector: [2, 2],
        payload: { g: 'x', n: 2 },
      });
      await index.deleteMany({ filter: { g: { $eq: 'x' } } });
      expect(await vz.ids(name)).toEqual(['b']);

      await vz.insert(name, [{ id: 'v', embedding: [3, 4], payload: { from: 'vectorizer' } }]);
      expect((await index.fetch({ ids: ['v'] })).records.v).toMatchObject({
        values: [3, 4],
        metadata: { from: 'vectorizer' },
      });
      expect((await index.query({ vector: [3, 4], topK: 1 })).matches[0]).toMatchObject({ id: 'v' });
    });
  });
});
