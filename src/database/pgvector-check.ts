import type { Logger } from '@nestjs/common';
import type { Queryable } from './queryable';

export class PgvectorMissingError extends Error {}

const RECOMMENDED = [0, 8, 4];

export function older(version: string, than: number[]): boolean {
  const parts = version.split('.').map((p) => parseInt(p, 10) || 0);
  for (let i = 0; i < than.length; i++) {
    if ((parts[i] ?? 0) !== than[i]) return (parts[i] ?? 0) < than[i];
  }
  return false;
}

/**
 * Before migrations: fails boot when the server cannot load pgvector at all.
 * After: returns the installed version and warns when it lacks the HNSW vacuum fixes of 0.8.3/0.8.4.
 */
export async function checkPgvector(pool: Queryable, stage: 'before' | 'after', logger?: Logger): Promise<string> {
  if (stage === 'before') {
    const { rows } = await pool.query(`SELECT default_version FROM pg_available_extensions WHERE name = 'vector'`);
    if (rows.length === 0) {
      throw new PgvectorMissingError(
        'The pgvector extension is not installed on this PostgreSQL server. Install it (on Debian: ' +
          'scripts/install-pgvector.sh, or the postgresql-<version>-pgvector package), then start vecgate again.',
      );
    }
    return rows[0].default_version;
  }
  const { rows } = await pool.query(`SELECT extversion FROM pg_extension WHERE extname = 'vector'`);
  const version: string = rows[0]?.extversion ?? '';
  if (older(version, [0, 8, 0])) {
    throw new PgvectorMissingError(
      `pgvector ${version} is too old: vecgate needs 0.8.0 or newer (iterative index scans).`,
    );
  }
  if (older(version, RECOMMENDED)) {
    logger?.warn(
      `pgvector ${version} is older than 0.8.4, which fixes HNSW index corruption after vacuum; upgrade when you can.`,
    );
  }
  return version;
}
