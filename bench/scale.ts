/**
 * The scale run: one Chroma collection per size (default 10k, 100k, 1M records x 384 dims) on a
 * real Postgres, through the official chromadb client, each size on a freshly started gateway.
 * Not part of CI: the 1M size takes the better part of an hour on a small machine. With --chroma,
 * each size is then loaded into the real Chroma 1.0.0 and timed the same way, its recall checked
 * against the same exact answers.
 *
 *   DATABASE_URL=postgres://... node dist/bench/scale.js [--sizes 10000,100000,1000000] [--dim 384]
 *        [--batch 500] [--queries 100] [--truth N] [--space cosine] [--seed 42] [--json FILE] [--keep] [--chroma]
 *
 * For each size it measures:
 * - ingest: `add` calls of --batch records, one at a time; the time is the sum of the calls as the
 *   client sees them (data generation, done between calls, is not counted; it is in the JSON);
 * - index build: from the last add until indexing_status says op_indexing_progress = 1 (the
 *   gateway indexes each write as it commits today, so this is one round trip);
 * - peak memory of the gateway process: VmRSS sampled every 200 ms and VmHWM read at the end;
 * - latency of query top 10 (no filter, and a 1% filter), get 100 ids and count, --queries calls
 *   each after 2 warm-up calls;
 * - recall@10 of both query kinds against an exact search run in SQL straight on Postgres (index
 *   scans off), over the first --truth queries of each kind;
 * - with --ef-search LIST, the same two query kinds again after setting the collection's
 *   hnsw.ef_search to each value (Chroma's modify): the latency and recall trade-off at that size.
 * Records are regenerated batch by batch from the seed (bench/data.ts): nothing holds all of them.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { ChromaClient, type Collection } from 'chromadb';
import { Client as PgClient } from 'pg';
import { BUCKETS, Dataset, int, recordId, rng, sample } from './data';
import { machineInfo, markdown } from './report';
import { startChromaReference, startVecgate, type Server } from './servers';
import { timed } from './stats';

// ---------------------------------------------------------------------------------------------
// Options

type Space = 'l2' | 'cosine' | 'ip';

interface Options {
  sizes: number[];
  dim: number;
  batch: number;
  queries: number;
  /** Ground-truth queries per kind; undefined: every query up to 100k records, 30 above. */
  truth?: number;
  space: Space;
  seed: number;
  json?: string;
  keep: boolean;
  indexTimeoutS: number;
  /** ef_search values to measure after the default one (empty: none). */
  efSearch: number[];
  /** Also load each size into the real Chroma 1.0.0 and time the same calls there. */
  chroma: boolean;
}

const USAGE = `usage: DATABASE_URL=postgres://... node dist/bench/scale.js [options]
  --sizes LIST        collection sizes to run, one fresh gateway and collection each (default 10000,100000,1000000)
  --dim D             embedding dimension (default 384)
  --batch B           records per add call (default 500)
  --queries Q         timed calls per query kind, after 2 warm-up calls (default 100)
  --truth N           queries per kind checked against exact search in SQL, for recall@10
                      (default: all of them up to 100,000 records, 30 above: an exact search of 1M x 384 takes ~1 s)
  --space S           the collection's distance: cosine, l2 or ip (default cosine; Chroma's own default is l2)
  --seed S            data seed (default 42)
  --json FILE         also write every setting, sample and check as JSON
  --keep              do not delete the collections at the end (their names are printed)
  --index-timeout S   seconds to wait for indexing_status to reach 1 (default 7200)
  --chroma            also run each size on the real Chroma 1.0.0 (the chroma-reference
                      devDependency): same records, same calls, recall on the same exact answers
  --ef-search LIST    after the default run, set the collection's hnsw.ef_search to each value and
                      time both query kinds again, with their recall (e.g. 200,400; default none)
  --help              this text
Runs on the real Postgres in DATABASE_URL (required): the scale run is not meant for embedded PGlite.`;

function fail(message: string): never {
  console.error(`bench:scale: ${message}\n${USAGE}`);
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const given: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    const [flag, inline] = arg.split(/=(.*)/s, 2);
    if (flag === '--chroma') {
      given['--chroma'] = true;
      continue;
    }
    if (flag === '--keep') {
      given[flag] = true;
    } else if (
      [
        '--sizes',
        '--dim',
        '--batch',
        '--queries',
        '--truth',
        '--space',
        '--seed',
        '--json',
        '--index-timeout',
        '--ef-search',
      ].includes(flag)
    ) {
      const value = inline ?? argv[++i];
      if (value === undefined) fail(`${flag} needs a value`);
      given[flag] = value;
    } else {
      fail(`unknown argument ${arg}`);
    }
  }
  const integer = (flag: string, raw: string, min: number): number => {
    const n = Number(raw.replace(/_/g, ''));
    if (!Number.isInteger(n) || n < min) fail(`${flag} must be an integer >= ${min}, got ${raw}`);
    return n;
  };
  const num = (flag: string, fallback: number, min: number): number => {
    const raw = given[flag];
    return raw === undefined ? fallback : integer(flag, String(raw), min);
  };
  const sizes =
    given['--sizes'] === undefined
      ? [10_000, 100_000, 1_000_000]
      : String(given['--sizes'])
          .split(',')
          .filter((s) => s.trim() !== '')
          .map((s) => integer('--sizes', s.trim(), 200));
  if (sizes.length === 0) fail('--sizes needs at least one size');
  const efSearch =
    given['--ef-search'] === undefined
      ? []
      : String(given['--ef-search'])
          .split(',')
          .filter((s) => s.trim() !== '')
          .map((s) => integer('--ef-search', s.trim(), 1));
  if (efSearch.some((ef) => ef > 1000)) fail("--ef-search values must be at most 1000 (pgvector's limit)");
  const space = String(given['--space'] ?? 'cosine');
  if (!['l2', 'cosine', 'ip'].includes(space)) fail(`--space must be cosine, l2 or ip, got ${space}`);
  return {
    sizes,
    dim: num('--dim', 384, 2),
    batch: num('--batch', 500, 1),
    queries: num('--queries', 100, 1),
    truth: given['--truth'] === undefined ? undefined : num('--truth', 0, 0),
    space: space as Space,
    seed: num('--seed', 42, 0),
    json: typeof given['--json'] === 'string' ? given['--json'] : undefined,
    keep: given['--keep'] === true,
    indexTimeoutS: num('--index-timeout', 7200, 1),
    chroma: given['--chroma'] === true,
    efSearch,
  };
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const K = 10;
const WARMUP = 2;
const MIB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const progress = (message: string) => process.stderr.write(`bench:scale: ${message}\n`);
const message = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));
const thousands = (n: number) => n.toLocaleString('en-US');

/** Linear-interpolated percentile (type 7) of the samples; q in [0, 1]. */
function percentile(samples: number[], q: number): number {
  const s = [...samples].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

interface Latency {
  n: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

function latency(samples: number[]): Latency {
  return {
    n: samples.length,
    p50: percentile(samples, 0.5),
    p99: percentile(samples, 0.99),
    mean: samples.reduce((s, x) => s + x, 0) / samples.length,
    max: Math.max(...samples),
  };
}

function fmt(x: number | undefined, digits?: number): string {
  if (x === undefined || !Number.isFinite(x)) return '-';
  if (digits !== undefined) return x.toFixed(digits);
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

function repoRoot(): string {
  // dist/bench/scale.js -> the repository; bench/scale.ts (ts-node) -> one up.
  for (const candidate of [resolve(__dirname, '..', '..'), resolve(__dirname, '..')]) {
    if (existsSync(resolve(candidate, 'package.json'))) return candidate;
  }
  return process.cwd();
}

function clientFor(url: string): ChromaClient {
  const u = new URL(url);
  const ssl = u.protocol === 'https:';
  return new ChromaClient({ host: u.hostname, port: Number(u.port) || (ssl ? 443 : 80), ssl });
}

// ---------------------------------------------------------------------------------------------
// Memory of the gateway process, from /proc (Linux)

/** A field of /proc/<pid>/status in KiB (VmRSS, VmHWM), or undefined when it cannot be read. */
function procStatusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s*(\\d+)\\s*kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

class MemorySampler {
  /** [ms since start, RSS MiB] every period. */
  readonly timeline: [number, number][] = [];
  maxRssMiB = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly start = Date.now();

  constructor(
    private readonly pid: number,
    periodMs = 200,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), periodMs);
    this.timer.unref();
  }

  sample(): void {
    const kib = procStatusKiB(this.pid, 'VmRSS');
    if (kib === undefined) return;
    const mib = kib / 1024;
    this.timeline.push([Date.now() - this.start, Math.round(mib * 10) / 10]);
    if (mib > this.maxRssMiB) this.maxRssMiB = mib;
  }

  /** Stops sampling; returns the kernel's high-water mark (VmHWM) in MiB. */
  stop(): number | undefined {
    this.sample();
    clearInterval(this.timer);
    const hwm = procStatusKiB(this.pid, 'VmHWM');
    return hwm === undefined ? undefined : hwm / 1024;
  }
}

// ---------------------------------------------------------------------------------------------
// Exact search straight on Postgres, for recall

const OPERATOR: Record<Space, string> = { l2: '<->', cosine: '<=>', ip: '<#>' };

/**
 * The exact top K of each query vector, from the record table itself with index scans turned off
 * (the HNSW index can only be read by an index scan, so the planner must scan and sort).
 * `buckets[i]`, when given, filters query i on metadata.bucket as the gateway's where does.
 */
async function exactTopK(
  pg: PgClient,
  table: string,
  space: Space,
  dim: number,
  vectors: number[][],
  buckets?: number[],
): Promise<string[][]> {
  if (!/^r_[0-9a-f]{32}$/.test(table)) throw new Error(`not a record table: ${table}`);
  const t = `vecgate_records."${table}"`;
  const out: string[][] = [];
  await pg.query('BEGIN');
  try {
    await pg.query('SET LOCAL enable_indexscan = off');
    for (let i = 0; i < vectors.length; i++) {
      const vec = `[${vectors[i].join(',')}]`;
      const { rows } = buckets
        ? await pg.query(
            `SELECT id FROM ${t} WHERE metadata @> jsonb_build_object('bucket', $2::int) ORDER BY embedding ${OPERATOR[space]} $1::vector(${dim}) LIMIT ${K}`,
            [vec, buckets[i]],
          )
        : await pg.query(`SELECT id FROM ${t} ORDER BY embedding ${OPERATOR[space]} $1::vector(${dim}) LIMIT ${K}`, [
            vec,
          ]);
      out.push(rows.map((r) => String(r.id)));
    }
  } finally {
    await pg.query('COMMIT');
  }
  return out;
}

function recall(found: string[][], truth: string[][]): number {
  let hits = 0;
  let wanted = 0;
  for (let i = 0; i < truth.length; i++) {
    const got = new Set(found[i] ?? []);
    hits += truth[i].filter((id) => got.has(id)).length;
    wanted += truth[i].length;
  }
  return wanted === 0 ? NaN : hits / wanted;
}

// ---------------------------------------------------------------------------------------------
// One size

type QueryKind = 'query' | 'query_filtered' | 'get_ids' | 'count';

interface KindResult {
  label: string;
  latency?: Latency;
  samples?: number[];
  /** recall@K over the first `truthQueries` calls (query kinds only). */
  recall?: number;
  truthQueries?: number;
  truthMs?: number;
  /** Calls that returned the wrong number of rows (or the wrong count). */
  wrong: number;
  error?: string;
}

/** Both query kinds at one ef_search value. */
interface EfSearchResult {
  efSearch: number;
  query?: KindResult;
  queryFiltered?: KindResult;
  error?: string;
}

interface SizeResult {
  size: number;
  engine: Engine;
  collection: string;
  collectionId?: string;
  table?: string;
  space?: string;
  gateway: { url?: string; pid?: number; info: Record<string, string> };
  ingest?: {
    records: number;
    batches: number;
    /** Sum of the add calls. */
    ms: number;
    recordsPerSecond: number;
    /** First add to last add, data generation between calls included. */
    wallMs: number;
    generateMs: number;
    batchP50: number;
    batchP99: number;
    batchMax: number;
    batchSamples: number[];
  };
  indexBuild?: { ms: number; polls: number; last: unknown };
  /** What the search tuner chose after the build, and how long it took to say. */
  tuning?: { ms: number; chose: Record<string, unknown> };
  storage?: { tableMiB: number; indexesMiB: number; hnswMiB?: number };
  memory?: {
    peakRssMiB: number;
    hwmMiB?: number;
    sampledMaxRssMiB: number;
    samplePeriodMs: number;
    timeline: [number, number][];
  };
  kinds: Partial<Record<QueryKind, KindResult>>;
  efSearch: EfSearchResult[];
  deleted: boolean;
  warnings: string[];
  error?: string;
  totalMs?: number;
}

/** Collections created and not deleted yet, to name on Ctrl-C. */
const live = new Map<string, string>();

const include = ['documents', 'metadatas'] as NonNullable<NonNullable<Parameters<Collection['get']>[0]>['include']>;

type Engine = 'vecgate' | 'chroma';

/** What vecgate's run of a size found out, for Chroma's run of it: the exact answers, the buckets' sizes. */
interface Known {
  truths: Partial<Record<QueryKind, string[][]>>;
  inBucket?: Map<number, number>;
}

async function runSize(
  root: string,
  databaseUrl: string,
  o: Options,
  size: number,
  runTag: string,
  pg: PgClient,
  engine: Engine = 'vecgate',
  known: Known = { truths: {} },
): Promise<SizeResult> {
  const started = Date.now();
  const name = `scale_${size}_${runTag}`;
  const vecgate = engine === 'vecgate';
  const result: SizeResult = {
    size,
    engine,
    collection: name,
    gateway: { info: {} },
    kinds: {},
    efSearch: [],
    deleted: false,
    warnings: [],
  };
  const data = new Dataset(o.seed, size, o.dim);
  const truthCount = Math.min(o.queries, o.truth ?? (size <= 100_000 ? o.queries : 30));

  // Every call's parameters, fixed before the gateway starts.
  const param = (stream: string, i: number) => rng(o.seed, 'param', 'scale', stream, i);
  const qVectors = Array.from({ length: o.queries }, (_, i) => data.queryVector('scale-none', i));
  const fVectors = Array.from({ length: o.queries }, (_, i) => data.queryVector('scale-bucket', i));
  const fBuckets = Array.from({ length: o.queries }, (_, i) => int(param('bucket', i), BUCKETS));
  const idSets = Array.from({ length: o.queries }, (_, i) =>
    sample(param('ids', i), size, Math.min(100, size)).map(recordId),
  );

  progress(`size ${thousands(size)}: starting ${vecgate ? 'the gateway on DATABASE_URL' : 'Chroma 1.0.0'}`);
  let server: Server;
  try {
    server = vecgate ? await startVecgate(root, { databaseUrl }) : await startChromaReference(root);
  } catch (err) {
    result.error = `${engine} did not start: ${message(err)}`;
    return result;
  }
  const info = { ...server.info };
  // The gateway logs JSON lines, so what servers.ts reads after "with pgvector" can carry `"}`.
  if (info.pgvector) info.pgvector = /^[0-9][0-9A-Za-z.]*/.exec(info.pgvector)?.[0] ?? info.pgvector;
  result.gateway = { url: server.url, pid: server.pid, info };
  const sampler = server.pid ? new MemorySampler(server.pid) : undefined;
  if (!sampler) result.warnings.push('no pid for the gateway: memory not measured');
  const client = clientFor(server.url);
  let collection: Collection | undefined;
  try {
    collection = await client.createCollection({
      name,
      embeddingFunction: null,
      configuration: { hnsw: { space: o.space } },
    });
    live.set(name, collection.id);
    result.collectionId = collection.id;
    if (vecgate) result.table = `r_${collection.id.replace(/-/g, '')}`;
    result.space = collection.configuration?.hnsw?.space ?? undefined;
    if (result.space !== o.space)
      result.warnings.push(`asked for space ${o.space}, the collection says ${String(result.space)}`);
    progress(
      `size ${thousands(size)}: collection ${name} (${collection.id}), ${o.space}, gateway ${server.url} pid ${server.pid}`,
    );

    // Ingest.
    const batchSamples: number[] = [];
    let generateMs = 0;
    const wallStart = Date.now();
    let nextReport = Math.ceil(size / 10);
    for (let start = 0; start < size; start += o.batch) {
      const gen = await timed(async () => data.batch(start, o.batch));
      generateMs += gen.ms;
      const batch = gen.value;
      const { ms } = await timed(() =>
        collection!.add({
          ids: batch.map((r) => r.id),
          embeddings: batch.map((r) => r.embedding),
          documents: batch.map((r) => r.document),
          metadatas: batch.map((r) => r.metadata),
        }),
      );
      batchSamples.push(ms);
      const done = start + batch.length;
      if (done >= nextReport || done === size) {
        const elapsedS = (Date.now() - wallStart) / 1000;
        const etaS = done < size ? ((size - done) / done) * elapsedS : 0;
        progress(
          `size ${thousands(size)}: added ${thousands(done)} in ${fmt(elapsedS, 0)} s (${Math.round(done / elapsedS)} records/s so far, last batch ${fmt(ms)} ms, ` +
            `gateway RSS ${fmt(sampler?.maxRssMiB, 0)} MiB peak${etaS ? `, ~${fmt(etaS / 60, 1)} min to go at this rate` : ''})`,
        );
        nextReport += Math.ceil(size / 10);
      }
    }
    const wallMs = Date.now() - wallStart;
    const addMs = batchSamples.reduce((s, x) => s + x, 0);
    result.ingest = {
      records: size,
      batches: batchSamples.length,
      ms: addMs,
      recordsPerSecond: (size / addMs) * 1000,
      wallMs,
      generateMs,
      batchP50: percentile(batchSamples, 0.5),
      batchP99: percentile(batchSamples, 0.99),
      batchMax: Math.max(...batchSamples),
      batchSamples: batchSamples.map((x) => Math.round(x * 100) / 100),
    };

    // Index build: from the last add until the gateway says everything is indexed. Chroma 1.0.0
    // has no indexing status: it indexes as it takes the records, within the add calls.
    const statusUrl = `${server.url}/api/v2/tenants/default_tenant/databases/default_database/collections/${collection.id}/indexing_status`;
    const t0 = Date.now();
    let polls = 0;
    let last: unknown;
    for (; vecgate;) {
      polls++;
      const res = await fetch(statusUrl, { signal: AbortSignal.timeout(60_000) });
      last = await res.json().catch(() => undefined);
      if (!res.ok) throw new Error(`indexing_status answered ${res.status}: ${JSON.stringify(last)}`);
      if ((last as { op_indexing_progress?: number })?.op_indexing_progress === 1) break;
      if (Date.now() - t0 > o.indexTimeoutS * 1000)
        throw new Error(`indexing_status not at 1 after ${o.indexTimeoutS} s: ${JSON.stringify(last)}`);
      await sleep(200);
    }
    result.indexBuild = { ms: Date.now() - t0, polls, last };
    // Then vecgate's search tuner measures the collection's recall (after each build) and chooses
    // its ef_search: the timed calls run with what it chose, as a user's would.
    const t1 = Date.now();
    while (vecgate) {
      const status = (await (await fetch(statusUrl, { signal: AbortSignal.timeout(60_000) })).json()) as {
        vecgate_search_tuning?: Record<string, unknown>;
      };
      if (status.vecgate_search_tuning) {
        result.tuning = { ms: Date.now() - t1, chose: status.vecgate_search_tuning };
        break;
      }
      if (Date.now() - t1 > o.indexTimeoutS * 1000) {
        result.warnings.push('no search tuning reported (VECGATE_RECALL_TARGET=0?)');
        break;
      }
      await sleep(500);
    }
    progress(
      `size ${thousands(size)}: ingest ${fmt(addMs / 1000, 1)} s, index ready ${fmt(result.indexBuild.ms / 1000, 2)} s after the last add (${polls} polls)`,
    );

    const count = await collection.count();
    if (count !== size) result.warnings.push(`count after ingest is ${count}, expected ${size}`);

    // What the collection takes on disk.
    if (vecgate)
      try {
        const { rows } = await pg.query(
          `SELECT pg_table_size(c.oid) AS t, pg_indexes_size(c.oid) AS i,
                (SELECT pg_relation_size(x.indexrelid) FROM pg_index x JOIN pg_class xc ON xc.oid = x.indexrelid JOIN pg_am am ON am.oid = xc.relam
                  WHERE x.indrelid = c.oid AND am.amname = 'hnsw' LIMIT 1) AS h
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'vecgate_records' AND c.relname = $1`,
          [result.table],
        );
        if (rows[0]) {
          result.storage = {
            tableMiB: Number(rows[0].t) / MIB,
            indexesMiB: Number(rows[0].i) / MIB,
            hnswMiB: rows[0].h === null ? undefined : Number(rows[0].h) / MIB,
          };
          if (rows[0].h === null) result.warnings.push('the record table has no HNSW index: queries are exact scans');
        }
      } catch (err) {
        result.warnings.push(`table size: ${message(err)}`);
      }

    // Latency.
    const c = collection;
    const kinds: {
      key: QueryKind;
      label: string;
      expect: (i: number) => number;
      run: (i: number) => Promise<{ rows: number; ids: string[] }>;
    }[] = [
      {
        key: 'query',
        label: `query top ${K}, no filter`,
        expect: () => Math.min(K, size),
        run: (i) =>
          c
            .query({ queryEmbeddings: [qVectors[i]], nResults: K })
            .then((r) => ({ rows: r.ids[0]?.length ?? 0, ids: r.ids[0] ?? [] })),
      },
      {
        key: 'query_filtered',
        label: `query top ${K}, bucket = b (1%)`,
        expect: () => K, // ~1% of at least 200 records: a bucket can hold fewer than 10 only at tiny sizes (checked below)
        run: (i) =>
          c
            .query({ queryEmbeddings: [fVectors[i]], nResults: K, where: { bucket: fBuckets[i] } })
            .then((r) => ({ rows: r.ids[0]?.length ?? 0, ids: r.ids[0] ?? [] })),
      },
      {
        key: 'get_ids',
        label: 'get 100 ids',
        expect: (i) => idSets[i].length,
        run: (i) => c.get({ ids: idSets[i], include }).then((r) => ({ rows: r.ids.length, ids: r.ids })),
      },
      { key: 'count', label: 'count', expect: () => size, run: () => c.count().then((n) => ({ rows: n, ids: [] })) },
    ];
    /** Times one kind (--queries calls after the warm-up), keeping the ids each call returned. */
    const measure = async (kind: (typeof kinds)[number], tag = ''): Promise<{ kr: KindResult; ids?: string[][] }> => {
      const kr: KindResult = { label: kind.label, wrong: 0 };
      try {
        for (let w = 0; w < WARMUP; w++) await kind.run(w % o.queries);
        const samples: number[] = [];
        const ids: string[][] = [];
        for (let i = 0; i < o.queries; i++) {
          const { ms, value } = await timed(() => kind.run(i));
          samples.push(ms);
          ids.push(value.ids);
          if (value.rows !== kind.expect(i)) kr.wrong++;
        }
        kr.latency = latency(samples);
        kr.samples = samples.map((x) => Math.round(x * 1000) / 1000);
        progress(
          `size ${thousands(size)}${tag}: ${kind.label}: p50 ${fmt(kr.latency.p50)} ms, p99 ${fmt(kr.latency.p99)} ms${kr.wrong ? `, ${kr.wrong} WRONG` : ''}`,
        );
        return { kr, ids };
      } catch (err) {
        kr.error = message(err);
        progress(`size ${thousands(size)}${tag}: ${kind.label}: ERROR ${kr.error}`);
        return { kr };
      }
    };
    // A bucket with fewer than K records makes a short answer right (tiny sizes only).
    let inBucket = known.inBucket;
    const recountShortBuckets = async (kr: KindResult, ids: string[][]) => {
      if (kr.wrong === 0) return;
      if (!inBucket && vecgate) {
        const { rows } = await pg.query(
          `SELECT (metadata->>'bucket')::int AS b, count(*)::int AS n FROM vecgate_records."${result.table}" WHERE (metadata->>'bucket')::int = ANY($1::int[]) GROUP BY 1`,
          [fBuckets],
        );
        inBucket = new Map(rows.map((r) => [Number(r.b), Number(r.n)]));
      }
      if (inBucket)
        kr.wrong = ids.filter((got, i) => got.length !== Math.min(K, inBucket!.get(fBuckets[i]) ?? 0)).length;
      known.inBucket = inBucket;
    };
    const found: Partial<Record<QueryKind, string[][]>> = {};
    for (const kind of kinds) {
      const { kr, ids } = await measure(kind);
      result.kinds[kind.key] = kr;
      if (ids) found[kind.key] = ids;
    }
    if (result.kinds.query_filtered && found.query_filtered)
      await recountShortBuckets(result.kinds.query_filtered, found.query_filtered);

    // Recall against exact search in SQL (after the timed calls, so it does not disturb them).
    const truths = known.truths;
    for (const key of vecgate ? [] : (['query', 'query_filtered'] as const)) {
      const kr = result.kinds[key];
      if (!kr || !found[key] || !truths[key]) continue;
      kr.recall = recall(found[key]!.slice(0, truthCount), truths[key]!);
      kr.truthQueries = truthCount;
      progress(`size ${thousands(size)} on chroma: ${kr.label}: recall@${K} ${fmt(kr.recall * 100, 1)}%`);
    }
    if (truthCount > 0 && vecgate) {
      for (const [key, vectors, buckets] of [
        ['query', qVectors, undefined],
        ['query_filtered', fVectors, fBuckets],
      ] as const) {
        const kr = result.kinds[key];
        if (!kr || !found[key]) continue;
        progress(`size ${thousands(size)}: exact top ${K} in SQL for ${truthCount} "${kr.label}" queries`);
        const { ms, value: truth } = await timed(() =>
          exactTopK(pg, result.table!, o.space, o.dim, vectors.slice(0, truthCount), buckets?.slice(0, truthCount)),
        );
        truths[key] = truth;
        kr.recall = recall(found[key]!.slice(0, truthCount), truth);
        kr.truthQueries = truthCount;
        kr.truthMs = ms;
        progress(
          `size ${thousands(size)}: ${kr.label}: recall@${K} ${fmt(kr.recall * 100, 1)}% (exact search ${fmt(ms / truthCount)} ms per query)`,
        );
      }
    }

    // The same two query kinds at other ef_search values, recall against the same exact answers.
    // Chroma 1.0.0 keeps the ef_search a collection was created with (measured: docs/benchmarks.md).
    for (const ef of vecgate ? o.efSearch : []) {
      const er: EfSearchResult = { efSearch: ef };
      result.efSearch.push(er);
      try {
        await c.modify({ configuration: { hnsw: { ef_search: ef } } });
      } catch (err) {
        er.error = `modify ef_search: ${message(err)}`;
        progress(`size ${thousands(size)}: ${er.error}`);
        continue;
      }
      for (const key of ['query', 'query_filtered'] as const) {
        const { kr, ids } = await measure(
          kinds.find((k) => k.key === key)!,
          ` ef_search ${ef}`,
        );
        if (ids && key === 'query_filtered') await recountShortBuckets(kr, ids);
        if (ids && truths[key]) {
          kr.recall = recall(ids.slice(0, truthCount), truths[key]!);
          kr.truthQueries = truthCount;
          progress(`size ${thousands(size)} ef_search ${ef}: ${kr.label}: recall@${K} ${fmt(kr.recall * 100, 1)}%`);
        }
        if (key === 'query') er.query = kr;
        else er.queryFiltered = kr;
      }
    }
  } catch (err) {
    result.error = message(err);
    progress(`size ${thousands(size)}: ERROR ${result.error}`);
  } finally {
    if (collection) {
      if (o.keep) {
        progress(`size ${thousands(size)}: keeping collection ${name} (${collection.id})`);
      } else {
        try {
          await client.deleteCollection({ name });
          result.deleted = true;
        } catch (err) {
          result.warnings.push(`could not delete collection ${name}: ${message(err)}`);
        }
      }
      live.delete(name);
    }
    if (sampler) {
      const hwm = sampler.stop();
      const peak = Math.max(sampler.maxRssMiB, hwm ?? 0);
      result.memory = {
        peakRssMiB: peak,
        hwmMiB: hwm,
        sampledMaxRssMiB: sampler.maxRssMiB,
        samplePeriodMs: 200,
        timeline: sampler.timeline,
      };
    }
    await server.stop();
    result.totalMs = Date.now() - started;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// The report

/** `p50 / p99` of a latency, or 'error' when the calls failed. */
const pair = (l?: Latency) => (l ? `${fmt(l.p50)} / ${fmt(l.p99)}` : 'error');
const pct = (x?: number) => (x === undefined || Number.isNaN(x) ? '-' : `${(x * 100).toFixed(1)}%`);

function reportTable(results: SizeResult[]): string {
  const header = [
    'size',
    'server',
    'ingest s',
    'records/s',
    'index build s',
    'peak RSS MiB',
    'query p50/p99 ms',
    'filtered query p50/p99 ms',
    'get 100 ids p50 ms',
    'count p50 ms',
    `recall@${K} query / filtered`,
  ];
  const body = results.map((r) => [
    thousands(r.size),
    r.engine,
    r.ingest ? fmt(r.ingest.ms / 1000, 1) : 'error',
    r.ingest ? thousands(Math.round(r.ingest.recordsPerSecond)) : '-',
    r.indexBuild && r.engine === 'vecgate' ? fmt(r.indexBuild.ms / 1000, 2) : '-',
    r.memory ? fmt(r.memory.peakRssMiB, 0) : '-',
    r.kinds.query ? pair(r.kinds.query.latency) : '-',
    r.kinds.query_filtered ? pair(r.kinds.query_filtered.latency) : '-',
    r.kinds.get_ids?.latency ? fmt(r.kinds.get_ids.latency.p50) : '-',
    r.kinds.count?.latency ? fmt(r.kinds.count.latency.p50) : '-',
    `${pct(r.kinds.query?.recall)} / ${pct(r.kinds.query_filtered?.recall)}`,
  ]);
  return markdown(header, body);
}

/** One row per size and ef_search value: the latency/recall trade-off (the default run first). */
function efSearchTable(results: SizeResult[]): string {
  const header = [
    'size',
    'ef_search',
    'query p50/p99 ms',
    `recall@${K}`,
    'filtered query p50/p99 ms',
    `filtered recall@${K}`,
  ];
  const body: string[][] = [];
  for (const r of results) {
    if (r.efSearch.length === 0) continue;
    body.push([
      thousands(r.size),
      'default',
      pair(r.kinds.query?.latency),
      pct(r.kinds.query?.recall),
      pair(r.kinds.query_filtered?.latency),
      pct(r.kinds.query_filtered?.recall),
    ]);
    for (const e of r.efSearch) {
      body.push(
        e.error
          ? [thousands(r.size), String(e.efSearch), 'error', '-', 'error', '-']
          : [
              thousands(r.size),
              String(e.efSearch),
              pair(e.query?.latency),
              pct(e.query?.recall),
              pair(e.queryFiltered?.latency),
              pct(e.queryFiltered?.recall),
            ],
      );
    }
  }
  return markdown(header, body);
}

function notes(results: SizeResult[], o: Options): string[] {
  const out: string[] = [];
  for (const r of results) {
    const parts: string[] = [];
    if (r.ingest) {
      parts.push(
        `add batch p50/p99/max ${fmt(r.ingest.batchP50)}/${fmt(r.ingest.batchP99)}/${fmt(r.ingest.batchMax)} ms over ${r.ingest.batches} batches, ` +
          `ingest wall ${fmt(r.ingest.wallMs / 1000, 1)} s (data generation ${fmt(r.ingest.generateMs / 1000, 1)} s of it)`,
      );
    }
    if (r.tuning)
      parts.push(
        `search tuning after ${fmt(r.tuning.ms / 1000, 1)} s: ${r.tuning.chose.exact ? 'exact search' : `ef_search ${String(r.tuning.chose.ef_search)}`}, recall@10 ${String(r.tuning.chose.recall)} on its own sample`,
      );
    if (r.storage)
      parts.push(
        `on disk: table ${fmt(r.storage.tableMiB, 0)} MiB, indexes ${fmt(r.storage.indexesMiB, 0)} MiB (HNSW ${fmt(r.storage.hnswMiB, 0)} MiB)`,
      );
    if (r.memory)
      parts.push(
        `server RSS sampled max ${fmt(r.memory.sampledMaxRssMiB, 0)} MiB, VmHWM ${fmt(r.memory.hwmMiB, 0)} MiB`,
      );
    for (const k of ['query', 'query_filtered'] as const) {
      const kr = r.kinds[k];
      if (kr?.truthQueries)
        parts.push(
          `${kr.label}: recall over ${kr.truthQueries} queries${kr.truthMs === undefined ? '' : ` (exact search ${fmt(kr.truthMs / kr.truthQueries)} ms each)`}`,
        );
    }
    for (const kr of Object.values(r.kinds)) {
      if (kr?.wrong) parts.push(`${kr.label} WRONG in ${kr.wrong}/${o.queries} calls`);
      if (kr?.error) parts.push(`${kr.label} ERROR ${kr.error}`);
    }
    for (const e of r.efSearch) {
      if (e.error) parts.push(`ef_search ${e.efSearch} ERROR ${e.error}`);
      for (const kr of [e.query, e.queryFiltered]) {
        if (kr?.wrong) parts.push(`ef_search ${e.efSearch}: ${kr.label} WRONG in ${kr.wrong}/${o.queries} calls`);
        if (kr?.error) parts.push(`ef_search ${e.efSearch}: ${kr.label} ERROR ${kr.error}`);
      }
    }
    for (const w of r.warnings) parts.push(`WARNING ${w}`);
    if (r.error) parts.push(`ERROR ${r.error}`);
    if (!r.deleted && r.collectionId) parts.push(`collection ${r.collection} (${r.collectionId}) left in place`);
    if (r.totalMs !== undefined) parts.push(`size run ${fmt(r.totalMs / 1000, 0)} s in all`);
    out.push(`- ${thousands(r.size)} on ${r.engine}: ${parts.join('; ')}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.error(
      'bench:scale: DATABASE_URL is not set. The scale run needs a real PostgreSQL with pgvector, e.g.\n  DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:scale',
    );
    process.exit(2);
  }
  const pg = new PgClient({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  try {
    await pg.connect();
    await pg.query('SELECT 1');
  } catch (err) {
    console.error(`bench:scale: cannot connect to DATABASE_URL: ${message(err)}`);
    process.exit(2);
  }
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      for (const [name, id] of live) {
        console.error(
          `bench:scale: collection ${name} (${id}) is left on DATABASE_URL; to remove it, run the gateway on DATABASE_URL and\n` +
            `  curl -X DELETE http://127.0.0.1:PORT/api/v2/tenants/default_tenant/databases/default_database/collections/${name}`,
        );
      }
    });
  }

  const root = repoRoot();
  const machine = machineInfo();
  const runTag = `${Date.now().toString(36)}_${process.pid}`;
  progress(
    `sizes ${o.sizes.map(thousands).join(', ')} x ${o.dim} dims, ${o.space}, batches of ${o.batch}, ${o.queries} calls per kind, seed ${o.seed}`,
  );

  const results: SizeResult[] = [];
  for (const size of o.sizes) {
    const known: Known = { truths: {} };
    results.push(await runSize(root, databaseUrl, o, size, runTag, pg, 'vecgate', known));
    if (o.chroma) results.push(await runSize(root, databaseUrl, o, size, runTag, pg, 'chroma', known));
  }
  await pg.end().catch(() => {});

  machine['load average at end'] = loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  const gw = results.find((r) => Object.keys(r.gateway.info).length > 0)?.gateway.info ?? {};
  const out: string[] = [];
  out.push(
    `# vecgate scale run: ${o.sizes.map(thousands).join(', ')} records x ${o.dim} dims (${o.space}), batches of ${o.batch}, ${o.queries} calls per kind after ${WARMUP} warm-up calls, seed ${o.seed}`,
  );
  out.push('');
  for (const [k, v] of Object.entries(machine)) out.push(`- ${k}: ${v}`);
  out.push(
    `- gateway: ${
      Object.entries(gw)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || '?'
    }, a fresh process per size`,
  );
  out.push('');
  out.push(reportTable(results));
  out.push('');
  if (o.efSearch.length > 0) {
    out.push(
      `ef_search (the collection's hnsw.ef_search, set with modify; default 100): latency over ${o.queries} calls, recall on the same exact answers`,
    );
    out.push('');
    out.push(efSearchTable(results));
    out.push('');
  }
  out.push(
    `ingest s: the add calls as the client times them. index build s: last add until indexing_status reports op_indexing_progress = 1. ` +
      `peak RSS: the server process (the gateway, or Chroma's) over the whole size run (VmHWM). p50/p99 over ${o.queries} calls. ` +
      `recall@${K}: against exact search in SQL on Postgres (index scans off).`,
  );
  out.push('');
  out.push('notes:');
  out.push(...notes(results, o));
  console.log(out.join('\n'));

  if (o.json) {
    writeFileSync(o.json, JSON.stringify({ machine, options: o, results }, null, 2));
    progress(`wrote ${o.json}`);
  }
  const failed = results.some(
    (r) =>
      r.error ||
      r.warnings.length > 0 ||
      Object.values(r.kinds).some((k) => k?.error || k?.wrong) ||
      r.efSearch.some((e) => e.error || [e.query, e.queryFiltered].some((k) => k?.error || k?.wrong)),
  );
  process.exitCode = failed ? 1 : 0;
}

main().catch((err) => {
  console.error(`bench:scale: ${err?.stack ?? err}`);
  process.exit(1);
});
