/**
 * A Chroma-shaped workload, run with the official chromadb client against vecgate on Postgres,
 * vecgate on embedded PGlite and a Chroma server, plus the gateway's own SQL sent straight to
 * Postgres ("direct SQL"), printed as one table.
 *
 *   node dist/bench/chroma-workload.js [--vecgate URL] [--chroma URL | --no-chroma] [--embedded]
 *        [--records N] [--dim D] [--reps R] [--batch B] [--seed S] [--json out.json] [--smoke]
 *
 * Targets: vecgate on DATABASE_URL (when it is set), vecgate embedded (when DATABASE_URL is unset,
 * or with --embedded), Chroma (unless --no-chroma), direct SQL and the HTTP floor (with
 * DATABASE_URL). Each server is filled alone, the others up and idle; the reads are then timed on
 * every target together, interleaved call by call (runReadsInterleaved), so that a machine whose
 * speed drifts slows them all alike; deletes and count follow, one server at a time. Direct SQL
 * (bench/direct-records.ts) has no server of its own: it reads the collection vecgate-on-Postgres
 * filled, so both read the same table with the same index. The HTTP floor
 * (bench/http-floor-server.ts) answers the same client with the gateway's own response bytes and
 * does nothing else: what the call costs before any server work.
 *
 * Every call is made one at a time and timed from the caller: through the client (HTTP and JSON
 * included) for the servers, from the repository call to its last row for direct SQL.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { ChromaClient, Collection } from 'chromadb';
import { errorMessage as message, Flags, progress, repoRoot } from './cli';
import {
  addBatch,
  BUCKETS,
  CATEGORIES,
  Dataset,
  GroundTruth,
  int,
  PRICE_MAX,
  permutation,
  recordId,
  rng,
  sample,
  SHARDS,
  type AddBatch,
  type BenchMetadata,
} from './data';
import { openDirectSql, type DirectRecords, type DirectSql } from './direct-records';
import { machineInfo, markdown, medianP95, ms, times } from './report';
import {
  external,
  startChromaReference,
  startHttpFloor,
  startVecgate,
  type HttpFloor,
  type Server,
  chromaClientFor as clientFor,
} from './servers';
import { repeat, summarize, timed, type Ingest, type Stats } from './stats';

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  vecgate?: string;
  chroma?: string;
  noChroma: boolean;
  embedded: boolean;
  records: number;
  dim: number;
  reps: number;
  batch: number;
  seed: number;
  json?: string;
  smoke: boolean;
}

const USAGE = `usage: node dist/bench/chroma-workload.js [options]
  --vecgate URL    benchmark a running vecgate instead of starting dist/src/main.js; it takes the
                   Postgres column when DATABASE_URL is set (direct SQL then expects it to run on
                   DATABASE_URL), else the embedded one
  --embedded       with DATABASE_URL: also run vecgate on embedded PGlite (always done without it)
  --chroma URL     benchmark a running Chroma (default: start the chroma-reference devDependency)
  --no-chroma      no Chroma column
  --records N      records to add (default 20000)
  --dim D          embedding dimension (default 384)
  --reps R         timed repetitions per read operation (default 100; deletes use fewer, see the table)
  --batch B        records per add call (default 500)
  --seed S         data seed (default 42)
  --json FILE      also write every sample, setting and check as JSON
  --smoke          tiny run for CI: 1000 records, dim 32, 3 reps (explicit flags still win)
Direct SQL runs when DATABASE_URL is set: the gateway's repository SQL, sent with pg from here.`;

function parseArgs(argv: string[]): Options {
  const flags = new Flags(argv, {
    usage: USAGE,
    switches: ['--no-chroma', '--embedded', '--smoke'],
    valued: ['--vecgate', '--chroma', '--records', '--dim', '--reps', '--seed', '--json', '--batch'],
  });
  const smoke = flags.has('--smoke');
  const options: Options = {
    vecgate: flags.url('--vecgate'),
    chroma: flags.url('--chroma'),
    noChroma: flags.has('--no-chroma'),
    embedded: flags.has('--embedded'),
    records: flags.int('--records', smoke ? 1000 : 20000, 200),
    dim: flags.int('--dim', smoke ? 32 : 384, 2),
    reps: flags.int('--reps', smoke ? 3 : 100, 1),
    batch: flags.int('--batch', 500, 1),
    seed: flags.int('--seed', 42, 0),
    json: flags.string('--json'),
    smoke,
  };
  if (options.chroma && options.noChroma) flags.fail('--chroma and --no-chroma exclude each other');
  return options;
}

// ---------------------------------------------------------------------------------------------
// Calls: what one repetition asks, independent of who answers it

type Where = Record<string, unknown>;

/** The client does not export its Include types; these are `get`'s and `query`'s `include`. */
type GetInclude = NonNullable<NonNullable<Parameters<Collection['get']>[0]>['include']>;
type QueryInclude = NonNullable<Parameters<Collection['query']>[0]['include']>;
const WITHOUT_EMBEDDINGS: GetInclude = ['documents', 'metadatas'];
const WITH_EMBEDDINGS: GetInclude = ['documents', 'metadatas', 'embeddings'];
/** The client's default, spelt out so that direct SQL asks for the same columns. */
const QUERY_INCLUDE: QueryInclude = ['metadatas', 'documents', 'distances'];

type Call =
  | { op: 'get'; ids?: string[]; where?: Where; include: GetInclude }
  | { op: 'query'; vector: number[]; n: number; where?: Where; include: QueryInclude }
  | { op: 'delete'; ids?: string[]; where?: Where }
  | { op: 'count' };

/** What one call returned, kept to check the answers. `rows` is null when the server does not say (Chroma's delete). */
interface Outcome {
  rows: number | null;
  ids: string[];
  metadatas: (Record<string, unknown> | null)[];
}

type Runner = (call: Call) => Promise<Outcome>;

/**
 * `serverCounts`: the server answers a delete with how many records went. The client says 0 when
 * the server does not (Chroma 1.0.0), so there the count is not taken as an answer.
 */
function clientRunner(c: Collection, serverCounts: boolean): Runner {
  return async (call) => {
    switch (call.op) {
      case 'get': {
        const res = await c.get({ ids: call.ids, where: call.where as never, include: call.include });
        return { rows: res.ids.length, ids: res.ids, metadatas: res.metadatas ?? [] };
      }
      case 'query': {
        const res = await c.query({
          queryEmbeddings: [call.vector],
          nResults: call.n,
          where: call.where as never,
          include: call.include,
        });
        const ids = res.ids[0] ?? [];
        return { rows: ids.length, ids, metadatas: res.metadatas?.[0] ?? [] };
      }
      case 'delete': {
        const res = await c.delete({ ids: call.ids, where: call.where as never });
        return { rows: serverCounts ? (res.deleted ?? null) : null, ids: [], metadatas: [] };
      }
      case 'count':
        return { rows: await c.count(), ids: [], metadatas: [] };
    }
  };
}

function directRunner(d: DirectRecords): Runner {
  return async (call) => {
    switch (call.op) {
      case 'get': {
        const rows = await d.get({ ids: call.ids, where: call.where }, call.include);
        return { rows: rows.length, ids: rows.map((r) => r.id), metadatas: rows.map((r) => r.metadata ?? null) };
      }
      case 'query': {
        const rows = await d.query(call.vector, call.n, call.where, call.include);
        return { rows: rows.length, ids: rows.map((r) => r.id), metadatas: rows.map((r) => r.metadata ?? null) };
      }
      case 'delete':
        return { rows: await d.delete({ ids: call.ids, where: call.where }), ids: [], metadatas: [] };
      case 'count':
        return { rows: await d.count(), ids: [], metadatas: [] };
    }
  };
}

// ---------------------------------------------------------------------------------------------
// The workload: each operation and its per-repetition parameters and answers, fixed before any target runs

const K = 10;
/** Reads are timed after this many untimed calls of their first repetition. */
const WARMUP = 2;
/** The gateway's and direct SQL's deletes together remove at most this share of the records. */
const DELETE_BUDGET = 0.3;
const INDEX_READY_TIMEOUT_MS = 600_000;

interface Operation {
  key: string;
  label: string;
  /** Reads run first, then deletes, then count; direct SQL runs its reads before anyone deletes. */
  phase: 'read' | 'delete' | 'count';
  reps: number;
  /** Untimed calls of repetition 0 first; 0 for deletes, which must hit fresh records each time. */
  warmup: number;
  call(i: number): Call;
  /** Direct SQL's calls where they must differ from the servers' (its deletes remove other records). */
  directCall?(i: number): Call;
  /** The right row count (or count, or deleted count) of each repetition, from the data itself. */
  expected: number[];
  directExpected?: number[];
  /** Queries: the exact top K of each repetition, for recall. */
  truth?: string[][];
  /** Queries: how many records match each repetition's filter. */
  matching?: number[];
  /** What the metadata of every record a repetition returns must satisfy. */
  holds?(i: number, m: BenchMetadata): boolean;
}

interface Workload {
  ops: Operation[];
  /** Repetitions of each kind of delete. */
  deleteReps: number;
}

function workload(data: Dataset, o: Options): Workload {
  const n = o.records;
  const reps = o.reps;
  const pick = <T>(stream: string, count: number, make: (r: () => number, i: number) => T): T[] =>
    Array.from({ length: count }, (_, i) => make(rng(o.seed, 'param', stream, i), i));
  const meta = Array.from({ length: n }, (_, i) => data.text(i).metadata);
  const count = (keep: (m: BenchMetadata) => boolean) => meta.reduce((s, m) => s + (keep(m) ? 1 : 0), 0);

  const idSets = pick('get-ids', reps, (r) => sample(r, n, 100).map(recordId));
  const buckets = pick('get-bucket', reps, (r) => int(r, BUCKETS));
  const priceWidth = PRICE_MAX / 100; // 1% of a uniform price
  const priceLows = pick('get-price', reps, (r) => Math.floor(r() * (PRICE_MAX - priceWidth)));
  const rowsPct = (x: number) => `~${Math.round(n * x)} rows`;

  progress('computing exact nearest neighbours for recall');
  const truth = new GroundTruth(data);
  /** A query operation at one selectivity: a vector near a cluster centre and a filter per repetition. */
  const queryOp = <V>(
    key: string,
    label: string,
    values: V[],
    where: (v: V) => Where | undefined,
    keep: (m: BenchMetadata, v: V) => boolean,
  ): Operation => {
    const vectors = pick(`${key}-vector`, reps, (_, i) => data.queryVector(key, i));
    const matching = values.map((v) => count((m) => keep(m, v)));
    return {
      key,
      label,
      phase: 'read',
      reps,
      warmup: WARMUP,
      call: (i) => ({ op: 'query', vector: vectors[i], n: K, where: where(values[i]), include: QUERY_INCLUDE }),
      truth: vectors.map((q, i) => truth.topK(q, K, (j) => keep(meta[j], values[i]))),
      matching,
      expected: matching.map((m) => Math.min(K, m)),
      holds: (i, m) => keep(m, values[i]),
    };
  };

  // Deletes: each repetition removes records no earlier one touched (a slice of one permutation of
  // the ids; a bucket not deleted before), and direct SQL gets slices and buckets of its own after
  // the servers' (reserved in every run, so that the workload does not depend on the targets).
  // Repetitions are added while everything deleted stays within DELETE_BUDGET, so the collection
  // stays near full size; small collections delete fewer ids per call.
  const idsPerDelete = Math.min(100, Math.floor(n / 20));
  const idOrder = permutation(rng(o.seed, 'param', 'delete-ids'), n);
  const bucketOrder = permutation(rng(o.seed, 'param', 'delete-bucket'), BUCKETS);
  const idSlice = (set: number, r: number, i: number) =>
    idOrder.slice((set * r + i) * idsPerDelete, (set * r + i + 1) * idsPerDelete);
  const deletedBy = (r: number) => {
    const gone = new Set<number>();
    for (let set = 0; set < 2; set++) {
      for (let i = 0; i < r; i++) for (const j of idSlice(set, r, i)) gone.add(j);
      const bs = new Set(bucketOrder.slice(set * r, (set + 1) * r));
      meta.forEach((m, j) => bs.has(m.bucket) && gone.add(j));
    }
    return gone.size;
  };
  let deleteReps = 1;
  while (deleteReps < Math.min(reps, 20) && deletedBy(deleteReps + 1) <= DELETE_BUDGET * n) deleteReps++;
  const R = deleteReps;
  const deleteIds = (set: number) => Array.from({ length: R }, (_, i) => idSlice(set, R, i));
  const deleteBuckets = (set: number) => bucketOrder.slice(set * R, (set + 1) * R);
  // In the order they run: the servers' id deletes, their bucket deletes, then direct SQL's.
  const alive = new Set(meta.map((_, j) => j));
  const removeIds = (ids: number[]) => ids.filter((j) => alive.delete(j)).length;
  const removeBucket = (b: number) => removeIds(meta.flatMap((m, j) => (m.bucket === b ? [j] : [])));
  const deletedIds = deleteIds(0).map(removeIds);
  const deletedBuckets = deleteBuckets(0).map(removeBucket);
  const remaining = alive.size;
  const directDeletedIds = deleteIds(1).map(removeIds);
  const directDeletedBuckets = deleteBuckets(1).map(removeBucket);
  const directRemaining = alive.size;
  const idCall =
    (set: number) =>
    (i: number): Call => ({ op: 'delete', ids: deleteIds(set)[i].map(recordId) });
  const bucketCall =
    (set: number) =>
    (i: number): Call => ({ op: 'delete', where: { bucket: deleteBuckets(set)[i] } });

  const categories = pick('q-category-value', reps, (r) => CATEGORIES[int(r, CATEGORIES.length)]);
  const qBuckets = pick('q-bucket-value', reps, (r) => int(r, BUCKETS));
  const shards = pick('q-shard-value', reps, (r) => int(r, SHARDS));
  const inPrice = (m: BenchMetadata, lo: number) => m.price >= lo && m.price < lo + priceWidth;

  const ops: Operation[] = [
    {
      key: 'get_ids',
      label: 'get 100 ids',
      phase: 'read',
      reps,
      warmup: WARMUP,
      call: (i) => ({ op: 'get', ids: idSets[i], include: WITHOUT_EMBEDDINGS }),
      expected: idSets.map(() => 100),
    },
    {
      key: 'get_ids_emb',
      label: 'get 100 ids + embeddings',
      phase: 'read',
      reps,
      warmup: WARMUP,
      call: (i) => ({ op: 'get', ids: idSets[i], include: WITH_EMBEDDINGS }),
      expected: idSets.map(() => 100),
    },
    {
      key: 'get_eq',
      label: `get where bucket = b (1%, ${rowsPct(0.01)})`,
      phase: 'read',
      reps,
      warmup: WARMUP,
      call: (i) => ({ op: 'get', where: { bucket: buckets[i] }, include: WITHOUT_EMBEDDINGS }),
      expected: buckets.map((b) => count((m) => m.bucket === b)),
      holds: (i, m) => m.bucket === buckets[i],
    },
    {
      key: 'get_range',
      label: `get where p <= price < p+${priceWidth} (1%, ${rowsPct(0.01)})`,
      phase: 'read',
      reps,
      warmup: WARMUP,
      call: (i) => ({
        op: 'get',
        where: { $and: [{ price: { $gte: priceLows[i] } }, { price: { $lt: priceLows[i] + priceWidth } }] },
        include: WITHOUT_EMBEDDINGS,
      }),
      expected: priceLows.map((lo) => count((m) => inPrice(m, lo))),
      holds: (i, m) => inPrice(m, priceLows[i]),
    },
    queryOp(
      'query',
      `query top ${K}, no filter (100%)`,
      Array.from({ length: reps }, () => null),
      () => undefined,
      () => true,
    ),
    queryOp(
      'query_10',
      `query top ${K}, category = c (10%)`,
      categories,
      (c) => ({ category: c }),
      (m, c) => m.category === c,
    ),
    queryOp(
      'query_1',
      `query top ${K}, bucket = b (1%)`,
      qBuckets,
      (b) => ({ bucket: b }),
      (m, b) => m.bucket === b,
    ),
    queryOp(
      'query_01',
      `query top ${K}, shard = s (0.1%)`,
      shards,
      (s) => ({ shard: s }),
      (m, s) => m.shard === s,
    ),
    {
      key: 'delete_ids',
      label: `delete ${idsPerDelete} ids`,
      phase: 'delete',
      reps: R,
      warmup: 0,
      call: idCall(0),
      directCall: idCall(1),
      expected: deletedIds,
      directExpected: directDeletedIds,
    },
    {
      key: 'delete_where',
      label: `delete where bucket = b (${rowsPct(0.01)})`,
      phase: 'delete',
      reps: R,
      warmup: 0,
      call: bucketCall(0),
      directCall: bucketCall(1),
      expected: deletedBuckets,
      directExpected: directDeletedBuckets,
    },
    {
      key: 'count',
      label: 'count',
      phase: 'count',
      reps,
      warmup: WARMUP,
      call: () => ({ op: 'count' }),
      expected: Array.from({ length: reps }, () => remaining),
      directExpected: Array.from({ length: reps }, () => directRemaining),
    },
  ];
  return { ops, deleteReps: R };
}

// ---------------------------------------------------------------------------------------------
// Targets

type TargetKey = 'postgres' | 'embedded' | 'chroma' | 'direct' | 'floor';
const TARGETS: { key: TargetKey; title: string }[] = [
  { key: 'postgres', title: 'vecgate (Postgres)' },
  { key: 'embedded', title: 'vecgate embedded' },
  { key: 'chroma', title: 'Chroma' },
  { key: 'direct', title: 'direct SQL' },
  { key: 'floor', title: 'HTTP floor' },
];
const titleOf = (key: TargetKey) => TARGETS.find((t) => t.key === key)!.title;

interface OpResult {
  stats?: Stats;
  samples?: number[];
  outcomes?: Outcome[];
  error?: string;
}

interface TargetResult {
  key: TargetKey;
  url: string;
  info: Record<string, string>;
  ingest?: Ingest;
  /** The HTTP floor: add calls of a few batches (it has no ingest of its own). */
  addBatch?: Stats;
  /** vecgate: from the end of the last add until indexing_status said op_indexing_progress 1. */
  indexReadyMs?: number;
  ops: Record<string, OpResult>;
  /** Wrong answers outside the timed operations. */
  warnings: string[];
  error?: string;
}

function newResult(key: TargetKey, url: string, info: Record<string, string>): TargetResult {
  return { key, url, info: { ...info }, ops: {}, warnings: [] };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Adds the whole dataset in sequential batches, each one timed. Data generation and `prepare`
 * stay outside the timer.
 */
async function ingest<T>(
  label: string,
  data: Dataset,
  o: Options,
  prepare: (batch: AddBatch) => T,
  add: (batch: T) => Promise<unknown>,
): Promise<Ingest> {
  const samples: number[] = [];
  for (let start = 0; start < o.records; start += o.batch) {
    const batch = addBatch(data, start, o.batch);
    const prepared = prepare(batch);
    const { ms: t } = await timed(() => add(prepared));
    samples.push(t);
    const done = start + batch.ids.length;
    if (done % (o.batch * 10) === 0 || done === o.records) progress(`${label}: added ${done}/${o.records}`);
  }
  const totalMs = samples.reduce((s, x) => s + x, 0);
  return {
    records: o.records,
    totalMs,
    recordsPerSecond: (o.records / totalMs) * 1000,
    batch: summarize(samples),
    batchSamples: samples,
  };
}

/**
 * Polls vecgate's indexing_status until everything is indexed: the gateway may build its vector
 * index in the background after a bulk load, and reads timed before then would measure a scan.
 */
async function waitIndexReady(collection: Collection, start: number): Promise<number> {
  let pause = 20;
  for (;;) {
    const status = await collection.getIndexingStatus();
    if (status.op_indexing_progress === 1) return Date.now() - start;
    if (Date.now() - start > INDEX_READY_TIMEOUT_MS) {
      throw new Error(
        `the index was not ready ${INDEX_READY_TIMEOUT_MS / 1000} s after the last add (op_indexing_progress ${status.op_indexing_progress})`,
      );
    }
    await sleep(pause);
    pause = Math.min(250, pause * 2);
  }
}

/** Runs the operations of one phase on one target, one call at a time, into its result's ops (deletes, count). */
async function runPhase(reader: Reader, ops: Operation[], phase: Operation['phase']): Promise<void> {
  const { result } = reader;
  for (const op of ops.filter((x) => x.phase === phase)) {
    const call = (reader.direct && op.directCall) || op.call;
    try {
      await reader.before?.(op);
      const { samples, values } = await repeat(op.reps, op.warmup, (i) => reader.run(call(i)));
      result.ops[op.key] = { stats: summarize(samples), samples, outcomes: reader.keepsOutcomes ? values : undefined };
      progress(`${titleOf(result.key)}: ${op.label}: median ${ms(result.ops[op.key].stats!.median)} ms`);
    } catch (err) {
      result.ops[op.key] = { error: message(err) };
      progress(`${titleOf(result.key)}: ${op.label}: ERROR ${message(err)}`);
    }
  }
}

/**
 * One target as the timed operations see it: how it makes a call, whether it takes direct SQL's
 * calls, and what it must do before an operation's calls (the HTTP floor loads that operation's answer).
 */
interface Reader {
  result: TargetResult;
  run: Runner;
  direct: boolean;
  /** False where the answers are not the target's own (the floor's canned bytes). */
  keepsOutcomes: boolean;
  before?(op: Operation): Promise<void>;
}

/**
 * The reads, timed interleaved call by call: repetition i of an operation goes to every target
 * before repetition i + 1 goes to any, starting with a different target each time. Timed one
 * target after the other, a machine whose speed drifts (a shared VM) made whichever target ran in
 * a slow stretch lose; interleaved, every target sees the same stretches.
 */
async function runReadsInterleaved(readers: Reader[], ops: Operation[]): Promise<void> {
  for (const op of ops.filter((x) => x.phase === 'read')) {
    const live: { reader: Reader; call: (i: number) => Call; samples: number[]; outcomes: Outcome[] }[] = [];
    for (const reader of readers) {
      const call = (reader.direct && op.directCall) || op.call;
      try {
        await reader.before?.(op);
        for (let w = 0; w < op.warmup; w++) await reader.run(call(0));
        live.push({ reader, call, samples: [], outcomes: [] });
      } catch (err) {
        reader.result.ops[op.key] = { error: message(err) };
      }
    }
    const failed = new Set<Reader>();
    for (let i = 0; i < op.reps; i++) {
      for (let k = 0; k < live.length; k++) {
        const target = live[(i + k) % live.length];
        if (failed.has(target.reader)) continue;
        try {
          const { ms: t, value } = await timed(() => target.reader.run(target.call(i)));
          target.samples.push(t);
          target.outcomes.push(value);
        } catch (err) {
          failed.add(target.reader);
          target.reader.result.ops[op.key] = { error: message(err) };
        }
      }
    }
    for (const { reader, samples, outcomes } of live.filter((x) => !failed.has(x.reader))) {
      reader.result.ops[op.key] = {
        stats: summarize(samples),
        samples,
        outcomes: reader.keepsOutcomes ? outcomes : undefined,
      };
    }
    for (const reader of readers) {
      const r = reader.result.ops[op.key];
      progress(
        `${titleOf(reader.result.key)}: ${op.label}: ${r?.stats ? `median ${ms(r.stats.median)} ms` : `ERROR ${r?.error}`}`,
      );
    }
  }
}

/**
 * A target that rides on the gateway-on-Postgres run (direct SQL, the HTTP floor): it reads that
 * gateway's collection, timed among the servers' reads, and has work of its own after the
 * gateway's reads and after its count.
 */
interface Companion {
  /** Once the gateway's collection is filled and indexed: how it takes part in the timed reads (none if it failed). */
  open(collection: Collection, client: ChromaClient, url: string): Promise<Reader | undefined>;
  afterReads(): Promise<void>;
  afterCount(client: ChromaClient, collection: Collection): Promise<void>;
  close(): Promise<void>;
}

/** A server with its collection filled and indexed: what the timed reads and the rest of its run need. */
interface Session {
  result: TargetResult;
  client: ChromaClient;
  collection: Collection;
  url: string;
  reader: Reader;
}

/** Everything before the timed reads: version, collection, ingest, a client's first reads, the index. */
async function openSession(
  key: TargetKey,
  server: Server,
  data: Dataset,
  w: Workload,
  o: Options,
  collectionName: string,
): Promise<{ result: TargetResult; session?: Session }> {
  const result = newResult(key, server.url, server.info);
  const title = titleOf(key);
  const client = clientFor(server.url);
  try {
    result.info['api version'] = await client.version();
  } catch (err) {
    result.error = `version: ${message(err)}`;
    return { result };
  }
  let collection: Collection;
  try {
    collection = await client.createCollection({ name: collectionName, embeddingFunction: null });
  } catch (err) {
    result.error = `create collection: ${message(err)}`;
    return { result };
  }
  try {
    result.ingest = await ingest(
      title,
      data,
      o,
      (b) => b,
      (b) => collection.add(b),
    );
    const loadedAt = Date.now();
    const run = clientRunner(collection, key !== 'chroma');
    // A client's first reads, untimed, on every server: on vecgate the first range filter on a key
    // gets that key an index (docs/storage-and-search.md), which indexing_status then counts as due.
    for (const op of w.ops.filter((x) => x.phase === 'read')) await run(op.call(0));
    if (key !== 'chroma') {
      // Chroma 1.0.0 has no indexing_status: its reads follow the adds at once, as a client's would.
      result.indexReadyMs = await waitIndexReady(collection, loadedAt);
      progress(`${title}: index ready ${(result.indexReadyMs / 1000).toFixed(2)} s after the last add`);
    }
    const count = await collection.count();
    if (count !== o.records) result.warnings.push(`count after ingest is ${count}, expected ${o.records}`);
    return {
      result,
      session: {
        result,
        client,
        collection,
        url: server.url,
        reader: { result, run, direct: false, keepsOutcomes: true },
      },
    };
  } catch (err) {
    result.error = message(err);
    progress(`${title}: ERROR ${result.error}`);
    await dropCollection(client, collectionName, title);
    return { result };
  }
}

/** Everything after the timed reads: the companions' work, deletes, count; then the collection goes. */
async function finishSession(session: Session, w: Workload, companions: Companion[]): Promise<void> {
  const { result, client, collection } = session;
  try {
    for (const c of companions) await c.afterReads();
    await runPhase(session.reader, w.ops, 'delete');
    await runPhase(session.reader, w.ops, 'count');
    for (const c of companions) await c.afterCount(client, collection);
  } catch (err) {
    result.error = message(err);
    progress(`${titleOf(result.key)}: ERROR ${result.error}`);
  } finally {
    await dropCollection(client, collection.name, titleOf(result.key));
  }
}

async function dropCollection(client: ChromaClient, name: string, title: string): Promise<void> {
  await client
    .deleteCollection({ name })
    .catch((err) => progress(`${title}: could not delete ${name}: ${message(err)}`));
}

/**
 * Direct SQL, inside the vecgate-on-Postgres run: the same reads on the gateway's collection,
 * timed among the servers' (before anyone deletes), its own deletes after the gateway's count,
 * then an ingest into a collection of its own.
 */
class DirectRun implements Companion {
  readonly result = newResult('direct', 'DATABASE_URL', {});
  private sql?: DirectSql;
  private reader?: Reader;

  constructor(
    private readonly databaseUrl: string,
    private readonly data: Dataset,
    private readonly w: Workload,
    private readonly o: Options,
    private readonly collectionName: string,
  ) {
    this.result.error = 'not run: vecgate on Postgres failed before its reads were done';
  }

  async open(collection: Collection): Promise<Reader | undefined> {
    this.result.error = undefined;
    try {
      progress('direct SQL: connecting to DATABASE_URL');
      this.sql = await openDirectSql(this.databaseUrl);
      Object.assign(this.result.info, this.sql.info, { collection: collection.id });
      const records = await this.sql.records(collection.id);
      this.reader = { result: this.result, run: directRunner(records), direct: true, keepsOutcomes: true };
      return this.reader;
    } catch (err) {
      this.fail(err);
      return undefined;
    }
  }

  async afterReads(): Promise<void> {}

  async afterCount(client: ChromaClient): Promise<void> {
    if (!this.reader) return;
    await runPhase(this.reader, this.w.ops, 'delete');
    await runPhase(this.reader, this.w.ops, 'count');
    await this.ingest(client).catch((err) => this.fail(err, 'ingest: '));
  }

  /**
   * The gateway creates the collection and fixes its dimension with one probe record (the table
   * and index DDL are the gateway's) and removes the probe; then the batches go in through the
   * repository, untouched by the gateway.
   */
  private async ingest(client: ChromaClient): Promise<void> {
    const name = `${this.collectionName}_direct`;
    const collection = await client.createCollection({ name, embeddingFunction: null });
    try {
      await collection.add({ ids: ['probe'], embeddings: [this.data.record(0).embedding] });
      await collection.delete({ ids: ['probe'] });
      const records = await this.sql!.records(collection.id);
      this.result.ingest = await ingest(
        'direct SQL',
        this.data,
        this.o,
        (b) => records.prepareAdd(b),
        (p) => records.add(p),
      );
      const count = await records.count();
      if (count !== this.o.records)
        this.result.warnings.push(`count after its ingest is ${count}, expected ${this.o.records}`);
    } finally {
      await dropCollection(client, name, 'direct SQL');
    }
  }

  async close(): Promise<void> {
    await this.sql?.close();
  }

  private fail(err: unknown, prefix = ''): void {
    this.result.error = `${prefix}${message(err)}`;
    progress(`direct SQL: ERROR ${this.result.error}`);
  }
}

/** What the server answered to the one client call `work` makes (the last one, if it makes more). */
async function captureResponse(work: () => Promise<unknown>): Promise<{ status: number; body: string }> {
  const original = globalThis.fetch;
  let captured: { status: number; body: string } | undefined;
  // The chromadb client calls the global fetch at each request: wrap it for this one call.
  globalThis.fetch = async (input, init) => {
    const res = await original(input, init);
    captured = { status: res.status, body: await res.clone().text() };
    return res;
  };
  try {
    await work();
  } finally {
    globalThis.fetch = original;
  }
  if (!captured) throw new Error('the client made no HTTP call');
  return captured;
}

/**
 * The HTTP floor, inside the vecgate-on-Postgres run: for each read (and count), the gateway's
 * answer to its first call is taken, and the same client then calls a bare node:http server that
 * answers every call with those bytes (bench/http-floor-server.ts), timed among the servers'
 * reads; then a few add batches, answered as the gateway answers an add. Its times are what the
 * client, loopback HTTP and JSON of that size cost with no server work at all: floor + direct SQL
 * is the best any HTTP server in front of Postgres could do, and vecgate - floor - direct SQL is
 * the gateway's own cost (a difference of medians: noise can make it slightly negative in a smoke run).
 */
class FloorRun implements Companion {
  readonly result = newResult('floor', '', {});
  private floor?: HttpFloor;
  private collection?: Collection;
  private gateway?: Runner;
  private reader?: Reader;

  constructor(
    private readonly root: string,
    private readonly data: Dataset,
    private readonly w: Workload,
    private readonly o: Options,
  ) {
    this.result.error = 'not run: vecgate on Postgres failed before its reads were done';
  }

  async open(collection: Collection, client: ChromaClient, url: string): Promise<Reader | undefined> {
    this.result.error = undefined;
    try {
      progress('HTTP floor: starting');
      this.floor = await startHttpFloor(this.root);
      this.result.url = this.floor.url;
      Object.assign(this.result.info, this.floor.info);
      const floorClient = clientFor(this.floor.url);
      // The client asks the server once whether it takes base64 embeddings: give it the gateway's answer.
      const preflight = await captureResponse(() => clientFor(url).getPreflightChecks());
      await this.floor.setCanned(preflight.status, preflight.body);
      await floorClient.getPreflightChecks();
      const described = await captureResponse(() =>
        client.getCollection({ name: collection.name, embeddingFunction: null as never }),
      );
      await this.floor.setCanned(described.status, described.body);
      this.collection = await floorClient.getCollection({ name: collection.name, embeddingFunction: null as never });
      this.gateway = clientRunner(collection, true);
      // No outcomes: the floor answers every call with the first call's records.
      this.reader = {
        result: this.result,
        run: clientRunner(this.collection, true),
        direct: false,
        keepsOutcomes: false,
        before: (op) => this.load(op),
      };
      return this.reader;
    } catch (err) {
      this.fail(err);
      return undefined;
    }
  }

  /** The gateway's answer to the operation's first call becomes the floor's answer to every call. */
  private async load(op: Operation): Promise<void> {
    const answer = await captureResponse(() => this.gateway!(op.call(0)));
    await this.floor!.setCanned(answer.status, answer.body);
  }

  async afterReads(): Promise<void> {
    if (this.collection) await this.adds().catch((err) => this.fail(err));
  }

  /** A few batches of the ingest, sent to the floor as to the gateway (which answers an add with `{}`, 201). */
  private async adds(): Promise<void> {
    await this.floor!.setCanned(201, '{}');
    const batches = Math.min(10, Math.ceil(this.o.records / this.o.batch));
    const samples: number[] = [];
    for (let b = 0; b < batches; b++) {
      const batch = addBatch(this.data, b * this.o.batch, this.o.batch);
      samples.push((await timed(() => this.collection!.add(batch))).ms);
    }
    this.result.addBatch = summarize(samples);
    progress(
      `HTTP floor: add a batch of ${this.o.batch}: median ${ms(this.result.addBatch.median)} ms over ${batches} batches`,
    );
  }

  async afterCount(): Promise<void> {
    if (this.reader) await runPhase(this.reader, this.w.ops, 'count');
  }

  async close(): Promise<void> {
    await this.floor?.stop();
  }

  private fail(err: unknown): void {
    this.result.error = message(err);
    progress(`HTTP floor: ERROR ${this.result.error}`);
  }
}

/** Starts a target's server, or says why it did not start. */
async function startTarget(key: TargetKey, start: () => Promise<Server>): Promise<Server | TargetResult> {
  const title = titleOf(key);
  try {
    progress(`starting ${title}`);
    const server = await start();
    progress(`${title} up at ${server.url}`);
    return server;
  } catch (err) {
    progress(`${title} did not start: ${message(err)}`);
    return { ...newResult(key, '', {}), error: `did not start: ${message(err)}` };
  }
}

// ---------------------------------------------------------------------------------------------
// Checks: every answer against the data

function recall(found: string[][], truth: string[][]): number {
  const hits = found.reduce((s, ids, i) => s + ids.filter((id) => truth[i].includes(id)).length, 0);
  const wanted = truth.reduce((s, ids) => s + ids.length, 0);
  return wanted === 0 ? 1 : hits / wanted;
}

const percent = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The recall of a target on a query operation, or undefined when it has no answers. */
function recallOf(t: TargetResult | undefined, op: Operation): number | undefined {
  const outcomes = t?.ops[op.key]?.outcomes;
  return outcomes && op.truth
    ? recall(
        outcomes.map((x) => x.ids),
        op.truth,
      )
    : undefined;
}

/** The repetitions whose row count (or count) was not the expected one. */
function wrongCalls(t: TargetResult, op: Operation): number[] {
  const expected = (t.key === 'direct' && op.directExpected) || op.expected;
  return (t.ops[op.key]?.outcomes ?? [])
    .map((x, i) => (x.rows !== null && x.rows !== expected[i] ? i : -1))
    .filter((i) => i >= 0);
}

function checks(w: Workload, targets: TargetResult[]): { ok: string[]; wrong: string[] } {
  const ok: string[] = [];
  const wrong: string[] = [];
  for (const t of targets) {
    const title = titleOf(t.key);
    for (const op of w.ops) {
      const outcomes = t.ops[op.key]?.outcomes;
      if (!outcomes) continue;
      const off = wrongCalls(t, op);
      if (off.length > 0) {
        const i = off[0];
        const expected = ((t.key === 'direct' && op.directExpected) || op.expected)[i];
        const what = op.truth ? `exactly min(${K}, matching) = ${expected} results` : `${expected}`;
        wrong.push(
          `${title}: ${op.label}: ${off.length}/${outcomes.length} calls wrong (e.g. ${outcomes[i].rows} rows, expected ${what})`,
        );
      }
      if (op.holds) {
        const outside = outcomes.reduce(
          (s, x, i) => s + x.metadatas.filter((m) => !m || !op.holds!(i, m as BenchMetadata)).length,
          0,
        );
        if (outside > 0) wrong.push(`${title}: ${op.label}: ${outside} returned records do NOT satisfy the filter`);
      }
    }
  }

  // One line per query operation: how many records match, the result-count check, each target's recall.
  for (const op of w.ops.filter((x) => x.truth)) {
    const ran = targets.filter((t) => t.ops[op.key]?.outcomes);
    if (ran.length === 0) continue;
    const m = op.matching!;
    const matching = Math.min(...m) === Math.max(...m) ? `${m[0]}` : `${Math.min(...m)}-${Math.max(...m)}`;
    const exact = ran.every((t) => wrongCalls(t, op).length === 0)
      ? `exactly min(${K}, matching) results in every call`
      : 'result counts WRONG (below)';
    const recalls = ran.map((t) => `${titleOf(t.key)} ${percent(recallOf(t, op)!)}`).join(', ');
    ok.push(`${op.label}: ${matching} records match per call; ${exact}; recall@${K} against exact search: ${recalls}`);
  }
  const count = w.ops.find((op) => op.key === 'count')!;
  const counts = targets
    .filter((t) => t.ops.count?.outcomes)
    .map((t) => `${titleOf(t.key)} ${t.ops.count.outcomes![0].rows}`);
  if (counts.length > 0) {
    const direct = targets.some((t) => t.key === 'direct' && t.ops.count?.outcomes)
      ? `; direct SQL ${count.directExpected![0]}, after its own deletes too`
      : '';
    ok.push(`count after the deletes: ${counts.join(', ')} (expected ${count.expected[0]}${direct})`);
  }
  for (const t of targets) for (const warning of t.warnings) wrong.push(`${titleOf(t.key)}: ${warning}`);
  const answered = targets.some((t) => Object.values(t.ops).some((r) => r.outcomes));
  if (answered && wrong.length === 0) {
    ok.unshift(
      `every get, query and count answered the expected number of rows (queries: exactly min(${K}, matching)), every delete that reports a count removed what it should, and every returned record satisfied its filter`,
    );
  }
  return { ok, wrong };
}

// ---------------------------------------------------------------------------------------------
// The report

/** A table cell: its text, and the number ratios are taken of (absent: no ratio). */
interface Cell {
  text: string;
  value?: number;
}

interface TableRow {
  operation: string;
  cells: Partial<Record<TargetKey, Cell>>;
  recall?: string;
}

/** The one table of the run: a column per target, then the ratios of the medians and recall. */
function resultTable(
  o: Options,
  w: Workload,
  results: Partial<Record<TargetKey, TargetResult>>,
  vecgate: TargetKey,
): string {
  const all = TARGETS.map((t) => results[t.key]).filter((t): t is TargetResult => !!t);
  const failed = (t: TargetResult): Cell | undefined => (t.error ? { text: 'error' } : undefined);
  const timing = (s: Stats | undefined, t: TargetResult, error?: string): Cell | undefined =>
    s ? { text: medianP95(s), value: s.median } : error ? { text: 'error' } : failed(t);

  const rows: TableRow[] = [];
  const row = (operation: string, cell: (t: TargetResult) => Cell | undefined, recallText?: string) => {
    const cells: TableRow['cells'] = {};
    for (const t of all) cells[t.key] = cell(t);
    rows.push({ operation, cells, recall: recallText });
  };
  row(`add a batch of ${o.batch} (${Math.ceil(o.records / o.batch)} batches)`, (t) =>
    timing(t.ingest?.batch ?? t.addBatch, t),
  );
  row('ingest: total s (records/s)', (t) =>
    t.ingest
      ? {
          text: `${(t.ingest.totalMs / 1000).toFixed(2)} (${Math.round(t.ingest.recordsPerSecond)}/s)`,
          value: t.ingest.totalMs,
        }
      : failed(t),
  );
  // No ratios: the wait is a poll interval or two unless the gateway really builds in the background.
  row('index ready after the last add, s', (t) =>
    t.indexReadyMs !== undefined
      ? { text: (t.indexReadyMs / 1000).toFixed(2) }
      : t.key === 'chroma' || t.key === 'direct'
        ? { text: 'n/a' }
        : failed(t),
  );
  for (const op of w.ops) {
    let recallText: string | undefined;
    if (op.truth) {
      const v = recallOf(results[vecgate], op);
      const c = recallOf(results.chroma, op);
      recallText = `${v === undefined ? '-' : percent(v)}${c === undefined ? '' : ` (Chroma ${percent(c)})`}`;
    }
    const reps = op.reps !== o.reps ? ` [${op.reps} reps]` : '';
    row(`${op.label}${reps}`, (t) => timing(t.ops[op.key]?.stats, t, t.ops[op.key]?.error), recallText);
  }

  const header = [
    'operation',
    ...TARGETS.map((t) => t.title),
    'vecgate/Chroma',
    'vecgate/direct',
    '(floor+direct)/direct',
    "gateway's own ms",
    'embedded/Postgres',
    `recall@${K}`,
  ];
  const body = rows.map((r) => {
    const value = (k: TargetKey) => r.cells[k]?.value;
    const [pg, direct, floor] = [value('postgres'), value('direct'), value('floor')];
    return [
      r.operation,
      ...TARGETS.map((t) => r.cells[t.key]?.text ?? '-'),
      times(value(vecgate), value('chroma')),
      times(pg, direct),
      // The best vecgate/direct any HTTP server could reach: the call itself, plus the SQL.
      floor !== undefined && direct !== undefined ? times(floor + direct, direct) : '-',
      // What the gateway adds beyond any HTTP call and the SQL itself.
      floor !== undefined && pg !== undefined && direct !== undefined ? ms(pg - floor - direct) : '-',
      times(value('embedded'), value('postgres')),
      r.recall ?? '',
    ];
  });
  return markdown(header, body);
}

function describeTargets(targets: TargetResult[]): string[] {
  return targets.map((t) => {
    const details = Object.entries(t.info)
      // The gateway's JSON log line can leave its closing quote and brace on the version.
      .map(([k, v]) => `${k} ${k === 'pgvector' ? v.replace(/["}]+$/, '') : v}`)
      .join(', ');
    return `- ${titleOf(t.key)}: ${t.url || '(not started)'}${details ? ` (${details})` : ''}`;
  });
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const root = repoRoot(__dirname);
  const machine = machineInfo();
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const collectionName = `bench_${Date.now().toString(36)}_${process.pid}`;
  progress(
    `${o.records} records x ${o.dim} dims in batches of ${o.batch}, ${o.reps} reps, collection ${collectionName}`,
  );
  const data = new Dataset(o.seed, o.records, o.dim);
  const w = workload(data, o);

  const results: Partial<Record<TargetKey, TargetResult>> = {};
  // --vecgate stands in for the gateway of one column: Postgres when DATABASE_URL is set, else embedded.
  const externalKey: TargetKey = databaseUrl ? 'postgres' : 'embedded';
  const servers: { key: TargetKey; start: () => Promise<Server>; note?: [string, string] }[] = [];
  const vecgate = (key: TargetKey, start: () => Promise<Server>) => {
    const given = key === externalKey ? o.vecgate : undefined;
    servers.push(
      given
        ? { key, start: () => Promise.resolve(external(given)), note: ['backend', 'external (given by --vecgate)'] }
        : { key, start },
    );
  };
  if (databaseUrl) vecgate('postgres', () => startVecgate(root, { databaseUrl }));
  if (!databaseUrl || o.embedded) vecgate('embedded', () => startVecgate(root, { databaseUrl: null }));
  if (!o.noChroma) {
    servers.push(
      o.chroma
        ? {
            key: 'chroma',
            start: () => Promise.resolve(external(o.chroma!)),
            note: ['server', 'external (given by --chroma)'],
          }
        : { key: 'chroma', start: () => startChromaReference(root) },
    );
  }
  const direct = databaseUrl ? new DirectRun(databaseUrl, data, w, o, collectionName) : undefined;
  const floor = databaseUrl ? new FloorRun(root, data, w, o) : undefined;
  const companions: Companion[] = [direct, floor].filter((c): c is DirectRun | FloorRun => !!c);

  // Each server is filled alone (the others up and idle), then all of them and the companions are
  // timed on the reads together, interleaved; deletes and count follow, one server at a time.
  const started: Server[] = [];
  const sessions: Session[] = [];
  try {
    for (const { key, start, note } of servers) {
      const server = await startTarget(key, start);
      if (!('stop' in server)) {
        results[key] = server;
        continue;
      }
      started.push(server);
      const { result, session } = await openSession(key, server, data, w, o, collectionName);
      if (note) result.info[note[0]] = note[1];
      results[key] = result;
      if (session) sessions.push(session);
    }
    const readers: Reader[] = sessions.map((s) => s.reader);
    const gateway = sessions.find((s) => s.result.key === 'postgres');
    if (gateway) {
      for (const c of companions) {
        const reader = await c.open(gateway.collection, gateway.client, gateway.url);
        if (reader) readers.push(reader);
      }
    }
    await runReadsInterleaved(readers, w.ops);
    while (sessions.length > 0) {
      const s = sessions.shift()!;
      await finishSession(s, w, s === gateway ? companions : []);
    }
  } finally {
    // Sessions left here were cut short by an error: their collections go all the same.
    for (const s of sessions) await dropCollection(s.client, s.collection.name, titleOf(s.result.key));
    for (const c of companions) await c.close().catch(() => {});
    for (const server of started) await server.stop();
  }
  if (direct) results.direct = direct.result;
  if (floor) results.floor = floor.result;
  machine['load average at end'] = loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

  const all = TARGETS.map((t) => results[t.key]).filter((t): t is TargetResult => !!t);
  // The vecgate compared with Chroma: on Postgres when this run has it, else embedded.
  const vecgateKey: TargetKey = results.postgres ? 'postgres' : 'embedded';
  const table = resultTable(o, w, results, vecgateKey);
  const { ok, wrong } = checks(w, all);
  const out: string[] = [];
  out.push(
    `# vecgate vs Chroma vs direct SQL: ${o.records} records x ${o.dim} dims, batches of ${o.batch}, ${o.reps} reps per read (after ${WARMUP} warm-up calls), seed ${o.seed}${o.smoke ? ' (smoke)' : ''}`,
    '',
  );
  for (const [k, val] of Object.entries(machine)) out.push(`- ${k}: ${val}`);
  out.push(...describeTargets(all), '');
  out.push(
    `cells: median ms (p95 ms); ratios: of the medians, vecgate/Chroma with ${titleOf(vecgateKey)}; recall@${K}: ${titleOf(vecgateKey)} (Chroma)`,
    '',
  );
  out.push(table, '', 'ingest (one client, sequential batches):');
  for (const t of all.filter((x) => x.key !== 'floor')) {
    const i = t.ingest;
    const ready =
      t.indexReadyMs !== undefined ? `, index ready ${(t.indexReadyMs / 1000).toFixed(2)} s after the last add` : '';
    out.push(
      `- ${titleOf(t.key)}: ${i ? `${(i.totalMs / 1000).toFixed(2)} s, ${Math.round(i.recordsPerSecond)} records/s, batch median ${ms(i.batch.median)} ms${ready}` : 'none'}`,
    );
  }
  out.push(
    `- deletes: ${w.deleteReps} of each kind by the servers, as many more of other records by direct SQL (at most ${DELETE_BUDGET * 100}% of the records in all)`,
  );
  out.push('', 'checks:');
  for (const line of ok) out.push(`- ${line}`);
  for (const line of wrong) out.push(`- WRONG: ${line}`);
  for (const t of all) {
    if (t.error) out.push(`- ${titleOf(t.key)} ERROR: ${t.error}`);
    for (const op of w.ops)
      if (t.ops[op.key]?.error) out.push(`- ${titleOf(t.key)} "${op.label}" ERROR: ${t.ops[op.key].error}`);
  }
  console.log(out.join('\n'));

  if (o.json) {
    const strip = (t?: TargetResult) =>
      t && {
        ...t,
        ops: Object.fromEntries(
          Object.entries(t.ops).map(([k, r]) => [
            k,
            { stats: r.stats, samples: r.samples, rows: r.outcomes?.map((x) => x.rows), error: r.error },
          ]),
        ),
      };
    const recalls = Object.fromEntries(
      w.ops
        .filter((op) => op.truth)
        .map((op) => [op.key, Object.fromEntries(all.map((t) => [t.key, recallOf(t, op)]))]),
    );
    writeFileSync(
      o.json,
      JSON.stringify(
        {
          machine,
          options: o,
          collection: collectionName,
          deleteReps: w.deleteReps,
          targets: Object.fromEntries(all.map((t) => [t.key, strip(t)])),
          recall: recalls,
          table,
          checks: { ok, wrong },
        },
        null,
        2,
      ),
    );
    progress(`wrote ${o.json}`);
  }

  const failed = all.some((t) => t.error || Object.values(t.ops).some((r) => r.error)) || wrong.length > 0;
  process.exitCode = failed ? 1 : 0;
}

main().catch((err) => {
  console.error(`bench: ${err?.stack ?? err}`);
  process.exit(1);
});
