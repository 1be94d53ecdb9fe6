/**
 * Where the time of one unfiltered query goes: the same query, interleaved call by call, through
 *   1. the official Chroma client to the gateway,
 *   2. plain fetch to the gateway (the same JSON bytes every time),
 *   3. plain fetch to a bare node:http server running the gateway's search SQL (bench/servers/bare-sql.ts),
 *   4. plain fetch to the HTTP floor answering the gateway's response bytes (bench/servers/http-floor.ts),
 *   5. the search SQL sent with pg from this process (bench/sql/records.ts),
 *   6. and 7. the official client and plain fetch to the real Chroma server, on the same records,
 * so that the differences of the medians read as: the client library (1 - 2), the gateway's stack
 * beyond a bare server (2 - 3), and an extra process between client and Postgres (3 - 5, of which
 * 4 is the HTTP call alone); and Chroma's own server time beside them (7 - 4). Real Postgres only.
 */
import type { Collection } from 'chromadb';
import { chromaClient, collectionUrl, fill, post, waitIndexed } from '../clients/chroma';
import { Dataset } from '../data';
import { common, int, workload } from '../options';
import { bullets, machineInfo, markdown, ms, progress } from '../report';
import { startBareSql, startChromaReference, startHttpFloor, startVecgate, type Server } from '../servers/start';
import { openDirectSql, type DirectSql } from '../sql/records';
import { nowMs, summarize } from '../stats';

const QUERIES = 50;
const WARMUP = 50;
const INCLUDE = ['documents', 'metadatas', 'distances'];

/** A collection of `data` on a Chroma API server, added in batches of 500. */
async function load(server: Server, data: Dataset): Promise<Collection> {
  const name = `per_call_${Date.now().toString(36)}`;
  const collection = await chromaClient(server.url).createCollection({ name, embeddingFunction: null });
  await fill(collection, data, 500);
  return collection;
}

export default workload({
  name: 'per-call',
  about: "where one query's time goes: client, gateway, a bare server with the same SQL, Chroma",
  needs: 'postgres',
  flags: {
    records: int('records in the collection', 20_000, { min: 1 }),
    dim: int('embedding dimension', 384, { min: 1, max: 2000 }),
    reps: int('timed calls per path, interleaved, after 50 warm-up rounds', 500, { min: 1 }),
    seed: common.seed,
    noChroma: { ...common.noChroma, help: 'leave out the real Chroma server (paths 6 and 7)' },
  },
  async run(o) {
    const databaseUrl = process.env.DATABASE_URL!;
    const machine = machineInfo();
    const data = new Dataset(o.seed, o.records, o.dim);
    const started: Server[] = [];
    let sql: DirectSql | undefined;
    try {
      const gateway = await startVecgate({ databaseUrl });
      started.push(gateway);
      sql = await openDirectSql(databaseUrl); // after the gateway: it creates the extension
      const collection = await load(gateway, data);
      await waitIndexed(collection, Infinity);
      progress(`${o.records} records x ${o.dim} loaded into vecgate and indexed`);
      let chroma: { server: Server; collection: Collection } | undefined;
      if (!o.noChroma) {
        const server = await startChromaReference();
        started.push(server);
        chroma = { server, collection: await load(server, data) };
        progress(`${o.records} records x ${o.dim} loaded into Chroma`);
      }
      const bare = await startBareSql(databaseUrl, collection.id);
      started.push(bare);
      const floor = await startHttpFloor();
      started.push(floor);
      const direct = await sql.records(collection.id);
      const vectors = Array.from({ length: QUERIES }, (_, q) => data.queryVector('per-call', q));
      const bodies = vectors.map((v) => JSON.stringify({ query_embeddings: [v], n_results: 10, include: INCLUDE }));
      const queryUrl = `${collectionUrl(gateway.url, collection.id)}/query`;
      await floor.setCanned(200, await post(queryUrl, bodies[0]));

      const query = (c: Collection) => (i: number) =>
        c.query({ queryEmbeddings: [vectors[i % QUERIES]], nResults: 10, include: INCLUDE as never });
      const paths: { label: string; call: (i: number) => Promise<unknown> }[] = [
        { label: 'Chroma client → vecgate', call: query(collection) },
        { label: 'fetch → vecgate', call: (i) => post(queryUrl, bodies[i % QUERIES]) },
        { label: 'fetch → bare node:http + the same SQL', call: (i) => post(bare.url, bodies[i % QUERIES]) },
        { label: 'fetch → HTTP floor (no work)', call: (i) => post(floor.url, bodies[i % QUERIES]) },
        {
          label: 'the same SQL from this process',
          call: (i) => direct.query(vectors[i % QUERIES], 10, undefined, INCLUDE),
        },
      ];
      if (chroma) {
        const theirs = `${collectionUrl(chroma.server.url, chroma.collection.id)}/query`;
        paths.push(
          { label: 'Chroma client → Chroma', call: query(chroma.collection) },
          { label: 'fetch → Chroma', call: (i) => post(theirs, bodies[i % QUERIES]) },
        );
      }
      const samples = paths.map((): number[] => []);
      for (let round = -WARMUP; round < o.reps; round++) {
        // Rotated each round, so that no path always follows the same one.
        for (let k = 0; k < paths.length; k++) {
          const p = (k + Math.max(round, 0)) % paths.length;
          const t = nowMs();
          await paths[p].call(round + WARMUP);
          if (round >= 0) samples[p].push(nowMs() - t);
        }
      }
      const stats = samples.map(summarize);
      const [client1, gateway2, bare3, floor4, direct5, , chroma7] = stats.map((s) => s.median);
      const shares = [
        ['the Chroma client library (1 - 2)', ms(client1 - gateway2)],
        ["the gateway's stack beyond a bare server (2 - 3)", ms(gateway2 - bare3)],
        ['a server process between client and Postgres (3 - 5)', ms(bare3 - direct5)],
        ['  of which the HTTP call alone (4)', ms(floor4)],
        ['the SQL (5)', ms(direct5)],
        ...(chroma7 !== undefined ? [["Chroma's server beyond the HTTP call (7 - 4)", ms(chroma7 - floor4)]] : []),
      ];
      console.log(
        [
          `# One unfiltered query top 10, ${o.records} x ${o.dim}, ${o.reps} interleaved calls per path (median ms, p95)`,
          '',
          ...bullets(machine),
          '',
          markdown(
            ['path', 'median', 'p95'],
            paths.map((p, i) => [`${i + 1}. ${p.label}`, ms(stats[i].median), ms(stats[i].p95)]),
          ),
          '',
          markdown(['share of the median', 'ms'], shares),
        ].join('\n'),
      );
      // The gateway's collection would outlive the run in DATABASE_URL (Chroma's goes with its data directory).
      await chromaClient(gateway.url).deleteCollection({ name: collection.name });
    } finally {
      for (const s of started.reverse()) await s.stop().catch(() => {});
      await sql?.close();
    }
    return true;
  },
});
