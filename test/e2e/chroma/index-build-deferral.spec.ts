import { ChromaClient, type Collection } from 'chromadb';
import { loadConfig } from '../../../src/config/load-config';
import { BULK_ROWS_PER_SECOND } from '../../../src/core/indexing/build-policy';
import { http, startGateway, type TestGateway } from '../../support/gateway';
import { prng } from '../../support/pinecone';

/**
 * When the index of a collection under a stream of inserts is built (src/core/indexing/build-policy.ts),
 * seen through the Chroma client and the database's own catalog: a bulk load is left to finish
 * even past VECGATE_INDEX_MAX_DEFER_MS (an index built mid-load would make every later record pay
 * its way into the graph), while a trickle that never pauses gets its index once that much time
 * has passed. Small timings: minRows 200, quiet 1 s, max deferral 1.5 s.
 */

const P = '/api/v2/tenants/default_tenant/databases/default_database';
const DIM = 8;
const MIN_ROWS = 200;
const QUIET_MS = 1000;
const MAX_DEFER_MS = 1500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const next = prng(11);
const vector = () => Array.from({ length: DIM }, () => next() * 2 - 1);

async function indexed(g: TestGateway, collectionId: string): Promise<boolean> {
  const res = await http(g.url, 'GET', `${P}/collections/${collectionId}/indexing_status`);
  if (res.status !== 200) throw new Error(`indexing_status answered ${res.status}: ${res.text}`);
  return res.body.op_indexing_progress === 1;
}

/** The HNSW indexes on the collection's record table, from the catalog (not from the gateway's answer). */
async function hnswIndexCount(g: TestGateway, collectionId: string): Promise<number> {
  const { rows } = await g.db.query(
    `SELECT count(*)::int AS n FROM vecgate_collections c JOIN pg_indexes i ON i.schemaname = 'vecgate_records' AND i.tablename = c.table_name
     WHERE c.id = $1 AND i.indexdef ILIKE '%USING hnsw%'`,
    [collectionId],
  );
  return rows[0].n;
}

/** How many of the collection's records the planner expects a search of its namespace to read (EXPLAIN, nothing run). */
async function plannedRows(g: TestGateway, collectionId: string): Promise<number> {
  const { rows } = await g.db.query(`SELECT table_name FROM vecgate_collections WHERE id = $1`, [collectionId]);
  const plan = await g.db.query(
    `EXPLAIN (FORMAT JSON) SELECT 1 FROM vecgate_records."${rows[0].table_name}" WHERE namespace = ''`,
  );
  return plan.rows[0]['QUERY PLAN'][0].Plan['Plan Rows'];
}

async function add(col: Collection, from: number, count: number): Promise<void> {
  const ids = Array.from({ length: count }, (_, i) => `r${from + i}`);
  await col.add({ ids, embeddings: ids.map(vector) });
}

describe('Chroma: when the HNSW index of a collection under a stream of inserts is built', () => {
  let gw: TestGateway;
  let client: ChromaClient;

  beforeAll(async () => {
    gw = await startGateway({
      indexing: { ...loadConfig({}).indexing, minRows: MIN_ROWS, quietMs: QUIET_MS, maxDeferMs: MAX_DEFER_MS },
    });
    client = new ChromaClient({ host: '127.0.0.1', port: gw.port });
  });

  afterAll(() => gw?.close());

  it(`leaves a bulk load (over ${BULK_ROWS_PER_SECOND} records/s) without an index past the maximum deferral, and builds it once the load stops`, async () => {
    const col = await client.createCollection({ name: 'bulk', embeddingFunction: null });
    const started = Date.now();
    let added = 0;
    // Batches of 400 records with 80 ms between them: a bulk load well over the threshold even when
    // a busy machine takes 300 ms a batch, with a table small enough to index in a moment.
    while (Date.now() - started < 3 * MAX_DEFER_MS) {
      await add(col, added, 400);
      added += 400;
      await sleep(80);
    }
    const loadMs = Date.now() - started;
    const stoppedAt = Date.now();
    expect((added * 1000) / loadMs).toBeGreaterThan(2 * BULK_ROWS_PER_SECOND);
    // Twice the maximum deferral since the collection became due, still no index.
    expect(await hnswIndexCount(gw, col.id)).toBe(0);
    expect(await indexed(gw, col.id)).toBe(false);
    // But its statistics were taken early in the load, so that exact searches meanwhile are planned
    // as what they are, a read of the whole table (without any, the planner expected 0.5% of it).
    expect(await plannedRows(gw, col.id)).toBeGreaterThan(added / 2);

    while (!(await indexed(gw, col.id))) {
      if (Date.now() - stoppedAt > 30_000) throw new Error('no index 30 s after the load stopped');
      await sleep(50);
    }
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(QUIET_MS - 200);
    expect(await hnswIndexCount(gw, col.id)).toBe(1);
    expect(await col.count()).toBe(added);
  });

  it(`builds the index of a collection under a trickle of inserts (under ${BULK_ROWS_PER_SECOND} records/s, never quiet) once the maximum deferral has passed`, async () => {
    const col = await client.createCollection({ name: 'trickle', embeddingFunction: null });
    await add(col, 0, MIN_ROWS + 100);
    const dueAt = Date.now();
    let added = MIN_ROWS + 100;
    let builtAt: number | undefined;
    // 5 records every 100 ms (~50/s): never a gap near the quiet period.
    while (Date.now() - dueAt < 10 * MAX_DEFER_MS) {
      await add(col, added, 5);
      added += 5;
      if (await indexed(gw, col.id)) {
        builtAt = Date.now();
        break;
      }
      await sleep(100);
    }
    expect(builtAt).toBeDefined();
    // Not before the deferral (less a sweep's lag in the other direction), and while the inserts went on.
    expect(builtAt! - dueAt).toBeGreaterThanOrEqual(MAX_DEFER_MS - 200);
    expect(await hnswIndexCount(gw, col.id)).toBe(1);
    await add(col, added, 5);
    expect(await col.count()).toBe(added + 5);
  });
});
