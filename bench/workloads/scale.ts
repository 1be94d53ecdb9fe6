/**
 * The scale run: one Chroma collection per size (default 10k, 100k, 1M records x 384 dims) on a
 * real Postgres, through the official chromadb client, each size on a freshly started gateway.
 * Not part of CI: the 1M size takes the better part of an hour on a small machine. With --chroma,
 * each size is then loaded into the real Chroma 1.0.0 and timed the same way, its recall checked
 * against the same exact answers.
 *
 * For each size it measures:
 * - ingest: `add` calls of --batch records, one at a time; the time is the sum of the calls as the
 *   client sees them (data generation, done between calls, is not counted; it is in the JSON);
 * - index build: from the last add until indexing_status says op_indexing_progress = 1, then what
 *   the search tuner chose;
 * - peak memory of the server process: VmRSS sampled every 200 ms and VmHWM read at the end;
 * - latency of query top 10 (no filter, and a 1% filter), get 100 ids and count, --queries calls
 *   each after 2 warm-up calls;
 * - recall@10 of both query kinds against an exact search run in SQL straight on Postgres (index
 *   scans off), over the first --truth queries of each kind;
 * - with --ef-search LIST, the same two query kinds again after setting the collection's
 *   hnsw.ef_search to each value (Chroma's modify): the latency and recall trade-off at that size.
 * Records are regenerated batch by batch from the seed (bench/data.ts): nothing holds all of them.
 */
import { Client as PgClient } from 'pg';
import { choice, common, int, ints, maybeInt, on, workload } from '../options';
import { bullets, details, errorMessage, loadAverage, machineInfo, progress, thousands, writeJson } from '../report';
import { efSearchTable, K, notes, reportTable, WARMUP, type Known, type SizeResult } from './scale/report';
import { live, runSize } from './scale/size';

export default workload({
  name: 'scale',
  about: '10k, 100k, 1M records: ingest, index build, memory, latency, recall',
  needs: 'postgres',
  flags: {
    sizes: ints('collection sizes to run, one fresh gateway and collection each', '10000,100000,1000000', { min: 200 }),
    dim: int('embedding dimension', 384, { min: 2 }),
    batch: int('records per add call', 500, { min: 1 }),
    queries: int('timed calls per query kind, after 2 warm-up calls', 100, { min: 1 }),
    truth: maybeInt(
      'queries per kind checked against exact search in SQL, for recall@10 (default: all of them up to\n' +
        '100,000 records, 30 above: an exact search of 1M x 384 takes ~1 s)',
    ),
    space: choice("the collection's distance (default cosine; Chroma's own default is l2)", 'cosine', [
      'cosine',
      'l2',
      'ip',
    ] as const),
    seed: common.seed,
    json: common.json,
    keep: on('do not delete the collections at the end (their names are printed)'),
    indexTimeout: int('seconds to wait for indexing_status to reach 1', 7200, { min: 1 }),
    chroma: on(
      'also run each size on the real Chroma 1.0.0 (the chroma-reference devDependency): same records, same calls',
    ),
    efSearch: ints(
      "after the default run, set the collection's hnsw.ef_search to each value and time both query kinds again (e.g. 200,400)",
      '',
      { min: 1, max: 1000 },
    ),
  },
  notes: 'Runs on the real Postgres in DATABASE_URL: the scale run is not meant for embedded PGlite.',
  async run(o) {
    const databaseUrl = process.env.DATABASE_URL!;
    const pg = new PgClient({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
    try {
      await pg.connect();
      await pg.query('SELECT 1');
    } catch (err) {
      console.error(`bench: cannot connect to DATABASE_URL: ${errorMessage(err)}`);
      process.exit(2);
    }
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        for (const [name, id] of live)
          console.error(
            `bench: collection ${name} (${id}) is left on DATABASE_URL; to remove it, run the gateway on DATABASE_URL and\n` +
              `  curl -X DELETE http://127.0.0.1:PORT/api/v2/tenants/default_tenant/databases/default_database/collections/${name}`,
          );
      });
    }
    const machine = machineInfo();
    const runTag = `${Date.now().toString(36)}_${process.pid}`;
    const sizes = o.sizes.map(thousands).join(', ');
    progress(
      `sizes ${sizes} x ${o.dim} dims, ${o.space}, batches of ${o.batch}, ${o.queries} calls per kind, seed ${o.seed}`,
    );
    const results: SizeResult[] = [];
    for (const size of o.sizes) {
      const known: Known = { truths: {} };
      results.push(await runSize(databaseUrl, o, size, runTag, pg, 'vecgate', known));
      if (o.chroma) results.push(await runSize(databaseUrl, o, size, runTag, pg, 'chroma', known));
    }
    await pg.end().catch(() => {});
    machine['load average at end'] = loadAverage();

    const gateway = results.find((r) => Object.keys(r.gateway.info).length > 0)?.gateway.info ?? {};
    const out = [
      `# vecgate scale run: ${sizes} records x ${o.dim} dims (${o.space}), batches of ${o.batch}, ${o.queries} calls per kind after ${WARMUP} warm-up calls, seed ${o.seed}`,
      '',
      ...bullets(machine),
      `- gateway: ${details(gateway) || '?'}, a fresh process per size`,
      '',
      reportTable(results),
      '',
    ];
    if (o.efSearch.length > 0)
      out.push(
        `ef_search (the collection's hnsw.ef_search, set with modify; default 100): latency over ${o.queries} calls, recall on the same exact answers`,
        '',
        efSearchTable(results),
        '',
      );
    out.push(
      `ingest s: the add calls as the client times them. index build s: last add until indexing_status reports op_indexing_progress = 1. ` +
        `peak RSS: the server process (the gateway, or Chroma's) over the whole size run (VmHWM). p50/p99 over ${o.queries} calls. ` +
        `recall@${K}: against exact search in SQL on Postgres (index scans off).`,
      '',
      'notes:',
      ...notes(results, o.queries),
    );
    console.log(out.join('\n'));
    writeJson(o.json, { machine, options: o, results });
    return !results.some(
      (r) =>
        r.error ||
        r.warnings.length > 0 ||
        Object.values(r.kinds).some((k) => k?.error || k?.wrong) ||
        r.efSearch.some((e) => e.error || [e.query, e.queryFiltered].some((k) => k?.error || k?.wrong)),
    );
  },
});
