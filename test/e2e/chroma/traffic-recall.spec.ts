import { ChromaClient, type Collection } from 'chromadb';
import { loadConfig } from '../../../src/config/load-config';
import { REMEASURE_ABOVE } from '../../../src/core/collections/search-tuning.repository';
import { TRAFFIC_MIN_SAMPLES } from '../../../src/core/indexing/search-tuner';
import { http, startGateway, type TestGateway } from '../../support/gateway';
import { prng } from '../../support/pinecone';
import { indexingStatus, until } from '../../support/wait';
import { RecallSampler } from '../../../src/core/records/recall-sampler';

/**
 * The search tuner's first guess comes from queries it makes near the collection's records and
 * between them; a user's queries may look like neither. Here the records are tight clusters. The
 * first guess nearly serves queries between two clusters, which a walk chosen on queries near the
 * records alone missed. Then the traffic decides: searches near the records, which a narrow walk
 * serves, narrow it (below the synthesized choice); searches between the clusters afterwards widen
 * it again. The gateway samples the searches (all of them here), checks each against an exact
 * search, and the tuner measures on them. The sampled recall is checked against a brute force
 * computed here. The floor for the tuner's own queries is lowered to the ladder's first step so
 * that the traffic's narrow choice is a walk the test can tell apart.
 */

const DIM = 128;
const CLUSTERS = 24;
const PER_CLUSTER = 250;
const RECORDS = CLUSTERS * PER_CLUSTER;
const TARGET = 0.95;

const next = prng(3407);
const gaussian = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
const centers = Array.from({ length: CLUSTERS }, () => Array.from({ length: DIM }, () => gaussian() * 4));
const data = Array.from({ length: RECORDS }, (_, i) => centers[i % CLUSTERS].map((x) => x + gaussian() * 0.5));
/** Between two clusters, off both: as a question lies against passages. */
function queryBetween(): number[] {
  const a = centers[Math.floor(next() * CLUSTERS)];
  const b = centers[Math.floor(next() * CLUSTERS)];
  const t = 0.3 + next() * 0.4;
  return a.map((x, k) => x * t + b[k] * (1 - t) + gaussian() * 0.6);
}

/** Near a record's cluster, as the records themselves are: what a narrow walk serves. */
function queryNear(): number[] {
  return centers[Math.floor(next() * CLUSTERS)].map((x) => x + gaussian() * 0.5);
}

const squared = (a: number[], b: number[]) => a.reduce((sum, x, k) => sum + (x - b[k]) ** 2, 0);

/** Each record's side: the filtered queries keep two sides of three, so they always walk the index. */
const sideOf = (i: number) => i % 3;
const KEPT_SIDES = [0, 1];
const FILTER = { side: { $in: KEPT_SIDES } };

function exactTop(q: number[], k: number, filtered = false): string[] {
  return data
    .map((v, i) => ({ id: `r${i}`, d: squared(q, v), side: sideOf(i) }))
    .filter((x) => !filtered || KEPT_SIDES.includes(x.side))
    .sort((a, b) => a.d - b.d)
    .slice(0, k)
    .map((x) => x.id);
}

/** Queries the collection (under FILTER when `filtered`) and returns the recall@10 of each answer against the brute force. */
async function recallsOf(col: Collection, queries: number[][], filtered = false): Promise<number[]> {
  const recalls: number[] = [];
  for (const q of queries) {
    const res = await col.query({
      queryEmbeddings: [q],
      nResults: 10,
      include: [],
      where: filtered ? FILTER : undefined,
    });
    const truth = new Set(exactTop(q, 10, filtered));
    recalls.push(res.ids[0].filter((id) => truth.has(id)).length / 10);
  }
  return recalls;
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

interface Status {
  vecgate_search_tuning?: {
    ef_search: number;
    exact: boolean;
    recall: number;
    source: string;
    filtered_source?: string;
    records: number;
    measured_at: string;
  };
  vecgate_traffic_recall: Record<
    'unfiltered' | 'filtered',
    { samples: number; walks: number; walk_recall: number | null; recall: number | null }
  >;
}

const statusOf = (gw: TestGateway, col: Collection) => indexingStatus<Status>(gw.url, col.id);

/**
 * The stored samples are one per query sent, found by their vector (stored as float4), each with
 * k 10 and the recall the test's brute force found for that query's answer.
 */
function expectStoredRecalls(
  rows: { vector: string; recall: number; k: number }[],
  queries: number[][],
  recalls: number[],
): void {
  expect(rows).toHaveLength(queries.length);
  for (const row of rows) {
    const vector = JSON.parse(row.vector) as number[];
    const i = queries.findIndex((q) => q.every((x, k) => Math.abs(Math.fround(x) - vector[k]) < 1e-5));
    expect(i).toBeGreaterThanOrEqual(0);
    expect(row.k).toBe(10);
    expect(row.recall).toBeCloseTo(recalls[i], 5);
  }
}

describe('Chroma: recall measured on the collection’s own traffic', () => {
  let gw: TestGateway;
  let col: Collection;

  beforeAll(async () => {
    gw = await startGateway({
      indexing: {
        ...loadConfig({}).indexing,
        minRows: 500,
        quietMs: 300,
        recallTarget: TARGET,
        recallSample: 80,
        recallCheckMs: 200,
        trafficShare: 1,
        trafficPerMinute: 10_000,
        synthesizedFloor: 16,
      },
    });
    const client = new ChromaClient({ host: '127.0.0.1', port: gw.port });
    col = await client.createCollection({ name: 'between', embeddingFunction: null });
    for (let s = 0; s < RECORDS; s += 500)
      await col.add({
        ids: Array.from({ length: Math.min(500, RECORDS - s) }, (_, i) => `r${s + i}`),
        embeddings: data.slice(s, s + 500),
        metadatas: Array.from({ length: Math.min(500, RECORDS - s) }, (_, i) => ({ side: sideOf(s + i) })),
      });
    // On (nearly) all the records: on a loaded machine the index may be built and measured between
    // two adds, and a walk chosen on part of the records is narrower than the premise below needs
    // (a CI run found 0.76: ef_search 250 or less, which 6,000 records never choose). A collection
    // grown by more than REMEASURE_ABOVE is measured again.
    await until(
      'the first measurement on the records added',
      () => statusOf(gw, col),
      (s) => (s.vecgate_search_tuning?.records ?? 0) * REMEASURE_ABOVE >= RECORDS,
    );
  });

  afterAll(() => gw?.close());

  type Tuning = NonNullable<Status['vecgate_search_tuning']>;

  /**
   * Sends `traffic` (unfiltered, and filtered when asked) until the tuner has measured on it, chosen
   * as `chose` expects, and what it sampled since meets the target. The searches before (the
   * premise's) are sampled too: the tuner may measure on a mix first, and again once the newest
   * samples are this traffic's.
   */
  async function settleOn(traffic: () => number[], filtered: boolean, chose: (t: Tuning) => boolean): Promise<Tuning> {
    const settled = await until(
      'a measurement on traffic that the traffic since meets',
      async () => {
        await recallsOf(col, Array.from({ length: 10 }, traffic));
        if (filtered) await recallsOf(col, Array.from({ length: 10 }, traffic), true);
        return statusOf(gw, col);
      },
      (s) =>
        s.vecgate_search_tuning?.source === 'traffic' &&
        (!filtered || s.vecgate_search_tuning?.filtered_source === 'traffic') &&
        chose(s.vecgate_search_tuning) &&
        s.vecgate_traffic_recall.unfiltered.samples >= TRAFFIC_MIN_SAMPLES &&
        (s.vecgate_traffic_recall.unfiltered.recall ?? 0) >= TARGET,
      { timeoutMs: 240_000, everyMs: 0 },
    );
    return settled.vecgate_search_tuning!;
  }

  // Three waits of up to 240 s each on the tuner (a loaded CI machine took over 180 s in all).
  it('guesses wide for queries between the clusters, then narrows and widens on traffic', async () => {
    const first = (await statusOf(gw, col)).vecgate_search_tuning!;
    expect(first.source).toBe('synthesized');
    expect(first.recall).toBeGreaterThanOrEqual(TARGET);
    // The first guess is made on 40 pairs of records, not on these queries: it serves them within
    // a few hundredths of the target from the first search (0.87-0.9 at ef_search 400 here),
    // filtered ones too, where a walk chosen on queries near the records finds far less (below).
    const firstBetween = mean(await recallsOf(col, Array.from({ length: 40 }, queryBetween)));
    expect(firstBetween).toBeGreaterThanOrEqual(0.8);
    expect(mean(await recallsOf(col, Array.from({ length: 40 }, queryBetween), true))).toBeGreaterThanOrEqual(0.8);

    // Traffic near the records: a narrower walk than the guess meets the target on it.
    const narrowed = await settleOn(
      queryNear,
      false,
      // Narrower than a cluster (250 records): the first measurement on traffic may still see
      // the premise's searches among the newest samples; the next ones see only these.
      (t) => !t.exact && t.ef_search <= 64 && (first.exact || t.ef_search < first.ef_search),
    );
    expect(mean(await recallsOf(col, Array.from({ length: 60 }, queryNear)))).toBeGreaterThanOrEqual(TARGET - 0.03);
    // ...which misses queries between the clusters, and finds less of them than the first guess:
    // the premise of what follows.
    const narrowBetween = mean(await recallsOf(col, Array.from({ length: 40 }, queryBetween)));
    expect(narrowBetween).toBeLessThan(TARGET);
    expect(narrowBetween).toBeLessThan(firstBetween);

    // The traffic moves between the clusters: the walks miss, and the tuner widens on the new traffic.
    const widened = await settleOn(queryBetween, true, (t) => t.exact || t.ef_search > narrowed.ef_search);
    expect(Date.parse(widened.measured_at)).toBeGreaterThan(Date.parse(narrowed.measured_at));
    // Fresh queries of the same traffic meet the target, within the noise of 60 queries. The
    // widened measurement's newest samples still hold near queries; the samples since the narrowed
    // one must meet the target on their own (trafficKinds: without it a CI run on Postgres found
    // 0.895 right after). Twenty samples are noisy too: the fresh queries are traffic, and the
    // tuner must get there on them.
    await until(
      'fresh queries between the clusters meet the target',
      async () => [
        mean(await recallsOf(col, Array.from({ length: 60 }, queryBetween))),
        mean(await recallsOf(col, Array.from({ length: 60 }, queryBetween), true)),
      ],
      (recalls) => recalls.every((r) => r >= TARGET - 0.03),
      { timeoutMs: 240_000, everyMs: 0 },
    );
  }, 600_000);

  it.each([
    ['unfiltered', false],
    ['filtered', true],
  ])(
    'checks each sampled %s search against a brute force: the recall it stored is the true one',
    async (_, filtered) => {
      // The earlier tests' checks first: a full queue (16) would drop these searches' samples.
      await gw.app.get(RecallSampler).idle();
      const queries = Array.from({ length: 15 }, queryBetween);
      const recalls = await recallsOf(col, queries, filtered);
      await gw.app.get(RecallSampler).idle();
      const { rows } = await gw.db.query<{ vector: string; recall: number; k: number; filter: unknown; share: number }>(
        `SELECT vector::text AS vector, recall, k, filter, share FROM vecgate_recall_samples
       WHERE collection_id = $1 AND filtered = $2 ORDER BY id DESC LIMIT 15`,
        [col.id, filtered],
      );
      expectStoredRecalls(rows, queries, recalls);
      for (const row of rows) {
        // A filtered sample keeps its filter, as the core's tree, and the planner's share of the table.
        if (filtered) {
          expect(row.filter).toMatchObject({ kind: 'anyOf', key: 'side', values: KEPT_SIDES });
          expect(row.share).toBeGreaterThan(0.4);
        } else expect(row.filter).toBeNull();
      }
    },
  );

  it("samples the Search API's nearest-neighbour searches too, checked the same way", async () => {
    // The earlier tests' checks first: a full queue (16) would drop these searches' samples.
    await gw.app.get(RecallSampler).idle();
    const queries = Array.from({ length: 8 }, queryBetween);
    const path = `/api/v2/tenants/default_tenant/databases/default_database/collections/${col.id}/search`;
    const recalls: number[] = [];
    for (const q of queries) {
      const res = await http(gw.url, 'POST', path, {
        searches: [{ rank: { $knn: { query: q, limit: 10 } }, limit: { limit: 10 } }],
      });
      expect(res.status).toBe(200);
      const truth = new Set(exactTop(q, 10));
      recalls.push((res.body.ids[0] as string[]).filter((id) => truth.has(id)).length / 10);
    }
    await gw.app.get(RecallSampler).idle();
    const { rows } = await gw.db.query<{ vector: string; recall: number; k: number }>(
      `SELECT vector::text AS vector, recall, k FROM vecgate_recall_samples
       WHERE collection_id = $1 ORDER BY id DESC LIMIT 8`,
      [col.id],
    );
    expectStoredRecalls(rows, queries, recalls);
  });

  it('stores no sample of a search whose filter is too long to keep', async () => {
    const count = async () =>
      (await gw.db.query('SELECT count(*)::int AS n FROM vecgate_recall_samples WHERE collection_id = $1', [col.id]))
        .rows[0].n;
    const sampler = gw.app.get(RecallSampler);
    await sampler.idle();
    const checked = sampler.checked.filtered;
    const before = await count();
    // 2,000 values of a dozen characters: over 16 KB as the core's filter tree.
    const values = Array.from({ length: 2000 }, (_, i) => `value-${String(i).padStart(6, '0')}`);
    const res = await col.query({ queryEmbeddings: [queryBetween()], nResults: 10, where: { side: { $in: values } } });
    expect(res.ids[0]).toEqual([]);
    await sampler.idle();
    expect(sampler.checked.filtered).toBe(checked);
    expect(await count()).toBe(before);
  });

  it('reports the recall by collection and kind in /metrics', async () => {
    const metrics = (await http(gw.url, 'GET', '/metrics')).text;
    const line = new RegExp(`^vecgate_search_recall\\{collection="${col.id}",kind="unfiltered"\\} ([\\d.]+)`, 'm').exec(
      metrics,
    );
    expect(line).not.toBeNull();
    expect(Number(line![1])).toBeGreaterThan(0);
    expect(metrics).toMatch(/^vecgate_search_recall_checks_total\{kind="unfiltered"\} [1-9]\d*/m);
  });
});
