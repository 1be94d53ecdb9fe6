import type { Database } from '../database/database';

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

/** The connection pools' counts (primary and read replicas), or undefined before the database opens. */
export function poolStatsOf(db: Database): PoolStats | undefined {
  return db.poolStats();
}
