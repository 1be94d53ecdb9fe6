/**
 * Whether PostgreSQL's JIT pays on the gateway's statements: each statement, from the gateway's
 * own RecordsRepository, timed on a connection with `jit = on` (the server's default) and on one
 * with `jit = off`. The statements: exact nearest-neighbour searches over a large table without and
 * with metadata filters, a filtered count, an exact search of a small collection, the exact search
 * on a connection that prices sorts out (the plan-once pool's `enable_sort = off`), and Qdrant's
 * `text_any` of many words as the gateway's filter compiles it, under a statement timeout. Works
 * in a scratch database of its own on the DATABASE_URL server, dropped at the end.
 *
 * The backend's peak anonymous memory is sampled from /proc while each statement runs, when the
 * server runs on this machine (JIT's compiled code and LLVM's own memory are not in Postgres's
 * memory contexts); '-' elsewhere.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Logger } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { ALL_RECORD_INDEXES, type Collection } from '../../src/core/collections/collection.model';
import { RecordTableRepository, qualified, recordTableName } from '../../src/core/collections/record-table.repository';
import { ALL, or, type FilterNode } from '../../src/core/filters/filter-ast';
import { DenseVector } from '../../src/core/records/dense-vector';
import type { RecordsRepository } from '../../src/core/records/records.repository';
import type { Queryable } from '../../src/database/queryable';
import { runMigrations } from '../../src/database/migrator';
import { CATEGORIES, Dataset, UniformDataset, WORDS } from '../data';
import { int, on, workload } from '../options';
import { bullets, machineInfo, markdown, ms, progress } from '../report';
import { onePool, probe, scratchDatabase } from '../sql/connect';
import { nowMs, sleep, summarize } from '../stats';

const quiet = { log: () => {}, warn: () => {}, error: () => {} } as unknown as Logger;

const NO_VALUES = { embeddings: false, sparse: false, metadatas: true, documents: false, uris: false };

/** A record table made as the gateway makes a collection's, and the catalog entry searches read. */
async function recordTable(pool: Pool, data: Dataset, label: string): Promise<Collection> {
  const id = randomUUID();
  const tableName = recordTableName(id);
  const tables = new RecordTableRepository();
  await tables.create(pool, tableName);
  await tables.setDimension(pool, tableName, data.dim);
  progress(`loading ${data.records} ${label} records x ${data.dim}`);
  for (let start = 0; start < data.records; start += 1000) {
    const batch = data.batch(start, Math.min(1000, data.records - start));
    // The document is also a payload field, as Qdrant's text_any matches one.
    await pool.query(
      `INSERT INTO ${qualified(tableName)} (id, embedding, document, metadata)
       SELECT i, e, d, m || jsonb_build_object('text', d) FROM unnest($1::text[], $2::vector[], $3::text[], $4::jsonb[]) AS u(i, e, d, m)`,
      [
        batch.map((r) => r.id),
        batch.map((r) => `[${r.embedding.join(',')}]`),
        batch.map((r) => r.document),
        batch.map((r) => JSON.stringify(r.metadata)),
      ],
    );
  }
  await tables.analyze(pool, tableName);
  return {
    id,
    name: label,
    tenant: 'bench',
    database: 'bench',
    databaseId: randomUUID(),
    dimension: data.dim,
    metric: 'l2',
    index: { m: 16, efConstruction: 100, efSearch: 100 },
    metadata: null,
    extras: {},
    schema: null,
    recordIndexes: ALL_RECORD_INDEXES,
    tableName,
    // No HNSW index: every search here is the exact one.
    vectorIndexed: false,
    namespaced: false,
    tuning: null,
    vectors: [],
    textFields: [],
    createdAt: new Date(),
  };
}

/** The largest RssAnon of process `pid` seen until `done` settles, in MiB; undefined where /proc cannot tell. */
async function peakAnonMiB(pid: number, done: Promise<unknown>): Promise<number | undefined> {
  const read = (): number | undefined => {
    try {
      const kb = /^RssAnon:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return kb ? Number(kb[1]) / 1024 : undefined;
    } catch {
      return undefined;
    }
  };
  let settled = false;
  const watched = done.then(
    () => (settled = true),
    () => (settled = true),
  );
  let peak = read();
  if (peak === undefined) {
    await watched;
    return undefined;
  }
  // A sampling interval: the peak is what the backend held while the statement ran.
  while (!settled) {
    await Promise.race([watched, sleep(20)]);
    peak = Math.max(peak, read() ?? 0);
  }
  return peak;
}

/** The statement `run` sends (its last one), caught instead of run. */
async function statementOf(run: (db: Queryable) => Promise<unknown>): Promise<{ text: string; values: unknown[] }> {
  let caught: { text: string; values: unknown[] } | undefined;
  const recorder: Queryable = {
    query: async (text: string, values?: unknown[]) => {
      caught = { text, values: values ?? [] };
      return { rows: [], rowCount: 0, command: '', oid: 0, fields: [] };
    },
  } as unknown as Queryable;
  await run(recorder).catch(() => undefined);
  if (!caught) throw new Error('the case sent no statement');
  return caught;
}

/** What EXPLAIN ANALYZE reports of the statement's JIT: functions compiled and ms spent, or 'none'. */
async function jitOf(db: PoolClient, statement: { text: string; values: unknown[] }): Promise<string> {
  const { rows } = await db.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${statement.text}`, statement.values);
  const plan = rows[0]['QUERY PLAN'][0];
  const jit = plan.JIT as { Functions: number; Timing: { Total: number } } | undefined;
  return jit ? `${jit.Functions} fn, ${ms(jit.Timing.Total)} ms` : 'none';
}

interface Case {
  name: string;
  /** The plan-once pool's planning (enable_sort off) instead of the main pool's. */
  planOnce?: boolean;
  /** Times to run it after one untimed run; 1 and no warm-up for the slow ones. */
  reps: number;
  timeoutMs?: number;
  run(db: Queryable): Promise<unknown>;
}

export default workload({
  name: 'jit',
  about: "the gateway's statements with PostgreSQL's JIT on and off: exact searches, counts, a huge text_any",
  needs: 'postgres',
  flags: {
    records: int('records of the large collection', 100_000, { min: 1000, smoke: 5000 }),
    dim: int('its dimension', 64, { min: 2, max: 2000 }),
    small: int('records of the small collection', 300, { min: 10 }),
    smallDim: int('its dimension', 128, { min: 2, max: 2000 }),
    textRecords: int('records of the collection text_any searches', 3000, { min: 10, smoke: 300 }),
    words: int('words of the text_any', 10_000, { min: 1, smoke: 1000 }),
    reps: int('timed runs of each fast statement', 20, { min: 1, smoke: 3 }),
    timeoutMs: int('statement_timeout of the text_any runs, ms', 5000, { min: 100 }),
    smoke: on('a few thousand records, 1,000 words: the CI smoke'),
  },
  notes:
    'DATABASE_URL names a PostgreSQL with pgvector; a scratch database vecgate_bench_jit is made on it and dropped.',
  async run(o) {
    const scratch = await scratchDatabase(process.env.DATABASE_URL!, 'vecgate_bench_jit');
    const setup = onePool(scratch.url);
    try {
      await runMigrations(setup, quiet);
      const { postgres, pgvector, repository } = await probe(setup);
      const big = await recordTable(setup, new UniformDataset(7, o.records, o.dim), 'large');
      const small = await recordTable(setup, new UniformDataset(8, o.small, o.smallDim), 'small');
      const text = await recordTable(setup, new Dataset(9, o.textRecords, o.dim), 'text');
      const settings = (await setup.query(`SELECT current_setting('jit_above_cost') AS c`)).rows[0];

      const query = (data: Dataset, i: number) => [DenseVector.fromNumbers(data.queryVector('jit', i))];
      const bigQ = new UniformDataset(7, o.records, o.dim);
      const smallQ = new UniformDataset(8, o.small, o.smallDim);
      const search = (collection: Collection, data: Dataset, filter: FilterNode) => (db: Queryable) =>
        nearest(repository, db, collection, query(data, 0), filter);
      const category: FilterNode = { kind: 'eq', key: 'category', value: CATEGORIES[0] };
      const range: FilterNode = { kind: 'range', key: 'price', operator: '<', value: 100 };
      const words = Array.from({ length: o.words }, (_, i) => `${WORDS[i % WORDS.length]}${i}`);
      // Qdrant's text_any as its parser hands it to the core: one contains match a word.
      const textAny = or(
        ...words.map((w): FilterNode => ({ kind: 'textMatch', key: 'text', mode: 'contains', text: w })),
      );
      const textAnyBytes = JSON.stringify({ match: { text_any: words.join(' ') } }).length;
      const cases: Case[] = [
        { name: `exact, ${o.records} x ${o.dim}, no filter`, reps: o.reps, run: search(big, bigQ, ALL) },
        { name: `exact, ${o.records} x ${o.dim}, category (10%)`, reps: o.reps, run: search(big, bigQ, category) },
        { name: `exact, ${o.records} x ${o.dim}, price < 100 (10%)`, reps: o.reps, run: search(big, bigQ, range) },
        {
          name: `count, ${o.records}, category (10%)`,
          reps: o.reps,
          run: (db) => repository.countMatching(db, big, '', category),
        },
        { name: `exact, ${o.small} x ${o.smallDim}, no filter`, reps: o.reps, run: search(small, smallQ, ALL) },
        {
          name: `exact, ${o.small} x ${o.smallDim}, no filter, enable_sort off (plan-once pool)`,
          planOnce: true,
          reps: o.reps,
          run: search(small, smallQ, ALL),
        },
        {
          name: `exact, ${o.records} x ${o.dim}, no filter, enable_sort off (plan-once pool)`,
          planOnce: true,
          reps: o.reps,
          run: search(big, bigQ, ALL),
        },
        {
          name: `text_any of ${o.words} words (${Math.round(textAnyBytes / 1024)} KB), exact search of ${o.textRecords}`,
          reps: 1,
          timeoutMs: o.timeoutMs,
          run: search(text, new Dataset(9, o.textRecords, o.dim), textAny),
        },
        {
          name: `text_any of ${o.words} words, count of ${o.textRecords}`,
          reps: 1,
          timeoutMs: o.timeoutMs,
          run: (db) => repository.countMatching(db, text, '', textAny),
        },
      ];

      const table: string[][] = [];
      for (const c of cases) {
        const row = [c.name];
        for (const jit of ['on', 'off']) {
          // A connection of its own: its peak memory is this statement's.
          const pool = onePool(scratch.url, c.planOnce ? 'once' : 'per-call');
          const db = await pool.connect();
          try {
            await db.query(`SET jit = ${jit}`);
            await db.query(`SET max_parallel_workers_per_gather = 0`);
            await db.query(`SET statement_timeout = ${c.timeoutMs ?? 0}`);
            const pid: number = (await db.query(`SELECT pg_backend_pid() AS pid`)).rows[0].pid;
            if (c.reps > 1) await c.run(db);
            const samples: number[] = [];
            let peak: number | undefined;
            let outcome = '';
            for (let i = 0; i < c.reps; i++) {
              const started = nowMs();
              let took = 0;
              const running = c.run(db).finally(() => (took = nowMs() - started));
              const mib = await peakAnonMiB(pid, running);
              peak = mib === undefined ? undefined : Math.max(peak ?? 0, mib);
              samples.push(took);
              outcome = await running.then(
                () => '',
                (err: Error) => (/statement timeout/.test(err.message) ? ' (cancelled)' : ` (${err.message})`),
              );
            }
            const s = summarize(samples);
            row.push(`${ms(s.median)}${outcome}`, peak === undefined ? '-' : peak.toFixed(0));
            if (jit === 'on') row.push(c.reps > 1 ? await jitOf(db, await statementOf(c.run)) : '-');
            progress(`${c.name}, jit ${jit}: median ${ms(s.median)} ms${outcome}, peak ${peak?.toFixed(0) ?? '-'} MiB`);
          } finally {
            db.release(true);
            await pool.end();
          }
        }
        table.push(row);
      }
      console.log(
        [
          '',
          ...bullets({
            ...machineInfo(),
            postgres,
            pgvector,
            jit_above_cost: String(settings.c),
            runs: `median of ${o.reps} after one untimed run; text_any once, under a ${o.timeoutMs} ms statement_timeout`,
          }),
          '',
        ].join('\n'),
      );
      console.log(
        markdown(
          [
            'statement (the gateway repository SQL)',
            'jit on, ms',
            'backend MiB',
            'JIT (EXPLAIN ANALYZE)',
            'jit off, ms',
            'backend MiB',
          ],
          table,
        ),
      );
    } finally {
      await setup.end().catch(() => undefined);
      await scratch.drop();
    }
    return true;
  },
});

function nearest(
  repository: RecordsRepository,
  db: Queryable,
  collection: Collection,
  vectors: DenseVector[],
  filter: FilterNode,
): Promise<unknown> {
  return repository.nearest(db, collection, { namespace: '', vectors, n: 10, filter, include: NO_VALUES, exact: true });
}
