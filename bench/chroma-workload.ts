/**
 * A Chroma-shaped workload, run with the official chromadb client against vecgate and against a
 * Chroma server in one go, printed side by side.
 *
 *   node dist/bench/chroma-workload.js [--vecgate URL] [--chroma URL | --no-chroma]
 *        [--records N] [--dim D] [--reps R] [--batch B] [--seed S] [--json out.json] [--smoke]
 *
 * Without --vecgate it starts the built gateway (dist/src/main.js) itself: on DATABASE_URL when
 * that is set, else on embedded PGlite in a temporary directory. Without --chroma it starts the
 * Chroma reference server (../shared/tools/chroma-reference-server). Both are stopped afterwards.
 *
 * The targets run one after the other, each alone on the machine: start, workload, stop.
 * Every call is made one at a time and timed from the client (HTTP and JSON included).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { ChromaClient, Collection } from 'chromadb';
import { BUCKETS, CATEGORIES, Dataset, GroundTruth, PRICE_MAX, int, permutation, recordId, rng, sample } from './data';
import { machineInfo, ms, ratio, Row, table } from './report';
import { external, Server, startChromaReference, startVecgate } from './servers';
import { repeat, Stats, summarize, timed } from './stats';

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  vecgate?: string;
  chroma?: string;
  noChroma: boolean;
  records: number;
  dim: number;
  reps: number;
  batch: number;
  seed: number;
  json?: string;
  smoke: boolean;
}

const USAGE = `usage: node dist/bench/chroma-workload.js [options]
  --vecgate URL    benchmark a running vecgate (default: start dist/src/main.js; on DATABASE_URL if set, else embedded)
  --chroma URL     benchmark a running Chroma (default: start ../shared/tools/chroma-reference-server)
  --no-chroma      vecgate only, no reference column
  --records N      records to add (default 20000)
  --dim D          embedding dimension (default 384)
  --reps R         timed repetitions per read operation (default 30; deletes use at most 20)
  --batch B        records per add call (default 500)
  --seed S         data seed (default 42)
  --json FILE      also write every sample and setting as JSON
  --smoke          tiny run for CI: 1000 records, dim 32, 3 reps (explicit flags still win)`;

function parseArgs(argv: string[]): Options {
  const given: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    const [flag, inline] = arg.split(/=(.*)/s, 2);
    if (['--no-chroma', '--smoke'].includes(flag)) {
      given[flag] = true;
    } else if (['--vecgate', '--chroma', '--records', '--dim', '--reps', '--seed', '--json', '--batch'].includes(flag)) {
      const value = inline ?? argv[++i];
      if (value === undefined) fail(`${flag} needs a value`);
      given[flag] = value;
    } else {
      fail(`unknown argument ${arg}`);
    }
  }
  const smoke = given['--smoke'] === true;
  const num = (flag: string, fallback: number, min: number): number => {
    const raw = given[flag];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) fail(`${flag} must be an integer >= ${min}, got ${String(raw)}`);
    return n;
  };
  const url = (flag: string): string | undefined => {
    const raw = given[flag];
    if (raw === undefined) return undefined;
    try {
      new URL(String(raw));
    } catch {
      fail(`${flag} must be a URL such as http://localhost:8000, got ${String(raw)}`);
    }
    return String(raw);
  };
  const options: Options = {
    vecgate: url('--vecgate'),
    chroma: url('--chroma'),
    noChroma: given['--no-chroma'] === true,
    records: num('--records', smoke ? 1000 : 20000, 200),
    dim: num('--dim', smoke ? 32 : 384, 2),
    reps: num('--reps', smoke ? 3 : 30, 1),
    batch: num('--batch', 500, 1),
    seed: num('--seed', 42, 0),
    json: typeof given['--json'] === 'string' ? given['--json'] : undefined,
    smoke,
  };
  if (options.chroma && options.noChroma) fail('--chroma and --no-chroma exclude each other');
  return options;
}

function fail(message: string): never {
  console.error(`bench: ${message}\n${USAGE}`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// The workload: each operation and its per-repetition parameters, fixed before any target runs

/** What one call returned, kept to check the answers: row count (or the count) and ids. */
interface Outcome {
  rows: number;
  ids: string[];
}

interface Operation {
  key: string;
  label: string;
  reps: number;
  /** Untimed calls of repetition 0 first; 0 for deletes, which must hit fresh ids each time. */
  warmup: number;
  kind: 'get' | 'query' | 'delete' | 'count';
  run(collection: Collection, i: number): Promise<Outcome>;
  /** The right number of rows (or the right count) for each repetition, from the data itself. */
  expected?: number[];
  /** The exact top K of each query repetition, for recall. */
  truth?: string[][];
}

/** The client does not export its Include type; this is `get`'s `include` parameter. */
type IncludeList = NonNullable<NonNullable<Parameters<Collection['get']>[0]>['include']>;
const WITHOUT_EMBEDDINGS: IncludeList = ['documents', 'metadatas'];
const WITH_EMBEDDINGS: IncludeList = ['documents', 'metadatas', 'embeddings'];
const K = 10;

function operations(data: Dataset, o: Options): Operation[] {
  const n = o.records;
  const reps = o.reps;
  const warmup = 2;
  const pick = <T>(stream: string, count: number, make: (r: () => number, i: number) => T): T[] =>
    Array.from({ length: count }, (_, i) => make(rng(o.seed, 'param', stream, i), i));
  const meta = Array.from({ length: n }, (_, i) => data.text(i).metadata);
  const matching = (keep: (i: number) => boolean) => meta.reduce((s, _, i) => s + (keep(i) ? 1 : 0), 0);

  const idSets = pick('get-ids', reps, (r) => sample(r, n, 100).map(recordId));
  const buckets = pick('get-bucket', reps, (r) => int(r, BUCKETS));
  const priceWidth = PRICE_MAX / 100; // 1% of a uniform price
  const priceLows = pick('get-price', reps, (r) => Math.floor(r() * (PRICE_MAX - priceWidth)));
  const inPrice = (i: number, lo: number) => meta[i].price >= lo && meta[i].price < lo + priceWidth;

  // Queries: a vector near a cluster centre, and the filter value, per repetition.
  const vectors = (stream: string) => pick(stream, reps, (_, i) => data.queryVector(stream, i));
  const q0 = vectors('q-none');
  const q10 = vectors('q-category');
  const q1 = vectors('q-bucket');
  const qCategories = pick('q-category-value', reps, (r) => CATEGORIES[int(r, CATEGORIES.length)]);
  const qBuckets = pick('q-bucket-value', reps, (r) => int(r, BUCKETS));
  progress('computing exact nearest neighbours for recall');
  const truth = new GroundTruth(data);
  const t0 = q0.map((q) => truth.topK(q, K, () => true));
  const t10 = q10.map((q, i) => truth.topK(q, K, (j) => meta[j].category === qCategories[i]));
  const t1 = q1.map((q, i) => truth.topK(q, K, (j) => meta[j].bucket === qBuckets[i]));

  // Deletes: each repetition removes records no earlier one touched (100 ids from a permutation;
  // a bucket not deleted before). At most 20 repetitions, and each kind removes at most 30% of the
  // records, so the collection stays near full size.
  const deleteReps = Math.max(1, Math.min(reps, 20, Math.floor((0.3 * n) / 100)));
  const order = permutation(rng(o.seed, 'param', 'delete-ids'), n);
  const deleted = new Set(order.slice(0, deleteReps * 100));
  const deleteIds = Array.from({ length: deleteReps }, (_, i) => order.slice(i * 100, (i + 1) * 100).map(recordId));
  const deleteBuckets = permutation(rng(o.seed, 'param', 'delete-bucket'), BUCKETS).slice(0, deleteReps);
  const remaining = matching((i) => !deleted.has(i) && !deleteBuckets.includes(meta[i].bucket));

  const rows = (res: { ids: string[] }): Outcome => ({ rows: res.ids.length, ids: res.ids });
  const top = (res: { ids: string[][] }): Outcome => ({ rows: res.ids[0]?.length ?? 0, ids: res.ids[0] ?? [] });
  const none = (): Outcome => ({ rows: 0, ids: [] });
  const pct = (x: number) => `~${Math.round(n * x)} rows`;
  const topN = (count: number) => Math.min(K, count);

  return [
    { key: 'get_ids', label: 'get 100 ids', kind: 'get', reps, warmup, expected: idSets.map(() => 100), run: (c, i) => c.get({ ids: idSets[i], include: WITHOUT_EMBEDDINGS }).then(rows) },
    { key: 'get_ids_emb', label: 'get 100 ids + embeddings', kind: 'get', reps, warmup, expected: idSets.map(() => 100), run: (c, i) => c.get({ ids: idSets[i], include: WITH_EMBEDDINGS }).then(rows) },
    {
      key: 'get_eq',
      label: `get where bucket = b (1%, ${pct(0.01)})`,
      kind: 'get',
      reps,
      warmup,
      expected: buckets.map((b) => matching((i) => meta[i].bucket === b)),
      run: (c, i) => c.get({ where: { bucket: buckets[i] }, include: WITHOUT_EMBEDDINGS }).then(rows),
    },
    {
      key: 'get_range',
      label: `get where p <= price < p+${priceWidth} (1%, ${pct(0.01)})`,
      kind: 'get',
      reps,
      warmup,
      expected: priceLows.map((lo) => matching((i) => inPrice(i, lo))),
      run: (c, i) => c.get({ where: { $and: [{ price: { $gte: priceLows[i] } }, { price: { $lt: priceLows[i] + priceWidth } }] }, include: WITHOUT_EMBEDDINGS }).then(rows),
    },
    { key: 'query', label: `query top ${K}, no filter`, kind: 'query', reps, warmup, truth: t0, expected: t0.map(() => topN(n)), run: (c, i) => c.query({ queryEmbeddings: [q0[i]], nResults: K }).then(top) },
    {
      key: 'query_10',
      label: `query top ${K}, category = c (10%)`,
      kind: 'query',
      reps,
      warmup,
      truth: t10,
      expected: qCategories.map((cat) => topN(matching((i) => meta[i].category === cat))),
      run: (c, i) => c.query({ queryEmbeddings: [q10[i]], nResults: K, where: { category: qCategories[i] } }).then(top),
    },
    {
      key: 'query_1',
      label: `query top ${K}, bucket = b (1%)`,
      kind: 'query',
      reps,
      warmup,
      truth: t1,
      expected: qBuckets.map((b) => topN(matching((i) => meta[i].bucket === b))),
      run: (c, i) => c.query({ queryEmbeddings: [q1[i]], nResults: K, where: { bucket: qBuckets[i] } }).then(top),
    },
    { key: 'delete_ids', label: 'delete 100 ids', kind: 'delete', reps: deleteReps, warmup: 0, run: (c, i) => c.delete({ ids: deleteIds[i] }).then(none) },
    { key: 'delete_where', label: `delete where bucket = b (${pct(0.01)})`, kind: 'delete', reps: deleteReps, warmup: 0, run: (c, i) => c.delete({ where: { bucket: deleteBuckets[i] } }).then(none) },
    { key: 'count', label: 'count', kind: 'count', reps, warmup, expected: Array.from({ length: reps }, () => remaining), run: (c) => c.count().then((x) => ({ rows: x, ids: [] })) },
  ];
}

// ---------------------------------------------------------------------------------------------
// One target

interface OpResult {
  stats?: Stats;
  samples?: number[];
  outcomes?: Outcome[];
  error?: string;
}

interface TargetResult {
  name: string;
  url: string;
  info: Record<string, string>;
  ingest?: { records: number; totalMs: number; recordsPerSecond: number; batch: Stats; batchSamples: number[] };
  ops: Record<string, OpResult>;
  /** Wrong answers outside the timed operations. */
  warnings: string[];
  error?: string;
}

function clientFor(url: string): ChromaClient {
  const u = new URL(url);
  const ssl = u.protocol === 'https:';
  return new ChromaClient({ host: u.hostname, port: Number(u.port) || (ssl ? 443 : 80), ssl });
}

const progress = (message: string) => process.stderr.write(`bench: ${message}\n`);

async function runTarget(name: string, server: Server, data: Dataset, ops: Operation[], o: Options, collectionName: string): Promise<TargetResult> {
  const result: TargetResult = { name, url: server.url, info: { ...server.info }, ops: {}, warnings: [] };
  const client = clientFor(server.url);
  try {
    result.info['api version'] = await client.version();
  } catch (err) {
    result.error = `version: ${message(err)}`;
    return result;
  }

  let collection: Collection;
  try {
    collection = await client.createCollection({ name: collectionName, embeddingFunction: null });
  } catch (err) {
    result.error = `create collection: ${message(err)}`;
    return result;
  }
  try {
    // Ingest: sequential batches, each one timed; data generation stays outside the timer.
    const batchSamples: number[] = [];
    for (let start = 0; start < o.records; start += o.batch) {
      const batch = data.batch(start, o.batch);
      const { ms: t } = await timed(() =>
        collection.add({
          ids: batch.map((r) => r.id),
          embeddings: batch.map((r) => r.embedding),
          documents: batch.map((r) => r.document),
          metadatas: batch.map((r) => r.metadata),
        }),
      );
      batchSamples.push(t);
      const done = start + batch.length;
      if (done % (o.batch * 10) === 0 || done === o.records) progress(`${name}: added ${done}/${o.records}`);
    }
    const totalMs = batchSamples.reduce((s, x) => s + x, 0);
    result.ingest = { records: o.records, totalMs, recordsPerSecond: (o.records / totalMs) * 1000, batch: summarize(batchSamples), batchSamples };
    const count = await collection.count();
    if (count !== o.records) result.warnings.push(`count after ingest is ${count}, expected ${o.records}`);

    for (const op of ops) {
      try {
        const { samples, values } = await repeat(op.reps, op.warmup, (i) => op.run(collection, i));
        result.ops[op.key] = { stats: summarize(samples), samples, outcomes: values };
        progress(`${name}: ${op.label}: median ${ms(result.ops[op.key].stats!.median)} ms`);
      } catch (err) {
        result.ops[op.key] = { error: message(err) };
        progress(`${name}: ${op.label}: ERROR ${message(err)}`);
      }
    }
  } catch (err) {
    result.error = message(err);
    progress(`${name}: ERROR ${result.error}`);
  } finally {
    await client.deleteCollection({ name: collectionName }).catch((err) => progress(`${name}: could not delete ${collectionName}: ${message(err)}`));
  }
  return result;
}

function message(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

// ---------------------------------------------------------------------------------------------
// Cross-checks: the same calls on the same data should give the same answers

function recall(found: string[][], truth: string[][]): number {
  const hits = found.reduce((s, ids, i) => s + ids.filter((id) => truth[i].includes(id)).length, 0);
  const wanted = truth.reduce((s, ids) => s + ids.length, 0);
  return wanted === 0 ? 1 : hits / wanted;
}

function crossCheck(ops: Operation[], targets: TargetResult[]): string[] {
  const notes: string[] = [];
  for (const op of ops) {
    const parts: string[] = [];
    for (const t of targets) {
      const outcomes = t.ops[op.key]?.outcomes;
      if (!outcomes) continue;
      const wrong = op.expected ? outcomes.filter((x, i) => x.rows !== op.expected![i]) : [];
      if (wrong.length > 0) {
        const first = outcomes.findIndex((x, i) => x.rows !== op.expected![i]);
        parts.push(`${t.name} WRONG in ${wrong.length}/${outcomes.length} calls (e.g. ${outcomes[first].rows} rows, expected ${op.expected![first]})`);
      }
      if (op.truth) parts.push(`${t.name} recall@${K} ${(recall(outcomes.map((x) => x.ids), op.truth) * 100).toFixed(1)}%`);
    }
    if (parts.length > 0) notes.push(`${op.label}: ${parts.join(', ')}`);
  }
  for (const t of targets) {
    const count = t.ops.count?.outcomes?.[0]?.rows;
    const expected = ops.find((op) => op.key === 'count')?.expected?.[0];
    if (count !== undefined) notes.push(`${t.name} count after deletes ${count} (expected ${expected})`);
  }
  for (const t of targets) for (const w of t.warnings) notes.push(`${t.name} WRONG: ${w}`);
  const wrong = notes.some((n) => n.includes('WRONG'));
  const checked = targets.some((t) => Object.values(t.ops).some((r) => r.outcomes));
  if (checked && !wrong) notes.unshift('every get, query and count returned the expected number of rows');
  return notes;
}

// ---------------------------------------------------------------------------------------------

function repoRoot(): string {
  // dist/bench/chroma-workload.js -> the repository; bench/chroma-workload.ts (ts-node) -> one up.
  for (const candidate of [resolve(__dirname, '..', '..'), resolve(__dirname, '..')]) {
    if (existsSync(resolve(candidate, 'package.json'))) return candidate;
  }
  return process.cwd();
}

async function withServer(name: string, start: () => Promise<Server>, work: (s: Server) => Promise<TargetResult>): Promise<TargetResult> {
  let server: Server;
  try {
    progress(`starting ${name}`);
    server = await start();
  } catch (err) {
    progress(`${name} did not start: ${message(err)}`);
    return { name, url: '', info: {}, ops: {}, warnings: [], error: `did not start: ${message(err)}` };
  }
  try {
    progress(`${name} up at ${server.url}`);
    return await work(server);
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const root = repoRoot();
  const machine = machineInfo();
  const collectionName = `bench_${Date.now().toString(36)}_${process.pid}`;
  progress(`${o.records} records x ${o.dim} dims in batches of ${o.batch}, ${o.reps} reps, collection ${collectionName}`);
  const data = new Dataset(o.seed, o.records, o.dim);
  const ops = operations(data, o);

  const v = await withServer('vecgate', () => (o.vecgate ? Promise.resolve(external(o.vecgate)) : startVecgate(root)), (s) => runTarget('vecgate', s, data, ops, o, collectionName));
  if (o.vecgate) v.info.backend = 'external (given by --vecgate)';
  let c: TargetResult | undefined;
  if (!o.noChroma) {
    c = await withServer('chroma', () => (o.chroma ? Promise.resolve(external(o.chroma)) : startChromaReference(root)), (s) => runTarget('chroma', s, data, ops, o, collectionName));
    if (o.chroma) c.info.server = 'external (given by --chroma)';
  }

  // The report.
  machine['load average at end'] = loadavg().map((x) => x.toFixed(2)).join(' ');
  const rows: Row[] = [];
  const ingestRow = (t?: TargetResult) => (t?.ingest ? t.ingest.batch : t?.error ? 'error' : undefined);
  rows.push({ operation: `add a batch of ${o.batch} (${Math.ceil(o.records / o.batch)} batches)`, vecgate: ingestRow(v), chroma: ingestRow(c) });
  for (const op of ops) {
    const cell = (t?: TargetResult) => (t ? (t.ops[op.key]?.stats ?? (t.ops[op.key]?.error || t.error ? 'error' : undefined)) : undefined);
    rows.push({ operation: `${op.label}${op.reps !== o.reps ? ` [${op.reps} reps]` : ''}`, vecgate: cell(v), chroma: cell(c) });
  }

  const out: string[] = [];
  out.push(`# vecgate vs Chroma: ${o.records} records x ${o.dim} dims, batches of ${o.batch}, ${o.reps} reps per read (after 2 warm-up calls), seed ${o.seed}${o.smoke ? ' (smoke)' : ''}`);
  out.push('');
  for (const [k, val] of Object.entries(machine)) out.push(`- ${k}: ${val}`);
  const describe = (t: TargetResult | undefined, label: string) => {
    if (!t) return;
    const details = Object.entries(t.info).map(([k, val]) => `${k} ${val}`).join(', ');
    out.push(`- ${label}: ${t.url || '(not started)'}${details ? ` (${details})` : ''}`);
  };
  describe(v, 'vecgate');
  describe(c, 'chroma');
  out.push('');
  const ingestLine = (t?: TargetResult) => (t?.ingest ? `${(t.ingest.totalMs / 1000).toFixed(1)} s (${Math.round(t.ingest.recordsPerSecond)} records/s)` : t ? 'error' : '-');
  const ingestRatio = v.ingest && c?.ingest ? `, ratio ${(v.ingest.totalMs / c.ingest.totalMs).toFixed(2)}x` : '';
  out.push(`ingest of ${o.records} records: vecgate ${ingestLine(v)}, chroma ${ingestLine(c)}${ingestRatio}`);
  out.push('');
  out.push(table(rows));
  out.push('');
  out.push('checks:');
  for (const note of crossCheck(ops, c ? [v, c] : [v])) out.push(`- ${note}`);
  for (const t of [v, c]) {
    if (!t) continue;
    if (t.error) out.push(`- ${t.name} ERROR: ${t.error}`);
    for (const op of ops) if (t.ops[op.key]?.error) out.push(`- ${t.name} "${op.label}" ERROR: ${t.ops[op.key].error}`);
  }
  console.log(out.join('\n'));

  if (o.json) {
    const strip = (t?: TargetResult) => t && { ...t, ops: Object.fromEntries(Object.entries(t.ops).map(([k, r]) => [k, { stats: r.stats, samples: r.samples, error: r.error }])) };
    const ratios = Object.fromEntries(rows.map((r) => [r.operation, ratio(r.vecgate, r.chroma)]));
    writeFileSync(o.json, JSON.stringify({ machine, options: o, collection: collectionName, vecgate: strip(v), chroma: strip(c), ratios }, null, 2));
    progress(`wrote ${o.json}`);
  }

  const failed = [v, c].some((t) => t && (t.error || t.warnings.length > 0 || Object.values(t.ops).some((r) => r.error))) || out.some((l) => l.includes('WRONG'));
  process.exitCode = failed ? 1 : 0;
}

main().catch((err) => {
  console.error(`bench: ${err?.stack ?? err}`);
  process.exit(1);
});
