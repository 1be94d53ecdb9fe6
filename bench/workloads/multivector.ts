/**
 * Multivectors (Qdrant's multivector_config, ColBERT's MaxSim) through vecgate's Qdrant port: N
 * points of T token vectors of D dimensions are upserted into a Cosine multivector collection; once
 * the index builder has built the HNSW index of the tokens (the collection turns green), each query
 * of Q tokens runs exactly (`params.exact`: MaxSim over every point's tokens, the truth) and through
 * the index (each query token's `hnsw_ef` nearest tokens choose the points, scored exactly over all
 * their tokens), interleaved call by call. Reported: the load rate, the index build time, p50/p95
 * of both paths, recall@10 of the indexed path against the exact one, per candidate depth.
 *
 * Clustered data: each point is about one of `topics` topics; its tokens scatter around the topic's
 * token centres, and a query's tokens around those of a topic, so that MaxSim separates points the
 * way ColBERT embeddings do. `--uniform`: tokens drawn uniformly (the hard case).
 */
import { gaussian, rng, type Rng } from '../data';
import { common, int, ints, on, workload } from '../options';
import { bullets, loadAverage, machineInfo, markdown, ms, progress, writeJson } from '../report';
import { freePort, startVecgate } from '../servers/start';
import { nowMs, pollUntil, recall, repeatInterleaved, summarize, type Stats } from '../stats';

function unitVector(r: Rng, dim: number, around?: number[], spread = 0): number[] {
  const v = Array.from({ length: dim }, (_, i) => (around ? around[i] + spread * gaussian(r) : gaussian(r)));
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => Math.round((x / norm) * 1e5) / 1e5);
}

export default workload({
  name: 'multivector',
  about: 'Qdrant multivectors (MaxSim): recall@10 and latency of the token index against exact MaxSim',
  flags: {
    points: int('points (default 10000)', 10_000, { min: 10, smoke: 300 }),
    tokens: int('token vectors per point', 32, { min: 1, max: 1024, smoke: 4 }),
    dim: int('dimension of each token vector', 128, { min: 2, max: 2000, smoke: 16 }),
    queryTokens: int('token vectors per query', 32, { min: 1, max: 256, smoke: 4 }),
    queries: int('queries (default 50)', 50, { min: 1, smoke: 3 }),
    candidates: ints('candidate depths (hnsw_ef: nearest tokens per query token) to measure', '20,50,100', {
      min: 1,
      max: 1000,
      smoke: '20',
    }),
    topics: int('topics of the clustered data', 200, { min: 1 }),
    batch: int('points per upsert call', 100, { min: 1, max: 10_000 }),
    uniform: on('uniform random tokens (the hard case) instead of clustered ones'),
    indexTimeout: int('seconds to wait for the token index after the load', 3600, { min: 1 }),
    seed: common.seed,
    json: common.json,
    smoke: on('tiny run for CI: 300 points of 4 tokens of 16 dims, 3 queries'),
  },
  async run(o) {
    const machine = machineInfo();
    const r = rng(o.seed, 'multivector');
    const centres = Array.from({ length: o.topics }, () => Array.from({ length: 8 }, () => unitVector(r, o.dim)));
    const tokensOf = (topic: number, n: number, stream: Rng) =>
      Array.from({ length: n }, () =>
        o.uniform
          ? unitVector(stream, o.dim)
          : unitVector(stream, o.dim, centres[topic][Math.floor(stream() * 8)], 0.6 / Math.sqrt(o.dim)),
      );
    const point = (i: number) => tokensOf(i % o.topics, o.tokens, rng(o.seed, 'point', i));
    const queries = Array.from({ length: o.queries }, (_, i) =>
      tokensOf(Math.floor(rng(o.seed, 'topic', i)() * o.topics), o.queryTokens, rng(o.seed, 'query', i)),
    );
    progress(
      `${o.points} points x ${o.tokens} tokens x ${o.dim} dims (${o.uniform ? 'uniform' : 'clustered'}), ${o.queries} queries of ${o.queryTokens} tokens`,
    );
    const qdrantPort = await freePort();
    // The token index is built once, after the load (as for a bulk load of dense vectors).
    const server = await startVecgate({
      env: { QDRANT_PORT: String(qdrantPort), VECGATE_INDEX_MIN_ROWS: String(o.points) },
    });
    const base = `http://127.0.0.1:${qdrantPort}`;
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
      return JSON.parse(text).result;
    };
    const name = `bench_mv_${Date.now().toString(36)}`;
    let loadPerSecond: number | undefined;
    let indexMs: number | undefined;
    let exact: Stats | undefined;
    const walked: Record<number, { stats: Stats; recall: number }> = {};
    try {
      await call('PUT', `/collections/${name}`, {
        vectors: { size: o.dim, distance: 'Cosine', multivector_config: { comparator: 'max_sim' } },
      });
      const start = nowMs();
      for (let i = 0; i < o.points; i += o.batch) {
        const points = Array.from({ length: Math.min(o.batch, o.points - i) }, (_, k) => ({
          id: i + k,
          vector: point(i + k),
        }));
        await call('PUT', `/collections/${name}/points?wait=true`, { points });
        if ((i / o.batch) % 20 === 0) progress(`loaded ${i + points.length} points`);
      }
      loadPerSecond = (o.points * 1000) / (nowMs() - start);
      progress(`loaded at ${loadPerSecond.toFixed(0)} points/s; waiting for the token index`);
      const loaded = nowMs();
      await pollUntil(
        async () => (await call('GET', `/collections/${name}`)).status === 'green',
        o.indexTimeout * 1000,
        'the token index',
        1000,
      );
      indexMs = nowMs() - loaded;
      progress(`token index ready ${(indexMs / 1000).toFixed(1)} s after the load`);
      const search = (params: Record<string, unknown>) => async (i: number) =>
        (
          (await call('POST', `/collections/${name}/points/query`, {
            query: queries[i % queries.length],
            limit: 10,
            params,
          })) as { points: { id: number }[] }
        ).points.map((p) => String(p.id));
      const runs = await repeatInterleaved(
        [{ call: search({ exact: true }) }, ...o.candidates.map((ef) => ({ call: search({ hnsw_ef: ef }) }))],
        o.queries,
        2,
      );
      const [truth, ...others] = runs;
      if ('error' in truth) throw truth.error;
      exact = summarize(truth.samples);
      others.forEach((run, k) => {
        if ('error' in run) throw run.error;
        walked[o.candidates[k]] = { stats: summarize(run.samples), recall: recall(run.values, truth.values, 10) };
      });
      await call('DELETE', `/collections/${name}`);
    } finally {
      await server.stop();
    }
    machine['load average at end'] = loadAverage();
    Object.assign(machine, server.info);
    console.log(
      [
        `## Multivectors: ${o.points} points x ${o.tokens} tokens x ${o.dim} dims (${o.uniform ? 'uniform' : 'clustered'}), queries of ${o.queryTokens} tokens`,
        '',
        ...bullets(machine),
        `- load: ${loadPerSecond?.toFixed(0)} points/s (${((loadPerSecond ?? NaN) * o.tokens).toFixed(0)} tokens/s)`,
        `- token index (HNSW over ${o.points * o.tokens} tokens) ready ${((indexMs ?? NaN) / 1000).toFixed(1)} s after the load`,
        '',
        markdown(
          ['path', 'p50 / p95', 'recall@10'],
          [
            ['exact MaxSim', `${ms(exact?.median)} / ${ms(exact?.p95)}`, '1 (the truth)'],
            ...o.candidates.map((ef) => [
              `index, ${ef} tokens per query token`,
              `${ms(walked[ef]?.stats.median)} / ${ms(walked[ef]?.stats.p95)}`,
              walked[ef]?.recall.toFixed(3) ?? '-',
            ]),
          ],
        ),
      ].join('\n'),
    );
    writeJson(o.json, { options: o, machine, loadPerSecond, indexMs, exact, walked });
    return true;
  },
});
