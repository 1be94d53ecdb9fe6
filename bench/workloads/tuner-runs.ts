/**
 * Issue 49's measurement that holds on the next queries: the search tuner chooses by a lower
 * confidence bound of the recall it measures (RecallTally), so that fresh queries of the same kind
 * meet the target in at least 19 runs of 20. One collection is loaded (rebuilds off), then each run:
 *   1. sends `traffic` new searches (a stream of their own per run), which the gateway samples
 *      (VECGATE_RECALL_TRAFFIC_SHARE=1), and marks the last measurement stale (the statement the
 *      index builder's rebuilds use), so that the tuner measures again on the newest samples;
 *   2. once it has, sends `queries` fresh searches of the same kind (another stream) through the
 *      Chroma API and compares them with the exact answers (GroundTruth): recall@10 at the way it
 *      chose, and whether that meets the target.
 * Queries: uniform random in the cube for `--data uniform` (as the records), between topics for
 * `--data clustered`.
 */
import { Pool } from 'pg';
import { chromaClient, fill, waitIndexed, waitTuned } from '../clients/chroma';
import { datasetOf, GroundTruth, userQuery } from '../data';
import { choice, common, int, workload } from '../options';
import { bullets, machineInfo, markdown, progress } from '../report';
import { startVecgate, type Server } from '../servers/start';
import { scratchDatabase } from '../sql/connect';
import { pollUntil, recall } from '../stats';
import { SearchTuningRepository } from '../../src/core/collections/search-tuning.repository';

const NAME = 'bench_tuner_runs';

export default workload({
  name: 'tuner-runs',
  about: "issue 49's confidence bound: in how many runs of the tuner fresh queries meet the target",
  needs: 'postgres',
  flags: {
    records: int('records', 50_000, { min: 100, smoke: 3000 }),
    dim: int('embedding dimension', 64, { min: 2, max: 2000, smoke: 16 }),
    data: choice('uniform random in the cube, or clustered (queried between topics)', 'uniform', [
      'uniform',
      'clustered',
    ] as const),
    runs: int('measurements', 20, { min: 1, smoke: 2 }),
    traffic: int('new searches sent before each measurement (the tuner samples 50)', 60, { min: 20, smoke: 25 }),
    queries: int('fresh evaluation searches per run', 200, { min: 5, smoke: 20 }),
    waitS: int('seconds to wait for each measurement', 900, { min: 1, smoke: 120 }),
    smoke: { help: 'a few thousand records, two runs: the CI smoke', parse: (raw) => raw !== undefined },
    seed: common.seed,
  },
  async run(o) {
    const machine = machineInfo();
    const data = datasetOf(o.data, o.seed, o.records, o.dim);
    const query = (stream: string, i: number) => userQuery(data, o.data, stream, i);
    const truthOf = new GroundTruth(data);
    const scratch = await scratchDatabase(process.env.DATABASE_URL!, 'vecgate_bench_tuner_runs');
    const pool = new Pool({ connectionString: scratch.url, max: 1 });
    let gateway: Server | undefined;
    const rows: string[][] = [];
    try {
      gateway = await startVecgate({
        databaseUrl: scratch.url,
        env: {
          VECGATE_RECALL_TRAFFIC_SHARE: '1',
          VECGATE_RECALL_TRAFFIC_PER_MINUTE: '6000',
          VECGATE_INDEX_MIN_ROWS: String(Math.min(1000, o.records)),
          VECGATE_REBUILD_MAX_MINUTES: '0',
          // Measured when asked (stale) or grown, not because traffic's recall drifted meanwhile.
          VECGATE_RECALL_CHECK_MS: '1000',
        },
      });
      const coll = await chromaClient(gateway.url).createCollection({ name: NAME, embeddingFunction: null });
      progress(`loading ${o.records} ${o.data} records x ${o.dim}`);
      await fill(coll, data, 1000);
      await waitIndexed(coll, o.waitS * 1000);
      await waitTuned(coll, o.waitS * 1000);
      const target = Number(((await coll.getIndexingStatus()) as any).vecgate_search_tuning.recall_target);
      const tuning = new SearchTuningRepository();
      let met = 0;
      for (let run = 0; run < o.runs; run++) {
        for (let i = 0; i < o.traffic; i++)
          await coll.query({ queryEmbeddings: [query(`traffic-${run}`, i)], nResults: 10, include: [] });
        const asked = Date.now();
        await tuning.markStale(pool, coll.id);
        let t: any;
        await pollUntil(
          async () => {
            t = ((await coll.getIndexingStatus()) as any).vecgate_search_tuning;
            return t?.source === 'traffic' && Date.parse(t.measured_at) >= asked;
          },
          o.waitS * 1000,
          `measurement ${run + 1}`,
          1000,
        );
        const fresh = Array.from({ length: o.queries }, (_, i) => query(`fresh-${run}`, i));
        const found: string[][] = [];
        for (const q of fresh)
          found.push((await coll.query({ queryEmbeddings: [q], nResults: 10, include: [] })).ids[0] as string[]);
        const got = recall(
          found,
          fresh.map((q) => truthOf.topK(q, 10, () => true)),
          10,
        );
        if (got >= target) met++;
        const how = t.exact ? 'exact' : `ef_search ${t.ef_search}`;
        rows.push([String(run + 1), how, Number(t.recall).toFixed(3), got.toFixed(3), got >= target ? 'yes' : 'no']);
        progress(`run ${run + 1}: ${how}, measured ${Number(t.recall).toFixed(3)}, fresh queries ${got.toFixed(3)}`);
      }
      console.log(`\n## The tuner's choice on fresh queries: ${o.records} x ${o.dim} ${o.data}, ${o.runs} runs\n`);
      console.log(bullets({ ...machine, ...gateway.info }).join('\n'));
      console.log(
        '\n' +
          markdown(
            ['run', 'chose', 'recall measured (on 50 samples)', `recall of ${o.queries} fresh queries`, 'met'],
            rows,
          ),
      );
      console.log(`\n- fresh queries met the target ${target} in ${met} of ${o.runs} runs`);
    } finally {
      await pool.end().catch(() => {});
      await gateway?.stop();
      await scratch.drop();
    }
    return true;
  },
});
