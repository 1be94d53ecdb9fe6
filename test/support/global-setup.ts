import { rmSync, writeFileSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load-config';
import { Database } from '../../src/database/database';
import { SEED_ENV } from './embedded-seed';

/** Jest's global setup of the database tiers: on the embedded backend, the migrated dump every test database starts from. */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) return;
  Logger.overrideLogger(false);
  const db = new Database({ ...loadConfig({}), dataDir: 'memory://' });
  await db.open();
  try {
    const path = join(tmpdir(), `vecgate-seed-${process.pid}-${Date.now()}.tar`);
    writeFileSync(path, Buffer.from(await (await db.dumpEmbedded()).arrayBuffer()));
    process.env[SEED_ENV] = path;
  } finally {
    await db.close();
  }
}

/** Removes the dump. */
export async function globalTeardown(): Promise<void> {
  const path = process.env[SEED_ENV];
  if (path) rmSync(path, { force: true });
}
