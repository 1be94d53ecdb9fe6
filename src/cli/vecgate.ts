#!/usr/bin/env node
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, loadConfig } from '../config/load-config';
import type { Scope } from '../core/scope';
import type { DataDirUser } from '../database/data-dir-lock';
import { Database } from '../database/database';
import { Checkpoint } from '../transfer/checkpoint';
import { Exporter } from '../transfer/exporter';
import { Importer, type CollectionReport } from '../transfer/importer';
import { Progress } from '../transfer/progress';
import { ChromaDirSource } from '../transfer/sources/chroma-dir-source';
import { ChromaSource } from '../transfer/sources/chroma-source';
import { JsonlSource } from '../transfer/sources/jsonl-source';
import { PineconeSource } from '../transfer/sources/pinecone-source';
import { ParquetSource } from '../transfer/sources/parquet-source';
import { QdrantSource } from '../transfer/sources/qdrant-source';
import type { Metric } from '../core/collections/collection.model';
import { TransferModule } from '../transfer/transfer.module';
import type { Source } from '../transfer/transfer.model';
import { openingFailure, sayOpened, STDERR_LOGGER } from './cli-database';

/**
 * `vecgate import` and `vecgate export`: moving collections in and out. They run on the database
 * vecgate uses (DATABASE_URL, else the embedded one in VECGATE_DATA_DIR, which no running
 * gateway may hold, and which must hold a database unless `import --create-data-dir`), through
 * the core, as a gateway would write.
 */

const DEFAULT_SCOPE: Scope = { tenant: 'default_tenant', database: 'default_database' };

function scopeOf(value: string): Scope {
  const [tenant, database, ...rest] = value.split('/');
  if (!tenant || !database || rest.length) throw new InvalidArgumentError('expected TENANT/DATABASE');
  return { tenant, database };
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10_000)
    throw new InvalidArgumentError('expected an integer from 1 to 10000');
  return n;
}

interface ImportFlags {
  type?: 'chroma' | 'chroma-dir' | 'pinecone' | 'qdrant' | 'jsonl' | 'parquet';
  metric: Metric;
  vector?: string;
  collection: string[];
  into?: Scope;
  as?: string;
  batch: number;
  dryRun?: boolean;
  resume?: boolean;
  onError: 'skip' | 'abort';
  checkpoint?: string;
  from?: Scope;
  token?: string;
  apiKey?: string;
  sample: number;
  createDataDir?: boolean;
  ignoreRunningChroma?: boolean;
}

function sourceOf(spec: string, flags: ImportFlags): Source {
  const type =
    flags.type ??
    (/^https?:\/\//.test(spec)
      ? flags.apiKey
        ? 'pinecone'
        : 'chroma'
      : spec.endsWith('.jsonl')
        ? 'jsonl'
        : existsSync(join(spec, 'chroma.sqlite3'))
          ? 'chroma-dir'
          : 'parquet');
  if (type === 'jsonl') return new JsonlSource(resolve(spec));
  if (type === 'parquet') return new ParquetSource(resolve(spec), flags.metric);
  if (type === 'chroma-dir')
    return new ChromaDirSource(resolve(spec), flags.from!.tenant, flags.from!.database, {
      ignore: !!flags.ignoreRunningChroma,
      warn: (message) => console.error(message),
    });
  if (!/^https?:\/\//.test(spec)) throw new InvalidArgumentError(`${type} sources are URLs, got ${spec}`);
  if (type === 'qdrant') return new QdrantSource(spec, flags.apiKey, flags.vector);
  if (type === 'pinecone') {
    if (!flags.apiKey) throw new InvalidArgumentError('a Pinecone source needs --api-key');
    return new PineconeSource(spec, flags.apiKey);
  }
  return new ChromaSource(spec, flags.from!.tenant, flags.from!.database, flags.token);
}

/**
 * The core, opened on vecgate's database for one command (`program`, named in an embedded data
 * directory's lock), closed whatever happens. Which database it opened is said on stderr.
 */
async function withCore<T>(
  program: DataDirUser,
  createDataDir: boolean,
  work: (get: <S>(type: new (...args: never[]) => S) => S) => Promise<T>,
): Promise<T> {
  const app = await NestFactory.createApplicationContext(
    TransferModule.forRoot(loadConfig(), { program, createDataDir }),
    { logger: STDERR_LOGGER },
  );
  try {
    const db = app.get(Database);
    try {
      await db.open();
    } catch (err) {
      const words = openingFailure(err, program === 'vecgate import' ? '--create-data-dir' : undefined);
      throw words ? new Error(words) : err;
    }
    sayOpened(db);
    return await work((type) => app.get(type));
  } finally {
    await app.close();
  }
}

function report(reports: CollectionReport[], dryRun: boolean): boolean {
  let ok = true;
  for (const r of reports) {
    if (dryRun) {
      console.log(`${r.source}: ${r.sourceCount} records would be imported as ${r.target}`);
      continue;
    }
    const counted = r.targetCount === r.sourceCount - r.skipped.length;
    ok &&= counted && r.mismatches.length === 0;
    console.log(
      `${r.source} -> ${r.target}: ${r.imported} imported, ${r.skipped.length} skipped; ` +
        `source ${r.sourceCount}, vecgate ${r.targetCount} (${counted ? 'match' : 'MISMATCH'}); ` +
        `${r.sampled} sampled, ${r.mismatches.length} differ`,
    );
    for (const s of r.skipped) console.log(`  skipped ${s}`);
    for (const m of r.mismatches) console.log(`  differs ${m}`);
  }
  return ok;
}

async function main(argv: string[]): Promise<number> {
  const program = new Command('vecgate').description('Move collections into and out of vecgate').exitOverride();
  let code = 0;
  program
    .command('import')
    .description(
      'import collections from a Chroma server or data directory, a Pinecone-compatible API, a Qdrant server, JSONL or Parquet',
    )
    .argument(
      '<source>',
      "http(s)://host:port of Chroma, Pinecone or Qdrant (--type qdrant), a Chroma data directory, a .jsonl file, or Parquet (a file, or a directory in Pinecone's import layout)",
    )
    .addOption(
      new Option('--type <type>', 'what the source is (guessed when absent)').choices([
        'chroma',
        'chroma-dir',
        'pinecone',
        'qdrant',
        'jsonl',
        'parquet',
      ]),
    )
    .option(
      '--collection <name>',
      'import only this collection (repeatable)',
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .option('--into <tenant/database>', 'where the collections go (default: default_tenant/default_database)', scopeOf)
    .option('--as <name>', 'the name of the imported collection (one collection only)')
    .option('--batch <n>', 'records per transaction', positive, 500)
    .option('--dry-run', 'read the source and say what would be imported; write nothing')
    .option('--resume', 'continue an import that stopped, from its checkpoint')
    .addOption(
      new Option('--on-error <mode>', 'a record the store refuses').choices(['skip', 'abort']).default('abort'),
    )
    .option('--checkpoint <file>', 'where progress is kept (default: ./.vecgate-import-<hash>.json)')
    .option(
      '--from <tenant/database>',
      'Chroma server or data directory: the tenant and database to read (default: default_tenant/default_database)',
      scopeOf,
    )
    .option('--token <token>', 'Chroma source: its auth token')
    .option('--api-key <key>', 'Pinecone or Qdrant source: its API key')
    .addOption(
      new Option('--metric <metric>', 'Parquet without a vecgate header: the distance (Pinecone files do not say)')
        .choices(['cosine', 'l2', 'ip'])
        .default('cosine'),
    )
    .option('--vector <name>', 'Qdrant source with named vectors: the one to import (default: the first)')
    .option('--sample <n>', 'records per collection compared with the source at the end', positive, 20)
    .option(
      '--create-data-dir',
      'embedded: create a new, empty database when VECGATE_DATA_DIR holds none (it is refused otherwise, as a mistyped path would make one)',
    )
    .option(
      '--ignore-running-chroma',
      'Chroma data directory: read it even while a Chroma has it open (refused otherwise: files read during its writes may disagree)',
    )
    .action(async (spec: string, flags: ImportFlags) => {
      flags.into ??= DEFAULT_SCOPE;
      flags.from ??= DEFAULT_SCOPE;
      const source = sourceOf(spec, flags);
      const into = flags.into!;
      const target = `${into.tenant}/${into.database}`;
      const path =
        flags.checkpoint ??
        resolve(
          `.vecgate-import-${createHash('sha1').update(`${source.label}\0${target}`).digest('hex').slice(0, 12)}.json`,
        );
      const checkpoint = Checkpoint.open(path, source.label, target, !!flags.resume);
      const reports = await withCore('vecgate import', !!flags.createDataDir, (get) =>
        get(Importer).run(source, {
          into,
          only: flags.collection,
          as: flags.as ?? null,
          batch: flags.batch,
          dryRun: !!flags.dryRun,
          onError: flags.onError,
          checkpoint,
          progress: new Progress(),
          sampleSize: flags.sample,
        }),
      );
      const ok = report(reports, !!flags.dryRun);
      if (!flags.dryRun) checkpoint.remove();
      code = ok ? 0 : 1;
    });
  program
    .command('export')
    .description("export a collection (every namespace) to JSONL, Parquet, or a directory in Pinecone's import layout")
    .argument('<collection>', 'the collection, or Pinecone index, to export')
    .requiredOption(
      '--to <path>',
      'a .jsonl file, a .parquet file (one namespace), or a directory (a Parquet directory per namespace)',
    )
    .option('--from <tenant/database>', 'where the collection is (default: default_tenant/default_database)', scopeOf)
    .action(async (name: string, flags: { to: string; from?: Scope }) => {
      const written = await withCore('vecgate export', false, (get) =>
        get(Exporter).run(flags.from ?? DEFAULT_SCOPE, name, resolve(flags.to), new Progress()),
      );
      console.log(`${name}: ${written} records exported to ${flags.to}`);
    });
  await program.parseAsync(argv, { from: 'user' });
  return code;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    if (err?.code?.startsWith?.('commander.')) process.exit(err.exitCode === 0 ? 0 : 2);
    if (err instanceof ConfigError) console.error(`vecgate: configuration error: ${err.message}`);
    else console.error(`vecgate: ${err?.message ?? err}`);
    process.exit(1);
  },
);
