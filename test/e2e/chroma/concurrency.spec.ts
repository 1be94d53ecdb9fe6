import { ChromaClient, type Collection } from 'chromadb';
import { loadConfig } from '../../../src/config/load-config';
import { createScratchDatabase, http, startGateway, usingPostgres, type TestGateway } from '../../support/gateway';
import { waitIndexed } from '../../support/wait';

/**
 * "Nothing lost. Every call is one transaction. Concurrency (two replicas, racing clients) must
 * not duplicate, lose or corrupt a record."
 *
 * With DATABASE_URL set, two gateways (two replicas) share one scratch database and every race is
 * split across them. On the embedded backend (PGlite is one process, one connection) the same
 * requests race through one gateway: the same assertions hold, with the interleaving done by the
 * pool instead of the server.
 *
 * The gateways build a collection's HNSW index in the background once it has a record and inserts
 * have been quiet for 50 ms (VECGATE_INDEX_MIN_ROWS=1, VECGATE_INDEX_QUIET_MS=50), so builds run
 * during the races too; with two replicas, each watches and an advisory lock lets one build.
 */

const P = '/api/v2/tenants/default_tenant/databases/default_database';
const INDEXING = { ...loadConfig({}).indexing, minRows: 1, quietMs: 50 };

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);
const pad = (i: number, width = 3) => String(i).padStart(width, '0');
const sorted = <T>(values: T[]) => [...values].sort();

/** A deterministic shuffle (so a failure replays the same order). */
function shuffled<T>(values: T[], seed: number): T[] {
  const out = [...values];
  let state = seed * 2654435761 + 1;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('Chroma API under concurrency', () => {
  let scratch: { url: string; drop(): Promise<void> } | undefined;
  let gateways: TestGateway[] = [];
  let clients: ChromaClient[] = [];

  const gw = (i: number) => gateways[i % 2];
  const client = (i: number) => clients[i % 2];

  /** The collection as seen through each replica's client: [via A, via B]. */
  async function handles(name: string): Promise<Collection[]> {
    return Promise.all(clients.map((c) => c.getOrCreateCollection({ name, embeddingFunction: null })));
  }

  async function describeCollection(i: number, name: string): Promise<any> {
    const res = await http(gw(i).url, 'GET', `${P}/collections/${name}`);
    expect(res.status).toBe(200);
    return res.body;
  }

  async function everything(col: Collection) {
    return col.get({ include: ['documents', 'metadatas', 'embeddings'] });
  }

  /** How the record table of a collection is typed and indexed, read from the database itself. */
  async function storage(
    collectionId: string,
  ): Promise<{ type: string; hnswIndexes: number; validHnswIndexes: number }> {
    const db = gateways[0].db;
    const { rows } = await db.query('SELECT table_name FROM vecgate_collections WHERE id = $1', [collectionId]);
    const table = rows[0].table_name as string;
    const type = await db.query(
      `SELECT format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
       WHERE a.attrelid = to_regclass('vecgate_records.' || quote_ident($1)) AND a.attname = 'embedding'`,
      [table],
    );
    const indexes = await db.query(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE x.indisvalid)::int AS valid
       FROM pg_indexes i JOIN pg_index x ON x.indexrelid = format('%I.%I', i.schemaname, i.indexname)::regclass
       WHERE i.schemaname = 'vecgate_records' AND i.tablename = $1 AND i.indexdef ILIKE '%USING hnsw%'`,
      [table],
    );
    return { type: type.rows[0].type, hnswIndexes: indexes.rows[0].n, validHnswIndexes: indexes.rows[0].valid };
  }

  /** Deadlocks Postgres has detected in the shared database so far (its statistics, read afresh). */
  async function deadlocks(): Promise<number> {
    const { rows } = await gateways[0].db.query(
      `SELECT pg_stat_clear_snapshot(), (SELECT coalesce(sum(deadlocks), 0)::int FROM pg_stat_database WHERE datname = current_database()) AS n`,
    );
    return rows[0].n;
  }

  /**
   * Backends publish their statistics about a second after they go idle: wait a while for a change,
   * and once one shows, until the count settles (so no late report lands in the next test).
   * The embedded backend is one connection and cannot deadlock: nothing to wait for there.
   */
  async function deadlocksSince(before: number): Promise<number> {
    if (!usingPostgres()) return (await deadlocks()) - before;
    const sleep = () => new Promise((resolve) => setTimeout(resolve, 250));
    const deadline = Date.now() + 3000;
    let now = await deadlocks();
    while (now === before && Date.now() < deadline) {
      await sleep();
      now = await deadlocks();
    }
    for (let stableSince = Date.now(); now !== before && Date.now() - stableSince < 1500;) {
      await sleep();
      const next = await deadlocks();
      if (next !== now) [now, stableSince] = [next, Date.now()];
    }
    return now - before;
  }

  beforeAll(async () => {
    if (usingPostgres()) {
      scratch = await createScratchDatabase({ empty: true });
      // Two replicas booting at once on one empty database: migrations must run once, under their lock.
      gateways = await Promise.all([
        startGateway({ indexing: INDEXING }, { databaseUrl: scratch.url }),
        startGateway({ indexing: INDEXING }, { databaseUrl: scratch.url }),
      ]);
    } else {
      const only = await startGateway({ indexing: INDEXING });
      gateways = [only, only];
    }
    clients = gateways.map((g) => new ChromaClient({ host: '127.0.0.1', port: g.port }));
  });

  afterAll(async () => {
    for (const g of new Set(gateways)) await g.close();
    await scratch?.drop();
  });

  afterEach(async () => {
    // No race left a record table without a catalog row, or a catalog row without its table.
    const { rows } = await gateways[0].db.query(
      `SELECT (SELECT count(*) FROM pg_tables WHERE schemaname = 'vecgate_records')::int AS tables,
              (SELECT count(*) FROM vecgate_collections)::int AS collections,
              (SELECT count(*) FROM vecgate_collections WHERE to_regclass('vecgate_records.' || quote_ident(table_name)) IS NULL)::int AS missing`,
    );
    expect(rows[0]).toEqual({ tables: rows[0].collections, collections: rows[0].collections, missing: 0 });
  });

  it('runs two replicas on one database when DATABASE_URL is set, one embedded gateway otherwise', () => {
    if (usingPostgres()) {
      expect(gateways[0]).not.toBe(gateways[1]);
      expect(gateways.map((g) => g.backend)).toEqual(['postgres', 'postgres']);
    } else {
      expect(gateways[0]).toBe(gateways[1]);
      expect(gateways[0].backend).toBe('embedded');
    }
  });

  describe('collection creation races', () => {
    it('settles 20 concurrent get_or_create calls for one name, split across replicas, on one collection', async () => {
      const name = 'race-get-or-create';
      const results = await Promise.all(
        range(20).map((i) =>
          client(i).getOrCreateCollection({ name, metadata: { caller: i }, embeddingFunction: null }),
        ),
      );
      const ids = new Set(results.map((c) => c.id));
      expect(ids.size).toBe(1);
      // get_or_create returns the existing collection unchanged: every caller sees the winner's metadata.
      expect(new Set(results.map((c) => JSON.stringify(c.metadata))).size).toBe(1);
      for (const c of clients) {
        const named = (await c.listCollections()).filter((col) => col.name === name);
        expect(named.map((col) => col.id)).toEqual([...ids]);
      }
      const { rows } = await gateways[1].db.query(
        'SELECT count(*)::int AS n FROM vecgate_collections WHERE name = $1',
        [name],
      );
      expect(rows[0].n).toBe(1);
    });

    it('lets exactly one of 12 concurrent creates of one name succeed; the others get 409, never a 500', async () => {
      const name = 'race-create';
      const responses = await Promise.all(range(12).map((i) => http(gw(i).url, 'POST', `${P}/collections`, { name })));
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      for (const r of responses.filter((r) => r.status !== 200)) {
        expect({ status: r.status, body: r.body }).toEqual({
          status: 409,
          body: { error: 'ChromaError', message: `Collection [${name}] already exists` },
        });
      }
      const winner = responses.find((r) => r.status === 200)!.body.id;
      expect((await describeCollection(0, name)).id).toBe(winner);
      expect((await describeCollection(1, name)).id).toBe(winner);
    });

    it('settles a fork racing the delete of its source: a whole copy, or a 404, never a 500', async () => {
      for (let round = 0; round < 6; round++) {
        const name = `race-fork-src-${round}`;
        const source = await client(0).createCollection({ name, embeddingFunction: null });
        await source.add({ ids: range(500).map((i) => `r${i}`), embeddings: range(500).map((i) => [i, 1]) });
        const [fork, deleted] = await Promise.all([
          http(gw(round).url, 'POST', `${P}/collections/${source.id}/fork`, { new_name: `race-fork-${round}` }),
          http(gw(round + 1).url, 'DELETE', `${P}/collections/${name}`),
        ]);
        expect(deleted.status).toBe(200);
        if (fork.status === 200) {
          expect((await http(gw(0).url, 'GET', `${P}/collections/${fork.body.id}/count`)).body).toBe(500);
        } else {
          expect({ status: fork.status, error: fork.body.error }).toEqual({ status: 404, error: 'NotFoundError' });
          expect((await http(gw(0).url, 'GET', `${P}/collections/race-fork-${round}`)).status).toBe(404);
        }
      }
    });

    it('gives 10 clients that each get_or_create a new collection and then add to it one collection holding every record', async () => {
      const name = 'race-cold-start';
      await Promise.all(
        range(10).map(async (k) => {
          const col = await client(k).getOrCreateCollection({ name, embeddingFunction: null });
          await col.add({
            ids: range(10).map((j) => `c${k}-${j}`),
            embeddings: range(10).map((j) => [k, j, 1]),
            metadatas: range(10).map((j) => ({ k, j })),
          });
        }),
      );
      const [viaA, viaB] = await handles(name);
      expect(viaA.id).toBe(viaB.id);
      expect(await viaA.count()).toBe(100);
      expect(await viaB.count()).toBe(100);
      expect(sorted((await viaB.get()).ids)).toEqual(
        sorted(range(10).flatMap((k) => range(10).map((j) => `c${k}-${j}`))),
      );
      expect((await describeCollection(1, name)).dimension).toBe(3);
    });
  });

  describe('first adds racing to fix the dimension', () => {
    it('fixes the dimension once when 20 first adds of the same dimension race from both replicas, keeping every record', async () => {
      const name = 'first-add-same';
      await clients[0].createCollection({ name, embeddingFunction: null });
      const [viaA, viaB] = await handles(name);
      const batch = (i: number) => ({
        ids: range(10).map((j) => `s${pad(i)}-${j}`),
        embeddings: range(10).map((j) => [i, j, 1]),
        documents: range(10).map((j) => `doc ${i}/${j}`),
      });
      await Promise.all(range(20).map((i) => (i % 2 ? viaB : viaA).add(batch(i))));

      expect((await describeCollection(0, name)).dimension).toBe(3);
      expect((await describeCollection(1, name)).dimension).toBe(3);
      // Both replicas saw the collection due for an index: one built it, once.
      await waitIndexed(
        [...new Set(gateways)].map((g) => g.url),
        viaA.id,
      );
      expect(await storage(viaA.id)).toEqual({ type: 'vector(3)', hnswIndexes: 1, validHnswIndexes: 1 });
      expect(await viaA.count()).toBe(200);
      const all = await everything(viaB);
      expect(sorted(all.ids)).toEqual(sorted(range(20).flatMap((i) => batch(i).ids)));
      all.ids.forEach((id, n) => {
        const [i, j] = id.slice(1).split('-').map(Number);
        expect(all.embeddings[n]).toEqual([i, j, 1]);
        expect(all.documents[n]).toBe(`doc ${i}/${j}`);
      });
    });

    it.each([1, 2, 3])(
      'lets exactly one dimension win when first adds of dimensions 3 and 4 race (round %i): the losers get a 400 and leave no record',
      async (round) => {
        const name = `first-add-mixed-${round}`;
        const created = await clients[round % 2].createCollection({ name, embeddingFunction: null });
        // Both replicas send both dimensions, in an order that differs per round.
        const plan = shuffled(
          range(20).map((i) => ({ i, dim: Math.floor(i / 2) % 2 ? 4 : 3 })),
          round,
        );
        const responses = await Promise.all(
          plan.map(({ i, dim }) =>
            http(gw(i).url, 'POST', `${P}/collections/${created.id}/add`, {
              ids: range(5).map((j) => `m${pad(i)}-${dim}-${j}`),
              embeddings: range(5).map((j) => Array.from({ length: dim }, (_, d) => i + j + d)),
              metadatas: range(5).map((j) => ({ i, j, dim })),
            }).then((res) => ({ i, dim, res })),
          ),
        );
        const acknowledged = responses.filter((r) => r.res.status === 201);
        const winners = new Set(acknowledged.map((r) => r.dim));
        expect(winners.size).toBe(1);
        const [won] = [...winners];
        for (const { dim, res } of responses) {
          if (dim === won) expect({ dim, status: res.status, body: res.body }).toEqual({ dim, status: 201, body: {} });
          else {
            expect({ dim, status: res.status, body: res.body }).toEqual({
              dim,
              status: 400,
              body: {
                error: 'InvalidArgumentError',
                message: `Collection expecting embedding with dimension of ${won}, got ${dim}`,
              },
            });
          }
        }

        expect((await describeCollection(0, name)).dimension).toBe(won);
        expect((await describeCollection(1, name)).dimension).toBe(won);
        await waitIndexed(
          [...new Set(gateways)].map((g) => g.url),
          created.id,
        );
        expect(await storage(created.id)).toEqual({ type: `vector(${won})`, hnswIndexes: 1, validHnswIndexes: 1 });
        const [viaA, viaB] = await handles(name);
        expect(await viaA.count()).toBe(acknowledged.length * 5);
        const all = await everything(viaB);
        expect(sorted(all.ids)).toEqual(
          sorted(acknowledged.flatMap(({ i }) => range(5).map((j) => `m${pad(i)}-${won}-${j}`))),
        );
        expect(all.embeddings.every((e) => e.length === won)).toBe(true);
        expect(all.metadatas.every((m) => m!.dim === won)).toBe(true);
        expect((await viaA.get({ where: { dim: won === 3 ? 4 : 3 } })).ids).toEqual([]);
      },
    );
  });

  describe('writes racing on the same records', () => {
    it('survives 10 clients upserting overlapping id sets in different orders: no error, no deadlock, every id once, each record one whole write', async () => {
      const name = 'upsert-race';
      const [viaA, viaB] = await handles(name);
      const WRITERS = 10;
      const ROUNDS = 3;
      const ID_COUNT = 60;
      // Writer k covers a window of 30 ids starting at 4k (wrapping): every id is written by several writers.
      const idsOf = (k: number) => range(30).map((j) => `u${pad((4 * k + j) % ID_COUNT)}`);
      const orderOf = (k: number, r: number) =>
        k % 3 === 0 ? sorted(idsOf(k)).reverse() : k % 3 === 1 ? sorted(idsOf(k)) : shuffled(idsOf(k), 31 * k + r);
      const version = (k: number, r: number) => ({ writer: k, round: r, tag: `w${k}-r${r}`, even: k % 2 === 0 });

      const deadlocksBefore = await deadlocks();
      const outcomes = await Promise.allSettled(
        range(WRITERS).map(async (k) => {
          for (let r = 0; r < ROUNDS; r++) {
            const ids = orderOf(k, r);
            await (k % 2 ? viaB : viaA).upsert({
              ids,
              embeddings: ids.map(() => [k, r, 1]),
              documents: ids.map(() => `written by ${k} in round ${r}`),
              metadatas: ids.map(() => version(k, r)),
            });
          }
        }),
      );
      // Writes take their row locks in one order (ids sorted), so none may be killed by the deadlock
      // detector: a detected deadlock costs deadlock_timeout (1 s) and a retry, and once the retries
      // run out it reaches the client as a 500.
      const rejected = outcomes
        .filter((o) => o.status === 'rejected')
        .map((o) => String((o as PromiseRejectedResult).reason));
      expect({ rejected, deadlocks: await deadlocksSince(deadlocksBefore) }).toEqual({ rejected: [], deadlocks: 0 });

      const expectedIds = sorted([...new Set(range(WRITERS).flatMap(idsOf))]);
      expect(await viaA.count()).toBe(expectedIds.length);
      const all = await everything(viaB);
      expect(all.ids.length).toBe(new Set(all.ids).size);
      expect(sorted(all.ids)).toEqual(expectedIds);
      all.ids.forEach((id, n) => {
        const meta = all.metadatas[n] as any;
        const k = meta.writer as number;
        // All fields of a record come from one write, and that write covered this id.
        expect(idsOf(k)).toContain(id);
        expect(meta).toEqual(version(k, meta.round));
        expect(all.documents[n]).toBe(`written by ${k} in round ${meta.round}`);
        expect(all.embeddings[n]).toEqual([k, meta.round, 1]);
        // Each writer's rounds are sequential, so the last write to any id is some writer's last round.
        expect(meta.round).toBe(ROUNDS - 1);
      });
    });

    it('keeps the original of every id when 12 clients add the same ids concurrently: no error, no deadlock, each new id exactly once', async () => {
      const name = 'add-race';
      const [viaA, viaB] = await handles(name);
      const originals = range(20).map((j) => `o${pad(j)}`);
      await viaA.add({
        ids: originals,
        embeddings: originals.map(() => [0, 0, 0]),
        documents: originals.map(() => 'original'),
        metadatas: originals.map(() => ({ writer: 'original' })),
      });
      const fresh = range(20).map((j) => `n${pad(j)}`);
      const deadlocksBefore = await deadlocks();
      const responses = await Promise.all(
        range(12).map((k) => {
          const ids = shuffled([...originals, ...fresh], k);
          return http(gw(k).url, 'POST', `${P}/collections/${viaA.id}/add`, {
            ids,
            embeddings: ids.map(() => [k + 1, k + 1, k + 1]),
            documents: ids.map(() => `added by ${k}`),
            metadatas: ids.map(() => ({ writer: `w${k}` })),
          });
        }),
      );
      expect({
        responses: responses.map((r) => `${r.status} ${r.text}`),
        deadlocks: await deadlocksSince(deadlocksBefore),
      }).toEqual({
        responses: range(12).map(() => '201 {}'),
        deadlocks: 0,
      });

      expect(await viaB.count()).toBe(40);
      const all = await everything(viaB);
      expect(sorted(all.ids)).toEqual(sorted([...originals, ...fresh]));
      all.ids.forEach((id, n) => {
        if (id.startsWith('o')) {
          expect({ id, document: all.documents[n], metadata: all.metadatas[n], embedding: all.embeddings[n] }).toEqual({
            id,
            document: 'original',
            metadata: { writer: 'original' },
            embedding: [0, 0, 0],
          });
        } else {
          const writer = (all.metadatas[n] as any).writer as string;
          const k = Number(writer.slice(1));
          expect(writer).toMatch(/^w\d+$/);
          expect(all.documents[n]).toBe(`added by ${k}`);
          expect(all.embeddings[n]).toEqual([k + 1, k + 1, k + 1]);
        }
      });
    });

    it('ends in exactly the predicted state, with no error, when deletes, adds, upserts and updates on disjoint ids race with reads', async () => {
      const name = 'mixed-race';
      const [viaA, viaB] = await handles(name);
      const via = (i: number) => (i % 2 ? viaB : viaA);
      const e = (i: number) => `e${pad(i)}`;
      const n = (i: number) => `n${pad(i)}`;
      const seed = range(200);
      await viaA.add({
        ids: seed.map(e),
        embeddings: seed.map((i) => [i, 0, 1]),
        documents: seed.map((i) => `seed ${i}`),
        metadatas: seed.map((i) => ({ grp: i < 50 ? 'doomed' : 'kept', i })),
      });

      const deadlocksBefore = await deadlocks();
      const work: Promise<unknown>[] = [];
      // e000–e049 go by a where filter (twice, from both replicas: deleting is idempotent).
      work.push(viaA.delete({ where: { grp: 'doomed' } }), viaB.delete({ where: { grp: 'doomed' } }));
      // e050–e099 go by id, in ten batches.
      for (let b = 0; b < 10; b++) work.push(via(b).delete({ ids: range(5, 50 + 5 * b).map(e) }));
      // n000–n199 arrive in twenty batches.
      for (let b = 0; b < 20; b++) {
        const ids = range(10, 10 * b);
        work.push(
          via(b + 1).add({
            ids: ids.map(n),
            embeddings: ids.map((i) => [i, 1, 1]),
            documents: ids.map((i) => `new ${i}`),
            metadatas: ids.map((i) => ({ grp: 'new', i })),
          }),
        );
      }
      // e100–e149 are upserted, e150–e159 updated; e160–e199 are left alone.
      for (let b = 0; b < 5; b++) {
        const ids = range(10, 100 + 10 * b);
        work.push(
          via(b).upsert({
            ids: ids.map(e),
            embeddings: ids.map((i) => [i, 2, 2]),
            metadatas: ids.map(() => ({ touched: true })),
          }),
        );
      }
      work.push(
        viaB.update({
          ids: range(10, 150).map(e),
          embeddings: range(10, 150).map((i) => [i, 3, 3]),
          documents: range(10, 150).map((i) => `updated ${i}`),
        }),
      );
      // Reads racing the writes must not fail either.
      for (let b = 0; b < 10; b++) {
        work.push(
          via(b).count(),
          via(b + 1).get({ where: { grp: 'kept' }, limit: 20 }),
          via(b).query({ queryEmbeddings: [[b, 0, 1]], nResults: 5 }),
        );
      }
      const outcomes = await Promise.allSettled(work);
      const rejected = outcomes
        .filter((o) => o.status === 'rejected')
        .map((o) => String((o as PromiseRejectedResult).reason));
      expect({ rejected, deadlocks: await deadlocksSince(deadlocksBefore) }).toEqual({ rejected: [], deadlocks: 0 });

      const expectedIds = sorted([...range(100, 100).map(e), ...range(200).map(n)]);
      expect(await viaA.count()).toBe(300);
      expect(await viaB.count()).toBe(300);
      const all = await everything(viaA);
      expect(sorted(all.ids)).toEqual(expectedIds);
      const byId = new Map(
        all.ids.map((id, k) => [
          id,
          { document: all.documents[k], metadata: all.metadatas[k], embedding: all.embeddings[k] },
        ]),
      );
      for (let i = 100; i < 200; i++) {
        const expected =
          i < 150
            ? { document: `seed ${i}`, metadata: { grp: 'kept', i, touched: true }, embedding: [i, 2, 2] }
            : i < 160
              ? { document: `updated ${i}`, metadata: { grp: 'kept', i }, embedding: [i, 3, 3] }
              : { document: `seed ${i}`, metadata: { grp: 'kept', i }, embedding: [i, 0, 1] };
        expect({ id: e(i), ...byId.get(e(i)) }).toEqual({ id: e(i), ...expected });
      }
      for (let i = 0; i < 200; i++) {
        expect({ id: n(i), ...byId.get(n(i)) }).toEqual({
          id: n(i),
          document: `new ${i}`,
          metadata: { grp: 'new', i },
          embedding: [i, 1, 1],
        });
      }
      expect((await viaB.get({ where: { grp: 'doomed' } })).ids).toEqual([]);
    });
  });
});
