/**
 * What a filtered top-10 search costs PostgreSQL by way of an HNSW walk with an iterative scan,
 * against reading the matching records: for each `hnsw.max_scan_tuples` (the elements a walk may
 * visit before it gives up), the mean time per query when a walk that comes back short is searched
 * again exactly, as vecgate does, and the recall. Two filters keep 10% of the records: one
 * independent of the vectors (a category) and one that keeps the records lying furthest along a
 * random direction, so that for most queries the matches are far away and the walk has to pass
 * most of the graph before it finds ten. SQL only, one query at a time, no gateway.
 *
 *   DATABASE_URL=postgres://... node dist/bench/filtered-walk.js [--records N] [--dim N] [--queries N]
 *
 * Works in a schema of its own, dropped at the end.
 */
import { Client } from 'pg';
import { CATEGORIES, Dataset } from './data';
import { Flags, progress } from './cli';
import { scratchRecordTable } from './scratch-table';

const USAGE = `usage: node dist/bench/filtered-walk.js [--records N] [--dim N] [--queries N] [--ef-search E1,E2,..] [--limits L1,L2,..]
  DATABASE_URL names a PostgreSQL with pgvector 0.8 or newer.`;
const SCHEMA = 'vecgate_bench_filtered_walk';

interface Row {
  filter: string;
  search: string;
  recall: number;
  ms: number;
  /** Share of the queries whose walk came back short and were searched again exactly. */
  short: number;
}

async function main(): Promise<void> {
  const flags = new Flags(process.argv.slice(2), {
    usage: USAGE,
    switches: [],
    valued: ['--records', '--dim', '--queries', '--ef-search', '--limits'],
  });
  const url = process.env.DATABASE_URL;
  if (!url) flags.fail('DATABASE_URL is not set');
  const records = flags.int('--records', 20_000, 100);
  const dim = flags.int('--dim', 384, 2, 2000);
  const queries = flags.int('--queries', 50, 1);
  const efSearches = (flags.string('--ef-search') ?? '100').split(',').map(Number);
  if (efSearches.some((e) => !Number.isInteger(e) || e < 10 || e > 1000))
    flags.fail('--ef-search takes integers from 10 to 1000');
  const limits = (flags.string('--limits') ?? '20000,10000,5000,2000,1000,500').split(',').map(Number);
  if (limits.some((l) => !Number.isInteger(l) || l < 1)) flags.fail('--limits takes positive integers');
  const data = new Dataset(42, records, dim);
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    await scratchRecordTable(db, SCHEMA, data, 'clustered');
    // The tenth of the records furthest along one random direction: whole clusters, far from most queries.
    const direction = `[${data.queryVector('direction', 0).join(',')}]`;
    await db.query(
      `UPDATE t SET metadata = metadata || jsonb_build_object('side', CASE WHEN r.rank <= $2 THEN 'far' ELSE 'near' END)
       FROM (SELECT id, row_number() OVER (ORDER BY embedding <#> $1) AS rank FROM t) r WHERE r.id = t.id`,
      [direction, Math.round(records / 10)],
    );
    await db.query(`CREATE INDEX t_metadata ON t USING gin (metadata jsonb_path_ops)`);
    const started = Date.now();
    await db.query(`CREATE INDEX t_h ON t USING hnsw (embedding vector_cosine_ops)`);
    progress(`hnsw built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await db.query(`VACUUM ANALYZE t`);

    const vectors = Array.from({ length: queries }, (_, i) => `[${data.queryVector('filtered-walk', i).join(',')}]`);
    const filters = [
      { name: '10% (a category)', value: { category: CATEGORIES[0] } },
      { name: '10% (far along a direction)', value: { side: 'far' } },
    ];
    // vecgate's exact search: ordered by an expression the HNSW index is not built on.
    const exactSql = `SELECT id FROM t WHERE metadata @> $2::jsonb ORDER BY (embedding <=> $1) + 0 LIMIT 10`;
    const walkSql = `SELECT id FROM t WHERE metadata @> $2::jsonb ORDER BY embedding <=> $1 LIMIT 10`;
    const table: Row[] = [];
    for (const filter of filters) {
      const value = JSON.stringify(filter.value);
      const truth: string[][] = [];
      for (const q of vectors) truth.push((await db.query(exactSql, [q, value])).rows.map((r) => r.id));
      const matching = (await db.query(`SELECT count(*)::int AS n FROM t WHERE metadata @> $1::jsonb`, [value])).rows[0]
        .n;
      progress(`${filter.name}: ${matching} records match`);
      const measure = async (search: string, walk: boolean): Promise<void> => {
        let hits = 0;
        let short = 0;
        const run = async (i: number): Promise<string[]> => {
          if (!walk) return (await db.query(exactSql, [vectors[i], value])).rows.map((r) => r.id);
          const ids = (await db.query(walkSql, [vectors[i], value])).rows.map((r) => r.id);
          if (ids.length >= 10) return ids;
          short++;
          return (await db.query(exactSql, [vectors[i], value])).rows.map((r) => r.id);
        };
        await run(0); // warm
        short = 0;
        const start = process.hrtime.bigint();
        for (let i = 0; i < queries; i++) {
          const ids = await run(i);
          hits += ids.filter((id) => truth[i].includes(id)).length;
        }
        const ms = Number(process.hrtime.bigint() - start) / 1e6 / queries;
        const row = { filter: filter.name, search, recall: hits / (queries * 10), ms, short: short / queries };
        table.push(row);
        progress(`${filter.name}, ${search}: recall ${row.recall.toFixed(3)}, ${ms.toFixed(2)} ms, short ${row.short}`);
      };
      await db.query(`SET enable_seqscan = on`);
      await measure('exact: the matching records read and sorted', false);
      // The walk as vecgate runs it: the HNSW index, an iterative scan, and the exact search after a short list.
      await db.query(`SET enable_seqscan = off`);
      await db.query(`SET enable_bitmapscan = off`);
      await db.query(`SET hnsw.iterative_scan = relaxed_order`);
      for (const efSearch of efSearches) {
        await db.query(`SET hnsw.ef_search = ${efSearch}`);
        for (const limit of limits) {
          await db.query(`SET hnsw.max_scan_tuples = ${limit}`);
          await measure(`walk, ef_search ${efSearch}, max_scan_tuples ${limit}`, true);
        }
      }
      await db.query(`RESET hnsw.max_scan_tuples`);
      await db.query(`RESET enable_bitmapscan`);
      await db.query(`SET enable_seqscan = on`);
    }
    console.log(`\n${records} x ${dim} clustered, ${queries} queries, one at a time, recall@10 against exact search\n`);
    console.log('| filter | search | recall@10 | walks short | ms per query |\n|---|---|--:|--:|--:|');
    for (const r of table)
      console.log(
        `| ${r.filter} | ${r.search} | ${r.recall.toFixed(3)} | ${r.search.startsWith('walk') ? `${Math.round(r.short * 100)}%` : ''} | ${r.ms.toFixed(2)} |`,
      );
  } finally {
    await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => undefined);
    await db.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
