import { ChromaClient, type Collection } from 'chromadb';
import { loadConfig } from '../../../src/config/load-config';
import { startGateway, type TestGateway } from '../../support/gateway';
import { prng } from '../../support/pinecone';
import { until, waitIndexed } from '../../support/wait';

/**
 * A filter that keeps a small share of a big collection is searched exactly (src/core/records/search-policy.ts),
 * where Postgres alone would walk the HNSW index past every record the filter rejects. 20,000
 * records of 16 dimensions: at this size the planner takes the HNSW index for a filter keeping 2%
 * (400 records), which the first test shows, and reading those 400 records is several times faster
 * (measured on 200,000 × 384: 2.7 ms against 62 at 1%). Runs on the backend the test run selects.
 */

const DIM = 16;
const RECORDS = 20_000;
const N = 10;
const QUERIES = 20;

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

const next = prng(11);
const ids = range(RECORDS).map((i) => `r${String(i).padStart(5, '0')}`);
const vectors = ids.map(() => range(DIM).map(() => Math.fround(next() * 2 - 1)));
const metadatas = range(RECORDS).map((i) => ({ fiftieth: i % 50, half: i % 2 }));
const queries = range(QUERIES).map(() => range(DIM).map(() => Math.fround(next() * 2 - 1)));

/** The n nearest records passing `keep`, by Chroma's l2 (squared euclidean), computed here. */
function exactNearest(query: number[], keep: (i: number) => boolean): string[] {
  const l2 = (v: number[]) => v.reduce((s, x, k) => s + (x - query[k]) ** 2, 0);
  return range(RECORDS)
    .filter(keep)
    .map((i): [string, number] => [ids[i], l2(vectors[i])])
    .sort((a, b) => a[1] - b[1])
    .slice(0, N)
    .map(([id]) => id);
}

describe('Chroma: a selective filter on a big collection is searched exactly', () => {
  let gw: TestGateway;
  let col: Collection;
  let table: string;
  /** Below VECGATE_INDEX_MIN_ROWS: no HNSW index, ever. */
  let small: Collection;
  const SMALL = 200;

  /** The statements the gateway sends while `work` runs (observed, still sent to the database). */
  async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
    const spy = jest.spyOn(gw.db, 'query');
    try {
      await work();
      return spy.mock.calls.map(([text]) => String(text).trim());
    } finally {
      spy.mockRestore();
    }
  }

  /** Scans served by the collection's HNSW index so far (pg_stat_user_indexes, published up to 10 s late on a server). */
  async function hnswScans(): Promise<number> {
    const { rows } = await gw.db.query(
      `SELECT pg_stat_clear_snapshot(), (SELECT coalesce(sum(idx_scan), 0)::int FROM pg_stat_user_indexes
       WHERE schemaname = 'vecgate_records' AND indexrelname = $1) AS n`,
      [`${table}_hnsw`],
    );
    return rows[0].n;
  }

  beforeAll(async () => {
    // Search tuning off: its walks would count as scans of the HNSW index (search-tuning.spec tests it).
    gw = await startGateway({ indexing: { ...loadConfig({}).indexing, minRows: 1000, quietMs: 500, recallTarget: 0 } });
    const client = new ChromaClient({ host: '127.0.0.1', port: gw.port });
    col = await client.createCollection({ name: 'exact-search', embeddingFunction: null });
    for (let start = 0; start < RECORDS; start += 2000) {
      await col.add({
        ids: ids.slice(start, start + 2000),
        embeddings: vectors.slice(start, start + 2000),
        metadatas: metadatas.slice(start, start + 2000),
      });
    }
    table = (await gw.db.query(`SELECT table_name FROM vecgate_collections WHERE id = $1`, [col.id])).rows[0]
      .table_name;
    await waitIndexed(gw.url, col.id);
    small = await client.createCollection({ name: 'no-index', embeddingFunction: null });
    await small.add({
      ids: ids.slice(0, SMALL),
      embeddings: vectors.slice(0, SMALL),
      metadatas: metadatas.slice(0, SMALL),
    });
  });
  afterAll(() => gw?.close());

  it('is a case where the planner alone would take the HNSW index', async () => {
    const { rows } = await gw.db.query(
      `EXPLAIN SELECT id FROM vecgate_records."${table}" WHERE namespace = '' AND metadata @> '{"fiftieth": 7}'
       ORDER BY embedding <-> $1::vector(${DIM}) LIMIT ${N}`,
      [JSON.stringify(queries[0])],
    );
    expect(rows.map((r: any) => r['QUERY PLAN']).join('\n')).toMatch(/Index Scan using \S+_hnsw/);
  });

  it("estimates filters from fine-grained metadata statistics, which the index build's ANALYZE gathers", async () => {
    const { rows } = await gw.db.query(
      `SELECT attstattarget FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'metadata'`,
      [`vecgate_records."${table}"`],
    );
    expect(rows[0].attstattarget).toBe(1000);
  });

  it('answers a filter keeping 2% with the exact nearest records, reading them rather than the HNSW index', async () => {
    const before = await hnswScans();
    for (const query of queries) {
      const res = await col.query({ queryEmbeddings: [query], nResults: N, where: { fiftieth: 7 } });
      expect(res.ids[0]).toEqual(exactNearest(query, (i) => i % 50 === 7));
    }
    // Unfiltered searches do use the index: once their scans are published, so would the
    // filtered ones have been (the calls run one after another, on the same pooled connection).
    for (const query of queries.slice(0, 3)) await col.query({ queryEmbeddings: [query], nResults: N });
    // A backend publishes its statistics up to 10 s after it goes idle.
    await until('the unfiltered scans published', hnswScans, (n) => n >= before + 3);
    // A late report of a filtered search would land within the same publishing delay: none comes.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await hnswScans()).toBe(before + 3);
  });

  it('leaves a broad filter to the HNSW index', async () => {
    const before = await hnswScans();
    const res = await col.query({
      queryEmbeddings: [queries[1]],
      nResults: N,
      where: { half: 1 },
      include: ['metadatas'] as any,
    });
    expect(res.ids[0]).toHaveLength(N);
    expect(res.metadatas[0].every((m) => m?.half === 1)).toBe(true);
    expect(await until('the scan published', hnswScans, (n) => n >= before + 1)).toBe(before + 1);
  });

  it('asks the planner how many records a filter keeps before searching an indexed collection', async () => {
    const sent = await statementsOf(() =>
      col.query({ queryEmbeddings: [queries[2]], nResults: N, where: { fiftieth: 3 } }),
    );
    expect(sent.filter((text) => text.startsWith('EXPLAIN'))).toHaveLength(2);
  });

  it('searches a collection without an HNSW index exactly, filtered or not, without asking the planner first', async () => {
    const { rows } = await gw.db.query(
      `SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = 'vecgate_records' AND indexdef ILIKE '%USING hnsw%'
      AND tablename = (SELECT table_name FROM vecgate_collections WHERE id = $1)`,
      [small.id],
    );
    expect(rows[0].n).toBe(0);
    for (const [where, keep] of [
      [{ fiftieth: 7 }, (i: number) => i < SMALL && i % 50 === 7], // 4 records: fewer than n
      [{ half: 1 }, (i: number) => i < SMALL && i % 2 === 1],
      [undefined, (i: number) => i < SMALL],
    ] as const) {
      for (const query of queries.slice(0, 5)) {
        let ids: string[] = [];
        const sent = await statementsOf(
          async () => (ids = (await small.query({ queryEmbeddings: [query], nResults: N, where })).ids[0]),
        );
        expect({ where, ids }).toEqual({ where, ids: exactNearest(query, keep) });
        expect({ where, sent: sent.filter((text) => text.startsWith('EXPLAIN')) }).toEqual({ where, sent: [] });
        // A filtered one is one exact statement: no estimate, and no second search after a short first one.
        // (An unfiltered search runs on a connection of its own, with the HNSW settings: not seen here.)
        if (where) {
          const onRecords = sent.filter((text) => text.includes('FROM vecgate_records.')); // not the catalog read of a cache miss
          expect({
            where,
            exact: onRecords.filter((text) => /\) \+ 0 AS distance\b/.test(text)).length,
            all: onRecords.length,
          }).toEqual({ where, exact: 1, all: 1 });
        }
      }
    }
  });
});
