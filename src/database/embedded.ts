import { mkdirSync } from 'node:fs';
import { Pool } from 'pg';
import { Extension, PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';

// The package declares only ESM types for its contrib paths; require() loads their CommonJS build.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pg_trgm } = require('@electric-sql/pglite/contrib/pg_trgm') as { pg_trgm: Extension };

export interface EmbeddedHandle {
  pool: Pool;
  close(): Promise<void>;
}

/**
 * Embedded PostgreSQL (PGlite, WebAssembly) with pgvector and pg_trgm, behind node-postgres so
 * that the repositories run the very same SQL as on a real server. PGlite is one connection:
 * the pool has size 1, so every transaction holds the whole database while it runs.
 */
export async function openEmbedded(dataDir: string): Promise<EmbeddedHandle> {
  if (!dataDir.includes('://')) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir, { extensions: { vector, pg_trgm } });
  const pool = new Pool(createPgConfig(db) as any);
  return {
    pool,
    close: async () => {
      if (!db.closed) await db.close();
    },
  };
}
