import { Errors, Pinecone, type Index, type QueryOptions } from '@pinecone-database/pinecone';
import { http, gatewayForFile } from '../../support/gateway';
import {
  byteSorted,
  CLOSE,
  cosine,
  createDense,
  createSparse,
  dot,
  freshDense,
  indexName,
  pineconeClient,
  prng,
  SERVERLESS,
  squaredDistance,
} from '../../support/pinecone';

const { PineconeBadRequestError, PineconeConflictError, PineconeNotFoundError } = Errors;

describe('Pinecone through the official v9 client', () => {
  const gw = gatewayForFile();
  let pc: Pinecone;

  beforeAll(async () => {
    pc = pineconeClient(gw);
  });

  /** Matches as [id, score] pairs, scores rounded to 6 decimals (the store keeps float4, distances are squared). */
  function scored(matches: { id: string; score?: number }[]): [string, number][] {
    return matches.map((m) => [m.id, Math.round(m.score! * 1e6) / 1e6]);
  }

  /** The sorted ids of the matches of a query. */
  async function matchIds(index: Index, options: QueryOptions): Promise<string[]> {
    return (await index.query(options)).matches.map((m) => m.id).sort();
  }

  describe('control plane', () => {
    it.each(['cosine', 'euclidean', 'dotproduct'] as const)(
      'creates a dense %s index that is ready at once, with an http:// host',
      async (metric) => {
        const name = indexName(`dense-${metric}`);
        const created = await createDense(pc, name, 3, metric);
        expect(created.name).toBe(name);
        expect(created.host).toBe(`${gw.url}/indexes/${name}`);
        expect(created.status.ready).toBe(true);
        expect(created.dimension).toBe(3);
        expect(created.metric).toBe(metric);
        expect(created.vectorType).toBe('dense');

        const described = await pc.describeIndex(name);
        expect(described.host).toBe(`${gw.url}/indexes/${name}`);
        expect(described.host.startsWith('http://')).toBe(true);
        expect(described.status).toMatchObject({ ready: true, state: 'Ready' });
        expect(described.dimension).toBe(3);
        expect(described.metric).toBe(metric);
        expect(described.vectorType).toBe('dense');
        expect(described.spec).toEqual({ serverless: expect.objectContaining({ cloud: 'aws', region: 'us-east-1' }) });
        expect(described.deletionProtection).toBe('disabled');
        expect(described.schema.fields._values).toMatchObject({ type: 'dense_vector', dimension: 3, metric });
      },
    );

    it('creates an index from the 2026-07 schema/deployment options, and waitUntilReady returns without polling', async () => {
      const name = indexName('native');
      // The client polls describe (GET /indexes/{name}) every 5 s until status.ready: count its requests.
      const sent: string[] = [];
      const counting = new Pinecone({
        apiKey: 'any',
        controllerHostUrl: gw.url,
        fetchApi: (input: string | URL | Request, init?: RequestInit) => {
          sent.push(
            `${init?.method ?? 'GET'} ${new URL(input instanceof Request ? input.url : String(input)).pathname}`,
          );
          return fetch(input, init);
        },
      });
      const created = await counting.createIndex({
        name,
        schema: { fields: { _values: { type: 'dense_vector', dimension: 4, metric: 'euclidean' } } },
        deployment: { deploymentType: 'managed', cloud: 'gcp', region: 'us-central1' },
        waitUntilReady: true,
      });
      // One describe finds the index ready: no second one 5 s later.
      expect(sent).toEqual(['POST /indexes', `GET /indexes/${name}`]);
      expect(created.status.ready).toBe(true);
      expect(created.dimension).toBe(4);
      expect(created.metric).toBe('euclidean');
      expect(created.deployment).toMatchObject({ deploymentType: 'managed', cloud: 'gcp', region: 'us-central1' });
      expect(created.spec).toEqual({ serverless: expect.objectContaining({ cloud: 'gcp', region: 'us-central1' }) });
    });

    it('creates a sparse index with vectorType sparse and metric dotproduct, and no dimension', async () => {
      const name = indexName('sparse');
      const created = await createSparse(pc, name);
      expect(created.vectorType).toBe('sparse');
      const described = await pc.describeIndex(name);
      expect(described.vectorType).toBe('sparse');
      expect(described.metric).toBe('dotproduct');
      expect(described.dimension).toBeUndefined();
      expect(described.schema.fields._sparse_values).toMatchObject({ type: 'sparse_vector' });
    });

    it('lists every index with its model', async () => {
      const a = indexName('list-a');
      const b = indexName('list-b');
      await createDense(pc, a, 2, 'cosine');
      await createSparse(pc, b);
      const listed = (await pc.listIndexes()).indexes ?? [];
      const byName = new Map(listed.map((m) => [m.name, m]));
      expect(byName.get(a)).toMatchObject({
        host: `${gw.url}/indexes/${a}`,
        dimension: 2,
        metric: 'cosine',
        vectorType: 'dense',
      });
      expect(byName.get(b)).toMatchObject({
        host: `${gw.url}/indexes/${b}`,
        metric: 'dotproduct',
        vectorType: 'sparse',
      });
      expect(listed.every((m) => m.status.ready)).toBe(true);
    });

    it('refuses a duplicate name with PineconeConflictError, and suppressConflicts returns nothing', async () => {
      const name = indexName('dup');
      await createDense(pc, name, 2);
      await expect(createDense(pc, name, 2)).rejects.toBeInstanceOf(PineconeConflictError);
      await expect(
        pc.createIndex({ name, dimension: 2, metric: 'cosine', spec: SERVERLESS, suppressConflicts: true }),
      ).resolves.toBeUndefined();
      const raw = await http(gw.url, 'POST', '/indexes', { name, dimension: 2, metric: 'cosine', spec: SERVERLESS });
      expect(raw.status).toBe(409);
      expect(raw.body).toEqual({ error: { code: 'ALREADY_EXISTS', message: 'Resource already exists.' }, status: 409 });
    });

    it('answers a missing index with PineconeNotFoundError', async () => {
      await expect(pc.describeIndex('no-such-index')).rejects.toBeInstanceOf(PineconeNotFoundError);
      await expect(pc.deleteIndex('no-such-index')).rejects.toBeInstanceOf(PineconeNotFoundError);
    });

    it('refuses an invalid index name with PineconeBadRequestError', async () => {
      await expect(createDense(pc, 'Not_Valid', 2)).rejects.toBeInstanceOf(PineconeBadRequestError);
    });

    it('configures tags: new keys merge in, an empty value removes a key', async () => {
      const name = indexName('tags');
      await pc.createIndex({
        name,
        dimension: 2,
        metric: 'cosine',
        spec: SERVERLESS,
        tags: { team: 'search', env: 'dev' },
      });
      expect((await pc.describeIndex(name)).tags).toEqual({ team: 'search', env: 'dev' });
      const configured = await pc.configureIndex({ name, tags: { env: 'prod', owner: 'ana' } });
      expect(configured.tags).toEqual({ team: 'search', env: 'prod', owner: 'ana' });
      await pc.configureIndex({ name, tags: { team: '' } });
      expect((await pc.describeIndex(name)).tags).toEqual({ env: 'prod', owner: 'ana' });
    });

    it('refuses to delete a protected index (403, PineconeBadRequestError) and deletes it once unprotected', async () => {
      const name = indexName('protected');
      await createDense(pc, name, 2);
      const configured = await pc.configureIndex({ name, deletionProtection: 'enabled' });
      expect(configured.deletionProtection).toBe('enabled');
      expect((await pc.describeIndex(name)).deletionProtection).toBe('enabled');

      await expect(pc.deleteIndex(name)).rejects.toBeInstanceOf(PineconeBadRequestError);
      const raw = await http(gw.url, 'DELETE', `/indexes/${name}`);
      expect(raw.status).toBe(403);
      expect(raw.body).toEqual({
        error: {
          code: 'FORBIDDEN',
          message: 'Deletion protection is enabled for this index. Disable deletion protection before retrying.',
        },
        status: 403,
      });
      expect((await pc.describeIndex(name)).name).toBe(name);

      await pc.configureIndex({ name, deletionProtection: 'disabled' });
      await pc.deleteIndex(name);
      await expect(pc.describeIndex(name)).rejects.toBeInstanceOf(PineconeNotFoundError);
      expect(((await pc.listIndexes()).indexes ?? []).map((m) => m.name)).not.toContain(name);
    });

    it('creates an index already protected when asked to', async () => {
      const name = indexName('born-protected');
      await pc.createIndex({ name, dimension: 2, metric: 'cosine', spec: SERVERLESS, deletionProtection: 'enabled' });
      expect((await pc.describeIndex(name)).deletionProtection).toBe('enabled');
      await expect(pc.deleteIndex(name)).rejects.toBeInstanceOf(PineconeBadRequestError);
    });

    it('deletes an index with its records: a new index of the same name starts empty', async () => {
      const name = indexName('recreate');
      await createDense(pc, name, 2);
      await pc.index({ name }).upsert({ records: [{ id: 'a', values: [1, 2] }] });
      await pc.deleteIndex(name);
      await createDense(pc, name, 3);
      const index = pc.index({ name });
      expect((await index.describeIndexStats()).totalRecordCount).toBe(0);
      expect((await index.fetch({ ids: ['a'] })).records).toEqual({});
    });
  });

  describe('upsert and fetch', () => {
    it('fetches upserted records with values and metadata; missing ids are absent', async () => {
      const index = await freshDense(pc, 'fetch', 3);
      await index.upsert({
        records: [
          { id: 'a', values: [1, 2, 3], metadata: { genre: 'drama', year: 2020, tags: ['x', 'y'], ok: true } },
          { id: 'b', values: [0.5, -1, 0] },
        ],
      });
      const got = await index.fetch({ ids: ['a', 'b', 'missing'] });
      expect(Object.keys(got.records).sort()).toEqual(['a', 'b']);
      expect(got.records.a).toEqual({
        id: 'a',
        values: [1, 2, 3],
        metadata: { genre: 'drama', year: 2020, tags: ['x', 'y'], ok: true },
      });
      expect(got.records.b.values).toEqual([0.5, -1, 0]);
      expect(got.records.b.metadata).toBeUndefined();
      expect(got.namespace).toBe('__default__');
      expect((await index.fetch({ ids: ['missing'] })).records).toEqual({});
    });

    it('replaces the whole record on upsert: metadata left out of the second upsert is gone', async () => {
      const index = await freshDense(pc, 'replace', 2);
      await index.upsert({ records: [{ id: 'a', values: [1, 0], metadata: { genre: 'drama', n: 1 } }] });
      await index.upsert({ records: [{ id: 'a', values: [0, 1] }] });
      const a = (await index.fetch({ ids: ['a'] })).records.a;
      expect(a.values).toEqual([0, 1]);
      expect(a.metadata).toBeUndefined();
      await index.upsert({ records: [{ id: 'a', values: [0, 1], metadata: { other: 'x' } }] });
      expect((await index.fetch({ ids: ['a'] })).records.a.metadata).toEqual({ other: 'x' });
      expect((await index.describeIndexStats()).totalRecordCount).toBe(1);
    });

    it('stores sparse values beside dense values on a dotproduct index', async () => {
      const index = await freshDense(pc, 'hyb-fetch', 2, 'dotproduct');
      await index.upsert({
        records: [{ id: 'h', values: [1, 1], sparseValues: { indices: [70, 3], values: [0.5, 2] } }],
      });
      const h = (await index.fetch({ ids: ['h'] })).records.h;
      expect(h.values).toEqual([1, 1]);
      expect(h.sparseValues).toEqual({ indices: [3, 70], values: [2, 0.5] });
    });

    it('refuses a vector of the wrong dimension with PineconeBadRequestError and writes nothing of the batch', async () => {
      const index = await freshDense(pc, 'baddim', 3);
      await expect(
        index.upsert({
          records: [
            { id: 'ok', values: [1, 2, 3] },
            { id: 'bad', values: [1, 2] },
          ],
        }),
      ).rejects.toBeInstanceOf(PineconeBadRequestError);
      expect((await index.fetch({ ids: ['ok', 'bad'] })).records).toEqual({});
      await expect(index.query({ vector: [1, 2], topK: 1 })).rejects.toBeInstanceOf(PineconeBadRequestError);
    });
  });

  describe('query', () => {
    it('scores cosine as the cosine similarity, highest first', async () => {
      const index = await freshDense(pc, 'score-cos', 2, 'cosine');
      const vectors: Record<string, number[]> = { a: [1, 0], b: [1, 1], c: [0, 3], d: [-2, 0], e: [-1, 1] };
      await index.upsert({ records: Object.entries(vectors).map(([id, values]) => ({ id, values })) });
      const q = [2, 0];
      const { matches } = await index.query({ vector: q, topK: 5 });
      expect(matches.map((m) => m.id)).toEqual(['a', 'b', 'c', 'e', 'd']);
      for (const m of matches) expect(m.score).toBeCloseTo(cosine(q, vectors[m.id]), CLOSE);
      expect(matches[0].score).toBeCloseTo(1, CLOSE);
      expect(matches[4].score).toBeCloseTo(-1, CLOSE);
    });

    it('scores dotproduct as the dot product, highest first', async () => {
      const index = await freshDense(pc, 'score-dot', 2, 'dotproduct');
      const vectors: Record<string, number[]> = { a: [1, 2], b: [3, 0], c: [-1, -1], d: [0.5, 0.5] };
      await index.upsert({ records: Object.entries(vectors).map(([id, values]) => ({ id, values })) });
      const q = [2, 1];
      const { matches } = await index.query({ vector: q, topK: 4 });
      expect(matches.map((m) => m.id)).toEqual(['b', 'a', 'd', 'c']);
      expect(matches.map((m) => m.score)).toEqual([6, 4, 1.5, -3]);
      for (const m of matches) expect(m.score).toBeCloseTo(dot(q, vectors[m.id]), CLOSE);
    });

    it('scores euclidean as the SQUARED distance, lowest first', async () => {
      const index = await freshDense(pc, 'score-l2', 2, 'euclidean');
      const vectors: Record<string, number[]> = { a: [1, 0], b: [3, 4], c: [1, 1], d: [0, 2] };
      await index.upsert({ records: Object.entries(vectors).map(([id, values]) => ({ id, values })) });
      const q = [1, 1];
      const { matches } = await index.query({ vector: q, topK: 4 });
      expect(matches.map((m) => m.id)).toEqual(['c', 'a', 'd', 'b']);
      matches.forEach((m, k) => expect(m.score).toBeCloseTo([0, 1, 2, 13][k], 9));
      for (const m of matches) expect(m.score).toBeCloseTo(squaredDistance(q, vectors[m.id]), CLOSE);
    });

    it('queries by the id of a stored record, which matches itself first', async () => {
      const index = await freshDense(pc, 'by-id', 2, 'euclidean');
      await index.upsert({
        records: [
          { id: 'a', values: [0, 1] },
          { id: 'b', values: [1, 0] },
          { id: 'c', values: [5, 5] },
        ],
      });
      const { matches } = await index.query({ id: 'b', topK: 2 });
      expect(scored(matches)).toEqual([
        ['b', 0],
        ['a', 2],
      ]);
      expect((await index.query({ id: 'nope', topK: 2 })).matches).toEqual([]);
      // The filter narrows the matches, not the record whose vector is borrowed.
      await index.upsert({
        records: [
          { id: 'a', values: [0, 1], metadata: { g: 'x' } },
          { id: 'b', values: [1, 0], metadata: { g: 'y' } },
          { id: 'c', values: [5, 5], metadata: { g: 'x' } },
        ],
      });
      expect(scored((await index.query({ id: 'b', topK: 5, filter: { g: 'x' } })).matches)).toEqual([
        ['a', 2],
        ['c', 41],
      ]);
    });

    it('refuses an all-zero dense vector on a cosine index (its cosine is undefined) and writes nothing', async () => {
      // Pinecone answers 400 "Dense vectors must contain at least one non-zero value. Vector ID 'zero' contains only zeros".
      const index = await freshDense(pc, 'zero-up', 2, 'cosine');
      await index.upsert({ records: [{ id: 'ok', values: [1, 0] }] });
      await expect(index.upsert({ records: [{ id: 'zero', values: [0, 0] }] })).rejects.toBeInstanceOf(
        PineconeBadRequestError,
      );
      expect((await index.fetch({ ids: ['zero'] })).records).toEqual({});
      const { matches } = await index.query({ vector: [1, 1], topK: 10 });
      expect(matches.map((m) => m.id)).toEqual(['ok']);
      expect(matches.every((m) => typeof m.score === 'number' && Number.isFinite(m.score))).toBe(true);
    });

    it('never answers a match without a score: a zero query vector on a cosine index is refused', async () => {
      const name = indexName('zero-q');
      await createDense(pc, name, 2, 'cosine');
      await pc.index({ name }).upsert({ records: [{ id: 'ok', values: [1, 0] }] });
      // Raw HTTP: the client would turn a null score into a missing one.
      const res = await http(gw.url, 'POST', `/indexes/${name}/query`, {
        vector: [0, 0],
        topK: 10,
        namespace: '__default__',
      });
      if (res.status === 200)
        expect(res.body.matches.every((m: { score: unknown }) => typeof m.score === 'number')).toBe(true);
      else expect(res.body).toEqual({ code: 3, message: expect.any(String), details: [] });
      expect([200, 400]).toContain(res.status);
    });

    it('leaves values and metadata out unless includeValues / includeMetadata ask for them', async () => {
      const index = await freshDense(pc, 'include', 2);
      await index.upsert({ records: [{ id: 'a', values: [1, 0], metadata: { g: 'x' } }] });
      const bare = (await index.query({ vector: [1, 0], topK: 1 })).matches[0];
      expect(bare.id).toBe('a');
      expect(bare.values ?? []).toEqual([]);
      expect(bare.metadata).toBeUndefined();
      const onlyMeta = (await index.query({ vector: [1, 0], topK: 1, includeMetadata: true })).matches[0];
      expect(onlyMeta.values ?? []).toEqual([]);
      expect(onlyMeta.metadata).toEqual({ g: 'x' });
      const full = (await index.query({ vector: [1, 0], topK: 1, includeValues: true, includeMetadata: true }))
        .matches[0];
      expect(full).toMatchObject({ id: 'a', values: [1, 0], metadata: { g: 'x' } });
    });

    it('returns exactly topK matches when that many exist, and every record when fewer do', async () => {
      const index = await freshDense(pc, 'topk', 3, 'euclidean');
      const rand = prng(7);
      await index.upsert({
        records: Array.from({ length: 50 }, (_, i) => ({ id: `r${i}`, values: [rand(), rand(), rand()] })),
      });
      expect((await index.query({ vector: [0.5, 0.5, 0.5], topK: 17 })).matches).toHaveLength(17);
      expect((await index.query({ vector: [0.5, 0.5, 0.5], topK: 1 })).matches).toHaveLength(1);
      expect((await index.query({ vector: [0.5, 0.5, 0.5], topK: 80 })).matches).toHaveLength(50);
      const scores = (await index.query({ vector: [0.5, 0.5, 0.5], topK: 50 })).matches.map((m) => m.score!);
      expect(scores).toEqual([...scores].sort((x, y) => x - y));
    });

    it('applies a filter before ranking', async () => {
      const index = await freshDense(pc, 'q-filter', 2, 'cosine');
      await index.upsert({
        records: [
          { id: 'near-x', values: [1, 0], metadata: { g: 'x' } },
          { id: 'near-y', values: [1, 0.01], metadata: { g: 'y' } },
          { id: 'far-y', values: [0, 1], metadata: { g: 'y' } },
        ],
      });
      const { matches } = await index.query({
        vector: [1, 0],
        topK: 2,
        filter: { g: { $eq: 'y' } },
        includeMetadata: true,
      });
      expect(matches.map((m) => m.id)).toEqual(['near-y', 'far-y']);
      expect(matches.every((m) => m.metadata?.g === 'y')).toBe(true);
    });

    it('queries a sparse index with a sparse vector (or a stored id): the score is the sparse dot product', async () => {
      const name = indexName('sparse-q');
      await createSparse(pc, name);
      const index = pc.index({ name });
      await index.upsert({
        records: [
          { id: 's1', sparseValues: { indices: [1, 5], values: [1, 2] }, metadata: { g: 'x' } },
          { id: 's2', sparseValues: { indices: [5, 9], values: [1, 1] } },
          { id: 's3', sparseValues: { indices: [2], values: [8] } },
        ],
      });
      // v9's types want `vector` on a vector query; a sparse index is queried with sparseVector alone.
      const sparseOnly = {
        topK: 3,
        sparseVector: { indices: [1, 5, 2], values: [2, 1, 0.25] },
        includeValues: true,
        includeMetadata: true,
      } as unknown as QueryOptions;
      const { matches } = await index.query(sparseOnly);
      expect(scored(matches)).toEqual([
        ['s1', 4],
        ['s3', 2],
        ['s2', 1],
      ]);
      expect(matches[0]).toMatchObject({ sparseValues: { indices: [1, 5], values: [1, 2] }, metadata: { g: 'x' } });

      const byId = (await index.query({ topK: 2, id: 's1' })).matches;
      expect(scored(byId)).toEqual([
        ['s1', 5],
        ['s2', 2],
      ]);
    });

    it('scores a hybrid query on a dotproduct index as dense dot plus sparse dot', async () => {
      const index = await freshDense(pc, 'hybrid', 2, 'dotproduct');
      await index.upsert({
        records: [
          { id: 'h1', values: [1, 0], sparseValues: { indices: [10], values: [5] } },
          { id: 'h2', values: [2, 0], sparseValues: { indices: [11], values: [1] } },
          { id: 'h3', values: [0, 1] },
        ],
      });
      const { matches } = await index.query({
        vector: [1, 1],
        sparseVector: { indices: [10, 11], values: [1, 1] },
        topK: 3,
      });
      expect(scored(matches)).toEqual([
        ['h1', 6],
        ['h2', 3],
        ['h3', 1],
      ]);
      const dense = (await index.query({ vector: [1, 1], topK: 3 })).matches;
      expect(dense[0]).toMatchObject({ id: 'h2', score: 2 });
      expect(dense.slice(1).map((m) => m.score)).toEqual([1, 1]);
    });

    it('refuses a hybrid query on a cosine index with PineconeBadRequestError', async () => {
      const index = await freshDense(pc, 'hyb-cos', 2, 'cosine');
      await index.upsert({ records: [{ id: 'a', values: [1, 0] }] });
      await expect(
        index.query({ vector: [1, 1], sparseVector: { indices: [1], values: [1] }, topK: 1 }),
      ).rejects.toBeInstanceOf(PineconeBadRequestError);
    });
  });

  describe('fetchByMetadata and listPaginated', () => {
    it('fetches by metadata in pages of limit, following paginationToken, with no pagination on the last page', async () => {
      const index = await freshDense(pc, 'fbm', 2);
      await index.upsert({
        records: ['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7'].map((id, i) => ({
          id,
          values: [1, i],
          metadata: { g: i < 5 ? 'x' : 'y', i },
        })),
      });
      const seen: string[] = [];
      const sizes: number[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await index.fetchByMetadata({ filter: { g: { $eq: 'x' } }, limit: 2, paginationToken: token });
        pages++;
        sizes.push(Object.keys(page.records).length);
        for (const [id, r] of Object.entries(page.records)) {
          expect(r.metadata?.g).toBe('x');
          expect(r.values).toEqual([1, r.metadata?.i]);
          seen.push(id);
        }
        token = page.pagination?.next;
      } while (token && pages < 10);
      expect(sizes).toEqual([2, 2, 1]);
      expect(seen.sort()).toEqual(['k1', 'k2', 'k3', 'k4', 'k5']);

      const whole = await index.fetchByMetadata({ filter: { g: 'y' } });
      expect(Object.keys(whole.records).sort()).toEqual(['k6', 'k7']);
      expect(whole.pagination).toBeUndefined();
      expect(Object.keys((await index.fetchByMetadata({ filter: { g: 'x' }, limit: 5 })).records)).toHaveLength(5);
      expect((await index.fetchByMetadata({ filter: { g: 'x' }, limit: 5 })).pagination).toBeUndefined();
    });

    it('lists ids in byte (C) order with prefix, limit and paginationToken; the last page has no pagination', async () => {
      const index = await freshDense(pc, 'list', 2);
      const docs = ['doc#b', 'doc#B', 'doc#_', 'doc#Z', 'doc#~', 'doc#é', 'doc#1', 'doc#10', 'doc#a'];
      const others = ['other', 'do', 'DOC#a'];
      await index.upsert({ records: [...docs, ...others].map((id) => ({ id, values: [1, 1] })) });

      const pages: string[][] = [];
      let token: string | undefined;
      let last: Awaited<ReturnType<Index['listPaginated']>> | undefined;
      do {
        last = await index.listPaginated({ prefix: 'doc#', limit: 4, paginationToken: token });
        pages.push((last.vectors ?? []).map((v) => v.id!));
        token = last.pagination?.next;
      } while (token && pages.length < 10);
      expect(pages.map((p) => p.length)).toEqual([4, 4, 1]);
      expect(pages.flat()).toEqual(byteSorted(docs));
      expect(pages.flat()).toEqual(['doc#1', 'doc#10', 'doc#B', 'doc#Z', 'doc#_', 'doc#a', 'doc#b', 'doc#~', 'doc#é']);
      expect(last.pagination).toBeUndefined();

      const all = await index.listPaginated();
      expect((all.vectors ?? []).map((v) => v.id)).toEqual(byteSorted([...docs, ...others]));
      expect(all.pagination).toBeUndefined();
      expect(all.namespace).toBe('__default__');

      const exact = await index.listPaginated({ prefix: 'doc#', limit: docs.length });
      expect(exact.vectors).toHaveLength(docs.length);
      expect(exact.pagination).toBeUndefined();
      expect((await index.listPaginated({ prefix: 'nothing' })).vectors ?? []).toEqual([]);
    });
    it('pages by 100 when no limit is given, for list and fetchByMetadata alike', async () => {
      const index = await freshDense(pc, 'default-limit', 2);
      const ids = Array.from({ length: 150 }, (_, i) => `r${String(i).padStart(3, '0')}`);
      await index.upsert({ records: ids.map((id, i) => ({ id, values: [1, i], metadata: { g: 'x' } })) });
      const first = await index.listPaginated();
      expect((first.vectors ?? []).map((v) => v.id)).toEqual(ids.slice(0, 100));
      const second = await index.listPaginated({ paginationToken: first.pagination!.next });
      expect((second.vectors ?? []).map((v) => v.id)).toEqual(ids.slice(100));
      expect(second.pagination).toBeUndefined();
      const byMeta = await index.fetchByMetadata({ filter: { g: 'x' } });
      expect(Object.keys(byMeta.records)).toHaveLength(100);
      const rest = await index.fetchByMetadata({ filter: { g: 'x' }, paginationToken: byMeta.pagination!.next });
      expect([...Object.keys(byMeta.records), ...Object.keys(rest.records)].sort()).toEqual(ids);
      expect(rest.pagination).toBeUndefined();
    });
  });

  describe('update', () => {
    it('updates by id: values overwrite, metadata merges key by key', async () => {
      const index = await freshDense(pc, 'upd-id', 3);
      await index.upsert({
        records: [
          { id: 'a', values: [1, 2, 3], metadata: { g: 'x', n: 1, tags: ['p'] } },
          { id: 'b', values: [0, 0, 1], metadata: { g: 'y' } },
        ],
      });
      await index.update({ id: 'a', values: [9, 8, 7], metadata: { n: 2, added: 'yes' } });
      const a = (await index.fetch({ ids: ['a'] })).records.a;
      expect(a.values).toEqual([9, 8, 7]);
      expect(a.metadata).toEqual({ g: 'x', n: 2, tags: ['p'], added: 'yes' });

      await index.update({ id: 'a', metadata: { tags: ['q', 'r'] } });
      const again = (await index.fetch({ ids: ['a'] })).records.a;
      expect(again.values).toEqual([9, 8, 7]);
      expect(again.metadata).toEqual({ g: 'x', n: 2, tags: ['q', 'r'], added: 'yes' });

      await index.update({ id: 'a', values: [1, 1, 1] });
      expect((await index.fetch({ ids: ['a'] })).records.a).toEqual({
        id: 'a',
        values: [1, 1, 1],
        metadata: { g: 'x', n: 2, tags: ['q', 'r'], added: 'yes' },
      });
      expect((await index.fetch({ ids: ['b'] })).records.b.metadata).toEqual({ g: 'y' });
    });

    it('updates sparse values by id on a dotproduct index', async () => {
      const index = await freshDense(pc, 'upd-sparse', 2, 'dotproduct');
      await index.upsert({ records: [{ id: 'a', values: [1, 0], sparseValues: { indices: [1], values: [1] } }] });
      await index.update({ id: 'a', sparseValues: { indices: [2, 4], values: [0.5, 0.25] } });
      expect((await index.fetch({ ids: ['a'] })).records.a).toMatchObject({
        values: [1, 0],
        sparseValues: { indices: [2, 4], values: [0.5, 0.25] },
      });
    });

    it('updates by filter through the client: setMetadata merges into every matching record', async () => {
      const index = await freshDense(pc, 'upd-filter', 2);
      await index.upsert({
        records: [
          { id: 'a', values: [1, 0], metadata: { g: 'x', n: 1 } },
          { id: 'b', values: [0, 1], metadata: { g: 'x', n: 2 } },
          { id: 'c', values: [1, 1], metadata: { g: 'y', n: 3 } },
        ],
      });
      await index.update({ filter: { g: { $eq: 'x' } }, metadata: { reviewed: true } });
      const got = (await index.fetch({ ids: ['a', 'b', 'c'] })).records;
      expect(got.a.metadata).toEqual({ g: 'x', n: 1, reviewed: true });
      expect(got.b.metadata).toEqual({ g: 'x', n: 2, reviewed: true });
      expect(got.c.metadata).toEqual({ g: 'y', n: 3 });
      expect(got.a.values).toEqual([1, 0]);
    });

    it('reports matchedRecords for an update by filter, and a dryRun counts without changing anything', async () => {
      const name = indexName('upd-dry');
      await createDense(pc, name, 2);
      const index = pc.index({ name });
      await index.upsert({
        records: [
          { id: 'a', values: [1, 0], metadata: { n: 1 } },
          { id: 'b', values: [0, 1], metadata: { n: 5 } },
          { id: 'c', values: [1, 1], metadata: { n: 9 } },
        ],
      });
      const dry = await http(gw.url, 'POST', `/indexes/${name}/vectors/update`, {
        filter: { n: { $gte: 5 } },
        setMetadata: { big: true },
        dryRun: true,
        namespace: '__default__',
      });
      expect(dry.status).toBe(200);
      expect(dry.body).toEqual({ matchedRecords: 2 });
      expect(Object.values((await index.fetch({ ids: ['a', 'b', 'c'] })).records).map((r) => r.metadata?.big)).toEqual([
        undefined,
        undefined,
        undefined,
      ]);

      const real = await http(gw.url, 'POST', `/indexes/${name}/vectors/update`, {
        filter: { n: { $gte: 5 } },
        setMetadata: { big: true },
        namespace: '__default__',
      });
      expect(real.body).toEqual({ matchedRecords: 2 });
      const got = (await index.fetch({ ids: ['a', 'b', 'c'] })).records;
      expect([got.a.metadata, got.b.metadata, got.c.metadata]).toEqual([
        { n: 1 },
        { n: 5, big: true },
        { n: 9, big: true },
      ]);

      const none = await http(gw.url, 'POST', `/indexes/${name}/vectors/update`, {
        filter: { n: { $gt: 100 } },
        setMetadata: { big: true },
      });
      expect(none.body).toEqual({ matchedRecords: 0 });
    });
  });

  describe('delete', () => {
    async function seeded(prefix: string): Promise<Index> {
      const index = await freshDense(pc, prefix, 2);
      await index.upsert({
        records: ['a', 'b', 'c', 'd', 'e'].map((id, i) => ({
          id,
          values: [1, i],
          metadata: { g: i % 2 === 0 ? 'even' : 'odd', i },
        })),
      });
      return index;
    }

    async function remaining(index: Index): Promise<string[]> {
      return ((await index.listPaginated()).vectors ?? []).map((v) => v.id!);
    }

    it('deletes one record with deleteOne and several with deleteMany by ids; unknown ids are no error', async () => {
      const index = await seeded('del-ids');
      await index.deleteOne({ id: 'a' });
      expect(await remaining(index)).toEqual(['b', 'c', 'd', 'e']);
      await index.deleteMany({ ids: ['b', 'd', 'nope'] });
      expect(await remaining(index)).toEqual(['c', 'e']);
      await index.deleteOne({ id: 'nope' });
      expect(await remaining(index)).toEqual(['c', 'e']);
    });

    it('deletes by filter with deleteMany', async () => {
      const index = await seeded('del-filter');
      await index.deleteMany({ filter: { g: { $eq: 'even' } } });
      expect(await remaining(index)).toEqual(['b', 'd']);
      await index.deleteMany({ filter: { i: { $gt: 2 } } });
      expect(await remaining(index)).toEqual(['b']);
    });

    it('empties a namespace with deleteAll, which stays listed with 0 records', async () => {
      const index = await seeded('del-all');
      await index.namespace('keep').upsert({ records: [{ id: 'k', values: [1, 1] }] });
      await index.namespace('wipe').upsert({
        records: [
          { id: 'w1', values: [1, 1] },
          { id: 'w2', values: [1, 2] },
        ],
      });
      await index.namespace('wipe').deleteAll();
      expect((await index.namespace('wipe').listPaginated()).vectors ?? []).toEqual([]);
      const listed = (await index.listNamespaces()).namespaces ?? [];
      expect(listed.map((n) => [n.name, Number(n.recordCount)])).toEqual([
        ['__default__', 5],
        ['keep', 1],
        ['wipe', 0],
      ]);
      expect(Number((await index.describeNamespace('wipe')).recordCount)).toBe(0);
      await index.deleteAll();
      expect(await remaining(index)).toEqual([]);
      expect(Number((await index.describeNamespace('__default__')).recordCount)).toBe(0);
      expect(await index.namespace('keep').fetch({ ids: ['k'] })).toMatchObject({ records: { k: { id: 'k' } } });
    });
  });

  describe('describeIndexStats and namespaces', () => {
    it('describes per-namespace counts, the dimension and the total record count', async () => {
      const index = await freshDense(pc, 'stats', 3);
      expect(await index.describeIndexStats()).toMatchObject({ dimension: 3, totalRecordCount: 0 });
      await index.upsert({
        records: [
          { id: 'a', values: [1, 2, 3] },
          { id: 'b', values: [1, 2, 3] },
        ],
      });
      await index.namespace('ns1').upsert({
        records: [
          { id: 'a', values: [1, 2, 3] },
          { id: 'b', values: [1, 2, 3] },
          { id: 'c', values: [3, 2, 1] },
        ],
      });
      await index.namespace('ns2').upsert({ records: [{ id: 'z', values: [0, 0, 1] }] });
      const stats = await index.describeIndexStats();
      expect(stats.dimension).toBe(3);
      expect(stats.totalRecordCount).toBe(6);
      expect(stats.indexFullness).toBe(0);
      expect(stats.namespaces).toEqual({
        __default__: { recordCount: 2 },
        ns1: { recordCount: 3 },
        ns2: { recordCount: 1 },
      });
    });

    it('creates, describes, lists (with prefix and pagination) and deletes namespaces', async () => {
      const index = await freshDense(pc, 'ns-api', 2);
      const created = await index.createNamespace({ name: 'team-a' });
      expect(created.name).toBe('team-a');
      expect(Number(created.recordCount)).toBe(0);
      await expect(index.createNamespace({ name: 'team-a' })).rejects.toBeInstanceOf(PineconeConflictError);

      await index.namespace('team-a').upsert({
        records: [
          { id: 'x', values: [1, 0] },
          { id: 'y', values: [0, 1] },
        ],
      });
      for (const ns of ['team-b', 'team-c', 'team-d', 'other'])
        await index.namespace(ns).upsert({ records: [{ id: 'r', values: [1, 1] }] });
      expect(await index.describeNamespace('team-a')).toMatchObject({ name: 'team-a' });
      expect(Number((await index.describeNamespace('team-a')).recordCount)).toBe(2);
      await expect(index.describeNamespace('absent')).rejects.toBeInstanceOf(PineconeNotFoundError);

      const names: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await index.listNamespaces({ prefix: 'team-', limit: 3, paginationToken: token });
        expect(page.totalCount).toBe(4);
        names.push(...(page.namespaces ?? []).map((n) => n.name!));
        token = page.pagination?.next;
        pages++;
      } while (token && pages < 10);
      expect(pages).toBe(2);
      expect(names).toEqual(['team-a', 'team-b', 'team-c', 'team-d']);
      expect(((await index.listNamespaces()).namespaces ?? []).map((n) => n.name)).toEqual([
        'other',
        'team-a',
        'team-b',
        'team-c',
        'team-d',
      ]);

      await index.deleteNamespace('team-a');
      await expect(index.describeNamespace('team-a')).rejects.toBeInstanceOf(PineconeNotFoundError);
      expect((await index.namespace('team-a').fetch({ ids: ['x', 'y'] })).records).toEqual({});
      expect((await index.describeIndexStats()).namespaces?.['team-a']).toBeUndefined();
      expect((await index.namespace('team-b').fetch({ ids: ['r'] })).records.r.id).toBe('r');
      await expect(index.deleteNamespace('team-a')).rejects.toBeInstanceOf(PineconeNotFoundError);
    });

    it('keeps namespaces apart: a record in one is invisible from another and from the default', async () => {
      const name = indexName('ns-apart');
      await createDense(pc, name, 2);
      const index = pc.index({ name });
      await index.namespace('n1').upsert({ records: [{ id: 'same', values: [1, 0], metadata: { where: 'n1' } }] });
      await index.upsert({ records: [{ id: 'same', values: [0, 1], metadata: { where: 'default' } }] });
      expect(
        (await index.namespace('n1').query({ vector: [1, 0], topK: 5, includeMetadata: true })).matches.map(
          (m) => m.metadata?.where,
        ),
      ).toEqual(['n1']);
      expect(
        (await index.query({ vector: [1, 0], topK: 5, includeMetadata: true })).matches.map((m) => m.metadata?.where),
      ).toEqual(['default']);
      expect((await index.namespace('n2').fetch({ ids: ['same'] })).records).toEqual({});
      const host = (await pc.describeIndex(name)).host;
      const viaHost = pc.index({ host, namespace: 'n1' });
      expect((await viaHost.fetch({ ids: ['same'] })).records.same.metadata).toEqual({ where: 'n1' });
    });

    it('treats "" and "__default__" as one namespace', async () => {
      const name = indexName('default-ns');
      await createDense(pc, name, 2);
      const index = pc.index({ name });
      const raw = await http(gw.url, 'POST', `/indexes/${name}/vectors/upsert`, {
        vectors: [{ id: 'raw', values: [1, 0], metadata: { via: 'http' } }],
        namespace: '',
      });
      expect(raw.status).toBe(200);
      expect(raw.body).toEqual({ upsertedCount: 1 });
      await index.upsert({ records: [{ id: 'client', values: [0, 1] }] });

      const q = await index.query({ vector: [1, 0], topK: 5, includeMetadata: true });
      expect(q.namespace).toBe('__default__');
      expect(q.matches.map((m) => m.id)).toEqual(['raw', 'client']);
      expect(q.matches[0].metadata).toEqual({ via: 'http' });

      const fetched = await http(gw.url, 'GET', `/indexes/${name}/vectors/fetch?ids=client&ids=raw&namespace=`);
      expect(Object.keys(fetched.body.vectors).sort()).toEqual(['client', 'raw']);
      const oldClient = await http(gw.url, 'POST', `/indexes/${name}/query`, {
        vector: [0, 1],
        topK: 1,
        namespace: '',
      });
      expect(oldClient.body.matches.map((m: { id: string }) => m.id)).toEqual(['client']);

      const stats = await index.describeIndexStats();
      expect(stats.namespaces).toEqual({ __default__: { recordCount: 2 } });
      expect(((await index.listNamespaces()).namespaces ?? []).map((n) => n.name)).toEqual(['__default__']);
    });
  });

  describe('filters through the client', () => {
    let index: Index;

    beforeAll(async () => {
      index = await freshDense(pc, 'filters', 2);
      await index.upsert({
        records: [
          {
            id: 'r1',
            values: [1, 0],
            metadata: { genre: 'drama', year: 2019, rating: 7.5, tags: ['a', 'b'], flag: true },
          },
          { id: 'r2', values: [1, 0.1], metadata: { genre: 'comedy', year: 2020, tags: ['b', 'c'], flag: false } },
          { id: 'r3', values: [1, 0.2], metadata: { genre: 'drama', year: 2021, rating: 9, tags: ['c'] } },
          { id: 'r4', values: [1, 0.3], metadata: { genre: 'action', year: 2022, rating: 6 } },
          { id: 'r5', values: [1, 0.4], metadata: { year: 2020 } },
          { id: 'r6', values: [1, 0.5] },
        ],
      });
    });

    const ids = (filter: object) => matchIds(index, { vector: [1, 0], topK: 100, filter });

    it('reads a bare value as $eq, and $eq on strings, numbers and booleans', async () => {
      expect(await ids({ genre: 'drama' })).toEqual(['r1', 'r3']);
      expect(await ids({ genre: { $eq: 'comedy' } })).toEqual(['r2']);
      expect(await ids({ year: 2020 })).toEqual(['r2', 'r5']);
      expect(await ids({ rating: { $eq: 7.5 } })).toEqual(['r1']);
      expect(await ids({ flag: true })).toEqual(['r1']);
      expect(await ids({ flag: { $eq: false } })).toEqual(['r2']);
    });

    it('excludes records lacking the key from $ne and $nin', async () => {
      expect(await ids({ genre: { $ne: 'drama' } })).toEqual(['r2', 'r4']);
      expect(await ids({ genre: { $nin: ['drama', 'action'] } })).toEqual(['r2']);
      expect(await ids({ rating: { $ne: 9 } })).toEqual(['r1', 'r4']);
      expect(await ids({ flag: { $ne: true } })).toEqual(['r2']);
    });

    it('compares numbers with $gt $gte $lt $lte', async () => {
      expect(await ids({ year: { $gt: 2020 } })).toEqual(['r3', 'r4']);
      expect(await ids({ year: { $gte: 2020 } })).toEqual(['r2', 'r3', 'r4', 'r5']);
      expect(await ids({ year: { $lt: 2020 } })).toEqual(['r1']);
      expect(await ids({ year: { $lte: 2020 } })).toEqual(['r1', 'r2', 'r5']);
      expect(await ids({ rating: { $gt: 7 } })).toEqual(['r1', 'r3']);
    });

    it('matches $in on any listed value, and $exists true / false', async () => {
      expect(await ids({ genre: { $in: ['comedy', 'action', 'western'] } })).toEqual(['r2', 'r4']);
      expect(await ids({ year: { $in: [2019, 2022] } })).toEqual(['r1', 'r4']);
      expect(await ids({ rating: { $exists: true } })).toEqual(['r1', 'r3', 'r4']);
      expect(await ids({ rating: { $exists: false } })).toEqual(['r2', 'r5', 'r6']);
    });

    it('ANDs several keys, and several operators on one key', async () => {
      expect(await ids({ genre: 'drama', year: { $gt: 2019 } })).toEqual(['r3']);
      expect(await ids({ year: { $gte: 2020, $lt: 2022 } })).toEqual(['r2', 'r3', 'r5']);
      expect(await ids({ year: { $gte: 2020, $lt: 2022 }, genre: { $ne: 'comedy' } })).toEqual(['r3']);
      expect(await ids({ rating: { $exists: true, $lt: 9 } })).toEqual(['r1', 'r4']);
    });

    it('combines sub-filters with $and and $or', async () => {
      expect(await ids({ $or: [{ genre: 'comedy' }, { rating: { $gte: 9 } }] })).toEqual(['r2', 'r3']);
      expect(await ids({ $and: [{ genre: 'drama' }, { rating: { $lt: 8 } }] })).toEqual(['r1']);
      expect(await ids({ $or: [{ $and: [{ genre: 'drama' }, { year: 2021 }] }, { year: { $lt: 2020 } }] })).toEqual([
        'r1',
        'r3',
      ]);
      expect(await ids({ $and: [{ year: { $gte: 2020 } }], genre: { $in: ['drama', 'action'] } })).toEqual([
        'r3',
        'r4',
      ]);
    });

    it('matches a list of strings when any element matches', async () => {
      expect(await ids({ tags: 'b' })).toEqual(['r1', 'r2']);
      expect(await ids({ tags: { $eq: 'c' } })).toEqual(['r2', 'r3']);
      expect(await ids({ tags: { $in: ['a', 'c'] } })).toEqual(['r1', 'r2', 'r3']);
      expect(await ids({ $and: [{ tags: 'b' }, { tags: 'c' }] })).toEqual(['r2']);
      // $ne / $nin on a list: no element may match, and records without the list are excluded.
      expect(await ids({ tags: { $ne: 'b' } })).toEqual(['r3']);
      expect(await ids({ tags: { $nin: ['a', 'c'] } })).toEqual([]);
    });

    it('filters fetchByMetadata, update and delete with the same dialect', async () => {
      const local = await freshDense(pc, 'filters-w', 2);
      await local.upsert({
        records: [
          { id: 'a', values: [1, 0], metadata: { tags: ['x', 'y'], n: 1 } },
          { id: 'b', values: [1, 0], metadata: { tags: ['y'], n: 2 } },
          { id: 'c', values: [1, 0], metadata: { n: 3 } },
        ],
      });
      expect(Object.keys((await local.fetchByMetadata({ filter: { tags: 'y', n: { $gte: 2 } } })).records)).toEqual([
        'b',
      ]);
      await local.update({ filter: { tags: { $nin: ['x'] } }, metadata: { tagged: 'no-x' } });
      expect((await local.fetch({ ids: ['b'] })).records.b.metadata?.tagged).toBe('no-x');
      expect((await local.fetch({ ids: ['c'] })).records.c.metadata?.tagged).toBeUndefined();
      await local.deleteMany({ filter: { $or: [{ tags: 'x' }, { n: { $gt: 2 } }] } });
      expect(((await local.listPaginated()).vectors ?? []).map((v) => v.id)).toEqual(['b']);
    });

    it('refuses an invalid filter with PineconeBadRequestError', async () => {
      await expect(index.query({ vector: [1, 0], topK: 1, filter: { genre: ['a', 'b'] } })).rejects.toBeInstanceOf(
        PineconeBadRequestError,
      );
      await expect(index.query({ vector: [1, 0], topK: 1, filter: { year: { $gt: 'x' } } })).rejects.toBeInstanceOf(
        PineconeBadRequestError,
      );
      await expect(
        index.query({ vector: [1, 0], topK: 1, filter: { year: { $between: [1, 2] } } }),
      ).rejects.toBeInstanceOf(PineconeBadRequestError);
      await expect(index.query({ vector: [1, 0], topK: 1, filter: { $not: { year: 1 } } })).rejects.toBeInstanceOf(
        PineconeBadRequestError,
      );
      await expect(
        index.query({ vector: [1, 0], topK: 1, filter: { genre: { $in: 'drama' } } }),
      ).rejects.toBeInstanceOf(PineconeBadRequestError);
    });
  });

  describe('filtered search at scale', () => {
    const SCORE = { cosine, dotproduct: dot, euclidean: squaredDistance };

    it.each(['cosine', 'dotproduct', 'euclidean'] as const)(
      'returns exactly topK matches, all matching and the true nearest, for a 1%%-selective filter over 3,000 records (%s)',
      async (metric) => {
        const dimension = 16;
        const index = await freshDense(pc, `scale-${metric.slice(0, 3)}`, dimension, metric);
        const rand = prng(42);
        const vectors = Array.from({ length: 3000 }, () => Array.from({ length: dimension }, () => rand() * 2 - 1));
        const rare = (i: number) => i % 100 === 37;
        for (let start = 0; start < vectors.length; start += 1000) {
          await index.upsert({
            records: vectors.slice(start, start + 1000).map((values, k) => {
              const i = start + k;
              return { id: `v${i}`, values, metadata: { kind: rare(i) ? 'rare' : 'common', i } };
            }),
          });
        }
        expect((await index.describeIndexStats()).totalRecordCount).toBe(3000);

        const q = Array.from({ length: dimension }, () => rand() * 2 - 1);
        const sign = metric === 'euclidean' ? 1 : -1;
        const exact = vectors
          .map((v, i) => ({ id: `v${i}`, score: SCORE[metric](q, v), rare: rare(i) }))
          .filter((r) => r.rare)
          .sort((x, y) => sign * (x.score - y.score));
        expect(exact).toHaveLength(30);

        for (const topK of [10, 30]) {
          const { matches } = await index.query({ vector: q, topK, filter: { kind: 'rare' }, includeMetadata: true });
          expect(matches).toHaveLength(topK);
          expect(matches.every((m) => m.metadata?.kind === 'rare')).toBe(true);
          expect(matches.map((m) => m.id)).toEqual(exact.slice(0, topK).map((r) => r.id));
          matches.forEach((m, k) => expect(m.score).toBeCloseTo(exact[k].score, 3));
        }
        const numeric = await index.query({ vector: q, topK: 10, filter: { i: { $lt: 30 } } });
        expect(numeric.matches).toHaveLength(10);
        expect(numeric.matches.every((m) => Number(m.id.slice(1)) < 30)).toBe(true);
      },
    );
  });
});
