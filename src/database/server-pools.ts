import { type Logger } from '@nestjs/common';
import { type Client, type Pool, type PoolConfig } from 'pg';
import { ClosingPool } from './closing-pool';
import { preparedStatementsPoolConfig } from './prepared-statements';

export interface ServerPoolOptions {
  statementTimeoutMs: number;
  preparedStatements: boolean;
  /** Connections of the main pool (VECGATE_DB_POOL_SIZE). */
  size: number;
}

/**
 * Run on each connection before its first statement. PostgreSQL's JIT compiles a statement whose
 * estimated cost passes jit_above_cost; on the gateway's statements it never paid for itself, and
 * compiling a filter of thousands of branches holds the backend past statement_timeout, which
 * cannot cancel it (docs/decisions/0008-no-jit.md).
 */
export const NO_JIT = 'SET jit = off';

/** A pool's config with NO_JIT run on each new connection, before the config's own onConnect. */
export function withoutJit<C extends Pick<PoolConfig, 'onConnect'>>(config: C): C {
  return {
    ...config,
    onConnect: async (client) => {
      await client.query(NO_JIT);
      await config.onConnect?.(client);
    },
  };
}

/**
 * Connections planning once (see Database.withSessionSettings), half the main pool's; past them
 * a call takes the main pool's.
 */
const planOncePoolSize = (size: number): number => Math.ceil(size / 2);

/**
 * The connections to one PostgreSQL server: the main pool and, preparing statements, a small one
 * whose statements are planned once. `url` is asked at each new connection, so that a pool follows
 * a primary that moved to another host (PrimaryHosts).
 */
export class ServerPools {
  readonly main: Pool;
  readonly planOnce?: Pool;
  private readonly planOnceSize: number;

  constructor(
    readonly url: () => string,
    options: ServerPoolOptions,
    logger: Logger,
  ) {
    // Set at connect, so every statement of every pooled connection is bound without a round trip.
    const timeout = options.statementTimeoutMs > 0 ? { statement_timeout: options.statementTimeoutMs } : {};
    const open = (max: number, planning: PoolConfig) => {
      // pg's types declare a pool's Client as taking no arguments; it is given the pool's config.
      const Base = planning.Client as unknown as new (config: PoolConfig) => Client;
      class ToCurrentHost extends Base {
        constructor(config: PoolConfig) {
          super({ ...config, connectionString: url() });
        }
      }
      const pool = new ClosingPool({
        ...timeout,
        ...withoutJit(planning),
        max,
        Client: ToCurrentHost as unknown as PoolConfig['Client'],
      });
      // An idle client losing its server must not crash the process; the next checkout reconnects.
      pool.on('error', (err) => logger.warn(`idle database client error: ${err.message}`));
      return pool;
    };
    this.planOnceSize = planOncePoolSize(options.size);
    this.main = open(options.size, preparedStatementsPoolConfig(options.preparedStatements));
    if (options.preparedStatements) this.planOnce = open(this.planOnceSize, preparedStatementsPoolConfig(true, 'once'));
  }

  /** The plan-once pool while it has a connection to give, else the main one. */
  poolFor(planOnce: boolean): Pool {
    const once = this.planOnce;
    if (!planOnce || !once) return this.main;
    return once.idleCount > 0 || once.totalCount < this.planOnceSize ? once : this.main;
  }

  pools(): Pool[] {
    return this.planOnce ? [this.main, this.planOnce] : [this.main];
  }

  async end(): Promise<void> {
    await Promise.all(this.pools().map((pool) => pool.end()));
  }
}
