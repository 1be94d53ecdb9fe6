import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import type { Queryable } from './queryable';

/**
 * A small forward-only runner for the plain SQL files in migrations/. The maintained runners
 * (node-pg-migrate 8+) are ESM-only and do not load under the test runner's CommonJS, and what we
 * need is small: apply each file once, in order, in its own transaction, while an advisory lock
 * keeps two replicas booting together from racing.
 */
const LOCK_KEY = 7_316_024_911; // arbitrary, fixed: "vecgate migrations"

export function migrationsDir(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'migrations')) || !existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('migrations/ directory not found');
    dir = parent;
  }
  return join(dir, 'migrations');
}

/** The migrations recorded as applied (a readiness probe compares them with the files). */
export async function appliedMigrations(db: Queryable): Promise<Set<string>> {
  const { rows } = await db.query<{ name: string }>('SELECT name FROM vecgate_migrations');
  return new Set(rows.map((r) => r.name));
}

/** Applies the migrations not applied yet, on a connection of `db` (a pool), or on `db` itself (a connection, kept open). */
export async function runMigrations(db: Pool | PoolClient, logger: Logger): Promise<string[]> {
  const files = readdirSync(migrationsDir())
    .filter((f) => f.endsWith('.sql'))
    .sort();
  const own = !('release' in db);
  const client = own ? await (db as Pool).connect() : (db as PoolClient);
  const applied: string[] = [];
  // Without a listener, a connection dropped during boot would crash instead of failing the boot.
  const onError = (err: Error) => logger.warn(`database connection lost while migrating: ${err.message}`);
  client.on('error', onError);
  try {
    // A migration of a large table, or the wait for another replica's, may take longer than a request may.
    await client.query('SET statement_timeout = 0');
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS vecgate_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = new Set((await client.query('SELECT name FROM vecgate_migrations')).rows.map((r) => r.name));
    for (const file of files) {
      if (done.has(file)) continue;
      const sql = readFileSync(join(migrationsDir(), file), 'utf8');
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query('INSERT INTO vecgate_migrations (name) VALUES ($1)', [file]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${file} failed: ${(err as Error).message}`, { cause: err });
      }
      applied.push(file);
      logger.log(`applied migration ${file}`);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    await client.query('RESET statement_timeout').catch(() => undefined);
    client.off('error', onError);
    if (own) client.release();
  }
  return applied;
}
