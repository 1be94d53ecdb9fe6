/**
 * Load: many clients at once, for a fixed time, on vecgate and on the real Chroma side by side.
 *
 * Each data set (clustered, the easy case; uniform random, the hard one) is loaded into a
 * collection (cosine) on every server through the chromadb client. Right after the load, before
 * vecgate's index build has finished, the two query kinds an application sends first are timed at
 * 8 clients ("after load"); then, once vecgate reports everything indexed, every operation at every
 * client count ("at rest"). A cell runs `clients` loops that call back to back for `--seconds`,
 * after a warm-up; it reports completed calls per second and the p50/p95/p99 latency. The servers'
 * cells of one operation run one after the other, so drift of the machine hits both alike.
 *
 * The load generator runs on the same machine as the servers and takes CPU of its own: compare the
 * columns with each other, not with numbers from another machine.
 */
import type { Collection, Where } from 'chromadb';
import { chromaClient, fill, waitIndexed, waitTuned } from '../clients/chroma';
import { driveFor, type Driven } from '../clients/drive';
import { addBatch, BUCKETS, CATEGORIES, Dataset, GroundTruth, rng, sample, UniformDataset } from '../data';
import { common, int, ints, maybeInt, on, words, workload } from '../options';
import { bullets, loadAverage, machineInfo, markdown, ms, progress, writeJson } from '../report';
import { external, startChromaReference, startVecgate, type Server } from '../servers/start';
import { nowMs, recall } from '../stats';

/** One timed cell: `clients` loops for a while. */
interface Cell extends Driven {
  server: string;
  data: string;
  phase: 'after load' | 'at rest';
  op: string;
  clients: number;
}

const QUERY_VECTORS = 1000;
const category = (i: number) => CATEGORIES[i % CATEGORIES.length];

/** The operations of the load, as one client calls each the i-th time. */
function operations(data: Dataset): { name: string; call: (c: Collection, i: number) => Promise<unknown> }[] {
  const queries = Array.from({ length: QUERY_VECTORS }, (_, i) => data.queryVector('load', i));
  const query = (where?: (i: number) => Where) => (c: Collection, i: number) =>
    c.query({ queryEmbeddings: [queries[i % QUERY_VECTORS]], nResults: 10, where: where?.(i) });
  return [
    { name: 'query top 10, no filter', call: query() },
    { name: 'query top 10, 10% filter', call: query((i) => ({ category: category(i) })) },
    { name: 'query top 10, 1% filter', call: query((i) => ({ bucket: i % BUCKETS })) },
    {
      name: 'get 10 ids',
      call: (c, i) =>
        c.get({ ids: sample(rng(data.seed, 'load-get', i), data.records, 10).map((k) => data.record(k).id) }),
    },
    // The same records again: the collection does not change, the writes are real.
    { name: 'upsert 100', call: (c, i) => c.upsert(addBatch(data, (i * 100) % Math.max(1, data.records - 100), 100)) },
  ];
}

/** The query kinds whose recall is checked: each one's `where` for the i-th query, and whether a record matches it. */
const RECALL_KINDS = [
  { name: 'unfiltered', where: () => undefined, keep: () => true },
  {
    name: '10% filter',
    where: (i: number) => ({ category: category(i) }),
    keep: (m: { category: string }, i: number) => m.category === category(i),
  },
  {
    name: '1% filter',
    where: (i: number) => ({ bucket: i % BUCKETS }),
    keep: (m: { bucket: number }, i: number) => m.bucket === i % BUCKETS,
  },
];

/** Recall@10 of each query kind against exact search, on 50 query vectors. */
async function recalls(collection: Collection, data: Dataset, truth: GroundTruth): Promise<string[]> {
  const meta = data.metadatas();
  const out: string[] = [];
  for (const kind of RECALL_KINDS) {
    const expected: string[][] = [];
    const found: string[][] = [];
    for (let i = 0; i < 50; i++) {
      const q = data.queryVector('recall', i);
      expected.push(truth.topK(q, 10, (j) => kind.keep(meta[j], i)));
      found.push(
        (await collection.query({ queryEmbeddings: [q], nResults: 10, where: kind.where(i), include: [] })).ids[0],
      );
    }
    out.push(`${kind.name} ${(recall(found, expected, 10) * 100).toFixed(1)}%`);
  }
  return out;
}

function report(cells: Cell[], dataKinds: string[], notes: string[]): string {
  const lines: string[] = [];
  const servers = [...new Set(cells.map((c) => c.server))];
  const fmt = (c: Cell | undefined) =>
    c
      ? `${c.qps.toFixed(0)} (${ms(c.p50)} / ${ms(c.p95)} / ${ms(c.p99)})${c.errors ? ` ${c.errors} errors` : ''}`
      : '-';
  for (const data of dataKinds) {
    for (const phase of ['after load', 'at rest'] as const) {
      const rows = cells.filter((c) => c.data === data && c.phase === phase && c.server === servers[0]);
      if (rows.length === 0) continue;
      lines.push(`\n${data} data, ${phase}: QPS (p50 / p95 / p99 ms)\n`);
      const both = servers.length > 1;
      const header = ['operation', 'clients', ...servers, ...(both ? ['vecgate / chroma QPS'] : [])];
      const body = rows.map((row) => {
        const of = (s: string) =>
          cells.find(
            (c) =>
              c.data === data && c.phase === phase && c.op === row.op && c.clients === row.clients && c.server === s,
          );
        const [v, c] = [of('vecgate'), of('chroma')];
        const ratio = v && c && c.qps > 0 ? (v.qps / c.qps).toFixed(2) : '-';
        return [row.op, String(row.clients), ...servers.map((s) => fmt(of(s))), ...(both ? [ratio] : [])];
      });
      lines.push(markdown(header, body));
    }
  }
  lines.push('', ...notes.map((n) => `- ${n}`));
  return lines.join('\n');
}

export default workload({
  name: 'load',
  about: 'many clients at once for a fixed time: QPS and p50/p95/p99, vecgate beside Chroma',
  flags: {
    vecgate: {
      ...common.vecgate,
      help: 'a running vecgate instead of starting dist/src/main.js (on DATABASE_URL when set, else embedded)',
    },
    chroma: common.chroma,
    noChroma: { ...common.noChroma, help: 'vecgate alone' },
    records: int('records per data set', 20_000, { min: 200, smoke: 1000 }),
    dim: int('dimensions', 384, { min: 2, max: 4000, smoke: 32 }),
    seconds: int('timed seconds per cell', 8, { min: 1, max: 3600, smoke: 1 }),
    clients: ints('concurrent clients, comma-separated', '1,8,32,128', {
      min: 1,
      max: 1024,
      smoke: '1,4',
    }),
    data: words('clustered,uniform (default both)', 'clustered,uniform', ['clustered', 'uniform'] as const),
    seed: common.seed,
    chromaEfSearch: maybeInt(
      "create Chroma's collection with ef_search N (compare at equal recall; Chroma 1.0.0 accepts a change\n" +
        'of it later but keeps searching at the old one)',
      { min: 1, max: 1000 },
    ),
    json: { ...common.json, help: 'also write every cell as JSON' },
    smoke: on('tiny run for CI: 1000 records, dim 32, 1 s cells, clients 1,4'),
  },
  check: (o) => (o.chroma && o.noChroma ? '--chroma and --no-chroma exclude each other' : undefined),
  async run(o) {
    const machine = machineInfo();
    const databaseUrl = process.env.DATABASE_URL || undefined;
    const servers: { name: 'vecgate' | 'chroma'; server: Server }[] = [];
    const notes: string[] = [];
    const cells: Cell[] = [];
    try {
      servers.push({ name: 'vecgate', server: o.vecgate ? external(o.vecgate) : await startVecgate() });
      notes.push(`vecgate: ${o.vecgate ? 'external' : databaseUrl ? 'PostgreSQL' : 'embedded PGlite'}`);
      if (!o.noChroma) {
        servers.push({ name: 'chroma', server: o.chroma ? external(o.chroma) : await startChromaReference() });
        notes.push(`chroma: ${o.chroma ? 'external' : 'Chroma 1.0.0 (chroma-reference)'}`);
      }
      for (const kind of o.data) {
        const data =
          kind === 'uniform' ? new UniformDataset(o.seed, o.records, o.dim) : new Dataset(o.seed, o.records, o.dim);
        const truth = new GroundTruth(data, 'cosine');
        const ops = operations(data);
        const name = `load_${kind}_${Date.now().toString(36)}`;
        const collections = new Map<string, Collection>();
        for (const s of servers) {
          const efSearch = s.name === 'chroma' ? o.chromaEfSearch : undefined;
          const collection = await chromaClient(s.server.url).createCollection({
            name,
            embeddingFunction: null,
            configuration: { hnsw: { space: 'cosine', ...(efSearch !== undefined && { ef_search: efSearch }) } },
          });
          const start = nowMs();
          await fill(collection, data, 500);
          const seconds = ((nowMs() - start) / 1000).toFixed(1);
          progress(`${s.name}: loaded ${data.records} records (${name}) in ${seconds} s`);
          if (efSearch !== undefined) notes.push(`${kind}: chroma's collection created with ef_search ${efSearch}`);
          collections.set(s.name, collection);
          notes.push(`${kind}: ${s.name} loaded ${o.records} × ${o.dim} in ${seconds} s`);
        }
        const cell = async (phase: Cell['phase'], op: (typeof ops)[number], clients: number) => {
          for (const s of servers) {
            const collection = collections.get(s.name)!;
            const result = await driveFor(clients, o.seconds, (i) => op.call(collection, i));
            cells.push({ server: s.name, data: kind, phase, op: op.name, clients, ...result });
            progress(
              `${kind}, ${phase}, ${op.name}, ${clients} clients: ${s.name} ${result.qps.toFixed(0)} QPS, p99 ${ms(result.p99)} ms` +
                (result.errors ? `, ${result.errors} errors (${result.firstError})` : ''),
            );
          }
        };
        // Right after the load, as an application would query: vecgate's index may still be building.
        for (const op of ops.slice(0, 3)) await cell('after load', op, 8);
        // vecgate builds its index after a load; Chroma 1.0.0 has no indexing status and answers from its own at once.
        const vecgate = collections.get('vecgate')!;
        const { ms: readyMs } = await waitIndexed(vecgate, 30 * 60_000);
        notes.push(`${kind}: vecgate's index was ready ${(readyMs / 1000).toFixed(1)} s after the after-load cells`);
        const t = (await waitTuned(vecgate, 60_000))?.chose;
        notes.push(
          t
            ? `${kind}: vecgate's search tuning: ${t.exact ? 'exact search' : `ef_search ${t.ef_search}`}, recall@10 ${t.recall} measured on its own sample` +
                (t.filtered_ef_search === undefined
                  ? ''
                  : `; under a filter keeping a tenth, ef_search ${t.filtered_ef_search} (recall@10 ${t.filtered_recall}), ${Number(t.filtered_walk_ms).toFixed(2)} ms a walk against ${Number(t.filtered_exact_ms).toFixed(2)} ms exact`)
            : `${kind}: vecgate reported no search tuning within a minute`,
        );
        for (const op of ops) for (const clients of o.clients) await cell('at rest', op, clients);
        for (const s of servers) {
          const each = await recalls(collections.get(s.name)!, data, truth);
          notes.push(`${kind}: ${s.name} recall@10 (50 queries each, against exact cosine): ${each.join(', ')}`);
        }
        for (const s of servers) await chromaClient(s.server.url).deleteCollection({ name });
      }
    } finally {
      await Promise.allSettled(servers.map((s) => s.server.stop()));
    }
    machine['load average at end'] = loadAverage();
    const header = `load: ${o.records} × ${o.dim} per data set, cosine, ${o.seconds} s per cell after a warm-up\n\n${bullets(machine).join('\n')}`;
    console.log(`${header}\n${report(cells, o.data, notes)}`);
    writeJson(o.json, { options: o, machine, cells, notes });
    const failed = cells.filter((c) => c.errors > 0);
    if (failed.length > 0) console.error(`bench: ${failed.length} cells had errors, first: ${failed[0].firstError}`);
    return failed.length === 0;
  },
});
