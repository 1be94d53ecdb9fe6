import { rmSync, writeFileSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load-config';
import { Database } from '../../src/database/database';
import { SEED_ENV, seedDirOf } from './embedded-seed';
import { createScratchDatabase, dropScratchDatabase, PG_TEMPLATE_ENV } from './scratch-database';

/**
 * Jest's global setup of the database tiers: what every test database starts from, migrated once.
 * On the embedded backend a dump (embedded-seed.ts); on PostgreSQL a template database
 * (scratch-database.ts).
 */
export default async function globalSetup(): Promise<void> {
  Logger.overrideLogger(false);
  if (process.env.DATABASE_URL) {
    const template = await createScratchDatabase({ empty: true });
    try {
      const db = new Database({ ...loadConfig({}), databaseUrl: template.url });
      await db.open();
      await db.close();
    } catch (err) {
      await template.drop();
      throw err;
    }
    process.env[PG_TEMPLATE_ENV] = template.name;
    return;
  }
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

/** Removes what globalSetup made: the dump and the data directory opened from it, or the template database. */
export async function globalTeardown(): Promise<void> {
  const template = process.env[PG_TEMPLATE_ENV];
  if (template) {
    delete process.env[PG_TEMPLATE_ENV];
    await dropScratchDatabase(template);
  }
  const path = process.env[SEED_ENV];
  if (!path) return;
  rmSync(path, { force: true });
  rmSync(seedDirOf(path), { recursive: true, force: true });
}
