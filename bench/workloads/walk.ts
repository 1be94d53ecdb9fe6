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

/**
 * Issue 34 §3: a query of several vectors, exact, as one statement (a lateral join over the
 * vectors, as RecordsRepository.nearest sends it) against one statement per vector on as many
 * connections at once (as RecordsService.spread sends it, up to 4). Mean ms per call of 5 vectors.
 */
async function severalVectors(db: Client, vectors: string[], table: string[][]): Promise<void> {
  const VECTORS = 5;
  const calls = Math.max(1, Math.floor(vectors.length / VECTORS));
  const groups = Array.from({ length: calls }, (_, c) => vectors.slice(c * VECTORS, (c + 1) * VECTORS));
  const one = `SELECT q.ord, r.id FROM unnest($1::vector[]) WITH ORDINALITY AS q(vec, ord)
    CROSS JOIN LATERAL (SELECT id, (embedding <=> q.vec) + 0 AS d FROM t ORDER BY d LIMIT 10) r`;
  const single = `SELECT id, (embedding <=> $1) + 0 AS d FROM t ORDER BY d LIMIT 10`;
  const extra = await Promise.all(
    Array.from({ length: 2 }, async () => {
      const c = new Client({ connectionString: process.env.DATABASE_URL });
      await c.connect();
      await c.query(`SET search_path = ${SCHEMA}, public`);
      await c.query(`SET max_parallel_workers_per_gather = 0`);
      return c;
    }),
  );
  try {
    const clients = [db, ...extra];
    const time = async (label: string, call: (group: string[]) => Promise<unknown>) => {
      const start = performance.now();
      for (const group of groups) await call(group);
      const ms = (performance.now() - start) / calls;
      table.push([label, '1.000', ms.toFixed(1)]);
      progress(`${label}: ${ms.toFixed(2)} ms`);
    };
    await time(`${VECTORS} vectors exact, one statement`, (g) => db.query(one, [g]));
    // As spread() parts them: at most 4 parts of ceil(n / 4) vectors each (5 -> 2 + 2 + 1).
    const size = Math.ceil(VECTORS / 4);
    await time(`${VECTORS} vectors exact, in parts of ${size} on connections at once`, async (g) => {
      const parts: string[][] = [];
      for (let i = 0; i < g.length; i += size) parts.push(g.slice(i, i + size));
      await Promise.all(
        parts.map((part, k) => (part.length === 1 ? clients[k].query(single, part) : clients[k].query(one, [part]))),
      );
    });
    await time(`${VECTORS} vectors exact, one statement each, one after another`, async (g) => {
      for (const v of g) await db.query(single, [v]);
    });
  } finally {
    await Promise.all(extra.map((c) => c.end()));
  }
}

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
      // Forced: the planner's parallel costs keep a scan of this size serial.
      const force = ['parallel_setup_cost', 'parallel_tuple_cost', 'min_parallel_table_scan_size'];
      for (const name of force) await db.query(`SET ${name} = 0`);
      await measure('exact scan, 2 parallel workers forced (setup and tuple costs 0)', exact);
      for (const name of force) await db.query(`RESET ${name}`);
      await db.query(`SET max_parallel_workers_per_gather = 0`);
      await severalVectors(db, vectors, table);
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
