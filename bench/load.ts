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
 *
 *   node dist/bench/load.js [--records N] [--dim D] [--seconds S] [--clients 1,8,32,128] [--data clustered,uniform]
 */
import { writeFileSync } from 'node:fs';
import type { Collection, Where } from 'chromadb';
import { errorMessage, Flags, progress, repoRoot } from './cli';
import { BUCKETS, CATEGORIES, Dataset, GroundTruth, rng, sample, UniformDataset, type BenchRecord } from './data';
import { machineInfo, markdown, ms } from './report';
import { external, startChromaReference, startVecgate, type Server, chromaClientFor as clientFor } from './servers';
import { nowMs, percentile } from './stats';

const USAGE = `usage: node dist/bench/load.js [options]
  --vecgate URL    a running vecgate instead of starting dist/src/main.js (on DATABASE_URL when set, else embedded)
  --chroma URL     a running Chroma (default: start the chroma-reference devDependency)
  --no-chroma      vecgate alone
  --records N      records per data set (default 20000)
  --dim D          dimensions (default 384)
  --seconds S      timed seconds per cell (default 8)
  --clients LIST   concurrent clients, comma-separated (default 1,8,32,128)
  --data LIST      clustered,uniform (default both)
  --seed S         data seed (default 42)
  --chroma-ef-search N  create Chroma's collection with ef_search N (compare at equal recall; Chroma
                   1.0.0 accepts a change of it later but keeps searching at the old one)
  --json FILE      also write every cell as JSON
  --smoke          tiny run for CI: 1000 records, dim 32, 1 s cells, clients 1,4`;

interface Options {
  records: number;
  dim: number;
  seconds: number;
  clients: number[];
  data: ('clustered' | 'uniform')[];
  seed: number;
  chromaEfSearch?: number;
  vecgate?: string;
  chroma?: string;
  noChroma: boolean;
  json?: string;
}

function parseArgs(argv: string[]): Options {
  const flags = new Flags(argv, {
    usage: USAGE,
    switches: ['--no-chroma', '--smoke'],
    valued: [
      '--vecgate',
      '--chroma',
      '--records',
      '--dim',
      '--seconds',
      '--clients',
      '--data',
      '--seed',
      '--json',
      '--chroma-ef-search',
    ],
  });
  const smoke = flags.has('--smoke');
  const list = (flag: string, fallback: string) => (flags.string(flag) ?? fallback).split(',').map((s) => s.trim());
  const clients = list('--clients', smoke ? '1,4' : '1,8,32,128').map(Number);
  if (clients.some((n) => !Number.isInteger(n) || n < 1 || n > 1024))
    flags.fail('--clients takes integers from 1 to 1024');
  const data = list('--data', 'clustered,uniform');
  if (data.some((d) => d !== 'clustered' && d !== 'uniform')) flags.fail('--data takes clustered and/or uniform');
  if (flags.has('--no-chroma') && flags.has('--chroma')) flags.fail('--chroma and --no-chroma exclude each other');
  return {
    records: flags.int('--records', smoke ? 1000 : 20_000, 200),
    dim: flags.int('--dim', smoke ? 32 : 384, 2, 4000),
    seconds: flags.int('--seconds', smoke ? 1 : 8, 1, 3600),
    clients,
    data: data as Options['data'],
    seed: flags.int('--seed', 42, 0),
    chromaEfSearch: flags.has('--chroma-ef-search') ? flags.int('--chroma-ef-search', 100, 1, 1000) : undefined,
    vecgate: flags.url('--vecgate'),
    chroma: flags.url('--chroma'),
    noChroma: flags.has('--no-chroma'),
    json: flags.string('--json'),
  };
}

/** One timed cell: `clients` loops for a while. */
interface Cell {
  server: string;
  data: string;
  phase: 'after load' | 'at rest';
  op: string;
  clients: number;
  calls: number;
  errors: number;
  firstError?: string;
  qps: number;
  p50: number;
  p95: number;
  p99: number;
}

/**
 * Runs `clients` loops calling `call` back to back until `seconds` have passed; the calls of a
 * warm-up (a quarter of the time, at most 2 s) are not counted.
 */
async function drive(
  clients: number,
  seconds: number,
  call: (i: number) => Promise<void>,
): Promise<Pick<Cell, 'calls' | 'errors' | 'firstError' | 'qps' | 'p50' | 'p95' | 'p99'>> {
  let next = 0;
  const run = async (until: number, samples?: number[], failures?: string[]) => {
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (nowMs() < until) {
          const i = next++;
          const start = nowMs();
          try {
            await call(i);
            samples?.push(nowMs() - start);
          } catch (err) {
            failures?.push(errorMessage(err));
          }
        }
      }),
    );
  };
  await run(nowMs() + Math.min(2000, (seconds * 1000) / 4));
  const samples: number[] = [];
  const failures: string[] = [];
  const start = nowMs();
  await run(start + seconds * 1000, samples, failures);
  const elapsed = (nowMs() - start) / 1000;
  samples.sort((a, b) => a - b);
  return {
    calls: samples.length,
    errors: failures.length,
    firstError: failures[0],
    qps: samples.length / elapsed,
    p50: percentile(samples, 0.5),
    p95: percentile(samples, 0.95),
    p99: percentile(samples, 0.99),
  };
}

/** Records as the chromadb client sends them: one array per field. */
function columns(batch: BenchRecord[]) {
  return {
    ids: batch.map((r) => r.id),
    embeddings: batch.map((r) => r.embedding),
    documents: batch.map((r) => r.document),
    metadatas: batch.map((r) => r.metadata),
  };
}

/** An operation of the load, as one client calls it the i-th time. */
interface Operation {
  name: string;
  call: (collection: Collection, i: number) => Promise<void>;
}

const QUERY_VECTORS = 1000;

function operations(data: Dataset): Operation[] {
  const queries = Array.from({ length: QUERY_VECTORS }, (_, i) => data.queryVector('load', i));
  const query = (where?: (i: number) => Where) => async (c: Collection, i: number) => {
    const q = queries[i % QUERY_VECTORS];
    await c.query({ queryEmbeddings: [q], nResults: 10, where: where?.(i) });
  };
  return [
    { name: 'query top 10, no filter', call: query() },
    { name: 'query top 10, 10% filter', call: query((i) => ({ category: CATEGORIES[i % CATEGORIES.length] })) },
    { name: 'query top 10, 1% filter', call: query((i) => ({ bucket: i % BUCKETS })) },
    {
      name: 'get 10 ids',
      call: async (c, i) => {
        const r = rng(data.seed, 'load-get', i);
        await c.get({ ids: sample(r, data.records, 10).map((k) => data.record(k).id) });
      },
    },
    {
      name: 'upsert 100',
      // The same records again: the collection does not change, the writes are real.
      call: async (c, i) => {
        const start = (i * 100) % Math.max(1, data.records - 100);
        await c.upsert(columns(data.batch(start, 100)));
      },
    },
  ];
}

/** Loads `data` into a new collection on `server`, in batches of 500. */
async function load(
  server: NamedServer,
  data: Dataset,
  name: string,
  efSearch?: number,
): Promise<{ collection: Collection; seconds: number }> {
  const client = clientFor(server.server.url);
  const collection = await client.createCollection({
    name,
    embeddingFunction: null,
    configuration: { hnsw: { space: 'cosine', ...(efSearch !== undefined && { ef_search: efSearch }) } },
  });
  const start = nowMs();
  for (let from = 0; from < data.records; from += 500) {
    await collection.add(columns(data.batch(from, 500)));
  }
  const seconds = (nowMs() - start) / 1000;
  progress(`${server.name}: loaded ${data.records} records (${name}) in ${seconds.toFixed(1)} s`);
  return { collection, seconds };
}

/** vecgate builds its index after a load; Chroma 1.0.0 has no indexing status and answers from its own at once. */
async function waitIndexed(server: NamedServer, collection: Collection): Promise<number> {
  if (server.name !== 'vecgate') return 0;
  const start = nowMs();
  for (;;) {
    const status = await collection.getIndexingStatus();
    if (status.op_indexing_progress === 1) return (nowMs() - start) / 1000;
    if (nowMs() - start > 30 * 60_000) throw new Error('vecgate: the index was not ready 30 minutes after the load');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * What vecgate's search tuner chose for the collection (it measures right after the build); null
 * when it reports nothing within a minute (VECGATE_RECALL_TARGET=0).
 */
async function waitTuned(collection: Collection): Promise<Record<string, unknown> | null> {
  const start = nowMs();
  while (nowMs() - start < 60_000) {
    const status = (await collection.getIndexingStatus()) as { vecgate_search_tuning?: Record<string, unknown> };
    if (status.vecgate_search_tuning) return status.vecgate_search_tuning;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return null;
}

/** The query kinds whose recall is checked: each one's `where` for the i-th query, and whether a record matches it. */
const RECALL_KINDS = [
  { name: 'unfiltered', where: () => undefined, keep: () => true },
  {
    name: '10% filter',
    where: (i: number) => ({ category: CATEGORIES[i % CATEGORIES.length] }),
    keep: (r: Pick<BenchRecord, 'metadata'>, i: number) => r.metadata.category === CATEGORIES[i % CATEGORIES.length],
  },
  {
    name: '1% filter',
    where: (i: number) => ({ bucket: i % BUCKETS }),
    keep: (r: Pick<BenchRecord, 'metadata'>, i: number) => r.metadata.bucket === i % BUCKETS,
  },
];

/** Recall@10 of each query kind against exact search, on 50 query vectors. */
async function recall(collection: Collection, data: Dataset, truth: GroundTruth): Promise<Record<string, number>> {
  const meta = Array.from({ length: data.records }, (_, j) => data.text(j));
  const recalls: Record<string, number> = {};
  for (const kind of RECALL_KINDS) {
    let found = 0;
    for (let i = 0; i < 50; i++) {
      const q = data.queryVector('recall', i);
      const expected = new Set(truth.topK(q, 10, (j) => kind.keep(meta[j], i)));
      const got = await collection.query({ queryEmbeddings: [q], nResults: 10, where: kind.where(i), include: [] });
      found += got.ids[0].filter((id) => expected.has(id)).length;
    }
    recalls[kind.name] = found / 500;
  }
  return recalls;
}

interface NamedServer {
  name: 'vecgate' | 'chroma';
  server: Server;
}

function report(cells: Cell[], o: Options, notes: string[]): string {
  const lines: string[] = [];
  const servers = [...new Set(cells.map((c) => c.server))];
  const fmt = (c: Cell | undefined) =>
    c
      ? `${c.qps.toFixed(0)} (${ms(c.p50)} / ${ms(c.p95)} / ${ms(c.p99)})${c.errors ? ` ${c.errors} errors` : ''}`
      : '-';
  for (const data of o.data) {
    for (const phase of ['after load', 'at rest'] as const) {
      const rows = cells.filter((c) => c.data === data && c.phase === phase && c.server === servers[0]);
      if (rows.length === 0) continue;
      lines.push(`\n${data} data, ${phase}: QPS (p50 / p95 / p99 ms)\n`);
      const header = [
        'operation',
        'clients',
        ...servers.map((s) => s),
        ...(servers.length > 1 ? ['vecgate / chroma QPS'] : []),
      ];
      const body = rows.map((row) => {
        const of = (s: string) =>
          cells.find(
            (c) =>
              c.data === data && c.phase === phase && c.op === row.op && c.clients === row.clients && c.server === s,
          );
        const v = of('vecgate');
        const c = of('chroma');
        const ratio = v && c && c.qps > 0 ? (v.qps / c.qps).toFixed(2) : '-';
        return [row.op, String(row.clients), ...servers.map((s) => fmt(of(s))), ...(servers.length > 1 ? [ratio] : [])];
      });
      lines.push(markdown(header, body));
    }
  }
  lines.push('', ...notes.map((n) => `- ${n}`));
  return lines.join('\n');
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const root = repoRoot(__dirname);
  const machine = machineInfo();
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const servers: NamedServer[] = [];
  const notes: string[] = [];
  const cells: Cell[] = [];
  try {
    const vecgate = o.vecgate ? external(o.vecgate) : await startVecgate(root);
    servers.push({ name: 'vecgate', server: vecgate });
    notes.push(`vecgate: ${o.vecgate ? 'external' : databaseUrl ? 'PostgreSQL' : 'embedded PGlite'}`);
    if (!o.noChroma) {
      servers.push({ name: 'chroma', server: o.chroma ? external(o.chroma) : await startChromaReference(root) });
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
        const { collection, seconds } = await load(s, data, name, efSearch);
        if (efSearch !== undefined) notes.push(`${kind}: chroma's collection created with ef_search ${efSearch}`);
        collections.set(s.name, collection);
        notes.push(`${kind}: ${s.name} loaded ${o.records} × ${o.dim} in ${seconds.toFixed(1)} s`);
      }
      const cell = async (phase: Cell['phase'], op: Operation, clients: number) => {
        for (const s of servers) {
          const collection = collections.get(s.name)!;
          const result = await drive(clients, o.seconds, (i) => op.call(collection, i));
          cells.push({ server: s.name, data: kind, phase, op: op.name, clients, ...result });
          progress(
            `${kind}, ${phase}, ${op.name}, ${clients} clients: ${s.name} ${result.qps.toFixed(0)} QPS, p99 ${ms(result.p99)} ms` +
              (result.errors ? `, ${result.errors} errors (${result.firstError})` : ''),
          );
        }
      };
      // Right after the load, as an application would query: vecgate's index may still be building.
      for (const op of ops.slice(0, 3)) await cell('after load', op, 8);
      for (const s of servers) {
        const seconds = await waitIndexed(s, collections.get(s.name)!);
        if (s.name !== 'vecgate') continue;
        notes.push(`${kind}: vecgate's index was ready ${seconds.toFixed(1)} s after the after-load cells`);
        const tuning = await waitTuned(collections.get(s.name)!);
        notes.push(
          tuning
            ? `${kind}: vecgate's search tuning: ${tuning.exact ? 'exact search' : `ef_search ${tuning.ef_search}`}, recall@10 ${tuning.recall} measured on its own sample` +
                (tuning.filtered_ef_search === undefined
                  ? ''
                  : `; under a filter keeping a tenth, ef_search ${tuning.filtered_ef_search} (recall@10 ${tuning.filtered_recall}), ${Number(tuning.filtered_walk_ms).toFixed(2)} ms a walk against ${Number(tuning.filtered_exact_ms).toFixed(2)} ms exact`)
            : `${kind}: vecgate reported no search tuning within a minute`,
        );
      }
      for (const op of ops) for (const clients of o.clients) await cell('at rest', op, clients);
      for (const s of servers) {
        const r = await recall(collections.get(s.name)!, data, truth);
        const each = Object.entries(r).map(([name, value]) => `${name} ${(value * 100).toFixed(1)}%`);
        notes.push(`${kind}: ${s.name} recall@10 (50 queries each, against exact cosine): ${each.join(', ')}`);
      }
      for (const s of servers) await clientFor(s.server.url).deleteCollection({ name });
    }
  } finally {
    await Promise.allSettled(servers.map((s) => s.server.stop()));
  }
  machine['load average at end'] = machineInfo()['load average at start'];
  const header = `load: ${o.records} × ${o.dim} per data set, cosine, ${o.seconds} s per cell after a warm-up\n\n${Object.entries(
    machine,
  )
    .map(([k, v]) => `- ${k}: ${v}`)
    .join('\n')}`;
  console.log(`${header}\n${report(cells, o, notes)}`);
  if (o.json) writeFileSync(o.json, JSON.stringify({ options: o, machine, cells, notes }, null, 2));
  const failed = cells.filter((c) => c.errors > 0);
  if (failed.length > 0) {
    console.error(`bench: ${failed.length} cells had errors, first: ${failed[0].firstError}`);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(`bench: ${errorMessage(err)}`);
  process.exit(1);
});
