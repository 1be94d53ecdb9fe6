/**
 * Where the time of one unfiltered query goes: the same query, interleaved call by call, through
 *   1. the official Chroma client to the gateway,
 *   2. plain fetch to the gateway (the same JSON bytes every time),
 *   3. plain fetch to a bare node:http server running the gateway's search SQL (bench/bare-sql-server.ts),
 *   4. plain fetch to the HTTP floor answering the gateway's response bytes (bench/http-floor-server.ts),
 *   5. the search SQL sent with pg from this process (bench/direct-records.ts),
 *   6. and 7. the official client and plain fetch to the real Chroma server, on the same records,
 * so that the differences of the medians read as: the client library (1 - 2), the gateway's stack
 * beyond a bare server (2 - 3), and an extra process between client and Postgres (3 - 5, of which
 * 4 is the HTTP call alone); and Chroma's own server time beside them (7 - 4). Real Postgres only
 * (DATABASE_URL).
 *
 *   DATABASE_URL=postgres://... node dist/bench/per-call.js [--records N] [--dim D] [--reps R] [--no-chroma]
 */
import { ChromaClient, type Collection } from 'chromadb';
import { Dataset } from './data';
import { openDirectSql, type DirectSql } from './direct-records';
import { errorMessage, Flags, progress, repoRoot } from './cli';
import { machineInfo, markdown, ms } from './report';
import {
  startBareSql,
  startChromaReference,
  startHttpFloor,
  startVecgate,
  type HttpFloor,
  type Server,
} from './servers';
import { nowMs, summarize } from './stats';

const USAGE = `usage: DATABASE_URL=postgres://... node dist/bench/per-call.js [options]
  --records N   records in the collection (default 20000)
  --dim D       embedding dimension (default 384)
  --reps R      timed calls per path, interleaved (default 500, after 50 warm-up rounds)
  --seed S      data seed (default 42)
  --no-chroma   leave out the real Chroma server (paths 6 and 7)`;

const QUERIES = 50;
const WARMUP = 50;
const INCLUDE = ['documents', 'metadatas', 'distances'];

interface Path {
  label: string;
  call(i: number): Promise<unknown>;
}

/** A collection of `records` on a Chroma API server, added in batches of 500, searchable once this returns. */
async function load(server: Server, data: Dataset, records: number): Promise<Collection> {
  const { hostname, port } = new URL(server.url);
  const client = new ChromaClient({ host: hostname, port: Number(port) });
  const collection = await client.createCollection({
    name: `per_call_${Date.now().toString(36)}`,
    embeddingFunction: null,
  });
  for (let s = 0; s < records; s += 500) {
    const batch = data.batch(s, Math.min(500, records - s));
    await collection.add({
      ids: batch.map((r) => r.id),
      embeddings: batch.map((r) => r.embedding),
      documents: batch.map((r) => r.document),
      metadatas: batch.map((r) => r.metadata),
    });
  }
  return collection;
}

const queryPath = (server: Server, collection: Collection) =>
  `${server.url}/api/v2/tenants/default_tenant/databases/default_database/collections/${collection.id}/query`;

async function post(url: string, body: string): Promise<string> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${text.slice(0, 200)}`);
  return text;
}

async function main(): Promise<void> {
  const flags = new Flags(process.argv.slice(2), {
    usage: USAGE,
    switches: ['--no-chroma'],
    valued: ['--records', '--dim', '--reps', '--seed'],
  });
  const records = flags.int('--records', 20_000, 1);
  const dim = flags.int('--dim', 384, 1, 2000);
  const reps = flags.int('--reps', 500, 1);
  const seed = flags.int('--seed', 42, 0);
  const databaseUrl = process.env.DATABASE_URL || flags.fail('DATABASE_URL must name a real Postgres with pgvector');
  const root = repoRoot(__dirname);
  const machine = machineInfo();
  const data = new Dataset(seed, records, dim);
  const started: Server[] = [];
  let sql: DirectSql | undefined;
  try {
    const gateway = await startVecgate(root, { databaseUrl });
    started.push(gateway);
    sql = await openDirectSql(databaseUrl); // after the gateway: it creates the extension
    const collection = await load(gateway, data, records);
    while ((await collection.getIndexingStatus()).op_indexing_progress !== 1)
      await new Promise((r) => setTimeout(r, 200));
    progress(`${records} records x ${dim} loaded into vecgate and indexed`);
    let chroma: { server: Server; collection: Collection } | undefined;
    if (!flags.has('--no-chroma')) {
      const server = await startChromaReference(root);
      started.push(server);
      chroma = { server, collection: await load(server, data, records) };
      progress(`${records} records x ${dim} loaded into Chroma`);
    }

    const bare = await startBareSql(root, databaseUrl, collection.id);
    started.push(bare);
    const floor: HttpFloor = await startHttpFloor(root);
    started.push(floor);
    const direct = await sql.records(collection.id);
    const vectors = Array.from({ length: QUERIES }, (_, q) => data.queryVector('per-call', q));
    const bodies = vectors.map((v) => JSON.stringify({ query_embeddings: [v], n_results: 10, include: INCLUDE }));
    const queryUrl = queryPath(gateway, collection);
    await floor.setCanned(200, await post(queryUrl, bodies[0]));

    const paths: Path[] = [
      {
        label: 'Chroma client → vecgate',
        call: (i) =>
          collection.query({ queryEmbeddings: [vectors[i % QUERIES]], nResults: 10, include: INCLUDE as never }),
      },
      { label: 'fetch → vecgate', call: (i) => post(queryUrl, bodies[i % QUERIES]) },
      { label: 'fetch → bare node:http + the same SQL', call: (i) => post(bare.url, bodies[i % QUERIES]) },
      { label: 'fetch → HTTP floor (no work)', call: (i) => post(floor.url, bodies[i % QUERIES]) },
      {
        label: 'the same SQL from this process',
        call: (i) => direct.query(vectors[i % QUERIES], 10, undefined, INCLUDE),
      },
    ];
    if (chroma) {
      const { server, collection: theirs } = chroma;
      paths.push(
        {
          label: 'Chroma client → Chroma',
          call: (i) =>
            theirs.query({ queryEmbeddings: [vectors[i % QUERIES]], nResults: 10, include: INCLUDE as never }),
        },
        { label: 'fetch → Chroma', call: (i) => post(queryPath(server, theirs), bodies[i % QUERIES]) },
      );
    }
    const samples = paths.map((): number[] => []);
    for (let round = -WARMUP; round < reps; round++) {
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
    const out = [
      `# One unfiltered query top 10, ${records} x ${dim}, ${reps} interleaved calls per path (median ms, p95)`,
      '',
    ];
    for (const [k, v] of Object.entries(machine)) out.push(`- ${k}: ${v}`);
    out.push(
      '',
      markdown(
        ['path', 'median', 'p95'],
        paths.map((p, i) => [`${i + 1}. ${p.label}`, ms(stats[i].median), ms(stats[i].p95)]),
      ),
      '',
    );
    out.push(
      markdown(
        ['share of the median', 'ms'],
        [
          ['the Chroma client library (1 - 2)', ms(client1 - gateway2)],
          ["the gateway's stack beyond a bare server (2 - 3)", ms(gateway2 - bare3)],
          ['a server process between client and Postgres (3 - 5)', ms(bare3 - direct5)],
          ['  of which the HTTP call alone (4)', ms(floor4)],
          ['the SQL (5)', ms(direct5)],
          ...(chroma7 !== undefined ? [["Chroma's server beyond the HTTP call (7 - 4)", ms(chroma7 - floor4)]] : []),
        ],
      ),
    );
    console.log(out.join('\n'));
    // The gateway's collection would outlive the run in DATABASE_URL (Chroma's goes with its data directory).
    await fetch(queryUrl.replace(/\/collections\/.*$/, `/collections/${encodeURIComponent(collection.name)}`), {
      method: 'DELETE',
    });
  } finally {
    for (const s of started.reverse()) await s.stop().catch(() => {});
    await sql?.close();
  }
}

main().catch((err) => {
  console.error(`bench: ${errorMessage(err)}`);
  process.exit(1);
});
