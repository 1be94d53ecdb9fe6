/**
 * How fast collections move in: `vecgate import` from a live Chroma 1.0.0 server, from a JSONL
 * export and from Parquet, beside the API path (the chromadb client's add, in batches of 1,000,
 * to a running gateway). Each import lands in a fresh PostgreSQL database of its own.
 *
 *   DATABASE_URL=postgres://... npm run bench:import [-- --records N --dim N]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Collection } from 'chromadb';
import { Client } from 'pg';
import { Flags, progress, repoRoot } from './cli';
import { addBatch, Dataset } from './data';
import { machineInfo, markdown } from './report';
import { chromaClientFor, startChromaReference, startVecgate } from './servers';
import { nowMs } from './stats';

const USAGE = `usage: node dist/bench/import-rate.js [--records N] [--dim N]
  DATABASE_URL names a PostgreSQL server with pgvector; the bench creates and drops its own databases.`;

/** A fresh database on the DATABASE_URL server, and its dropper. */
async function scratchDatabase(base: string, name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = new Client({ connectionString: base });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Runs the vecgate CLI to its end; its stderr (progress) is dropped, a failure throws with it. */
function vecgate(root: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'dist/src/cli/vecgate.js'), ...args], {
      env: { ...process.env, ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err = (err + c).slice(-2000)));
    child.once('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`vecgate ${args[0]} exited ${code}: ${err}`)),
    );
  });
}

async function main(): Promise<void> {
  const flags = new Flags(process.argv.slice(2), { usage: USAGE, switches: [], valued: ['--records', '--dim'] });
  const base = process.env.DATABASE_URL;
  if (!base) flags.fail('DATABASE_URL is not set');
  const records = flags.int('--records', 100_000, 100);
  const dim = flags.int('--dim', 384, 2, 2000);
  const root = repoRoot(__dirname);
  const machine = machineInfo();
  const data = new Dataset(42, records, dim);
  const dir = mkdtempSync(join(tmpdir(), 'vecgate-bench-import-'));
  const rows: string[][] = [];
  /** Every record, through the chromadb client's add in batches of 1,000. */
  const addAll = async (collection: Collection) => {
    for (let at = 0; at < records; at += 1000) await collection.add(addBatch(data, at, 1000));
  };
  const rate = (label: string, ms: number) =>
    rows.push([label, (ms / 1000).toFixed(1), (records / (ms / 1000)).toFixed(0)]);
  const chromaDir = join(dir, 'chroma');
  const chroma = await startChromaReference(root, { dataDir: chromaDir });
  const dbs: { drop(): Promise<void> }[] = [];
  try {
    progress(`filling Chroma 1.0.0 with ${records} x ${dim}`);
    const source = await chromaClientFor(chroma.url).createCollection({
      name: 'bench-import',
      embeddingFunction: null,
    });
    await addAll(source);
    const live = await scratchDatabase(base!, 'vecgate_bench_import_live');
    dbs.push(live);
    progress('vecgate import from the live Chroma server');
    let start = nowMs();
    await vecgate(root, ['import', chroma.url, '--batch', '1000', '--checkpoint', join(dir, 'live.json')], {
      DATABASE_URL: live.url,
    });
    rate('import from a live Chroma 1.0.0 (v2 API, pages of 1,000)', nowMs() - start);
    progress('vecgate import from the data directory Chroma left');
    await chroma.stop();
    const files = await scratchDatabase(base!, 'vecgate_bench_import_dir');
    dbs.push(files);
    start = nowMs();
    await vecgate(root, ['import', chromaDir, '--batch', '1000', '--checkpoint', join(dir, 'dir.json')], {
      DATABASE_URL: files.url,
    });
    rate("import from Chroma 1.0.0's data directory, Chroma stopped", nowMs() - start);
    progress('exports');
    await vecgate(root, ['export', 'bench-import', '--to', join(dir, 'bench.jsonl')], { DATABASE_URL: live.url });
    await vecgate(root, ['export', 'bench-import', '--to', join(dir, 'parquet')], { DATABASE_URL: live.url });
    for (const [label, path] of [
      ['import from JSONL', join(dir, 'bench.jsonl')],
      ['import from Parquet (Pinecone layout)', join(dir, 'parquet')],
    ]) {
      const db = await scratchDatabase(base!, `vecgate_bench_import_${dbs.length}`);
      dbs.push(db);
      progress(label);
      start = nowMs();
      await vecgate(root, ['import', path, '--batch', '1000', '--checkpoint', join(dir, `${dbs.length}.json`)], {
        DATABASE_URL: db.url,
      });
      rate(label, nowMs() - start);
    }
    const api = await scratchDatabase(base!, 'vecgate_bench_import_api');
    dbs.push(api);
    const gateway = await startVecgate(root, { databaseUrl: api.url });
    try {
      progress('the API path: add through the chromadb client');
      const target = await chromaClientFor(gateway.url).createCollection({
        name: 'bench-import',
        embeddingFunction: null,
      });
      start = nowMs();
      await addAll(target);
      rate(
        'the API path: chromadb add to a gateway, batches of 1,000 (records generated in the bench)',
        nowMs() - start,
      );
    } finally {
      await gateway.stop();
    }
  } finally {
    await chroma.stop();
    for (const db of dbs) await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\n## Import rate, ${records} x ${dim} records\n`);
  console.log(
    Object.entries(machine)
      .map(([k, v]) => `- ${k}: ${v}`)
      .join('\n'),
  );
  console.log('\n' + markdown(['path', 'seconds', 'records/s'], rows));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
