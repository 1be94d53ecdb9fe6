import { Worker } from 'node:worker_threads';
import { SessionPlanning } from './embedded-planning';
import { PLAN_PER_CALL, type PreparedSet } from './prepared-statements';

/**
 * What runs in the thread: PGlite, answering the wire protocol's bytes with the bytes it writes
 * back. Plain JavaScript handed to the Worker as text, because the thread runs outside any
 * TypeScript build (and outside jest's transform in the tests); the modules come by absolute path.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.modules.pglite);
const { vector } = require(workerData.modules.vector);
const { pg_trgm } = require(workerData.modules.pgTrgm);
const { fuzzystrmatch } = require(workerData.modules.fuzzystrmatch);
const reply = (message, transfer) => parentPort.postMessage(message, transfer);
(async () => {
  const loadDataDir = workerData.seed ? new Blob([workerData.seed]) : undefined;
  const db = await PGlite.create(workerData.dataDir, { extensions: { vector, pg_trgm, fuzzystrmatch }, loadDataDir });
  // Prepared statements are planned for each call's values, as unnamed ones are (PLAN_PER_CALL).
  await db.exec(workerData.planning);
  parentPort.on('message', async ({ id, op, bytes }) => {
    try {
      if (op === 'exec') {
        // A copy: PGlite's answer may be a view of its own memory, which cannot be handed over.
        const out = (await db.execProtocolRaw(bytes)).slice();
        reply({ id, out }, [out.buffer]);
      } else if (op === 'dump') {
        const out = new Uint8Array(await (await db.dumpDataDir('none')).arrayBuffer());
        reply({ id, out }, [out.buffer]);
      } else if (op === 'close') {
        if (!db.closed) await db.close();
        reply({ id });
      }
    } catch (err) {
      reply({ id, error: String((err && err.message) || err) });
    }
  });
  reply({ ready: true });
})().catch((err) => reply({ failed: String((err && err.message) || err) }));
`;

/** Why a statement was stopped: the words and SQLSTATE Postgres uses for the same two cases. */
export type StopReason = 'timeout' | 'cancelled';

const STOPPED: Record<StopReason, string> = {
  timeout: 'canceling statement due to statement timeout',
  cancelled: 'canceling statement due to user request',
};

/** The error a stopped statement fails with, in Postgres's words. */
export function stoppedError(reason: StopReason): Error {
  return databaseError(STOPPED[reason], '57014');
}

/** A database error as node-postgres reports one, so that callers treat both backends alike. */
function databaseError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

interface Pending {
  resolve(out: Uint8Array | undefined): void;
  reject(err: Error): void;
}

/**
 * What the one database session of a thread has prepared, shared by every client that talks to
 * it (node-postgres keeps it per connection): a client made after another, or reused after the
 * thread was restarted, must not prepare a name the session holds, nor skip one it lost.
 */
export interface SessionStatements {
  /** node-postgres's record of the statements parsed, and sent for parsing, on this session. */
  parsed: Record<string, string>;
  submitted: Record<string, string>;
  /** PreparingClient's names for them. */
  prepared: PreparedSet;
  /** How the session plans now (it starts planning per call, PLAN_PER_CALL). */
  planning: SessionPlanning;
}

const newSession = (): SessionStatements => ({
  parsed: {},
  submitted: {},
  prepared: { names: new Map(), count: 0 },
  planning: new SessionPlanning(),
});

/** PGlite's answer to one trip, and the session's planning it was sent under (see exec). */
export interface Answer {
  out: Uint8Array;
  planning: SessionPlanning;
  /** Whether a switch of the plan settings went ahead of the trip: its answers come first. */
  switched: boolean;
}

interface Running {
  id: number;
  owner: object;
  timer?: NodeJS.Timeout;
}

/**
 * PGlite in a thread of its own. The gateway's event loop keeps answering (probes, parsing, other
 * protocols' work) while a statement runs, and a statement can be stopped: PGlite runs a statement
 * to its end and has no timer of its own (statement_timeout is ignored), so stopping one ends the
 * thread and opens the data directory again in a new one, as Postgres recovers after a crash:
 * what was committed is there, the stopped transaction is not. An in-memory database would be
 * lost that way, so its statements are never stopped.
 */
export class EmbeddedWorker {
  private thread?: Worker;
  private ready?: Promise<void>;
  private readonly pending = new Map<number, Pending>();
  private running?: Running;
  private nextId = 0;
  private closed = false;
  /** A stopped thread's end: no new thread opens the directory before the old one is gone. */
  private stopping?: Promise<unknown>;
  /** Whether a statement can be stopped here (a data directory on disk, not memory://). */
  readonly stoppable: boolean;
  /** The statements prepared on the current thread's session: new with each thread. */
  session: SessionStatements = newSession();

  constructor(
    private readonly dataDir: string,
    private seed: ArrayBuffer | undefined,
  ) {
    this.stoppable = !dataDir.includes('://');
  }

  /** Starts the thread and waits until PGlite is open. */
  async start(): Promise<void> {
    await this.open();
  }

  /**
   * Sends protocol messages in one trip and resolves with PGlite's answer, the switch of plan
   * settings they need going ahead of them (SessionPlanning: decided here, on the session the trip
   * goes to). With `timeoutMs` > 0 (and a database on disk) a statement running longer is stopped
   * and the promise rejects as Postgres's would (57014).
   */
  async exec(messages: Uint8Array[], timeoutMs: number, owner: object): Promise<Answer> {
    await this.open();
    const planning = this.session.planning;
    const ahead = planning.switchFor(messages);
    if (ahead) messages = [ahead, ...messages];
    const bytes = messages.length === 1 ? messages[0] : Buffer.concat(messages);
    const id = this.nextId++;
    const answer = this.send(id, { id, op: 'exec', bytes });
    this.running = { id, owner };
    if (timeoutMs > 0 && this.stoppable) {
      this.running.timer = setTimeout(() => void this.stop(id, 'timeout'), timeoutMs);
    }
    try {
      return { out: (await answer)!, planning, switched: ahead !== undefined };
    } catch (err) {
      planning.lost();
      throw err;
    } finally {
      if (this.running?.id === id) {
        clearTimeout(this.running.timer);
        this.running = undefined;
      }
    }
  }

  /** Whether a statement is running in the thread now. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Stops the statement `owner` is running, if it is running one: its exec rejects with `reason`. */
  stopRunning(owner: object, reason: StopReason): void {
    if (this.running?.owner === owner) void this.stop(this.running.id, reason);
  }

  /** The database's files as one tarball. */
  async dump(): Promise<Blob> {
    await this.open();
    const id = this.nextId++;
    const out = await this.send(id, { id, op: 'dump' });
    return new Blob([out!]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.stopping) await this.stopping;
    const thread = this.thread;
    if (!thread) return;
    try {
      await this.ready;
      const id = this.nextId++;
      await this.send(id, { id, op: 'close' });
    } catch {
      // A thread that failed to open has nothing to close.
    }
    await thread.terminate();
  }

  private async open(): Promise<void> {
    while (this.stopping) await this.stopping;
    if (this.closed) throw databaseError('The embedded database is closed', '08003');
    if (this.ready) return this.ready;
    const thread = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: {
        dataDir: this.dataDir,
        seed: this.seed,
        planning: PLAN_PER_CALL,
        modules: {
          pglite: require.resolve('@electric-sql/pglite'),
          vector: require.resolve('@electric-sql/pglite-pgvector'),
          pgTrgm: require.resolve('@electric-sql/pglite/contrib/pg_trgm'),
          fuzzystrmatch: require.resolve('@electric-sql/pglite/contrib/fuzzystrmatch'),
        },
      },
    });
    // A seed is only the first start's: a restarted thread opens what is on disk.
    this.seed = undefined;
    this.thread = thread;
    this.session = newSession();
    const ready = new Promise<void>((resolve, reject) => {
      thread.on(
        'message',
        (message: { id?: number; ready?: boolean; failed?: string; out?: Uint8Array; error?: string }) => {
          if (message.ready) return resolve();
          if (message.failed !== undefined)
            return reject(new Error(`PGlite could not open ${this.dataDir}: ${message.failed}`));
          const pending = this.pending.get(message.id!);
          if (!pending) return;
          this.pending.delete(message.id!);
          if (message.error !== undefined) pending.reject(databaseError(message.error, 'XX000'));
          else pending.resolve(message.out);
        },
      );
      thread.on('error', reject);
      thread.once('exit', () => {
        reject(new Error('the embedded database thread ended while opening'));
        this.lost(thread, 'the embedded database thread ended');
      });
    });
    this.ready = ready;
    // A failed start is retried by the next call rather than remembered.
    ready.catch(() => this.lost(thread, 'the embedded database thread could not start'));
    return ready;
  }

  private send(id: number, message: object): Promise<Uint8Array | undefined> {
    return new Promise((resolve, reject) => {
      if (!this.thread) return reject(databaseError('the embedded database thread ended', '08006'));
      this.pending.set(id, { resolve, reject });
      this.thread.postMessage(message);
    });
  }

  /** Ends the thread under statement `id` and fails it with `reason`; the next exec starts a new thread. */
  private async stop(id: number, reason: StopReason): Promise<void> {
    if (this.running?.id !== id || !this.thread) return;
    const pending = this.pending.get(id);
    this.pending.delete(id);
    const thread = this.thread;
    this.lost(thread, 'the embedded database thread was stopped');
    const ended = thread.terminate().finally(() => {
      if (this.stopping === ended) this.stopping = undefined;
    });
    this.stopping = ended;
    await ended;
    pending?.reject(stoppedError(reason));
  }

  /** Forgets `thread` (once) and fails whatever was waiting on it as a lost connection. */
  private lost(thread: Worker, why: string): void {
    if (this.thread !== thread) return;
    this.thread = undefined;
    this.ready = undefined;
    thread.removeAllListeners('message');
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const pending of waiting) pending.reject(databaseError(why, '08006'));
  }
}
