/**
 * A Qdrant-shaped workload: the official @qdrant/js-client-rest against vecgate's Qdrant port,
 * beside the same records read through the Chroma API (the chromadb client) on the main port, in
 * one run on one gateway: what the Qdrant path costs over Chroma's.
 *
 * The records are upserted through Qdrant into a Euclid collection (Chroma's default space, so both
 * APIs rank alike), timed as records per second; the same records are added through Chroma into a
 * second collection for Chroma's own rate. Once the gateway has built the index and tuned it, the
 * queries (between topics, as questions against passages) run on the one collection through both
 * APIs: one call at a time, interleaved call by call so that the machine's drift slows both
 * alike, then from 1, 8 and 32 concurrent clients for a fixed time each, alternating the APIs.
 * recall@10 is each API's answers against the exact neighbours.
 */
import type { QdrantClient } from '@qdrant/js-client-rest' with { 'resolution-mode': 'import' };
import { loadConfig } from '../../src/config/load-config';
import { chromaClient, collectionUrl, waitIndexed, waitTuned } from '../clients/chroma';
import { driveFor, type Driven } from '../clients/drive';
import { Dataset, GroundTruth, UniformDataset } from '../data';
import { common, int, ints, on, workload } from '../options';
import { bullets, loadAverage, machineInfo, markdown, ms, progress, times, writeJson } from '../report';
import { freePort, startVecgate, type Server } from '../servers/start';
import { nowMs, recall, repeatInterleaved, summarize, type Stats } from '../stats';

interface PathResult {
  upsertPerSecond?: number;
  perCall?: Stats;
  recall?: number;
  load: Record<number, Driven>;
}

export default workload({
  name: 'qdrant',
  about: 'vecgate through the Qdrant client vs the same records through the Chroma client',
  flags: {
    records: int('records (default 20000)', 20_000, { min: 100, smoke: 600 }),
    dim: int('embedding dimension', 384, { min: 2, max: 2000, smoke: 16 }),
    queries: int('queries for recall and one-at-a-time latency (default 100)', 100, { min: 1, smoke: 5 }),
    clients: ints('concurrent clients per load level', '1,8,32', { min: 1, max: 256, smoke: '1,2' }),
    seconds: int('seconds per load level and API (in two halves)', 10, { min: 1, smoke: 1 }),
    batch: int('points per upsert call', 256, { min: 1, max: 10_000 }),
    uniform: on('uniform random vectors (the hard case) instead of clustered ones'),
    indexTimeout: int("seconds to wait for vecgate's index and tuning after the load", 900, { min: 1 }),
    seed: common.seed,
    json: common.json,
    smoke: on('tiny run for CI: 600 records, dim 16, 5 queries, clients 1,2 for 1 s'),
  },
  async run(o) {
    const machine = machineInfo();
    const data = o.uniform ? new UniformDataset(o.seed, o.records, o.dim) : new Dataset(o.seed, o.records, o.dim);
    const queries = Array.from({ length: o.queries }, (_, i) =>
      o.uniform ? data.queryVector('q', i) : data.betweenTopics('q', i),
    );
    progress(`${o.records} records x ${o.dim} dims (${o.uniform ? 'uniform' : 'clustered'}), ${o.queries} queries`);
    const truth = new GroundTruth(data);
    // Chroma's ids of the same records are the Qdrant ids as text.
    const exact = queries.map((q) => truth.topK(q, 10, () => true).map((id) => String(Number(id.slice(4)))));
    const qdrantPort = await freePort();
    const server: Server = await startVecgate({ env: { QDRANT_PORT: String(qdrantPort) } });
    const { QdrantClient } = await import('@qdrant/js-client-rest');
    const qdrant: QdrantClient = new QdrantClient({ url: `http://127.0.0.1:${qdrantPort}`, checkCompatibility: false });
    const chroma = chromaClient(server.url);
    const name = `bench_q_${Date.now().toString(36)}`;
    const chromaName = `${name}_c`;
    const result: Record<'qdrant' | 'chroma', PathResult> = { qdrant: { load: {} }, chroma: { load: {} } };
    let indexMs: number | undefined;
    const raw: { qdrant?: Stats; chroma?: Stats } = {};
    try {
      await qdrant.createCollection(name, { vectors: { size: o.dim, distance: 'Euclid' } });
      let start = nowMs();
      for (let i = 0; i < o.records; i += o.batch) {
        const batch = data.batch(i, o.batch);
        await qdrant.upsert(name, {
          points: batch.map((r, k) => ({
            id: i + k,
            vector: r.embedding,
            payload: { ...r.metadata, text: r.document },
          })),
        });
      }
      result.qdrant.upsertPerSecond = (o.records * 1000) / (nowMs() - start);
      progress(`Qdrant upsert: ${result.qdrant.upsertPerSecond.toFixed(0)} records/s`);
      const loaded = Date.now();

      const other = await chroma.createCollection({ name: chromaName, embeddingFunction: null });
      start = nowMs();
      for (let i = 0; i < o.records; i += o.batch) {
        const batch = data.batch(i, o.batch);
        await other.add({
          ids: batch.map((_, k) => String(i + k)),
          embeddings: batch.map((r) => r.embedding),
          documents: batch.map((r) => r.document),
          metadatas: batch.map((r) => r.metadata),
        });
      }
      result.chroma.upsertPerSecond = (o.records * 1000) / (nowMs() - start);
      progress(`Chroma add: ${result.chroma.upsertPerSecond.toFixed(0)} records/s`);
      await chroma.deleteCollection({ name: chromaName });

      const collection = await chroma.getCollection({ name, embeddingFunction: null as never });
      indexMs = (await waitIndexed(collection, o.indexTimeout * 1000, loaded)).ms;
      // The gateway indexes, and then tunes, a collection of VECGATE_INDEX_MIN_ROWS records or more.
      if (o.records >= loadConfig().indexing.minRows) {
        const tuned = await waitTuned(collection, o.indexTimeout * 1000);
        progress(
          `index ready ${(indexMs / 1000).toFixed(1)} s after the load; tuned: ${JSON.stringify(tuned?.chose ?? null)}`,
        );
      }

      const viaQdrant = async (i: number) =>
        (await qdrant.query(name, { query: queries[i % queries.length], limit: 10, with_payload: true })).points.map(
          (p) => String(p.id),
        );
      const viaChroma = async (i: number) =>
        (await collection.query({ queryEmbeddings: [queries[i % queries.length]], nResults: 10 })).ids[0];
      // The same two requests as plain HTTP (no client library): what the gateway costs on each path.
      const post = async (url: string, body: unknown) => {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        const text = await res.text();
        if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${text.slice(0, 200)}`);
        return JSON.parse(text);
      };
      const rawQdrant = async (i: number) =>
        (
          await post(`http://127.0.0.1:${qdrantPort}/collections/${name}/points/query`, {
            query: queries[i % queries.length],
            limit: 10,
            with_payload: true,
          })
        ).result.points.map((p: { id: number }) => String(p.id)) as string[];
      const rawChroma = async (i: number) =>
        (
          await post(`${collectionUrl(server.url, collection.id)}/query`, {
            query_embeddings: [queries[i % queries.length]],
            n_results: 10,
            include: ['metadatas', 'documents', 'distances'],
          })
        ).ids[0] as string[];
      const [q, c, rq, rc] = await repeatInterleaved(
        [{ call: viaQdrant }, { call: viaChroma }, { call: rawQdrant }, { call: rawChroma }],
        o.queries,
        2,
      );
      if ('error' in rq) throw rq.error;
      if ('error' in rc) throw rc.error;
      raw.qdrant = summarize(rq.samples);
      raw.chroma = summarize(rc.samples);
      for (const [key, run] of [
        ['qdrant', q],
        ['chroma', c],
      ] as const) {
        if ('error' in run) throw run.error;
        result[key].perCall = summarize(run.samples);
        result[key].recall = recall(run.values, exact, 10);
      }
      // Each level twice, Qdrant-Chroma then Chroma-Qdrant, halves added: a machine whose speed
      // drifts slows both alike.
      const both = (x: Driven, y: Driven): Driven => ({
        calls: x.calls + y.calls,
        errors: x.errors + y.errors,
        firstError: x.firstError ?? y.firstError,
        qps: (x.qps + y.qps) / 2,
        p50: (x.p50 + y.p50) / 2,
        p95: (x.p95 + y.p95) / 2,
        p99: (x.p99 + y.p99) / 2,
      });
      const half = Math.max(1, Math.round(o.seconds / 2));
      for (const clients of o.clients) {
        const q1 = await driveFor(clients, half, viaQdrant);
        const c1 = await driveFor(clients, half, viaChroma);
        const c2 = await driveFor(clients, half, viaChroma);
        const q2 = await driveFor(clients, half, viaQdrant);
        result.qdrant.load[clients] = both(q1, q2);
        result.chroma.load[clients] = both(c1, c2);
        progress(
          `${clients} clients: Qdrant ${result.qdrant.load[clients].qps.toFixed(1)} QPS, Chroma ${result.chroma.load[clients].qps.toFixed(1)} QPS`,
        );
      }
      await qdrant.deleteCollection(name);
    } finally {
      await server.stop();
    }
    machine['load average at end'] = loadAverage();

    const row = (key: 'qdrant' | 'chroma', label: string) => [
      label,
      `${result[key].upsertPerSecond?.toFixed(0) ?? '-'}`,
      `${ms(result[key].perCall?.median)} / ${ms(result[key].perCall?.p95)}`,
      ...o.clients.map(
        (n) => `${result[key].load[n]?.qps.toFixed(1) ?? '-'} (${result[key].load[n]?.errors ?? 0} err)`,
      ),
      result[key].recall?.toFixed(3) ?? '-',
    ];
    const ratio = [
      'Qdrant / Chroma',
      times(result.chroma.upsertPerSecond, result.qdrant.upsertPerSecond),
      times(result.qdrant.perCall?.median, result.chroma.perCall?.median),
      ...o.clients.map((n) => times(result.chroma.load[n]?.qps, result.qdrant.load[n]?.qps)),
      '',
    ];
    console.log(
      [
        `## Qdrant API vs Chroma API, same gateway: ${o.records} x ${o.dim} ${o.uniform ? 'uniform' : 'clustered'}`,
        '',
        ...bullets(machine),
        `- index ready ${((indexMs ?? NaN) / 1000).toFixed(1)} s after the Qdrant load`,
        '',
        markdown(
          ['API', 'upsert records/s', 'query median / p95', ...o.clients.map((n) => `QPS ${n} clients`), 'recall@10'],
          [row('qdrant', 'Qdrant (port 6333)'), row('chroma', 'Chroma (port 8000)'), ratio],
        ),
        '',
        'The ratio row is Qdrant time over Chroma time (upsert: per record; QPS: per query): above 1.00x the Qdrant path costs more.',
        '',
        `Plain HTTP, the same queries interleaved with the clients' (no client library): Qdrant ${ms(raw.qdrant?.median)} / ${ms(raw.qdrant?.p95)}, ` +
          `Chroma ${ms(raw.chroma?.median)} / ${ms(raw.chroma?.p95)} (median / p95), ${times(raw.qdrant?.median, raw.chroma?.median)}.`,
      ].join('\n'),
    );
    writeJson(o.json, { options: o, machine, result, raw, indexMs });
    return true;
  },
});
