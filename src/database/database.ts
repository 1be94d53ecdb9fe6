import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { openEmbedded, EmbeddedHandle } from './embedded';
import { runMigrations } from './migrator';
import { checkPgvector } from './pgvector-check';
import { isStaleStatement, preparedStatementsPoolConfig } from './prepared-statements';

/** What repositories run SQL on: a pool for one-statement calls, a client inside a transaction. */
export interface Queryable {
  query<R extends QueryResultRow = any>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

// Deadlocks and serialization failures are transient: the whole call is retried, never half applied.
// So is a prepared statement gone stale (see PreparingClient): the retry prepares it again.
const RETRYABLE = new Set(['40P01', '40001']);
const POOL_SIZE = 10;
/** Connections planning once (see withSessionSettings); past them a call takes the main pool's. */
const PLAN_ONCE_POOL_SIZE = 5;
const MAX_ATTEMPTS = 4;
/** SQLSTATE classes after which a connection is not reused: connection exceptions, admin shutdown. */
const CONNECTION_LOST = /^(08|57P)/;

@Injectable()
export class Database implements OnModuleDestroy {
  private readonly logger = new Logger('Database');
  private pool!: Pool;
  /** Connections whose prepared statements are planned once (Postgres with prepared statements only). */
  private planOncePool?: Pool;
  private embedded?: EmbeddedHandle;
  backend: 'embedded' | 'postgres' = 'embedded';
  pgvectorVersion = '';
  /** The oid of pgvector's `vector` type in this database: binary vector arrays name it. */
  vectorOid = 0;
  /** Session settings each pooled connection has been given (withSessionSettings). */
  private readonly sessionSettings = new WeakMap<PoolClient, Map<string, string>>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Connects, checks pgvector and applies pending migrations. Called once at boot, before listening. */
  async open(): Promise<void> {
    if (this.config.databaseUrl) {
      this.backend = 'postgres';
      this.pool = new Pool({
        connectionString: this.config.databaseUrl,
        max: POOL_SIZE,
        ...preparedStatementsPoolConfig(this.config.preparedStatements),
      });
      // An idle client losing its server must not crash the process; the next checkout reconnects.
      this.pool.on('error', (err) => this.logger.warn(`idle database client error: ${err.message}`));
      if (this.config.preparedStatements) {
        this.planOncePool = new Pool({
          connectionString: this.config.databaseUrl,
          max: PLAN_ONCE_POOL_SIZE,
          ...preparedStatementsPoolConfig(true, 'once'),
        });
        this.planOncePool.on('error', (err) => this.logger.warn(`idle database client error: ${err.message}`));
      }
    } else {
      this.backend = 'embedded';
      // Unprepared: PGlite drops its connection after a prepared statement goes stale (0A000).
      this.embedded = await openEmbedded(this.config.dataDir);
      this.pool = this.embedded.pool;
    }
    await checkPgvector(this.pool, 'before');
    await runMigrations(this.pool, this.logger);
    this.pgvectorVersion = await checkPgvector(this.pool, 'after', this.logger);
    this.vectorOid = (await this.pool.query(`SELECT 'vector'::regtype::oid::int AS oid`)).rows[0].oid;
    this.logger.log(
      `${this.backend === 'embedded' ? `embedded PGlite (${this.config.dataDir})` : 'PostgreSQL'} with pgvector ${this.pgvectorVersion}`,
    );
  }

  /** The pool's connections, for /metrics: all open ones, the idle ones, and the queries waiting for one. */
  poolStats(): { total: number; idle: number; waiting: number } | undefined {
    if (!this.pool) return undefined;
    const pools = this.planOncePool ? [this.pool, this.planOncePool] : [this.pool];
    const sum = (count: (pool: Pool) => number) => pools.reduce((total, pool) => total + count(pool), 0);
    return { total: sum((p) => p.totalCount), idle: sum((p) => p.idleCount), waiting: sum((p) => p.waitingCount) };
  }

  /**
   * One statement on any pooled connection. A statement that went stale on a connection is sent
   * again (it has nothing applied); each connection renames a stale statement once, so this ends.
   */
  async query<R extends QueryResultRow = any>(text: string, values?: unknown[]): Promise<QueryResult<R>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.pool.query<R>(text, values as any[]);
      } catch (err) {
        if (!isStaleStatement(err) || attempt > POOL_SIZE) throw err;
      }
    }
  }

  /**
   * Runs one statement's work on a connection that has these session settings. A connection
   * remembers what it was given, so a search pays a `set_config` round trip only when its settings
   * differ from the last ones that connection ran with (they rarely do), and needs no transaction.
   *
   * `planOnce` is for work whose plan cannot depend on its values (an unfiltered search): it runs
   * on a connection of its own small pool that plans each statement once, where every other
   * statement is planned for its values (see PLAN_PER_CALL). Switching one connection's plan mode
   * back and forth would cost a round trip each way, and a statement planned once in the wrong
   * mode would keep a filter's wrong plan. When those connections are all busy, the work takes a
   * connection of the main pool: planned per call, which only costs time.
   */
  async withSessionSettings<T>(
    settings: Record<string, string>,
    work: (client: Queryable) => Promise<T>,
    { planOnce = false } = {},
  ): Promise<T> {
    const client = await this.poolFor(planOnce).connect();
    let broken = false;
    const onError = () => (broken = true);
    client.on('error', onError);
    try {
      let current = this.sessionSettings.get(client);
      if (!current) this.sessionSettings.set(client, (current = new Map()));
      const changed = Object.entries(settings).filter(([name, value]) => current!.get(name) !== value);
      if (changed.length > 0) {
        const calls = changed.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, false)`).join(', ');
        await client.query(`SELECT ${calls}`, changed.flat());
        for (const [name, value] of changed) current.set(name, value);
      }
      // Once more if a statement had gone stale: this connection has renamed it since.
      return await work(client).catch((err) => (isStaleStatement(err) ? work(client) : Promise.reject(err)));
    } catch (err) {
      broken ||= !!(err as any)?.code && CONNECTION_LOST.test(String((err as any).code));
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  private poolFor(planOnce: boolean): Pool {
    const once = this.planOncePool;
    if (!planOnce || !once) return this.pool;
    return once.idleCount > 0 || once.totalCount < PLAN_ONCE_POOL_SIZE ? once : this.pool;
  }

  /**
   * Runs `work` on a connection of its own, outside any transaction (CREATE INDEX CONCURRENTLY,
   * VACUUM), then closes that connection, so that its session settings and locks end with it.
   */
  async withOwnConnection<T>(work: (conn: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const onError = (err: Error) => this.logger.warn(`database connection lost: ${err.message}`);
    client.on('error', onError);
    try {
      return await work(client);
    } finally {
      client.off('error', onError);
      client.release(true);
    }
  }

  /** A session advisory lock on `name`, held until the connection closes; false when another session holds it. */
  async tryAdvisoryLock(conn: Queryable, name: string): Promise<boolean> {
    const { rows } = await conn.query(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`, [
      `vecgate:${name}`,
    ]);
    return rows[0].locked;
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
        broken = !(await client.query('ROLLBACK').then(
          () => true,
          () => false,
        ));
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
      if (!(RETRYABLE.has(failure?.code) || isStaleStatement(failure)) || attempt >= MAX_ATTEMPTS) throw failure;
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
    await Promise.all([pool.end(), this.planOncePool?.end()]);
    this.planOncePool = undefined;
    await this.embedded?.close();
  }
}
