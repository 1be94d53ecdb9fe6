import { gatewayForFile } from '../../support/gateway';
import {
  CLOSE,
  collectionName,
  cosine,
  expectVectorizerError,
  vectorizer,
  type Vectorizer,
} from './vectorizer-helpers';

/**
 * The Qdrant-compatible routes Vectorizer serves and its TypeScript SDK calls
 * (docs/vectorizer-wire-contract.md §6): collections, upsert, search, delete (ids and filter),
 * scroll (filter honoured, paging without repeats or gaps), count (filter honoured), retrieve by
 * POST and by the SDK's GET ?ids=, with numeric and string point ids.
 */
type Point = { id: string | number; vector: number[] | null; payload: Record<string, unknown> | null };
type Scored = Point & { score: number };

const Q = '/qdrant/collections';
const ACK = { status: 'acknowledged', operation_id: null };

describe('Vectorizer’s Qdrant-compatible routes over HTTP', () => {
  const gw = gatewayForFile();
  let vz: Vectorizer;

  beforeAll(async () => {
    vz = vectorizer(gw);
  });

  async function qcreate(size: number, distance = 'Cosine'): Promise<string> {
    const name = collectionName('q');
    const res = await vz.put(`${Q}/${name}`, { vectors: { size, distance } });
    expect(res.status).toBe(200);
    return name;
  }

  const POINTS = [
    { id: 'p1', vector: [1, 0, 0], payload: { color: 'red', n: 1 } },
    { id: 42, vector: [0, 1, 0], payload: { color: 'blue', n: 2 } },
    { id: 'p3', vector: [1, 1, 0], payload: { color: 'red', n: 3 } },
    { id: 7, vector: [0, 0, 1] },
  ];

  async function seeded(): Promise<string> {
    const name = await qcreate(3);
    const res = await vz.put(`${Q}/${name}/points`, { points: POINTS, wait: true });
    expect(res.body).toEqual(ACK);
    return name;
  }

  describe('collections', () => {
    it.each([
      ['Cosine', 'Cosine'],
      ['Euclid', 'Euclidean'],
      ['Dot', 'DotProduct'],
    ])(
      'creates a %s collection with PUT {vectors:{size,distance}}, answering the bare string "acknowledged"',
      async (distance, debug) => {
        const name = collectionName('qc');
        const res = await vz.put(`${Q}/${name}`, { vectors: { size: 4, distance } });
        expect(res.status).toBe(200);
        expect(res.body).toBe('acknowledged');
        const got = await vz.get(`${Q}/${name}`);
        expect(got.status).toBe(200);
        expect(Object.keys(got.body)).toEqual(['result']);
        expect(got.body.result).toMatchObject({
          name,
          status: 'green',
          config: { vectors: { size: 4, distance } },
          stats: { points_count: 0 },
        });
        expect((await vz.get(`/collections/${name}`)).body).toMatchObject({ dimension: 4, metric: debug });
      },
    );

    it('takes the wrapped form {config:{vectors:..}} too', async () => {
      const name = collectionName('qwrap');
      expect((await vz.put(`${Q}/${name}`, { config: { vectors: { size: 2, distance: 'Dot' } } })).body).toBe(
        'acknowledged',
      );
      expect((await vz.get(`${Q}/${name}`)).body.result.config.vectors).toEqual({ size: 2, distance: 'Dot' });
    });

    it('counts points in stats.points_count', async () => {
      const name = await seeded();
      expect((await vz.get(`${Q}/${name}`)).body.result.stats).toMatchObject({
        points_count: 4,
        indexed_vectors_count: 4,
      });
    });

    it('lists collections as {collections:[info with name]}, including those created natively', async () => {
      const viaQdrant = await qcreate(3, 'Euclid');
      const native = collectionName('qnative');
      await vz.create(native, 5, 'dot');
      const res = await vz.get(Q);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body)).toEqual(['collections']);
      const byName = new Map(res.body.collections.map((c: { name: string }) => [c.name, c]));
      expect(byName.get(viaQdrant)).toMatchObject({ config: { vectors: { size: 3, distance: 'Euclid' } } });
      expect(byName.get(native)).toMatchObject({ config: { vectors: { size: 5, distance: 'Dot' } } });
    });

    it('deletes with DELETE, answering "acknowledged", and the collection is gone for both APIs', async () => {
      const name = await seeded();
      const res = await vz.del(`${Q}/${name}`);
      expect(res.status).toBe(200);
      expect(res.body).toBe('acknowledged');
      expectVectorizerError(
        await vz.get(`${Q}/${name}`),
        404,
        'collection_not_found',
        `collection '${name}' not found`,
      );
      expectVectorizerError(await vz.get(`/collections/${name}`), 404, 'collection_not_found');
    });

    it('answers a duplicate with 409 collection_already_exists', async () => {
      const name = await qcreate(3);
      expectVectorizerError(
        await vz.put(`${Q}/${name}`, { vectors: { size: 3, distance: 'Cosine' } }),
        409,
        'collection_already_exists',
        `collection '${name}' already exists`,
      );
    });

    it('answers an unknown collection on get and delete with 404 collection_not_found, without details', async () => {
      for (const res of [await vz.get(`${Q}/no_such_collection`), await vz.del(`${Q}/no_such_collection`)]) {
        expectVectorizerError(res, 404, 'collection_not_found', "collection 'no_such_collection' not found");
        expect(res.body.details).toBeUndefined();
      }
    });

    it.each<[string, unknown]>([
      ['an unknown distance', { vectors: { size: 3, distance: 'Manhattan' } }],
      ['a missing size', { vectors: { distance: 'Cosine' } }],
      ['a zero size', { vectors: { size: 0, distance: 'Cosine' } }],
      ['no vectors config', {}],
    ])('refuses %s with a 400 and creates nothing', async (_, body) => {
      const name = collectionName('qbad');
      const res = await vz.put(`${Q}/${name}`, body);
      expect(res.status).toBe(400);
      expect(res.body.status_code).toBe(400);
      expectVectorizerError(await vz.get(`${Q}/${name}`), 404, 'collection_not_found');
    });
  });

  describe('upsert (PUT points)', () => {
    it('writes string and numeric ids with vector and payload, answering {status:"acknowledged", operation_id:null}', async () => {
      const name = await seeded();
      const all = await vz.all(name);
      expect(all.map((v) => v.id)).toEqual(['p1', '42', 'p3', '7']);
      expect(all[1]).toEqual({ id: '42', vector: [0, 1, 0], payload: { color: 'blue', n: 2 } });
      expect(all[3].payload).toBeNull();
    });

    it('replaces an existing point whole (vector and payload), by numeric or string id', async () => {
      const name = await seeded();
      await vz.put(`${Q}/${name}/points`, {
        points: [
          { id: 42, vector: [5, 5, 5], payload: { only: 'new' } },
          { id: 'p1', vector: [0, 0, 2] },
        ],
      });
      const points = await vz.post(`${Q}/${name}/points`, { ids: [42, 'p1'], with_vector: true });
      const byId = new Map(points.body.result.map((p: Point) => [p.id, p]));
      expect(byId.get('p1')).toEqual({ id: 'p1', vector: [0, 0, 2], payload: null });
      expect(byId.get(42)).toEqual({ id: 42, vector: [5, 5, 5], payload: { only: 'new' } });
      expect((await vz.post(`${Q}/${name}/points/count`, {})).body).toEqual({ result: { count: 4 } });
    });

    it('keeps null-valued payload fields, as the server stores the payload JSON as sent', async () => {
      const name = await qcreate(2);
      const payload = { archived_at: null, nested: { k: 'v', z: null } };
      await vz.put(`${Q}/${name}/points`, { points: [{ id: 1, vector: [1, 2], payload }] });
      expect((await vz.post(`${Q}/${name}/points`, { ids: [1] })).body.result).toEqual([
        { id: 1, vector: null, payload },
      ]);
    });

    it('takes a named vector map holding one vector', async () => {
      const name = await qcreate(2);
      expect(
        (await vz.put(`${Q}/${name}/points`, { points: [{ id: 1, vector: { default: [0.5, 0.5] } }] })).body,
      ).toEqual(ACK);
      expect((await vz.get(`/collections/${name}/vectors/1`)).body.vector).toEqual([0.5, 0.5]);
    });

    it('takes the SDK insertVectors body {points:[{id, vector, payload:{}}]}', async () => {
      const name = await qcreate(2);
      const res = await vz.put(`${Q}/${name}/points`, {
        points: [
          { id: '1700000000000-0', vector: [1, 2], payload: {} },
          { id: '1700000000000-1', vector: [3, 4], payload: { k: 'v' } },
        ],
      });
      expect(res.body).toEqual(ACK);
      expect(await vz.ids(name)).toEqual(['1700000000000-0', '1700000000000-1']);
    });

    it('rejects the whole batch when one point has the wrong dimension: 400 vector_dimension_mismatch, nothing written', async () => {
      const name = await seeded();
      const res = await vz.put(`${Q}/${name}/points`, {
        points: [
          { id: 'new', vector: [1, 1, 1] },
          { id: 'p1', vector: [1, 2] },
        ],
      });
      expectVectorizerError(res, 400, 'vector_dimension_mismatch', 'Vector dimension mismatch: expected 3, got 2');
      expect((await vz.post(`${Q}/${name}/points/count`, {})).body.result.count).toBe(4);
      expect((await vz.get(`/collections/${name}/vectors/p1`)).body.vector).toEqual([1, 0, 0]);
    });

    it.each<[string, unknown]>([
      ['a missing points list', {}],
      ['a point without a vector', { points: [{ id: 'x' }] }],
      ['a negative id', { points: [{ id: -1, vector: [1, 1, 1] }] }],
      ['an object id', { points: [{ id: { uuid: 'x' }, vector: [1, 1, 1] }] }],
      ['a non-numeric vector', { points: [{ id: 'x', vector: [1, 'a', 1] }] }],
      ['a payload that is a list', { points: [{ id: 'x', vector: [1, 1, 1], payload: ['a'] }] }],
      ['a map of two named vectors', { points: [{ id: 'x', vector: { a: [1, 1, 1], b: [1, 1, 1] } }] }],
    ])('refuses %s with a 400 and writes nothing', async (_, body) => {
      const name = await seeded();
      const res = await vz.put(`${Q}/${name}/points`, body);
      expect(res.status).toBe(400);
      expect(res.body.status_code).toBe(400);
      expect((await vz.post(`${Q}/${name}/points/count`, {})).body.result.count).toBe(4);
    });

    it('answers an unknown collection with 404 (no auto-create)', async () => {
      const name = collectionName('qmissing');
      expectVectorizerError(
        await vz.put(`${Q}/${name}/points`, { points: [{ id: 1, vector: [1] }] }),
        404,
        'collection_not_found',
      );
      expectVectorizerError(await vz.get(`/collections/${name}`), 404, 'collection_not_found');
    });
  });

  describe('search (POST points/search)', () => {
    it('answers {result:[{id, vector:null, payload, score}]}, best first, numeric ids as numbers', async () => {
      const name = await seeded();
      const q = [1, 0.2, 0];
      const res = await vz.post(`${Q}/${name}/points/search`, { vector: q, limit: 10 });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body)).toEqual(['result']);
      const hits: Scored[] = res.body.result;
      expect(hits.map((h) => h.id)).toEqual(['p1', 'p3', 42, 7]);
      hits.forEach((h) => expect(h.vector).toBeNull());
      expect(hits[0]).toEqual({ id: 'p1', vector: null, payload: { color: 'red', n: 1 }, score: hits[0].score });
      const byId = new Map(POINTS.map((p) => [p.id, p.vector]));
      hits.forEach((h) => expect(h.score).toBeCloseTo(cosine(q, byId.get(h.id)!), CLOSE));
      expect(hits[3].payload).toBeNull();
    });

    it('takes the SDK’s qdrantSearchPoints body {vector, limit, with_payload, with_vector, filter}', async () => {
      const name = await seeded();
      const res = await vz.post(`${Q}/${name}/points/search`, {
        vector: [1, 0, 0],
        limit: 2,
        with_payload: false,
        with_vector: true,
        filter: { must: [{ key: 'color', match: { value: 'red' } }] },
      });
      expect(res.body.result.map((h: Scored) => [h.id, h.vector, h.payload])).toEqual([
        ['p1', [1, 0, 0], null],
        ['p3', [1, 1, 0], null],
      ]);
    });

    it('honours a filter before the limit, in the tagged and the flat dialects too', async () => {
      const name = await seeded();
      const ids = async (filter: unknown) =>
        (await vz.post(`${Q}/${name}/points/search`, { vector: [1, 0, 0], limit: 1, filter })).body.result.map(
          (h: Scored) => h.id,
        );
      expect(await ids({ must: [{ type: 'match', key: 'color', match_value: 'blue' }] })).toEqual([42]);
      expect(
        await ids({ must_not: [{ key: 'color', match: { value: 'red' } }], must: [{ key: 'n', range: { gte: 0 } }] }),
      ).toEqual([42]);
      expect(await ids({ n: { $gt: 1 } })).toEqual(['p3']);
    });

    it('applies score_threshold (inclusive) and offset', async () => {
      const name = await seeded();
      const threshold = await vz.post(`${Q}/${name}/points/search`, { vector: [1, 0, 0], score_threshold: 0.5 });
      expect(threshold.body.result.map((h: Scored) => h.id)).toEqual(['p1', 'p3']);
      const offset = await vz.post(`${Q}/${name}/points/search`, { vector: [1, 0, 0], limit: 2, offset: 1 });
      expect(offset.body.result.map((h: Scored) => h.id)).toEqual(['p3', offset.body.result[1].id]);
      expect(offset.body.result).toHaveLength(2);
    });

    it('answers a dimension mismatch with a 400 and an unknown collection with a 404', async () => {
      const name = await seeded();
      const bad = await vz.post(`${Q}/${name}/points/search`, { vector: [1, 0] });
      expect(bad.status).toBe(400);
      expect(bad.body.status_code).toBe(400);
      expectVectorizerError(
        await vz.post(`${Q}/no_such_collection/points/search`, { vector: [1, 0, 0] }),
        404,
        'collection_not_found',
      );
    });

    it('refuses an unknown filter shape with 400 parse_error', async () => {
      const name = await seeded();
      expectVectorizerError(
        await vz.post(`${Q}/${name}/points/search`, {
          vector: [1, 0, 0],
          filter: { must: [{ type: 'geo_radius', key: 'x' }] },
        }),
        400,
        'parse_error',
      );
    });
  });

  describe('delete (POST points/delete)', () => {
    it('deletes by string and numeric ids, skipping unknown ones, answering acknowledged', async () => {
      const name = await seeded();
      const res = await vz.post(`${Q}/${name}/points/delete`, { points: ['p1', 42, 'nope', 999], wait: false });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(ACK);
      expect(await vz.ids(name)).toEqual(['7', 'p3']);
    });

    it.each<[string, unknown, string[]]>([
      ['SDK', { must: [{ key: 'color', match: { value: 'red' } }] }, ['42', '7']],
      ['tagged', { must: [{ type: 'range', key: 'n', range: { gte: 2 } }] }, ['7', 'p1']],
      ['flat', { color: 'blue' }, ['7', 'p1', 'p3']],
    ])('deletes by a %s filter', async (_, filter, left) => {
      const name = await seeded();
      expect((await vz.post(`${Q}/${name}/points/delete`, { filter })).body).toEqual(ACK);
      expect(await vz.ids(name)).toEqual(left);
    });

    it('refuses an empty filter, or neither points nor filter, with a 400 and deletes nothing', async () => {
      const name = await seeded();
      for (const body of [{ filter: {} }, {}]) {
        const res = await vz.post(`${Q}/${name}/points/delete`, body);
        expect(res.status).toBe(400);
        expect(res.body.status_code).toBe(400);
      }
      expect((await vz.post(`${Q}/${name}/points/count`, {})).body.result.count).toBe(4);
    });

    it('answers an unknown collection with 404', async () => {
      expectVectorizerError(
        await vz.post(`${Q}/no_such_collection/points/delete`, { points: [1] }),
        404,
        'collection_not_found',
      );
    });
  });

  describe('scroll (POST points/scroll)', () => {
    async function many(n: number): Promise<string> {
      const name = await qcreate(2);
      const points = Array.from({ length: n }, (_, i) => ({
        id: i % 3 === 0 ? i : `s${i}`,
        vector: [1, i],
        payload: { even: i % 2 === 0, i },
      }));
      await vz.put(`${Q}/${name}/points`, { points });
      return name;
    }

    async function scrollAll(
      name: string,
      body: Record<string, unknown>,
    ): Promise<{ ids: (string | number)[]; pages: number; points: Point[] }> {
      const ids: (string | number)[] = [];
      const points: Point[] = [];
      let offset: unknown = undefined;
      let pages = 0;
      do {
        const res = await vz.post(`/qdrant/collections/${name}/points/scroll`, {
          ...body,
          ...(offset === undefined ? {} : { offset }),
        });
        expect(res.status).toBe(200);
        expect(Object.keys(res.body)).toEqual(['result']);
        ids.push(...res.body.result.points.map((p: Point) => p.id));
        points.push(...res.body.result.points);
        offset = res.body.result.next_page_offset;
        pages++;
        if (pages > 100) throw new Error('scroll does not end');
      } while (offset !== null);
      return { ids, pages, points };
    }

    it('pages through every point by offset/next_page_offset, without repeats or gaps', async () => {
      const name = await many(23);
      const { ids, pages } = await scrollAll(name, { limit: 5 });
      expect(pages).toBe(5);
      expect(ids).toHaveLength(23);
      expect(new Set(ids).size).toBe(23);
      expect(new Set(ids.map(String))).toEqual(
        new Set(Array.from({ length: 23 }, (_, i) => (i % 3 === 0 ? String(i) : `s${i}`))),
      );
      expect(ids.filter((id) => typeof id === 'number').length).toBe(8);
    });

    it('honours a filter while paging (the server ignores it)', async () => {
      const name = await many(23);
      for (const filter of [
        { must: [{ key: 'even', match: { value: true } }] },
        { must: [{ type: 'match', key: 'even', match_value: true }] },
        { even: true },
      ]) {
        const { ids, points } = await scrollAll(name, { limit: 4, filter });
        expect(ids).toHaveLength(12);
        expect(new Set(ids).size).toBe(12);
        points.forEach((p) => expect(p.payload).toMatchObject({ even: true }));
      }
    });

    it('defaults to 10 per page, payload on and vector off, with with_vector/with_payload flags honoured', async () => {
      const name = await many(12);
      const first = await vz.post(`${Q}/${name}/points/scroll`, {});
      expect(first.body.result.points).toHaveLength(10);
      expect(first.body.result.next_page_offset).not.toBeNull();
      first.body.result.points.forEach((p: Point) => {
        expect(p.vector).toBeNull();
        expect(p.payload).not.toBeNull();
      });
      const flags = await vz.post(`${Q}/${name}/points/scroll`, { limit: 2, with_vector: true, with_payload: false });
      flags.body.result.points.forEach((p: Point) => {
        expect(p.vector).toHaveLength(2);
        expect(p.payload).toBeNull();
      });
    });

    it('answers next_page_offset null on the last page and an empty collection', async () => {
      const name = await many(3);
      expect((await vz.post(`${Q}/${name}/points/scroll`, { limit: 3 })).body.result.next_page_offset).toBeNull();
      const empty = await qcreate(2);
      expect((await vz.post(`${Q}/${empty}/points/scroll`, {})).body).toEqual({
        result: { points: [], next_page_offset: null },
      });
    });

    it('answers an unknown collection with 404', async () => {
      expectVectorizerError(await vz.post(`${Q}/no_such_collection/points/scroll`, {}), 404, 'collection_not_found');
    });
  });

  describe('count (POST points/count)', () => {
    it('counts every point with {} and the matching points with a filter in each dialect (the server ignores it)', async () => {
      const name = await seeded();
      expect((await vz.post(`${Q}/${name}/points/count`, {})).body).toEqual({ result: { count: 4 } });
      expect((await vz.post(`${Q}/${name}/points/count`, { exact: true })).body).toEqual({ result: { count: 4 } });
      expect(
        (await vz.post(`${Q}/${name}/points/count`, { filter: { must: [{ key: 'color', match: { value: 'red' } }] } }))
          .body,
      ).toEqual({ result: { count: 2 } });
      expect(
        (
          await vz.post(`${Q}/${name}/points/count`, {
            filter: { must: [{ type: 'range', key: 'n', range: { gt: 1 } }] },
          })
        ).body,
      ).toEqual({ result: { count: 2 } });
      expect(
        (await vz.post(`${Q}/${name}/points/count`, { filter: { color: { $in: ['red', 'blue'] } } })).body,
      ).toEqual({ result: { count: 3 } });
      expect(
        (
          await vz.post(`${Q}/${name}/points/count`, {
            filter: { must: [{ key: 'color', match: { value: 'green' } }] },
          })
        ).body,
      ).toEqual({ result: { count: 0 } });
    });

    it('answers an unknown collection with 404', async () => {
      expectVectorizerError(await vz.post(`${Q}/no_such_collection/points/count`, {}), 404, 'collection_not_found');
    });
  });

  // The server parses a Qdrant filter with every list optional, and only delete_by_filter refuses
  // one with no conditions (contract §3.9 step 3, §5.1); on search, scroll and count `{}` matches all.
  describe('an empty filter where it only reads', () => {
    it('points/search treats filter {} as no filter', async () => {
      const name = await seeded();
      const res = await vz.post(`${Q}/${name}/points/search`, { vector: [1, 0, 0], filter: {} });
      expect(res.status).toBe(200);
      expect(res.body.result).toHaveLength(4);
    });

    it('points/scroll treats filter {} as no filter', async () => {
      const name = await seeded();
      const res = await vz.post(`${Q}/${name}/points/scroll`, { filter: {} });
      expect(res.status).toBe(200);
      expect(res.body.result.points).toHaveLength(4);
    });

    it('points/count treats filter {} as no filter', async () => {
      const name = await seeded();
      const res = await vz.post(`${Q}/${name}/points/count`, { filter: {} });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ result: { count: 4 } });
    });
  });

  describe('retrieve', () => {
    it('POST points {ids} returns the points found (payload on, vector off (null) by default), skipping unknown ids', async () => {
      const name = await seeded();
      const res = await vz.post(`${Q}/${name}/points`, { ids: ['p3', 42, 'nope'] });
      expect(res.status).toBe(200);
      const byId = new Map(res.body.result.map((p: Point) => [p.id, p]));
      expect(byId.size).toBe(2);
      expect(byId.get('p3')).toEqual({ id: 'p3', vector: null, payload: { color: 'red', n: 3 } });
      expect(byId.get(42)).toEqual({ id: 42, vector: null, payload: { color: 'blue', n: 2 } });
    });

    it('POST points honours with_vector and with_payload', async () => {
      const name = await seeded();
      const res = await vz.post(`${Q}/${name}/points`, { ids: [7], with_vector: true, with_payload: false });
      expect(res.body.result).toEqual([{ id: 7, vector: [0, 0, 1], payload: null }]);
    });

    it('GET points?ids=a,b (the SDK’s qdrantRetrievePoints, a 405 on the server) returns the points', async () => {
      const name = await seeded();
      const res = await vz.get(`${Q}/${name}/points?ids=p1,42,nope&with_payload=true&with_vector=true`);
      expect(res.status).toBe(200);
      const byId = new Map(res.body.result.map((p: Point) => [p.id, p]));
      expect(byId.get('p1')).toEqual({ id: 'p1', vector: [1, 0, 0], payload: { color: 'red', n: 1 } });
      expect(byId.get(42)).toEqual({ id: 42, vector: [0, 1, 0], payload: { color: 'blue', n: 2 } });
      expect(byId.size).toBe(2);
      const bare = await vz.get(`${Q}/${name}/points?ids=p3&with_payload=false&with_vector=false`);
      expect(bare.body.result).toEqual([{ id: 'p3', vector: null, payload: null }]);
    });

    it('answers an unknown collection with 404 on both forms', async () => {
      expectVectorizerError(await vz.post(`${Q}/no_such_collection/points`, { ids: [1] }), 404, 'collection_not_found');
      expectVectorizerError(await vz.get(`${Q}/no_such_collection/points?ids=1`), 404, 'collection_not_found');
    });
  });

  describe('numeric and string ids across the APIs', () => {
    it('a numeric point id is the string id "42" for the native API, and a native "42" is the numeric point 42', async () => {
      const name = await seeded();
      expect((await vz.get(`/collections/${name}/vectors/42`)).body).toMatchObject({ id: '42', vector: [0, 1, 0] });
      await vz.insert(name, [{ id: '1000', embedding: [0.3, 0.3, 0.3], payload: { native: true } }]);
      const got = await vz.post(`${Q}/${name}/points`, { ids: [1000] });
      expect(got.body.result).toEqual([{ id: 1000, vector: null, payload: { native: true } }]);
      expect((await vz.post(`${Q}/${name}/points`, { ids: ['1000'] })).body.result).toHaveLength(1);
    });
  });
});
