import { ChromaClient, type Collection } from 'chromadb';
import { loadConfig } from '../../../src/config/load-config';
import { CollectionsRepository } from '../../../src/core/collections/collections.repository';
import { CollectionsService } from '../../../src/core/collections/collections.service';
import { SearchTuningRepository } from '../../../src/core/collections/search-tuning.repository';
import { HNSW_LIMITS } from '../../../src/core/collections/vector-index';
import { PENDING_FILTERED } from '../../../src/core/indexing/search-tuner';
import { startGateway, type TestGateway } from '../../support/gateway';
import { prng } from '../../support/pinecone';
import { indexingStatus, until, waitIndexed } from '../../support/wait';

/**
 * Between a load and the search tuner's measurement of the collection at its new size, a search
 * must not lose recall quietly: a collection the tuner has not measured at its size is read whole
 * when that is affordable (as here), else walked at the widest ef_search. The tuner looks only
 * right after an index build here (its periodic look is a day away), so the searches after the
 * collection has grown fourfold run before any new measurement. Uniform and clustered data. On
 * the clustered data the measurement at the first size is then made the narrowest walk (ef_search
 * 16), as sampled traffic near the records would have chosen: the tuner's own queries, near and
 * between the records, choose a walk wide enough for these queries or exact search by themselves.
 */

const DIM = 96;
const FIRST = 3000;
const GROWN = 9000;
const TARGET = 0.95;
const QUERIES = 30;
/** The records of the collection whose measurement is left pending. */
const PENDING_RECORDS = 1000;

const next = prng(977);
const gaussian = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
const uniform = Array.from({ length: GROWN }, () => Array.from({ length: DIM }, () => next() * 2 - 1));
const centers = Array.from({ length: 24 }, () => Array.from({ length: DIM }, () => gaussian() * 4));
const clustered = Array.from({ length: GROWN }, (_, i) => centers[i % 24].map((x) => x + gaussian() * 0.5));

/** Uniform data: a fresh random vector, as the records are. */
const uniformQuery = () => Array.from({ length: DIM }, () => next() * 2 - 1);
/** Clustered data: between two clusters, off both, as a question lies against passages. */
function clusteredQuery(): number[] {
  const a = centers[Math.floor(next() * centers.length)];
  const b = centers[Math.floor(next() * centers.length)];
  const t = 0.3 + next() * 0.4;
  return a.map((x, k) => x * t + b[k] * (1 - t) + gaussian() * 0.6);
}

const squared = (a: number[], b: number[]) => a.reduce((sum, x, k) => sum + (x - b[k]) ** 2, 0);

function exactTop10(data: number[][], size: number, q: number[]): Set<string> {
  const ranked = data
    .slice(0, size)
    .map((v, i) => ({ id: `r${i}`, d: squared(q, v) }))
    .sort((a, b) => a.d - b.d);
  return new Set(ranked.slice(0, 10).map((x) => x.id));
}

async function load(col: Collection, data: number[][], from: number, to: number): Promise<void> {
  for (let s = from; s < to; s += 500)
    await col.add({
      ids: Array.from({ length: Math.min(500, to - s) }, (_, i) => `r${s + i}`),
      embeddings: data.slice(s, Math.min(to, s + 500)),
    });
}

/** recall@10 of fresh queries. */
async function recallOf(col: Collection, data: number[][], size: number, query: () => number[]): Promise<number> {
  let hits = 0;
  for (let i = 0; i < QUERIES; i++) {
    const q = query();
    const res = await col.query({ queryEmbeddings: [q], nResults: 10, include: [] });
    const truth = exactTop10(data, size, q);
    hits += res.ids[0].filter((id) => truth.has(id)).length;
  }
  return hits / (10 * QUERIES);
}

/** What these tests read of indexing_status: the tuner's last measurement. */
interface Status {
  vecgate_search_tuning?: {
    ef_search: number;
    exact: boolean;
    records: number;
    recall: number;
    filtered_pending?: boolean;
    filtered_ef_search?: number;
    filtered_recall?: number;
  };
}

/** recall@10 of fresh queries walked at the measured ef_search, straight in SQL; whether the tuner chose exact search. */
async function walkRecall(gw: TestGateway, col: Collection, data: number[][], size: number, query: () => number[]) {
  const { vecgate_search_tuning: tuning } = await indexingStatus<Status>(gw.url, col.id);
  const { rows } = await gw.db.query('SELECT table_name FROM vecgate_collections WHERE id = $1', [col.id]);
  let hits = 0;
  for (let i = 0; i < QUERIES; i++) {
    const q = query();
    const found = await gw.db.transaction(async (tx) => {
      await tx.query(`SELECT set_config('hnsw.ef_search', $1, true)`, [String(tuning!.ef_search)]);
      const res = await tx.query(
        `SELECT id FROM vecgate_records.${rows[0].table_name} ORDER BY embedding <-> $1::vector LIMIT 10`,
        [JSON.stringify(q)],
      );
      return res.rows.map((r) => r.id as string);
    });
    const truth = exactTop10(data, size, q);
    hits += found.filter((id) => truth.has(id)).length;
  }
  return { exact: tuning!.exact, recall: hits / (10 * QUERIES) };
}

/** The size the last whole measurement was made at (its filtered part too: see below). */
async function measuredRecords(gw: TestGateway, col: Collection): Promise<number | null> {
  const tuning = (await indexingStatus<Status>(gw.url, col.id)).vecgate_search_tuning;
  return tuning && !tuning.filtered_pending ? tuning.records : null;
}

describe('Chroma: no quiet loss of recall before the tuner has measured', () => {
  let gw: TestGateway;
  let client: ChromaClient;

  beforeAll(async () => {
    gw = await startGateway({
      indexing: {
        ...loadConfig({}).indexing,
        minRows: 500,
        quietMs: 300,
        recallTarget: TARGET,
        recallCheckMs: 86_400_000,
        trafficShare: 0,
      },
    });
    client = new ChromaClient({ host: '127.0.0.1', port: gw.port });
  });

  afterAll(() => gw?.close());

  it.each([
    // Uniform: measured at 3,000 the tuner reads the table whole; clustered: a walk at ef_search 16.
    ['uniform', uniform, uniformQuery, false],
    ['clustered', clustered, clusteredQuery, true],
  ])('%s: the first queries after each load meet the target', async (name, data, query, staleWalkMisses) => {
    const col = await client.createCollection({ name, embeddingFunction: null });
    await load(col, data, 0, FIRST);
    expect(await recallOf(col, data, FIRST, query)).toBeGreaterThanOrEqual(TARGET);
    await waitIndexed(gw.url, col.id);
    expect(await recallOf(col, data, FIRST, query)).toBeGreaterThanOrEqual(TARGET);
    await until(
      'the first measurement',
      () => measuredRecords(gw, col),
      (records) => records === FIRST,
    );
    if (staleWalkMisses) {
      // The narrow walk traffic near the records would have measured at this size (see above).
      await gw.db.query('UPDATE vecgate_search_tuning SET ef_search = 16, exact = false WHERE collection_id = $1', [
        col.id,
      ]);
      gw.app.get(CollectionsService).forget(col.id);
    }
    await load(col, data, FIRST, GROWN);
    await waitIndexed(gw.url, col.id);
    expect(await recallOf(col, data, GROWN, query)).toBeGreaterThanOrEqual(TARGET);
    // Still measured at its first size: the searches above ran unmeasured.
    expect(await measuredRecords(gw, col)).toBe(FIRST);
    if (staleWalkMisses) {
      // The premise: the walk measured at the first size misses the target at this one.
      const stale = await walkRecall(gw, col, data, GROWN, query);
      expect(stale.exact).toBe(false);
      expect(stale.recall).toBeLessThan(TARGET);
    }
  });
  // The tuner saves its unfiltered choice as soon as it has it (right after a load, unfiltered
  // searches read every record until then) and measures filtered walks after; a tuner stopped in
  // between (a shutdown) leaves the measurement so, and the next one must make it again.
  it('reports a measurement whose filtered part is pending, walks filtered searches wide meanwhile, and measures it again', async () => {
    const col = await client.createCollection({ name: 'pending', embeddingFunction: null });
    // Small, as it need only be measured once: 1,000 records, a filter keeping 100.
    for (let s = 0; s < PENDING_RECORDS; s += 500)
      await col.add({
        ids: Array.from({ length: 500 }, (_, i) => `r${s + i}`),
        embeddings: clustered.slice(s, s + 500),
        metadatas: Array.from({ length: 500 }, (_, i) => ({ group: (s + i) % 10 })),
      });
    await until(
      'the first measurement',
      () => measuredRecords(gw, col),
      (records) => records === PENDING_RECORDS,
    );
    const whole = (await indexingStatus<Status>(gw.url, col.id)).vecgate_search_tuning!;
    expect(whole.filtered_recall).toBeGreaterThan(0);

    const stored = (await new CollectionsRepository().findById(gw.db, col.id))!;
    await new SearchTuningRepository().save(gw.db, col.id, { ...stored.tuning!, filtered: PENDING_FILTERED }, 0, {
      interim: true,
    });
    gw.app.get(CollectionsService).forget(col.id);

    const pending = (await indexingStatus<Status>(gw.url, col.id)).vecgate_search_tuning!;
    expect(pending.filtered_pending).toBe(true);
    expect(pending.filtered_ef_search).toBe(HNSW_LIMITS.efSearch.max);
    expect(pending.filtered_recall).toBeUndefined();
    // The unfiltered part stands as measured.
    expect([pending.ef_search, pending.exact, pending.recall]).toEqual([whole.ef_search, whole.exact, whole.recall]);

    // Filtered searches (a tenth of the records) meet the target meanwhile.
    let hits = 0;
    for (let i = 0; i < QUERIES; i++) {
      const q = clusteredQuery();
      const group = i % 10;
      const res = await col.query({ queryEmbeddings: [q], nResults: 10, where: { group }, include: [] });
      const kept = clustered.slice(0, PENDING_RECORDS).map((v, k) => (k % 10 === group ? v : null));
      const truth = new Set(
        kept
          .map((v, k) => ({ id: `r${k}`, d: v ? squared(q, v) : Infinity }))
          .sort((a, b) => a.d - b.d)
          .slice(0, 10)
          .map((x) => x.id),
      );
      hits += res.ids[0].filter((id) => truth.has(id)).length;
    }
    expect(hits / (10 * QUERIES)).toBeGreaterThanOrEqual(TARGET);

    // Left so, it is due: the tuner's next look (a day away here) measures it again.
    const due = await new SearchTuningRepository().due(gw.db, 500, TARGET, 100);
    expect(due.map((d) => d.id)).toContain(col.id);
    // A whole measurement is not.
    await new SearchTuningRepository().save(gw.db, col.id, stored.tuning!);
    expect((await new SearchTuningRepository().due(gw.db, 500, TARGET, 100)).map((d) => d.id)).not.toContain(col.id);
  });
});
