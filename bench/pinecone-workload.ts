/**
 * A Pinecone-shaped workload, run with the official @pinecone-database/pinecone (v9) client against
 * vecgate, and the same SQL sent straight to the database from this process as the reference, in
 * one go, printed side by side: the ratio is what the gateway costs over the SQL it runs.
 *
 *   node dist/bench/pinecone-workload.js [--vecgate URL] [--no-reference]
 *        [--records N] [--dim D] [--reps R] [--batch B] [--seed S] [--json out.json] [--smoke]
 *
 * Without --vecgate it starts the built gateway (dist/src/main.js) itself: on DATABASE_URL when
 * that is set, else on embedded PGlite in a temporary directory. The reference (bench/direct-sql.ts)
 * runs on DATABASE_URL through one direct `pg` connection when that is set, else on PGlite opened
 * in this process: the same engine vecgate embeds, minus the gateway.
 *
 * The targets run one after the other, each alone on the machine. Every call is made one at a time
 * and timed from the caller: for vecgate through the client (HTTP and JSON included), for the
 * reference from building the statement's parameters to its last row.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { Index, Pinecone } from '@pinecone-database/pinecone';
import { errorMessage as message, Flags, progress, repoRoot } from './cli';
import { BUCKETS, CATEGORIES, Dataset, GroundTruth, int, permutation, recordId, rng } from './data';
import { DirectDatabase, openDirect, ReferenceTable, REFERENCE_SCHEMA, tableShape } from './direct-sql';
import { machineInfo, ms, ratio, Row, table } from './report';
import { external, Server, startVecgate } from './servers';
import { repeat, Stats, summarize, timed } from './stats';

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  vecgate?: string;
  noReference: boolean;
  records: number;
  dim: number;
  reps: number;
  batch: number;
  seed: number;
  json?: string;
  smoke: boolean;
}

const USAGE = `usage: node dist/bench/pinecone-workload.js [options]
  --vecgate URL    benchmark a running vecgate (default: start dist/src/main.js; on DATABASE_URL if set, else embedded)
  --no-reference   vecgate only, no direct-SQL column
  --records N      records per namespace (default 20000; a second namespace of N records is emptied by deleteAll)
  --dim D          embedding dimension (default 384)
  --reps R         timed repetitions per query (default 30, after 2 warm-up calls; delete by filter uses at most 20)
  --batch B        records per upsert call (default 200: 500 x 384 floats is ~4 MB of JSON, past Pinecone's 2 MB per request)
  --seed S         data seed (default 42)
  --json FILE      also write every sample, setting and check as JSON
  --smoke          tiny run for CI: 1000 records, dim 32, 3 reps (explicit flags still win)
The reference runs on DATABASE_URL (direct pg) when it is set, else on PGlite in this process.`;

function parseArgs(argv: string[]): Options {
  const flags = new Flags(argv, { usage: USAGE, switches: ['--no-reference', '--smoke'], valued: ['--vecgate', '--records', '--dim', '--reps', '--seed', '--json', '--batch'] });
  const smoke = flags.has('--smoke');
  return {
    vecgate: flags.url('--vecgate'),
    noReference: flags.has('--no-reference'),
    records: flags.int('--records', smoke ? 1000 : 20000, 200),
    dim: flags.int('--dim', smoke ? 32 : 384, 2, 2000),
    reps: flags.int('--reps', smoke ? 3 : 30, 1),
    batch: flags.int('--batch', 200, 1, 1000),
    seed: flags.int('--seed', 42, 0),
    json: flags.string('--json'),
    smoke,
  };
}

// ---------------------------------------------------------------------------------------------
// The two targets behind one interface

type Metadata = { category: string; bucket: number; n: number; price: number };
interface Rec {
  id: string;
  values: number[];
  metadata: Metadata;
}
/** The only filter the workload uses: key = value (Pinecone `{key: {$eq: value}}`, SQL `metadata @> {key: value}`). */
interface Eq {
  key: 'category' | 'bucket';
  value: string | number;
}
interface Match {
  id: string;
  score: number;
  metadata: Record<string, unknown> | null;
}

interface Target {
  upsert(namespace: string, records: Rec[]): Promise<void>;
  query(namespace: string, vector: number[], k: number, filter: Eq | null): Promise<Match[]>;
  deleteWhere(namespace: string, filter: Eq): Promise<void>;
  deleteAll(namespace: string): Promise<void>;
  /** Untimed, for the checks. */
  count(namespace: string): Promise<number>;
}

const pineconeFilter = (f: Eq) => ({ [f.key]: { $eq: f.value } });

class VecgateTarget implements Target {
  private readonly handles = new Map<string, Index>();

  constructor(private readonly index: Index) {}

  /** Namespace handles are made once, outside the timers (the host is resolved on first use). */
  private ns(namespace: string): Index {
    let h = this.handles.get(namespace);
    if (!h) this.handles.set(namespace, (h = this.index.namespace(namespace)));
    return h;
  }

  upsert(namespace: string, records: Rec[]): Promise<void> {
    return this.ns(namespace).upsert({ records });
  }

  async query(namespace: string, vector: number[], k: number, filter: Eq | null): Promise<Match[]> {
    const res = await this.ns(namespace).query({ vector, topK: k, includeMetadata: true, ...(filter ? { filter: pineconeFilter(filter) } : {}) });
    return res.matches.map((m) => ({ id: m.id, score: m.score ?? NaN, metadata: (m.metadata as Record<string, unknown> | undefined) ?? null }));
  }

  deleteWhere(namespace: string, filter: Eq): Promise<void> {
    return this.ns(namespace).deleteMany({ filter: pineconeFilter(filter) });
  }

  deleteAll(namespace: string): Promise<void> {
    return this.ns(namespace).deleteAll();
  }

  async count(namespace: string): Promise<number> {
    const stats = await this.index.describeIndexStats();
    return stats.namespaces?.[namespace]?.recordCount ?? 0;
  }
}

class DirectTarget implements Target {
  constructor(private readonly t: ReferenceTable) {}

  async upsert(namespace: string, records: Rec[]): Promise<void> {
    await this.t.upsert(namespace, records);
  }

  query(namespace: string, vector: number[], k: number, filter: Eq | null): Promise<Match[]> {
    return this.t.query(namespace, vector, k, filter ? { [filter.key]: filter.value } : null);
  }

  async deleteWhere(namespace: string, filter: Eq): Promise<void> {
    await this.t.deleteWhere(namespace, { [filter.key]: filter.value });
  }

  async deleteAll(namespace: string): Promise<void> {
    await this.t.deleteNamespace(namespace);
  }

  count(namespace: string): Promise<number> {
    return this.t.count(namespace);
  }
}

// ---------------------------------------------------------------------------------------------
// The plan: every parameter and every right answer, fixed before any target runs

const K = 10;
const MAIN = 'bench-main';
const SECOND = 'bench-second';
const PINECONE_MAX_REQUEST = 2 * 1024 * 1024;

interface QueryOp {
  key: string;
  label: string;
  vectors: number[][];
  filters: (Eq | null)[];
  /** How many records match each repetition's filter (before any delete). */
  matching: number[];
  truth: string[][];
}

interface Plan {
  data: Dataset;
  second: Dataset;
  queries: QueryOp[];
  deleteFilters: Eq[];
  /** Records left in the main namespace after the deletes. */
  remaining: number;
  truth: GroundTruth;
}

function plan(o: Options): Plan {
  const data = new Dataset(o.seed, o.records, o.dim);
  const second = new Dataset(o.seed + 1, o.records, o.dim);
  const n = o.records;
  const meta = Array.from({ length: n }, (_, i) => data.text(i).metadata);
  const pick = <T>(stream: string, count: number, make: (r: () => number, i: number) => T): T[] =>
    Array.from({ length: count }, (_, i) => make(rng(o.seed, 'pinecone-param', stream, i), i));
  const count = (keep: (m: Metadata) => boolean) => meta.reduce((s, m) => s + (keep(m) ? 1 : 0), 0);
  const holds = (f: Eq | null) => (m: Metadata) => f === null || m[f.key] === f.value;

  progress('computing exact nearest neighbours (cosine) for recall');
  const truth = new GroundTruth(data, 'cosine');
  const queryOp = (key: string, label: string, filters: (Eq | null)[]): QueryOp => {
    const vectors = pick(`${key}-vector`, o.reps, (_, i) => data.queryVector(`pinecone-${key}`, i));
    return {
      key,
      label,
      vectors,
      filters,
      matching: filters.map((f) => count(holds(f))),
      truth: vectors.map((q, i) => truth.topK(q, K, (j) => holds(filters[i])(meta[j]))),
    };
  };
  const queries = [
    queryOp('query', `query top ${K}, no filter`, pick('none', o.reps, () => null)),
    queryOp('query_10', `query top ${K}, category $eq c (10%)`, pick('category', o.reps, (r) => ({ key: 'category', value: CATEGORIES[int(r, CATEGORIES.length)] }))),
    queryOp('query_1', `query top ${K}, bucket $eq b (1%)`, pick('bucket', o.reps, (r) => ({ key: 'bucket', value: int(r, BUCKETS) }))),
  ];

  // Each delete removes a bucket no earlier one touched (~1% of the namespace each); at most 20.
  const deleteReps = Math.max(1, Math.min(o.reps, 20));
  const deleteFilters: Eq[] = permutation(rng(o.seed, 'pinecone-param', 'delete-bucket'), BUCKETS)
    .slice(0, deleteReps)
    .map((b) => ({ key: 'bucket', value: b }));
  const remaining = count((m) => !deleteFilters.some((f) => m.bucket === f.value));
  return { data, second, queries, deleteFilters, remaining, truth };
}

// ---------------------------------------------------------------------------------------------
// One target

interface Ingest {
  records: number;
  totalMs: number;
  recordsPerSecond: number;
  batch: Stats;
  batchSamples: number[];
}

interface OpResult {
  stats?: Stats;
  samples?: number[];
  error?: string;
}

interface TargetResult {
  name: string;
  info: Record<string, string>;
  ingest?: Ingest;
  ingestSecond?: Ingest;
  ops: Record<string, OpResult>;
  /** Query answers per operation and repetition, for the checks. */
  answers: Record<string, Match[][]>;
  /** Correctness checks that passed (ok) or failed (wrong). */
  ok: string[];
  wrong: string[];
  /** Columns and index definitions of the record table (real Postgres only). */
  shape?: string[];
  error?: string;
}

function newResult(name: string, info: Record<string, string>): TargetResult {
  return { name, info: { ...info }, ops: {}, answers: {}, ok: [], wrong: [] };
}

function toRecords(data: Dataset, start: number, size: number): Rec[] {
  return data.batch(start, size).map((r) => ({ id: r.id, values: r.embedding, metadata: r.metadata }));
}

async function ingest(name: string, target: Target, data: Dataset, namespace: string, o: Options): Promise<Ingest> {
  const samples: number[] = [];
  for (let start = 0; start < data.records; start += o.batch) {
    const records = toRecords(data, start, o.batch); // generated outside the timer
    const { ms: t } = await timed(() => target.upsert(namespace, records));
    samples.push(t);
    const done = start + records.length;
    if (done % (o.batch * 20) === 0 || done === data.records) progress(`${name}: upserted ${done}/${data.records} into ${namespace}`);
  }
  const totalMs = samples.reduce((s, x) => s + x, 0);
  return { records: data.records, totalMs, recordsPerSecond: (data.records / totalMs) * 1000, batch: summarize(samples), batchSamples: samples };
}

async function expectCount(result: TargetResult, target: Target, namespace: string, expected: number, when: string): Promise<void> {
  const got = await target.count(namespace);
  (got === expected ? result.ok : result.wrong).push(`${namespace} holds ${got} records ${when} (expected ${expected})`);
}

/** The workload, in order: upsert, queries, delete by filter, then fill and deleteAll a second namespace. */
async function workload(result: TargetResult, target: Target, p: Plan, o: Options): Promise<void> {
  const name = result.name;
  result.ingest = await ingest(name, target, p.data, MAIN, o);
  await expectCount(result, target, MAIN, o.records, 'after the upserts');

  for (const q of p.queries) {
    try {
      const { samples, values } = await repeat(o.reps, 2, (i) => target.query(MAIN, q.vectors[i], K, q.filters[i]));
      result.ops[q.key] = { stats: summarize(samples), samples };
      result.answers[q.key] = values;
      progress(`${name}: ${q.label}: median ${ms(result.ops[q.key].stats!.median)} ms`);
    } catch (err) {
      result.ops[q.key] = { error: message(err) };
      progress(`${name}: ${q.label}: ERROR ${message(err)}`);
    }
  }

  try {
    const { samples } = await repeat(p.deleteFilters.length, 0, (i) => target.deleteWhere(MAIN, p.deleteFilters[i]));
    result.ops.delete_where = { stats: summarize(samples), samples };
    progress(`${name}: delete by filter: median ${ms(result.ops.delete_where.stats!.median)} ms`);
    await expectCount(result, target, MAIN, p.remaining, `after ${p.deleteFilters.length} deletes by filter`);
    const gone = p.deleteFilters[0];
    const left = await target.query(MAIN, p.queries[0].vectors[0], K, gone);
    (left.length === 0 ? result.ok : result.wrong).push(`a query for a deleted bucket (bucket $eq ${gone.value}) found ${left.length} records (expected 0)`);
  } catch (err) {
    result.ops.delete_where = { error: message(err) };
    progress(`${name}: delete by filter: ERROR ${message(err)}`);
  }

  try {
    result.ingestSecond = await ingest(name, target, p.second, SECOND, o);
    await expectCount(result, target, SECOND, o.records, 'after the upserts');
    const { samples } = await repeat(1, 0, () => target.deleteAll(SECOND));
    result.ops.delete_all = { stats: summarize(samples), samples };
    progress(`${name}: deleteAll of ${o.records} records: ${ms(samples[0])} ms`);
    await expectCount(result, target, SECOND, 0, 'after deleteAll');
    await expectCount(result, target, MAIN, p.remaining, `after deleteAll of ${SECOND}`);
  } catch (err) {
    result.ops.delete_all = { error: message(err) };
    progress(`${name}: deleteAll: ERROR ${message(err)}`);
  }
}

async function runVecgate(server: Server, p: Plan, o: Options, indexName: string, databaseUrl: string | undefined): Promise<TargetResult> {
  const result = newResult('vecgate', server.info);
  const pc = new Pinecone({ apiKey: 'bench', controllerHostUrl: server.url });
  try {
    await pc.createIndex({ name: indexName, dimension: o.dim, metric: 'cosine', spec: { serverless: { cloud: 'aws', region: 'us-east-1' } } });
    const model = await pc.describeIndex(indexName);
    result.info['index host'] = model.host;
  } catch (err) {
    result.error = `create index: ${message(err)}`;
    return result;
  }
  try {
    if (databaseUrl) result.shape = await vecgateShape(databaseUrl, indexName).catch(() => undefined);
    await workload(result, new VecgateTarget(pc.index({ name: indexName })), p, o);
  } catch (err) {
    result.error = message(err);
    progress(`vecgate: ERROR ${result.error}`);
  } finally {
    await pc.deleteIndex(indexName).catch((err) => progress(`vecgate: could not delete index ${indexName}: ${message(err)}`));
  }
  return result;
}

/** The columns and indexes of the table vecgate made for the index, read from its catalog. */
async function vecgateShape(databaseUrl: string, indexName: string): Promise<string[] | undefined> {
  const direct = await openDirect(databaseUrl);
  try {
    const { rows } = await direct.db.query(`SELECT table_name FROM vecgate_collections WHERE name = $1 ORDER BY created_at DESC LIMIT 1`, [indexName]);
    return rows[0] ? await tableShape(direct.db, 'vecgate_records', rows[0].table_name) : undefined;
  } finally {
    await direct.close();
  }
}

async function runReference(p: Plan, o: Options, databaseUrl: string | undefined): Promise<TargetResult> {
  let direct: DirectDatabase;
  try {
    progress(`opening the reference (${databaseUrl ? 'direct pg on DATABASE_URL' : 'PGlite in this process'})`);
    direct = await openDirect(databaseUrl);
  } catch (err) {
    return { ...newResult('direct SQL', {}), error: `could not open: ${message(err)}` };
  }
  const result = newResult('direct SQL', direct.info);
  const t = new ReferenceTable(direct.db, o.dim);
  try {
    await t.create();
    result.info.table = `${REFERENCE_SCHEMA}."${t.name}"`;
    if (databaseUrl) result.shape = await tableShape(direct.db, REFERENCE_SCHEMA, t.name);
    await workload(result, new DirectTarget(t), p, o);
    result.info['exact re-searches'] = String(t.exactRetries);
  } catch (err) {
    result.error = message(err);
    progress(`direct SQL: ERROR ${result.error}`);
  } finally {
    await t.drop().catch((err) => progress(`direct SQL: could not drop ${t.qualified}: ${message(err)}`));
    await direct.close().catch(() => {});
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Checks on the query answers

function checkQueries(result: TargetResult, p: Plan): void {
  for (const q of p.queries) {
    const answers = result.answers[q.key];
    if (!answers) continue;
    let wrongCount = 0;
    let outside = 0;
    let hits = 0;
    let wanted = 0;
    let worstScore = 0;
    answers.forEach((matches, i) => {
      if (matches.length !== Math.min(K, q.matching[i])) wrongCount++;
      const f = q.filters[i];
      if (f) outside += matches.filter((m) => m.metadata?.[f.key] !== f.value).length;
      hits += matches.filter((m) => q.truth[i].includes(m.id)).length;
      wanted += q.truth[i].length;
      for (const m of matches) {
        const index = Number(m.id.slice(4));
        if (recordId(index) !== m.id) continue;
        const exact = 1 - p.truth.distance(index, q.vectors[i]);
        worstScore = Math.max(worstScore, Math.abs(m.score - exact));
      }
    });
    const n = answers.length;
    const recall = wanted === 0 ? 1 : hits / wanted;
    (wrongCount === 0 ? result.ok : result.wrong).push(`${q.label}: ${n - wrongCount}/${n} answers had exactly ${K} matches`);
    if (q.filters.some((f) => f)) (outside === 0 ? result.ok : result.wrong).push(`${q.label}: ${outside === 0 ? 'every match satisfied the filter' : `${outside} matches did NOT satisfy the filter`}`);
    (worstScore < 1e-4 ? result.ok : result.wrong).push(`${q.label}: scores within ${worstScore.toExponential(1)} of the exact cosine similarity`);
    result.ok.push(`${q.label}: recall@${K} ${(recall * 100).toFixed(1)}% against exact search`);
  }
}

// ---------------------------------------------------------------------------------------------

/** The JSON body the client sends for one upsert batch, in bytes. */
function upsertBytes(data: Dataset, batch: number): number {
  const records = toRecords(data, 0, batch);
  return Buffer.byteLength(JSON.stringify({ vectors: records, namespace: MAIN }));
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const root = repoRoot(__dirname);
  const machine = machineInfo();
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const indexName = `bench-${Date.now().toString(36)}-${process.pid}`;
  progress(`${o.records} records x ${o.dim} dims per namespace, upserts of ${o.batch}, ${o.reps} reps, index ${indexName}`);
  const p = plan(o);
  const bodyBytes = upsertBytes(p.data, o.batch);

  let v: TargetResult;
  let server: Server | undefined;
  try {
    progress('starting vecgate');
    server = o.vecgate ? external(o.vecgate) : await startVecgate(root);
    progress(`vecgate up at ${server.url}`);
    // The table's shape is read from DATABASE_URL only when that is where this run's vecgate keeps it.
    v = await runVecgate(server, p, o, indexName, o.vecgate ? undefined : databaseUrl);
    v.info.url = server.url;
    if (o.vecgate) v.info.backend = 'external (given by --vecgate)';
  } catch (err) {
    progress(`vecgate did not start: ${message(err)}`);
    v = { ...newResult('vecgate', {}), error: `did not start: ${message(err)}` };
  } finally {
    await server?.stop();
  }
  checkQueries(v, p);

  let d: TargetResult | undefined;
  if (!o.noReference) {
    d = await runReference(p, o, databaseUrl);
    checkQueries(d, p);
  }
  machine['load average at end'] = loadavg().map((x) => x.toFixed(2)).join(' ');

  // The report.
  const batches = Math.ceil(o.records / o.batch);
  const cell = (t: TargetResult | undefined, key: string) => (t ? (t.ops[key]?.stats ?? (t.ops[key]?.error || t.error ? 'error' : undefined)) : undefined);
  const ingestCell = (i: Ingest | undefined, t: TargetResult | undefined) => (i ? i.batch : t?.error ? 'error' : undefined);
  const deleteReps = p.deleteFilters.length;
  const rows: Row[] = [
    { operation: `upsert a batch of ${o.batch} (${batches} batches, ${MAIN})`, vecgate: ingestCell(v.ingest, v), reference: ingestCell(d?.ingest, d) },
    ...p.queries.map((q) => ({ operation: q.label, vecgate: cell(v, q.key), reference: cell(d, q.key) })),
    {
      operation: `delete by filter bucket $eq b (~${Math.round(o.records / BUCKETS)} records)${deleteReps !== o.reps ? ` [${deleteReps} reps]` : ''}`,
      vecgate: cell(v, 'delete_where'),
      reference: cell(d, 'delete_where'),
    },
    { operation: `upsert a batch of ${o.batch} (${batches} batches, ${SECOND})`, vecgate: ingestCell(v.ingestSecond, v), reference: ingestCell(d?.ingestSecond, d) },
    { operation: `deleteAll of a ${o.records}-record namespace [1 rep]`, vecgate: cell(v, 'delete_all'), reference: cell(d, 'delete_all') },
  ];

  const out: string[] = [];
  out.push(
    `# vecgate (Pinecone API) vs direct SQL: ${o.records} records x ${o.dim} dims per namespace, cosine, upserts of ${o.batch}, ${o.reps} reps per query (after 2 warm-up calls), seed ${o.seed}${o.smoke ? ' (smoke)' : ''}`,
  );
  out.push('');
  for (const [k, val] of Object.entries(machine)) out.push(`- ${k}: ${val}`);
  const describe = (t: TargetResult | undefined) => {
    if (!t) return;
    const details = Object.entries(t.info).map(([k, val]) => `${k} ${val}`).join(', ');
    out.push(`- ${t.name}: ${details || '(no details)'}`);
  };
  describe(v);
  describe(d);
  out.push(`- client: @pinecone-database/pinecone ${clientVersion(root)}; one upsert body is ${(bodyBytes / 2 ** 20).toFixed(2)} MiB of JSON${bodyBytes > PINECONE_MAX_REQUEST ? ' (OVER Pinecone\'s 2 MB per request)' : ' (under Pinecone\'s 2 MB per request)'}`);
  out.push('');
  const ingestLine = (i?: Ingest) => (i ? `${(i.totalMs / 1000).toFixed(1)} s (${Math.round(i.recordsPerSecond)} records/s)` : '-');
  const ingestRatio = (a?: Ingest, b?: Ingest) => (a && b ? `, ratio ${(a.totalMs / b.totalMs).toFixed(2)}x` : '');
  out.push(`ingest of ${o.records} records into ${MAIN}: vecgate ${ingestLine(v.ingest)}, direct SQL ${ingestLine(d?.ingest)}${ingestRatio(v.ingest, d?.ingest)}`);
  out.push(`ingest of ${o.records} records into ${SECOND}: vecgate ${ingestLine(v.ingestSecond)}, direct SQL ${ingestLine(d?.ingestSecond)}${ingestRatio(v.ingestSecond, d?.ingestSecond)}`);
  out.push('');
  out.push(table(rows, 'direct SQL'));
  out.push('');
  out.push('checks:');
  for (const t of [v, d]) {
    if (!t) continue;
    for (const line of t.ok) out.push(`- ${t.name}: ${line}`);
    for (const line of t.wrong) out.push(`- ${t.name} WRONG: ${line}`);
    if (t.error) out.push(`- ${t.name} ERROR: ${t.error}`);
    for (const [key, r] of Object.entries(t.ops)) if (r.error) out.push(`- ${t.name} ERROR in ${key}: ${r.error}`);
  }
  if (v.shape && d?.shape) {
    const a = v.shape.join('\n');
    const b = d.shape.join('\n').split(REFERENCE_SCHEMA).join('vecgate_records');
    if (a === b) out.push(`- the reference table has vecgate's columns and indexes (${v.shape.length} items compared)`);
    else out.push(`- WRONG: the reference table differs from vecgate's:\n  vecgate:   ${v.shape.join('\n             ')}\n  reference: ${d.shape.join('\n             ')}`);
  } else if (d) {
    out.push(`- the reference table's DDL was not compared with vecgate's (${databaseUrl && !o.vecgate ? 'vecgate table not found' : 'only done when both run on DATABASE_URL'})`);
  }
  console.log(out.join('\n'));

  if (o.json) {
    const strip = (t?: TargetResult) => t && { name: t.name, info: t.info, ingest: t.ingest, ingestSecond: t.ingestSecond, ops: t.ops, ok: t.ok, wrong: t.wrong, shape: t.shape, error: t.error };
    const ratios = Object.fromEntries(rows.map((r) => [r.operation, ratio(r.vecgate, r.reference)]));
    writeFileSync(o.json, JSON.stringify({ machine, options: o, index: indexName, upsertBodyBytes: bodyBytes, vecgate: strip(v), direct: strip(d), ratios }, null, 2));
    progress(`wrote ${o.json}`);
  }

  const failed = [v, d].some((t) => t && (t.error || t.wrong.length > 0 || Object.values(t.ops).some((r) => r.error))) || out.some((l) => l.includes('WRONG'));
  process.exitCode = failed ? 1 : 0;
}

function clientVersion(root: string): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return String(require(resolve(root, 'node_modules', '@pinecone-database', 'pinecone', 'package.json')).version);
  } catch {
    return '?';
  }
}

main().catch((err) => {
  console.error(`bench: ${err?.stack ?? err}`);
  process.exit(1);
});
