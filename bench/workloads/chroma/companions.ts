/**
 * The targets that ride on the gateway-on-Postgres run of the Chroma workload: direct SQL and the
 * HTTP floor. Each reads the gateway's collection, timed among the servers' reads, and has work
 * of its own after the gateway's reads and after its count.
 */
import {
  captureResponse,
  chromaClient,
  chromaRunner,
  dropCollection,
  type Outcome,
  type Runner,
} from '../../clients/chroma';
import { addBatch, type Dataset } from '../../data';
import { failed, ms, progress } from '../../report';
import { startHttpFloor } from '../../servers/start';
import { openDirectSql, type DirectRecords, type DirectSql } from '../../sql/records';
import { summarize, timed } from '../../stats';
import type { Operation, Plan } from './plan';
import {
  ingestAll,
  newResult,
  runPhase,
  TITLES,
  type Reader,
  type Session,
  type Settings,
  type TargetResult,
} from './targets';

export interface Companion {
  result: TargetResult;
  /** How it takes part in the timed reads (none if it failed to open). */
  reader?: Reader;
  afterReads(): Promise<void>;
  afterCount(): Promise<void>;
  close(): Promise<void>;
}

const fail = (result: TargetResult, err: unknown, prefix = '') => failed(result, TITLES[result.key], err, prefix);

/** A companion that does nothing after the reads; `open` fills in its reader and its work. */
const companion = (result: TargetResult, close: () => Promise<unknown>): Companion => ({
  result,
  afterReads: async () => {},
  afterCount: async () => {},
  close: async () => void (await close()),
});

function directRunner(d: DirectRecords): Runner {
  const rows = (list: { id: string; metadata?: Record<string, unknown> | null }[]): Outcome => ({
    rows: list.length,
    ids: list.map((r) => r.id),
    metadatas: list.map((r) => r.metadata ?? null),
  });
  return async (call) => {
    switch (call.op) {
      case 'get':
        return rows(await d.get({ ids: call.ids, where: call.where }, call.include));
      case 'query':
        return rows(await d.query(call.vector, call.n, call.where, call.include));
      case 'delete':
        return { rows: await d.delete({ ids: call.ids, where: call.where }), ids: [], metadatas: [] };
      case 'count':
        return { rows: await d.count(), ids: [], metadatas: [] };
    }
  };
}

/**
 * Direct SQL (bench/sql/records.ts): the same reads on the gateway's collection, timed among the
 * servers' (before anyone deletes), its own deletes after the gateway's count, then an ingest into
 * a collection of its own: the gateway creates it and fixes its dimension with one probe record
 * (the table and index DDL are the gateway's) and removes the probe; then the batches go in
 * through the repository, untouched by the gateway.
 */
export async function openDirect(
  databaseUrl: string,
  gateway: Session,
  data: Dataset,
  p: Plan,
  o: Settings,
): Promise<Companion> {
  const result = newResult('direct', 'DATABASE_URL');
  let sql: DirectSql | undefined;
  const c = companion(result, async () => sql?.close());
  try {
    progress('direct SQL: connecting to DATABASE_URL');
    sql = await openDirectSql(databaseUrl);
    Object.assign(result.info, sql.info, { collection: gateway.collection.id });
    c.reader = {
      result,
      run: directRunner(await sql.records(gateway.collection.id)),
      direct: true,
      keepsOutcomes: true,
    };
  } catch (err) {
    fail(result, err);
    return c;
  }
  const ingest = async (name: string) => {
    const collection = await gateway.client.createCollection({ name, embeddingFunction: null });
    try {
      await collection.add({ ids: ['probe'], embeddings: [data.record(0).embedding] });
      await collection.delete({ ids: ['probe'] });
      const records = await sql!.records(collection.id);
      result.ingest = await ingestAll(
        'direct SQL',
        data,
        o,
        (b) => records.prepareAdd(b),
        (b) => records.add(b),
      );
      const count = await records.count();
      if (count !== o.records) result.warnings.push(`count after its ingest is ${count}, expected ${o.records}`);
    } finally {
      await dropCollection(gateway.client, name, 'direct SQL');
    }
  };
  c.afterCount = async () => {
    await runPhase([c.reader!], p.ops, 'delete');
    await runPhase([c.reader!], p.ops, 'count');
    await ingest(`${gateway.collection.name}_direct`).catch((err) => fail(result, err, 'ingest: '));
  };
  return c;
}

/**
 * The HTTP floor: for each read (and count), the gateway's answer to its first call is taken, and
 * the same client then calls a bare node:http server that answers every call with those bytes
 * (bench/servers/http-floor.ts), timed among the servers' reads; then a few add batches, answered
 * as the gateway answers an add. Its times are what the client, loopback HTTP and JSON of that
 * size cost with no server work at all: floor + direct SQL is the best any HTTP server in front of
 * Postgres could do, and vecgate - floor - direct SQL is the gateway's own cost (a difference of
 * medians: noise can make it slightly negative in a smoke run).
 */
export async function openFloor(gateway: Session, data: Dataset, p: Plan, o: Settings): Promise<Companion> {
  const result = newResult('floor');
  let stop = async () => {};
  const c = companion(result, () => stop());
  try {
    progress('HTTP floor: starting');
    const floor = await startHttpFloor();
    stop = floor.stop;
    result.url = floor.url;
    Object.assign(result.info, floor.info);
    const floorClient = chromaClient(floor.url);
    // The client asks the server once whether it takes base64 embeddings: give it the gateway's answer.
    const preflight = await captureResponse(() => chromaClient(gateway.url).getPreflightChecks());
    await floor.setCanned(preflight.status, preflight.body);
    await floorClient.getPreflightChecks();
    const name = gateway.collection.name;
    const described = await captureResponse(() =>
      gateway.client.getCollection({ name, embeddingFunction: null as never }),
    );
    await floor.setCanned(described.status, described.body);
    const collection = await floorClient.getCollection({ name, embeddingFunction: null as never });
    const theGateway = chromaRunner(gateway.collection);
    // The gateway's answer to the operation's first call becomes the floor's answer to every call.
    const before = async (op: Operation) => {
      const answer = await captureResponse(() => theGateway(op.call(0)));
      await floor.setCanned(answer.status, answer.body);
    };
    // No outcomes: the floor answers every call with the first call's records.
    c.reader = { result, run: chromaRunner(collection), direct: false, keepsOutcomes: false, before };
    c.afterReads = async () => {
      try {
        await floor.setCanned(201, '{}');
        const batches = Math.min(10, Math.ceil(o.records / o.batch));
        const samples: number[] = [];
        for (let b = 0; b < batches; b++) {
          const batch = addBatch(data, b * o.batch, o.batch);
          samples.push((await timed(() => collection.add(batch))).ms);
        }
        result.addBatch = summarize(samples);
        progress(
          `HTTP floor: add a batch of ${o.batch}: median ${ms(result.addBatch.median)} ms over ${batches} batches`,
        );
      } catch (err) {
        fail(result, err);
      }
    };
    c.afterCount = () => runPhase([c.reader!], p.ops, 'count');
  } catch (err) {
    fail(result, err);
  }
  return c;
}
