/**
 * What a top-10 search costs PostgreSQL at a given recall, by way of searching: the exact scan,
 * HNSW walks with the default and a denser graph, and binary-quantized and halfvec candidates
 * re-ranked exactly (issue 21's "halfvec or binary-quantized indexes with an exact re-rank"). SQL
 * only, one query at a time, no gateway: it measures the walk, not the stack around it. Works in a
 * schema of its own, dropped at the end.
 */
import { Client } from 'pg';
import { Dataset, UniformDataset } from '../data';
import { choice, int, workload } from '../options';
import { markdown, progress } from '../report';
import { scratchRecordTable } from '../sql/connect';
import { timeSearches } from '../stats';

const SCHEMA = 'vecgate_bench_walk';

export default workload({
  name: 'walk',
  about: 'the SQL of a top-10 search on hard data: exact, HNSW, quantized with re-rank',
  needs: 'postgres',
  flags: {
    data: choice('the vectors', 'uniform', ['uniform', 'clustered'] as const),
    records: int('records', 20_000, { min: 100 }),
    dim: int('embedding dimension', 384, { min: 2, max: 2000 }),
    queries: int('queries per search', 50, { min: 1 }),
  },
  notes: 'DATABASE_URL names a PostgreSQL with pgvector 0.8 or newer.',
  async run(o) {
    const { dim, queries } = o;
    const data = o.data === 'uniform' ? new UniformDataset(42, o.records, dim) : new Dataset(42, o.records, dim);
    const db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    try {
      await scratchRecordTable(db, SCHEMA, data, o.data);
      await db.query(`CREATE TABLE bits AS SELECT id, binary_quantize(embedding)::bit(${dim}) AS bq FROM t`);
      await db.query(`CREATE TABLE halves AS SELECT id, embedding::halfvec(${dim}) AS h FROM t`);
      for (const table of ['t', 'bits', 'halves']) await db.query(`VACUUM ANALYZE ${table}`);

      const vectors = Array.from({ length: queries }, (_, i) => `[${data.queryVector('walk', i).join(',')}]`);
      const ids = async (sql: string, i: number) => (await db.query(sql, [vectors[i]])).rows.map((r) => r.id);
      const exact = `SELECT id FROM t ORDER BY embedding <=> $1 LIMIT 10`;
      const truth: string[][] = [];
      for (let i = 0; i < queries; i++) truth.push(await ids(exact, i));
      const table: string[][] = [];
      const measure = async (search: string, sql: string): Promise<void> => {
        const { recall, ms } = await timeSearches(queries, (i) => ids(sql, i), truth);
        table.push([search, search.includes('alone') ? '' : recall.toFixed(3), ms.toFixed(1)]);
        progress(`${search}: recall ${recall.toFixed(3)}, ${ms.toFixed(2)} ms`);
      };
      const rerank = (candidates: string): string =>
        `SELECT t.id FROM (${candidates}) c JOIN t ON t.namespace = '' AND t.id = c.id ORDER BY t.embedding <=> $1 LIMIT 10`;

      // Before any HNSW index exists, so no plan can swap the re-rank for a walk.
      await measure('exact scan', exact);
      // Issue 34 §4: a parallel exact scan for few clients (vecgate's searches run without workers).
      await db.query(`SET max_parallel_workers_per_gather = 2`);
      const { rows: plan } = await db.query(`EXPLAIN ${exact}`, [vectors[0]]);
      const workers = plan.some((r) => /Workers Planned/.test(r['QUERY PLAN'])) ? '2 workers' : 'planned serial';
      await measure(`exact scan, max_parallel_workers_per_gather 2 (${workers})`, exact);
      await db.query(`SET max_parallel_workers_per_gather = 0`);
      await measure(
        'bit side table: the hamming scan alone',
        `SELECT count(*) AS id FROM bits WHERE (bq <~> binary_quantize($1::vector(${dim}))) < 0`,
      );
      for (const k of [400, 800, 1600])
        await measure(
          `bit side table, ${k} candidates re-ranked`,
          rerank(`SELECT id FROM bits ORDER BY bq <~> binary_quantize($1::vector(${dim})) LIMIT ${k}`),
        );
      await measure(
        'halfvec side table, 20 candidates re-ranked',
        rerank(`SELECT id FROM halves ORDER BY h <=> $1::halfvec(${dim}) LIMIT 20`),
      );

      const built = async (name: string, ddl: string): Promise<number> => {
        const start = Date.now();
        await db.query(ddl);
        const s = (Date.now() - start) / 1000;
        progress(`${name} built in ${s.toFixed(1)} s`);
        return s;
      };
      const bqBuild = await built(
        'hnsw on binary_quantize',
        `CREATE INDEX t_bq ON t USING hnsw ((binary_quantize(embedding)::bit(${dim})) bit_hamming_ops)`,
      );
      for (const k of [400, 800, 1000]) {
        await db.query(`SET hnsw.ef_search = ${k}`);
        await measure(
          `hnsw on binary_quantize (${bqBuild.toFixed(0)} s build), ${k} candidates re-ranked`,
          `SELECT id FROM (SELECT id, embedding FROM t ORDER BY binary_quantize(embedding)::bit(${dim}) <~> binary_quantize($1::vector(${dim})) LIMIT ${k}) c ORDER BY embedding <=> $1 LIMIT 10`,
        );
      }
      await db.query(`DROP INDEX t_bq`);
      for (const [m, efc, efs] of [
        [16, 64, [100, 400, 800]],
        [32, 200, [200, 300, 400]],
      ] as const) {
        const s = await built(
          `hnsw m ${m}`,
          `CREATE INDEX t_h ON t USING hnsw (embedding vector_cosine_ops) WITH (m = ${m}, ef_construction = ${efc})`,
        );
        for (const ef of efs) {
          await db.query(`SET hnsw.ef_search = ${ef}`);
          await measure(`hnsw m ${m}, ef_construction ${efc} (${s.toFixed(0)} s build), ef_search ${ef}`, exact);
        }
        await db.query(`DROP INDEX t_h`);
      }
      console.log(
        `\n${o.records} x ${dim} ${o.data}, ${queries} queries, one at a time, recall@10 against the exact scan\n`,
      );
      console.log(markdown(['search', 'recall@10', 'ms per query'], table));
    } finally {
      await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => undefined);
      await db.end();
    }
    return true;
  },
});
