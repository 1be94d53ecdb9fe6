/**
 * A Pinecone-shaped workload, run with the official @pinecone-database/pinecone (v9) client against
 * vecgate, and the gateway's own SQL sent straight to the database from this process as the
 * reference, in one go, printed side by side: the ratio is what the gateway costs over the SQL it runs.
 *
 *   node dist/bench/pinecone-workload.js [--vecgate URL] [--no-reference] [--records N] [--dim D]
 *        [--reps R] [--batch B] [--seed S] [--index-timeout S] [--json out.json] [--smoke]
 *
 * Without --vecgate it starts the built gateway (dist/src/main.js) itself: on DATABASE_URL when
 * that is set, else on embedded PGlite in a temporary directory. The reference
 * (bench/direct-pinecone.ts: the gateway's repositories called from here, on a table of its own)
 * runs on DATABASE_URL through one direct `pg` connection when that is set, else on PGlite opened
 * in this process: the same engine vecgate embeds, minus the gateway.
 *
 * Record tables start without their HNSW index; the gateway builds it in the background once a
 * bulk load is over. After the first ingest each target gets its index before the queries: vecgate
 * is waited for (its table in the catalog on DATABASE_URL, else the gateway's indexing status),
 * the reference builds its own as the gateway's IndexBuilder does; both are timed.
 *
 * Each target is filled alone on the machine (the other idles); the queries and the deletes by
 * filter are then timed on both together, interleaved call by call, so that the machine's drift
 * slows both alike; the second namespace follows, one target at a time. Every call is made one at
 * a time and timed from the caller: for vecgate through the client (HTTP and JSON included), for
 * the reference from building the statement's parameters to its last row.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { Pinecone, type Index } from '@pinecone-database/pinecone';
import type { AppConfig } from '../src/config/app-config';
import { errorMessage as message, Flags, progress, repoRoot } from './cli';
import { BUCKETS, CATEGORIES, Dataset, GroundTruth, int, permutation, recordId, rng } from './data';
import {
  gatewayConfig,
  openDirectPinecone,
  openGatewayTable,
  type DirectIndex,
  type GatewayTable,
  type PreparedUpsert,
} from './direct-pinecone';
import { machineInfo, ms, ratio, table, type Row } from './report';
import { external, startVecgate, type Server } from './servers';
import { repeat, repeatInterleaved, summarize, timed, type Ingest, type Repeated, type Stats } from './stats';

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
  indexTimeoutS: number;
  json?: string;
  smoke: boolean;
}

const USAGE = `usage: node dist/bench/pinecone-workload.js [options]
  --vecgate URL    benchmark a running vecgate (default: start dist/src/main.js; on DATABASE_URL if set, else embedded)
  --no-reference   vecgate only, no direct-SQL column
  --records N      records per namespace (default 20000; a second namespace of N records is emptied by deleteAll)
  --dim D          embedding dimension (default 384)
  --reps R         timed repetitions per query (default 100, after 2 warm-up calls; delete by filter uses at most 20)
  --batch B        records per upsert call (default 200: 500 x 384 floats is ~4 MB of JSON, past Pinecone's 2 MB per request)
  --seed S         data seed (default 42)
  --index-timeout S  seconds to wait for vecgate's HNSW index after the first ingest (default 600)
  --json FILE      also write every sample, setting and check as JSON
  --smoke          tiny run for CI: 1000 records, dim 32, 3 reps (explicit flags still win)
The reference runs on DATABASE_URL (direct pg) when it is set, else on PGlite in this process.
Both targets get their HNSW index after the first ingest when it has VECGATE_INDEX_MIN_ROWS (default
1000) records, as the gateway decides: vecgate builds it in the background, the reference builds it.`;

function parseArgs(argv: string[]): Options {
  const flags = new Flags(argv, {
    usage: USAGE,
    switches: ['--no-reference', '--smoke'],
    valued: ['--vecgate', '--records', '--dim', '--reps', '--seed', '--json', '--batch', '--index-timeout'],
  });
  const smoke = flags.has('--smoke');
  return {
    vecgate: flags.url('--vecgate'),
    noReference: flags.has('--no-reference'),
    records: flags.int('--records', smoke ? 1000 : 20000, 200),
    dim: flags.int('--dim', smoke ? 32 : 384, 2, 2000),
    reps: flags.int('--reps', smoke ? 3 : 100, 1),
    batch: flags.int('--batch', 200, 1, 1000),
    seed: flags.int('--seed', 42, 0),
    indexTimeoutS: flags.int('--index-timeout', 600, 1),
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

interface Target<B = unknown> {
  /** Turns a batch into what `upsert` sends; untimed. */
  prepare(records: Rec[]): B;
  upsert(namespace: string, batch: B): Promise<void>;
  /** After the first ingest: returns once the HNSW index is there (vecgate: built by the gateway; reference: built here). */
  indexReady(): Promise<void>;
  query(namespace: string, vector: number[], k: number, filter: Eq | null): Promise<Match[]>;
  deleteWhere(namespace: string, filter: Eq): Promise<void>;
  deleteAll(namespace: string): Promise<void>;
  /** Untimed, for the checks. */
  count(namespace: string): Promise<number>;
}

const pineconeFilter = (f: Eq) => ({ [f.key]: { $eq: f.value } });

class VecgateTarget implements Target<Rec[]> {
  private readonly handles = new Map<string, Index>();

  constructor(
    private readonly index: Index,
    private readonly waitIndex: () => Promise<void>,
  ) {}

  /** Namespace handles are made once, outside the timers (the host is resolved on first use). */
  private ns(namespace: string): Index {
    let h = this.handles.get(namespace);
    if (!h) this.handles.set(namespace, (h = this.index.namespace(namespace)));
    return h;
  }

  prepare(records: Rec[]): Rec[] {
    return records;
  }

  upsert(namespace: string, records: Rec[]): Promise<void> {
    return this.ns(namespace).upsert({ records });
  }

  indexReady(): Promise<void> {
    return this.waitIndex();
  }

  async query(namespace: string, vector: number[], k: number, filter: Eq | null): Promise<Match[]> {
    const res = await this.ns(namespace).query({
      vector,
      topK: k,
      includeMetadata: true,
      ...(filter ? { filter: pineconeFilter(filter) } : {}),
    });
    return res.matches.map((m) => ({
      id: m.id,
      score: m.score ?? NaN,
      metadata: (m.metadata as Record<string, unknown> | undefined) ?? null,
    }));
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

/** The reference gets the Pinecone filter the client would send; the gateway's parser turns it into SQL. */
class DirectTarget implements Target<PreparedUpsert> {
  constructor(private readonly t: DirectIndex) {}

  prepare(records: Rec[]): PreparedUpsert {
    return this.t.prepareUpsert(records);
  }

  async upsert(namespace: string, batch: PreparedUpsert): Promise<void> {
    await this.t.upsert(namespace, batch);
  }

  indexReady(): Promise<void> {
    return this.t.buildIndex();
  }

  query(namespace: string, vector: number[], k: number, filter: Eq | null): Promise<Match[]> {
    return this.t.query(namespace, vector, k, filter ? pineconeFilter(filter) : undefined);
  }

  async deleteWhere(namespace: string, filter: Eq): Promise<void> {
    await this.t.deleteWhere(namespace, pineconeFilter(filter));
  }

  async deleteAll(namespace: string): Promise<void> {
    await this.t.deleteAll(namespace);
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
  /** Whether the first ingest makes the gateway build an HNSW index (VECGATE_INDEX_MIN_ROWS). */
  indexDue: boolean;
  indexMinRows: number;
}

function plan(o: Options, config: AppConfig): Plan {
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
    queryOp(
      'query',
      `query top ${K}, no filter`,
      pick('none', o.reps, () => null),
    ),
    queryOp(
      'query_10',
      `query top ${K}, category $eq c (10%)`,
      pick('category', o.reps, (r) => ({ key: 'category', value: CATEGORIES[int(r, CATEGORIES.length)] })),
    ),
    queryOp(
      'query_1',
      `query top ${K}, bucket $eq b (1%)`,
      pick('bucket', o.reps, (r) => ({ key: 'bucket', value: int(r, BUCKETS) })),
    ),
  ];

  // Each delete removes a bucket no earlier one touched (~1% of the namespace each); at most 20.
  const deleteReps = Math.max(1, Math.min(o.reps, 20));
  const deleteFilters: Eq[] = permutation(rng(o.seed, 'pinecone-param', 'delete-bucket'), BUCKETS)
    .slice(0, deleteReps)
    .map((b) => ({ key: 'bucket', value: b }));
  const remaining = count((m) => !deleteFilters.some((f) => m.bucket === f.value));
  // The gateway's rule (IndexBuilder): records ever inserted into the table; the main namespace's are the first.
  const indexMinRows = config.indexing.minRows;
  return { data, second, queries, deleteFilters, remaining, truth, indexDue: o.records >= indexMinRows, indexMinRows };
}

// ---------------------------------------------------------------------------------------------
// One target

interface OpResult {
  stats?: Stats;
  samples?: number[];
  error?: string;
}

interface TargetResult {
  name: string;
  info: Record<string, string>;
  ingest?: Ingest;
  /** From the end of the first ingest until the HNSW index was there (absent when none was due). */
  indexReadyMs?: number;
  ingestSecond?: Ingest;
  ops: Record<string, OpResult>;
  /** Query answers per operation and repetition, for the checks. */
  answers: Record<string, Match[][]>;
  /** Correctness checks that passed (ok) or failed (wrong). */
  ok: string[];
  wrong: string[];
  /** Columns and index definitions of the record table once its index is there (real Postgres only). */
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
    const records = toRecords(data, start, o.batch); // generated and prepared outside the timer
    const batch = target.prepare(records);
    const { ms: t } = await timed(() => target.upsert(namespace, batch));
    samples.push(t);
    const done = start + records.length;
    if (done % (o.batch * 20) === 0 || done === data.records)
      progress(`${name}: upserted ${done}/${data.records} into ${namespace}`);
  }
  const totalMs = samples.reduce((s, x) => s + x, 0);
  return {
    records: data.records,
    totalMs,
    recordsPerSecond: (data.records / totalMs) * 1000,
    batch: summarize(samples),
    batchSamples: samples,
  };
}

async function expectCount(
  result: TargetResult,
  target: Target,
  namespace: string,
  expected: number,
  when: string,
): Promise<void> {
  const got = await target.count(namespace);
  (got === expected ? result.ok : result.wrong).push(
    `${namespace} holds ${got} records ${when} (expected ${expected})`,
  );
}

/** A target between its setup and its teardown. */
interface Participant {
  result: TargetResult;
  target?: Target;
  /** Untimed, once the index is there. */
  withIndex?: () => Promise<void>;
  /** Removes what the setup made; reports, never throws. */
  close(): Promise<void>;
}

const live = (parts: Participant[]) =>
  parts.filter((part): part is Participant & { target: Target } => !!part.target && !part.result.error);

/** The first ingest and the index, each target alone on the machine (the other idles). */
async function fill(part: Participant & { target: Target }, p: Plan, o: Options): Promise<void> {
  const { result, target } = part;
  try {
    result.ingest = await ingest(result.name, target, p.data, MAIN, o);
    if (p.indexDue) {
      const { ms: t } = await timed(() => target.indexReady());
      result.indexReadyMs = t;
      progress(`${result.name}: index ready ${(t / 1000).toFixed(2)} s after the last upsert`);
    }
    await part.withIndex?.();
    await expectCount(result, target, MAIN, o.records, 'after the upserts');
  } catch (err) {
    result.error = message(err);
    progress(`${result.name}: ERROR ${result.error}`);
  }
}

/** Stores one operation's interleaved runs in each target's result. */
function record<T>(
  parts: Participant[],
  key: string,
  label: string,
  runs: Repeated<T>[],
  keep?: (result: TargetResult, values: T[]) => void,
): void {
  runs.forEach((run, j) => {
    const result = parts[j].result;
    if ('error' in run) {
      result.ops[key] = { error: message(run.error) };
      progress(`${result.name}: ${label}: ERROR ${result.ops[key].error}`);
      return;
    }
    result.ops[key] = { stats: summarize(run.samples), samples: run.samples };
    keep?.(result, run.values);
    progress(`${result.name}: ${label}: median ${ms(result.ops[key].stats!.median)} ms`);
  });
}

/**
 * The queries, then the deletes by filter, timed on every target together, interleaved call by
 * call (repeatInterleaved): timed one target after the other, the machine's drift from minute to
 * minute went into the ratios.
 */
async function timedTogether(parts: (Participant & { target: Target })[], p: Plan, o: Options): Promise<void> {
  for (const q of p.queries) {
    const runs = await repeatInterleaved(
      parts.map(
        ({ target }) =>
          (i: number) =>
            target.query(MAIN, q.vectors[i], K, q.filters[i]),
      ),
      o.reps,
      2,
    );
    record(parts, q.key, q.label, runs, (result, values) => (result.answers[q.key] = values));
  }
  const deletes = await repeatInterleaved(
    parts.map(
      ({ target }) =>
        (i: number) =>
          target.deleteWhere(MAIN, p.deleteFilters[i]),
    ),
    p.deleteFilters.length,
    0,
  );
  record(parts, 'delete_where', 'delete by filter', deletes);
}

/** The checks after the deletes, then a second namespace filled and emptied by deleteAll, one target at a time. */
async function finish(part: Participant & { target: Target }, p: Plan, o: Options): Promise<void> {
  const { result, target } = part;
  if (result.ops.delete_where?.stats) {
    try {
      await expectCount(result, target, MAIN, p.remaining, `after ${p.deleteFilters.length} deletes by filter`);
      const gone = p.deleteFilters[0];
      const left = await target.query(MAIN, p.queries[0].vectors[0], K, gone);
      (left.length === 0 ? result.ok : result.wrong).push(
        `a query for a deleted bucket (bucket $eq ${gone.value}) found ${left.length} records (expected 0)`,
      );
    } catch (err) {
      result.ops.delete_where = { error: message(err) };
      progress(`${result.name}: delete by filter: ERROR ${message(err)}`);
    }
  }

  try {
    result.ingestSecond = await ingest(result.name, target, p.second, SECOND, o);
    await expectCount(result, target, SECOND, o.records, 'after the upserts');
    const { samples } = await repeat(1, 0, () => target.deleteAll(SECOND));
    result.ops.delete_all = { stats: summarize(samples), samples };
    progress(`${result.name}: deleteAll of ${o.records} records: ${ms(samples[0])} ms`);
    await expectCount(result, target, SECOND, 0, 'after deleteAll');
    await expectCount(result, target, MAIN, p.remaining, `after deleteAll of ${SECOND}`);
  } catch (err) {
    result.ops.delete_all = { error: message(err) };
    progress(`${result.name}: deleteAll: ERROR ${message(err)}`);
  }
}

const API_KEY = 'bench';
const sleep = (t: number) => new Promise((resolve) => setTimeout(resolve, t));

/** Calls `check` until it says yes, backing off from 20 to 250 ms; throws after `timeoutMs`. */
async function pollUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  let pause = 20;
  while (!(await check())) {
    if (Date.now() - start > timeoutMs)
      throw new Error(`${what} was not there ${timeoutMs / 1000} s after the last upsert`);
    await sleep(pause);
    pause = Math.min(250, pause * 2);
  }
}

/**
 * Whether vecgate's index is built, from the gateway's indexing status: the Pinecone API has no
 * such call, so this asks the Chroma API about the same collection (Pinecone indexes live in the
 * default tenant and database). Used when the bench cannot read the gateway's catalog itself.
 */
async function indexingStatus(url: string, config: AppConfig, indexName: string): Promise<() => Promise<boolean>> {
  const base = `${url}/api/v2/tenants/${encodeURIComponent(config.defaultTenant)}/databases/${encodeURIComponent(config.defaultDatabase)}/collections`;
  const get = async (path: string) => {
    const res = await fetch(`${base}/${path}`, { headers: { 'Api-Key': API_KEY } });
    const body = await res.json().catch(() => undefined);
    if (!res.ok) throw new Error(`GET ${base}/${path} answered ${res.status}: ${JSON.stringify(body)}`);
    return body as Record<string, unknown>;
  };
  const { id } = await get(encodeURIComponent(indexName));
  return async () => (await get(`${id}/indexing_status`)).op_indexing_progress === 1;
}

/** vecgate's index, created through the client on a running gateway. */
async function openVecgate(
  server: Server,
  o: Options,
  indexName: string,
  databaseUrl: string | undefined,
  config: AppConfig,
): Promise<Participant> {
  const result = newResult('vecgate', server.info);
  const pc = new Pinecone({ apiKey: API_KEY, controllerHostUrl: server.url });
  try {
    await pc.createIndex({
      name: indexName,
      dimension: o.dim,
      metric: 'cosine',
      spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
    });
    const model = await pc.describeIndex(indexName);
    result.info['index host'] = model.host;
  } catch (err) {
    result.error = `create index: ${message(err)}`;
    return { result, close: async () => {} };
  }
  let gateway: GatewayTable | undefined;
  const close = async () => {
    await gateway?.close().catch(() => {});
    await pc
      .deleteIndex(indexName)
      .catch((err) => progress(`vecgate: could not delete index ${indexName}: ${message(err)}`));
  };
  try {
    // Opened before the ingest, so that the index wait starts polling at once.
    let indexBuilt: () => Promise<boolean>;
    if (databaseUrl) {
      gateway = await openGatewayTable(databaseUrl, config, indexName);
      result.info.table = gateway.table;
      indexBuilt = gateway.hasIndex;
    } else {
      indexBuilt = await indexingStatus(server.url, config, indexName);
    }
    const waitIndex = () => pollUntil(indexBuilt, o.indexTimeoutS * 1000, "vecgate's HNSW index");
    const withIndex = gateway && (async () => void (result.shape = await gateway!.shape()));
    return { result, target: new VecgateTarget(pc.index({ name: indexName }), waitIndex), withIndex, close };
  } catch (err) {
    result.error = message(err);
    progress(`vecgate: ERROR ${result.error}`);
    return { result, close };
  }
}

/** The reference: the gateway's repositories called from this process, on a table of its own. */
async function openReference(
  o: Options,
  indexName: string,
  databaseUrl: string | undefined,
  config: AppConfig,
): Promise<Participant> {
  let direct: Awaited<ReturnType<typeof openDirectPinecone>>;
  try {
    progress(`opening the reference (${databaseUrl ? 'direct pg on DATABASE_URL' : 'PGlite in this process'})`);
    direct = await openDirectPinecone(databaseUrl, config);
  } catch (err) {
    return {
      result: { ...newResult('direct SQL', {}), error: `could not open: ${message(err)}` },
      close: async () => {},
    };
  }
  const result = newResult('direct SQL', direct.info);
  let t: DirectIndex | undefined;
  const close = async () => {
    if (t) result.info['exact re-searches'] = String(t.exactRetries);
    await t?.drop().catch((err) => progress(`direct SQL: could not drop ${t!.table}: ${message(err)}`));
    await direct.close().catch(() => {});
  };
  try {
    t = await direct.createIndex(indexName, o.dim);
    result.info.table = t.table;
    const withIndex = databaseUrl ? async () => void (result.shape = await t!.shape()) : undefined;
    return { result, target: new DirectTarget(t), withIndex, close };
  } catch (err) {
    result.error = message(err);
    progress(`direct SQL: ERROR ${result.error}`);
    return { result, close };
  }
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
    (wrongCount === 0 ? result.ok : result.wrong).push(
      `${q.label}: ${n - wrongCount}/${n} answers had exactly ${K} matches`,
    );
    if (q.filters.some((f) => f))
      (outside === 0 ? result.ok : result.wrong).push(
        `${q.label}: ${outside === 0 ? 'every match satisfied the filter' : `${outside} matches did NOT satisfy the filter`}`,
      );
    (worstScore < 1e-4 ? result.ok : result.wrong).push(
      `${q.label}: scores within ${worstScore.toExponential(1)} of the exact cosine similarity`,
    );
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
  // The settings the gateway started here reads from the same environment (index thresholds, default tenant).
  const config = gatewayConfig();
  progress(
    `${o.records} records x ${o.dim} dims per namespace, upserts of ${o.batch}, ${o.reps} reps, index ${indexName}`,
  );
  const p = plan(o, config);
  const bodyBytes = upsertBytes(p.data, o.batch);

  const parts: Participant[] = [];
  let server: Server | undefined;
  try {
    progress('starting vecgate');
    try {
      server = o.vecgate ? external(o.vecgate) : await startVecgate(root);
      progress(`vecgate up at ${server.url}`);
      // The catalog is read from DATABASE_URL only when that is where this run's vecgate keeps it.
      const vecgate = await openVecgate(server, o, indexName, o.vecgate ? undefined : databaseUrl, config);
      vecgate.result.info.url = server.url;
      if (o.vecgate) vecgate.result.info.backend = 'external (given by --vecgate)';
      parts.push(vecgate);
    } catch (err) {
      progress(`vecgate did not start: ${message(err)}`);
      parts.push({
        result: { ...newResult('vecgate', {}), error: `did not start: ${message(err)}` },
        close: async () => {},
      });
    }
    if (!o.noReference) parts.push(await openReference(o, indexName, databaseUrl, config));
    for (const part of live(parts)) await fill(part, p, o);
    await timedTogether(live(parts), p, o);
    for (const part of live(parts)) await finish(part, p, o);
  } finally {
    for (const part of parts) await part.close();
    await server?.stop();
  }
  const [v, d] = [parts[0].result, parts[1]?.result as TargetResult | undefined];
  checkQueries(v, p);
  if (d) checkQueries(d, p);
  machine['load average at end'] = loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

  // The report.
  const batches = Math.ceil(o.records / o.batch);
  const cell = (t: TargetResult | undefined, key: string) =>
    t ? (t.ops[key]?.stats ?? (t.ops[key]?.error || t.error ? 'error' : undefined)) : undefined;
  const ingestCell = (i: Ingest | undefined, t: TargetResult | undefined) =>
    i ? i.batch : t?.error ? 'error' : undefined;
  const deleteReps = p.deleteFilters.length;
  const indexCell = (t: TargetResult | undefined) =>
    !t
      ? undefined
      : t.indexReadyMs !== undefined
        ? summarize([t.indexReadyMs])
        : !p.indexDue
          ? 'not due'
          : t.error
            ? 'error'
            : undefined;
  const rows: Row[] = [
    {
      operation: `upsert a batch of ${o.batch} (${batches} batches, ${MAIN})`,
      vecgate: ingestCell(v.ingest, v),
      reference: ingestCell(d?.ingest, d),
    },
    { operation: `HNSW index ready after the last upsert [1 rep]`, vecgate: indexCell(v), reference: indexCell(d) },
    ...p.queries.map((q) => ({ operation: q.label, vecgate: cell(v, q.key), reference: cell(d, q.key) })),
    {
      operation: `delete by filter bucket $eq b (~${Math.round(o.records / BUCKETS)} records)${deleteReps !== o.reps ? ` [${deleteReps} reps]` : ''}`,
      vecgate: cell(v, 'delete_where'),
      reference: cell(d, 'delete_where'),
    },
    {
      operation: `upsert a batch of ${o.batch} (${batches} batches, ${SECOND})`,
      vecgate: ingestCell(v.ingestSecond, v),
      reference: ingestCell(d?.ingestSecond, d),
    },
    {
      operation: `deleteAll of a ${o.records}-record namespace [1 rep]`,
      vecgate: cell(v, 'delete_all'),
      reference: cell(d, 'delete_all'),
    },
  ];

  const out: string[] = [];
  out.push(
    `# vecgate (Pinecone API) vs direct SQL: ${o.records} records x ${o.dim} dims per namespace, cosine, upserts of ${o.batch}, ${o.reps} reps per query (after 2 warm-up calls), seed ${o.seed}${o.smoke ? ' (smoke)' : ''}`,
  );
  out.push('');
  for (const [k, val] of Object.entries(machine)) out.push(`- ${k}: ${val}`);
  const describe = (t: TargetResult | undefined) => {
    if (!t) return;
    const details = Object.entries(t.info)
      .map(([k, val]) => `${k} ${val}`)
      .join(', ');
    out.push(`- ${t.name}: ${details || '(no details)'}`);
  };
  describe(v);
  describe(d);
  out.push(
    `- client: @pinecone-database/pinecone ${clientVersion(root)}; one upsert body is ${(bodyBytes / 2 ** 20).toFixed(2)} MiB of JSON${bodyBytes > PINECONE_MAX_REQUEST ? " (OVER Pinecone's 2 MB per request)" : " (under Pinecone's 2 MB per request)"}`,
  );
  out.push('');
  const ingestLine = (i?: Ingest) =>
    i ? `${(i.totalMs / 1000).toFixed(1)} s (${Math.round(i.recordsPerSecond)} records/s)` : '-';
  const ingestRatio = (a?: Ingest, b?: Ingest) => (a && b ? `, ratio ${(a.totalMs / b.totalMs).toFixed(2)}x` : '');
  out.push(
    `ingest of ${o.records} records into ${MAIN}: vecgate ${ingestLine(v.ingest)}, direct SQL ${ingestLine(d?.ingest)}${ingestRatio(v.ingest, d?.ingest)}`,
  );
  out.push(
    `ingest of ${o.records} records into ${SECOND}: vecgate ${ingestLine(v.ingestSecond)}, direct SQL ${ingestLine(d?.ingestSecond)}${ingestRatio(v.ingestSecond, d?.ingestSecond)}`,
  );
  const ready = (t?: TargetResult) => (t?.indexReadyMs !== undefined ? `${(t.indexReadyMs / 1000).toFixed(2)} s` : '-');
  out.push(
    p.indexDue
      ? `HNSW index ready after the last upsert into ${MAIN}: vecgate ${ready(v)} (built in the background once inserts were quiet for VECGATE_INDEX_QUIET_MS = ${config.indexing.quietMs} ms; ` +
          `waited for ${!o.vecgate && databaseUrl ? 'in its catalog on DATABASE_URL' : 'through its indexing status'}), direct SQL ${ready(d)} (the gateway's RecordTableRepository.analyze + buildIndex${databaseUrl ? ' CONCURRENTLY' : ''} + vacuum, started at once)`
      : `no HNSW index: ${o.records} records are below VECGATE_INDEX_MIN_ROWS = ${p.indexMinRows}, so the gateway searches exactly and so does the reference`,
  );
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
    const b = d.shape.join('\n');
    if (a === b)
      out.push(
        `- the reference table has vecgate's columns and indexes once both are indexed (${v.shape.length} items compared)`,
      );
    else
      out.push(
        `- WRONG: the reference table differs from vecgate's:\n  vecgate:   ${v.shape.join('\n             ')}\n  reference: ${d.shape.join('\n             ')}`,
      );
  } else if (d) {
    out.push(
      `- the reference table's DDL was not compared with vecgate's (${databaseUrl && !o.vecgate ? 'a target stopped before its index was there' : 'only done when both run on DATABASE_URL'})`,
    );
  }
  console.log(out.join('\n'));

  if (o.json) {
    const strip = (t?: TargetResult) =>
      t && {
        name: t.name,
        info: t.info,
        ingest: t.ingest,
        indexReadyMs: t.indexReadyMs,
        ingestSecond: t.ingestSecond,
        ops: t.ops,
        ok: t.ok,
        wrong: t.wrong,
        shape: t.shape,
        error: t.error,
      };
    const ratios = Object.fromEntries(rows.map((r) => [r.operation, ratio(r.vecgate, r.reference)]));
    const indexing = { due: p.indexDue, ...config.indexing };
    writeFileSync(
      o.json,
      JSON.stringify(
        {
          machine,
          options: o,
          index: indexName,
          indexing,
          upsertBodyBytes: bodyBytes,
          vecgate: strip(v),
          direct: strip(d),
          ratios,
        },
        null,
        2,
      ),
    );
    progress(`wrote ${o.json}`);
  }

  const failed =
    [v, d].some((t) => t && (t.error || t.wrong.length > 0 || Object.values(t.ops).some((r) => r.error))) ||
    out.some((l) => l.includes('WRONG'));
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
