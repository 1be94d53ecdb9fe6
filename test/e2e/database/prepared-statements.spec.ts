import { ChromaClient } from 'chromadb';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadConfig } from '../../../src/config/load-config';
import { Database, type Queryable } from '../../../src/database/database';
import { MAX_PREPARED_PER_CONNECTION, statementName } from '../../../src/database/prepared-statements';
import { openTestDatabase } from '../../support/database';
import { createScratchDatabase, startGateway, usingPostgres, type TestGateway } from '../../support/gateway';
import { until, waitIndexed } from '../../support/wait';

/**
 * Statements with parameters go as named prepared statements (PreparingClient): parsed once per
 * connection, still planned for each call's values (but on a real PostgreSQL, unfiltered searches
 * are planned once on connections of their own), bounded per connection, and prepared again when
 * what they return changed under them. The embedded backend's one session is shared by every
 * client made on it, and is new after a stopped statement restarts its thread. Each backend's
 * behaviour is checked when the run selects it.
 */

/** Runs `work` on one pooled connection (the session whose prepared statements are asked about). */
const onOneConnection = <T>(db: Database, work: (conn: Queryable) => Promise<T>) => db.withSessionSettings({}, work);

const preparedNames = async (conn: Queryable): Promise<string[]> =>
  (await conn.query(`SELECT name FROM pg_prepared_statements WHERE name LIKE 'vg\\_%'`)).rows.map((r) => r.name);

describe('prepared statements', () => {
  let handle: { db: Database; close(): Promise<void> };

  beforeAll(async () => {
    handle = await openTestDatabase();
  });

  afterAll(async () => {
    await handle?.close();
  });

  if (usingPostgres()) {
    it('prepares a statement with parameters once per connection and plans it for each call', async () => {
      const text = `SELECT $1::int + 1 AS n /* prepared-once */`;
      await onOneConnection(handle.db, async (conn) => {
        expect((await conn.query(text, [1])).rows[0].n).toBe(2);
        expect((await conn.query(text, [41])).rows[0].n).toBe(42);
        expect(await preparedNames(conn)).toContain(statementName(text));
        expect((await conn.query('SHOW plan_cache_mode')).rows[0].plan_cache_mode).toBe('force_custom_plan');
      });
    });

    it('plans once on the connections asked for that, and takes a per-call one when those are all busy', async () => {
      const text = `SELECT $1::int * 2 AS n /* planned once */`;
      const planOnce = <T>(work: (conn: Queryable) => Promise<T>) =>
        handle.db.withSessionSettings({}, work, { planOnce: true });
      const mode = async (conn: Queryable) => (await conn.query('SHOW plan_cache_mode')).rows[0].plan_cache_mode;
      await planOnce(async (conn) => {
        for (let i = 1; i <= 3; i++) expect((await conn.query(text, [i])).rows[0].n).toBe(2 * i);
        expect(await mode(conn)).toBe('force_generic_plan');
        // Only walks run there: a generic plan, pricing LIMIT $n as a tenth of the table, would
        // read the table and sort it at a wide ef_search instead of the walk the tuner measured.
        expect((await conn.query('SHOW enable_sort')).rows[0].enable_sort).toBe('off');
        const { rows } = await conn.query(
          `SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = $1`,
          [statementName(text)],
        );
        expect(rows).toEqual([{ generic_plans: '3', custom_plans: '0' }]);
      });
      // Hold every plan-once connection: the next call must not wait for one.
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const holders: Promise<unknown>[] = [];
      const holding: Promise<void>[] = [];
      for (let i = 0; i < 5; i++) {
        let entered!: () => void;
        holding.push(new Promise<void>((resolve) => (entered = resolve)));
        holders.push(planOnce(async () => (entered(), held)));
      }
      await Promise.all(holding);
      try {
        const modeWhileBusy = await Promise.race([
          planOnce(mode),
          new Promise((resolve) => setTimeout(() => resolve('waited 5 s'), 5000)),
        ]);
        expect(modeWhileBusy).toBe('force_custom_plan');
        expect(await planOnce(async (conn) => (await conn.query('SHOW enable_sort')).rows[0].enable_sort)).toBe('on');
      } finally {
        release();
        await Promise.all(holders);
      }
    });

    it('lets go of a result once its caller has: young collections do not promote it', async () => {
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('gc') as (options?: { type: 'minor' | 'major' }) => void;
      const oldSpace = () =>
        getHeapSpaceStatistics().find((space) => space.space_name === 'old_space')!.space_used_size;
      const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
      await onOneConnection(handle.db, async (conn) => {
        gc();
        await tick();
        const before = oldSpace();
        // 50 results of 400 kB each, each dropped before the next call; only young collections run.
        for (let i = 0; i < 50; i++) {
          const { rows } = await conn.query(`SELECT repeat('x', 4000) AS text FROM generate_series(1, $1::int)`, [100]);
          expect(rows).toHaveLength(100);
          await tick();
          gc({ type: 'minor' });
        }
        // Through node-postgres's own promise about 5 MB of them were promoted; let go, next to none.
        expect((oldSpace() - before) / 1e6).toBeLessThan(2);
      });
    });

    it('prepares nothing when VECGATE_PREPARED_STATEMENTS is off', async () => {
      const scratch = await createScratchDatabase();
      const db = new Database({ ...loadConfig({ VECGATE_PREPARED_STATEMENTS: 'false' }), databaseUrl: scratch.url });
      try {
        await db.open();
        await onOneConnection(db, async (conn) => {
          expect((await conn.query(`SELECT $1::int AS n /* unprepared */`, [7])).rows[0].n).toBe(7);
          expect(await preparedNames(conn)).toEqual([]);
        });
      } finally {
        await db.close();
        await scratch.drop();
      }
    });
  } else {
    it('prepares a statement with parameters once on the embedded session, planned for each call', async () => {
      const text = `SELECT $1::int + 1 AS n /* prepared embedded */`;
      await onOneConnection(handle.db, async (conn) => {
        expect((await conn.query(text, [1])).rows[0].n).toBe(2);
        expect((await conn.query(text, [41])).rows[0].n).toBe(42);
        expect(await preparedNames(conn)).toContain(statementName(text));
        expect((await conn.query('SHOW plan_cache_mode')).rows[0].plan_cache_mode).toBe('force_custom_plan');
      });
      // A connection made after that one (own connections are closed after use) finds it prepared
      // on the one session, and neither prepares it again (42P05) nor fails.
      await handle.db.withOwnConnection(async (conn) => {
        expect((await conn.query(text, [2])).rows[0].n).toBe(3);
      });
      await onOneConnection(handle.db, async (conn) => expect((await conn.query(text, [3])).rows[0].n).toBe(4));
    });
  }

  it('sends statements unnamed once a session holds as many as the cap allows', async () => {
    // A database of its own: its connection stays full of prepared statements.
    const own = await openTestDatabase();
    await onOneConnection(own.db, async (conn) => {
      for (let i = 0; i < MAX_PREPARED_PER_CONNECTION + 20; i++) {
        expect((await conn.query(`SELECT $1::int AS n /* shape ${i} */`, [i])).rows[0].n).toBe(i);
      }
      const names = await preparedNames(conn);
      expect(names.length).toBe(MAX_PREPARED_PER_CONNECTION);
      expect(names).not.toContain(statementName(`SELECT $1::int AS n /* shape ${MAX_PREPARED_PER_CONNECTION + 19} */`));
    }).finally(() => own.close());
  });

  it('answers a statement again after the type of a column it returns changed', async () => {
    const { db } = handle;
    await db.query(`CREATE TABLE stale_probe (id text PRIMARY KEY, embedding vector)`);
    await db.query(`INSERT INTO stale_probe VALUES ('a', '[1,2,3]')`);
    const read = `SELECT embedding::text AS e, embedding FROM stale_probe WHERE id = $1`;
    expect((await db.query(read, ['a'])).rows[0].e).toBe('[1,2,3]');
    // What fixing a collection's dimension does: the column's typmod, so the result's type, changes.
    await db.query(`ALTER TABLE stale_probe ALTER COLUMN embedding TYPE vector(3)`);
    expect((await db.query(read, ['a'])).rows[0].e).toBe('[1,2,3]');
    await onOneConnection(db, async (conn) => expect((await conn.query(read, ['a'])).rows[0].e).toBe('[1,2,3]'));
    await db.transaction(async (tx) => expect((await tx.query(read, ['a'])).rows[0].e).toBe('[1,2,3]'));
  });
});

describe('prepared statements through the gateway', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    // One connection per pool and no sampled checks: the plan counts below are read on the
    // connection the searches ran on, which background work on the pool (the import runner's,
    // index builder's and tuner's ticks, recall checks) could otherwise take in between.
    // An HNSW index for the smallest collection (an unindexed one is read exactly, planned per call),
    // and no tuner: the walk runs at the configured ef_search, as a walk of the whole table.
    gw = await startGateway({
      poolSize: 1,
      indexing: { ...loadConfig({}).indexing, trafficShare: 0, minRows: 1, quietMs: 50, recallTarget: 0 },
    });
  });

  afterAll(async () => {
    await gw?.close();
  });

  if (usingPostgres()) {
    it('plans an unfiltered search once per connection, and a filtered one for each call', async () => {
      const chroma = new ChromaClient({ host: '127.0.0.1', port: gw.port });
      const col = await chroma.createCollection({ name: 'planned-once', embeddingFunction: null });
      await col.add({
        ids: ['a', 'b', 'c'],
        embeddings: [
          [1, 0],
          [0, 1],
          [1, 1],
        ],
        metadatas: [{ k: 1 }, { k: 2 }, { k: 1 }],
      });
      const searches = (conn: Queryable) =>
        conn.query<{ generic: number; custom: number }>(
          `SELECT coalesce(sum(generic_plans), 0)::int AS generic, coalesce(sum(custom_plans), 0)::int AS custom
           FROM pg_prepared_statements WHERE statement LIKE '%<->%'`,
        );
      const plans = async (planOnce: boolean) => (await gw.db.withSessionSettings({}, searches, { planOnce })).rows[0];
      const unfiltered = async () =>
        expect((await col.query({ queryEmbeddings: [[1, 0]], nResults: 2 })).ids).toEqual([['a', 'c']]);
      await waitIndexed(gw.url, col.id);
      // The catalog row cached before the build says "no index" for up to a second (a search of an
      // unindexed table is exact): searched until a search is planned once.
      await until(
        'an unfiltered search walking the HNSW index, planned once',
        async () => (await unfiltered(), plans(true)),
        (p) => p.generic > 0,
      );
      const once = await plans(true);
      for (let i = 0; i < 3; i++) await unfiltered();
      const onceAfter = await plans(true);
      expect({ generic: onceAfter.generic - once.generic, custom: onceAfter.custom - once.custom }).toEqual({
        generic: 3,
        custom: 0,
      });
      const filtered = async () =>
        expect((await col.query({ queryEmbeddings: [[1, 0]], nResults: 2, where: { k: 1 } })).ids).toEqual([
          ['a', 'c'],
        ]);
      // The first filter on `k` notes the key for statistics, which the index builder gathers on a
      // connection of the pool: counted once that is done, on the connection the searches then use.
      await filtered();
      await until(
        'the statistics of key k gathered',
        async () =>
          (await gw.db.query(`SELECT count(*)::int AS n FROM vecgate_range_keys WHERE kind = 'values' AND analyzed`))
            .rows[0].n,
        (n) => n > 0,
      );
      const perCall = await plans(false);
      for (let i = 0; i < 3; i++) await filtered();
      const perCallAfter = await plans(false);
      expect({
        generic: perCallAfter.generic - perCall.generic,
        custom: perCallAfter.custom - perCall.custom,
      }).toEqual({ generic: 0, custom: 3 });
    });
  }

  // Reads return vectors as text today, whose type no dimension changes; this keeps such reads
  // answering whichever way a later change returns them.
  it('answers reads with embeddings prepared before the first add fixed the dimension, after it', async () => {
    const chroma = new ChromaClient({ host: '127.0.0.1', port: gw.port });
    const col = await chroma.createCollection({ name: 'dimension-fixed-later', embeddingFunction: null });
    // Prepared while the vector column has no dimension yet.
    expect((await col.get({ include: ['embeddings' as never] })).ids).toEqual([]);
    await col.add({
      ids: ['a', 'b'],
      embeddings: [
        [1, 0, 0],
        [0, 1, 0],
      ],
      documents: ['first', 'second'],
    });
    for (let i = 0; i < 3; i++) {
      const got = await col.get({ include: ['embeddings' as never, 'documents' as never] });
      expect(got.ids).toEqual(['a', 'b']);
      expect(got.embeddings).toEqual([
        [1, 0, 0],
        [0, 1, 0],
      ]);
      const found = await col.query({
        queryEmbeddings: [[1, 0, 0]],
        nResults: 1,
        include: ['embeddings' as never, 'distances' as never],
      });
      expect(found.ids).toEqual([['a']]);
      expect(found.embeddings).toEqual([[[1, 0, 0]]]);
    }
  });
});
