import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import { resolve } from 'node:path';
import { Client, Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { DataDirUser } from './data-dir-lock';
import { embeddedLabel, postgresLabel } from './database-label';
import { openEmbedded, EmbeddedHandle } from './embedded';
import { runMigrations } from './migrator';
import { checkPgvector } from './pgvector-check';
import type { Queryable } from './queryable';
import { isStaleStatement, plannedOnce } from './prepared-statements';
import { hostUrls, isLostPrimary, PrimaryHosts } from './primary-hosts';
import { currentConsistency } from './read-consistency';
import { ReadCounts, ReadReplicas } from './read-replicas';
import { ServerPools } from './server-pools';
import { parseLsn } from './lsn';
import { currentCancellation } from './statement-cancellation';

export type { Queryable } from './queryable';

/** A dump (Database.dumpEmbedded) an in-memory embedded database starts from instead of an empty cluster. */
export const EMBEDDED_SEED = Symbol('EMBEDDED_SEED');

/** Who opens the database, as each entry point says (DatabaseModule.forRoot, or the constructor). */
export interface DatabaseOpener {
  /** Recorded in an embedded data directory's lock file; absent: named only by pid. */
  program?: DataDirUser;
  /** Embedded: whether a directory without a database gets a new one (true unless false; see EmbeddedOptions). */
  createDataDir?: boolean;
}
export const DATABASE_OPENER = Symbol('DATABASE_OPENER');

// Deadlocks and serialization failures are transient: the whole call is retried, never half applied.
// So is a prepared statement gone stale (see PreparingClient): the retry prepares it again.
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 4;
/** SQLSTATE classes after which a connection is not reused: connection exceptions, admin shutdown. */
const CONNECTION_LOST = /^(08|57P)/;
/** query_canceled: by statement_timeout, or by the cancellation of a request whose client went away. */
const QUERY_CANCELED = '57014';

/**
 * A statement of ours that may write: with read replicas, its request's answer then carries the
 * primary's WAL position. Our SQL is written in upper case and names tables only quoted; a false
 * positive (SELECT ... FOR UPDATE) costs one round trip, never a stale read.
 */
const MAY_WRITE = /\b(INSERT|UPDATE|DELETE|MERGE|CREATE|DROP|ALTER|TRUNCATE)\b/;
/** The primary's WAL position, once a write has committed. */
const WAL_POSITION = 'SELECT pg_current_wal_lsn()::text AS lsn';

/** The SQLSTATE of a database error, if it is one. */
function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

@Injectable()
export class Database implements OnModuleDestroy {
  private readonly logger = new Logger('Database');
  private pool?: Pool;
  /** PostgreSQL: the primary's pools, following it to another of DATABASE_URL's hosts. */
  private primary?: ServerPools;
  private primaryHosts?: PrimaryHosts;
  /** DATABASE_READ_URLS: where reads go (readQuery, withSessionSettings's `read`). */
  private replicas?: ReadReplicas;
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
  /** Stops the statement of each embedded own connection open now (withOwnConnection). */
  private readonly ownHalts = new Set<() => void>();
  /** Statements cancelled by statement_timeout since the process started, for /metrics. */
  statementTimeouts = 0;
  /** Statements cancelled because their request's client went away, for /metrics. */
  statementsCancelled = 0;
  /** Which database open() opened, for a person: an absolute directory, or host:port/database (no password). */
  label = '';
  /** Whether open() made a new, empty embedded database on disk. */
  createdDataDir = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(EMBEDDED_SEED) private readonly seed?: Blob,
    @Optional() @Inject(DATABASE_OPENER) private readonly opener: DatabaseOpener = {},
  ) {}

  /** Connects, checks pgvector and applies pending migrations. Called once at boot, before listening. */
  async open(): Promise<void> {
    if (this.config.databaseUrl) {
      this.backend = 'postgres';
      const hosts = (this.primaryHosts = new PrimaryHosts(hostUrls(this.config.databaseUrl)));
      await hosts.find();
      const options = {
        statementTimeoutMs: this.config.statementTimeoutMs,
        preparedStatements: this.config.preparedStatements,
        size: this.config.poolSize,
      };
      this.primary = new ServerPools(() => hosts.url, options, this.logger);
      this.pool = this.primary.main;
      if (this.config.databaseReadUrls.length > 0) {
        const primary = this.primary;
        this.replicas = new ReadReplicas(
          this.config.databaseReadUrls,
          options,
          this.config.readWaitMs,
          this.config.readMaxLagMs,
          () => this.walPosition(primary.main),
        );
        await this.replicas.start();
      }
    } else {
      this.backend = 'embedded';
      // Unprepared: PGlite drops its connection after a prepared statement goes stale (0A000).
      this.embedded = await openEmbedded(this.config.dataDir, {
        seed: this.seed,
        statementTimeoutMs: this.config.statementTimeoutMs,
        program: this.opener.program,
        createDataDir: this.opener.createDataDir,
      });
      this.pool = this.embedded.pool;
      this.createdDataDir = this.embedded.created;
      // Loud, because a mistyped VECGATE_DATA_DIR, or a start from another directory, looks like this.
      if (this.createdDataDir)
        this.logger.warn(
          `created a new, empty database in ${resolve(this.config.dataDir)}: if vecgate's data is elsewhere, set VECGATE_DATA_DIR to its directory (a relative path is read from the directory vecgate starts in)`,
        );
    }
    this.label = this.embedded ? embeddedLabel(this.config.dataDir) : postgresLabel(this.primaryHosts!.url);
    // The gateway's own start (its checks and migrations) is not bound by the requests' statement
    // time limit: on a busy machine, listing an embedded database's extensions took over 300 ms.
    // The connection is closed after it, as an index build's is (unbound for good, embedded).
    const client = await this.openPool().connect();
    try {
      this.embedded?.unbound(client);
      if (!this.embedded) await client.query('SET statement_timeout = 0');
      await checkPgvector(client, 'before');
      await runMigrations(client, this.logger);
      this.pgvectorVersion = await checkPgvector(client, 'after', this.logger);
      this.vectorOid = (await client.query(`SELECT 'vector'::regtype::oid::int AS oid`)).rows[0].oid;
    } finally {
      client.release(true);
    }
    this.logger.log(`opened ${this.label}, with pgvector ${this.pgvectorVersion}`);
  }

  /** The pool's connections, for /metrics: all open ones, the idle ones, and the queries waiting for one. */
  poolStats(): { total: number; idle: number; waiting: number } | undefined {
    if (!this.pool) return undefined;
    const servers = [this.primary, ...(this.replicas?.pools() ?? [])];
    const pools = this.primary ? servers.flatMap((s) => s?.pools() ?? []) : [this.pool];
    const sum = (count: (pool: Pool) => number) => pools.reduce((total, pool) => total + count(pool), 0);
    return { total: sum((p) => p.totalCount), idle: sum((p) => p.idleCount), waiting: sum((p) => p.waitingCount) };
  }

  /** Whether reads go to replicas (DATABASE_READ_URLS), known before open(). */
  get readsOnReplicas(): boolean {
    return this.config.databaseReadUrls.length > 0;
  }

  /** With DATABASE_READ_URLS: where reads went (see ReadReplicas); zeros before open(). */
  readCounts(): Readonly<ReadCounts> {
    return this.replicas?.counts ?? { replica: 0, primary: 0, waited: 0, retriedOnPrimary: 0 };
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
    try {
      const result = await this.queryOn<R>(this.openPool(), text, values);
      if (this.replicas && MAY_WRITE.test(text)) await this.noteCommitted(this.openPool());
      return result;
    } catch (err) {
      this.primaryMayHaveMoved(err);
      throw err;
    }
  }

  /**
   * A read of one statement: on a read replica (DATABASE_READ_URLS) that has replayed what the
   * request must see, else on the primary; a replica that fails it (gone, behind on a new table, a
   * recovery conflict) hands it to the primary. Without replicas, the same as query().
   */
  async readQuery<R extends QueryResultRow = QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<QueryResult<R>> {
    const replica = await this.replicaForRead();
    if (replica) {
      try {
        return await this.queryOn<R>(replica.main, text, values, replica.url());
      } catch (err) {
        if (!this.replicaFailed(replica, err)) throw err;
      }
    }
    return this.query<R>(text, values);
  }

  /** What repositories read through: readQuery as a Queryable. */
  readonly reads: Queryable = { query: (text, values) => this.readQuery(text, values) };

  /**
   * `reads`, for statements whose plan cannot depend on their values (a lookup by key, records by
   * id, an exact read of a whole table; sorts priced as they cost): embedded, planned once
   * (plannedOnce); on PostgreSQL, as `reads`.
   */
  readonly readsPlannedOnce: Queryable = {
    query: (text, values) => this.readQuery(this.embedded ? plannedOnce(text) : text, values),
  };

  /** query() as a Queryable, for statements whose plan cannot depend on their values (see readsPlannedOnce). */
  readonly queriesPlannedOnce: Queryable = {
    query: (text, values) => this.query(this.embedded ? plannedOnce(text) : text, values),
  };

  private replicaForRead(): Promise<ServerPools | undefined> {
    if (!this.replicas) return Promise.resolve(undefined);
    return this.replicas.choose(currentConsistency()?.atLeast());
  }

  /**
   * Whether a read that failed on a replica goes to the primary: not when it ran out of time or was
   * cancelled, nor for a data exception (class 22: the request's values, the same on the primary).
   * A replica that was lost is left out until it answers again.
   */
  private replicaFailed(replica: ServerPools, err: unknown): boolean {
    const code = sqlState(err) ?? '';
    if (code === QUERY_CANCELED || code.startsWith('22') || this.cancellable()?.aborted) return false;
    this.replicas!.failed(replica, isLostPrimary(err));
    return true;
  }

  /** The primary's WAL position after a write, noted on the request for its answer and its client's next reads. */
  private async noteCommitted(on: Pool | PoolClient): Promise<void> {
    const consistency = currentConsistency();
    if (!consistency) return;
    const lsn = await this.walPosition(on);
    if (lsn !== undefined) consistency.committed(lsn);
  }

  /** The primary's current WAL position, asked on `on`. */
  private async walPosition(on: Pool | PoolClient): Promise<bigint | undefined> {
    return parseLsn((await on.query(WAL_POSITION)).rows[0].lsn);
  }

  private noteLsn(text: string): void {
    const lsn = parseLsn(text);
    if (lsn !== undefined) currentConsistency()?.committed(lsn);
  }

  /** A connection to the primary was lost, or it took no writes: with several hosts, look for the primary again. */
  private primaryMayHaveMoved(err: unknown): void {
    if (this.primaryHosts?.several && isLostPrimary(err)) void this.primaryHosts.find();
  }

  private async queryOn<R extends QueryResultRow>(
    pool: Pool,
    text: string,
    values: unknown[] | undefined,
    url?: string,
  ): Promise<QueryResult<R>> {
    for (let attempt = 1; ; attempt++) {
      try {
        if (!this.cancellable()) return await pool.query<R>(text, values);
        const client = await pool.connect();
        // A checked-out client has no listener of the pool's: a server that drops the connection
        // would otherwise crash the process with an unhandled 'error' event.
        let broken = false;
        const onError = () => (broken = true);
        client.on('error', onError);
        try {
          return await this.cancelledWith(client, () => client.query<R>(text, values), url);
        } catch (err) {
          broken ||= CONNECTION_LOST.test(sqlState(err) ?? '');
          throw err;
        } finally {
          client.off('error', onError);
          client.release(broken || this.cancelling.has(client));
        }
      } catch (err) {
        if (!isStaleStatement(err) || attempt > this.config.poolSize) throw this.counted(err);
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
  private async cancelledWith<T>(client: PoolClient, work: () => Promise<T>, url?: string): Promise<T> {
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
      void this.cancelBackend(pid, url ?? this.primaryHosts?.url);
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
  private async cancelBackend(pid: number, url: string | undefined): Promise<void> {
    const client = new Client({ connectionString: url });
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
   * when that pool is busy the main pool serves it, planned per call. Embedded, the one session
   * plans such work's statements once too (plannedOnce 'walk').
   */
  async withSessionSettings<T>(
    settings: Record<string, string>,
    work: (client: Queryable) => Promise<T>,
    { planOnce = false, read = false } = {},
  ): Promise<T> {
    const replica = read ? await this.replicaForRead() : undefined;
    if (replica) {
      try {
        return await this.withSettingsOn(replica.poolFor(planOnce), settings, work, replica.url());
      } catch (err) {
        if (!this.replicaFailed(replica, err)) throw err;
      }
    }
    try {
      const embeddedOnce = planOnce && this.embedded !== undefined;
      return await this.withSettingsOn(this.poolFor(planOnce), settings, work, undefined, embeddedOnce);
    } catch (err) {
      this.primaryMayHaveMoved(err);
      throw err;
    }
  }

  private async withSettingsOn<T>(
    pool: Pool,
    settings: Record<string, string>,
    work: (client: Queryable) => Promise<T>,
    url?: string,
    walks = false,
  ): Promise<T> {
    const client = await pool.connect();
    const conn: Queryable = walks
      ? { query: (text, values) => client.query(plannedOnce(text, 'walk'), values) }
      : client;
    let broken = false;
    const onError = () => (broken = true);
    client.on('error', onError);
    try {
      let current = this.sessionSettings.get(client);
      if (!current) this.sessionSettings.set(client, (current = new Map()));
      const changed = Object.entries(settings).filter(([name, value]) => current!.get(name) !== value);
      if (changed.length > 0) {
        const calls = changed.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, false)`).join(', ');
        // Through `conn`: embedded, planned as the work's statements are, so no switch between them.
        await conn.query(`SELECT ${calls}`, changed.flat());
        for (const [name, value] of changed) current.set(name, value);
      }
      // Once more if a statement had gone stale: this connection has renamed it since.
      return await this.cancelledWith(
        client,
        () => work(conn).catch((err) => (isStaleStatement(err) ? work(conn) : Promise.reject(err))),
        url,
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
    return this.primary && this.pool ? this.primary.poolFor(planOnce) : this.openPool();
  }

  /**
   * Runs `work` on a connection of its own, outside any transaction (CREATE INDEX CONCURRENTLY,
   * VACUUM), then closes that connection, so that its session settings and locks end with it.
   * Embedded, `stop` aborted stops the statement running (a data directory on disk): with no time
   * limit, a build would otherwise hold a shutdown for minutes.
   */
  async withOwnConnection<T>(work: (conn: Queryable) => Promise<T>, stop?: AbortSignal): Promise<T> {
    const client = await this.openPool().connect();
    const onError = (err: Error) => this.logger.warn(`database connection lost: ${err.message}`);
    client.on('error', onError);
    const embedded = this.embedded;
    const halt = () => {
      this.cancelling.add(client);
      embedded?.stop(client, 'cancelled');
    };
    if (embedded && stop) stop.addEventListener('abort', halt, { once: true });
    if (embedded) this.ownHalts.add(halt);
    try {
      // Index builds take minutes on a large table: they are not bound by the requests' time limit.
      if (this.backend === 'postgres') await client.query('SET statement_timeout = 0');
      embedded?.unbound(client);
      if (embedded && stop?.aborted) halt();
      return await work(client);
    } finally {
      this.ownHalts.delete(halt);
      stop?.removeEventListener('abort', halt);
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
      const client = await this.openPool()
        .connect()
        .catch((err) => {
          this.primaryMayHaveMoved(err);
          throw err;
        });
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
          if (this.replicas && currentConsistency()) {
            // One round trip: the commit, then the position a replica must reach to show it.
            const [, position] = (await client.query(`COMMIT; ${WAL_POSITION}`)) as unknown as QueryResult[];
            this.noteLsn(position.rows[0].lsn);
          } else await client.query('COMMIT');
          return result;
        });
        return result;
      } catch (err) {
        failure = this.counted(err);
        this.primaryMayHaveMoved(err);
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
    // Embedded, an own connection's statement (an index build, unbounded) would hold the close.
    for (const halt of this.ownHalts) halt();
    const pool = this.pool;
    this.pool = undefined;
    await Promise.all([this.primary ? this.primary.end() : pool.end(), this.replicas?.end()]);
    this.primary = undefined;
    this.replicas = undefined;
    await this.embedded?.close();
  }
}
