import { ChromaClient } from 'chromadb';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadConfig } from '../../../src/config/load-config';
import { Database, type Queryable } from '../../../src/database/database';
import { MAX_PREPARED_PER_CONNECTION, plannedOnce, statementName } from '../../../src/database/prepared-statements';
import { openTestDatabase } from '../../support/database';
import { createScratchDatabase, startGateway, usingPostgres, type TestGateway } from '../../support/gateway';
import { until, waitIndexed } from '../../support/wait';

/**
 * Statements with parameters go as named prepared statements (PreparingClient): parsed once per
 * connection, still planned for each call's values (but on a real PostgreSQL, unfiltered searches
 * are planned once on connections of their own), bounded per connection, and prepared again when
 * what they return changed under them. The embedded backend's one session is shared by every
 * client made on it, and is new after a stopped statement restarts its thread; there, what is
 * marked as planned once (plannedOnce) is planned once and the rest for each call, on the one
 * session. Each backend's behaviour is checked when the run selects it.
 */

/** Runs `work` on one pooled connection (the session whose prepared statements are asked about). */
const onOneConnection = <T>(db: Database, work: (conn: Queryable) => Promise<T>) => db.withSessionSettings({}, work);

const preparedNames = async (conn: Queryable): Promise<string[]> =>
  (await conn.query(`SELECT name FROM pg_prepared_statements WHERE name LIKE 'vg\\_%'`)).rows.map((r) => r.name);

/** How often each of these prepared statements was planned generically and for its values, by text. */
async function planCounts(conn: Queryable, texts: string[]): Promise<{ generic: number; custom: number }[]> {
  const { rows } = await conn.query<{ name: string; generic: number; custom: number }>(
    `SELECT name, generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements`,
  );
  const byName = new Map(rows.map(({ name, ...counts }) => [name, counts]));
  return texts.map((text) => byName.get(statementName(text)) ?? { generic: 0, custom: 0 });
}

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

    it('plans once on the one session what is marked so, and every other statement for its values', async () => {
      const { db } = handle;
      // A value that leaves nearly every row and values that leave one: planned for its values, a
      // filter on k reads the table for the first and the index for the others.
      await db.query(`CREATE TABLE plan_probe (k int NOT NULL, pad text NOT NULL)`);
      await db.query(
        `INSERT INTO plan_probe SELECT CASE WHEN i <= 10 THEN i ELSE 0 END, repeat('x', 50) FROM generate_series(1, 2000) i`,
      );
      await db.query(`CREATE INDEX plan_probe_k ON plan_probe (k)`);
      await db.query(`ANALYZE plan_probe`);
      const filtered = `SELECT count(*)::int AS n FROM plan_probe WHERE k = $1`;
      const once = plannedOnce(`SELECT count(*)::int AS n FROM plan_probe WHERE k = $1 AND pad <> $2`);
      const walk = plannedOnce(`SELECT k FROM plan_probe WHERE k = $1 ORDER BY pad LIMIT $2`, 'walk');
      const n = async (conn: Queryable, text: string, values: unknown[]) => (await conn.query(text, values)).rows[0]?.n;
      const texts = [filtered, once, walk];
      const before = await planCounts(db, texts);
      await onOneConnection(db, async (conn) => {
        expect(await n(conn, once, [0, ''])).toBe(1990);
        expect(await n(conn, filtered, [0])).toBe(1990);
        expect(await n(conn, once, [1, ''])).toBe(1);
        expect(await n(conn, filtered, [1])).toBe(1);
        expect((await conn.query(walk, [2, 5])).rows).toEqual([{ k: 2 }]);
        expect(await n(conn, filtered, [2])).toBe(1);
        expect(await n(conn, once, [3, ''])).toBe(1);
      });
      // Inside a transaction block a switch is SET LOCAL: neither a rollback nor a commit can leave
      // the session planning otherwise than recorded.
      expect(await n(db, filtered, [0])).toBe(1990);
      const rolledBack = new Error('rolled back');
      await expect(
        db.transaction(async (tx) => {
          expect(await n(tx, filtered, [0])).toBe(1990);
          expect(await n(tx, once, [4, ''])).toBe(1);
          throw rolledBack;
        }),
      ).rejects.toBe(rolledBack);
      expect(await n(db, once, [5, ''])).toBe(1);
      await db.transaction(async (tx) => expect(await n(tx, filtered, [6])).toBe(1));
      expect(await n(db, once, [7, ''])).toBe(1);
      expect(await n(db, filtered, [8])).toBe(1);
      // A walk prices sorts out; a simple query (planned for its text) after it does not.
      expect((await db.query(walk, [9, 5])).rows).toEqual([{ k: 9 }]);
      expect((await db.query('SHOW enable_sort')).rows[0].enable_sort).toBe('on');
      // The settings each kind of statement runs under.
      const settings = async (text: string) =>
        (await db.query(text, ['plan_cache_mode', 'enable_sort'])).rows[0] as { mode: string; sort: string };
      const settingsSql = `SELECT current_setting($1) AS mode, current_setting($2) AS sort`;
      expect(await settings(plannedOnce(settingsSql, 'walk'))).toEqual({ mode: 'force_generic_plan', sort: 'off' });
      expect(await settings(settingsSql)).toEqual({ mode: 'force_custom_plan', sort: 'on' });
      expect(await settings(plannedOnce(settingsSql, 'walk'))).toEqual({ mode: 'force_generic_plan', sort: 'off' });
      expect(await settings(plannedOnce(settingsSql))).toEqual({ mode: 'force_generic_plan', sort: 'on' });
      const after = await planCounts(db, texts);
      expect(
        after.map((a, i) => ({ generic: a.generic - before[i].generic, custom: a.custom - before[i].custom })),
      ).toEqual([
        { generic: 0, custom: 7 },
        { generic: 6, custom: 0 },
        { generic: 2, custom: 0 },
      ]);
      await db.query('DROP TABLE plan_probe');
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

  /** A Chroma collection of three 2-dimensional records, two of them with k = 1. */
  async function threeRecords(name: string) {
    const chroma = new ChromaClient({ host: '127.0.0.1', port: gw.port });
    const col = await chroma.createCollection({ name, embeddingFunction: null });
    await col.add({
      ids: ['a', 'b', 'c'],
      embeddings: [
        [1, 0],
        [0, 1],
        [1, 1],
      ],
      metadatas: [{ k: 1 }, { k: 2 }, { k: 1 }],
    });
    return col;
  }

  if (usingPostgres()) {
    it('plans an unfiltered search once per connection, and a filtered one for each call', async () => {
      const col = await threeRecords('planned-once');
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

  if (!usingPostgres()) {
    it('plans once on the embedded session what cannot depend on its values, and filtered calls for each call', async () => {
      const col = await threeRecords('planned-once-embedded');
      type Plans = Record<string, { generic: number; custom: number }>;
      // The plans of the statements of each kind, by how their names say they are planned.
      const plans = async (): Promise<Plans> => {
        const { rows } = await gw.db.query<{ kind: string; generic: number; custom: number }>(
          `SELECT CASE WHEN statement LIKE '%<->%' THEN 'search'
                       WHEN statement LIKE '%FROM vecgate_record_counts WHERE collection_id%' THEN 'count'
                       WHEN statement LIKE '%ORDER BY seq LIMIT%' THEN 'get' END
                  || ' ' || substring(name FROM '^vg[ow]?_') AS kind,
                  sum(generic_plans)::int AS generic, sum(custom_plans)::int AS custom
           FROM pg_prepared_statements GROUP BY 1`,
        );
        return Object.fromEntries(rows.filter((r) => r.kind !== null).map(({ kind, ...counts }) => [kind, counts]));
      };
      const planned = async (calls: () => Promise<unknown>): Promise<Plans> => {
        const before = await plans();
        for (let i = 0; i < 3; i++) await calls();
        const after = await plans();
        const changed: Plans = {};
        for (const [kind, { generic, custom }] of Object.entries(after)) {
          const was = before[kind] ?? { generic: 0, custom: 0 };
          if (generic !== was.generic || custom !== was.custom)
            changed[kind] = { generic: generic - was.generic, custom: custom - was.custom };
        }
        return changed;
      };
      const unfiltered = async () =>
        expect((await col.query({ queryEmbeddings: [[1, 0]], nResults: 2 })).ids).toEqual([['a', 'c']]);
      await waitIndexed(gw.url, col.id);
      // The catalog row cached before the build says "no index" for up to a second (an exact read).
      await until(
        'an unfiltered search walking the HNSW index',
        async () => (await unfiltered(), (await plans())['search vgw_']?.generic ?? 0),
        (walks) => walks > 0,
      );
      expect(await planned(unfiltered)).toEqual({ 'search vgw_': { generic: 3, custom: 0 } });
      expect(await planned(() => col.count())).toEqual({ 'count vgo_': { generic: 3, custom: 0 } });
      expect(await planned(() => col.get({ ids: ['a', 'c'] }))).toEqual({ 'get vgo_': { generic: 3, custom: 0 } });
      // Filtered: planned for each call's values, whatever ran on the session before each.
      expect(
        await planned(async () => {
          await unfiltered();
          expect((await col.get({ where: { k: 1 } })).ids).toEqual(['a', 'c']);
          await col.count();
          expect((await col.query({ queryEmbeddings: [[1, 0]], nResults: 2, where: { k: 1 } })).ids).toEqual([
            ['a', 'c'],
          ]);
        }),
      ).toEqual({
        'search vgw_': { generic: 3, custom: 0 },
        'search vg_': { generic: 0, custom: 3 },
        'get vg_': { generic: 0, custom: 3 },
        'count vgo_': { generic: 3, custom: 0 },
      });
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
