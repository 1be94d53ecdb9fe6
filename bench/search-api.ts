/**
 * Chroma's Search API on vecgate: latency of dense, BM25 and hybrid (RRF) searches over 20,000
 * records, unfiltered and under a filter keeping 10%, one call at a time and from concurrent
 * clients; the classic `query` of the same dense vector beside them. No Chroma column: the
 * single-node Chroma server answers search with "not implemented".
 *
 *   npm run bench:search [-- --records N --dim N --queries N --clients N]
 *
 * On DATABASE_URL when set, else on the embedded database.
 */
import { ChromaBm25EmbeddingFunction } from '@chroma-core/chroma-bm25';
import { K, Knn, Rrf, Schema, Search, SparseVectorIndexConfig, type Collection } from 'chromadb';
import { Flags, progress, repoRoot } from './cli';
import { addBatch, CATEGORIES, Dataset, int, rng, WORDS } from './data';
import { machineInfo, markdown, ms } from './report';
import { chromaClientFor, startVecgate } from './servers';
import { nowMs, repeat, summarize, type Stats } from './stats';

const USAGE = `usage: node dist/bench/search-api.js [--records N] [--dim N] [--queries N] [--clients N]`;

interface Case {
  name: string;
  run: (i: number) => Promise<unknown>;
}

/** Calls from `clients` concurrent loops until each has made `calls`; answers per second. */
async function throughput(clients: number, calls: number, run: (i: number) => Promise<unknown>): Promise<number> {
  const start = nowMs();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let k = 0; k < calls; k++) await run(c * calls + k);
    }),
  );
  return (clients * calls * 1000) / (nowMs() - start);
}

async function waitIndexed(url: string, id: string): Promise<void> {
  for (;;) {
    const res = await fetch(
      `${url}/api/v2/tenants/default_tenant/databases/default_database/collections/${id}/indexing_status`,
    );
    const status = (await res.json()) as { op_indexing_progress: number };
    if (status.op_indexing_progress === 1) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function main(): Promise<void> {
  const flags = new Flags(process.argv.slice(2), {
    usage: USAGE,
    switches: [],
    valued: ['--records', '--dim', '--queries', '--clients'],
  });
  const records = flags.int('--records', 20_000, 100);
  const dim = flags.int('--dim', 384, 2, 2000);
  const queries = flags.int('--queries', 100, 1);
  const clients = flags.int('--clients', 8, 1, 64);
  const root = repoRoot(__dirname);
  const machine = machineInfo();
  const data = new Dataset(42, records, dim);
  const server = await startVecgate(root);
  try {
    const client = chromaClientFor(server.url);
    const bm25 = new ChromaBm25EmbeddingFunction();
    const schema = new Schema().createIndex(
      new SparseVectorIndexConfig({ sourceKey: K.DOCUMENT, embeddingFunction: bm25 }),
      'bm25',
    );
    // A run stopped halfway leaves its collection on a real Postgres: start from none.
    await client.deleteCollection({ name: 'bench-search' }).catch(() => {});
    const coll: Collection = await client.createCollection({ name: 'bench-search', schema, embeddingFunction: null });
    progress(`loading ${records} records x ${dim} (BM25 vectors computed by the client)`);
    const loadStart = nowMs();
    for (let start = 0; start < records; start += 1000) await coll.add(addBatch(data, start, 1000));
    const loadMs = nowMs() - loadStart;
    progress('waiting for the HNSW index');
    await waitIndexed(server.url, coll.id);
    const vector = (i: number) => data.queryVector('search', i % queries);
    const text = (i: number) => {
      const r = rng(7, 'text', i % queries);
      return `${WORDS[int(r, WORDS.length)]} ${WORDS[int(r, WORDS.length)]}`;
    };
    const category = (i: number) => CATEGORIES[i % CATEGORIES.length];
    const hybrid = (i: number) =>
      Rrf({
        ranks: [
          Knn({ query: vector(i), limit: 100, returnRank: true, default: 1000 }),
          Knn({ query: text(i), key: 'bm25', limit: 100, returnRank: true, default: 1000 }),
        ],
      });
    const cases: Case[] = [];
    for (const filtered of [false, true]) {
      const where = (i: number) => (filtered ? K('category').eq(category(i)) : undefined);
      const label = filtered ? ', filter keeps 10%' : '';
      const search = (i: number) => {
        const w = where(i);
        return w ? new Search().where(w) : new Search();
      };
      cases.push(
        {
          name: `query() dense, top 10${label}`,
          run: (i) =>
            coll.query({
              queryEmbeddings: [vector(i)],
              nResults: 10,
              where: filtered ? { category: category(i) } : undefined,
            }),
        },
        {
          name: `search dense knn (limit 100), top 10${label}`,
          run: (i) =>
            coll.search(
              search(i)
                .rank(Knn({ query: vector(i), limit: 100 }))
                .limit(10)
                .select(K.SCORE),
            ),
        },
        {
          name: `search BM25 knn (limit 100), top 10${label}`,
          run: (i) =>
            coll.search(
              search(i)
                .rank(Knn({ query: text(i), key: 'bm25', limit: 100 }))
                .limit(10)
                .select(K.SCORE),
            ),
        },
        {
          name: `search hybrid RRF (dense + BM25), top 10${label}`,
          run: (i) => coll.search(search(i).rank(hybrid(i)).limit(10).select(K.SCORE)),
        },
      );
    }
    const rows: string[][] = [];
    for (const c of cases) {
      progress(c.name);
      const one: Stats = summarize((await repeat(queries, 5, c.run)).samples);
      const qps = await throughput(clients, Math.max(5, Math.round(queries / clients)), c.run);
      rows.push([c.name, ms(one.median), ms(one.p95), qps.toFixed(0)]);
    }
    console.log(`\n## Search API, ${records} x ${dim} clustered records\n`);
    console.log(
      Object.entries({ ...machine, ...server.info })
        .map(([k, v]) => `- ${k}: ${v}`)
        .join('\n'),
    );
    console.log(`- load through add (with client-side BM25): ${(loadMs / 1000).toFixed(1)} s`);
    console.log(
      '\n' + markdown(['operation', 'median ms (1 client)', 'p95 ms', `answers/s (${clients} clients)`], rows),
    );
    await client.deleteCollection({ name: 'bench-search' });
  } finally {
    await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
