import { DEFAULT_INDEX } from '../../../src/core/collections/collection.model';
import { RecordTableRepository } from '../../../src/core/collections/record-table.repository';
import { ALL, type FilterNode } from '../../../src/core/filters/filter-ast';
import { DenseVector } from '../../../src/core/records/dense-vector';
import { DEFAULT_DATABASE, DEFAULT_TENANT } from '../../../src/core/scope';
import type { Database } from '../../../src/database/database';
import type { Queryable } from '../../../src/database/queryable';
import { coreServices } from '../../support/core-services';
import { openTestDatabase } from '../../support/database';
import { prng } from '../../support/pinecone';
import { usingPostgres } from '../../support/gateway';

const scope = { tenant: DEFAULT_TENANT, database: DEFAULT_DATABASE };
/**
 * The collections of 20,000 records and more are of 32 dimensions with a lean graph (m 4,
 * ef_construction 8): their plans are those of any other, their loads and builds quicker.
 */
const dimensionOf = (records: number) => (records >= 20_000 ? 32 : 128);
const indexOf = (records: number) =>
  records >= 20_000 ? { ...DEFAULT_INDEX, m: 4, efConstruction: 8 } : DEFAULT_INDEX;
/** PostgreSQL's disable_cost: a plan priced past it took a path its connection's settings price out. */
const DISABLE_COST = 1e10;
const INCLUDE = { embeddings: false, documents: true, metadatas: true, uris: false };
const BATCH = 5000;

/** A statement a search sent, with the plan PostgreSQL ran it by on the connection it was sent on. */
interface Explained {
  sql: string;
  cost: number;
  jit: boolean;
  jitSetting: string;
}

/**
 * Every statement of a query, a get and a count, on collections of 10, 300 and 5,000 records (the
 * last with its HNSW index), read back with EXPLAIN ANALYZE on the connection it ran on, with that
 * connection's session settings (issue 49): none is JIT-compiled, and none is priced past a path
 * its connection's settings price out. An exact search sent to the connections that plan walks
 * once (a sort priced out there) was priced past jit_above_cost, and a 2 ms search of 300
 * records took 70 ms.
 */
describe('search statements are priced for the path they take', () => {
  let db: Database;
  let close: () => Promise<void>;
  let services: ReturnType<typeof coreServices>;
  const explained: Explained[] = [];

  /** Runs each statement on `conn`, then EXPLAIN ANALYZEs it there (what it read, how it was planned). */
  function explaining(conn: Queryable): Queryable {
    return {
      query: async (text: string, values?: unknown[]) => {
        const result = await conn.query(text, values);
        // Embedded, a statement planned once carries its mark ahead of the SELECT (prepared-statements.ts).
        if (/^\s*(\/\*[^*]*\*\/\s*)?SELECT/i.test(text)) {
          const { rows } = await conn.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, values);
          const raw = rows[0]['QUERY PLAN'];
          const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw)[0];
          const setting =
            db.backend === 'postgres' ? (await conn.query(`SELECT current_setting('jit') AS jit`)).rows : [];
          explained.push({
            sql: text,
            cost: plan.Plan['Total Cost'],
            jit: 'JIT' in plan,
            jitSetting: setting[0]?.jit ?? 'none',
          });
        }
        return result;
      },
    } as Queryable;
  }

  beforeAll(async () => {
    ({ db, close } = await openTestDatabase());
    services = coreServices(db);
    // Every statement a search sends, on the connection it is sent on.
    const withSettings = db.withSessionSettings.bind(db);
    jest
      .spyOn(db, 'withSessionSettings')
      .mockImplementation((settings, work, options) =>
        withSettings(settings, (conn) => work(explaining(conn)), options),
      );
    Object.defineProperty(db, 'reads', { value: explaining(db.reads) });
    Object.defineProperty(db, 'readsPlannedOnce', { value: explaining(db.readsPlannedOnce) });
  }, 120_000);
  afterAll(async () => {
    jest.restoreAllMocks();
    await close();
  });

  async function collectionOf(records: number, indexed: boolean): Promise<string> {
    const dimension = dimensionOf(records);
    const { id, tableName } = await services.collections.create(
      scope,
      {
        name: `plans-${records}`,
        dimension,
        metric: 'cosine',
        index: indexOf(records),
        metadata: null,
        extras: {},
        schema: null,
        vectors: [],
      },
      false,
    );
    const next = prng(records);
    for (let from = 0; from < records; from += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, records - from) }, (_, k) => ({
        id: `r${from + k}`,
        embedding: DenseVector.fromNumbers(Array.from({ length: dimension }, () => next() * 2 - 1)),
        document: `document ${from + k}`,
        metadata: { g: (from + k) % 10, year: 1900 + ((from + k) % 125) },
      }));
      await services.records.write(scope, id, 'add', batch);
    }
    const tables = new RecordTableRepository();
    // On a connection of its own, as the index builder builds: no request's time limit.
    if (indexed)
      await db.withOwnConnection((conn) => tables.buildIndex(conn, tableName, dimension, 'cosine', indexOf(records)));
    await tables.analyze(db, tableName);
    services.collections.forget(id);
    return id;
  }

  const queryOf = (records: number) =>
    DenseVector.fromNumbers(Array.from({ length: dimensionOf(records) }, (_, i) => Math.sin(i)));
  const FILTERS: [string, FilterNode][] = [
    ['no filter', ALL],
    ['an equality keeping a tenth', { kind: 'eq', key: 'g', value: 3 }],
    ['a range keeping most', { kind: 'range', key: 'year', operator: '>=', value: 1905 }],
  ];

  // 100,000 on PostgreSQL only: JIT is PostgreSQL's, and PGlite would take minutes to load them.
  const sizes: [number, boolean][] = [
    [10, false],
    [300, false],
    [5000, true],
    [20_000, true],
  ];
  if (usingPostgres()) sizes.push([100_000, true]);

  it.each(sizes)('on %i records (HNSW index: %s)', async (records, indexed) => {
    const id = await collectionOf(records, indexed);
    const query = queryOf(records);
    explained.length = 0;
    for (const [, filter] of FILTERS) {
      const found = await services.records.nearest(scope, id, { vectors: [query], n: 10, filter, include: INCLUDE });
      expect(found.lists[0].length).toBeGreaterThan(0);
      await services.records.find(scope, id, { filter, include: INCLUDE, limit: 10, offset: 0 });
    }
    expect(await services.records.count(scope, id)).toBe(records);
    const searches = explained.filter((e) => /ORDER BY/.test(e.sql));
    expect(searches.length).toBeGreaterThanOrEqual(FILTERS.length * 2);
    for (const e of explained) {
      expect({ sql: e.sql, jit: e.jit }).toEqual({ sql: e.sql, jit: false });
      expect({ sql: e.sql, cost: e.cost }).toEqual({ sql: e.sql, cost: expect.any(Number) });
      expect({ sql: e.sql, priced: e.cost < DISABLE_COST }).toEqual({ sql: e.sql, priced: true });
      // Each connection of a server has JIT off (docs/decisions/0008-no-jit.md); PGlite has none.
      expect(e.jitSetting).toBe(db.backend === 'postgres' ? 'off' : 'none');
    }
  });
});
