import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Pool, ClientConfig } from 'pg';
import { ClosingPool } from './closing-pool';
import { PglitePgConnection } from '@electric-sql/pglite/node-postgres';
import { Parser } from 'pg-protocol/dist/parser';
import type { BackendMessage, ReadyForQueryMessage } from 'pg-protocol/dist/messages';
import { type DataDirUser, lockDataDir } from './data-dir-lock';
import { EmbeddedWorker, stoppedError, type StopReason } from './embedded-worker';
import { PreparingClient, type PreparedSet } from './prepared-statements';

export interface EmbeddedOptions {
  /** A dump to start an in-memory database from instead of an empty cluster. */
  seed?: Blob;
  /** Statements running longer are stopped (a database on disk only); 0: no limit. */
  statementTimeoutMs?: number;
  /** Which program opens the directory: recorded in its lock file, named when another is refused. */
  program?: DataDirUser;
  /**
   * Whether a directory that holds no database (missing, empty, no PG_VERSION) gets a new, empty
   * one (true, the default: the gateway's first start) or is refused with NoDatabaseError (the
   * commands, for which a mistyped path would otherwise be a new database that holds nothing).
   */
  createDataDir?: boolean;
}

/** The data directory holds no database and was not to be created (EmbeddedOptions.createDataDir). */
export class NoDatabaseError extends Error {
  constructor(
    /** The directory, absolute. */
    readonly dir: string,
    why: string,
  ) {
    super(`no vecgate database in ${dir}: ${why}`);
  }
}

/**
 * Why `dir` holds no database, or undefined when it holds one: a PGlite data directory, as a
 * PostgreSQL one, has a PG_VERSION file. `exists` false: the directory itself is missing (or not a
 * directory).
 */
function noDatabase(dir: string): { why: string; exists: boolean } | undefined {
  if (existsSync(join(dir, 'PG_VERSION'))) return undefined;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'the directory does not exist'
        : code === 'ENOTDIR'
          ? 'it is not a directory'
          : (err as Error).message;
    return { why, exists: false };
  }
  // Our own lock file, taken before this look, does not make a directory hold something.
  const held = entries.filter((e) => !e.startsWith('vecgate.lock'));
  return {
    why: held.length === 0 ? 'the directory is empty' : 'the directory holds no PG_VERSION file, so no database',
    exists: true,
  };
}

export interface EmbeddedHandle {
  pool: Pool;
  /** Whether a running statement can be stopped (a data directory on disk, not memory://). */
  stoppable: boolean;
  /** Stops the statement `client` is running, and any it would send after. */
  stop(client: unknown, reason: StopReason): void;
  /** Whether a statement is running now. */
  busy(): boolean;
  /** Lifts the statement time limit for `client` (index builds, which take minutes on large tables). */
  unbound(client: unknown): void;
  /** The database's files as one tarball, which `seed` opens again. */
  dump(): Promise<Blob>;
  close(): Promise<void>;
  /** Whether this open made a new, empty database in a directory on disk (that held none). */
  created: boolean;
}

/** Messages that only queue work in the extended protocol: sent together with the Sync or Flush that follows. */
const QUEUED = new Set(['P', 'B', 'D', 'E', 'C'].map((c) => c.charCodeAt(0)));

/**
 * One connection's side of the wire: what PGlite's node-postgres adapter calls for each message.
 * The extended protocol's messages are gathered until the Sync, so a statement is one trip to the
 * thread, not five; a switch of the session's plan settings rides in the same trip when the
 * statement needs one (SessionPlanning), its answers taken out before node-postgres reads them.
 */
class Session {
  private queued: Uint8Array[] = [];
  timeoutMs: number;
  /** Set once its request gave up: whatever it sends next fails at once. */
  private stopped?: StopReason;
  readonly waitReady: Promise<void>;

  constructor(
    private readonly worker: EmbeddedWorker,
    timeoutMs: number,
  ) {
    this.timeoutMs = timeoutMs;
    this.waitReady = worker.start();
  }

  /** Stops what this connection runs now and refuses what it sends later (a cancel arriving between statements). */
  stop(reason: StopReason): void {
    this.stopped ??= reason;
    this.worker.stopRunning(this, reason);
  }

  async execProtocolStream(message: Uint8Array): Promise<BackendMessage[]> {
    if (this.stopped) throw stoppedError(this.stopped);
    if (QUEUED.has(message[0])) {
      this.queued.push(message);
      return [];
    }
    const queued = this.queued;
    this.queued = [];
    queued.push(message);
    const { out, planning, switched } = await this.worker.exec(queued, this.timeoutMs, this);
    const messages: BackendMessage[] = [];
    new Parser().parse(Buffer.from(out.buffer, out.byteOffset, out.byteLength), (m) => messages.push(m));
    // The switch's answers end with its ReadyForQuery; the trip's own status is in the last one.
    let first = 0;
    let switchFailed = false;
    if (switched) {
      while (first < messages.length && messages[first].name !== 'readyForQuery')
        switchFailed ||= messages[first++].name === 'error';
      first++;
    }
    let status: string | undefined;
    for (let i = messages.length - 1; i >= first && status === undefined; i--)
      if (messages[i].name === 'readyForQuery') status = (messages[i] as ReadyForQueryMessage).status;
    planning.answered(status, switchFailed);
    return first > 0 ? messages.slice(first) : messages;
  }
}

/**
 * Embedded PostgreSQL (PGlite, WebAssembly) with pgvector, pg_trgm and fuzzystrmatch, behind node-postgres so
 * that the repositories run the very same SQL as on a real server. PGlite is one connection:
 * the pool has size 1, so every transaction holds the whole database while it runs. PGlite runs
 * in a thread of its own (EmbeddedWorker), where a statement can be stopped.
 *
 * `seed`, for an in-memory database or a data directory that holds none yet, is a dump to start
 * from instead of an empty cluster: loading one takes about a second where initialising a new
 * cluster takes two to five, and migrating it three more.
 */
export async function openEmbedded(dataDir: string, options: EmbeddedOptions = {}): Promise<EmbeddedHandle> {
  let unlock = () => {};
  let created = false;
  if (!dataDir.includes('://')) {
    const create = options.createDataDir !== false;
    const before = noDatabase(dataDir);
    if (before && !before.exists && !create) throw new NoDatabaseError(resolve(dataDir), before.why);
    mkdirSync(dataDir, { recursive: true });
    unlock = lockDataDir(dataDir, options.program);
    // Looked at again under the lock: a gateway making the database right now is "in use", not "none".
    const missing = noDatabase(dataDir);
    if (missing && !create) {
      unlock();
      throw new NoDatabaseError(resolve(dataDir), missing.why);
    }
    created = missing !== undefined;
  }
  const seed =
    options.seed && (dataDir.startsWith('memory://') || created) ? await options.seed.arrayBuffer() : undefined;
  const worker = new EmbeddedWorker(dataDir, seed);
  try {
    await worker.start();
  } catch (err) {
    await worker.close();
    unlock();
    throw err;
  }
  const sessions = new WeakMap<object, Session>();
  const timeoutMs = options.statementTimeoutMs ?? 0;
  // Statements with parameters are prepared, as on a server: parsing each anew took 0.07-0.27 ms
  // of a call of 1.3-3.4 ms on a small collection (docs/hot-path.md).
  class EmbeddedClient extends PreparingClient {
    constructor(config: ClientConfig = {}) {
      const session = new Session(worker, timeoutMs);
      // The adapter stands in for node-postgres's socket connection; it reads what Session answers.
      const connection = new PglitePgConnection({ pglite: session as never });
      // node-postgres's record of what is prepared is the thread's session's, not this client's.
      Object.defineProperties(connection, {
        parsedStatements: { get: () => worker.session.parsed },
        submittedNamedStatements: { get: () => worker.session.submitted },
      });
      super({ ...config, connection } as ClientConfig);
      sessions.set(this, session);
    }

    protected override preparedSet(): PreparedSet {
      return worker.session.prepared;
    }
  }
  const pool = new ClosingPool({ Client: EmbeddedClient, max: 1 });
  return {
    pool,
    created,
    stoppable: worker.stoppable,
    busy: () => worker.busy,
    stop: (client, reason) => sessions.get(client as object)?.stop(reason),
    unbound: (client) => {
      const session = sessions.get(client as object);
      if (session) session.timeoutMs = 0;
    },
    dump: () => worker.dump(),
    close: async () => {
      await worker.close();
      unlock();
    },
  };
}
