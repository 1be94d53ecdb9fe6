/**
 * What a top-10 search costs PostgreSQL at a given recall, by way of searching: the exact scan,
 * HNSW walks with the default and a denser graph, and binary-quantized and halfvec candidates
 * re-ranked exactly (issue 21's "halfvec or binary-quantized indexes with an exact re-rank"). SQL
 * only, one query at a time, no gateway: it measures the walk, not the stack around it.
 *
 *   DATABASE_URL=postgres://... node dist/bench/walk-cost.js [--data uniform|clustered]
 *
 * Works in a schema of its own, dropped at the end.
 */
import { Client } from 'pg';
import { Dataset, UniformDataset } from './data';
import { Flags, progress } from './cli';
import { scratchRecordTable } from './scratch-table';

const USAGE = `usage: node dist/bench/walk-cost.js [--data uniform|clustered] [--records N] [--dim N] [--queries N]
  DATABASE_URL names a PostgreSQL with pgvector 0.8 or newer.`;
const SCHEMA = 'vecgate_bench_walk';

interface Row {
  search: string;
  recall: number;
  ms: number;
}

async function main(): Promise<void> {
  const flags = new Flags(process.argv.slice(2), {
    usage: USAGE,
    switches: [],
    valued: ['--data', '--records', '--dim', '--queries'],
  });
  const url = process.env.DATABASE_URL;
  if (!url) flags.fail('DATABASE_URL is not set');
  const kind = flags.string('--data') ?? 'uniform';
  if (kind !== 'uniform' && kind !== 'clustered') flags.fail('--data is uniform or clustered');
  const records = flags.int('--records', 20_000, 100);
  const dim = flags.int('--dim', 384, 2, 2000);
  const queries = flags.int('--queries', 50, 1);
  const data = kind === 'uniform' ? new UniformDataset(42, records, dim) : new Dataset(42, records, dim);
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    await scratchRecordTable(db, SCHEMA, data, kind);
    await db.query(`CREATE TABLE bits AS SELECT id, binary_quantize(embedding)::bit(${dim}) AS bq FROM t`);
    await db.query(`CREATE TABLE halves AS SELECT id, embedding::halfvec(${dim}) AS h FROM t`);
    await db.query(`VACUUM ANALYZE t`);
    await db.query(`VACUUM ANALYZE bits`);
    await db.query(`VACUUM ANALYZE halves`);

    const vectors = Array.from({ length: queries }, (_, i) => `[${data.queryVector('walk', i).join(',')}]`);
    const truth: string[][] = [];
    for (const q of vectors) {
      const { rows } = await db.query(`SELECT id FROM t ORDER BY embedding <=> $1 LIMIT 10`, [q]);
      truth.push(rows.map((r) => r.id));
    }
    const table: Row[] = [];
    const measure = async (search: string, sql: string): Promise<void> => {
      await db.query(sql, [vectors[0]]); // warm
      let hits = 0;
      const start = process.hrtime.bigint();
      for (let i = 0; i < queries; i++) {
        const { rows } = await db.query(sql, [vectors[i]]);
        hits += rows.filter((r) => truth[i].includes(r.id)).length;
      }
      const ms = Number(process.hrtime.bigint() - start) / 1e6 / queries;
      table.push({ search, recall: hits / (queries * 10), ms });
      progress(`${search}: recall ${(hits / (queries * 10)).toFixed(3)}, ${ms.toFixed(2)} ms`);
    };
    const rerank = (candidates: string): string =>
      `SELECT t.id FROM (${candidates}) c JOIN t ON t.namespace = '' AND t.id = c.id ORDER BY t.embedding <=> $1 LIMIT 10`;

    // Before any HNSW index exists, so no plan can swap the re-rank for a walk.
    await measure('exact scan', `SELECT id FROM t ORDER BY embedding <=> $1 LIMIT 10`);
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
        await measure(
          `hnsw m ${m}, ef_construction ${efc} (${s.toFixed(0)} s build), ef_search ${ef}`,
          `SELECT id FROM t ORDER BY embedding <=> $1 LIMIT 10`,
        );
      }
      await db.query(`DROP INDEX t_h`);
    }
    console.log(`\n${records} x ${dim} ${kind}, ${queries} queries, one at a time, recall@10 against the exact scan\n`);
    console.log('| search | recall@10 | ms per query |\n|---|--:|--:|');
    for (const r of table)
      console.log(`| ${r.search} | ${r.search.includes('alone') ? '' : r.recall.toFixed(3)} | ${r.ms.toFixed(1)} |`);
  } finally {
    await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => undefined);
    await db.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
