import { ALL_RECORD_INDEXES, DEFAULT_INDEX, type Collection } from '../../../src/core/collections/collection.model';
import { RecordTableRepository, qualified } from '../../../src/core/collections/record-table.repository';
import type { Database, Queryable } from '../../../src/database/database';
import { ALL, type FilterNode } from '../../../src/core/filters/filter-ast';
import { DenseVector } from '../../../src/core/records/dense-vector';
import { RecordsRepository } from '../../../src/core/records/records.repository';
import { openTestDatabase } from '../../support/database';

const ROWS = 300;
const INCLUDE = { embeddings: false, documents: true, metadatas: true, uris: false };

/** One query vector and several take different statements (RecordsRepository.nearest): both are checked. */
describe('RecordsRepository.nearest', () => {
  let db: Database;
  let close: () => Promise<void>;
  let repository: RecordsRepository;
  const tables = new RecordTableRepository();

  beforeAll(async () => {
    ({ db, close } = await openTestDatabase());
    repository = new RecordsRepository(db);
  });
  afterAll(() => close());

  /** A collection whose record `r<i>` lies at i on the first axis (0 elsewhere), indexed when HNSW can index it. */
  async function collectionOf(
    dimension: number,
    tableName = `r_${dimension.toString(16).padStart(32, '0')}`,
  ): Promise<Collection> {
    await tables.create(db, tableName);
    await tables.setDimension(db, tableName, dimension);
    await db.query(
      `INSERT INTO ${qualified(tableName)} (id, embedding, document, metadata)
       SELECT 'r' || i, ('[' || i || repeat(',0', $1::int - 1) || ']')::vector, 'doc ' || i, jsonb_build_object('odd', i % 2 = 1, 'rare', i % 50 = 0)
       FROM generate_series(0, $2::int - 1) AS i`,
      [dimension, ROWS],
    );
    await tables.buildIndex(db, tableName, dimension, 'l2', DEFAULT_INDEX);
    await db.query(`ANALYZE ${qualified(tableName)}`);
    const now = new Date();
    return {
      id: tableName,
      name: tableName,
      tenant: 't',
      database: 'd',
      databaseId: 'd',
      dimension,
      vectors: [],
      textFields: [],
      metric: 'l2',
      index: DEFAULT_INDEX,
      metadata: null,
      extras: {},
      schema: null,
      recordIndexes: ALL_RECORD_INDEXES,
      tableName,
      vectorIndexed: dimension <= 4000,
      namespaced: false,
      tuning: null,
      createdAt: now,
    };
  }

  /** A statement's plan with sequential scans and sorts priced out: a table this small would otherwise be read whole and sorted. */
  async function planWithIndexesFavoured(text: string, values?: unknown[]): Promise<string> {
    return db.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      await tx.query('SET LOCAL enable_sort = off');
      const { rows } = await tx.query(`EXPLAIN ${text}`, values);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
  }

  const axis = (dimension: number, x: number) => DenseVector.fromNumbers([x, ...new Array(dimension - 1).fill(0)]);

  // 3: a vector column; 2,500: indexed as halfvec; 4,500: past what HNSW indexes, searched exactly.
  describe.each([3, 2500, 4500])('on %i dimensions', (dimension) => {
    let collection: Collection;
    beforeAll(async () => {
      collection = await collectionOf(dimension);
    });

    it('answers one query vector nearest first, with its distances, documents and metadata', async () => {
      const [list] = await repository.nearest(db, collection, {
        namespace: '',
        vectors: [axis(dimension, 10.25)],
        n: 3,
        filter: ALL,
        include: INCLUDE,
      });
      expect(list.map((r) => r.id)).toEqual(['r10', 'r11', 'r9']);
      expect(list.map((r) => Number(r.distance))).toEqual([0.25, 0.75, 1.25]);
      expect(list[0]).toMatchObject({ document: 'doc 10', metadata: { odd: false } });
    });

    it('answers several query vectors in one call, each with its own list, in the order asked', async () => {
      const odd: FilterNode = { kind: 'eq', key: 'odd', value: true };
      const lists = await repository.nearest(db, collection, {
        namespace: '',
        vectors: [axis(dimension, 200.75), axis(dimension, 10.25)],
        n: 2,
        filter: odd,
        include: INCLUDE,
      });
      expect(lists.map((list) => list.map((r) => r.id))).toEqual([
        ['r201', 'r199'],
        ['r11', 'r9'],
      ]);
    });

    it('plans the search, one vector or several, as a scan of the HNSW index when there is one', async () => {
      const sent: { text: string; values?: unknown[] }[] = [];
      const recording: Queryable = { query: (text, values) => (sent.push({ text, values }), db.query(text, values)) };
      await repository.nearest(recording, collection, {
        namespace: '',
        vectors: [axis(dimension, 1)],
        n: 5,
        filter: ALL,
        include: INCLUDE,
      });
      await repository.nearest(recording, collection, {
        namespace: '',
        vectors: [axis(dimension, 1), axis(dimension, 2)],
        n: 5,
        filter: ALL,
        include: INCLUDE,
      });
      for (const { text, values } of sent) {
        const plan = await planWithIndexesFavoured(text, values);
        if (dimension <= 4000) expect(plan).toMatch(/Index Scan using \S+_hnsw/);
        else expect(plan).not.toMatch(/_hnsw/);
      }
    });

    it('reads every matching record, never the HNSW index, when asked for an exact search, and finds the same', async () => {
      const sent: { text: string; values?: unknown[] }[] = [];
      const recording: Queryable = { query: (text, values) => (sent.push({ text, values }), db.query(text, values)) };
      const odd: FilterNode = { kind: 'eq', key: 'odd', value: true };
      const one = await repository.nearest(recording, collection, {
        namespace: '',
        vectors: [axis(dimension, 10.25)],
        n: 3,
        filter: ALL,
        include: INCLUDE,
        exact: true,
      });
      const several = await repository.nearest(recording, collection, {
        namespace: '',
        vectors: [axis(dimension, 200.75), axis(dimension, 10.25)],
        n: 2,
        filter: odd,
        include: INCLUDE,
        exact: true,
      });
      expect(one.map((list) => list.map((r) => r.id))).toEqual([['r10', 'r11', 'r9']]);
      expect(several.map((list) => list.map((r) => r.id))).toEqual([
        ['r201', 'r199'],
        ['r11', 'r9'],
      ]);
      for (const { text, values } of sent) {
        // Even with everything but an index scan priced out, the HNSW index cannot serve this order.
        const plan = await planWithIndexesFavoured(text, values);
        expect(plan).not.toMatch(/_hnsw/);
      }
    });

    it("estimates how many records a namespace and filter keep and how many the table holds, from the planner's statistics", async () => {
      const odd = await repository.estimateMatches(db, collection, '', { kind: 'eq', key: 'odd', value: true });
      expect(odd.total).toBe(ROWS);
      expect(odd.matching).toBeGreaterThan(ROWS * 0.3);
      expect(odd.matching).toBeLessThan(ROWS * 0.7);
      const few = await repository.estimateMatches(db, collection, '', { kind: 'idIn', ids: ['r1', 'r2', "r3'; --"] });
      expect(few.matching).toBeLessThanOrEqual(3);
      const elsewhere = await repository.estimateMatches(db, collection, 'elsewhere', ALL);
      expect(elsewhere.matching).toBeLessThanOrEqual(1);
      expect(elsewhere.total).toBe(ROWS);
    });

    it('estimates a negation as the rest of what its inner filter keeps, not as a flat half', async () => {
      // A negation keeping 2% must be read exactly, one keeping 98% walked (search-policy.ts).
      const rareIsNot = (value: boolean): FilterNode => ({ kind: 'not', child: { kind: 'eq', key: 'rare', value } });
      const estimated = async (filter: FilterNode) =>
        (await repository.estimateMatches(db, collection, '', filter)).matching;
      expect(await estimated(rareIsNot(true))).toBeGreaterThan(ROWS * 0.9);
      expect(await estimated(rareIsNot(false))).toBeLessThan(ROWS * 0.1);
      const rows = (filter: FilterNode) => repository.countMatching(db, collection, '', filter);
      expect(await rows(rareIsNot(true))).toBe(ROWS - ROWS / 50);
      expect(await rows(rareIsNot(false))).toBe(ROWS / 50);
    });

    it('estimates the same when the planner reads the table in parallel, as it does a big one', async () => {
      const { plan, estimate } = await db.transaction(async (tx) => {
        for (const setting of [
          'parallel_setup_cost = 0',
          'parallel_tuple_cost = 0',
          'min_parallel_table_scan_size = 0',
        ])
          await tx.query(`SET LOCAL ${setting}`);
        const { rows } = await tx.query(`EXPLAIN SELECT 1 FROM ${qualified(collection.tableName)}`);
        const estimate = await repository.estimateMatches(tx, collection, '', { kind: 'eq', key: 'odd', value: true });
        return { plan: rows.map((r) => r['QUERY PLAN']).join('\n'), estimate };
      });
      // PGlite has no parallel workers; a server does, and there the plan's branches carry a worker's share.
      if (db.backend === 'postgres') expect(plan).toMatch(/Gather/);
      expect(estimate.total).toBe(ROWS);
      expect(estimate.matching).toBeGreaterThan(ROWS * 0.3);
      expect(estimate.matching).toBeLessThan(ROWS * 0.7);
    });
  });

  // A Qdrant point may lack the dense vector: its record is in the table with a NULL embedding.
  describe('on a table where a third of the records have no embedding', () => {
    let collection: Collection;
    beforeAll(async () => {
      collection = await collectionOf(3, `r_${'f'.repeat(32)}`);
      await db.query(
        `UPDATE ${qualified(collection.tableName)} SET embedding = NULL WHERE (substr(id, 2))::int % 3 = 0`,
      );
      await db.query(`ANALYZE ${qualified(collection.tableName)}`);
    });

    it.each([false, true])(
      'never answers one of them, walking or exact (exact: %s), however many are asked for',
      async (exact) => {
        const lists = await repository.nearest(db, collection, {
          namespace: '',
          vectors: [axis(3, 10.25), axis(3, 0)],
          n: ROWS,
          filter: ALL,
          include: INCLUDE,
          exact,
        });
        const [one] = await repository.nearest(db, collection, {
          namespace: '',
          vectors: [axis(3, 10.25)],
          n: ROWS,
          filter: { kind: 'eq', key: 'odd', value: true },
          include: INCLUDE,
          exact,
        });
        const held = (ids: string[]) => ids.filter((id) => Number(id.slice(1)) % 3 !== 0);
        for (const list of [...lists, one]) {
          expect(list.every((r) => r.distance !== null)).toBe(true);
          expect(list.map((r) => r.id)).toEqual(held(list.map((r) => r.id)));
        }
        expect(lists[0].slice(0, 3).map((r) => r.id)).toEqual(['r10', 'r11', 'r8']);
        expect(lists[1]).toHaveLength(ROWS - ROWS / 3);
        expect(one).toHaveLength(ROWS / 2 - ROWS / 6);
      },
    );

    it('still plans the walk as a scan of the HNSW index', async () => {
      const sent: { text: string; values?: unknown[] }[] = [];
      const recording: Queryable = { query: (text, values) => (sent.push({ text, values }), db.query(text, values)) };
      await repository.nearest(recording, collection, {
        namespace: '',
        vectors: [axis(3, 1)],
        n: 5,
        filter: ALL,
        include: INCLUDE,
      });
      const plan = await planWithIndexesFavoured(sent[0].text, sent[0].values);
      expect(plan).toMatch(/Index Scan using \S+_hnsw/);
      expect(plan).toMatch(/Filter: .*embedding IS NOT NULL/);
    });
  });
});
