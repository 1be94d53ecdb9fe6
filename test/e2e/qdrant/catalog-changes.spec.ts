import {
  createScratchDatabase,
  gatewayForFile,
  startGateway,
  usingPostgres,
  type TestGateway,
} from '../../support/gateway';
import { collectionName, expectQdrantError, qdrantClient, qdrantHttp, type QdrantClient } from './qdrant-helpers';

const CHROMA = '/api/v2/tenants/default_tenant/databases/default_database/collections';

/** The named vectors' catalog positions, by name. */
async function positions(gw: TestGateway, name: string): Promise<Record<string, number>> {
  const { rows } = await gw.db.query(
    `SELECT v.name, v.position FROM vecgate_collection_vectors v JOIN vecgate_collections c ON c.id = v.collection_id
     WHERE c.name = $1`,
    [name],
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.position]));
}

/**
 * A named vector is a column of the record table named from its catalog position. Vectors added
 * after others were removed, and the copies a fork or a snapshot makes of them.
 */
describe('Qdrant named vectors added after others were removed', () => {
  const gw = gatewayForFile({ qdrantPort: 0 });
  let q: QdrantClient;

  beforeAll(async () => {
    q = await qdrantClient(gw);
  });

  it('takes a position no removed vector had, and a fork and a snapshot keep every vector’s values', async () => {
    const name = collectionName('positions');
    const dense = { size: 2, distance: 'Dot' as const };
    await q.createCollection(name, { vectors: { text: dense, a: dense, b: dense, c: dense } });
    await q.upsert(name, {
      wait: true,
      points: [{ id: 1, vector: { text: [1, 0], a: [1, 1], b: [2, 2], c: [3, 3] } }],
    });
    const declared = await positions(gw, name);
    // The first and the last named vector go; one comes.
    await q.deleteVectorName(name, 'a');
    await q.deleteVectorName(name, 'c');
    await q.createVectorName(name, 'w', { dense });
    const now = await positions(gw, name);
    expect(now.b).toBe(declared.b);
    expect(Object.values(declared)).not.toContain(now.w);
    await q.upsert(name, { wait: true, points: [{ id: 2, vector: { text: [0, 1], w: [5, 5] } }] });
    const vectors = async (collection: string) =>
      (await q.retrieve(collection, { ids: [1, 2], with_vector: true })).map((p) => [p.id, p.vector]);
    const expected = [
      [1, { text: [1, 0], b: [2, 2] }],
      [2, { text: [0, 1], w: [5, 5] }],
    ];
    expect(await vectors(name)).toEqual(expected);

    const { rows } = await gw.db.query(`SELECT id FROM vecgate_collections WHERE name = $1`, [name]);
    const fork = await fetch(`${gw.url}${CHROMA}/${rows[0].id}/fork`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ new_name: `${name}_fork` }),
    });
    expect([fork.status, await fork.text()]).toEqual([200, expect.any(String)]);
    expect(await vectors(`${name}_fork`)).toEqual(expected);

    const taken = await q.createSnapshot(name);
    await q.upsert(name, { wait: true, points: [{ id: 2, vector: { text: [0, 1] } }] });
    expect(await q.recoverSnapshot(name, { location: `file:///qdrant/snapshots/${name}/${taken!.name}` })).toBe(true);
    expect(await vectors(name)).toEqual(expected);
  });
});

/**
 * Two replicas on one Postgres, the second with the collection's catalog row cached (kept up to a
 * second; the clock stands still meanwhile, so the row stays cached however slow the machine).
 * The first removes a named vector and adds another. Postgres only: two replicas are two
 * processes on one database, which the embedded backend, one process's own, cannot have.
 */
if (usingPostgres()) {
  describe('Qdrant named vectors changed by another replica', () => {
    let scratch: { url: string; drop(): Promise<void> };
    let first: TestGateway;
    let second: TestGateway;

    beforeAll(async () => {
      scratch = await createScratchDatabase();
      first = await startGateway({ qdrantPort: 0 }, { databaseUrl: scratch.url });
      second = await startGateway({ qdrantPort: 0 }, { databaseUrl: scratch.url });
    });

    afterAll(async () => {
      jest.restoreAllMocks();
      await first?.close();
      await second?.close();
      await scratch?.drop();
    });

    afterEach(() => jest.restoreAllMocks());

    it('refuses a write of the removed vector on the stale replica, and the vector added after it keeps no value of it', async () => {
      const name = collectionName('stale');
      const a = qdrantHttp(first);
      const b = qdrantHttp(second);
      const dense = { size: 2, distance: 'Dot' };
      expect((await a.put(`/collections/${name}`, { vectors: { text: dense, v2: dense } })).status).toBe(200);
      jest.spyOn(Date, 'now').mockReturnValue(Date.now());
      const upsert = (id: number, vector: Record<string, number[]>) =>
        b.put(`/collections/${name}/points?wait=true`, { points: [{ id, vector }] });
      expect((await upsert(1, { text: [1, 0], v2: [1, 1] })).status).toBe(200);

      expect((await a.del(`/collections/${name}/vectors/v2`)).status).toBe(200);
      expect((await a.put(`/collections/${name}/vectors/w`, { dense })).status).toBe(200);

      expectQdrantError(await upsert(2, { text: [0, 1], v2: [7, 7] }), 400, /v2/);
      const points = await a.post(`/collections/${name}/points/scroll`, { with_vector: true });
      expect(points.body.result.points.map((p: { id: number; vector: object }) => [p.id, p.vector])).toEqual([
        [1, { text: [1, 0] }],
      ]);
    });
  });
}
