import { readFileSync } from 'node:fs';

/**
 * Every in-memory embedded database of a test run starts from one migrated dump, made once by
 * global-setup.ts: loading it takes about a second, where a new cluster plus the migrations took
 * three to ten on this project's 2-core machine (the most of what each gateway cost to start).
 */
export const SEED_ENV = 'VECGATE_TEST_EMBEDDED_SEED';

let cached: Blob | undefined;

/** The run's seed, or undefined on a real Postgres (or outside jest's global setup). */
export function embeddedSeed(): Blob | undefined {
  const path = process.env[SEED_ENV];
  if (!path || process.env.DATABASE_URL) return undefined;
  cached ??= new Blob([readFileSync(path)]);
  return cached;
}

/** Where a run's seed (at `seedPath`) is kept opened as a data directory, once a test asked for one (cli-store.ts). */
export function seedDirOf(seedPath: string): string {
  return `${seedPath}.dir`;
}
