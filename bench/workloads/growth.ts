/**
 * Issue 49's rebuilds: what the tuner reaches on a collection's own traffic with the index it
 * was first built with, and after it rebuilt the index larger (IndexGrower), beside Chroma 1.0.0
 * at its default and at ef_search 1000 on the same data and queries.
 *   1. vecgate (Postgres, a scratch database) with rebuilds off: the records are loaded, the index
 *      built, traffic sent until the tuner measured on it; then the evaluation queries (drawn as the
 *      traffic is, never the same ones) through the Chroma API: recall@10 against the exact answer
 *      (GroundTruth) and p50.
 *   2. The same database, a gateway with rebuilds on: it rebuilds step by step until a walk meets
 *      the target or no step is left within VECGATE_REBUILD_MAX_MINUTES / _SIZE; each build's
 *      settings, time and size (indexing_status), then the evaluation queries again.
 *   3. Chroma: a collection at its default (ef_search 100) and one created at ef_search 1000
 *      (1.0.0 keeps a loaded collection's search when modified), the same queries.
 * Queries: uniform random in the cube for `--data uniform` (as the records), between topics and
 * off the records (questions against passages) for `--data clustered`.
 */
import type { Collection } from 'chromadb';
import { chromaClient, fill, waitIndexed, waitTuned } from '../clients/chroma';
import { datasetOf, GroundTruth, userQuery } from '../data';
import { choice, common, int, workload } from '../options';
import { bullets, machineInfo, markdown, ms, progress } from '../report';
import { startChromaReference, startVecgate, type Server } from '../servers/start';
import { scratchDatabase } from '../sql/connect';
import { nowMs, pollUntil, recall, summarize } from '../stats';

const NAME = 'bench_growth';

type Status = Record<string, any>;
const tuningOf = async (c: Collection) => ((await c.getIndexingStatus()) as Status).vecgate_search_tuning as Status;
const describe = (t: Status | undefined) =>
  t
    ? `${t.exact ? 'exact' : `ef_search ${t.ef_search}`}, recall ${Number(t.recall).toFixed(3)}` +
      (t.walk_recall !== undefined ? `, walk ${Number(t.walk_recall).toFixed(3)}${t.walk_met ? ' (met)' : ''}` : '') +
      `, source ${t.source}`
    : 'none';

export default workload({
  name: 'growth',
  about: "issue 49's rebuilds: recall and p50 on the collection's traffic before and after the index is rebuilt larger",
  needs: 'postgres',
  flags: {
    records: int('records', 100_000, { min: 100, smoke: 10_000 }),
    dim: int('embedding dimension', 64, { min: 2, max: 2000, smoke: 32 }),
    data: choice('uniform random in the cube, or clustered (queried between topics)', 'uniform', [
      'uniform',
      'clustered',
    ] as const),
    target: int('recall target, in hundredths (VECGATE_RECALL_TARGET)', 95, { min: 1, max: 100 }),
    m: int('VECGATE_HNSW_M: the first build', 16, { min: 2, max: 100, smoke: 4 }),
    efConstruction: int('VECGATE_HNSW_EF_CONSTRUCTION: the first build', 100, { min: 4, max: 1000, smoke: 8 }),
    queries: int('evaluation queries', 100, { min: 5, smoke: 20 }),
    traffic: int('searches sent as traffic for the tuner to sample', 60, { min: 20, smoke: 25 }),
    waitS: int('seconds to wait for the tuner and the rebuilds', 3600, { min: 1, smoke: 180 }),
    smoke: { ...common.noChroma, help: 'a few thousand records, a lean first build, no Chroma: the CI smoke' },
    noChroma: common.noChroma,
    seed: common.seed,
  },
  async run(o) {
    const machine = machineInfo();
    const data = datasetOf(o.data, o.seed, o.records, o.dim);
    const query = (stream: string, i: number) => userQuery(data, o.data, stream, i);
    const evaluation = Array.from({ length: o.queries }, (_, i) => query('eval', i));
    progress(`exact answers of ${o.queries} queries over ${o.records} x ${o.dim} ${o.data} records`);
    const truthOf = new GroundTruth(data);
    const truth = evaluation.map((q) => truthOf.topK(q, 10, () => true));
    const scratch = await scratchDatabase(process.env.DATABASE_URL!, 'vecgate_bench_growth');
    const started: Server[] = [];
    const env = {
      VECGATE_RECALL_TARGET: String(o.target / 100),
      VECGATE_RECALL_TRAFFIC_SHARE: '1',
      VECGATE_RECALL_TRAFFIC_PER_MINUTE: '600',
      VECGATE_INDEX_MIN_ROWS: String(Math.min(1000, o.records)),
      VECGATE_HNSW_M: String(o.m),
      VECGATE_HNSW_EF_CONSTRUCTION: String(o.efConstruction),
    };
    /** Recall@10 and p50 of the evaluation queries through the Chroma API. */
    const evaluate = async (c: Collection) => {
      await c.query({ queryEmbeddings: [evaluation[0]], nResults: 10, include: [] });
      const found: string[][] = [];
      const times: number[] = [];
      for (const q of evaluation) {
        const t = nowMs();
        found.push((await c.query({ queryEmbeddings: [q], nResults: 10, include: [] })).ids[0] as string[]);
        times.push(nowMs() - t);
      }
      const s = summarize(times);
      return { recall: recall(found, truth, 10), p50: s.median, qps: 1000 / s.mean };
    };
    const stopLast = async () => started.pop()?.stop();
    try {
      // 1. The first build, rebuilds off.
      started.push(await startVecgate({ databaseUrl: scratch.url, env: { ...env, VECGATE_REBUILD_MAX_MINUTES: '0' } }));
      const gatewayInfo = started[0].info;
      let coll = await chromaClient(started[0].url).createCollection({ name: NAME, embeddingFunction: null });
      progress(`loading ${o.records} ${o.data} records x ${o.dim} into vecgate`);
      const loadStart = Date.now();
      await fill(coll, data, 1000);
      await waitIndexed(coll, o.waitS * 1000);
      progress(`loaded and indexed in ${((Date.now() - loadStart) / 1000).toFixed(0)} s`);
      await waitTuned(coll, o.waitS * 1000);
      let sent = 0;
      let before: Status | undefined;
      await pollUntil(
        async () => {
          for (let k = 0; k < 10 && sent < Math.max(o.traffic, 20); k++, sent++)
            await coll.query({ queryEmbeddings: [query('traffic', sent)], nResults: 10, include: [] });
          before = await tuningOf(coll);
          return before?.source === 'traffic';
        },
        o.waitS * 1000,
        () => `the tuner to measure on traffic (${sent} searches sent; ${describe(before)})`,
        2000,
      );
      progress(`first build, measured on traffic: ${describe(before)}`);
      const first = await evaluate(coll);
      progress(`first build: recall ${first.recall.toFixed(3)}, p50 ${ms(first.p50)} ms`);
      await stopLast();

      // 2. Rebuilds on.
      started.push(await startVecgate({ databaseUrl: scratch.url, env }));
      coll = await chromaClient(started[0].url).getCollection({ name: NAME, embeddingFunction: null } as never);
      const growStart = Date.now();
      let status: Status = {};
      const settled = (s: Status) => {
        const t = s.vecgate_search_tuning;
        const builds: Status[] = s.vecgate_hnsw_index?.builds ?? [];
        const last = builds.at(-1);
        if (!t || !last) return false;
        // Measured after the last build (a refused step is recorded, not built).
        const measuredSince = Date.parse(t.measured_at) >= Date.parse(last.built_at) || last.outcome !== 'built';
        if (!measuredSince) return false;
        return t.walk_met === true || last.outcome !== 'built' || s.vecgate_hnsw_index.m >= 48;
      };
      await pollUntil(
        async () => settled((status = (await coll.getIndexingStatus()) as Status)),
        o.waitS * 1000,
        () => `the rebuilds to settle (${JSON.stringify(status.vecgate_hnsw_index ?? {})})`,
        5000,
      );
      const after = await evaluate(coll);
      const afterTuning = status.vecgate_search_tuning;
      progress(`after ${((Date.now() - growStart) / 1000).toFixed(0)} s: ${describe(afterTuning)}`);
      progress(`rebuilt: recall ${after.recall.toFixed(3)}, p50 ${ms(after.p50)} ms`);
      await stopLast();

      // 3. Chroma at its default and at ef_search 1000.
      const chroma: { label: string; recall: number; p50: number; qps: number }[] = [];
      if (!o.noChroma && !o.smoke) {
        const server = await startChromaReference();
        started.push(server);
        for (const ef of [100, 1000]) {
          const cc = await chromaClient(server.url).createCollection({
            name: `${NAME}_${ef}`,
            embeddingFunction: null,
            ...(ef !== 100 && { configuration: { hnsw: { ef_search: ef } } }),
          });
          progress(`loading ${o.records} records into Chroma (ef_search ${ef})`);
          await fill(cc, data, 1000);
          const r = await evaluate(cc);
          chroma.push({ label: `Chroma 1.0.0, ef_search ${ef}${ef === 100 ? ' (default)' : ''}`, ...r });
          progress(`Chroma ef_search ${ef}: recall ${r.recall.toFixed(3)}, p50 ${ms(r.p50)} ms`);
        }
      }

      const builds: Status[] = status.vecgate_hnsw_index?.builds ?? [];
      console.log(
        `\n## Rebuilt larger: ${o.records} x ${o.dim} ${o.data}, target ${o.target / 100}, ${o.queries} queries\n`,
      );
      console.log(bullets({ ...machine, ...gatewayInfo }).join('\n'));
      console.log('\nEach build of the index (vecgate_hnsw_index in indexing_status):\n');
      console.log(
        markdown(
          ['m', 'ef_construction', 'outcome', 'build s', 'index MB'],
          builds.map((b) => [
            String(b.m),
            String(b.ef_construction),
            b.outcome,
            b.ms === null ? '-' : (b.ms / 1000).toFixed(1),
            b.bytes === null ? '-' : (b.bytes / 2 ** 20).toFixed(1),
          ]),
        ),
      );
      console.log(
        '\nThe evaluation queries through the Chroma API (recall@10 against the exact answer):\n\n' +
          markdown(
            ['', 'searches run', 'recall@10', 'p50 ms', 'QPS (one client)'],
            [
              [
                `vecgate, first build (m ${o.m}, ef_construction ${o.efConstruction})`,
                describe(before),
                first.recall.toFixed(3),
                ms(first.p50),
                first.qps.toFixed(0),
              ],
              [
                `vecgate, after the rebuilds (m ${status.vecgate_hnsw_index?.m}, ef_construction ${status.vecgate_hnsw_index?.ef_construction})`,
                describe(afterTuning),
                after.recall.toFixed(3),
                ms(after.p50),
                after.qps.toFixed(0),
              ],
              ...chroma.map((c) => [c.label, '', c.recall.toFixed(3), ms(c.p50), c.qps.toFixed(0)]),
            ],
          ),
      );
      if (afterTuning?.shortfall) console.log(`\n- shortfall: ${afterTuning.shortfall}`);
    } finally {
      while (started.length) await stopLast();
      await scratch.drop();
    }
    return true;
  },
});
