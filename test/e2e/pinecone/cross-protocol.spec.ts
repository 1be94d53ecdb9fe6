import { Errors, type Pinecone } from '@pinecone-database/pinecone';
import { ChromaClient, ChromaNotFoundError, ChromaUniqueError, type Collection } from 'chromadb';
import { http, gatewayForFile } from '../../support/gateway';
import {
  CLOSE,
  cosine,
  createDense,
  dot,
  indexName,
  pineconeClient,
  squaredDistance,
  type Metric,
} from '../../support/pinecone';

const P = '/api/v2/tenants/default_tenant/databases/default_database';

type Space = 'l2' | 'ip' | 'cosine';

/** The metric mapping, and how a Chroma distance follows from a Pinecone score on the same pair. */
const PAIRS: {
  metric: Metric;
  space: Space;
  distance(score: number): number;
  score(a: number[], b: number[]): number;
}[] = [
  { metric: 'euclidean', space: 'l2', distance: (s) => s, score: squaredDistance },
  { metric: 'dotproduct', space: 'ip', distance: (s) => 1 - s, score: dot },
  { metric: 'cosine', space: 'cosine', distance: (s) => 1 - s, score: cosine },
];

const VECTORS: Record<string, number[]> = { a: [1, 0, 0], b: [0.5, 2, 0], c: [-1, 1, 1], d: [3, 0, 4] };
const QUERY = [1, 1, 0];

describe('One store, every protocol: Pinecone indexes are Chroma collections', () => {
  const gw = gatewayForFile();
  let pc: Pinecone;
  let chroma: ChromaClient;

  beforeAll(async () => {
    pc = pineconeClient(gw);
    chroma = new ChromaClient({ host: '127.0.0.1', port: gw.port });
  });

  function chromaCollection(name: string): Promise<Collection> {
    return chroma.getCollection({ name });
  }

  describe('the metric mapping', () => {
    it.each(PAIRS)(
      'shows a Pinecone $metric index to Chroma as a collection with hnsw space $space in default_tenant/default_database',
      async ({ metric, space }) => {
        const name = indexName(`m-${metric}`);
        await createDense(pc, name, 3, metric);
        const raw = await http(gw.url, 'GET', `${P}/collections/${name}`);
        expect(raw.status).toBe(200);
        expect(raw.body).toMatchObject({ name, dimension: 3, tenant: 'default_tenant', database: 'default_database' });
        expect(raw.body.configuration_json.hnsw.space).toBe(space);
        const col = await chromaCollection(name);
        expect(col.configuration.hnsw?.space).toBe(space);
        expect((await chroma.listCollections()).map((c) => c.name)).toContain(name);
      },
    );

    it.each(PAIRS)(
      'shows a Chroma collection with hnsw space $space to Pinecone as a $metric index',
      async ({ metric, space }) => {
        const name = indexName(`c-${space}`);
        const col = await chroma.createCollection({
          name,
          configuration: { hnsw: { space } },
          embeddingFunction: null,
        });
        await col.add({ ids: ['x'], embeddings: [[1, 2, 3, 4]] });
        const described = await pc.describeIndex(name);
        expect(described.metric).toBe(metric);
        expect(described.dimension).toBe(4);
        expect(described.vectorType).toBe('dense');
        expect(described.host).toBe(`${gw.url}/indexes/${name}`);
        expect(described.status.ready).toBe(true);
        expect(((await pc.listIndexes()).indexes ?? []).find((m) => m.name === name)?.metric).toBe(metric);
      },
    );

    it('lists and describes a Chroma collection whose dimension is not known yet, and a Pinecone upsert fixes it for both', async () => {
      const name = indexName('no-dim');
      const col = await chroma.createCollection({ name, embeddingFunction: null });
      const listed = ((await pc.listIndexes()).indexes ?? []).find((m) => m.name === name);
      expect(listed?.metric).toBe('euclidean');
      const described = await pc.describeIndex(name);
      expect(described.metric).toBe('euclidean');

      await pc.index({ name }).upsert({ records: [{ id: 'p', values: [1, 2] }] });
      expect((await pc.describeIndex(name)).dimension).toBe(2);
      expect((await http(gw.url, 'GET', `${P}/collections/${name}`)).body.dimension).toBe(2);
      await col.add({ ids: ['c'], embeddings: [[3, 4]] });
      await expect(col.add({ ids: ['bad'], embeddings: [[1, 2, 3]] })).rejects.toThrow();
      expect(await col.count()).toBe(2);
    });
  });

  describe('one namespace of names', () => {
    it('refuses an index whose name a Chroma collection already holds, and the other way round', async () => {
      const fromChroma = indexName('taken-c');
      await chroma.createCollection({ name: fromChroma, embeddingFunction: null });
      await expect(createDense(pc, fromChroma, 2)).rejects.toBeInstanceOf(Errors.PineconeConflictError);

      const fromPinecone = indexName('taken-p');
      await createDense(pc, fromPinecone, 2);
      await expect(chroma.createCollection({ name: fromPinecone, embeddingFunction: null })).rejects.toBeInstanceOf(
        ChromaUniqueError,
      );
    });

    it('shows Pinecone only the collections of default_tenant/default_database', async () => {
      const created = await http(gw.url, 'POST', '/api/v2/tenants/default_tenant/databases', { name: 'elsewhere' });
      expect(created.status).toBe(200);
      const other = new ChromaClient({ host: '127.0.0.1', port: gw.port, database: 'elsewhere' });
      const name = indexName('elsewhere');
      const col = await other.createCollection({ name, embeddingFunction: null });
      await col.add({ ids: ['x'], embeddings: [[1, 2]] });
      expect(((await pc.listIndexes()).indexes ?? []).map((m) => m.name)).not.toContain(name);
      await expect(pc.describeIndex(name)).rejects.toBeInstanceOf(Errors.PineconeNotFoundError);
      // The same name is still free in the Pinecone database.
      await createDense(pc, name, 2);
      expect(await pc.index({ name }).describeIndexStats()).toMatchObject({ totalRecordCount: 0 });
      expect(await col.count()).toBe(1);
    });
  });

  describe('records written through Pinecone', () => {
    it.each(PAIRS)(
      'are seen by Chroma get, count and query on a $metric index, with distances that agree with the scores',
      async ({ metric, distance, score }) => {
        const name = indexName(`pw-${metric}`);
        await createDense(pc, name, 3, metric);
        const index = pc.index({ name });
        await index.upsert({
          records: Object.entries(VECTORS).map(([id, values], i) => ({
            id,
            values,
            metadata: { i, kind: i % 2 ? 'odd' : 'even', tags: ['t', `t${i}`] },
          })),
        });

        const col = await chromaCollection(name);
        expect(await col.count()).toBe(4);
        const got = await col.get({ ids: ['b', 'd'], include: ['embeddings', 'metadatas', 'documents'] });
        expect(got.ids).toEqual(['b', 'd']);
        expect(got.embeddings).toEqual([VECTORS.b, VECTORS.d]);
        expect(got.metadatas).toEqual([
          { i: 1, kind: 'odd', tags: ['t', 't1'] },
          { i: 3, kind: 'odd', tags: ['t', 't3'] },
        ]);
        expect(got.documents).toEqual([null, null]);
        expect((await col.get({ where: { kind: 'even' } })).ids.sort()).toEqual(['a', 'c']);

        const pine = (await index.query({ vector: QUERY, topK: 4 })).matches;
        const res = await col.query({ queryEmbeddings: [QUERY], nResults: 4, include: ['distances'] });
        expect(res.ids[0]).toEqual(pine.map((m) => m.id));
        pine.forEach((m, k) => {
          expect(m.score).toBeCloseTo(score(QUERY, VECTORS[m.id]), CLOSE);
          expect(res.distances[0][k]).toBeCloseTo(distance(m.score!), CLOSE);
        });
      },
    );

    it('in a namespace other than the default are not visible to Chroma', async () => {
      const name = indexName('ns-hidden');
      await createDense(pc, name, 3, 'cosine');
      const index = pc.index({ name });
      await index.upsert({ records: [{ id: 'seen', values: [1, 0, 0] }] });
      await index.namespace('private').upsert({
        records: [
          { id: 'hidden', values: [1, 0, 0] },
          { id: 'seen', values: [0, 0, 1], metadata: { ns: 'private' } },
        ],
      });
      expect((await index.describeIndexStats()).totalRecordCount).toBe(3);

      const col = await chromaCollection(name);
      expect(await col.count()).toBe(1);
      const got = await col.get({ include: ['embeddings', 'metadatas'] });
      expect(got.ids).toEqual(['seen']);
      expect(got.embeddings).toEqual([[1, 0, 0]]);
      expect(got.metadatas).toEqual([null]);
      expect((await col.get({ ids: ['hidden'] })).ids).toEqual([]);
      expect((await col.query({ queryEmbeddings: [[1, 0, 0]], nResults: 10 })).ids).toEqual([['seen']]);

      await col.delete({ ids: ['seen'] });
      expect(Object.keys((await index.namespace('private').fetch({ ids: ['seen', 'hidden'] })).records).sort()).toEqual(
        ['hidden', 'seen'],
      );
      expect((await index.fetch({ ids: ['seen'] })).records).toEqual({});
    });
  });

  describe('records written through Chroma', () => {
    it.each(PAIRS)(
      'are seen by Pinecone fetch, query, list and describeIndexStats on a $space collection, with scores that agree',
      async ({ space, distance }) => {
        const name = indexName(`cw-${space}`);
        const col = await chroma.createCollection({
          name,
          configuration: { hnsw: { space } },
          embeddingFunction: null,
        });
        const ids = Object.keys(VECTORS);
        await col.add({
          ids,
          embeddings: Object.values(VECTORS),
          documents: ids.map((id) => `doc ${id}`),
          metadatas: ids.map((_id, i) => ({ i, kind: i % 2 ? 'odd' : 'even' })),
        });

        const index = pc.index({ name });
        const fetched = await index.fetch({ ids: ['a', 'c', 'zz'] });
        expect(Object.keys(fetched.records).sort()).toEqual(['a', 'c']);
        expect(fetched.records.c).toEqual({ id: 'c', values: VECTORS.c, metadata: { i: 2, kind: 'even' } });

        expect(((await index.listPaginated()).vectors ?? []).map((v) => v.id)).toEqual(['a', 'b', 'c', 'd']);
        const stats = await index.describeIndexStats();
        expect(stats).toMatchObject({
          dimension: 3,
          totalRecordCount: 4,
          namespaces: { __default__: { recordCount: 4 } },
        });

        const res = await col.query({ queryEmbeddings: [QUERY], nResults: 4, include: ['distances'] });
        const pine = (await index.query({ vector: QUERY, topK: 4, includeMetadata: true, includeValues: true }))
          .matches;
        expect(pine.map((m) => m.id)).toEqual(res.ids[0]);
        pine.forEach((m, k) => expect(distance(m.score!)).toBeCloseTo(res.distances[0][k]!, CLOSE));
        expect(pine.find((m) => m.id === 'd')).toMatchObject({ values: VECTORS.d, metadata: { i: 3, kind: 'odd' } });

        const filtered = (await index.query({ vector: QUERY, topK: 4, filter: { kind: 'odd' } })).matches
          .map((m) => m.id)
          .sort();
        expect(filtered).toEqual(['b', 'd']);
      },
    );

    it('takes Pinecone updates and upserts on Chroma records, and Chroma sees them', async () => {
      const name = indexName('cw-update');
      const col = await chroma.createCollection({
        name,
        configuration: { hnsw: { space: 'cosine' } },
        embeddingFunction: null,
      });
      await col.add({
        ids: ['a', 'b'],
        embeddings: [
          [1, 0],
          [0, 1],
        ],
        metadatas: [{ g: 'x', n: 1 }, { g: 'y' }],
        documents: ['doc a', 'doc b'],
      });
      const index = pc.index({ name });
      await index.update({ id: 'a', values: [1, 1], metadata: { n: 2, extra: 'p' } });
      await index.upsert({ records: [{ id: 'c', values: [0.5, 0.5], metadata: { g: 'z' } }] });
      const got = await col.get({ ids: ['a', 'c'], include: ['embeddings', 'metadatas', 'documents'] });
      expect(got.embeddings).toEqual([
        [1, 1],
        [0.5, 0.5],
      ]);
      expect(got.metadatas).toEqual([{ g: 'x', n: 2, extra: 'p' }, { g: 'z' }]);
      expect(got.documents).toEqual(['doc a', null]);

      await col.update({ ids: ['c'], metadatas: [{ n: 7 }] });
      expect((await index.fetch({ ids: ['c'] })).records.c.metadata).toEqual({ g: 'z', n: 7 });
    });
  });

  describe('deletes', () => {
    it('made through Pinecone are seen by Chroma', async () => {
      const name = indexName('del-p');
      await createDense(pc, name, 3, 'euclidean');
      const index = pc.index({ name });
      await index.upsert({
        records: Object.entries(VECTORS).map(([id, values], i) => ({ id, values, metadata: { i } })),
      });
      const col = await chromaCollection(name);
      await index.deleteOne({ id: 'a' });
      expect((await col.get()).ids.sort()).toEqual(['b', 'c', 'd']);
      await index.deleteMany({ filter: { i: { $gte: 3 } } });
      expect((await col.get()).ids.sort()).toEqual(['b', 'c']);
      expect((await col.query({ queryEmbeddings: [QUERY], nResults: 4 })).ids[0].sort()).toEqual(['b', 'c']);
      await index.deleteAll();
      expect(await col.count()).toBe(0);
    });

    it('made through Chroma are seen by Pinecone', async () => {
      const name = indexName('del-c');
      const col = await chroma.createCollection({
        name,
        configuration: { hnsw: { space: 'ip' } },
        embeddingFunction: null,
      });
      await col.add({
        ids: Object.keys(VECTORS),
        embeddings: Object.values(VECTORS),
        metadatas: Object.keys(VECTORS).map((_, i) => ({ i })),
      });
      const index = pc.index({ name });
      await col.delete({ ids: ['b'] });
      await col.delete({ where: { i: { $gte: 3 } } });
      expect(Object.keys((await index.fetch({ ids: Object.keys(VECTORS) })).records).sort()).toEqual(['a', 'c']);
      expect(((await index.listPaginated()).vectors ?? []).map((v) => v.id)).toEqual(['a', 'c']);
      expect((await index.describeIndexStats()).totalRecordCount).toBe(2);
      expect((await index.query({ vector: QUERY, topK: 4 })).matches.map((m) => m.id).sort()).toEqual(['a', 'c']);
    });

    it('of a whole index through Pinecone drops the collection for Chroma, and of a collection through Chroma drops the index', async () => {
      const viaPinecone = indexName('drop-p');
      await createDense(pc, viaPinecone, 2, 'cosine');
      await pc.deleteIndex(viaPinecone);
      await expect(chroma.getCollection({ name: viaPinecone })).rejects.toBeInstanceOf(ChromaNotFoundError);

      const viaChroma = indexName('drop-c');
      await chroma.createCollection({ name: viaChroma, embeddingFunction: null });
      await chroma.deleteCollection({ name: viaChroma });
      await expect(pc.describeIndex(viaChroma)).rejects.toBeInstanceOf(Errors.PineconeNotFoundError);
    });
  });

  describe('one data set, two filter dialects', () => {
    it('keeps each protocol’s rule for $ne on a missing key over the same records', async () => {
      const name = indexName('dialects');
      await createDense(pc, name, 2, 'cosine');
      const index = pc.index({ name });
      await index.upsert({
        records: [
          { id: 'x', values: [1, 0], metadata: { g: 'x' } },
          { id: 'y', values: [1, 1], metadata: { g: 'y' } },
          { id: 'none', values: [0, 1], metadata: { other: 1 } },
        ],
      });
      const col = await chromaCollection(name);
      // Pinecone (serverless): $ne excludes records that lack the key. Chroma 1.0: $ne includes them.
      expect(
        (await index.query({ vector: [1, 0], topK: 10, filter: { g: { $ne: 'x' } } })).matches.map((m) => m.id),
      ).toEqual(['y']);
      expect((await col.get({ where: { g: { $ne: 'x' } } })).ids.sort()).toEqual(['none', 'y']);
    });
  });
});
