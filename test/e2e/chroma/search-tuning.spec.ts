import { ChromaClient, type Collection } from 'chromadb';
import { loadConfig } from '../../../src/config/load-config';
import { EF_SEARCH_LADDER } from '../../../src/core/indexing/search-tuner';
import { http, startGateway, type TestGateway } from '../../support/gateway';
import { prng } from '../../support/pinecone';
import { until, waitIndexed } from '../../support/wait';

/**
 * A collection gets a recall target instead of an ef_search knob (SearchTuner): once its HNSW
 * index is built, the gateway measures recall@10 on a sample of the collection's own records and
 * keeps the cheapest way of searching that meets the target, reported by Chroma's indexing_status
 * and /metrics. Uniform random vectors (the hard case: no clusters) through the Chroma client:
 * fresh queries, not in the sample, reach the target within the sample's noise; a collection
 * whose client pinned ef_search is searched at that ef_search, unmeasured (and worse); a
 * collection grown by a quarter is measured again. Walks under a filter keeping a tenth are
 * measured too, and filtered queries reach the target.
 */

const DIM = 96;
const RECORDS = 2400;
const GROWTH = 800;
const TARGET = 0.95;
const QUERIES = 40;

const next = prng(2111);
const vector = () => Array.from({ length: DIM }, () => next() * 2 - 1);
const data = Array.from({ length: RECORDS + GROWTH }, vector);
const queries = Array.from({ length: QUERIES }, vector);

function cosineDistance(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return 1 - dot / Math.sqrt(na * nb);
}

/** The exact 10 nearest of the first `size` records (of one group, given one). */
function exactTop10(q: number[], size: number, group?: number): string[] {
  return data
    .slice(0, size)
    .map((v, i) => ({ id: `r${i}`, d: cosineDistance(q, v), group: i % 10 }))
    .filter((x) => group === undefined || x.group === group)
    .sort((a, b) => a.d - b.d)
    .slice(0, 10)
    .map((x) => x.id);
}

async function load(col: Collection, from: number, to: number): Promise<void> {
  for (let s = from; s < to; s += 400) {
    const e = Math.min(to, s + 400);
    await col.add({
      ids: Array.from({ length: e - s }, (_, i) => `r${s + i}`),
      embeddings: data.slice(s, e),
      metadatas: Array.from({ length: e - s }, (_, i) => ({ group: (s + i) % 10 })),
    });
  }
}

async function recallOf(col: Collection, size: number, group?: number): Promise<number> {
  let hits = 0;
  for (const q of queries) {
    const where = group === undefined ? undefined : { group };
    const res = await col.query({ queryEmbeddings: [q], nResults: 10, where, include: [] });
    const truth = new Set(exactTop10(q, size, group));
    hits += res.ids[0].filter((id) => truth.has(id)).length;
  }
  return hits / (10 * QUERIES);
}

interface Tuning {
  recall_target: number;
  recall: number;
  ef_search: number;
  exact: boolean;
  ms_per_search: number;
  filtered_ef_search: number;
  filtered_recall: number;
  filtered_walk_ms: number;
  filtered_exact_ms: number;
  filtered_pending?: boolean;
  records: number;
  measured_at: string;
}

async function tuningOf(gw: TestGateway, col: Collection): Promise<Tuning | null> {
  const res = await http(
    gw.url,
    'GET',
    `/api/v2/tenants/default_tenant/databases/default_database/collections/${col.id}/indexing_status`,
  );
  if (res.status !== 200) throw new Error(`indexing_status answered ${res.status}: ${res.text}`);
  return res.body.vecgate_search_tuning ?? null;
}

describe('Chroma: searches are tuned to a recall target', () => {
  let gw: TestGateway;
  let hard: Collection;
  let pinned: Collection;
  let first: Tuning;

  beforeAll(async () => {
    gw = await startGateway({
      indexing: {
        ...loadConfig({}).indexing,
        minRows: 500,
        quietMs: 300,
        recallTarget: TARGET,
        recallSample: 40,
        recallCheckMs: 100,
      },
    });
    const client = new ChromaClient({ host: '127.0.0.1', port: gw.port });
    hard = await client.createCollection({
      name: 'uniform',
      embeddingFunction: null,
      metadata: { 'hnsw:space': 'cosine' },
    });
    pinned = await client.createCollection({
      name: 'pinned',
      embeddingFunction: null,
      configuration: { hnsw: { space: 'cosine', ef_search: 10 } },
    });
    await load(hard, 0, RECORDS);
    await load(pinned, 0, RECORDS);
    // The pinned collection is searched through its index, not exactly as before its build.
    await waitIndexed(gw.url, pinned.id);
    // Whole: the unfiltered part is saved first, the filtered part once measured.
    first = (await until(
      'the first measurement',
      () => tuningOf(gw, hard),
      (t) => t !== null && !t.filtered_pending,
    ))!;
  });

  afterAll(() => gw?.close());

  it('reports what it measured in indexing_status', () => {
    expect(first.recall_target).toBeCloseTo(TARGET, 5);
    expect(first.records).toBe(RECORDS);
    expect(first.recall).toBeGreaterThanOrEqual(TARGET);
    expect(EF_SEARCH_LADDER).toContain(first.ef_search);
    expect(first.ms_per_search).toBeGreaterThan(0);
    expect(Number.isNaN(Date.parse(first.measured_at))).toBe(false);
  });

  it('measures walks under a filter keeping a tenth too, and filtered queries reach the target', async () => {
    // A walk under a filter ranks only the candidates that pass: never narrower than unfiltered.
    expect(EF_SEARCH_LADDER).toContain(first.filtered_ef_search);
    expect(first.filtered_ef_search).toBeGreaterThanOrEqual(first.ef_search);
    expect(first.filtered_recall).toBeGreaterThan(0);
    expect(first.filtered_walk_ms).toBeGreaterThan(0);
    expect(first.filtered_exact_ms).toBeGreaterThan(0);
    // One group is a tenth of the records: walked, or read whole where the tuner found that cheaper.
    expect(await recallOf(hard, RECORDS, 3)).toBeGreaterThanOrEqual(TARGET - 0.05);
  });

  it('answers fresh queries at the target, within the sample noise, where a pinned ef_search does worse', async () => {
    const tuned = await recallOf(hard, RECORDS);
    const atTen = await recallOf(pinned, RECORDS);
    expect(tuned).toBeGreaterThanOrEqual(TARGET - 0.05);
    expect(atTen).toBeLessThan(tuned);
    // The pinned collection is never measured: its client chose its ef_search.
    expect(await tuningOf(gw, pinned)).toBeNull();
    const { rows } = await gw.db.query(
      'SELECT count(*)::int AS n FROM vecgate_search_tuning WHERE collection_id = $1',
      [pinned.id],
    );
    expect(rows[0].n).toBe(0);
  });

  it('measures a collection again once it has grown by a quarter, and counts the measurements', async () => {
    await load(hard, RECORDS, RECORDS + GROWTH);
    const again = (await until(
      'the second measurement',
      () => tuningOf(gw, hard),
      (t) => t !== null && t.records === RECORDS + GROWTH && !t.filtered_pending,
    ))!;
    expect(again.recall).toBeGreaterThanOrEqual(TARGET);
    expect(Date.parse(again.measured_at)).toBeGreaterThan(Date.parse(first.measured_at));
    expect(await recallOf(hard, RECORDS + GROWTH)).toBeGreaterThanOrEqual(TARGET - 0.05);
    const metrics = (await http(gw.url, 'GET', '/metrics')).text;
    const counted = [...metrics.matchAll(/^vecgate_search_tuning_measurements_total\{outcome="(\w+)"\} (\d+)/gm)];
    expect(counted.map((m) => m[1]).sort()).toEqual(['exact', 'failed', 'missed', 'walk']);
    expect(counted.find((m) => m[1] === 'failed')![2]).toBe('0');
    expect(counted.reduce((sum, m) => sum + Number(m[2]), 0)).toBeGreaterThanOrEqual(2);
  });

  it('counts a measurement that fails, which an operator would otherwise see only in the log', async () => {
    const failed = async () =>
      Number(
        /^vecgate_search_tuning_measurements_total\{outcome="failed"\} (\d+)/m.exec(
          (await http(gw.url, 'GET', '/metrics')).text,
        )![1],
      );
    // A schema the tuner cannot read (as after a migration edited once applied).
    await gw.db.query('ALTER TABLE vecgate_recall_samples RENAME TO vecgate_recall_samples_gone');
    try {
      await until('a failed measurement counted', failed, (n) => n >= 1);
    } finally {
      await gw.db.query('ALTER TABLE vecgate_recall_samples_gone RENAME TO vecgate_recall_samples');
    }
  });
});
