/**
 * Chroma's Search API on vecgate: latency of dense, BM25 and hybrid (RRF) searches over 20,000
 * records, unfiltered and under a filter keeping 10%, one call at a time and from concurrent
 * clients; the classic `query` of the same dense vector beside them. No Chroma column: the
 * single-node Chroma server answers search with "not implemented". On DATABASE_URL when set, else
 * on the embedded database.
 */
import { ChromaBm25EmbeddingFunction } from '@chroma-core/chroma-bm25';
import { K, Knn, Rrf, Schema, Search, SparseVectorIndexConfig, type Collection } from 'chromadb';
import { chromaClient, fill, waitIndexed } from '../clients/chroma';
import { driveCalls } from '../clients/drive';
import { CATEGORIES, Dataset, int, rng, WORDS } from '../data';
import { int as intFlag, workload } from '../options';
import { bullets, machineInfo, markdown, ms, progress } from '../report';
import { startVecgate } from '../servers/start';
import { nowMs, repeat, summarize } from '../stats';

const NAME = 'bench-search';

/** The timed cases, unfiltered and under a filter keeping 10%: query() and search's dense, BM25 and hybrid knns. */
function cases(
  coll: Collection,
  data: Dataset,
  queries: number,
): { name: string; run: (i: number) => Promise<unknown> }[] {
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
  return [false, true].flatMap((filtered) => {
    const label = filtered ? ', filter keeps 10%' : '';
    const search = (i: number) => (filtered ? new Search().where(K('category').eq(category(i))) : new Search());
    return [
      {
        name: `query() dense, top 10${label}`,
        run: (i: number) =>
          coll.query({
            queryEmbeddings: [vector(i)],
            nResults: 10,
            where: filtered ? { category: category(i) } : undefined,
          }),
      },
      {
        name: `search dense knn (limit 100), top 10${label}`,
        run: (i: number) =>
          coll.search(
            search(i)
              .rank(Knn({ query: vector(i), limit: 100 }))
              .limit(10)
              .select(K.SCORE),
          ),
      },
      {
        name: `search BM25 knn (limit 100), top 10${label}`,
        run: (i: number) =>
          coll.search(
            search(i)
              .rank(Knn({ query: text(i), key: 'bm25', limit: 100 }))
              .limit(10)
              .select(K.SCORE),
          ),
      },
      {
        name: `search hybrid RRF (dense + BM25), top 10${label}`,
        run: (i: number) => coll.search(search(i).rank(hybrid(i)).limit(10).select(K.SCORE)),
      },
    ];
  });
}

export default workload({
  name: 'search',
  about: "Chroma's Search API: dense, BM25 and hybrid RRF searches beside query()",
  flags: {
    records: intFlag('records', 20_000, { min: 100 }),
    dim: intFlag('embedding dimension', 384, { min: 2, max: 2000 }),
    queries: intFlag('timed calls per case, one at a time, after 5 warm-up calls', 100, { min: 1 }),
    clients: intFlag('concurrent clients for the answers/s column', 8, { min: 1, max: 64 }),
  },
  async run(o) {
    const machine = machineInfo();
    const data = new Dataset(42, o.records, o.dim);
    const server = await startVecgate();
    try {
      const client = chromaClient(server.url);
      const bm25 = new ChromaBm25EmbeddingFunction();
      const schema = new Schema().createIndex(
        new SparseVectorIndexConfig({ sourceKey: K.DOCUMENT, embeddingFunction: bm25 }),
        'bm25',
      );
      // A run stopped halfway leaves its collection on a real Postgres: start from none.
      await client.deleteCollection({ name: NAME }).catch(() => {});
      const coll = await client.createCollection({ name: NAME, schema, embeddingFunction: null });
      progress(`loading ${o.records} records x ${o.dim} (BM25 vectors computed by the client)`);
      const loadStart = nowMs();
      await fill(coll, data, 1000);
      const loadMs = nowMs() - loadStart;
      progress('waiting for the HNSW index');
      await waitIndexed(coll, Infinity);
      const rows: string[][] = [];
      for (const c of cases(coll, data, o.queries)) {
        progress(c.name);
        const one = summarize((await repeat(o.queries, 5, c.run)).samples);
        const qps = await driveCalls(o.clients, Math.max(5, Math.round(o.queries / o.clients)), c.run);
        rows.push([c.name, ms(one.median), ms(one.p95), qps.toFixed(0)]);
      }
      console.log(`\n## Search API, ${o.records} x ${o.dim} clustered records\n`);
      console.log(bullets({ ...machine, ...server.info }).join('\n'));
      console.log(`- load through add (with client-side BM25): ${(loadMs / 1000).toFixed(1)} s`);
      console.log(
        '\n' + markdown(['operation', 'median ms (1 client)', 'p95 ms', `answers/s (${o.clients} clients)`], rows),
      );
      await client.deleteCollection({ name: NAME });
    } finally {
      await server.stop();
    }
    return true;
  },
});
