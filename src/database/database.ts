import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { openEmbedded, EmbeddedHandle } from './embedded';
import { runMigrations } from './migrator';
import { checkPgvector } from './pgvector-check';

/** What repositories run SQL on: a pool for one-statement calls, a client inside a transaction. */
export interface Queryable {
  query<R extends QueryResultRow = any>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

// Deadlocks and serialization failures are transient: the whole call is retried, never half applied.
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 4;

@Injectable()
export class Database implements OnModuleDestroy {
  private readonly logger = new Logger('Database');
  private pool!: Pool;
  private embedded?: EmbeddedHandle;
  backend: 'embedded' | 'postgres' = 'embedded';
  pgvectorVersion = '';

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Connects, checks pgvector and applies pending migrations. Called once at boot, before listening. */
  async open(): Promise<void> {
    if (this.config.databaseUrl) {
      this.backend = 'postgres';
      this.pool = new Pool({ connectionString: this.config.databaseUrl, max: 10 });
      // An idle client losing its server must not crash the process; the next checkout reconnects.
      this.pool.on('error', (err) => this.logger.warn(`idle database client error: ${err.message}`));
    } else {
      this.backend = 'embedded';
      this.embedded = await openEmbedded(this.config.dataDir);
      this.pool = this.embedded.pool;
    }
    await checkPgvector(this.pool, 'before');
    await runMigrations(this.pool, this.logger);
    this.pgvectorVersion = await checkPgvector(this.pool, 'after', this.logger);
    this.logger.log(`${this.backend === 'embedded' ? `embedded PGlite (${this.config.dataDir})` : 'PostgreSQL'} with pgvector ${this.pgvectorVersion}`);
  }

  /** The pool's connections, for /metrics: all open ones, the idle ones, and the queries waiting for one. */
  poolStats(): { total: number; idle: number; waiting: number } | undefined {
    if (!this.pool) return undefined;
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  query<R extends QueryResultRow = any>(text: string, values?: unknown[]): Promise<QueryResult<R>> {
    return this.pool.query<R>(text, values as any[]);
  }

  /** Runs `work` in one transaction: committed whole, or rolled back whole. */
  async transaction<T>(work: (tx: PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      let broken = false;
      let failure: any;
      // A checked-out client has no 'error' listener of the pool's: without one, a server that
      // drops the connection mid-transaction (restart, failover) would crash the process.
      const onError = (err: Error) => {
        broken = true;
        this.logger.warn(`database connection lost in a transaction: ${err.message}`);
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        failure = err;
        broken = !(await client.query('ROLLBACK').then(() => true, () => false));
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
      if (!RETRYABLE.has(failure?.code) || attempt >= MAX_ATTEMPTS) throw failure;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    if (!this.pool) return;
    const pool = this.pool;
    this.pool = undefined as any;
    await pool.end();
    await this.embedded?.close();
  }
}
