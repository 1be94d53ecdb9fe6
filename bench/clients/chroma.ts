/**
 * The Chroma API side of the harness: the official chromadb client (one call of a workload as a
 * `Call`, run by `chromaRunner`), filling and waiting on collections, and raw HTTP beside the client.
 */
import { ChromaClient, type Collection } from 'chromadb';
import { addBatch, type Dataset } from '../data';
import { errorMessage, progress } from '../report';
import { pollUntil } from '../stats';

/** The chromadb client for a server's URL (in the default tenant and database unless `scope` says otherwise). */
export function chromaClient(url: string, scope: { tenant?: string; database?: string } = {}): ChromaClient {
  const u = new URL(url);
  const ssl = u.protocol === 'https:';
  return new ChromaClient({ host: u.hostname, port: Number(u.port) || (ssl ? 443 : 80), ssl, ...scope });
}

export type Where = Record<string, unknown>;

/** The client does not export its Include types; these are `get`'s and `query`'s `include`. */
export type GetInclude = NonNullable<NonNullable<Parameters<Collection['get']>[0]>['include']>;
export type QueryInclude = NonNullable<Parameters<Collection['query']>[0]['include']>;
export const WITHOUT_EMBEDDINGS: GetInclude = ['documents', 'metadatas'];
export const WITH_EMBEDDINGS: GetInclude = ['documents', 'metadatas', 'embeddings'];
/** The client's default for query, spelt out so that direct SQL asks for the same columns. */
export const QUERY_INCLUDE: QueryInclude = ['metadatas', 'documents', 'distances'];

/** One call of a workload, independent of who answers it. */
export type Call =
  | { op: 'get'; ids?: string[]; where?: Where; include: GetInclude }
  | { op: 'query'; vector: number[]; n: number; where?: Where; include: QueryInclude }
  | { op: 'delete'; ids?: string[]; where?: Where }
  | { op: 'count' };

/** What one call returned, kept to check the answers. `rows` is null when the server does not say (Chroma's delete). */
export interface Outcome {
  rows: number | null;
  ids: string[];
  metadatas: (Record<string, unknown> | null)[];
}

export type Runner = (call: Call) => Promise<Outcome>;

/**
 * Calls through the client. `serverCounts`: the server answers a delete with how many records
 * went; the client says 0 when the server does not (Chroma 1.0.0), so there it is not an answer.
 */
export function chromaRunner(c: Collection, serverCounts = true): Runner {
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

/** Adds all of `data` to the collection in batches of `size`, untimed. */
export async function fill(collection: Collection, data: Dataset, size: number): Promise<void> {
  for (let start = 0; start < data.records; start += size) await collection.add(addBatch(data, start, size));
}

type Status = Awaited<ReturnType<Collection['getIndexingStatus']>> & { vecgate_search_tuning?: Record<string, any> };

/**
 * Polls vecgate's indexing_status until everything is indexed: the gateway may build its vector
 * index in the background after a bulk load, and reads timed before then would measure a scan.
 * `ms`: since `since` (a Date.now()); Chroma 1.0.0 has no indexing status.
 */
export async function waitIndexed(
  collection: Collection,
  timeoutMs: number,
  since = Date.now(),
): Promise<{ ms: number; polls: number; last: Status }> {
  let last: Status | undefined;
  const check = async () => (last = await collection.getIndexingStatus()).op_indexing_progress === 1;
  const what = () => `the index (op_indexing_progress ${last?.op_indexing_progress})`;
  const polls = await pollUntil(check, timeoutMs, what);
  return { ms: Date.now() - since, polls, last: last! };
}

/**
 * What vecgate's search tuner chose for the collection (it measures right after each build), and
 * when; null when it reports nothing within `timeoutMs` (VECGATE_RECALL_TARGET=0).
 */
export async function waitTuned(
  collection: Collection,
  timeoutMs: number,
): Promise<{ ms: number; chose: Record<string, any> } | null> {
  const start = Date.now();
  let chose: Record<string, any> | undefined;
  // Whole: its unfiltered part is reported first, its filtered part (filtered_pending) once measured.
  const check = async () => {
    chose = ((await collection.getIndexingStatus()) as Status).vecgate_search_tuning;
    return !!chose && !chose.filtered_pending;
  };
  return pollUntil(check, timeoutMs, 'search tuning').then(
    () => ({ ms: Date.now() - start, chose: chose! }),
    () => null,
  );
}

/** Removes a collection, saying so when it cannot. */
export async function dropCollection(client: ChromaClient, name: string, who: string): Promise<void> {
  await client
    .deleteCollection({ name })
    .catch((err) => progress(`${who}: could not delete ${name}: ${errorMessage(err)}`));
}

/** A collection's URL in the v2 API (default tenant and database), for raw HTTP. */
export const collectionUrl = (serverUrl: string, id: string) =>
  `${serverUrl}/api/v2/tenants/default_tenant/databases/default_database/collections/${id}`;

/** POSTs a JSON body, returns the answer's text; anything but 200 throws. */
export async function post(url: string, body: string): Promise<string> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${text.slice(0, 200)}`);
  return text;
}

/** What the server answered to the one client call `work` makes (the last one, if it makes more). */
export async function captureResponse(work: () => Promise<unknown>): Promise<{ status: number; body: string }> {
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
