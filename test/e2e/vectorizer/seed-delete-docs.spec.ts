import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { http, gatewayForFile } from '../../support/gateway';
import { vectorizer, type Vectorizer } from './vectorizer-helpers';

/**
 * The seed: Vectorizer's "Deleting Vectors" page (docs/users/vectors/DELETE.md), run as written
 * against vecgate — its collection `my_collection`, vectors `vec_001`..`vec_003`, category
 * `old_docs`, and its three curl requests copied verbatim (only the host is the test gateway's).
 * The real server routes neither `/collections/{c}/batch_delete` nor `/collections/{c}/delete_by_filter`
 * and takes no flat filter, so two of the three fail there; vecgate serves all three.
 */
const SEED_DELETE_ONE = `curl -X DELETE http://localhost:15002/collections/my_collection/vectors/vec_001`;

const SEED_BATCH_DELETE = `curl -X POST http://localhost:15002/collections/my_collection/batch_delete \\
  -H "Content-Type: application/json" \\
  -d '{
    "ids": ["vec_001", "vec_002", "vec_003"]
  }'`;

const SEED_DELETE_BY_FILTER = `curl -X POST http://localhost:15002/collections/my_collection/delete_by_filter \\
  -H "Content-Type: application/json" \\
  -d '{
    "filter": {
      "category": "old_docs"
    }
  }'`;

const HAVE_CURL = spawnSync('curl', ['--version']).status === 0;

const C = 'my_collection';

describe('The seed: Vectorizer’s "Deleting Vectors" page, run as written', () => {
  const gw = gatewayForFile();
  let vz: Vectorizer;

  beforeAll(async () => {
    vz = vectorizer(gw);
  });

  /**
   * Runs a curl command from the page with its host swapped for the gateway's, through a shell
   * exactly as a reader would paste it; without curl, sends the same method, path and body.
   */
  async function curl(command: string): Promise<any> {
    const local = command.replace('http://localhost:15002', gw.url);
    if (HAVE_CURL) {
      // Asynchronously: the gateway answers from this very process.
      const { stdout } = await promisify(execFile)('bash', ['-c', local], { encoding: 'utf8', timeout: 30_000 });
      return JSON.parse(stdout);
    }
    const method = /-X (\w+)/.exec(local)![1];
    const url = new URL(/(http:\/\/\S+)/.exec(local)![1]);
    const data = /-d '([\s\S]*)'/.exec(local)?.[1];
    return (await http(gw.url, method, url.pathname, data)).body;
  }

  /** A fresh `my_collection`: vec_001..vec_005, three of them old_docs. */
  beforeEach(async () => {
    await vz.del(`/collections/${C}`);
    await vz.create(C, 4, 'cosine');
    await vz.insert(C, [
      { id: 'vec_001', embedding: [1, 0, 0, 0], payload: { category: 'old_docs', created_at: '2024-01-10T09:00:00' } },
      { id: 'vec_002', embedding: [0, 1, 0, 0], payload: { category: 'old_docs', created_at: '2024-02-20T09:00:00' } },
      { id: 'vec_003', embedding: [0, 0, 1, 0], payload: { category: 'new_docs', created_at: '2026-07-01T09:00:00' } },
      { id: 'vec_004', embedding: [0, 0, 0, 1], payload: { category: 'old_docs', created_at: '2026-06-30T09:00:00' } },
      { id: 'vec_005', embedding: [1, 1, 0, 0], payload: { category: 'new_docs', created_at: '2026-07-02T09:00:00' } },
    ]);
  });

  it('"Delete Single Vector": DELETE /collections/my_collection/vectors/vec_001 removes vec_001 only', async () => {
    expect(await curl(SEED_DELETE_ONE)).toEqual({
      message: "Vector 'vec_001' deleted from collection 'my_collection'",
      success: true,
    });
    expect(await vz.ids(C)).toEqual(['vec_002', 'vec_003', 'vec_004', 'vec_005']);
    expect((await vz.get(`/collections/${C}/vectors/vec_001`)).status).toBe(404);
  });

  it('"Delete Multiple Vectors": POST /collections/my_collection/batch_delete {ids} removes vec_001..vec_003', async () => {
    expect(await curl(SEED_BATCH_DELETE)).toEqual({
      collection: C,
      count: 3,
      deleted: 3,
      failed: 0,
      results: [
        { index: 0, id: 'vec_001', status: 'ok' },
        { index: 1, id: 'vec_002', status: 'ok' },
        { index: 2, id: 'vec_003', status: 'ok' },
      ],
    });
    expect(await vz.ids(C)).toEqual(['vec_004', 'vec_005']);
  });

  it('"Delete by Filter": POST /collections/my_collection/delete_by_filter {"filter":{"category":"old_docs"}} removes every old_docs vector', async () => {
    const res = await curl(SEED_DELETE_BY_FILTER);
    expect({
      ...res,
      results: [...res.results].sort((a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id)),
    }).toEqual({
      scanned: 5,
      matched: 3,
      deleted: 3,
      results: ['vec_001', 'vec_002', 'vec_004'].map((id) => ({ id, status: 'deleted' })),
    });
    expect(await vz.ids(C)).toEqual(['vec_003', 'vec_005']);
  });

  it('the three requests in the page’s order: the batch reports vec_001 as already gone, the filter finds the last old_docs vector', async () => {
    await curl(SEED_DELETE_ONE);
    const batch = await curl(SEED_BATCH_DELETE);
    expect(batch).toMatchObject({ count: 3, deleted: 2, failed: 1 });
    expect(batch.results[0]).toEqual({ index: 0, id: 'vec_001', status: 'error', error: 'Vector not found: vec_001' });
    const filtered = await curl(SEED_DELETE_BY_FILTER);
    expect(filtered).toEqual({ scanned: 2, matched: 1, deleted: 1, results: [{ id: 'vec_004', status: 'deleted' }] });
    expect(await vz.ids(C)).toEqual(['vec_005']);
    // Run again, the single delete is a 404 in Vectorizer's error shape.
    expect(await curl(SEED_DELETE_ONE)).toMatchObject({ error_type: 'vector_not_found', status_code: 404 });
  });

  it('the TypeScript SDK’s deleteVectors / deleteVector requests (POST /batch_delete {collection, ids}; DELETE …/vectors/{id})', async () => {
    const batch = await vz.post('/batch_delete', { collection: C, ids: ['vec_001', 'vec_002', 'vec_003'] });
    expect(batch.body).toMatchObject({ collection: C, deleted: 3, failed: 0 });
    expect((await vz.del(`/collections/${C}/vectors/vec_004`)).status).toBe(200);
    expect(await vz.ids(C)).toEqual(['vec_005']);
  });

  it('"Pattern 1: Cleanup Old Documents": search with {"created_at":{"$lt": cutoff}}, then batch_delete what it found', async () => {
    const cutoff = '2026-06-01T00:00:00';
    const found = await vz.post(`/collections/${C}/search`, {
      vector: [1, 1, 1, 1],
      limit: 10000,
      filter: { created_at: { $lt: cutoff } },
    });
    expect(found.status).toBe(200);
    const ids: string[] = found.body.results.map((r: { id: string }) => r.id);
    expect(ids.sort()).toEqual(['vec_001', 'vec_002']);
    const deleted = await vz.post(`/collections/${C}/batch_delete`, { ids });
    expect(deleted.body).toMatchObject({ deleted: 2, failed: 0 });
    expect(await vz.ids(C)).toEqual(['vec_003', 'vec_004', 'vec_005']);
  });

  it('"Pattern 2: Delete by Category": delete_by_filter with {"category": category} for each category in turn', async () => {
    for (const [category, left] of [
      ['new_docs', ['vec_001', 'vec_002', 'vec_004']],
      ['old_docs', []],
    ] as const) {
      const res = await vz.post(`/collections/${C}/delete_by_filter`, { filter: { category } });
      expect(res.status).toBe(200);
      expect(await vz.ids(C)).toEqual(left);
    }
  });
});
