import { Client } from 'pg';
import {
  createScratchDatabase,
  gatewayForFile,
  startGateway,
  usingPostgres,
  type TestGateway,
} from '../../support/gateway';
import { until } from '../../support/wait';
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
 * Two replicas on one Postgres changing a collection's named vectors, and writing through them.
 * Each caches catalog rows for up to a second (the clock stands still where a test needs a row to
 * stay cached, however slow the machine); a change holds the catalog row while it runs. Races are
 * made to happen, not hoped for: a third connection holds the row as a change does until every
 * call under test waits for it. Postgres only: two replicas are two processes on one database,
 * which the embedded backend, one process's own, cannot have.
 */
if (usingPostgres()) {
  describe('Qdrant named vectors changed through two replicas', () => {
    let scratch: { url: string; drop(): Promise<void> };
    let first: TestGateway;
    let second: TestGateway;
    let holder: Client;
    let a: ReturnType<typeof qdrantHttp>;
    let b: ReturnType<typeof qdrantHttp>;
    const dense = { size: 2, distance: 'Dot' };

    beforeAll(async () => {
      scratch = await createScratchDatabase();
      first = await startGateway({ qdrantPort: 0 }, { databaseUrl: scratch.url });
      second = await startGateway({ qdrantPort: 0 }, { databaseUrl: scratch.url });
      holder = new Client({ connectionString: scratch.url });
      await holder.connect();
      a = qdrantHttp(first);
      b = qdrantHttp(second);
    });

    afterAll(async () => {
      jest.restoreAllMocks();
      await holder?.end();
      await first?.close();
      await second?.close();
      await scratch?.drop();
    });

    afterEach(() => jest.restoreAllMocks());

    /** A collection of a dense `text` (the records' embedding) and the named dense vectors given, made through the first replica. */
    async function created(...named: string[]): Promise<string> {
      const name = collectionName('race');
      const vectors = Object.fromEntries(['text', ...named].map((n) => [n, dense]));
      expect((await a.put(`/collections/${name}`, { vectors })).status).toBe(200);
      return name;
    }

    /** Starts `calls` while the collection's catalog row is held as a change holds it, and lets them go once each waits for it. */
    async function behindAChange<T>(name: string, calls: () => Promise<T>[]): Promise<T[]> {
      await holder.query('BEGIN');
      let pending: Promise<T>[] = [];
      try {
        await holder.query('SELECT 1 FROM vecgate_collections WHERE name = $1 FOR NO KEY UPDATE', [name]);
        pending = calls();
        await until('every call waiting for the catalog row', waitingForLocks, (n) => n >= pending.length);
      } finally {
        await holder.query('COMMIT');
      }
      return Promise.all(pending);
    }

    /** How many other connections to the database wait for a lock. */
    async function waitingForLocks(): Promise<number> {
      const { rows } = await holder.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
      );
      return rows[0].n;
    }

    /** The catalog's named vectors and the record table's vector columns, each as `v<position> <type>`. */
    async function catalogAndTable(name: string): Promise<{ catalog: string[]; table: string[] }> {
      const { rows } = await holder.query(
        `SELECT
           coalesce((SELECT array_agg('v' || v.position || ' ' || CASE WHEN v.kind = 'dense' THEN 'vector(' || v.dimension || ')' ELSE 'sparsevec' END)
                     FROM vecgate_collection_vectors v WHERE v.collection_id = c.id), '{}') AS catalog,
           coalesce((SELECT array_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod))
                     FROM pg_attribute a
                     WHERE a.attrelid = ('vecgate_records.' || quote_ident(c.table_name))::regclass
                       AND a.attname ~ '^v[0-9]+$' AND NOT a.attisdropped), '{}') AS table
         FROM vecgate_collections c WHERE c.name = $1`,
        [name],
      );
      return { catalog: [...rows[0].catalog].sort(), table: [...rows[0].table].sort() };
    }

    /** Every point of the collection with its vectors, as the first replica reads them, by id. */
    async function everyPoint(name: string): Promise<[number, object][]> {
      const res = await a.post(`/collections/${name}/points/scroll`, { with_vector: true, limit: 100 });
      expect(res.status).toBe(200);
      return res.body.result.points.map((p: { id: number; vector: object }) => [p.id, p.vector]);
    }

    it('adds a vector of one name through both replicas at once, otherwise on each: one adds it, the other is refused in Qdrant’s words', async () => {
      const name = await created();
      const answers = await behindAChange(name, () => [
        a.put(`/collections/${name}/vectors/x`, { dense: { size: 3, distance: 'Dot' } }),
        b.put(`/collections/${name}/vectors/x`, { dense: { size: 4, distance: 'Dot' } }),
      ]);
      expect(answers.map((r) => [r.status, r.text]).sort()).toEqual([
        [200, expect.any(String)],
        [400, expect.stringContaining('Wrong input: Vector `x` already exists with a different configuration')],
      ]);
      const { catalog, table } = await catalogAndTable(name);
      expect(catalog).toHaveLength(1);
      expect(table).toEqual(catalog);
    });

    it('adds the same vector through both replicas at once: no change the second time, as in Qdrant', async () => {
      const name = await created();
      const answers = await behindAChange(name, () =>
        [a, b].map((replica) => replica.put(`/collections/${name}/vectors/x`, { dense: { size: 3, distance: 'Dot' } })),
      );
      expect(answers.map((r) => [r.status, r.text])).toEqual([
        [200, expect.any(String)],
        [200, expect.any(String)],
      ]);
      expect((await catalogAndTable(name)).table).toEqual(['v1 vector(3)']);
    });

    it('removes a vector through both replicas at once: one removes it, the other is Qdrant’s unknown name', async () => {
      const name = await created('x', 'y');
      const answers = await behindAChange(name, () =>
        [a, b].map((replica) => replica.del(`/collections/${name}/vectors/x`)),
      );
      expect(answers.map((r) => [r.status, r.text]).sort()).toEqual([
        [200, expect.any(String)],
        [400, expect.stringContaining('Wrong input: Not existing vector name error: x')],
      ]);
      const { catalog, table } = await catalogAndTable(name);
      expect(catalog).toEqual(['v2 vector(2)']);
      expect(table).toEqual(catalog);
    });

    it('adds, removes and writes vectors through both replicas at once, round after round: never a 5xx, and the catalog matches the table', async () => {
      const name = await created();
      // Each name keeps one configuration, so that adding it again is no change.
      const configs: Record<string, { body: object; value: unknown }> = {
        x: { body: { dense: { size: 2, distance: 'Dot' } }, value: [1, 2] },
        y: { body: { dense: { size: 3, distance: 'Euclid' } }, value: [1, 2, 3] },
        z: { body: { sparse: {} }, value: { indices: [4], values: [1] } },
      };
      const names = Object.keys(configs);
      let seed = 11;
      const pick = <T>(list: T[]): T => list[(seed = (seed * 16807) % 2147483647) % list.length];
      const call = (): Promise<{ status: number; text: string }> => {
        const replica = pick([a, b]);
        const vector = pick(names);
        const kind = pick(['add', 'remove', 'write']);
        if (kind === 'add') return replica.put(`/collections/${name}/vectors/${vector}`, configs[vector].body);
        if (kind === 'remove') return replica.del(`/collections/${name}/vectors/${vector}`);
        return replica.put(`/collections/${name}/points?wait=true`, {
          points: [{ id: pick([1, 2, 3]), vector: { text: [1, 0], [vector]: configs[vector].value } }],
        });
      };
      const answers: { status: number; text: string }[] = [];
      for (let round = 0; round < 12; round++) answers.push(...(await Promise.all(Array.from({ length: 6 }, call))));
      const refused = answers.filter((r) => r.status !== 200);
      expect(refused.filter((r) => r.status !== 400).map((r) => [r.status, r.text])).toEqual([]);
      for (const r of refused) expect(r.text).toMatch(/Not existing vector name error: [xyz]\b/);
      const { catalog, table } = await catalogAndTable(name);
      expect(table).toEqual(catalog);
      const { rows } = await holder.query(
        `SELECT (SELECT array_agg(v.name ORDER BY v.name) FROM vecgate_collection_vectors v WHERE v.collection_id = c.id) AS declared,
                (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(c.configuration -> 'extras' -> 'qdrant' -> 'namedParams') AS k) AS shown
         FROM vecgate_collections c WHERE c.name = $1`,
        [name],
      );
      expect(rows[0].shown).toEqual(rows[0].declared);
    });

    it('removes a vector only once a fork under way has copied it', async () => {
      const name = await created('x');
      expect(
        (
          await a.put(`/collections/${name}/points?wait=true`, {
            points: [{ id: 1, vector: { text: [1, 0], x: [2, 2] } }],
          })
        ).status,
      ).toBe(200);
      const { rows } = await holder.query('SELECT id FROM vecgate_collections WHERE name = $1', [name]);
      // The fork stops after reading the source's catalog row, at its new name, which another
      // transaction holds until the removal has had its chance to run.
      await holder.query('BEGIN');
      let answers: { status: number; text: string }[];
      try {
        await holder.query(
          `INSERT INTO vecgate_collections (id, database_id, name, metric, configuration, table_name)
           SELECT gen_random_uuid(), database_id, $1, 'l2', '{}', 'r_' || md5(random()::text) FROM vecgate_collections WHERE name = $2`,
          [`${name}_fork`, name],
        );
        const fork = fetch(`${second.url}${CHROMA}/${rows[0].id}/fork`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ new_name: `${name}_fork` }),
        }).then(async (r) => ({ status: r.status, text: await r.text() }));
        await until('the fork waiting for its name', waitingForLocks, (n) => n === 1);
        let removed = false;
        const removal = a.del(`/collections/${name}/vectors/x`).finally(() => (removed = true));
        await until(
          'the removal done, or waiting for the fork',
          async () => removed || (await waitingForLocks()) === 2,
          Boolean,
        );
        await holder.query('ROLLBACK');
        answers = await Promise.all([fork, removal]);
      } catch (err) {
        await holder.query('ROLLBACK');
        throw err;
      }
      expect(answers.map((r) => [r.status, r.text])).toEqual([
        [200, expect.any(String)],
        [200, expect.any(String)],
      ]);
      const copied = await a.post(`/collections/${name}_fork/points/scroll`, { with_vector: true });
      expect(copied.body.result.points.map((p: { id: number; vector: object }) => [p.id, p.vector])).toEqual([
        [1, { text: [1, 0], x: [2, 2] }],
      ]);
      expect(await everyPoint(name)).toEqual([[1, { text: [1, 0] }]]);
    });

    it('refuses a write of the removed vector on the stale replica, and the vector added after it keeps no value of it', async () => {
      const name = await created('v2');
      jest.spyOn(Date, 'now').mockReturnValue(Date.now());
      const upsert = (id: number, vector: Record<string, number[]>) =>
        b.put(`/collections/${name}/points?wait=true`, { points: [{ id, vector }] });
      expect((await upsert(1, { text: [1, 0], v2: [1, 1] })).status).toBe(200);

      expect((await a.del(`/collections/${name}/vectors/v2`)).status).toBe(200);
      expect((await a.put(`/collections/${name}/vectors/w`, { dense })).status).toBe(200);

      expectQdrantError(
        await upsert(2, { text: [0, 1], v2: [7, 7] }),
        400,
        'Wrong input: Not existing vector name error: v2',
      );
      expect(await everyPoint(name)).toEqual([[1, { text: [1, 0] }]]);
    });

    it('replaces a point whole through the stale replica, the vector added since included', async () => {
      const name = await created();
      jest.spyOn(Date, 'now').mockReturnValue(Date.now());
      const upsert = (through: typeof a, vector: Record<string, number[]>) =>
        through.put(`/collections/${name}/points?wait=true`, { points: [{ id: 1, vector }] });
      expect((await upsert(b, { text: [1, 0] })).status).toBe(200);

      expect((await a.put(`/collections/${name}/vectors/w`, { dense })).status).toBe(200);
      expect((await upsert(a, { text: [1, 0], w: [3, 3] })).status).toBe(200);

      // An upsert replaces the point: its w goes, though the second replica's row has no w.
      expect((await upsert(b, { text: [0, 1] })).status).toBe(200);
      expect(await everyPoint(name)).toEqual([[1, { text: [0, 1] }]]);
    });

    it('refuses a filter on a vector removed since on the stale replica, in Qdrant’s words, and deletes nothing', async () => {
      // Two collections: the stale replica reads the catalog again after its first call to each.
      const [deleted, counted] = [await created('v2'), await created('v2')];
      jest.spyOn(Date, 'now').mockReturnValue(Date.now());
      for (const name of [deleted, counted]) {
        const write = await b.put(`/collections/${name}/points?wait=true`, {
          points: [{ id: 1, vector: { text: [1, 0], v2: [1, 1] } }],
        });
        expect(write.status).toBe(200);
        expect((await a.del(`/collections/${name}/vectors/v2`)).status).toBe(200);
      }

      const filter = { must: [{ has_vector: 'v2' }] };
      const error = 'Wrong input: Not existing vector name error: v2';
      expectQdrantError(await b.post(`/collections/${deleted}/points/delete?wait=true`, { filter }), 400, error);
      expectQdrantError(await b.post(`/collections/${counted}/points/count`, { filter }), 400, error);
      expect(await everyPoint(deleted)).toEqual([[1, { text: [1, 0] }]]);
    });
  });
}
