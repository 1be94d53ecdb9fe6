/**
 * Multivectors (Qdrant's multivector_config, ColBERT's MaxSim) through vecgate's Qdrant port: N
 * points of T token vectors of D dimensions are upserted into a Cosine multivector collection; once
 * the index builder has built the HNSW index of the tokens (the collection turns green), each query
 * of Q tokens runs exactly (`params.exact`: MaxSim over every point's tokens, the truth) and through
 * the index (each query token's `hnsw_ef` nearest tokens choose the points, scored exactly over all
 * their tokens), interleaved call by call. The truth, each query's exact top 10, is computed in
 * this process over the vectors it generated (before the load: MaxSim through the gateway reads
 * every token, minutes a query at 100,000 points; `--no-exact` leaves that path untimed). Reported:
 * the load rate, the index build time, p50/p95 of both paths, recall@10 against the truth, per
 * candidate depth. `--collection NAME --keep` leaves the points loaded for the next run.
 *
 * Clustered data: each point is about one of `topics` topics; its tokens scatter around the topic's
 * token centres, and a query's tokens around those of a topic, so that MaxSim separates points the
 * way ColBERT embeddings do. `--uniform`: tokens drawn uniformly (the hard case).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { gaussian, rng, type Rng } from '../data';
import { common, int, ints, on, text, workload } from '../options';
import { bullets, loadAverage, machineInfo, markdown, ms, progress, writeJson } from '../report';
import { freePort, startVecgate } from '../servers/start';
import { nowMs, pollUntil, recall, repeatInterleaved, summarize, type Stats } from '../stats';

function unitVector(r: Rng, dim: number, around?: number[], spread = 0): number[] {
  const v = Array.from({ length: dim }, (_, i) => (around ? around[i] + spread * gaussian(r) : gaussian(r)));
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => Math.round((x / norm) * 1e5) / 1e5);
}

/**
 * The exact top k by MaxSim (cosine: the tokens are unit vectors) of each query, computed here over
 * the points this process generated and added (exact MaxSim through the gateway reads every token
 * of every point: minutes a query at 100,000 points). Ties by id as text, as the gateway breaks them.
 */
interface TruthFile {
  key: string;
  ids: string[][];
  ms: number;
}

class ExactTopK {
  private readonly flat: Float64Array[];
  private readonly best: { id: string; score: number }[][];
  constructor(
    queries: number[][][],
    private readonly k: number,
  ) {
    this.flat = queries.map((q) => Float64Array.from(q.flat()));
    this.best = queries.map(() => []);
  }

  add(id: string, point: number[][]): void {
    const dim = point[0].length;
    const tokens = Float64Array.from(point.flat());
    const count = point.length;
    this.flat.forEach((q, j) => {
      let sum = 0;
      for (let a = 0; a < q.length; a += dim) {
        let most = -Infinity;
        for (let b = 0; b < count; b++) {
          let dot = 0;
          const o = b * dim;
          for (let d = 0; d < dim; d++) dot += q[a + d] * tokens[o + d];
          if (dot > most) most = dot;
        }
        sum += most;
      }
      const list = this.best[j];
      if (list.length < this.k || sum > list[list.length - 1].score) {
        list.push({ id, score: sum });
        list.sort((x, y) => y.score - x.score || (x.id < y.id ? -1 : 1));
        if (list.length > this.k) list.pop();
      }
    });
  }

  ids(): string[][] {
    return this.best.map((l) => l.map((x) => x.id));
  }
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
    tuneTimeout: int(
      "seconds to wait, once the token index is built, for the search tuner's measurement of the depth (0: no wait, and no measured-depth row)",
      3600,
      { min: 0, smoke: 0 },
    ),
    noExact: on('do not time the exact path through the gateway (the truth is then computed here)'),
    collection: text(
      'the collection to use; one already holding --points points (of this seed) is not loaded again, one holding fewer is loaded on',
      'NAME',
    ),
    keep: on('keep the collection afterwards (to query it again with --collection)'),
    truth: text("read the truth (each query's exact top 10) from FILE when it holds this run's, else write it there"),
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
    // The truth: from --truth's file when it holds this run's (read once the index is ready); else,
    // with --no-exact, computed here (during a whole load, or over every point); else the exact path's.
    const key = JSON.stringify([o.points, o.tokens, o.dim, o.queryTokens, o.queries, o.topics, o.uniform, o.seed]);
    const readTruth = () =>
      o.truth && existsSync(o.truth) ? (JSON.parse(readFileSync(o.truth, 'utf8')) as TruthFile) : null;
    let exactTopK = readTruth()?.key !== key && o.noExact ? new ExactTopK(queries, 10) : null;
    let truthMs = 0;
    const qdrantPort = await freePort();
    // The token index is built once, after the load (as for a bulk load of dense vectors).
    // The search tuner's measurement of the candidate depth, read from its log line.
    let tuned: { depth: number | null; recall: number; queries: number } | undefined;
    const server = await startVecgate({
      env: { QDRANT_PORT: String(qdrantPort), VECGATE_INDEX_MIN_ROWS: String(o.points) },
      onLine: (line) => {
        const m =
          /multivector .*on (\d+) queries near and between its records: (exact MaxSim|(\d+) nearest tokens per query token), recall@10 ([0-9.]+)/.exec(
            line,
          );
        if (m) tuned = { depth: m[3] ? Number(m[3]) : null, recall: Number(m[4]), queries: Number(m[1]) };
      },
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
    const name = o.collection ?? `bench_mv_${Date.now().toString(36)}`;
    let loadPerSecond: number | undefined;
    let indexMs: number | undefined;
    let exact: Stats | undefined;
    let exactRecall: number | undefined;
    let reused: boolean;
    let truthFrom: string | undefined;
    const walked: Record<number, { stats: Stats; recall: number }> = {};
    let measured: { stats: Stats; recall: number } | undefined;
    let tuneMs: number | undefined;
    try {
      const existing = o.collection
        ? ((await fetch(`${base}/collections/${name}`).then((res) => (res.status === 200 ? res.json() : null))) as {
            result: { points_count: number };
          } | null)
        : null;
      const held = existing?.result.points_count ?? 0;
      reused = held === o.points;
      // A collection holding fewer is loaded on from where it stopped (its ids are 0 to count - 1).
      const from = existing && held < o.points && held % o.batch === 0 ? held : 0;
      const whole = from === 0 && !reused;
      if (existing && !reused && from === 0) await call('DELETE', `/collections/${name}`);
      if (!reused && from === 0)
        await call('PUT', `/collections/${name}`, {
          vectors: { size: o.dim, distance: 'Cosine', multivector_config: { comparator: 'max_sim' } },
        });
      else progress(`${name} already holds ${held} points: ${reused ? 'not loaded again' : 'loading on from there'}`);
      const start = nowMs();
      for (let i = from; i < (reused ? 0 : o.points); i += o.batch) {
        const points = Array.from({ length: Math.min(o.batch, o.points - i) }, (_, k) => ({
          id: i + k,
          vector: point(i + k),
        }));
        // The truth over this batch while the gateway writes it.
        const written = call('PUT', `/collections/${name}/points?wait=true`, { points });
        const t0 = nowMs();
        if (whole) for (const p of points) exactTopK?.add(String(p.id), p.vector);
        truthMs += nowMs() - t0;
        await written;
        if ((i / o.batch) % 20 === 0) progress(`loaded ${i + points.length} points`);
      }
      if (!reused) loadPerSecond = ((o.points - from) * 1000) / (nowMs() - start);
      progress(`loaded at ${loadPerSecond?.toFixed(0) ?? '-'} points/s; waiting for the token index`);
      const loaded = nowMs();
      await pollUntil(
        async () => (await call('GET', `/collections/${name}`)).status === 'green',
        o.indexTimeout * 1000,
        'the token index',
        1000,
      );
      indexMs = nowMs() - loaded;
      progress(`token index ready ${(indexMs / 1000).toFixed(1)} s after the load`);
      const saved = readTruth();
      if (saved?.key === key) exactTopK = null;
      else if (exactTopK && !whole) {
        exactTopK = new ExactTopK(queries, 10);
        const t0 = nowMs();
        for (let i = 0; i < o.points; i++) exactTopK.add(String(i), point(i));
        truthMs = nowMs() - t0;
      }
      if (exactTopK) progress(`exact top 10 of ${o.queries} queries computed here in ${(truthMs / 1000).toFixed(1)} s`);
      // Searches without hnsw_ef take the depth the tuner measures once the index is built (its
      // exact MaxSims would run beside the timed calls meanwhile). A reused collection was measured
      // by an earlier gateway, if at all: its line is not seen here.
      const timeMeasured = o.tuneTimeout > 0;
      if (timeMeasured && !reused) {
        const t0 = nowMs();
        await pollUntil(async () => tuned !== undefined, o.tuneTimeout * 1000, "the search tuner's measurement", 1000);
        tuneMs = nowMs() - t0;
        progress(`the tuner measured the depth ${(tuneMs / 1000).toFixed(1)} s after the index was ready`);
      }
      const search = (params: Record<string, unknown>) => async (i: number) =>
        (
          (await call('POST', `/collections/${name}/points/query`, {
            query: queries[i % queries.length],
            limit: 10,
            params,
          })) as { points: { id: number }[] }
        ).points.map((p) => String(p.id));
      const runs = await repeatInterleaved(
        [
          ...(o.noExact ? [] : [{ call: search({ exact: true }) }]),
          ...o.candidates.map((ef) => ({ call: search({ hnsw_ef: ef }) })),
          ...(timeMeasured ? [{ call: search({}) }] : []),
        ],
        o.queries,
        2,
      );
      const others = o.noExact ? runs : runs.slice(1);
      const sql = o.noExact ? null : runs[0];
      if (sql && 'error' in sql) throw sql.error;
      if (sql) exact = summarize(sql.samples);
      const truth = saved?.key === key ? saved.ids : (exactTopK?.ids() ?? sql!.values);
      truthFrom = saved?.key === key ? `read from ${o.truth}` : exactTopK ? 'computed here' : 'the exact path';
      if (o.truth && saved?.key !== key) writeFileSync(o.truth, JSON.stringify({ key, ids: truth, ms: truthMs }));
      if (sql) exactRecall = recall(sql.values, truth, 10);
      const truthOf = (i: number) => truth[i % truth.length];
      const score = (run: (typeof runs)[number]) => {
        if ('error' in run) throw run.error;
        return {
          stats: summarize(run.samples),
          recall: recall(
            run.values,
            run.values.map((_, i) => truthOf(i)),
            10,
          ),
        };
      };
      if (timeMeasured) measured = score(others.pop()!);
      others.forEach((run, k) => {
        if ('error' in run) throw run.error;
        walked[o.candidates[k]] = {
          stats: summarize(run.samples),
          recall: recall(
            run.values,
            run.values.map((_, i) => truthOf(i)),
            10,
          ),
        };
      });
      if (!o.keep) await call('DELETE', `/collections/${name}`);
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
        reused
          ? `- load: none (${name} already held the points)`
          : `- load: ${loadPerSecond?.toFixed(0)} points/s (${((loadPerSecond ?? NaN) * o.tokens).toFixed(0)} tokens/s)`,
        `- token index (HNSW over ${o.points * o.tokens} tokens) ready ${((indexMs ?? NaN) / 1000).toFixed(1)} s after the load`,
        `- the truth: ${truthFrom}${exactTopK ? ` (exact MaxSim over the generated vectors, ${(truthMs / 1000).toFixed(1)} s for ${o.queries} queries)` : ''}`,
        '',
        markdown(
          ['path', 'p50 / p95', 'recall@10'],
          [
            [
              'exact MaxSim (params.exact)',
              o.noExact ? 'not timed' : `${ms(exact?.median)} / ${ms(exact?.p95)}`,
              exactRecall?.toFixed(3) ?? '-',
            ],
            ...o.candidates.map((ef) => [
              `index, ${ef} tokens per query token`,
              `${ms(walked[ef]?.stats.median)} / ${ms(walked[ef]?.stats.p95)}`,
              walked[ef]?.recall.toFixed(3) ?? '-',
            ]),
            ...(measured
              ? [
                  [
                    tuned
                      ? `no hnsw_ef: as the tuner measured (${tuned.depth === null ? 'exact' : `${tuned.depth} tokens per query token`}; recall@10 ${tuned.recall.toFixed(3)} on its ${tuned.queries} queries, ${((tuneMs ?? NaN) / 1000).toFixed(0)} s after the index)`
                      : 'no hnsw_ef (the collection measured by an earlier gateway, if at all)',
                    `${ms(measured.stats.median)} / ${ms(measured.stats.p95)}`,
                    measured.recall.toFixed(3),
                  ],
                ]
              : []),
          ],
        ),
      ].join('\n'),
    );
    writeJson(o.json, {
      options: o,
      machine,
      loadPerSecond,
      indexMs,
      truthMs,
      exact,
      exactRecall,
      walked,
      tuned,
      tuneMs,
      measured,
    });
    return true;
  },
});
