/**
 * Issue 34's floor: how wide an HNSW walk must be for queries that do not look like the records.
 * Clustered records are loaded into vecgate (Postgres) and into the Chroma reference server; then
 *   1. on vecgate's own record table and index, the tuner's SQL (SearchTuningRepository.nearestIds)
 *      at each ef_search of its ladder, for queries between topics and off the records
 *      (Dataset.betweenTopics) and for the two halves of the queries the tuner synthesizes, near
 *      the records (queriesNear) and between them (queriesBetween), recall@10 against the exact
 *      search of the same table;
 *   2. what vecgate's default answers those queries through the Chroma API, before its traffic
 *      was sampled, and after the tuner re-measured on that traffic (the gateway runs with
 *      VECGATE_RECALL_TRAFFIC_SHARE=1 so that this takes a minute, not a day);
 *   3. Chroma's default (ef_search 100) on the same queries.
 * Works in a scratch database of its own, dropped at the end.
 */
import { Pool } from 'pg';
import type { Collection } from 'chromadb';
import { chromaClient, fill, waitIndexed, waitTuned } from '../clients/chroma';
import { Dataset, rng } from '../data';
import { common, int, workload } from '../options';
import { bullets, machineInfo, markdown, progress } from '../report';
import { startChromaReference, startVecgate, type Server } from '../servers/start';
import { scratchDatabase } from '../sql/connect';
import { pollUntil } from '../stats';
import { CollectionsRepository } from '../../src/core/collections/collections.repository';
import { SearchTuningRepository } from '../../src/core/collections/search-tuning.repository';
import { EF_SEARCH_LADDER, queriesBetween, queriesNear } from '../../src/core/indexing/search-tuner';

const NAME = 'bench_traffic';

const recallOf = (got: string[][], truth: string[][]) =>
  truth.reduce((s, t, i) => s + t.filter((id) => got[i].includes(id)).length / t.length, 0) / truth.length;

type Tuning = Record<string, any> | undefined;
const describe = (t: Tuning) =>
  t
    ? `${t.exact ? 'exact' : `ef_search ${t.ef_search}`}, recall ${Number(t.recall).toFixed(3)}, source ${t.source ?? '?'}`
    : 'none';
const efOf = (t: Tuning) => (t ? (t.exact ? 'exact' : String(t.ef_search)) : '?');

export default workload({
  name: 'traffic',
  about: "issue 34's floor: recall by ef_search on queries between topics vs near the records",
  needs: 'postgres',
  flags: {
    records: int('clustered records', 20_000, { min: 100, smoke: 400 }),
    dim: int('embedding dimension', 384, { min: 2, max: 2000, smoke: 16 }),
    queries: int('queries per set (between topics, near the records)', 100, { min: 5, smoke: 10 }),
    traffic: int('between-topic searches sent as traffic for the tuner to sample', 60, { min: 0, smoke: 25 }),
    waitS: int('seconds to wait for the tuner to re-measure on traffic', 240, { min: 1, smoke: 60 }),
    smoke: { ...common.noChroma, help: 'a few hundred records, no Chroma: the CI smoke' },
    noChroma: common.noChroma,
    seed: common.seed,
  },
  async run(o) {
    const machine = machineInfo();
    const data = new Dataset(o.seed, o.records, o.dim);
    const scratch = await scratchDatabase(process.env.DATABASE_URL!, 'vecgate_bench_traffic');
    const started: Server[] = [];
    const pool = new Pool({ connectionString: scratch.url, max: 1 });
    try {
      const gateway = await startVecgate({
        databaseUrl: scratch.url,
        env: {
          VECGATE_RECALL_TRAFFIC_SHARE: '1',
          VECGATE_RECALL_TRAFFIC_PER_MINUTE: '600',
          // The default (1000) unless the run is smaller: a table the tuner would not measure.
          VECGATE_INDEX_MIN_ROWS: String(Math.min(1000, o.records)),
        },
      });
      started.push(gateway);
      const client = chromaClient(gateway.url);
      const coll = await client.createCollection({ name: NAME, embeddingFunction: null });
      progress(`loading ${o.records} clustered records x ${o.dim} into vecgate`);
      await fill(coll, data, 1000);
      await waitIndexed(coll, Infinity);
      const first = await waitTuned(coll, o.waitS * 1000);
      const synthesizedChoice = first?.chose;
      progress(`tuner on its own queries: ${describe(synthesizedChoice)}`);

      const collection = (await new CollectionsRepository().findById(pool, coll.id))!;
      const tuning = new SearchTuningRepository();
      const ids = async (vector: string, ef: number | null): Promise<string[]> => {
        const tx = await pool.connect();
        try {
          await tx.query('BEGIN');
          return await tuning.nearestIds(tx, collection, vector, ef);
        } finally {
          await tx.query('COMMIT');
          tx.release();
        }
      };
      // The plan of the same statement: past some ef_search the planner may read the table instead
      // of walking the index (pgvector's cost grows with ef_search), which answers exactly.
      const planOf = async (vector: string, ef: number): Promise<string> => {
        const tx = await pool.connect();
        let plan = '?';
        const explaining = {
          query: async (sql: string, params?: unknown[]) => {
            if (!/^\s*SELECT id\b/.test(sql)) return tx.query(sql, params);
            const res = await tx.query(`EXPLAIN (FORMAT JSON) ${sql}`, params);
            const nodes: string[] = [];
            const walk = (n: any) => {
              nodes.push(
                n['Node Type'] + (n['Index Name'] ? ` ${String(n['Index Name']).replace(/^r_[0-9a-f]+_/, '')}` : ''),
              );
              for (const c of n.Plans ?? []) walk(c);
            };
            walk(res.rows[0]['QUERY PLAN'][0].Plan);
            plan = nodes.join(' > ');
            return { rows: [] };
          },
        };
        try {
          await tx.query('BEGIN');
          await tuning.nearestIds(explaining as never, collection, vector, ef);
        } finally {
          await tx.query('COMMIT');
          tx.release();
        }
        return plan;
      };
      const text = (v: number[]) => `[${v.join(',')}]`;
      const between = Array.from({ length: o.queries }, (_, i) => text(data.betweenTopics('eval', i)));
      const sample = await tuning.sample(pool, collection, o.records, o.queries);
      const near = queriesNear(sample, rng(o.seed, 'near'));
      const pairs = queriesBetween(sample, rng(o.seed, 'pairs'));
      const truth = { between: [] as string[][], near: [] as string[][], pairs: [] as string[][] };
      for (const v of between) truth.between.push(await ids(v, null));
      for (const v of near) truth.near.push(await ids(v, null));
      for (const v of pairs) truth.pairs.push(await ids(v, null));

      const ladder: string[][] = [];
      const reach: { between?: number; near?: number; tuner?: number } = {};
      for (const ef of EF_SEARCH_LADDER) {
        const got = { between: [] as string[][], near: [] as string[][], pairs: [] as string[][] };
        for (const v of between) got.between.push(await ids(v, ef));
        for (const v of near) got.near.push(await ids(v, ef));
        for (const v of pairs) got.pairs.push(await ids(v, ef));
        const rb = recallOf(got.between, truth.between);
        const rn = recallOf(got.near, truth.near);
        const rp = recallOf(got.pairs, truth.pairs);
        if (rb >= 0.95) reach.between ??= ef;
        if (rn >= 0.95) reach.near ??= ef;
        if (Math.min(rn, rp) >= 0.95) reach.tuner ??= ef;
        ladder.push([String(ef), rb.toFixed(3), rn.toFixed(3), rp.toFixed(3), await planOf(between[0], ef)]);
        progress(
          `ef_search ${ef}: between topics ${rb.toFixed(3)}, near the records ${rn.toFixed(3)}, between records ${rp.toFixed(3)}`,
        );
      }

      // Through the API: vecgate's default before its traffic was measured, then after.
      const viaApi = async (c: Collection, vectors: string[]) => {
        const got: string[][] = [];
        for (const v of vectors)
          got.push((await c.query({ queryEmbeddings: [JSON.parse(v)], nResults: 10, include: [] })).ids[0]);
        return recallOf(got, truth.between);
      };
      const before = await viaApi(coll, between);
      progress(`vecgate default, before its traffic was measured: ${before.toFixed(3)}`);
      const status = async () => ((await coll.getIndexingStatus()) as any).vecgate_search_tuning as Tuning;
      let sent = 0;
      const waitStart = Date.now();
      let afterChoice: Tuning;
      const reTuned = await pollUntil(
        async () => {
          // Traffic from the same distribution as the evaluation set, never the same queries.
          for (let k = 0; k < 10 && sent < Math.max(o.traffic, 20); k++, sent++)
            await coll.query({ queryEmbeddings: [data.betweenTopics('traffic', sent)], nResults: 10, include: [] });
          afterChoice = await status();
          return afterChoice?.source === 'traffic';
        },
        o.waitS * 1000,
        () => `the tuner to measure on traffic (${sent} searches sent; ${describe(afterChoice)})`,
        2000,
      ).then(
        () => true,
        (err) => (progress(String(err?.message ?? err)), false),
      );
      const reTunedS = (Date.now() - waitStart) / 1000;
      const after = await viaApi(coll, between);
      progress(`vecgate default, after re-tuning on traffic (${describe(afterChoice)}): ${after.toFixed(3)}`);

      let chromaRecall: number | undefined;
      if (!o.noChroma && !o.smoke) {
        const chroma = await startChromaReference();
        started.push(chroma);
        const cc = await chromaClient(chroma.url).createCollection({ name: NAME, embeddingFunction: null });
        progress(`loading ${o.records} records into Chroma`);
        await fill(cc, data, 1000);
        chromaRecall = await viaApi(cc, between);
        progress(`Chroma default (ef_search 100): ${chromaRecall.toFixed(3)}`);
        // No ladder for Chroma: 1.0.0 accepts modify(ef_search) but a loaded collection keeps its
        // search (recall flat to three digits from 16 to 1000); bench/workloads/curve.ts creates a
        // collection per ef_search instead.
      }

      console.log(`\n## The floor: ${o.records} x ${o.dim} clustered, ${o.queries} queries per set\n`);
      console.log(bullets({ ...machine, ...gateway.info }).join('\n'));
      console.log(
        `\nrecall@10 against the exact search: vecgate's record table and index with the tuner's SQL at each ef_search\n`,
      );
      console.log(
        markdown(
          [
            'ef_search',
            'vecgate: between topics, off the records',
            'vecgate: near the records (tuner, half)',
            'vecgate: between records (tuner, half)',
            "vecgate's plan",
          ],
          ladder,
        ),
      );
      console.log(
        `\n- between-topic queries reach 0.95 at ef_search ${reach.between ?? '> 1000'}; ` +
          `queries near the records alone at ${reach.near ?? '> 1000'}; the tuner's mix at ${reach.tuner ?? '> 1000'}`,
      );
      console.log(
        '\n' +
          markdown(
            ['between-topic queries through the Chroma API', 'recall@10', 'ef_search'],
            [
              [
                'vecgate default, tuned on its own queries (floor 100, near and between records)',
                before.toFixed(3),
                efOf(synthesizedChoice),
              ],
              [
                reTuned
                  ? `vecgate default, re-tuned on sampled traffic (${sent} searches, ${reTunedS.toFixed(0)} s)`
                  : `vecgate default, NOT re-tuned on traffic within ${o.waitS} s (${sent} searches)`,
                after.toFixed(3),
                efOf(afterChoice),
              ],
              ...(chromaRecall === undefined ? [] : [['Chroma 1.0.0 default', chromaRecall.toFixed(3), '100']]),
            ],
          ),
      );
      console.log(`\n- tuner on its own queries: ${describe(synthesizedChoice)}; on traffic: ${describe(afterChoice)}`);
    } finally {
      await pool.end().catch(() => {});
      for (const s of started.reverse()) await s.stop();
      await scratch.drop();
    }
    return true;
  },
});
