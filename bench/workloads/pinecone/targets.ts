/** The Pinecone workload's two targets (vecgate through the client, the reference in SQL) and the phases they run. */
import type { AppConfig } from '../../../src/config/app-config';
import { chromaClient } from '../../clients/chroma';
import { pineconeClient, VecgateIndex, type PineconeTarget, type PineconeVector } from '../../clients/pinecone';
import type { Dataset } from '../../data';
import { errorMessage, failed, ms, progress } from '../../report';
import type { Server } from '../../servers/start';
import { openGatewayTable, type GatewayTable } from '../../sql/tables';
import { openDirectPinecone, type DirectIndex } from '../../sql/pinecone';
import { ingest, opResult, pollUntil, repeat, repeatInterleaved, summarize, timed } from '../../stats';
import { K, MAIN, newResult, pineconeFilter, SECOND, type Plan, type Settings, type TargetResult } from './plan';

/** A target between its setup and its teardown. */
export interface Participant {
  result: TargetResult;
  target?: PineconeTarget;
  /** Untimed, once the index is there. */
  withIndex?: () => Promise<void>;
  /** Removes what the setup made; reports, never throws. */
  close(): Promise<void>;
}

const toVectors = (data: Dataset, start: number, size: number): PineconeVector[] =>
  data.batch(start, size).map((r) => ({ id: r.id, values: r.embedding, metadata: r.metadata }));

/** The JSON body the client sends for one upsert batch, in bytes. */
export const upsertBytes = (data: Dataset, batch: number) =>
  Buffer.byteLength(JSON.stringify({ vectors: toVectors(data, 0, batch), namespace: MAIN }));

/** Upserts all of `data` into `namespace` in timed batches; the batches' making and preparing are untimed. */
export const ingestInto = (name: string, target: PineconeTarget, data: Dataset, namespace: string, o: Settings) =>
  ingest(
    data.records,
    o.batch,
    (start, size) => target.prepare(toVectors(data, start, size)),
    (batch) => target.upsert(namespace, batch),
    (done) => {
      if (done % (o.batch * 20) === 0 || done === data.records)
        progress(`${name}: upserted ${done}/${data.records} into ${namespace}`);
    },
  );

export async function expectCount(part: Participant, namespace: string, expected: number, when: string): Promise<void> {
  const got = await part.target!.count(namespace);
  (got === expected ? part.result.ok : part.result.wrong).push(
    `${namespace} holds ${got} records ${when} (expected ${expected})`,
  );
}

/**
 * vecgate's index, created through the client on a running gateway. Its HNSW index is waited for in
 * the gateway's catalog on `databaseUrl` (also giving the table's shape), else through the Chroma
 * API's indexing status of the same collection (Pinecone indexes live in the default tenant and
 * database; the Pinecone API has no such call).
 */
export async function openVecgate(
  server: Server,
  o: Settings,
  name: string,
  databaseUrl: string | undefined,
  config: AppConfig,
): Promise<Participant> {
  const result = newResult('vecgate', server.info);
  const pc = pineconeClient(server.url);
  try {
    await pc.createIndex({
      name,
      dimension: o.dim,
      metric: 'cosine',
      spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
    });
    result.info['index host'] = (await pc.describeIndex(name)).host;
  } catch (err) {
    result.error = `create index: ${errorMessage(err)}`;
    return { result, close: async () => {} };
  }
  let gateway: GatewayTable | undefined;
  const close = async () => {
    await gateway?.close().catch(() => {});
    await pc
      .deleteIndex(name)
      .catch((err) => progress(`vecgate: could not delete index ${name}: ${errorMessage(err)}`));
  };
  try {
    // Opened before the ingest, so that the index wait starts polling at once.
    let indexBuilt: () => Promise<boolean>;
    if (databaseUrl) {
      gateway = await openGatewayTable(databaseUrl, config, name);
      result.info.table = gateway.table;
      indexBuilt = gateway.hasIndex;
    } else {
      const scope = { tenant: config.defaultTenant, database: config.defaultDatabase };
      const collection = await chromaClient(server.url, scope).getCollection({
        name,
        embeddingFunction: null as never,
      });
      indexBuilt = async () => (await collection.getIndexingStatus()).op_indexing_progress === 1;
    }
    const waitIndex = () => pollUntil(indexBuilt, o.indexTimeout * 1000, "vecgate's HNSW index");
    const withIndex = gateway && (async () => void (result.shape = await gateway!.shape()));
    return { result, target: new VecgateIndex(pc, name, waitIndex), withIndex, close };
  } catch (err) {
    failed(result, 'vecgate', err);
    return { result, close };
  }
}

/** The reference: the gateway's repositories called from this process, on a table of its own. */
export async function openReference(
  o: Settings,
  name: string,
  databaseUrl: string | undefined,
  config: AppConfig,
): Promise<Participant> {
  let direct: Awaited<ReturnType<typeof openDirectPinecone>>;
  try {
    progress(`opening the reference (${databaseUrl ? 'direct pg on DATABASE_URL' : 'PGlite in this process'})`);
    direct = await openDirectPinecone(databaseUrl, config);
  } catch (err) {
    return {
      result: { ...newResult('direct SQL'), error: `could not open: ${errorMessage(err)}` },
      close: async () => {},
    };
  }
  const result = newResult('direct SQL', direct.info);
  let t: DirectIndex | undefined;
  const close = async () => {
    if (t) result.info['exact re-searches'] = String(t.exactRetries);
    await t?.drop().catch((err) => progress(`direct SQL: could not drop ${t!.table}: ${errorMessage(err)}`));
    await direct.close().catch(() => {});
  };
  try {
    t = await direct.createIndex(name, o.dim);
    result.info.table = t.table;
    const withIndex = databaseUrl ? async () => void (result.shape = await t!.shape()) : undefined;
    return { result, target: t, withIndex, close };
  } catch (err) {
    failed(result, 'direct SQL', err);
    return { result, close };
  }
}

export type Live = Participant & { target: PineconeTarget };

/** The first ingest and the index, each target alone on the machine (the other idles). */
export async function fill(part: Live, p: Plan, o: Settings): Promise<void> {
  const { result, target } = part;
  try {
    result.ingest = await ingestInto(result.name, target, p.data, MAIN, o);
    if (p.indexDue) {
      result.indexReadyMs = (await timed(() => target.indexReady())).ms;
      progress(`${result.name}: index ready ${(result.indexReadyMs / 1000).toFixed(2)} s after the last upsert`);
    }
    await part.withIndex?.();
    await expectCount(part, MAIN, o.records, 'after the upserts');
  } catch (err) {
    failed(result, result.name, err);
  }
}

/**
 * The queries, then the deletes by filter, timed on every target together, interleaved call by
 * call (repeatInterleaved): timed one target after the other, the machine's drift from minute to
 * minute went into the ratios.
 */
export async function timedTogether(parts: Live[], p: Plan, o: Settings): Promise<void> {
  for (const q of p.queries) {
    const callers = parts.map(({ target }) => ({
      call: (i: number) => target.query(MAIN, q.vectors[i], K, pineconeFilter(q.filters[i])),
    }));
    const runs = await repeatInterleaved(callers, o.reps, 2);
    runs.forEach((run, j) => (parts[j].result.ops[q.key] = opResult(parts[j].result.name, q.label, run)));
  }
  const callers = parts.map(({ target }) => ({
    call: (i: number) => target.deleteWhere(MAIN, pineconeFilter(p.deleteFilters[i])!),
  }));
  const runs = await repeatInterleaved(callers, p.deleteFilters.length, 0);
  runs.forEach(
    (run, j) =>
      (parts[j].result.ops.delete_where = {
        ...opResult(parts[j].result.name, 'delete by filter', run),
        values: undefined,
      }),
  );
}

/** The checks after the deletes, then a second namespace filled and emptied by deleteAll, one target at a time. */
export async function finish(part: Live, p: Plan, o: Settings): Promise<void> {
  const { result, target } = part;
  if (result.ops.delete_where?.stats) {
    try {
      await expectCount(part, MAIN, p.remaining, `after ${p.deleteFilters.length} deletes by filter`);
      const gone = p.deleteFilters[0];
      const left = await target.query(MAIN, p.queries[0].vectors[0], K, pineconeFilter(gone));
      (left.length === 0 ? result.ok : result.wrong).push(
        `a query for a deleted bucket (bucket $eq ${gone.value}) found ${left.length} records (expected 0)`,
      );
    } catch (err) {
      failed((result.ops.delete_where = {}), `${result.name}: delete by filter`, err);
    }
  }
  try {
    result.ingestSecond = await ingestInto(result.name, target, p.second, SECOND, o);
    await expectCount(part, SECOND, o.records, 'after the upserts');
    const { samples } = await repeat(1, 0, () => target.deleteAll(SECOND));
    result.ops.delete_all = { stats: summarize(samples), samples };
    progress(`${result.name}: deleteAll of ${o.records} records: ${ms(samples[0])} ms`);
    await expectCount(part, SECOND, 0, 'after deleteAll');
    await expectCount(part, MAIN, p.remaining, `after deleteAll of ${SECOND}`);
  } catch (err) {
    failed((result.ops.delete_all = {}), `${result.name}: deleteAll`, err);
  }
}
