/**
 * Where the time of one unfiltered query goes: the same query, interleaved call by call, through
 *   1. the official Chroma client to the gateway,
 *   2. plain fetch to the gateway (the same JSON bytes every time),
 *   3. plain fetch to a bare node:http server running the gateway's search SQL (bench/servers/bare-sql.ts),
 *   4. plain fetch to the HTTP floor answering the gateway's response bytes (bench/servers/http-floor.ts),
 *   5. the search SQL sent with pg from this process (bench/sql/records.ts),
 *   6. and 7. the official client and plain fetch to the real Chroma server, on the same records,
 * so that the differences of the medians read as: the client library (1 - 2), the gateway's stack
 * beyond a bare server (2 - 3), and an extra process between client and Postgres (3 - 5, of which
 * 4 is the HTTP call alone); and Chroma's own server time beside them (7 - 4). Paths 3 and 5 need
 * DATABASE_URL; without it the gateway runs on embedded PGlite and they are left out.
 *
 * `--ops` adds issue 34's other calls (a query of 5 embeddings, get 100 ids without and with
 * embeddings, count), each through paths 1, 2, 4, 6 and 7 (the bare server and the direct SQL run
 * the one-vector query only). `--rest-s N` times everything twice: right after the load (the last
 * add has returned; the gateway may still be building its index or measuring it) and again once
 * the collection has settled (below) and N idle seconds have passed. `--records 10,300,5000` runs
 * each size in turn, on a new collection each (Chroma's loaded first, so that vecgate's pass
 * starts the moment its own load ends). The one-vector query's row also gives the recall@10 of the
 * answers the two clients were served while timed, against the exact ten nearest: a walk narrower
 * than vecgate's tuned one is quicker and finds less.
 *
 * "At rest" is a collection a user has been searching for a while: its index built (and rebuilt
 * larger if the gateway found it short of the recall target), and the search tuner's measurement
 * made on the collection's own sampled traffic rather than its first guess. Until then the bench
 * sends traffic of the same kind as the timed queries but other vectors (SETTLE_QUERIES), so that
 * the recall column says whether what the tuner chose on that traffic holds on fresh queries.
 */
import type { Collection } from 'chromadb';
import {
  chromaClient,
  collectionUrl,
  fill,
  post,
  waitIndexed,
  WITH_EMBEDDINGS as WITH,
  WITHOUT_EMBEDDINGS as WITHOUT,
} from '../clients/chroma';
import { Dataset, GroundTruth, recordId } from '../data';
import { common, int, ints, words, workload } from '../options';
import { bullets, machineInfo, markdown, ms, progress } from '../report';
import { startBareSql, startChromaReference, startHttpFloor, startVecgate, type Server } from '../servers/start';
import { openDirectSql, type DirectSql } from '../sql/records';
import { nowMs, recall, sleep, summarize } from '../stats';
import { loadConfig } from '../../src/config/load-config';

const QUERIES = 50;
const WARMUP = 50;
/** Distinct vectors of the traffic sent while the collection settles: other vectors than the timed ones. */
const SETTLE_QUERIES = 500;
/** How long a collection may take to settle before the at-rest pass runs anyway (and says so). */
const SETTLE_LIMIT_MS = 15 * 60_000;
const INCLUDE = ['documents', 'metadatas', 'distances'];
const OPS = ['query', 'query5', 'get', 'get-emb', 'count'] as const;
type Op = (typeof OPS)[number];
const OP_LABEL: Record<Op, string> = {
  query: 'query top 10',
  query5: 'query of 5 embeddings, top 10 each',
  get: 'get 100 ids',
  'get-emb': 'get 100 ids + embeddings',
  count: 'count',
};

/** Below this many records the gateway (started with this process's environment) builds no index: nothing to measure. */
const INDEX_MIN_ROWS = loadConfig(process.env).indexing.minRows;

const seconds = (ms: number | undefined) => (ms === undefined ? '-' : (ms / 1000).toFixed(1));

/** What settle() reads of indexing_status. */
interface SettleStatus {
  op_indexing_progress?: number;
  vecgate_search_tuning?: {
    source?: string;
    measured_at?: string;
    walk_met?: boolean;
    ef_search?: number;
    exact?: boolean;
  };
  vecgate_hnsw_index?: { builds?: { outcome: string; built_at: string }[] };
}

/**
 * Searches `collection` with `search` until it has settled: index built, measured on its own
 * traffic since its last build, no index build running (`buildsRunning`, PostgreSQL only: an
 * embedded build holds the database, so a status poll waits for it) and nothing of that changed
 * for `quietMs`. Gives how long it took, and whether it settled within SETTLE_LIMIT_MS.
 */
async function settle(
  collection: Collection,
  search: (i: number) => Promise<unknown>,
  buildsRunning: () => Promise<number>,
  quietMs: number,
): Promise<{ ms: number; settled: boolean; searches: number }> {
  const start = nowMs();
  let searches = 0;
  let last = '';
  let sameSince = start;
  for (;;) {
    const status = (await collection.getIndexingStatus()) as SettleStatus;
    const tuning = status.vecgate_search_tuning;
    const builds = status.vecgate_hnsw_index?.builds ?? [];
    const lastBuild = builds.filter((b) => b.outcome === 'built').at(-1)?.built_at;
    const measuredSinceBuild = !!tuning?.measured_at && (!lastBuild || tuning.measured_at > lastBuild);
    const running = await buildsRunning();
    const state = JSON.stringify([status.op_indexing_progress, tuning, builds.length, running]);
    if (state !== last) [last, sameSince] = [state, nowMs()];
    const ready =
      status.op_indexing_progress === 1 && tuning?.source === 'traffic' && measuredSinceBuild && running === 0;
    if (ready && nowMs() - sameSince >= quietMs) return { ms: nowMs() - start, settled: true, searches };
    if (nowMs() - start > SETTLE_LIMIT_MS) return { ms: nowMs() - start, settled: false, searches };
    // About a second of searches between looks, one at a time as a user's.
    const until = nowMs() + 1000;
    while (nowMs() < until) await search(searches++);
  }
}

/**
 * Watches, from now on and beside the timed calls, for the moment a vecgate collection's searches
 * run as they will at rest: its index built and the search tuner's measurement reported (its
 * unfiltered part, saved before the filtered one: the calls timed here are unfiltered; a
 * collection too small for an index is ready when loaded). stop() gives the milliseconds from
 * `since`, or undefined when that had not happened yet.
 */
function watchReady(collection: Collection, indexed: boolean, since: number) {
  let at: number | undefined = indexed ? undefined : nowMs();
  let stopped = false;
  const watching = (async () => {
    while (at === undefined && !stopped) {
      // A failed look is looked at again: nothing awaits this loop before stop().
      const status = (await collection.getIndexingStatus().catch(() => ({}))) as {
        op_indexing_progress?: number;
        vecgate_search_tuning?: unknown;
      };
      if (status.op_indexing_progress === 1 && status.vecgate_search_tuning) at = nowMs();
      else await sleep(250);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await watching;
      return at === undefined ? undefined : at - since;
    },
  };
}

/** A collection of `data` on a Chroma API server, added in batches of 500. */
async function load(server: Server, data: Dataset): Promise<Collection> {
  const name = `per_call_${data.records}_${Date.now().toString(36)}`;
  const collection = await chromaClient(server.url).createCollection({ name, embeddingFunction: null });
  await fill(collection, data, 500);
  return collection;
}

export default workload({
  name: 'per-call',
  about:
    "where one call's time goes, at each collection size: client, gateway, a bare server with the same SQL, Chroma",
  flags: {
    records: ints('records in the collection; a list runs each size in turn', '20000', { min: 1 }),
    dim: int('embedding dimension', 384, { min: 1, max: 2000 }),
    reps: int('timed calls per path, interleaved, after 50 warm-up rounds', 500, { min: 1 }),
    seed: common.seed,
    noChroma: { ...common.noChroma, help: 'leave out the real Chroma server (paths 6 and 7)' },
    ops: words(`the calls timed, of ${OPS.join(', ')} (default query)`, 'query', OPS),
    restS: int(
      'a second pass, at rest: once the collection has settled and stayed so this many seconds (0: one pass, right after the load)',
      0,
    ),
  },
  async run(o) {
    const databaseUrl = process.env.DATABASE_URL;
    const machine = machineInfo();
    const started: Server[] = [];
    let sql: DirectSql | undefined;
    try {
      // The embedded backend when there is no DATABASE_URL (a temporary data directory).
      const gateway = await startVecgate({ databaseUrl: databaseUrl ?? null });
      started.push(gateway);
      const backend = databaseUrl ? `PostgreSQL ${gateway.info.postgres}` : 'embedded (PGlite)';
      if (databaseUrl) sql = await openDirectSql(databaseUrl); // after the gateway: it creates the extension
      const chromaServer = o.noChroma ? undefined : await startChromaReference();
      if (chromaServer) started.push(chromaServer);
      const floor = await startHttpFloor();
      started.push(floor);

      const timePaths = async (paths: { label: string; call: (i: number) => Promise<unknown> }[]) => {
        const samples = paths.map((): number[] => []);
        for (let round = -WARMUP; round < o.reps; round++) {
          // Rotated each round, so that no path always follows the same one.
          for (let k = 0; k < paths.length; k++) {
            const p = (k + Math.max(round, 0)) % paths.length;
            const t = nowMs();
            await paths[p].call(round + WARMUP);
            if (round >= 0) samples[p].push(nowMs() - t);
          }
        }
        return samples.map(summarize);
      };

      const summary: string[][] = [];
      const loads: string[][] = [];
      const tuning: string[] = [];
      const settled: string[] = [];
      const out: string[] = [];
      for (const records of o.records) {
        const data = new Dataset(o.seed, records, o.dim);
        let chroma: Collection | undefined;
        let chromaLoadMs: number | undefined;
        if (chromaServer) {
          const t = nowMs();
          chroma = await load(chromaServer, data);
          chromaLoadMs = nowMs() - t;
          progress(`${records} records x ${o.dim} loaded into Chroma`);
        }
        const loadStart = nowMs();
        const collection = await load(gateway, data);
        const loadMs = nowMs() - loadStart;
        progress(`${records} records x ${o.dim} loaded into vecgate (${backend})`);
        const indexed = records >= INDEX_MIN_ROWS;
        const ready = watchReady(collection, indexed, loadStart);
        let bare = sql ? await startBareSql(databaseUrl!, collection.id) : undefined;
        if (bare) started.push(bare);
        let direct = sql ? await sql.records(collection.id) : undefined;
        const vectors = Array.from({ length: QUERIES }, (_, q) => data.queryVector('per-call', q));
        const bodies = vectors.map((v) => JSON.stringify({ query_embeddings: [v], n_results: 10, include: INCLUDE }));
        // The exact ten nearest of each query, so that a p50 comes with the recall@10 of the answers it timed.
        const truth = new GroundTruth(data);
        const exact = vectors.map((v) => truth.topK(v, 10, () => true));
        // Each client's answers to the query op with the exact ten of the same query, for stats' recall.
        const served = new Map<Collection, { found: string[][]; expected: string[][] }>();
        const tally = (c: Collection, i: number, ids: string[]) => {
          const answers = served.get(c) ?? { found: [], expected: [] };
          answers.found.push(ids);
          answers.expected.push(exact[i % QUERIES]);
          served.set(c, answers);
        };
        const recallServed = (c: Collection | undefined) => {
          const answers = c && served.get(c);
          return answers ? recall(answers.found, answers.expected).toFixed(3) : '-';
        };
        // A get asks for 100 ids, or every record of a smaller collection.
        const label = (op: Op) => (records < 100 ? OP_LABEL[op].replace('100 ids', `${records} ids`) : OP_LABEL[op]);
        const ids = (i: number) =>
          Array.from({ length: Math.min(100, records) }, (_, k) => recordId((i * 7919 + k * 101) % records));

        const clientCall =
          (op: Op) =>
          (c: Collection) =>
          (i: number): Promise<unknown> => {
            switch (op) {
              case 'query':
                return c
                  .query({ queryEmbeddings: [vectors[i % QUERIES]], nResults: 10, include: INCLUDE as never })
                  .then((r) => tally(c, i, r.ids[0]));
              case 'query5':
                return c.query({
                  queryEmbeddings: [0, 1, 2, 3, 4].map((k) => vectors[(i + k) % QUERIES]),
                  nResults: 10,
                  include: INCLUDE as never,
                });
              case 'get':
              case 'get-emb':
                return c.get({ ids: ids(i), include: (op === 'get' ? WITHOUT : WITH) as never });
              case 'count':
                return c.count();
            }
          };
        // Raw HTTP: the same request the client sends, as bytes made once per call index.
        const raw = (op: Op, base: string, id: string) => {
          const url = collectionUrl(base, id);
          const body = (i: number): string => {
            switch (op) {
              case 'query':
                return bodies[i % QUERIES];
              case 'query5':
                return JSON.stringify({
                  query_embeddings: [0, 1, 2, 3, 4].map((k) => vectors[(i + k) % QUERIES]),
                  n_results: 10,
                  include: INCLUDE,
                });
              default:
                return JSON.stringify({ ids: ids(i), include: op === 'get' ? WITHOUT : WITH });
            }
          };
          return op === 'count'
            ? async () => {
                const res = await fetch(`${url}/count`);
                if (res.status !== 200) throw new Error(`${url}/count answered ${res.status}`);
                return res.text();
              }
            : (i: number) => post(`${url}/${op.startsWith('query') ? 'query' : 'get'}`, body(i));
        };

        // How vecgate searches at this point (exact, or a walk at the tuner's ef_search).
        const searchState = async () => {
          const status = (await collection.getIndexingStatus()) as {
            op_indexing_progress?: number;
            vecgate_search_tuning?: { exact?: boolean; ef_search?: number; recall?: number };
          };
          const t = status.vecgate_search_tuning;
          const index = status.op_indexing_progress === 1 ? 'indexing done' : 'indexing pending';
          if (!t) return `${index}, not measured`;
          return `${index}, ${t.exact ? 'exact' : `walk at ef_search ${t.ef_search}`} (recall ${t.recall})`;
        };

        for (const pass of o.restS > 0 ? ['right after the load', 'at rest'] : ['right after the load']) {
          if (pass === 'at rest') {
            await waitIndexed(collection, Infinity);
            if (indexed) {
              progress(
                `${records}: searching until the collection settles (its index, and measured on its own traffic)`,
              );
              const traffic = Array.from({ length: SETTLE_QUERIES }, (_, q) =>
                JSON.stringify({
                  query_embeddings: [data.queryVector('per-call-traffic', q)],
                  n_results: 10,
                  include: INCLUDE,
                }),
              );
              const url = `${collectionUrl(gateway.url, collection.id)}/query`;
              const done = await settle(
                collection,
                (i) => post(url, traffic[i % SETTLE_QUERIES]),
                async () => (sql ? sql.buildsRunning() : 0),
                o.restS * 1000,
              );
              settled.push(
                `${records} records: ${done.settled ? 'settled' : 'NOT settled'} after ${seconds(done.ms)} s and ${done.searches} searches`,
              );
              // The SQL paths follow the catalog as it is now (the index, its ef_search), not as at the load.
              if (bare) {
                await bare.stop();
                started.splice(started.indexOf(bare), 1);
                bare = await startBareSql(databaseUrl!, collection.id);
                started.push(bare);
              }
              if (sql) direct = await sql.records(collection.id);
            } else {
              progress(`${records}: idle for ${o.restS} s`);
              await sleep(o.restS * 1000);
            }
          }
          const before = await searchState();
          for (const op of o.ops) {
            progress(`${records}: ${label(op)}, ${pass}`);
            const fetchVecgate = raw(op, gateway.url, collection.id);
            const canned =
              op === 'count'
                ? await (await fetch(`${collectionUrl(gateway.url, collection.id)}/count`)).text()
                : await fetchVecgate(0);
            await floor.setCanned(200, String(canned));
            const paths: { label: string; call: (i: number) => Promise<unknown> }[] = [
              { label: 'Chroma client → vecgate', call: clientCall(op)(collection) },
              { label: 'fetch → vecgate', call: fetchVecgate },
            ];
            const [bareNow, directNow] = [bare, direct];
            if (op === 'query' && bareNow && directNow)
              paths.push(
                { label: 'fetch → bare node:http + the same SQL', call: (i) => post(bareNow.url, bodies[i % QUERIES]) },
                {
                  label: 'the same SQL from this process',
                  call: (i) => directNow.query(vectors[i % QUERIES], 10, undefined, INCLUDE),
                },
              );
            paths.push({ label: 'fetch → HTTP floor (no work)', call: (i) => post(floor.url, bodies[i % QUERIES]) });
            if (chroma && chromaServer)
              paths.push(
                { label: 'Chroma client → Chroma', call: clientCall(op)(chroma) },
                { label: 'fetch → Chroma', call: raw(op, chromaServer.url, chroma.id) },
              );
            served.clear();
            const stats = await timePaths(paths);
            const median = (label: string) => stats[paths.findIndex((p) => p.label === label)]?.median;
            const [c1, f2, floorMs, c6, f7] = [
              'Chroma client → vecgate',
              'fetch → vecgate',
              'fetch → HTTP floor (no work)',
              'Chroma client → Chroma',
              'fetch → Chroma',
            ].map(median);
            summary.push([
              records.toLocaleString('en-US'),
              label(op),
              pass,
              ms(c1),
              ms(c6),
              c6 ? `${(c1 / c6).toFixed(2)}×` : '-',
              ms(f2),
              ms(f7),
              f7 ? `${(f2 / f7).toFixed(2)}×` : '-',
              ms(floorMs),
              ms(median('the same SQL from this process')),
              op === 'query' ? `${recallServed(collection)} / ${recallServed(chroma)}` : '',
            ]);
            // Each row as it is measured too: a run that fails at a later size keeps the earlier ones.
            progress(`| ${summary[summary.length - 1].join(' | ')} |`);
            out.push(
              `\n### ${records} records, ${label(op)}, ${pass}: ${o.reps} interleaved calls per path (median ms, p95)\n`,
              markdown(
                ['path', 'median', 'p95'],
                paths.map((p, i) => [p.label, ms(stats[i].median), ms(stats[i].p95)]),
              ),
            );
          }
          tuning.push(`${records} records, ${pass}: at the start ${before}; at the end ${await searchState()}`);
        }
        const readyMs = await ready.stop();
        loads.push([
          records.toLocaleString('en-US'),
          seconds(chromaLoadMs),
          seconds(loadMs),
          seconds(readyMs),
          chromaLoadMs !== undefined && readyMs !== undefined ? `${(readyMs / chromaLoadMs).toFixed(2)}×` : '-',
        ]);
        if (bare) {
          await bare.stop();
          started.splice(started.indexOf(bare), 1);
        }
        // The gateway's collection would outlive the run in DATABASE_URL; Chroma's are dropped to keep it lean.
        await chromaClient(gateway.url).deleteCollection({ name: collection.name });
        if (chroma && chromaServer) await chromaClient(chromaServer.url).deleteCollection({ name: chroma.name });
      }
      console.log(
        [
          `# One call at a time, ${o.records.join(' / ')} x ${o.dim} clustered, vecgate on ${backend}`,
          '',
          ...bullets(machine),
          ...tuning.map((t) => `- vecgate's search, ${t}`),
          ...settled.map((t) => `- before the at-rest pass, ${t}`),
          '',
          markdown(
            [
              'records',
              'call',
              'when',
              'client → vecgate',
              'client → Chroma',
              'vecgate / Chroma',
              'fetch → vecgate',
              'fetch → Chroma',
              'vecgate / Chroma',
              'HTTP floor',
              'SQL alone',
              'recall@10 served: vecgate / Chroma',
            ],
            summary,
            3,
          ),
          '',
          "Loads (batches of 500): seconds until the last add returned, and until vecgate's searches run as at",
          'rest (its index built and measured, from the start of its load; the load alone below 1,000 records)',
          '',
          markdown(
            ['records', 'Chroma load', 'vecgate load', 'vecgate ready', 'vecgate ready / Chroma load'],
            loads,
            1,
          ),
          ...out,
        ].join('\n'),
      );
    } finally {
      for (const s of started.reverse()) await s.stop().catch(() => {});
      await sql?.close();
    }
    return true;
  },
});
