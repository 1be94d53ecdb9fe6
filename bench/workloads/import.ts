/**
 * How fast collections move in: `vecgate import` from a live Chroma 1.0.0 server, from the data
 * directory it leaves, from a JSONL export and from Parquet, beside the API path (the chromadb
 * client's add, in batches of 1,000, to a running gateway). Each import lands in a fresh
 * PostgreSQL database of its own.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromaClient, fill } from '../clients/chroma';
import { Dataset } from '../data';
import { int, workload } from '../options';
import { bullets, machineInfo, markdown, progress } from '../report';
import { root, startChromaReference, startVecgate } from '../servers/start';
import { scratchDatabase } from '../sql/connect';
import { nowMs } from '../stats';

/** Runs the vecgate CLI on `databaseUrl` to its end; its stderr (progress) is dropped, a failure throws with it. */
function vecgate(args: string[], databaseUrl: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'dist/src/cli/vecgate.js'), ...args], {
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (c) => (err = (err + c).slice(-2000)));
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`vecgate ${args[0]} exited ${code}: ${err}`)),
    );
  });
}

export default workload({
  name: 'import',
  about: 'vecgate import from a live Chroma, its data directory, JSONL and Parquet, beside the API path',
  needs: 'postgres',
  flags: {
    records: int('records', 100_000, { min: 100 }),
    dim: int('embedding dimension', 384, { min: 2, max: 2000 }),
  },
  notes: 'The workload creates and drops its own databases on the DATABASE_URL server.',
  async run(o) {
    const base = process.env.DATABASE_URL!;
    const machine = machineInfo();
    const data = new Dataset(42, o.records, o.dim);
    const dir = mkdtempSync(join(tmpdir(), 'vecgate-bench-import-'));
    const rows: string[][] = [];
    const dbs: { url: string; drop(): Promise<void> }[] = [];
    const database = async (name: string) => {
      dbs.push(await scratchDatabase(base, `vecgate_bench_import_${name}`));
      return dbs[dbs.length - 1].url;
    };
    /** Times `work` as one row of the table. */
    const rate = async (label: string, work: () => Promise<unknown>) => {
      progress(label);
      const start = nowMs();
      await work();
      const s = (nowMs() - start) / 1000;
      rows.push([label, s.toFixed(1), (o.records / s).toFixed(0)]);
    };
    const importInto = (source: string, checkpoint: string, url: string) =>
      vecgate(['import', source, '--batch', '1000', '--checkpoint', join(dir, checkpoint)], url);
    const chromaDir = join(dir, 'chroma');
    const chroma = await startChromaReference({ dataDir: chromaDir });
    try {
      progress(`filling Chroma 1.0.0 with ${o.records} x ${o.dim}`);
      await fill(
        await chromaClient(chroma.url).createCollection({ name: 'bench-import', embeddingFunction: null }),
        data,
        1000,
      );
      const live = await database('live');
      await rate('import from a live Chroma 1.0.0 (v2 API, pages of 1,000)', () =>
        importInto(chroma.url, 'live.json', live),
      );
      await chroma.stop();
      const files = await database('dir');
      await rate("import from Chroma 1.0.0's data directory, Chroma stopped", () =>
        importInto(chromaDir, 'dir.json', files),
      );
      progress('exports');
      await vecgate(['export', 'bench-import', '--to', join(dir, 'bench.jsonl')], live);
      await vecgate(['export', 'bench-import', '--to', join(dir, 'parquet')], live);
      for (const [label, path] of [
        ['import from JSONL', join(dir, 'bench.jsonl')],
        ['import from Parquet (Pinecone layout)', join(dir, 'parquet')],
      ]) {
        const url = await database(String(dbs.length));
        await rate(label, () => importInto(path, `${dbs.length}.json`, url));
      }
      const gateway = await startVecgate({ databaseUrl: await database('api') });
      try {
        const target = await chromaClient(gateway.url).createCollection({
          name: 'bench-import',
          embeddingFunction: null,
        });
        await rate('the API path: chromadb add to a gateway, batches of 1,000 (records generated in the bench)', () =>
          fill(target, data, 1000),
        );
      } finally {
        await gateway.stop();
      }
    } finally {
      await chroma.stop();
      for (const db of dbs) await db.drop();
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(`\n## Import rate, ${o.records} x ${o.dim} records\n`);
    console.log(bullets(machine).join('\n'));
    console.log('\n' + markdown(['path', 'seconds', 'records/s'], rows));
    return true;
  },
});
