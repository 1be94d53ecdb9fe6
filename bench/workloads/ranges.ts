/**
 * A numeric range filter's query through the gateway, beside the unfiltered query (issue 49): on
 * uniform random vectors whose metadata `n` is the record's number, `$gte` filters keeping 0.1%,
 * 1%, 10%, 50% and 95% of the collection, each query's p50 and p95 one call at a time, recall@10
 * against the exact answer among the records the filter keeps (the filters' queries interleaved
 * round by round), and the planner's estimate of the records kept, read from the console's
 * Explain, with the path and ef_search it chose. A filter keeping half the table or more should
 * cost about what the unfiltered query does: before issue 49 every range was estimated at 0.2%
 * of the table and read exactly (55 ms against 11 ms on 100,000 x 64). On DATABASE_URL when set,
 * else on the embedded database.
 */
import { type Collection } from 'chromadb';
import { chromaClient, collectionUrl, fill, waitIndexed, waitTuned } from '../clients/chroma';
import { GroundTruth, UniformDataset } from '../data';
import { int, on, workload } from '../options';
import { bullets, machineInfo, markdown, ms, progress } from '../report';
import { startVecgate } from '../servers/start';
import { nowMs, recall, summarize } from '../stats';

const NAME = 'bench-ranges';
const SHARES = [0.001, 0.01, 0.1, 0.5, 0.95];

/** The planner's estimate of the records a query's filter keeps, from the console's Explain (loopback, no key needed). */
async function estimated(
  url: string,
  id: string,
  where: Record<string, unknown> | undefined,
  vector: number[],
): Promise<string> {
  const res = await fetch(`${url}/console/api/collections/${id}/explain`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ operation: 'search', filter: where && JSON.stringify(where), vector, k: 10 }),
  });
  if (!res.ok) return `- (${res.status}: ${(await res.text()).slice(0, 120)})`;
  const body = (await res.json()) as { path?: { reason?: string; kind?: string; efSearch?: number } };
  const path = body.path?.kind === 'hnsw' ? `hnsw, ef_search ${body.path.efSearch}` : (body.path?.kind ?? '-');
  const m = /keeps about (\d+) of (\d+)/.exec(body.path?.reason ?? '');
  return m ? `${m[1]} (${path})` : path;
}

export default workload({
  name: 'ranges',
  about: 'range-filtered queries against the unfiltered one: p50, recall, and the planner’s estimate',
  flags: {
    records: int('records', 100_000, { min: 1000, smoke: 3000 }),
    dim: int('embedding dimension', 64, { min: 2, max: 2000 }),
    queries: int('timed queries per filter', 40, { min: 5, smoke: 5 }),
    smoke: on('a small run that only checks the workload runs'),
  },
  async run(o) {
    const data = new UniformDataset(42, o.records, o.dim);
    const truth = new GroundTruth(data);
    const server = await startVecgate();
    try {
      const client = chromaClient(server.url);
      await client.deleteCollection({ name: NAME }).catch(() => undefined);
      const col: Collection = await client.createCollection({ name: NAME, embeddingFunction: null });
      const loaded = Date.now();
      await fill(col, data, 1000);
      progress(`loaded ${o.records} x ${o.dim} in ${((Date.now() - loaded) / 1000).toFixed(1)} s`);
      // A range filter notes its key; the index builder then gives it an index and statistics.
      await col.query({ queryEmbeddings: [data.queryVector('ranges', 0)], nResults: 10, where: { n: { $gte: 0 } } });
      await waitIndexed(col, 600_000);
      const tuned = await waitTuned(col, 600_000);
      progress(`indexed and measured: ${JSON.stringify(tuned?.chose ?? null)}`);
      // Every filter's i-th query is sent in one round, so that a change of load on the machine
      // weighs on every filter alike and the ratios to the unfiltered query hold.
      const cases = [null, ...SHARES].map((share) => {
        const from = share === null ? 0 : Math.round(o.records * (1 - share));
        const where = share === null ? undefined : { n: { $gte: from } };
        const vectors = Array.from({ length: o.queries }, (_, i) => data.queryVector('ranges', i));
        const expected = vectors.map((v) => truth.topK(v, 10, (i) => i >= from));
        const label = share === null ? 'none' : `n >= ${from} (${share * 100}%)`;
        return { from, where, vectors, expected, label, found: [] as string[][], samples: [] as number[] };
      });
      const search = async (c: (typeof cases)[number], i: number) =>
        (await col.query({ queryEmbeddings: [c.vectors[i]], nResults: 10, where: c.where, include: [] })).ids[0];
      for (const c of cases) await search(c, 0);
      for (let i = 0; i < o.queries; i++)
        for (const c of cases) {
          const started = nowMs();
          c.found.push(await search(c, i));
          c.samples.push(nowMs() - started);
        }
      const unfiltered = summarize(cases[0].samples).median;
      const rows: string[][] = [];
      for (const c of cases) {
        const s = summarize(c.samples);
        rows.push([
          c.label,
          String(o.records - c.from),
          await estimated(server.url, col.id, c.where, c.vectors[0]),
          ms(s.median),
          ms(s.p95),
          `${(s.median / unfiltered).toFixed(2)}×`,
          recall(c.found, c.expected).toFixed(3),
        ]);
        progress(rows[rows.length - 1].join(' | '));
      }
      console.log(`\n${o.records} x ${o.dim} uniform, ${o.queries} queries one at a time, top 10\n`);
      console.log(
        markdown(
          ['filter', 'records kept', "planner's estimate (path)", 'p50 ms', 'p95 ms', 'p50 / unfiltered', 'recall@10'],
          rows,
          3,
        ),
      );
      console.log(
        [
          '',
          ...bullets({ ...machineInfo(), ...server.info }),
          `- collection: ${collectionUrl(server.url, col.id)}`,
        ].join('\n'),
      );
      await client.deleteCollection({ name: NAME }).catch(() => undefined);
    } finally {
      await server.stop();
    }
    return true;
  },
});
