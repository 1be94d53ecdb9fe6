/**
 * Issue 34 §4: recall against queries per second on hard data (uniform vectors, no clusters),
 * through the Chroma API, vecgate (Postgres) beside the Chroma reference server. vecgate as it
 * tunes itself, then with ef_search pinned through modify (configuration.hnsw.ef_search); Chroma
 * at each ef_search on a collection created with it. Each point: recall@10 of `queries`
 * queries one at a time against the exact neighbours (computed here), then QPS from 1 and from
 * `clients` concurrent clients for `seconds` each. vecgate runs in a scratch database, dropped.
 */
import type { Collection } from 'chromadb';
import { chromaClient, fill, waitIndexed, waitTuned } from '../clients/chroma';
import { driveFor } from '../clients/drive';
import { GroundTruth, UniformDataset } from '../data';
import { common, int, ints, workload } from '../options';
import { bullets, machineInfo, markdown, progress } from '../report';
import { startChromaReference, startVecgate, type Server } from '../servers/start';
import { scratchDatabase } from '../sql/connect';

const NAME = 'bench_curve';

export default workload({
  name: 'curve',
  about: 'recall@10 against QPS on uniform vectors: vecgate tuned and pinned, Chroma by ef_search',
  needs: 'postgres',
  flags: {
    records: int('uniform records', 20_000, { min: 100, smoke: 300 }),
    dim: int('embedding dimension', 384, { min: 2, max: 2000, smoke: 16 }),
    queries: int('queries for recall, one at a time', 100, { min: 5, smoke: 5 }),
    seconds: int('seconds of each QPS measurement', 8, { min: 1, smoke: 1 }),
    clients: ints('concurrent clients of the QPS columns', '1,8', { min: 1, max: 64, smoke: '1,2' }),
    vecgateEf: ints('ef_search values vecgate is pinned at, after its default', '100,250,640,1000', {
      min: 1,
      max: 1000,
      smoke: '100',
    }),
    chromaEf: ints("Chroma's ef_search values", '100,200,400,800,1000', { min: 1, smoke: '100' }),
    smoke: { ...common.noChroma, help: 'a few hundred records, no Chroma: the CI smoke' },
    noChroma: common.noChroma,
    seed: common.seed,
  },
  async run(o) {
    const machine = machineInfo();
    const data = new UniformDataset(o.seed, o.records, o.dim);
    const vectors = Array.from({ length: o.queries }, (_, i) => data.queryVector('curve', i));
    progress(`exact neighbours of ${o.queries} queries`);
    const gt = new GroundTruth(data);
    const truth = vectors.map((v) => gt.topK(v, 10, () => true));
    const rows: string[][] = [];
    const point = async (who: string, setting: string, coll: Collection): Promise<void> => {
      let hit = 0;
      for (const [i, v] of vectors.entries()) {
        const ids = (await coll.query({ queryEmbeddings: [v], nResults: 10, include: [] })).ids[0];
        hit += truth[i].filter((id) => ids.includes(id)).length / 10;
      }
      const recall = hit / o.queries;
      const qps: string[] = [];
      for (const c of o.clients) {
        const d = await driveFor(c, o.seconds, (i) =>
          coll.query({ queryEmbeddings: [vectors[i % o.queries]], nResults: 10, include: ['distances'] }),
        );
        if (d.errors) throw new Error(`${who} ${setting}: ${d.errors} errors, ${d.firstError}`);
        qps.push(d.qps.toFixed(0));
      }
      rows.push([who, setting, recall.toFixed(3), ...qps]);
      progress(`${who}, ${setting}: recall ${recall.toFixed(3)}, QPS ${qps.join(' / ')}`);
    };
    const setEf = (coll: Collection, ef: number) => coll.modify({ configuration: { hnsw: { ef_search: ef } } });

    const scratch = await scratchDatabase(process.env.DATABASE_URL!, 'vecgate_bench_curve');
    const started: Server[] = [];
    let tuned: Record<string, any> | undefined;
    let info: Record<string, string> | undefined;
    try {
      const gateway = await startVecgate({
        databaseUrl: scratch.url,
        env: { VECGATE_INDEX_MIN_ROWS: String(Math.min(1000, o.records)) },
      });
      started.push(gateway);
      info = gateway.info;
      const coll = await chromaClient(gateway.url).createCollection({ name: NAME, embeddingFunction: null });
      progress(`loading ${o.records} uniform records x ${o.dim} into vecgate`);
      await fill(coll, data, 1000);
      await waitIndexed(coll, Infinity);
      tuned = (await waitTuned(coll, 600_000))?.chose;
      const how = tuned ? (tuned.exact ? 'exact' : `ef_search ${tuned.ef_search}`) : 'not tuned';
      await point('vecgate', `default (tuned: ${how})`, coll);
      for (const ef of o.vecgateEf) {
        await setEf(coll, ef);
        await point('vecgate', `ef_search ${ef} (pinned)`, coll);
      }
      await gateway.stop();
      started.pop();

      if (!o.noChroma && !o.smoke) {
        const chroma = await startChromaReference();
        started.push(chroma);
        // One collection per ef_search, created with it: Chroma 1.0.0 answers modify(ef_search) but
        // keeps searching a loaded index as before (bench/workloads/traffic.ts saw recall flat to
        // three digits from 16 to 1000).
        for (const ef of o.chromaEf) {
          const name = `${NAME}_${ef}`;
          const cc = await chromaClient(chroma.url).createCollection({
            name,
            embeddingFunction: null,
            configuration: { hnsw: { ef_search: ef } },
          });
          progress(`loading ${o.records} records into Chroma (ef_search ${ef})`);
          await fill(cc, data, 1000);
          await point('Chroma 1.0.0', `ef_search ${ef}${ef === 100 ? ' (default)' : ''}`, cc);
          await chromaClient(chroma.url).deleteCollection({ name });
        }
      }
    } finally {
      for (const s of started.reverse()) await s.stop().catch(() => {});
      await scratch.drop();
    }
    console.log(`\n## Recall against QPS, ${o.records} x ${o.dim} uniform, top 10\n`);
    console.log(bullets({ ...machine, ...info }).join('\n'));
    console.log(`- vecgate's tuner chose: ${JSON.stringify(tuned ?? null)}`);
    console.log(
      '\n' +
        markdown(
          [
            'server',
            'search',
            `recall@10 (${o.queries} queries)`,
            ...o.clients.map((c) => `QPS, ${c} client${c > 1 ? 's' : ''}`),
          ],
          rows,
          2,
        ),
    );
    return true;
  },
});
