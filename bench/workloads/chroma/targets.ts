/**
 * The Chroma workload's targets: the servers (each filled alone, then read), and the two that ride
 * on the gateway-on-Postgres run: direct SQL and the HTTP floor.
 */
import type { ChromaClient, Collection } from 'chromadb';
import {
  chromaClient,
  chromaRunner,
  dropCollection,
  waitIndexed,
  type Outcome,
  type Runner,
} from '../../clients/chroma';
import { addBatch, type Dataset } from '../../data';
import { errorMessage, failed, progress } from '../../report';
import type { Server } from '../../servers/start';
import {
  ingest,
  ingestProgress,
  opResult,
  repeatInterleaved,
  type Ingest,
  type OpResult,
  type Stats,
} from '../../stats';
import type { Companion } from './companions';
import type { Operation, Plan } from './plan';

export type TargetKey = 'postgres' | 'embedded' | 'chroma' | 'direct' | 'floor';
export const TITLES: Record<TargetKey, string> = {
  postgres: 'vecgate (Postgres)',
  embedded: 'vecgate embedded',
  chroma: 'Chroma',
  direct: 'direct SQL',
  floor: 'HTTP floor',
};
export const KEYS = Object.keys(TITLES) as TargetKey[];
const INDEX_READY_TIMEOUT_MS = 600_000;

export interface TargetResult {
  key: TargetKey;
  url: string;
  info: Record<string, string>;
  ingest?: Ingest;
  /** The HTTP floor: add calls of a few batches (it has no ingest of its own). */
  addBatch?: Stats;
  /** vecgate: from the end of the last add until indexing_status said op_indexing_progress 1. */
  indexReadyMs?: number;
  ops: Record<string, OpResult<Outcome>>;
  /** Wrong answers outside the timed operations. */
  warnings: string[];
  error?: string;
}

export const newResult = (key: TargetKey, url = '', info: Record<string, string> = {}): TargetResult => ({
  key,
  url,
  info: { ...info },
  ops: {},
  warnings: [],
});

export interface Settings {
  records: number;
  batch: number;
}

/** Adds the whole dataset in timed batches of `o.batch`; the batches' making and `prepare` are untimed. */
export const ingestAll = <T>(
  who: string,
  data: Dataset,
  o: Settings,
  prepare: (b: ReturnType<typeof addBatch>) => T,
  add: (b: T) => Promise<unknown>,
) =>
  ingest(
    o.records,
    o.batch,
    (start, size) => prepare(addBatch(data, start, size)),
    add,
    ingestProgress(who, o.records, o.batch, 10),
  );

/**
 * One target as the timed operations see it: how it makes a call, whether it takes direct SQL's
 * calls, and what it must do before an operation's calls (the HTTP floor loads that operation's answer).
 */
export interface Reader {
  result: TargetResult;
  run: Runner;
  direct: boolean;
  /** False where the answers are not the target's own (the floor's canned bytes). */
  keepsOutcomes: boolean;
  before?(op: Operation): Promise<void>;
}

const callOf = (reader: Reader, op: Operation) => (reader.direct && op.directCall) || op.call;

/**
 * The operations of one phase on the readers together, interleaved call by call (repeatInterleaved):
 * the reads on every target at once, deletes and count on one target at a time.
 */
export async function runPhase(readers: Reader[], ops: Operation[], phase: Operation['phase']): Promise<void> {
  for (const op of ops.filter((x) => x.phase === phase)) {
    const callers = readers.map((reader) => ({
      before: reader.before && (() => reader.before!(op)),
      call: (i: number) => reader.run(callOf(reader, op)(i)),
    }));
    const runs = await repeatInterleaved(callers, op.reps, op.warmup);
    runs.forEach((run, j) => {
      const r = opResult(TITLES[readers[j].result.key], op.label, run);
      readers[j].result.ops[op.key] = readers[j].keepsOutcomes ? r : { ...r, values: undefined };
    });
  }
}

/** A server with its collection filled and indexed: what the timed reads and the rest of its run need. */
export interface Session {
  result: TargetResult;
  client: ChromaClient;
  collection: Collection;
  url: string;
  reader: Reader;
}

/** Everything before the timed reads: version, collection, ingest, a client's first reads, the index. */
export async function openSession(
  key: TargetKey,
  server: Server,
  data: Dataset,
  p: Plan,
  o: Settings,
  name: string,
): Promise<{ result: TargetResult; session?: Session }> {
  const result = newResult(key, server.url, server.info);
  const title = TITLES[key];
  const client = chromaClient(server.url);
  let collection: Collection;
  try {
    result.info['api version'] = await client.version();
    collection = await client.createCollection({ name, embeddingFunction: null });
  } catch (err) {
    result.error = `${result.info['api version'] ? 'create collection' : 'version'}: ${errorMessage(err)}`;
    return { result };
  }
  try {
    result.ingest = await ingestAll(
      title,
      data,
      o,
      (b) => b,
      (b) => collection.add(b),
    );
    const loadedAt = Date.now();
    const run = chromaRunner(collection, key !== 'chroma');
    // A client's first reads, untimed, on every server: on vecgate the first range filter on a key
    // gets that key an index (docs/storage-and-search.md), which indexing_status then counts as due.
    for (const op of p.ops.filter((x) => x.phase === 'read')) await run(op.call(0));
    if (key !== 'chroma') {
      // Chroma 1.0.0 has no indexing_status: its reads follow the adds at once, as a client's would.
      result.indexReadyMs = (await waitIndexed(collection, INDEX_READY_TIMEOUT_MS, loadedAt)).ms;
      progress(`${title}: index ready ${(result.indexReadyMs / 1000).toFixed(2)} s after the last add`);
    }
    const count = await collection.count();
    if (count !== o.records) result.warnings.push(`count after ingest is ${count}, expected ${o.records}`);
    const reader = { result, run, direct: false, keepsOutcomes: true };
    return { result, session: { result, client, collection, url: server.url, reader } };
  } catch (err) {
    failed(result, title, err);
    await dropCollection(client, name, title);
    return { result };
  }
}

/** Everything after the timed reads: the companions' work, deletes, count; then the collection goes. */
export async function finishSession(s: Session, p: Plan, companions: Companion[]): Promise<void> {
  try {
    for (const c of companions) await c.afterReads();
    await runPhase([s.reader], p.ops, 'delete');
    await runPhase([s.reader], p.ops, 'count');
    for (const c of companions) await c.afterCount();
  } catch (err) {
    failed(s.result, TITLES[s.result.key], err);
  } finally {
    await dropCollection(s.client, s.collection.name, TITLES[s.result.key]);
  }
}
