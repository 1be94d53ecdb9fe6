import type { Database } from '../database/database';

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

/**
 * The connection pool's counts, or undefined when the pool is closed. Database keeps its pool
 * private; `poolStats()` is the accessor proposed for it. Until it exists the pool is read through
 * the private field, here and nowhere else.
 */
export function poolStatsOf(db: Database): PoolStats | undefined {
  const accessor = (db as unknown as { poolStats?: () => PoolStats | undefined }).poolStats;
  if (typeof accessor === 'function') return accessor.call(db);
  const pool = (db as unknown as { pool?: { totalCount: number; idleCount: number; waitingCount: number } }).pool;
  return pool ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : undefined;
}
