import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openEmbedded } from '../../src/database/embedded';
import { REPO } from '../e2e/cluster/cluster';
import { embeddedSeed, SEED_ENV, seedDirOf } from './embedded-seed';
import { createScratchDatabase, startGateway, usingPostgres, type TestGateway } from './gateway';

/** The `vecgate` CLI as a user runs it (node dist/src/cli/vecgate.js); the tests build it with ensureGatewayBuilt(). */
export const CLI = join(REPO, 'dist/src/cli/vecgate.js');

/** A store for the CLI to write to, and a gateway to read it with once the CLI is done. */
export interface Store {
  env: Record<string, string>;
  open(): Promise<TestGateway>;
  drop(): Promise<void>;
}

/**
 * A scratch PostgreSQL database when DATABASE_URL is set, else an embedded data directory under
 * `dir` that holds a database (the commands refuse one that holds none): the run's migrated seed
 * (seedDataDir).
 */
export async function newStore(dir: string): Promise<Store> {
  if (usingPostgres()) {
    const scratch = await createScratchDatabase();
    return {
      env: { DATABASE_URL: scratch.url },
      open: () => startGateway({}, { databaseUrl: scratch.url }),
      drop: () => scratch.drop(),
    };
  }
  const dataDir = mkdtempSync(join(dir, 'store-'));
  await seedDataDir(dataDir);
  return {
    env: { VECGATE_DATA_DIR: dataDir },
    open: () => startGateway({ dataDir }, undefined, { logger: false }),
    drop: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

/**
 * Writes the run's migrated seed into `dataDir`, which must hold no database yet, for a process
 * (the CLI, a gateway started as `npm start`) to open, where a new cluster and its migrations took
 * nine seconds. Tests of a first start itself leave their directory empty. The seed is opened into
 * a directory once a run (seedDirOf: by whichever worker asks first) and copied from there: a copy
 * is a tenth of what opening PGlite on the seed and closing it again costs each time.
 */
export async function seedDataDir(dataDir: string): Promise<void> {
  const seed = process.env[SEED_ENV];
  if (!seed) return openSeedIn(dataDir);
  const template = seedDirOf(seed);
  if (!existsSync(template)) {
    const staged = mkdtempSync(join(dirname(template), 'vecgate-seed-staged-'));
    await openSeedIn(staged);
    try {
      renameSync(staged, template); // atomic; fails when another worker's is there first
    } catch {
      rmSync(staged, { recursive: true, force: true });
    }
  }
  cpSync(template, dataDir, { recursive: true });
}

async function openSeedIn(dataDir: string): Promise<void> {
  const made = await openEmbedded(dataDir, { seed: embeddedSeed() });
  await made.pool.end();
  await made.close();
}

/** The `keys` CLI as `npm run keys` runs it (node dist/src/cli/keys.js). */
export const KEYS_CLI = join(REPO, 'dist/src/cli/keys.js');

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to its end. Asynchronously: a source gateway running in the test's process must keep answering. */
export function cli(args: string[], env: Record<string, string>, cwd: string): Promise<CliRun> {
  return runBuilt(CLI, args, env, cwd);
}

/** Runs the keys CLI to its end, as cli() runs the vecgate one. */
export function keysCli(args: string[], env: Record<string, string>, cwd: string): Promise<CliRun> {
  return runBuilt(KEYS_CLI, args, env, cwd);
}

/** A built script run with node in a minimal environment (PATH and `env`: nothing of the test run's). */
async function runBuilt(script: string, args: string[], env: Record<string, string>, cwd: string): Promise<CliRun> {
  const child = spawn(process.execPath, [script, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, cwd });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const status = await new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { status, stdout, stderr };
}
