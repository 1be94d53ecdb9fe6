import { gatewayForFile, http } from '../../support/gateway';
import { collectionName, expectQdrantError, qdrantHttp } from '../qdrant/qdrant-helpers';

const CHROMA = '/api/v2/tenants/default_tenant/databases/default_database';

/** 14 values a branch: past what one statement binds once the branches are on 5,000 keys. */
const values = (i: number) => Array.from({ length: 14 }, (_, j) => `v${i}-${j}`);
/** `$or` of 5,000 `$in` lists, each on a key of its own: more than 65,535 values however bound. */
const onManyKeys = Array.from({ length: 5000 }, (_, i) => ({ [`k${i}`]: { $in: values(i) } }));
/** The same lists all on one key (holding the value "v7-3"): one list, one array parameter. */
const onOneKey = Array.from({ length: 5000 }, (_, i) => ({ k: { $in: values(i) } }));

const RECORDS = [
  { id: 'a', k: 'v7-3' },
  { id: 'b', k: 'none' },
  { id: 'c', k: 'v4999-13' },
];

/**
 * A filter that needs more values than one statement binds (65,535) was a 500 in every protocol
 * (`bind message has N parameter formats but 0 parameters`). Lists on one key now fold into one
 * array parameter, so the same lists on one key work, and a filter that still needs too many is a
 * 400 in the protocol's shape that changes nothing.
 */
describe('filters past the values one statement binds', () => {
  const gw = gatewayForFile({ qdrantPort: 0 });

  it('Chroma: a 400 InvalidArgumentError for $or of 5,000 $in on as many keys; on one key it matches', async () => {
    const created = await http(gw.url, 'POST', `${CHROMA}/collections`, { name: 'filter_values' });
    const id = created.body.id;
    const add = await http(gw.url, 'POST', `${CHROMA}/collections/${id}/add`, {
      ids: RECORDS.map((r) => r.id),
      embeddings: RECORDS.map(() => [1, 0]),
      metadatas: RECORDS.map((r) => ({ k: r.k })),
    });
    expect(add.status).toBe(201);
    for (const route of ['get', 'delete']) {
      const res = await http(gw.url, 'POST', `${CHROMA}/collections/${id}/${route}`, { where: { $or: onManyKeys } });
      expect({ status: res.status, body: res.body }).toEqual({
        status: 400,
        body: {
          error: 'InvalidArgumentError',
          message: expect.stringMatching(/^Filter is too large: .* 65535 values/),
        },
      });
    }
    expect((await http(gw.url, 'GET', `${CHROMA}/collections/${id}/count`)).body).toBe(3);
    const got = await http(gw.url, 'POST', `${CHROMA}/collections/${id}/get`, { where: { $or: onOneKey } });
    expect(got.status).toBe(200);
    expect(got.body.ids).toEqual(['a', 'c']);
  });

  it('Pinecone: a 400 INVALID_ARGUMENT for $or of 5,000 $in on as many fields; on one field it matches', async () => {
    const created = await http(gw.url, 'POST', '/indexes', {
      name: 'filter-values',
      dimension: 2,
      metric: 'cosine',
      spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
    });
    expect(created.status).toBe(201);
    const index = '/indexes/filter-values';
    const upsert = await http(gw.url, 'POST', `${index}/vectors/upsert`, {
      vectors: RECORDS.map((r) => ({ id: r.id, values: [1, 0], metadata: { k: r.k } })),
    });
    expect(upsert.status).toBe(200);
    const query = (filter: unknown) => http(gw.url, 'POST', `${index}/query`, { vector: [1, 0], topK: 10, filter });
    const refused = await query({ $or: onManyKeys });
    expect({ status: refused.status, body: refused.body }).toEqual({
      status: 400,
      body: { code: 3, message: expect.stringMatching(/^The filter is too large: .* 65535 values/), details: [] },
    });
    const deleted = await http(gw.url, 'POST', `${index}/vectors/delete`, { filter: { $or: onManyKeys } });
    expect(deleted.status).toBe(400);
    const stats = await http(gw.url, 'POST', `${index}/describe_index_stats`, {});
    expect(stats.body.totalVectorCount).toBe(3);
    const matched = await query({ $or: onOneKey });
    expect(matched.status).toBe(200);
    expect(matched.body.matches.map((m: { id: string }) => m.id).sort()).toEqual(['a', 'c']);
  });

  it('Qdrant: a 400 Bad request for should of 5,000 match any on as many keys; on one key it matches', async () => {
    const q = qdrantHttp(gw);
    const name = collectionName('filter_values');
    expect((await q.put(`/collections/${name}`, { vectors: { size: 2, distance: 'Dot' } })).status).toBe(200);
    const points = RECORDS.map((r, i) => ({ id: i + 1, vector: [1, 0], payload: { k: r.k } }));
    expect((await q.put(`/collections/${name}/points?wait=true`, { points })).status).toBe(200);
    const manyKeys = { should: onManyKeys.map((_, i) => ({ key: `k${i}`, match: { any: values(i) } })) };
    expectQdrantError(
      await q.post(`/collections/${name}/points/scroll`, { filter: manyKeys }),
      400,
      /^Bad request: Filter is too large: .* 65535 values/,
    );
    expectQdrantError(
      await q.post(`/collections/${name}/points/delete?wait=true`, { filter: manyKeys }),
      400,
      /^Bad request: Filter is too large/,
    );
    expect((await q.post(`/collections/${name}/points/count`, { exact: true })).body.result.count).toBe(3);
    const oneKey = { should: onOneKey.map((_, i) => ({ key: 'k', match: { any: values(i) } })) };
    const scrolled = await q.post(`/collections/${name}/points/scroll`, { filter: oneKey });
    expect(scrolled.status).toBe(200);
    expect(scrolled.body.result.points.map((p: { id: number }) => p.id)).toEqual([1, 3]);
  });

  it('Vectorizer: a 400 validation_error for $or of 5,000 $in on as many keys; on one key it matches', async () => {
    const name = 'filter_values_vectorizer';
    expect((await http(gw.url, 'POST', '/collections', { name, dimension: 2 })).status).toBe(200);
    const inserted = await http(gw.url, 'POST', '/insert_vectors', {
      collection: name,
      vectors: RECORDS.map((r) => ({ id: r.id, embedding: [1, 0], payload: { k: r.k } })),
    });
    expect(inserted.status).toBe(200);
    const search = (filter: unknown) =>
      http(gw.url, 'POST', `/collections/${name}/search`, { vector: [1, 0], limit: 10, filter });
    const refused = await search({ $or: onManyKeys });
    expect({ status: refused.status, body: refused.body }).toMatchObject({
      status: 400,
      body: { error_type: 'validation_error', message: expect.stringMatching(/^Invalid filter: too large: .* 65535/) },
    });
    const matched = await search({ $or: onOneKey });
    expect(matched.status).toBe(200);
    expect(matched.body.results.map((h: { id: string }) => h.id).sort()).toEqual(['a', 'c']);
  });
});
