/**
 * What a filtered top-10 search costs PostgreSQL by way of an HNSW walk with an iterative scan,
 * against reading the matching records: for each `hnsw.max_scan_tuples` (the elements a walk may
 * visit before it gives up), the mean time per query when a walk that comes back short is searched
 * again exactly, as vecgate does, and the recall. Two filters keep 10% of the records: one
 * independent of the vectors (a category) and one that keeps the records lying furthest along a
 * random direction, so that for most queries the matches are far away and the walk has to pass
 * most of the graph before it finds ten. SQL only, one query at a time, no gateway. Works in a
 * schema of its own, dropped at the end.
 */
import { Client } from 'pg';
import { CATEGORIES, Dataset } from '../data';
import { int, ints, workload } from '../options';
import { markdown, progress } from '../report';
import { scratchRecordTable } from '../sql/connect';
import { timeSearches } from '../stats';

const SCHEMA = 'vecgate_bench_filtered_walk';

export default workload({
  name: 'filtered-walk',
  about: 'the SQL of a filtered top-10 search: exact, and walks by ef_search and max_scan_tuples',
  needs: 'postgres',
  flags: {
    records: int('records', 20_000, { min: 100 }),
    dim: int('embedding dimension', 384, { min: 2, max: 2000 }),
    queries: int('queries per search', 50, { min: 1 }),
    efSearch: ints('hnsw.ef_search values', '100', { min: 10, max: 1000 }),
    limits: ints('hnsw.max_scan_tuples values', '20000,10000,5000,2000,1000,500', { min: 1 }),
  },
  notes: 'DATABASE_URL names a PostgreSQL with pgvector 0.8 or newer.',
  async run(o) {
    const data = new Dataset(42, o.records, o.dim);
    const db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    try {
      await scratchRecordTable(db, SCHEMA, data, 'clustered');
      // The tenth of the records furthest along one random direction: whole clusters, far from most queries.
      await db.query(
        `UPDATE t SET metadata = metadata || jsonb_build_object('side', CASE WHEN r.rank <= $2 THEN 'far' ELSE 'near' END)
         FROM (SELECT id, row_number() OVER (ORDER BY embedding <#> $1) AS rank FROM t) r WHERE r.id = t.id`,
        [`[${data.queryVector('direction', 0).join(',')}]`, Math.round(o.records / 10)],
      );
      await db.query(`CREATE INDEX t_metadata ON t USING gin (metadata jsonb_path_ops)`);
      const started = Date.now();
      await db.query(`CREATE INDEX t_h ON t USING hnsw (embedding vector_cosine_ops)`);
      progress(`hnsw built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      await db.query(`VACUUM ANALYZE t`);

      const vectors = Array.from(
        { length: o.queries },
        (_, i) => `[${data.queryVector('filtered-walk', i).join(',')}]`,
      );
      const filters = [
        { name: '10% (a category)', value: { category: CATEGORIES[0] } },
        { name: '10% (far along a direction)', value: { side: 'far' } },
      ];
      // vecgate's exact search: ordered by an expression the HNSW index is not built on.
      const exactSql = `SELECT id FROM t WHERE metadata @> $2::jsonb ORDER BY (embedding <=> $1) + 0 LIMIT 10`;
      const walkSql = `SELECT id FROM t WHERE metadata @> $2::jsonb ORDER BY embedding <=> $1 LIMIT 10`;
      const table: string[][] = [];
      for (const filter of filters) {
        const value = JSON.stringify(filter.value);
        const ids = async (sql: string, i: number) => (await db.query(sql, [vectors[i], value])).rows.map((r) => r.id);
        const truth: string[][] = [];
        for (let i = 0; i < o.queries; i++) truth.push(await ids(exactSql, i));
        const { n } = (await db.query(`SELECT count(*)::int AS n FROM t WHERE metadata @> $1::jsonb`, [value])).rows[0];
        progress(`${filter.name}: ${n} records match`);
        const measure = async (search: string, walk: boolean): Promise<void> => {
          let short = 0;
          const run = async (i: number, warm: boolean): Promise<string[]> => {
            if (!walk) return ids(exactSql, i);
            const found = await ids(walkSql, i);
            if (found.length >= 10) return found;
            if (!warm) short++;
            return ids(exactSql, i);
          };
          const { recall, ms } = await timeSearches(o.queries, run, truth);
          const shortShare = short / o.queries;
          table.push([
            filter.name,
            search,
            recall.toFixed(3),
            walk ? `${Math.round(shortShare * 100)}%` : '',
            ms.toFixed(2),
          ]);
          progress(`${filter.name}, ${search}: recall ${recall.toFixed(3)}, ${ms.toFixed(2)} ms, short ${shortShare}`);
        };
        await db.query(`SET enable_seqscan = on`);
        await measure('exact: the matching records read and sorted', false);
        // The walk as vecgate runs it: the HNSW index, an iterative scan, and the exact search after a short list.
        await db.query(`SET enable_seqscan = off`);
        await db.query(`SET enable_bitmapscan = off`);
        await db.query(`SET hnsw.iterative_scan = relaxed_order`);
        for (const efSearch of o.efSearch) {
          await db.query(`SET hnsw.ef_search = ${efSearch}`);
          for (const limit of o.limits) {
            await db.query(`SET hnsw.max_scan_tuples = ${limit}`);
            await measure(`walk, ef_search ${efSearch}, max_scan_tuples ${limit}`, true);
          }
        }
        await db.query(`RESET hnsw.max_scan_tuples`);
        await db.query(`RESET enable_bitmapscan`);
        await db.query(`SET enable_seqscan = on`);
      }
      console.log(
        `\n${o.records} x ${o.dim} clustered, ${o.queries} queries, one at a time, recall@10 against exact search\n`,
      );
      console.log(markdown(['filter', 'search', 'recall@10', 'walks short', 'ms per query'], table, 2));
    } finally {
      await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => undefined);
      await db.end();
    }
    return true;
  },
});
