import { mkdirSync } from 'node:fs';
import { Pool, type PoolConfig } from 'pg';
import { PGlite, type Extension } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { lockDataDir } from './data-dir-lock';

// The package declares only ESM types for its contrib paths; require() loads their CommonJS build.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pg_trgm } = require('@electric-sql/pglite/contrib/pg_trgm') as { pg_trgm: Extension };

export interface EmbeddedHandle {
  pool: Pool;
  /** The database's files as one tarball, which `seed` opens again. */
  dump(): Promise<Blob>;
  close(): Promise<void>;
}

/**
 * Embedded PostgreSQL (PGlite, WebAssembly) with pgvector and pg_trgm, behind node-postgres so
 * that the repositories run the very same SQL as on a real server. PGlite is one connection:
 * the pool has size 1, so every transaction holds the whole database while it runs.
 *
 * `seed`, for an in-memory database, is a dump to start from instead of an empty cluster: loading
 * one takes about a second where initialising a new cluster takes two to five.
 */
export async function openEmbedded(dataDir: string, seed?: Blob): Promise<EmbeddedHandle> {
  let unlock = () => {};
  if (!dataDir.includes('://')) {
    mkdirSync(dataDir, { recursive: true });
    unlock = lockDataDir(dataDir);
  }
  const loadDataDir = seed && dataDir.startsWith('memory://') ? seed : undefined;
  let db: PGlite;
  try {
    db = await PGlite.create(dataDir, { extensions: { vector, pg_trgm }, loadDataDir });
  } catch (err) {
    unlock();
    throw err;
  }
  // PGlite's config object carries what pg.Pool reads (its connection and a pool size of 1), under a type of its own.
  const pool = new Pool(createPgConfig(db) as unknown as PoolConfig);
  return {
    pool,
    dump: () => db.dumpDataDir('none'),
    close: async () => {
      if (!db.closed) await db.close();
      unlock();
    },
  };
}
