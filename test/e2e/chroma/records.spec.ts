import { ChromaClient, type Collection } from 'chromadb';
import { http, gatewayForFile } from '../../support/gateway';

const P = '/api/v2/tenants/default_tenant/databases/default_database';

describe('Chroma records through the official client', () => {
  const gw = gatewayForFile();
  let client: ChromaClient;
  let seq = 0;

  beforeAll(async () => {
    client = new ChromaClient({ host: '127.0.0.1', port: gw.port });
  });

  async function fresh(space: 'l2' | 'cosine' | 'ip' = 'l2'): Promise<Collection> {
    return client.createCollection({
      name: `records-${++seq}`,
      configuration: { hnsw: { space } },
      embeddingFunction: null,
    });
  }

  async function seeded(space: 'l2' | 'cosine' | 'ip' = 'l2'): Promise<Collection> {
    const col = await fresh(space);
    await col.add({
      ids: ['a', 'b', 'c', 'd'],
      embeddings: [
        [1, 0],
        [0, 2],
        [3, 4],
        [-1, 0],
      ],
      documents: ['hello world', 'foo bar', 'Hello there', 'bye'],
      metadatas: [{ n: 1, cat: 'x' }, { n: 2 }, { cat: 'y' }, { n: 2.5, cat: 'x' }],
      uris: ['u://a', 'u://b', 'u://c', 'u://d'],
    });
    return col;
  }

  describe('add', () => {
    it('stores records sent as base64 float32 (the client default) and fixes the dimension', async () => {
      const col = await seeded();
      expect(await col.count()).toBe(4);
      const got = await col.get({ ids: ['c'], include: ['embeddings', 'documents', 'metadatas', 'uris'] });
      expect(got.embeddings).toEqual([[3, 4]]);
      expect(got.documents).toEqual(['Hello there']);
      expect(got.metadatas).toEqual([{ cat: 'y' }]);
      expect(got.uris).toEqual(['u://c']);
      expect((await http(gw.url, 'GET', `${P}/collections/${col.name}`)).body.dimension).toBe(2);
    });

    it('decodes a raw base64 little-endian float32 embedding', async () => {
      const col = await fresh();
      const res = await http(gw.url, 'POST', `${P}/collections/${col.id}/add`, {
        ids: ['b64'],
        embeddings: ['AACAPwAAAEA='],
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({});
      expect((await col.get({ ids: ['b64'], include: ['embeddings'] })).embeddings).toEqual([[1, 2]]);
    });

    it('refuses a base64 embedding holding NaN or an infinity with 400, and writes nothing', async () => {
      const col = await fresh();
      const float32 = (...values: number[]) => Buffer.from(new Float32Array(values).buffer).toString('base64');
      for (const bad of [NaN, Infinity, -Infinity]) {
        const res = await http(gw.url, 'POST', `${P}/collections/${col.id}/add`, {
          ids: ['ok', 'bad'],
          embeddings: [float32(1, 2), float32(1, bad)],
        });
        expect({ bad, status: res.status, message: res.body.message }).toEqual({
          bad,
          status: 400,
          message: 'Embeddings must be finite numbers',
        });
      }
      expect(await col.count()).toBe(0);
    });

    it('ignores an id that already exists and keeps the original record', async () => {
      const col = await seeded();
      await col.add({
        ids: ['a', 'new'],
        embeddings: [
          [9, 9],
          [5, 5],
        ],
        documents: ['replaced?', 'new one'],
      });
      const got = await col.get({ ids: ['a', 'new'], include: ['documents', 'embeddings'] });
      expect(got.documents).toEqual(['hello world', 'new one']);
      expect(got.embeddings).toEqual([
        [1, 0],
        [5, 5],
      ]);
    });

    it('stores empty metadata as null and accepts arrays of one type as metadata values', async () => {
      const col = await fresh();
      const res = await http(gw.url, 'POST', `${P}/collections/${col.id}/add`, {
        ids: ['e', 'arr'],
        embeddings: [[1], [2]],
        metadatas: [{}, { tags: ['p', 'q'], nums: [1, 2.5] }],
      });
      expect(res.status).toBe(201);
      expect((await col.get({ ids: ['e', 'arr'] })).metadatas).toEqual([null, { tags: ['p', 'q'], nums: [1, 2.5] }]);
    });

    it('writes a batch whole or not at all', async () => {
      const col = await seeded();
      const res = await http(gw.url, 'POST', `${P}/collections/${col.id}/add`, {
        ids: ['ok1', 'bad'],
        embeddings: [
          [1, 1],
          [1, 2, 3],
        ],
      });
      expect(res.status).toBe(400);
      expect(await col.count()).toBe(4);
    });

    it('treats an empty ids list as a no-op', async () => {
      const col = await seeded();
      const res = await http(gw.url, 'POST', `${P}/collections/${col.id}/add`, { ids: [], embeddings: [] });
      expect(res.status).toBe(201);
      expect(await col.count()).toBe(4);
    });
  });

  describe('upsert and update', () => {
    it('upsert inserts new ids and merges existing ones key by key, keeping an unsent document', async () => {
      const col = await seeded();
      await col.upsert({
        ids: ['a', 'e'],
        embeddings: [
          [1, 1],
          [5, 5],
        ],
        metadatas: [{ cat: 'z', extra: true }, { k: 'v' }],
      });
      const got = await col.get({ ids: ['a', 'e'], include: ['documents', 'metadatas', 'embeddings'] });
      expect(got.metadatas).toEqual([{ n: 1, cat: 'z', extra: true }, { k: 'v' }]);
      expect(got.documents).toEqual(['hello world', null]);
      expect(got.embeddings).toEqual([
        [1, 1],
        [5, 5],
      ]);
      expect(await col.count()).toBe(5);
    });

    it('update changes only the fields sent, a null metadata value deletes the key, unknown ids are ignored', async () => {
      const col = await seeded();
      // The 3.x client drops null metadata values before sending, so the key removal goes over raw HTTP.
      const res = await http(gw.url, 'POST', `${P}/collections/${col.id}/update`, {
        ids: ['a', 'ghost'],
        embeddings: [
          [0, 1],
          [1, 1],
        ],
        metadatas: [{ cat: null, m: 'new' }, { x: 1 }],
      });
      expect(res.status).toBe(200);
      const got = await col.get({ ids: ['a'], include: ['documents', 'metadatas', 'embeddings', 'uris'] });
      expect(got.metadatas).toEqual([{ n: 1, m: 'new' }]);
      expect(got.documents).toEqual(['hello world']);
      expect(got.uris).toEqual(['u://a']);
      expect(got.embeddings).toEqual([[0, 1]]);
      expect(await col.count()).toBe(4);
    });

    it('update of documents alone keeps the embedding (raw HTTP: the client wants an embedding function)', async () => {
      const col = await seeded();
      const res = await http(gw.url, 'POST', `${P}/collections/${col.id}/update`, {
        ids: ['b'],
        documents: ['changed'],
      });
      expect(res.status).toBe(200);
      const got = await col.get({ ids: ['b'], include: ['documents', 'embeddings'] });
      expect(got.documents).toEqual(['changed']);
      expect(got.embeddings).toEqual([[0, 2]]);
    });

    it('refuses a write with a dimension other than the collection one', async () => {
      const col = await seeded();
      const res = await http(gw.url, 'POST', `${P}/collections/${col.id}/upsert`, {
        ids: ['a'],
        embeddings: [[1, 2, 3]],
      });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: 'InvalidArgumentError',
        message: 'Collection expecting embedding with dimension of 2, got 3',
      });
    });
  });

  describe('get', () => {
    it('returns records in insertion order, not the order of the ids asked for, each once', async () => {
      const col = await seeded();
      // The client refuses duplicate ids itself, so this goes over raw HTTP.
      const got = await http(gw.url, 'POST', `${P}/collections/${col.id}/get`, { ids: ['d', 'a', 'zz', 'a'] });
      expect(got.body.ids).toEqual(['a', 'd']);
    });

    it('returns documents and metadatas by default, null for what is not included', async () => {
      const col = await seeded();
      const raw = await http(gw.url, 'POST', `${P}/collections/${col.id}/get`, { ids: ['a'] });
      expect(raw.body).toEqual({
        ids: ['a'],
        embeddings: null,
        documents: ['hello world'],
        uris: null,
        metadatas: [{ n: 1, cat: 'x' }],
        include: ['documents', 'metadatas'],
      });
    });

    it('pages with limit and offset after filtering, in a stable order', async () => {
      const col = await seeded();
      expect((await col.get({ limit: 2 })).ids).toEqual(['a', 'b']);
      expect((await col.get({ limit: 2, offset: 2 })).ids).toEqual(['c', 'd']);
      expect((await col.get({ where: { cat: 'x' }, limit: 1, offset: 1 })).ids).toEqual(['d']);
      expect((await col.get({ limit: 0 })).ids).toEqual([]);
    });

    it('returns nothing for an empty ids list and intersects ids with where', async () => {
      const col = await seeded();
      const raw = await http(gw.url, 'POST', `${P}/collections/${col.id}/get`, { ids: [] });
      expect(raw.body.ids).toEqual([]);
      expect((await col.get({ ids: ['a', 'b'], where: { cat: 'x' } })).ids).toEqual(['a']);
    });

    it('peeks at the first records', async () => {
      const col = await seeded();
      expect((await col.peek({ limit: 3 })).ids).toEqual(['a', 'b', 'c']);
    });
  });

  describe('query', () => {
    it('answers several query embeddings in one call, nearest first, with squared l2 distances', async () => {
      const col = await seeded('l2');
      const res = await col.query({
        queryEmbeddings: [
          [2, 0],
          [0, 1],
        ],
        nResults: 2,
        include: ['distances', 'documents', 'metadatas', 'embeddings'],
      });
      expect(res.ids).toEqual([
        ['a', 'b'],
        ['b', 'a'],
      ]);
      expect(res.distances).toEqual([
        [1, 8],
        [1, 2],
      ]);
      expect(res.documents).toEqual([
        ['hello world', 'foo bar'],
        ['foo bar', 'hello world'],
      ]);
      expect(res.embeddings).toEqual([
        [
          [1, 0],
          [0, 2],
        ],
        [
          [0, 2],
          [1, 0],
        ],
      ]);
    });

    it('gives cosine distances 1 − cos', async () => {
      const col = await seeded('cosine');
      const res = await col.query({ queryEmbeddings: [[2, 0]], nResults: 4, include: ['distances'] });
      expect(res.ids).toEqual([['a', 'c', 'b', 'd']]);
      expect(res.distances![0].map((d) => Number(d!.toFixed(5)))).toEqual([0, 0.4, 1, 2]);
    });

    it('gives ip distances 1 − dot, which can be negative', async () => {
      const col = await seeded('ip');
      const res = await col.query({ queryEmbeddings: [[2, 0]], nResults: 4, include: ['distances'] });
      expect(res.ids).toEqual([['c', 'a', 'b', 'd']]);
      expect(res.distances).toEqual([[-5, -1, 1, 3]]);
    });

    it('filters with where, where_document and ids before ranking', async () => {
      const col = await seeded();
      expect((await col.query({ queryEmbeddings: [[2, 0]], nResults: 2, where: { cat: 'x' } })).ids).toEqual([
        ['a', 'd'],
      ]);
      expect(
        (await col.query({ queryEmbeddings: [[2, 0]], nResults: 2, whereDocument: { $contains: 'o' } })).ids,
      ).toEqual([['a', 'b']]);
      expect((await col.query({ queryEmbeddings: [[2, 0]], nResults: 5, ids: ['c', 'd'] })).ids).toEqual([['d', 'c']]);
    });

    it('returns every match when n_results is larger, and empty lists for an empty collection', async () => {
      const col = await seeded();
      expect((await col.query({ queryEmbeddings: [[0, 0]], nResults: 50 })).ids[0]).toHaveLength(4);
      const empty = await fresh();
      expect((await empty.query({ queryEmbeddings: [[1, 2, 3]], nResults: 3 })).ids).toEqual([[]]);
    });

    it('returns exactly n filtered results on a collection large enough for the approximate index to miss', async () => {
      const col = await fresh();
      const n = 2000;
      const ids = Array.from({ length: n }, (_, i) => `r${i}`);
      const embeddings = ids.map((_, i) => [Math.cos(i), Math.sin(i), (i % 17) / 17]);
      const metadatas = ids.map((_, i) => ({ rare: i % 200 === 0, bucket: i % 10 }));
      for (let start = 0; start < n; start += 500) {
        await col.add({
          ids: ids.slice(start, start + 500),
          embeddings: embeddings.slice(start, start + 500),
          metadatas: metadatas.slice(start, start + 500),
        });
      }
      const rare = await col.query({ queryEmbeddings: [[1, 0, 0]], nResults: 10, where: { rare: true } });
      expect(rare.ids[0]).toHaveLength(10);
      const bucket = await col.query({
        queryEmbeddings: [[1, 0, 0]],
        nResults: 25,
        where: { bucket: 3 },
        include: ['metadatas', 'distances'],
      });
      expect(bucket.ids[0]).toHaveLength(25);
      expect(bucket.metadatas[0].every((m) => m?.bucket === 3)).toBe(true);
      const d = bucket.distances![0] as number[];
      expect([...d].sort((x, y) => x - y)).toEqual(d);
    });

    it('refuses a query embedding of the wrong dimension', async () => {
      const col = await seeded();
      const res = await http(gw.url, 'POST', `${P}/collections/${col.id}/query`, {
        query_embeddings: [[1, 2, 3]],
        n_results: 1,
      });
      expect(res.status).toBe(400);
      expect(res.body.message).toBe('Collection expecting embedding with dimension of 2, got 3');
    });
  });

  describe('delete and count', () => {
    it('deletes by ids, by where, by where_document, and reports how many', async () => {
      const col = await seeded();
      expect(await col.delete({ ids: ['a', 'nope'] })).toEqual({ deleted: 1 });
      expect(await col.delete({ where: { cat: 'y' } })).toEqual({ deleted: 1 });
      expect(await col.delete({ whereDocument: { $contains: 'foo' } })).toEqual({ deleted: 1 });
      expect((await col.get()).ids).toEqual(['d']);
      expect(await col.count()).toBe(1);
    });

    it('deletes only the first `limit` matches in insertion order', async () => {
      const col = await seeded();
      expect(await col.delete({ where: { n: { $gte: 1 } }, limit: 2 })).toEqual({ deleted: 2 });
      expect((await col.get()).ids).toEqual(['c', 'd']);
    });

    it('deletes nothing for an empty body, and refuses empty ids without where', async () => {
      const col = await seeded();
      const empty = await http(gw.url, 'POST', `${P}/collections/${col.id}/delete`, {});
      expect(empty.status).toBe(200);
      expect(empty.body).toEqual({ deleted: 0 });
      const noIds = await http(gw.url, 'POST', `${P}/collections/${col.id}/delete`, { ids: [] });
      expect(noIds.status).toBe(400);
      expect(noIds.body).toEqual({
        error: 'InvalidArgumentError',
        message: 'Validation error: ids, where: Either ids or where must be specified',
      });
      expect(await col.count()).toBe(4);
    });

    it('answers count as a bare JSON integer', async () => {
      const col = await seeded();
      const raw = await http(gw.url, 'GET', `${P}/collections/${col.id}/count`);
      expect(raw.text).toBe('4');
      expect(raw.headers.get('content-type')).toMatch(/application\/json/);
    });

    it('answers a get with embeddings (vectors spliced in as Postgres prints them) with the same JSON type as any answer', async () => {
      const col = await seeded();
      const plain = await http(gw.url, 'POST', `${P}/collections/${col.id}/get`, { include: ['documents'] });
      const withVectors = await http(gw.url, 'POST', `${P}/collections/${col.id}/get`, {
        include: ['embeddings', 'documents'],
      });
      expect(withVectors.status).toBe(200);
      expect(withVectors.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(plain.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(Number(withVectors.headers.get('content-length'))).toBe(Buffer.byteLength(withVectors.text));
      expect(withVectors.body.embeddings).toHaveLength(4);
      expect(withVectors.body.documents).toEqual(plain.body.documents);
    });
  });
});
