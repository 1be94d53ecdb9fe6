/**
 * Qdrant's pairwise requests, the search matrix and MMR, and what they cost everyone else: each
 * request is timed while another client sends `/healthz` probes one after another to the same
 * gateway, and the longest a probe waited is reported beside the request's own time. A probe waits
 * as long as the gateway's one thread is busy; the database's work does not hold it.
 */
import { UniformDataset } from '../data';
import { common, int, on, workload } from '../options';
import { bullets, machineInfo, markdown, ms, progress } from '../report';
import { freePort, startVecgate } from '../servers/start';
import { nowMs, summarize } from '../stats';

async function call(url: string, method: string, body?: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
  return text;
}

export default workload({
  name: 'pairwise',
  about: "Qdrant's search matrix and MMR: their time, and the longest wait of a probe meanwhile",
  flags: {
    records: int('points, and the matrix sample and MMR candidates (default 1000)', 1000, {
      min: 2,
      max: 1000,
      smoke: 50,
    }),
    dim: int('vector dimension (default 1000)', 1000, { min: 2, max: 4096, smoke: 16 }),
    reps: int('runs of each request (default 5)', 5, { min: 1, smoke: 1 }),
    seed: common.seed,
    smoke: on('tiny run for CI: 50 points of 16 dimensions, one run each'),
  },
  async run(o) {
    const machine = machineInfo();
    const qdrantPort = await freePort();
    const server = await startVecgate({ env: { QDRANT_PORT: String(qdrantPort) } });
    const qdrant = `http://127.0.0.1:${qdrantPort}`;
    const name = `bench_pair_${Date.now().toString(36)}`;
    try {
      const data = new UniformDataset(o.seed, o.records, o.dim);
      progress(`${o.records} points x ${o.dim} dims`);
      await call(`${qdrant}/collections/${name}`, 'PUT', { vectors: { size: o.dim, distance: 'Euclid' } });
      for (let i = 0; i < o.records; i += 100) {
        const points = data
          .batch(i, Math.min(100, o.records - i))
          .map((r, k) => ({ id: i + k + 1, vector: r.embedding }));
        await call(`${qdrant}/collections/${name}/points?wait=true`, 'PUT', { points });
      }
      const requests: [string, string, unknown][] = [
        [`search matrix, sample ${o.records}, limit 2`, 'search/matrix/pairs', { sample: o.records, limit: 2 }],
        [
          `MMR, ${o.records} candidates, limit ${o.records}`,
          'query',
          {
            query: { nearest: data.queryVector('q', 0), mmr: { diversity: 0.5, candidates_limit: o.records } },
            limit: o.records,
          },
        ],
      ];
      const rows: string[][] = [];
      for (const [label, path, body] of requests) {
        const took: number[] = [];
        const waited: number[] = [];
        for (let rep = 0; rep < o.reps; rep++) {
          let done = false;
          const started = nowMs();
          const request = call(`${qdrant}/collections/${name}/points/${path}`, 'POST', body).finally(() => {
            done = true;
            took.push(nowMs() - started);
          });
          let longest = 0;
          while (!done) {
            const probed = nowMs();
            await call(`${server.url}/healthz`, 'GET');
            longest = Math.max(longest, nowMs() - probed);
          }
          await request;
          waited.push(longest);
        }
        const t = summarize(took);
        const w = summarize(waited);
        progress(`${label}: median ${ms(t.median)} ms, longest probe wait ${ms(w.max)} ms`);
        rows.push([label, ms(t.median), ms(t.max), ms(w.median), ms(w.max)]);
      }
      console.log(
        [
          '',
          ...bullets({ ...machine, ...server.info, points: `${o.records} x ${o.dim} (uniform)`, runs: String(o.reps) }),
          '',
          markdown(
            ['request', 'median ms', 'max ms', 'longest probe wait, median ms', 'longest probe wait, max ms'],
            rows,
          ),
        ].join('\n'),
      );
      return true;
    } finally {
      await server.stop();
    }
  },
});
