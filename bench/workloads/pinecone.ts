/**
 * A Pinecone-shaped workload, run with the official @pinecone-database/pinecone (v9) client against
 * vecgate, and the gateway's own SQL sent straight to the database from this process as the
 * reference, printed side by side: the ratio is what the gateway costs over the SQL it runs.
 *
 * Without --vecgate it starts the built gateway itself: on DATABASE_URL when that is set, else on
 * embedded PGlite in a temporary directory. The reference (bench/sql/pinecone.ts: the gateway's
 * repositories called from here, on a table of its own) runs on DATABASE_URL through one direct
 * `pg` connection when that is set, else on PGlite opened in this process: the same engine
 * vecgate embeds, minus the gateway.
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
import { pineconeClientVersion } from '../clients/pinecone';
import { BUCKETS } from '../data';
import { common, int, on, workload } from '../options';
import {
  bullets,
  details,
  errorMessage,
  loadAverage,
  machineInfo,
  markdown,
  ms,
  progress,
  times,
  writeJson,
} from '../report';
import { external, startVecgate, type Server } from '../servers/start';
import { gatewayConfig } from '../sql/pinecone';
import { summarize, type Ingest, type Stats } from '../stats';
import { MAIN, newResult, plan, SECOND, checkQueries, type TargetResult } from './pinecone/plan';
import {
  fill,
  finish,
  openReference,
  openVecgate,
  timedTogether,
  upsertBytes,
  type Live,
  type Participant,
} from './pinecone/targets';

const PINECONE_MAX_REQUEST = 2 * 1024 * 1024;

/** A cell of the vecgate/reference table: a timing, or the reason there is none. */
type Cell = Stats | string | undefined;
const cellText = (s: Cell, field: 'median' | 'p95') =>
  typeof s === 'object' ? ms(s[field]) : field === 'median' ? (s ?? '-') : s === undefined ? '-' : '';
const ratio = (v: Cell, d: Cell) => (typeof v === 'object' && typeof d === 'object' ? times(v.median, d.median) : '-');

export default workload({
  name: 'pinecone',
  about: 'vecgate through the Pinecone client vs the same SQL sent directly',
  flags: {
    vecgate: {
      ...common.vecgate,
      help: 'benchmark a running vecgate (default: start dist/src/main.js; on DATABASE_URL if set, else embedded)',
    },
    noReference: on('vecgate only, no direct-SQL column'),
    records: int(
      'records per namespace (default 20000; a second namespace of N records is emptied by deleteAll)',
      20_000,
      { min: 200, smoke: 1000 },
    ),
    dim: int('embedding dimension', 384, { min: 2, max: 2000, smoke: 32 }),
    reps: int(
      'timed repetitions per query (default 100, after 2 warm-up calls; delete by filter uses at most 20)',
      100,
      { min: 1, smoke: 3 },
    ),
    batch: int(
      "records per upsert call (default 200: 500 x 384 floats is ~4 MB of JSON, past Pinecone's 2 MB per request)",
      200,
      { min: 1, max: 1000 },
    ),
    seed: common.seed,
    indexTimeout: int("seconds to wait for vecgate's HNSW index after the first ingest", 600, { min: 1 }),
    json: common.json,
    smoke: on('tiny run for CI: 1000 records, dim 32, 3 reps (explicit flags still win)'),
  },
  notes:
    'The reference runs on DATABASE_URL (direct pg) when it is set, else on PGlite in this process.\n' +
    'Both targets get their HNSW index after the first ingest when it has VECGATE_INDEX_MIN_ROWS (default\n' +
    '1000) records, as the gateway decides: vecgate builds it in the background, the reference builds it.',
  async run(o) {
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
    const live = () => parts.filter((part): part is Live => !!part.target && !part.result.error);
    try {
      progress('starting vecgate');
      try {
        server = o.vecgate ? external(o.vecgate) : await startVecgate();
        progress(`vecgate up at ${server.url}`);
        // The catalog is read from DATABASE_URL only when that is where this run's vecgate keeps it.
        const vecgate = await openVecgate(server, o, indexName, o.vecgate ? undefined : databaseUrl, config);
        vecgate.result.info.url = server.url;
        if (o.vecgate) vecgate.result.info.backend = 'external (given by --vecgate)';
        parts.push(vecgate);
      } catch (err) {
        progress(`vecgate did not start: ${errorMessage(err)}`);
        parts.push({
          result: { ...newResult('vecgate'), error: `did not start: ${errorMessage(err)}` },
          close: async () => {},
        });
      }
      if (!o.noReference) parts.push(await openReference(o, indexName, databaseUrl, config));
      for (const part of live()) await fill(part, p, o);
      await timedTogether(live(), p, o);
      for (const part of live()) await finish(part, p, o);
    } finally {
      for (const part of parts) await part.close();
      await server?.stop();
    }
    const [v, d] = [parts[0].result, parts[1]?.result as TargetResult | undefined];
    checkQueries(v, p);
    if (d) checkQueries(d, p);
    machine['load average at end'] = loadAverage();

    const batches = Math.ceil(o.records / o.batch);
    const op = (t: TargetResult | undefined, key: string): Cell =>
      t ? (t.ops[key]?.stats ?? (t.ops[key]?.error || t.error ? 'error' : undefined)) : undefined;
    const ingestCell = (i: Ingest | undefined, t: TargetResult | undefined): Cell =>
      i ? i.batch : t?.error ? 'error' : undefined;
    const indexCell = (t: TargetResult | undefined): Cell =>
      !t
        ? undefined
        : t.indexReadyMs !== undefined
          ? summarize([t.indexReadyMs])
          : !p.indexDue
            ? 'not due'
            : t.error
              ? 'error'
              : undefined;
    const deleteReps = p.deleteFilters.length;
    const rows: [string, Cell, Cell][] = [
      [`upsert a batch of ${o.batch} (${batches} batches, ${MAIN})`, ingestCell(v.ingest, v), ingestCell(d?.ingest, d)],
      [`HNSW index ready after the last upsert [1 rep]`, indexCell(v), indexCell(d)],
      ...p.queries.map((q): [string, Cell, Cell] => [q.label, op(v, q.key), op(d, q.key)]),
      [
        `delete by filter bucket $eq b (~${Math.round(o.records / BUCKETS)} records)${deleteReps !== o.reps ? ` [${deleteReps} reps]` : ''}`,
        op(v, 'delete_where'),
        op(d, 'delete_where'),
      ],
      [
        `upsert a batch of ${o.batch} (${batches} batches, ${SECOND})`,
        ingestCell(v.ingestSecond, v),
        ingestCell(d?.ingestSecond, d),
      ],
      [`deleteAll of a ${o.records}-record namespace [1 rep]`, op(v, 'delete_all'), op(d, 'delete_all')],
    ];
    const ref = 'direct SQL';
    const header = [
      'operation',
      'vecgate median ms',
      'vecgate p95 ms',
      `${ref} median ms`,
      `${ref} p95 ms`,
      `ratio (vecgate/${ref})`,
    ];
    const body = rows.map(([label, a, b]) => [
      label,
      cellText(a, 'median'),
      cellText(a, 'p95'),
      cellText(b, 'median'),
      cellText(b, 'p95'),
      ratio(a, b),
    ]);

    const ingestLine = (i?: Ingest) =>
      i ? `${(i.totalMs / 1000).toFixed(1)} s (${Math.round(i.recordsPerSecond)} records/s)` : '-';
    const ingestRatio = (a?: Ingest, b?: Ingest) => (a && b ? `, ratio ${(a.totalMs / b.totalMs).toFixed(2)}x` : '');
    const ready = (t?: TargetResult) =>
      t?.indexReadyMs !== undefined ? `${(t.indexReadyMs / 1000).toFixed(2)} s` : '-';
    const out = [
      `# vecgate (Pinecone API) vs direct SQL: ${o.records} records x ${o.dim} dims per namespace, cosine, upserts of ${o.batch}, ${o.reps} reps per query (after 2 warm-up calls), seed ${o.seed}${o.smoke ? ' (smoke)' : ''}`,
      '',
      ...bullets(machine),
      ...[v, d].filter((t) => t).map((t) => `- ${t!.name}: ${details(t!.info) || '(no details)'}`),
      `- client: @pinecone-database/pinecone ${pineconeClientVersion()}; one upsert body is ${(bodyBytes / 2 ** 20).toFixed(2)} MiB of JSON${bodyBytes > PINECONE_MAX_REQUEST ? " (OVER Pinecone's 2 MB per request)" : " (under Pinecone's 2 MB per request)"}`,
      '',
      `ingest of ${o.records} records into ${MAIN}: vecgate ${ingestLine(v.ingest)}, direct SQL ${ingestLine(d?.ingest)}${ingestRatio(v.ingest, d?.ingest)}`,
      `ingest of ${o.records} records into ${SECOND}: vecgate ${ingestLine(v.ingestSecond)}, direct SQL ${ingestLine(d?.ingestSecond)}${ingestRatio(v.ingestSecond, d?.ingestSecond)}`,
      p.indexDue
        ? `HNSW index ready after the last upsert into ${MAIN}: vecgate ${ready(v)} (built in the background once inserts were quiet for VECGATE_INDEX_QUIET_MS = ${config.indexing.quietMs} ms; ` +
          `waited for ${!o.vecgate && databaseUrl ? 'in its catalog on DATABASE_URL' : 'through its indexing status'}), direct SQL ${ready(d)} (the gateway's RecordTableRepository.analyze + buildIndex${databaseUrl ? ' CONCURRENTLY' : ''} + vacuum, started at once)`
        : `no HNSW index: ${o.records} records are below VECGATE_INDEX_MIN_ROWS = ${p.indexMinRows}, so the gateway searches exactly and so does the reference`,
      '',
      markdown(header, body),
      '',
      'checks:',
    ];
    for (const t of [v, d]) {
      if (!t) continue;
      for (const line of t.ok) out.push(`- ${t.name}: ${line}`);
      for (const line of t.wrong) out.push(`- ${t.name} WRONG: ${line}`);
      if (t.error) out.push(`- ${t.name} ERROR: ${t.error}`);
      for (const [key, r] of Object.entries(t.ops)) if (r.error) out.push(`- ${t.name} ERROR in ${key}: ${r.error}`);
    }
    if (v.shape && d?.shape) {
      if (v.shape.join('\n') === d.shape.join('\n'))
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

    const strip = (t?: TargetResult) =>
      t && { ...t, ops: Object.fromEntries(Object.entries(t.ops).map(([k, r]) => [k, { ...r, values: undefined }])) };
    writeJson(o.json, {
      machine,
      options: o,
      index: indexName,
      indexing: { due: p.indexDue, ...config.indexing },
      upsertBodyBytes: bodyBytes,
      vecgate: strip(v),
      direct: strip(d),
      ratios: Object.fromEntries(rows.map(([label, a, b]) => [label, ratio(a, b)])),
    });
    const failed =
      [v, d].some((t) => t && (t.error || t.wrong.length > 0 || Object.values(t.ops).some((r) => r.error))) ||
      out.some((l) => l.includes('WRONG'));
    return !failed;
  },
});
