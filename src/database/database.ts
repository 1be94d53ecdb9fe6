import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import { Client, Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { openEmbedded, EmbeddedHandle } from './embedded';
import { runMigrations } from './migrator';
import { checkPgvector } from './pgvector-check';
import type { Queryable } from './queryable';
import { isStaleStatement, preparedStatementsPoolConfig } from './prepared-statements';
import { currentCancellation } from './statement-cancellation';

export type { Queryable } from './queryable';

/** A dump (Database.dumpEmbedded) an in-memory embedded database starts from instead of an empty cluster. */
export const EMBEDDED_SEED = Symbol('EMBEDDED_SEED');

// Deadlocks and serialization failures are transient: the whole call is retried, never half applied.
// So is a prepared statement gone stale (see PreparingClient): the retry prepares it again.
const RETRYABLE = new Set(['40P01', '40001']);
const POOL_SIZE = 10;
/** Connections planning once (see withSessionSettings); past them a call takes the main pool's. */
const PLAN_ONCE_POOL_SIZE = 5;
const MAX_ATTEMPTS = 4;
/** SQLSTATE classes after which a connection is not reused: connection exceptions, admin shutdown. */
const CONNECTION_LOST = /^(08|57P)/;
/** query_canceled: by statement_timeout, or by the cancellation of a request whose client went away. */
const QUERY_CANCELED = '57014';

/** The SQLSTATE of a database error, if it is one. */
function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

@Injectable()
export class Database implements OnModuleDestroy {
  private readonly logger = new Logger('Database');
  private pool?: Pool;
  /** Connections whose prepared statements are planned once (Postgres with prepared statements only). */
  private planOncePool?: Pool;
  private embedded?: EmbeddedHandle;
  backend: 'embedded' | 'postgres' = 'embedded';
  pgvectorVersion = '';
  /** The oid of pgvector's `vector` type in this database: binary vector arrays name it. */
  vectorOid = 0;
  /** Session settings each pooled connection has been given (withSessionSettings). */
  private readonly sessionSettings = new WeakMap<PoolClient, Map<string, string>>();
  /**
   * Connections whose statement a cancel was sent to: closed rather than returned to the pool, so
   * that a cancel arriving late cannot hit the next request's statement on the same backend.
   */
  private readonly cancelling = new WeakSet<PoolClient>();
  /** Statements cancelled by statement_timeout since the process started, for /metrics. */
  statementTimeouts = 0;
  /** Statements cancelled because their request's client went away, for /metrics. */
  statementsCancelled = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(EMBEDDED_SEED) private readonly seed?: Blob,
  ) {}

  /** Connects, checks pgvector and applies pending migrations. Called once at boot, before listening. */
  async open(): Promise<void> {
    if (this.config.databaseUrl) {
      this.backend = 'postgres';
      // Set at connect, so every statement of every pooled connection is bound without a round trip.
      const timeout = this.config.statementTimeoutMs > 0 ? { statement_timeout: this.config.statementTimeoutMs } : {};
      this.pool = new Pool({
        connectionString: this.config.databaseUrl,
        max: POOL_SIZE,
        ...timeout,
        ...preparedStatementsPoolConfig(this.config.preparedStatements),
      });
      // An idle client losing its server must not crash the process; the next checkout reconnects.
      this.pool.on('error', (err) => this.logger.warn(`idle database client error: ${err.message}`));
      if (this.config.preparedStatements) {
        this.planOncePool = new Pool({
          connectionString: this.config.databaseUrl,
          max: PLAN_ONCE_POOL_SIZE,
          ...timeout,
          ...preparedStatementsPoolConfig(true, 'once'),
        });
        this.planOncePool.on('error', (err) => this.logger.warn(`idle database client error: ${err.message}`));
      }
    } else {
      this.backend = 'embedded';
      // Unprepared: PGlite drops its connection after a prepared statement goes stale (0A000).
      this.embedded = await openEmbedded(this.config.dataDir, {
        seed: this.seed,
        statementTimeoutMs: this.config.statementTimeoutMs,
      });
      this.pool = this.embedded.pool;
    }
    const pool = this.openPool();
    await checkPgvector(pool, 'before');
    await runMigrations(pool, this.logger);
    this.pgvectorVersion = await checkPgvector(pool, 'after', this.logger);
    this.vectorOid = (await pool.query(`SELECT 'vector'::regtype::oid::int AS oid`)).rows[0].oid;
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

  /** Embedded: whether PGlite's thread is running a statement now (it answers one at a time). */
  embeddedBusy(): boolean {
    return this.embedded?.busy() ?? false;
  }

  /**
   * One statement on any pooled connection. A statement that went stale on a connection is sent
   * again (it has nothing applied); each connection renames a stale statement once, so this ends.
   */
  async query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>> {
    for (let attempt = 1; ; attempt++) {
      try {
        if (!this.cancellable()) return await this.openPool().query<R>(text, values);
        const client = await this.openPool().connect();
        // A checked-out client has no listener of the pool's: a server that drops the connection
        // would otherwise crash the process with an unhandled 'error' event.
        let broken = false;
        const onError = () => (broken = true);
        client.on('error', onError);
        try {
          return await this.cancelledWith(client, () => client.query<R>(text, values));
        } catch (err) {
          broken ||= CONNECTION_LOST.test(sqlState(err) ?? '');
          throw err;
        } finally {
          client.off('error', onError);
          client.release(broken || this.cancelling.has(client));
        }
      } catch (err) {
        if (!isStaleStatement(err) || attempt > POOL_SIZE) throw this.counted(err);
      }
    }
  }

  /**
   * The signal of the request being served, where its statements can be cancelled: on a real
   * server, and embedded with a data directory on disk (an in-memory one would be lost).
   */
  private cancellable(): AbortSignal | undefined {
    return this.backend === 'postgres' || this.embedded?.stoppable ? currentCancellation() : undefined;
  }

  /**
   * Runs `work` on `client`; if the request's client goes away meanwhile, its statement is
   * cancelled: by pg_cancel_backend on a real server, by stopping PGlite's thread embedded.
   */
  private async cancelledWith<T>(client: PoolClient, work: () => Promise<T>): Promise<T> {
    const signal = this.cancellable();
    if (!signal) return work();
    const pid = (client as unknown as { processID?: number }).processID;
    const embedded = this.embedded;
    const cancel = () => {
      if (embedded) {
        this.cancelling.add(client);
        return embedded.stop(client, 'cancelled');
      }
      if (pid === undefined) return;
      this.cancelling.add(client);
      void this.cancelBackend(pid);
    };
    if (signal.aborted) cancel();
    signal.addEventListener('abort', cancel);
    try {
      return await work();
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  }

  /** Cancels what backend `pid` is running, over a connection of its own (the pool may be full). */
  private async cancelBackend(pid: number): Promise<void> {
    const client = new Client({ connectionString: this.config.databaseUrl });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT pg_cancel_backend($1)', [pid]);
    } catch (err) {
      this.logger.warn(`could not cancel the statement of backend ${pid}: ${(err as Error).message}`);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** Counts a cancelled statement on its way out, by why it was cancelled. */
  private counted(err: unknown): unknown {
    if (sqlState(err) !== QUERY_CANCELED) return err;
    if (/statement timeout/.test((err as Error).message)) this.statementTimeouts++;
    else if (this.cancellable()?.aborted) this.statementsCancelled++;
    return err;
  }

  /**
   * Runs one statement's work on a connection that has these session settings; a connection
   * remembers what it was given, so a `set_config` round trip is paid only when they change.
   * `planOnce` work (an unfiltered search, whose plan cannot depend on its values) runs on a small
   * pool of its own that plans each statement once, so that no connection switches plan modes;
   * when that pool is busy the main pool serves it, planned per call.
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
      return await this.cancelledWith(client, () =>
        work(client).catch((err) => (isStaleStatement(err) ? work(client) : Promise.reject(err))),
      );
    } catch (err) {
      broken ||= CONNECTION_LOST.test(sqlState(err) ?? '');
      throw this.counted(err);
    } finally {
      client.off('error', onError);
      client.release(broken || this.cancelling.has(client));
    }
  }

  /** The main pool; a call after close() fails with a clear message rather than a TypeError. */
  private openPool(): Pool {
    if (!this.pool) throw new Error('The database is not open');
    return this.pool;
  }

  private poolFor(planOnce: boolean): Pool {
    const once = this.planOncePool;
    if (!planOnce || !once) return this.openPool();
    return once.idleCount > 0 || once.totalCount < PLAN_ONCE_POOL_SIZE ? once : this.openPool();
  }

  /**
   * Runs `work` on a connection of its own, outside any transaction (CREATE INDEX CONCURRENTLY,
   * VACUUM), then closes that connection, so that its session settings and locks end with it.
   */
  async withOwnConnection<T>(work: (conn: Queryable) => Promise<T>): Promise<T> {
    const client = await this.openPool().connect();
    const onError = (err: Error) => this.logger.warn(`database connection lost: ${err.message}`);
    client.on('error', onError);
    try {
      // Index builds take minutes on a large table: they are not bound by the requests' time limit.
      if (this.backend === 'postgres') await client.query('SET statement_timeout = 0');
      this.embedded?.unbound(client);
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
      const client = await this.openPool().connect();
      let broken = false;
      let failure: unknown;
      // A checked-out client has no 'error' listener of the pool's: without one, a server that
      // drops the connection mid-transaction (restart, failover) would crash the process.
      const onError = (err: Error) => {
        broken = true;
        this.logger.warn(`database connection lost in a transaction: ${err.message}`);
      };
      client.on('error', onError);
      try {
        const result = await this.cancelledWith(client, async () => {
          await client.query('BEGIN');
          const result = await work(client);
          await client.query('COMMIT');
          return result;
        });
        return result;
      } catch (err) {
        failure = this.counted(err);
        broken = !(await client.query('ROLLBACK').then(
          () => true,
          () => false,
        ));
      } finally {
        client.off('error', onError);
        client.release(broken || this.cancelling.has(client));
      }
      if (!(RETRYABLE.has(sqlState(failure) ?? '') || isStaleStatement(failure)) || attempt >= MAX_ATTEMPTS)
        throw failure;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }

  /** The embedded database's files as one tarball (an in-memory database opened with it as EMBEDDED_SEED starts there). */
  dumpEmbedded(): Promise<Blob> {
    if (!this.embedded) throw new Error('Only an embedded database can be dumped');
    return this.embedded.dump();
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    if (!this.pool) return;
    const pool = this.pool;
    this.pool = undefined;
    await Promise.all([pool.end(), this.planOncePool?.end()]);
    this.planOncePool = undefined;
    await this.embedded?.close();
  }
}
